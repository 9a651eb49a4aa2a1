import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, JsonPatch, Testing } from 'cdk8s';
import { runAllChecks } from '../../lib/checks';
import { checkLint } from '../../lib/checks/lint';
import { TodoHelmChart } from '../../lib/helm/todo-helm-chart';
import { differences, fieldName, hasPatches, synthesized, whileRendering, withoutPatches } from '../../lib/helm/escape-hatches';
import { excuseLintFinding } from '../../lib/lint-exceptions';
import { TodoApp } from '../../lib/todo-app';
import { AppComponent } from '../../lib/app-component';
import { comparable, helm, template } from '../support/helm';
import { validateObjects } from '../support/k8s-schema';
import { find } from '../support/util';

const KEYS = { backend: { existingSecret: 'b' }, frontend: { existingSecret: 'f' } };
let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'escape-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function build(chartProps: { namespace?: string; labels?: { [k: string]: string } } = {}): { app: App; chart: Chart; todo: TodoApp } {
  const app = Testing.app();
  const chart = new Chart(app, 'c', chartProps);
  return { app, chart, todo: new TodoApp(chart, 'todo', KEYS) };
}

/** Writes the chart of `component`, checks it with helm lint --strict, and renders it with its defaults. */
function writeAndRender(app: App, component: AppComponent, namespace?: string): { dir: string; objects: any[] } {
  const dir = fs.mkdtempSync(path.join(tmp, 'chart-'));
  new TodoHelmChart(app, `chart-${path.basename(dir)}`, { component }).writeTo(dir);
  const lint = helm(['lint', '--strict', dir]);
  expect(`${lint.stdout}${lint.stderr}`).toContain('1 chart(s) linted, 0 chart(s) failed');
  const objects = template(dir, { skipTests: true, namespace });
  expect(validateObjects(objects)).toEqual([]);
  return { dir, objects };
}

describe('JSON patches on fields the chart binds to values', () => {
  test('replicas: carried into the chart\'s defaults (values.yaml), so the chart renders what the manifests hold', () => {
    const { app, chart, todo } = build({ namespace: 'shop' });
    todo.frontend.deployment.addJsonPatch(JsonPatch.replace('/spec/replicas', 4));
    // The checks see the patched Deployment: 4 pods with no anti-affinity, here on purpose.
    excuseLintFinding(todo.frontend.deployment, 'no-anti-affinity', 'one node in this test cluster');
    const manifests = Testing.synth(chart);
    const deployment = find(manifests, 'Deployment', 'todo-frontend');
    expect(deployment.spec.replicas).toBe(4);
    const { dir, objects } = writeAndRender(app, todo.frontend);
    expect(fs.readFileSync(path.join(dir, 'values.yaml'), 'utf8')).toMatch(/^replicaCount: 4$/m);
    const rendered = find(objects, 'Deployment', 'todo-frontend');
    expect(rendered.spec.replicas).toBe(4);
    expect(comparable(rendered)).toEqual(comparable(deployment));
  });

  test('pod annotations added by a patch: carried after the chart\'s checksums; a patched checksum is refused', () => {
    const { app, chart, todo } = build({ namespace: 'shop' });
    todo.backend.deployment.addJsonPatch(JsonPatch.add('/spec/template/metadata/annotations/prometheus.io~1scrape', 'true'));
    const manifests = Testing.synth(chart);
    const { objects } = writeAndRender(app, todo.backend);
    expect(find(objects, 'Deployment', 'todo-backend').spec.template.metadata.annotations['prometheus.io/scrape']).toBe('true');
    expect(comparable(find(objects, 'Deployment', 'todo-backend'))).toEqual(comparable(find(manifests, 'Deployment', 'todo-backend')));
    const other = build();
    other.todo.backend.deployment.addJsonPatch(JsonPatch.replace('/spec/template/metadata/annotations/checksum~1config', 'x'));
    expect(new TodoHelmChart(other.app, 'chart', { component: other.todo.backend }).divergences()).toEqual([
      expect.stringMatching(/^Deployment default\/todo-backend spec.template.metadata.annotations: a JSON patch changed it to /),
    ]);
  });

  test('the image: refused at synth, naming the values and the prop (the chart\'s version label and lint exceptions follow the image\'s tag)', () => {
    const { app, todo } = build();
    todo.frontend.deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/image', 'ghcr.io/acme/web:9'));
    new TodoHelmChart(app, 'chart', { component: todo.frontend });
    expect(() => app.synth()).toThrow('[chart] Deployment default/todo-frontend spec.template.spec.containers[0].image: a JSON patch changed it to "ghcr.io/acme/web:9", but the Helm chart renders it from the values \'image.repository\', \'image.tag\'; set it through the component\'s props (the chart\'s default follows them) instead of a patch');
  });

  test('the ConfigMap\'s data: carried into env, and the pods\' checksum/config changes in the manifests', () => {
    const plain = build({ namespace: 'shop' });
    const { app, chart, todo } = build({ namespace: 'shop' });
    todo.backend.configMap.addJsonPatch(JsonPatch.add('/data/LOG_LEVEL', 'debug'));
    const checksum = (objects: any[]) => find(objects, 'Deployment', 'todo-backend').spec.template.metadata.annotations['checksum/config'];
    const before = checksum(Testing.synth(plain.chart));
    const manifests = Testing.synth(chart);
    expect(checksum(manifests)).not.toBe(before);
    expect(find(manifests, 'ConfigMap', 'todo-backend-config').data.LOG_LEVEL).toBe('debug');
    const { objects } = writeAndRender(app, todo.backend);
    expect(comparable(find(objects, 'ConfigMap', 'todo-backend-config'))).toEqual(comparable(find(manifests, 'ConfigMap', 'todo-backend-config')));
  });

  test('the ConfigMap\'s DATABASE_URL: chosen by the database values, so a patch on it is refused, not lost', () => {
    const { app, todo } = build({ namespace: 'shop' });
    todo.backend.configMap.addJsonPatch(JsonPatch.replace('/data/DATABASE_URL', 'sqlite:////data/other.db'));
    const chart = new TodoHelmChart(app, 'backend-chart', { component: todo.backend });
    expect(chart.divergences()).toEqual(['ConfigMap shop/todo-backend-config data.DATABASE_URL: a JSON patch changed it, but the Helm chart renders it from the values that choose it (the database: database.type, persistence.*, externalDatabase.*); set it through the props instead of a patch']);
    expect(() => app.synth()).toThrow('data.DATABASE_URL: a JSON patch changed it');
  });

  test('the Secret\'s data: the pods\' checksum/secret changes in the manifests', () => {
    const make = (id: string) => new TodoApp(new Chart(Testing.app(), id, { namespace: id }), 'todo', { backend: { jwtSecret: 'j'.repeat(40) }, frontend: { betterAuthSecret: 'a'.repeat(40) } });
    const plain = make('plain');
    const patched = make('patched');
    patched.backend.secret!.addJsonPatch(JsonPatch.replace('/data/JWT_SECRET', Buffer.from('k'.repeat(40)).toString('base64')));
    const checksum = (todo: TodoApp) => todo.backend.deployment.toJson().spec.template.metadata.annotations['checksum/secret'];
    expect(checksum(patched)).not.toBe(checksum(plain));
    expect(checksum(plain)).toMatch(/^[0-9a-f]{64}$/);
  });

  test('resources and a Service port: refused at synth, naming the field and the value to use instead', () => {
    const { app, todo } = build();
    todo.backend.deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/resources/limits/memory', '2Gi'));
    todo.backend.service.addJsonPatch(JsonPatch.replace('/spec/ports/0/port', 9000));
    new TodoHelmChart(app, 'chart', { component: todo.backend });
    expect(() => app.synth()).toThrow('[chart] Deployment default/todo-backend spec.template.spec.containers[0].resources: a JSON patch changed it to {"limits":{');
    let message = '';
    try { app.synth(); } catch (e) { message = (e as Error).message; }
    expect(message).toContain('but the Helm chart renders it from the value \'resources\'; set it through the component\'s props (the chart\'s default follows them) instead of a patch');
    expect(message).toContain('Service default/todo-backend spec.ports[0].port: a JSON patch changed it to 9000, but the Helm chart renders it from the value \'service.port\'');
    const chart = new TodoHelmChart(app, 'again', { component: todo.backend });
    expect(() => chart.files()).toThrow('the Helm chart todo-backend would differ from the plain manifests:\n  Deployment default/todo-backend spec.template.spec.containers[0].resources');
  });

  test('a patch on an object the chart renders from values only (the NetworkPolicy) is refused', () => {
    const { app, todo } = build();
    todo.backend.networkPolicy!.addJsonPatch(JsonPatch.add('/spec/ingress/0/from', [{ podSelector: {} }]));
    expect(new TodoHelmChart(app, 'chart', { component: todo.backend }).divergences()).toEqual([
      'NetworkPolicy default/todo-backend spec.ingress[0].from: a JSON patch changed it, but the Helm chart renders the NetworkPolicy from the component\'s props and its values, not from the object; set it through the props instead of a patch',
    ]);
  });

  test('a patch on a Service field its template does not bind (sessionAffinity) is refused; a bound one is named once', () => {
    const { app, todo } = build();
    todo.backend.service.addJsonPatch(JsonPatch.add('/spec/sessionAffinity', 'ClientIP'));
    todo.backend.service.addJsonPatch(JsonPatch.replace('/spec/ports/0/port', 9000));
    const lines = new TodoHelmChart(app, 'chart', { component: todo.backend }).divergences();
    expect(lines).toEqual([
      expect.stringContaining('Service default/todo-backend spec.ports[0].port: a JSON patch changed it to 9000, but the Helm chart renders it from the value \'service.port\''),
      'Service default/todo-backend spec.sessionAffinity: a JSON patch changed it, but the Helm chart renders the Service from the component\'s props and its values, not from the object; set it through the props instead of a patch',
    ]);
  });

  test('an image patch the values cannot hold (a digest) is refused, naming image.repository and image.tag', () => {
    const { app, todo } = build();
    todo.backend.deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/image', `todo-backend@sha256:${'0'.repeat(64)}`));
    expect(new TodoHelmChart(app, 'chart', { component: todo.backend }).divergences()).toEqual([
      expect.stringContaining('Deployment default/todo-backend spec.template.spec.containers[0].image: a JSON patch changed it to "todo-backend@sha256:000'),
    ]);
    expect(new TodoHelmChart(app, 'c2', { component: todo.backend }).divergences()[0]).toContain('renders it from the values \'image.repository\', \'image.tag\'');
  });

  test('without a patch, the chart has nothing to report', () => {
    const { app, todo } = build({ namespace: 'shop', labels: { team: 'web' } });
    expect(new TodoHelmChart(app, 'chart', { component: todo.backend }).divergences()).toEqual([]);
    expect(new TodoHelmChart(app, 'f', { component: todo.frontend }).divergences()).toEqual([]);
  });
});

describe('the user\'s Chart reaches the Helm chart', () => {
  test('its labels (commonLabels) and namespace (namespace) are the chart\'s defaults: helm template without --namespace gives the manifests', () => {
    const { app, chart, todo } = build({ namespace: 'shop', labels: { 'team': 'web', 'cost-center': '42' } });
    const manifests = Testing.synth(chart);
    const { dir, objects } = writeAndRender(app, todo.backend);
    for (const [kind, name] of [['Deployment', 'todo-backend'], ['Service', 'todo-backend'], ['ConfigMap', 'todo-backend-config'], ['NetworkPolicy', 'todo-backend'], ['PersistentVolumeClaim', 'todo-backend-data']]) {
      expect(comparable(find(objects, kind, name))).toEqual(comparable(find(manifests, kind, name)));
      expect(find(objects, kind, name).metadata).toMatchObject({ namespace: 'shop', labels: { 'team': 'web', 'cost-center': '42' } });
    }
    // On the pods too: the Chart's labels are the default of commonLabels, which the pods carry in both renderings.
    expect(find(objects, 'Deployment', 'todo-backend').spec.template.metadata.labels).toMatchObject({ 'team': 'web', 'cost-center': '42' });
    expect(find(manifests, 'Deployment', 'todo-backend').spec.template.metadata.labels).toMatchObject({ 'team': 'web', 'cost-center': '42' });
    // Installing in the release's namespace instead is one value away.
    const moved = template(dir, { skipTests: true, namespace: 'other', set: { namespace: '' } });
    expect(moved.every((o) => o.metadata.namespace === 'other')).toBe(true);
  });

  test('a label added to one object alone is refused, naming the Chart\'s labels', () => {
    const { app, todo } = build();
    todo.backend.deployment.metadata.addLabel('tier', 'api');
    expect(new TodoHelmChart(app, 'chart', { component: todo.backend }).divergences()).toEqual([
      'Deployment default/todo-backend metadata.labels.tier: the label "api" was added to this object alone, but the Helm chart\'s objects carry the component\'s labels and commonLabels (the cdk8s Chart\'s labels and the prop\'s); put the label in commonLabels or the Chart\'s labels, which reach every object and the chart',
    ]);
  });
});

describe('excuseLintFinding on the components\' objects reaches the chart', () => {
  test('the excuse and its reason are in the rendered Deployment, whose lint then passes as the manifests\' does', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const todo = new TodoApp(chart, 'todo', { backend: { existingSecret: 'b', runAsUser: 1000 }, frontend: { existingSecret: 'f' } });
    excuseLintFinding(todo.backend.deployment, 'container-security-context-user-group-id', 'the image runs as the node user');
    excuseLintFinding(todo.backend.deployment, 'no-anti-affinity', 'one pod');
    const manifests = Testing.synth(chart);
    const { objects } = writeAndRender(app, todo.backend);
    const deployment = find(objects, 'Deployment', 'todo-backend');
    expect(deployment.metadata.annotations).toEqual(find(manifests, 'Deployment', 'todo-backend').metadata.annotations);
    expect(deployment.metadata.annotations['kube-score/ignore']).toBe('container-image-tag,container-image-pull-policy,container-security-context-user-group-id');
    expect(checkLint(objects).filter((f) => f.object.startsWith('Deployment'))).toEqual([]);
    expect(runAllChecks(objects, { externalSecrets: ['b'] })).toEqual([]);
  });

  test('an annotation on an object whose template has none of the user\'s is refused', () => {
    const { app, todo } = build();
    excuseLintFinding(todo.backend.networkPolicy!, 'container-image-tag', 'an example');
    expect(new TodoHelmChart(app, 'chart', { component: todo.backend }).divergences().sort()).toEqual([
      'NetworkPolicy default/todo-backend metadata.annotations.kube-score.todo-cdk8s/container-image-tag: the annotation was added to an object whose Helm template has no annotations of the user\'s; annotate the Deployment or Service, which the chart carries, or the object after install',
      'NetworkPolicy default/todo-backend metadata.annotations.kube-score/ignore: the annotation was added to an object whose Helm template has no annotations of the user\'s; annotate the Deployment or Service, which the chart carries, or the object after install',
    ]);
  });
});

describe('escape-hatches helpers', () => {
  test('withoutPatches gives the object as built and keeps its patches', () => {
    const { todo } = build();
    todo.backend.deployment.addJsonPatch(JsonPatch.replace('/spec/replicas', 3));
    expect(withoutPatches(todo.backend.deployment).spec.replicas).toBe(1);
    expect(todo.backend.deployment.toJson().spec.replicas).toBe(3);
  });

  test('while a chart renders, each object is synthesized once (with and without its patches); between renderings, again', () => {
    const { app, todo } = build();
    const deployment = todo.backend.deployment;
    expect(hasPatches(deployment)).toBe(false);
    const toJson = jest.spyOn(deployment, 'toJson');
    const chart = new TodoHelmChart(app, 'chart', { component: todo.backend });
    const first = chart.files();
    expect(toJson).toHaveBeenCalledTimes(1);
    // A change between two renderings is seen by the next: the JSON is kept for one rendering only.
    deployment.addJsonPatch(JsonPatch.replace('/spec/replicas', 3));
    expect(hasPatches(deployment)).toBe(true);
    toJson.mockClear();
    const second = chart.files();
    expect(toJson).toHaveBeenCalledTimes(2); // as synthesized, and as built (for the fields the user patched)
    expect(first['values.yaml']).toMatch(/^replicaCount: 1$/m);
    expect(second['values.yaml']).toMatch(/^replicaCount: 3$/m);
    // Outside a rendering nothing is kept; inside, the same value is shared.
    expect(synthesized(deployment)).not.toBe(synthesized(deployment));
    whileRendering(() => {
      expect(synthesized(deployment)).toBe(synthesized(deployment));
      expect(withoutPatches(deployment)).toBe(withoutPatches(deployment));
      expect(withoutPatches(deployment).spec.replicas).toBe(1);
      expect(synthesized(deployment).spec.replicas).toBe(3);
    });
    toJson.mockRestore();
  });

  test('a chart asks each feature for its parts once per rendering (the extra volumes feature reads the others\' parts)', () => {
    const { app, todo } = build();
    const calls = todo.backend.features.filter((f) => f.chart !== undefined).map((f) => jest.spyOn(f, 'chart' as never));
    new TodoHelmChart(app, 'chart', { component: todo.backend }).files();
    // Parts that depend on the chart's name alone may come from an earlier chart of that name (component-feature.test.ts).
    const expected = todo.backend.features.filter((f) => f.chart !== undefined).map((f) => (f.chartPartsKey !== undefined ? expect.any(Number) : 1));
    expect(calls.map((c) => c.mock.calls.length)).toEqual(expected);
    expect(calls.every((c) => c.mock.calls.length <= 1)).toBe(true);
    for (const c of calls) c.mockRestore();
  });

  test('differences and fieldName name the fields as the checks do', () => {
    expect(differences({ a: { b: [1, 2] }, c: 1 }, { a: { b: [1, 3] }, c: 1 })).toEqual(['a.b.1']);
    expect(differences({ a: 1 }, { a: 1 })).toEqual([]);
    expect(fieldName('spec.containers.0.ports.10.name')).toBe('spec.containers[0].ports[10].name');
  });
});
