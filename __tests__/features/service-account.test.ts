import * as fs from 'fs';
import { Chart, Testing } from 'cdk8s';
import { runAllChecks } from '../../lib/checks';
import { checkLint } from '../../lib/checks/lint';
import { TodoBackend } from '../../lib/todo-backend';
import { TodoFrontend } from '../../lib/todo-frontend';
import { ServiceAccount, ServiceAccountOptions } from '../../lib/features/service-account';
import { defaultFrontendChart, helmMessage, renderWith } from '../support/feature-chart';
import { FeatureCharts, thrown } from '../support/feature-charts';
import { comparable } from '../support/helm';
import { validateObjects } from '../support/k8s-schema';
import { find, TEST_SECRETS } from '../support/util';

const backend = (serviceAccount?: ServiceAccountOptions) => {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'default' });
  const b = new TodoBackend(chart, 'b', { serviceAccount, jwtSecret: TEST_SECRETS.jwtSecret });
  return { b, objects: chart.toJson() };
};
const podOf = (objects: any[]) => find(objects, 'Deployment', 'todo-backend').spec.template.spec;

let charts: FeatureCharts;
beforeAll(() => {
  charts = new FeatureCharts();
});
afterAll(() => charts.cleanup());

describe('props: the pods\' ServiceAccount', () => {
  test('by default none is created, none is named, and no token is mounted (as before)', () => {
    const { b, objects } = backend();
    expect(b.serviceAccount).toBeUndefined();
    expect(objects.filter((o) => o.kind === 'ServiceAccount')).toEqual([]);
    expect(podOf(objects).automountServiceAccountToken).toBe(false);
    expect(podOf(objects).serviceAccountName).toBeUndefined();
  });

  test('create: a ServiceAccount named after the component, with the labels, annotations and automount; strictly valid, lint-clean', () => {
    const { b, objects } = backend({ create: true, annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/todo' }, automount: true });
    const sa = find(objects, 'ServiceAccount', 'todo-backend');
    expect(b.serviceAccount).toBeDefined();
    expect(sa.metadata.labels).toEqual(find(objects, 'Deployment', 'todo-backend').metadata.labels);
    expect(sa.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/todo' });
    expect(sa.automountServiceAccountToken).toBe(true);
    expect(podOf(objects)).toMatchObject({ serviceAccountName: 'todo-backend', automountServiceAccountToken: true });
    expect(validateObjects(objects)).toEqual([]);
    expect(runAllChecks(objects)).toEqual([]);
    expect(checkLint(objects).filter((f) => f.check === 'non-existent-service-account')).toEqual([]);
  });

  test('create with a name: that name; without create, the name is a ServiceAccount of yours, recorded as kube-linter\'s exception', () => {
    expect(podOf(backend({ create: true, name: 'api' }).objects).serviceAccountName).toBe('api');
    const { objects } = backend({ name: 'mine', automount: true });
    expect(objects.filter((o) => o.kind === 'ServiceAccount')).toEqual([]);
    expect(podOf(objects)).toMatchObject({ serviceAccountName: 'mine', automountServiceAccountToken: true });
    const deployment = find(objects, 'Deployment', 'todo-backend');
    expect(deployment.metadata.annotations['ignore-check.kube-linter.io/non-existent-service-account']).toMatch(/yours/);
    expect(checkLint(objects).map((f) => f.check)).not.toContain('non-existent-service-account');
    // Without the exception, kube-linter's check finds the missing ServiceAccount.
    delete deployment.metadata.annotations['ignore-check.kube-linter.io/non-existent-service-account'];
    expect(checkLint(objects).map((f) => f.message)).toContain('kube-linter non-existent-service-account: serviceAccount "mine" not found');
  });

  test('the frontend takes the same props', () => {
    const chart = Testing.chart();
    const b = new TodoBackend(chart, 'b', { corsOrigins: ['http://192.168.49.2:30300'] });
    const f = new TodoFrontend(chart, 'f', { backend: b, serviceAccount: { create: true } });
    expect(f.serviceAccount?.toJson().metadata.name).toBe('todo-frontend');
  });
});

describe('values: the chart renders what the props give', () => {
  test.each<[string, ServiceAccountOptions, object]>([
    ['created, annotated, with the token', { create: true, annotations: { 'iam.gke.io/gcp-service-account': 'todo@p.iam.gserviceaccount.com' }, automount: true },
      { serviceAccount: { create: true, annotations: { 'iam.gke.io/gcp-service-account': 'todo@p.iam.gserviceaccount.com' }, automount: true } }],
    ['created with a name', { create: true, name: 'api' }, { serviceAccount: { create: true, name: 'api' } }],
    ['yours', { name: 'mine' }, { serviceAccount: { name: 'mine' } }],
  ])('%s', (_what, props, values) => {
    const { objects } = backend(props);
    const rendered = charts.render(charts.backend, { ...values, secrets: { JWT_SECRET: TEST_SECRETS.jwtSecret } }).filter((o) => !o.metadata?.annotations?.['helm.sh/hook']);
    for (const kind of ['ServiceAccount', 'Deployment']) {
      const want = objects.filter((o) => o.kind === kind).map(comparable);
      const got = rendered.filter((o) => o.kind === kind).map(comparable);
      // The checksum of the Secret differs (it is rendered, not synthesized); the pod spec must not.
      expect(got.map((o) => o.spec?.template?.spec ?? o)).toEqual(want.map((o) => o.spec?.template?.spec ?? o));
      expect(got.map((o) => o.metadata)).toEqual(want.map((o) => o.metadata));
    }
    expect(runAllChecks(rendered)).toEqual([]);
    expect(checkLint(rendered).map((f) => f.check)).not.toContain('non-existent-service-account');
  });
});

describe('the name the pods run as: one table (ACCOUNT_NAME) for the props and the chart\'s helper', () => {
  test('on every combination of create and name, the chart names the ServiceAccount ServiceAccount.resolve names', () => {
    const dir = defaultFrontendChart();
    try {
      const seen: object[] = [];
      const want: object[] = [];
      for (const create of [false, true]) {
        for (const name of ['', 'api']) {
          const r = renderWith(dir, { serviceAccount: { create, name } });
          if (r.status !== 0) {
            throw new Error(r.stderr);
          }
          seen.push({ create, name, runsAs: r.objects.find((o) => o.kind === 'Deployment').spec.template.spec.serviceAccountName });
          want.push({ create, name, runsAs: ServiceAccount.resolve('sa', { create, name: name || undefined }, 'todo-frontend').accountName });
        }
      }
      expect(seen).toEqual(want);
      expect(want.map((w: any) => w.runsAs)).toEqual([undefined, 'api', 'todo-frontend', 'api']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('what is refused: one test each (ANNOTATIONS_WITHOUT_CREATE, AUTOMOUNT_WITHOUT_ACCOUNT) for the props and the chart\'s checks', () => {
  test('on every combination of create, name, annotations and automount, the chart refuses exactly what ServiceAccount.resolve refuses', () => {
    const dir = defaultFrontendChart();
    try {
      const seen: object[] = [];
      const want: object[] = [];
      for (const create of [false, true]) {
        for (const name of ['', 'api']) {
          for (const annotations of [{}, { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/todo' }] as Array<{ [key: string]: string }>) {
            for (const automount of [false, true]) {
              const at = { create, name, annotations: Object.keys(annotations).length, automount };
              const r = renderWith(dir, { serviceAccount: { create, name, annotations, automount } });
              seen.push({ ...at, refused: r.status === 0 ? undefined : helmMessage(r.stderr).split(' needs')[0] });
              let refused: string | undefined;
              try {
                ServiceAccount.resolve('serviceAccount', { create, name: name || undefined, annotations, automount }, 'todo-frontend');
              } catch (e) {
                refused = (e as Error).message.split(' needs')[0];
              }
              want.push({ ...at, refused });
            }
          }
        }
      }
      expect(seen).toEqual(want);
      // Annotations without create (4 combinations), else the token without create or name (1).
      expect(want.map((w: any) => w.refused).filter((r) => r !== undefined).sort()).toEqual([
        ...Array(4).fill("'serviceAccount.annotations'"), "'serviceAccount.automount'"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('refused in both renderings, with the same words', () => {
  test.each<[string, ServiceAccountOptions, object, string]>([
    ['a name that is not a DNS-1123 subdomain', { create: true, name: 'Api_1' }, { serviceAccount: { create: true, name: 'Api_1' } },
      `'serviceAccount.name' must be a DNS-1123 subdomain: at most 253 characters of lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, got "Api_1"`],
    ['the token without a ServiceAccount of the component\'s or yours', { automount: true }, { serviceAccount: { automount: true } },
      `'serviceAccount.automount' needs 'serviceAccount.create' or 'serviceAccount.name' (true would mount the token of the namespace's default ServiceAccount), got true`],
    ['annotations without create (nothing would carry them)', { annotations: { a: 'b' } }, { serviceAccount: { annotations: { a: 'b' } } },
      `'serviceAccount.annotations' needs 'serviceAccount.create' (only a ServiceAccount the component creates carries them), got {"a":"b"}`],
    ['an annotation key with a space', { create: true, annotations: { 'role arn': 'x' } }, { serviceAccount: { create: true, annotations: { 'role arn': 'x' } } },
      `'serviceAccount.annotations' must be an annotation key: a name of at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, optionally after a DNS subdomain prefix and "/" (at most 253 characters in all), got "role arn"`],
  ])('%s', (_what, props, values, chartMessage) => {
    const props_ = thrown(() => backend(props));
    const chart = charts.refusal(charts.backend, values);
    expect(chart).toBe(chartMessage);
    expect(props_).toMatch(/^'backend\.serviceAccount\./);
    // The same sentence; the props name the settings under the component's role.
    expect(props_.replace(/'backend\./g, "'")).toBe(chart);
  });
});
