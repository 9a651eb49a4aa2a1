import * as fs from 'fs';
import { runAllChecks } from '../../lib/checks';
import { checkLint } from '../../lib/checks/lint';
import { ownedLabelKeys } from '../../lib/features/names';
import { OWNED_POD_ANNOTATIONS } from '../../lib/features/pod-metadata';
import { comparable } from '../support/helm';
import { asValues, defaultFrontendChart, frontendWith, helmMessage, lintWith, renderWith, thrown, valuesFor } from '../support/feature-chart';
import { validateObjects } from '../support/k8s-schema';

let dir: string;
beforeAll(() => {
  dir = defaultFrontendChart();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const deploymentOf = (objects: any[]) => objects.find((o) => o.kind === 'Deployment');
const podMetadata = (objects: any[]) => deploymentOf(objects).spec.template.metadata;
const plainOf = (component: ReturnType<typeof frontendWith>) => component.node.findAll().filter((c: any) => typeof c.toJson === 'function' && c.kind !== undefined).map((o: any) => o.toJson());

const LABELS = { 'tier': 'web', 'example.com/team': 'todo' };
const ANNOTATIONS = { 'prometheus.io/scrape': 'true', 'example.com/note': 'a: b, with "quotes"' };

describe('pod metadata: podLabels and podAnnotations', () => {
  test('props → pod template labels and annotations, after the app\'s own; the chart renders the same from the values', () => {
    const component = frontendWith({ podLabels: LABELS, podAnnotations: ANNOTATIONS });
    const plain = plainOf(component);
    const r = renderWith(dir, valuesFor(component));
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(comparable(deploymentOf(r.objects))).toEqual(comparable(deploymentOf(plain)));
    for (const objects of [plain, r.objects]) {
      const meta = podMetadata(objects);
      expect(meta.labels).toMatchObject({ ...LABELS, 'app': 'todo-frontend', 'app.kubernetes.io/name': 'todo-frontend' });
      expect(meta.annotations).toMatchObject(ANNOTATIONS);
      expect(Object.keys(meta.annotations)).toContain('checksum/config');
      // Only the pods get them: the Deployment's own labels and the selector are the app's.
      expect(deploymentOf(objects).metadata.labels.tier).toBeUndefined();
      expect(deploymentOf(objects).spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'todo-frontend', 'app.kubernetes.io/instance': 'todo-frontend' });
      expect(validateObjects(objects)).toEqual([]);
      expect(runAllChecks(objects, { externalSecrets: [] })).toEqual([]);
      expect(checkLint(objects)).toEqual([]);
    }
    const lint = lintWith(dir, valuesFor(component));
    expect([lint.status, lint.output]).toEqual([0, expect.stringContaining('0 chart(s) failed')]);
  });

  test('none by default: values.yaml holds empty maps with their comments', () => {
    const values = fs.readFileSync(`${dir}/values.yaml`, 'utf8');
    expect(values).toMatch(/^podAnnotations: \{\}$/m);
    expect(values).toMatch(/^podLabels: \{\}$/m);
    expect(values).toMatch(/^# Labels of the pods, after the chart's labels \(not app, app\.kubernetes\.io\/\*, helm\.sh\/chart\)\.$/m);
    const r = renderWith(dir, {});
    expect(Object.keys(podMetadata(r.objects).annotations).filter((k) => !k.startsWith('checksum/') && !k.startsWith('build-args.todo-cdk8s/'))).toEqual([]);
  });

  test.each([
    ['podLabels', 'app', 'web'],
    ['podLabels', 'app.kubernetes.io/name', 'other'],
    ['podLabels', 'app.kubernetes.io/created-by', 'me'],
    ['podLabels', 'helm.sh/chart', 'x'],
    ['podAnnotations', 'checksum/config', 'x'],
    ['podAnnotations', 'build-args.todo-cdk8s/NEXT_PUBLIC_API_URL', 'x'],
    ['podAnnotations', 'kube-score/ignore', 'pod-probes'],
    ['podAnnotations', 'ignore-check.kube-linter.io/no-anti-affinity', 'why not'],
  ])('%s key %s, which the app sets, is refused in both renderings with the same words', (value, key, given) => {
    const props = thrown(() => frontendWith({ [value]: { 'aaa': 'first', [key]: given } }));
    const owned = value === 'podLabels' ? ownedLabelKeys() : OWNED_POD_ANNOTATIONS;
    expect(props).toBe(`'frontend.${value}' must not hold a key the app sets (${owned.map((k) => JSON.stringify(k)).join(', ')}), got ${JSON.stringify(key)}`);
    const r = renderWith(dir, { [value]: { 'aaa': 'first', [key]: given } });
    expect(r.status).not.toBe(0);
    expect(helmMessage(r.stderr)).toBe(asValues(props));
  });

  test.each([
    ['podLabels', { 'Bad Key': 'x' }],
    ['podLabels', { tier: 'no spaces allowed' }],
    ['podLabels', { tier: 3 }],
    ['podAnnotations', { 'example.com/a/b': 'x' }],
    ['podAnnotations', { note: 42 }],
  ])('%s %j: a bad key or value is refused by the props\' rule and by the same rule in values.schema.json', (value, given) => {
    expect(thrown(() => frontendWith({ [value]: given } as any))).toMatch(new RegExp(`^'frontend\\.${value}' must be a map of `));
    const r = renderWith(dir, { [value]: given });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('values don\'t meet the specifications of the schema');
    expect(r.stderr).toContain(value);
  });
});
