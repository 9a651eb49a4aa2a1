import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { runAllChecks } from '../../lib/checks';
import { checkLint } from '../../lib/checks/lint';
import { componentValues } from '../../lib/helm/chart-values';
import { TodoHelmChart } from '../../lib/helm/todo-helm-chart';
import { defaultValues } from '../../lib/helm/values';
import { reservedLabelKeys } from '../../lib/features/common-labels';
import { isOwnedKey } from '../../lib/shared-rules';
import { TodoApp } from '../../lib/todo-app';
import { FeatureCharts, thrown } from '../support/feature-charts';
import { validateObjects } from '../support/k8s-schema';
import { TEST_SECRETS } from '../support/util';

const LABELS = { 'team': 'todo', 'example.com/cost-center': 'c-42', 'empty': '' };

let charts: FeatureCharts;
beforeAll(() => {
  charts = new FeatureCharts();
});
afterAll(() => charts.cleanup());

/** Every label map of an object: its own and its pod template's. */
const labelMaps = (o: any) => [o.metadata.labels, ...(o.spec?.template ? [o.spec.template.metadata.labels] : [])];

describe('props: commonLabels on every object the component creates and on its pods', () => {
  test('each object of both components carries them beside the app\'s own labels; selectors are unchanged', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'default' });
    const opts = { commonLabels: LABELS, ingress: { host: 'todo.example.com' }, minAvailable: 1, replicas: 2, serviceAccount: { create: true } };
    const todo = new TodoApp(chart, 'todo', { backend: { ...opts, database: undefined, replicas: 1, minAvailable: undefined }, frontend: { ...opts, ingress: { host: 'app.example.com' } } });
    const objects = chart.toJson();
    expect(new Set(objects.map((o) => o.kind))).toEqual(new Set(['Deployment', 'Service', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'NetworkPolicy', 'Ingress', 'PodDisruptionBudget', 'ServiceAccount']));
    for (const o of objects) {
      for (const labels of labelMaps(o)) {
        expect({ object: `${o.kind}/${o.metadata.name}`, labels }).toEqual({ object: `${o.kind}/${o.metadata.name}`, labels: expect.objectContaining({ ...LABELS, 'app.kubernetes.io/part-of': 'todo' }) });
      }
    }
    const deployment = objects.find((o) => o.kind === 'Deployment');
    expect(deployment.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'todo-backend', 'app.kubernetes.io/instance': 'todo-backend' });
    expect(validateObjects(objects)).toEqual([]);
    // The signing keys are read from the Secrets the cluster keeps (<name>-keys): external to the checks.
    expect(runAllChecks(objects, { externalSecrets: todo.components.flatMap((c) => c.externalSecrets) })).toEqual([]);
  });
});

describe('one commonLabels: the cdk8s Chart\'s labels, with the prop\'s over them', () => {
  const build = (chartLabels: { [key: string]: string }, commonLabels?: { [key: string]: string }) => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { labels: chartLabels });
    const todo = new TodoApp(chart, 'todo', { backend: { commonLabels, jwtSecret: TEST_SECRETS.jwtSecret }, frontend: { commonLabels } });
    return { app, chart, todo };
  };

  test('the value\'s default is the merge (a key both hold takes the prop\'s value); the manifests\' objects and pods carry the same', () => {
    const { chart, todo } = build({ 'team': 'web', 'cost-center': '42' }, { team: 'api', tier: 'back' });
    const merged = { 'team': 'api', 'cost-center': '42', 'tier': 'back' };
    expect(todo.backend.commonLabels).toEqual(merged);
    expect(defaultValues(componentValues(todo.backend))).toMatchObject({ commonLabels: merged });
    const objects = chart.toJson().filter((o) => o.metadata.name.startsWith('todo-backend'));
    expect(objects.length).toBeGreaterThanOrEqual(4);
    for (const o of objects) {
      for (const labels of labelMaps(o)) {
        expect({ object: `${o.kind}/${o.metadata.name}`, labels }).toEqual({ object: `${o.kind}/${o.metadata.name}`, labels: expect.objectContaining(merged) });
      }
    }
  });

  test('the chart renders that default: its objects carry the manifests\' labels, and nothing diverges', () => {
    const { app, chart, todo } = build({ 'team': 'web', 'cost-center': '42' }, { team: 'api' });
    const helmChart = new TodoHelmChart(app, 'chart', { component: todo.backend });
    expect(helmChart.divergences()).toEqual([]);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'common-labels-'));
    // Rendered as the release todo-backend (the directory's name), the manifests' names.
    const dir = path.join(tmp, 'backend');
    try {
      helmChart.writeTo(dir);
      const rendered = charts.render(dir, {});
      const manifests = chart.toJson();
      for (const o of rendered.filter((r) => !r.metadata.annotations?.['helm.sh/hook'])) {
        const plain = manifests.find((m) => m.kind === o.kind && m.metadata.name === o.metadata.name);
        expect({ object: `${o.kind}/${o.metadata.name}`, labels: labelMaps(o).map((l) => ({ team: l.team, cost: l['cost-center'] })) })
          .toEqual({ object: `${o.kind}/${o.metadata.name}`, labels: labelMaps(plain).map((l) => ({ team: l.team, cost: l['cost-center'] })) });
        expect(o.metadata.labels).toMatchObject({ 'team': 'api', 'cost-center': '42' });
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('a Chart label the app sets itself is refused, naming the Chart', () => {
    expect(thrown(() => build({ 'app.kubernetes.io/part-of': 'shop' }))).toBe(
      `'labels of the cdk8s Chart shop' must not hold a label the app sets (app, app.kubernetes.io/*, helm.sh/chart, todo-cdk8s/*: names, selectors and versions come from the component), got "app.kubernetes.io/part-of"`,
    );
    expect(thrown(() => build({ 'bad key': 'x' }))).toMatch(/^'labels of the cdk8s Chart shop' must be a label key: .*got "bad key"$/);
  });
});

describe('values: the chart puts them on every object it renders, the helm test pod too', () => {
  test.each([['backend'], ['frontend']])('%s', (which) => {
    const dir = which === 'backend' ? charts.backend : charts.frontend;
    const objects = charts.render(dir, { commonLabels: LABELS, ingress: { enabled: true, host: 'todo.example.com' }, serviceAccount: { create: true }, podDisruptionBudget: { enabled: which === 'frontend' }, autoscaling: { enabled: which === 'frontend' } });
    expect(objects.length).toBeGreaterThanOrEqual(8);
    for (const o of objects) {
      for (const labels of labelMaps(o)) {
        expect({ object: `${o.kind}/${o.metadata.name}`, labels }).toEqual({ object: `${o.kind}/${o.metadata.name}`, labels: expect.objectContaining(LABELS) });
      }
    }
    // Every label the app sets itself (the table of lib/features/names.ts, Helm's, the test pod's) is one commonLabels may not hold.
    const appKeys = [...new Set(objects.flatMap((o) => labelMaps(o).flatMap((l) => Object.keys(l))))].filter((k) => !(k in LABELS));
    expect(appKeys).toEqual(expect.arrayContaining(['app', 'helm.sh/chart', 'app.kubernetes.io/name', 'app.kubernetes.io/version', 'todo-cdk8s/test-of']));
    expect(appKeys.filter((k) => !isOwnedKey(reservedLabelKeys(), k))).toEqual([]);
    // The NetworkPolicy still admits the test pod by the test labels only.
    const policy = objects.find((o) => o.kind === 'NetworkPolicy');
    expect(policy.spec.ingress[1].from[0].podSelector.matchLabels).not.toHaveProperty('team');
    expect(runAllChecks(objects)).toEqual([]);
    expect(checkLint(objects.filter((o) => !o.metadata.annotations?.['helm.sh/hook'])).map((f) => f.check)).toEqual(expect.not.arrayContaining(['non-existent-service-account']));
  });
});

describe('refused in both renderings, with the same words', () => {
  test.each<[string, { [key: string]: string }, string]>([
    ['a selector label', { 'app.kubernetes.io/name': 'x' }, `'commonLabels' must not hold a label the app sets (app, app.kubernetes.io/*, helm.sh/chart, todo-cdk8s/*: names, selectors and versions come from the component), got "app.kubernetes.io/name"`],
    ['the app label', { app: 'x' }, `'commonLabels' must not hold a label the app sets (app, app.kubernetes.io/*, helm.sh/chart, todo-cdk8s/*: names, selectors and versions come from the component), got "app"`],
    ['Helm\'s chart label', { 'helm.sh/chart': 'x' }, `'commonLabels' must not hold a label the app sets (app, app.kubernetes.io/*, helm.sh/chart, todo-cdk8s/*: names, selectors and versions come from the component), got "helm.sh/chart"`],
    ['the project\'s own test label', { 'todo-cdk8s/test-of': 'x' }, `'commonLabels' must not hold a label the app sets (app, app.kubernetes.io/*, helm.sh/chart, todo-cdk8s/*: names, selectors and versions come from the component), got "todo-cdk8s/test-of"`],
    ['a key with a space', { 'cost center': 'x' }, `'commonLabels' must be a label key: a name of at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, optionally after a DNS subdomain prefix and "/" (at most 253 characters in all), got "cost center"`],
    ['a key with an uppercase prefix', { 'Example.com/x': 'x' }, `'commonLabels' must be a label key: a name of at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, optionally after a DNS subdomain prefix and "/" (at most 253 characters in all), got "Example.com/x"`],
    ['a name of 64 characters', { ['n'.repeat(64)]: 'x' }, `'commonLabels' must be a label key: a name of at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, optionally after a DNS subdomain prefix and "/" (at most 253 characters in all), got "${'n'.repeat(64)}"`],
    ['a value ending in "-"', { team: 'todo-' }, `'commonLabels.team' must be a label value: empty, or at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, got "todo-"`],
    ['a value of 64 characters', { team: 'v'.repeat(64) }, `'commonLabels.team' must be a label value: empty, or at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, got "${'v'.repeat(64)}"`],
  ])('%s', (_what, labels, chartMessage) => {
    const props = thrown(() => new TodoApp(Testing.chart(), 'todo', { backend: { commonLabels: labels, jwtSecret: TEST_SECRETS.jwtSecret } }));
    expect(charts.refusal(charts.backend, { commonLabels: labels })).toBe(chartMessage);
    expect(charts.refusal(charts.frontend, { commonLabels: labels })).toBe(chartMessage);
    expect(props.replace(/'backend\./g, "'")).toBe(chartMessage);
  });

  test('a value that is not a string: the props say so, the schema refuses it', () => {
    expect(thrown(() => new TodoApp(Testing.chart(), 'todo', { backend: { commonLabels: { team: 1 as unknown as string } } }))).toBe(`'backend.commonLabels.team' must be a string, got 1`);
    expect(charts.refusal(charts.backend, { commonLabels: { team: 1 } })).toMatch(/commonLabels\.team: Invalid type. Expected: string, given: integer/);
  });
});
