import { Chart, Testing } from 'cdk8s';
import { ImagePullPolicy, ServiceType } from 'cdk8s-plus-28';
import { BackendDatabase } from '../lib/backend-database';
import { ComponentFeature } from '../lib/component-feature';
import { Persistence } from '../lib/features/persistence';
import { TodoHelmChart } from '../lib/helm/todo-helm-chart';
import { TodoBackend } from '../lib/todo-backend';
import { TodoFrontend } from '../lib/todo-frontend';
import { TEST_SECRETS } from './support/util';

function build(database?: BackendDatabase) {
  const app = Testing.app();
  const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
  const backend = new TodoBackend(chart, 'b', { jwtSecret: TEST_SECRETS.jwtSecret, database, corsOrigins: ['http://192.168.49.2:30300'] });
  const frontend = new TodoFrontend(chart, 'f', { backend, betterAuthSecret: TEST_SECRETS.betterAuthSecret });
  return { app, backend, frontend };
}

describe('components list their features; the chart renders them', () => {
  test('every component has the common features, the backend adds its database\'s', () => {
    const { backend, frontend } = build();
    const common = ['names', 'lint exceptions', 'ingress', 'service', 'image', 'secrets', 'extra env', 'env', 'replicas', 'resources', 'probes', 'checksums',
      'spreading', 'security contexts', 'termination', 'network policy', 'autoscaling', 'disruption budget', 'pod metadata', 'scheduling', 'helm test'];
    const userValues = ['common labels', 'image pull secrets', 'service account', 'extra volumes'];
    expect(frontend.features.map((f) => f.name)).toEqual([...common, ...userValues]);
    expect(backend.features.map((f) => f.name)).toEqual([...common, 'database', 'sqlite', 'persistence', 'secret egress', ...userValues]);
  });

  test('a feature\'s values, templates and checks reach the chart of the component that lists it only', () => {
    const { app, backend, frontend } = build();
    const files = (c: TodoBackend | TodoFrontend) => new TodoHelmChart(app, `${c.node.id}-chart`, { component: c }).files();
    const [back, front] = [files(backend), files(frontend)];
    expect(back['templates/pvc.yaml']).toContain('{{- if and (eq (toString .Values.database.type) "sqlite") (and .Values.persistence.enabled (not .Values.persistence.existingClaim)) }}');
    expect(front['templates/pvc.yaml']).toBeUndefined();
    expect(back['values.yaml']).toMatch(/^persistence:$/m);
    expect(front['values.yaml']).not.toMatch(/^persistence:$/m);
    expect(back['values.yaml']).toMatch(/^database:\n(?:.*\n)*? {2}type: sqlite$/m);
    expect(back['templates/_helpers.tpl']).toContain("'database.type' must be PostgreSQL when 'autoscaling.enabled' is set");
    expect(back['templates/configmap.yaml']).toContain('{{- if eq (toString .Values.database.type) "sqlite" }}{{ $_ := set $data "DATABASE_URL"');
    expect(back['templates/networkpolicy.yaml']).toContain('{{- if and (eq (toString .Values.database.type) "postgres") (not (contains');
    expect(front['templates/_helpers.tpl']).not.toContain('DATABASE_URL');
    expect(back['templates/networkpolicy.yaml']).toContain('{{- if and (or .Values.secrets.ANTHROPIC_API_KEY .Values.existingSecret) (not (contains');
    expect(front['templates/networkpolicy.yaml']).not.toContain('ANTHROPIC_API_KEY');
    for (const f of [back, front]) {
      expect(f['templates/deployment.yaml']).toContain(`{{- if include "${f['Chart.yaml'].match(/^name: (.*)$/m)![1]}.spreadAcrossNodes" . }}`);
      expect(f['templates/deployment.yaml']).toContain('checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}');
      expect(f['values.yaml']).toMatch(/^spreadAcrossNodes: null$/m);
    }
  });

  test('parts that depend on the chart\'s name alone are rendered once per name, and are what any component of that name would render', () => {
    // Another component's chart of the same name renders first: its parts are then reused.
    const { app, backend, frontend } = build(BackendDatabase.postgres('postgresql://u:p@db:5432/todo'));
    const other = new TodoBackend(new Chart(app, 'other', { namespace: 'elsewhere' }), 'b', {
      jwtSecret: TEST_SECRETS.jwtSecret, database: BackendDatabase.postgres('postgresql://v:q@other:5432/todo'), serviceType: ServiceType.CLUSTER_IP, replicas: 2, minAvailable: 1, spreadAcrossNodes: true, networkPolicy: false,
      imagePullPolicy: ImagePullPolicy.ALWAYS, imageTag: '1.2.3', corsOrigins: ['http://192.168.49.2:30300'],
      commonLabels: { team: 'other' }, podAnnotations: { a: 'b' }, extraEnvVars: [{ name: 'EXTRA', value: 'x' }], imagePullSecrets: ['registry'],
    });
    const byName = other.features.filter((f) => f.chartPartsKey !== undefined).map((f) => f.name);
    expect(byName).toEqual(expect.arrayContaining(['service', 'probes', 'ingress', 'autoscaling', 'helm test']));
    expect(byName).not.toContain('extra volumes'); // reads the other features' parts
    const shared = (c: TodoBackend | TodoFrontend, id: string) => new TodoHelmChart(app, id, { component: c, chartName: 'shared' }).files();
    shared(other, 'other-chart');
    const reused = [shared(backend, 'backend-chart'), shared(frontend, 'frontend-chart')];
    // Each of the same charts rendered in a fresh copy of the library, where no chart was rendered before.
    const fresh = [0, 1].map((i) => {
      let files: { [file: string]: string } = {};
      jest.isolateModules(() => {
        /* eslint-disable @typescript-eslint/no-require-imports */
        const cdk8s = require('cdk8s') as typeof import('cdk8s'); // the fresh copy's cdk8s (its Lazy)
        const { TodoHelmChart: FreshChart } = require('../lib/helm/todo-helm-chart') as typeof import('../lib/helm/todo-helm-chart');
        const { TodoBackend: FreshBackend } = require('../lib/todo-backend') as typeof import('../lib/todo-backend');
        const { TodoFrontend: FreshFrontend } = require('../lib/todo-frontend') as typeof import('../lib/todo-frontend');
        const { BackendDatabase: FreshDatabase } = require('../lib/backend-database') as typeof import('../lib/backend-database');
        const freshApp = cdk8s.Testing.app();
        const chart = new cdk8s.Chart(freshApp, 'c', { disableResourceNameHashes: true });
        const b = new FreshBackend(chart, 'b', { jwtSecret: TEST_SECRETS.jwtSecret, database: FreshDatabase.postgres('postgresql://u:p@db:5432/todo'), corsOrigins: ['http://192.168.49.2:30300'] });
        const f = new FreshFrontend(chart, 'f', { backend: b, betterAuthSecret: TEST_SECRETS.betterAuthSecret });
        files = new FreshChart(freshApp, 'fresh', { component: [b, f][i], chartName: 'shared' }).files();
      });
      return files;
    });
    expect(reused).toEqual(fresh);
  });

  test('parts shared by name are shared only between features of the same options (chartPartsKey)', () => {
    const { app, backend } = build();
    const pvc = (id: string) => new TodoHelmChart(app, id, { component: backend, chartName: 'keyed' }).files()['templates/pvc.yaml'];
    expect(pvc('first')).toContain('{{- if and (eq (toString .Values.database.type) "sqlite") (and .Values.persistence.enabled (not .Values.persistence.existingClaim)) }}');
    // The same component with its persistence under another condition, in a chart of the same name: its own parts, not the first chart's.
    const features = backend.features as ComponentFeature[];
    features[features.findIndex((f) => f instanceof Persistence)] = new Persistence('.Values.other');
    expect(new Persistence('.Values.other').chartPartsKey).not.toBe(new Persistence('.Values.third').chartPartsKey);
    // A feature that reads no option of its own is shared under the key ''; one without a key is never shared.
    expect(backend.features.filter((f) => f.chartPartsKey === '').map((f) => f.name)).toEqual(expect.arrayContaining(['service', 'probes', 'disruption budget']));
    expect(new Persistence().chartPartsKey).toBe('');
    expect(backend.features.find((f) => f.name === 'extra volumes')!.chartPartsKey).toBeUndefined();
    expect(pvc('second')).toContain('{{- if and (.Values.other) (and .Values.persistence.enabled (not .Values.persistence.existingClaim)) }}');
  });

  test('a chart defines the helpers its templates use, and no other (the frontend has no claim)', () => {
    const { app, backend, frontend } = build();
    for (const c of [backend, frontend]) {
      const files = new TodoHelmChart(app, `${c.node.id}-chart`, { component: c }).files();
      const n = c.name;
      const defined = [...files['templates/_helpers.tpl'].matchAll(/\{\{- define "([^"]+)" -\}\}/g)].map((m) => m[1]).sort();
      const used = new Set(Object.entries(files).filter(([f]) => f.startsWith('templates/')).flatMap(([, text]) => [...text.matchAll(/include "([^"]+)"/g)].map((m) => m[1])));
      expect(defined).toEqual([...used].sort());
      expect(defined).toEqual(expect.arrayContaining([`${n}.fullname`, `${n}.labels`, `${n}.selectorLabels`, `${n}.secretName`, `${n}.testLabels`, `${n}.testPodLabels`, `${n}.commonLabels`, `${n}.serviceAccountName`, `${n}.validate`]));
    }
    const helpers = (c: TodoBackend | TodoFrontend) => new TodoHelmChart(app, `${c.node.id}-h`, { component: c }).files()['templates/_helpers.tpl'];
    expect(helpers(backend)).toContain('{{- define "todo-backend.dataClaimName" -}}');
    expect(helpers(frontend)).not.toContain('dataClaimName');
  });

  test('the names and labels of a chart are the constructs\' (one table, one name function per object)', () => {
    const { app, backend } = build();
    const files = new TodoHelmChart(app, 'chart', { component: backend }).files();
    const helpers = files['templates/_helpers.tpl'];
    const labelsHelper = helpers.slice(helpers.indexOf('{{- define "todo-backend.labels" -}}'), helpers.indexOf('{{- define "todo-backend.selectorLabels" -}}'));
    const keys = [...labelsHelper.matchAll(/^([a-z][^:\s]*): /gm)].map((m) => m[1]);
    expect(keys).toEqual(['helm.sh/chart', ...Object.keys(backend.labels)]);
    expect(labelsHelper).toContain('app.kubernetes.io/component: backend\napp.kubernetes.io/part-of: todo\n');
    // The names the constructs give: <name>-config, -secret, -data, as printf formats of the same functions.
    expect(backend.configMapName).toBe('todo-backend-config');
    expect(helpers).toContain('{{- printf "%s-config" (include "todo-backend.fullname" .) }}');
    expect(backend.secretName).toBe('todo-backend-secret');
    expect(helpers).toContain('{{- else }}{{ printf "%s-secret" (include "todo-backend.fullname" .) }}\n');
    expect(backend.dataClaimName).toBe('todo-backend-data');
    expect(helpers).toContain('{{- else }}{{ printf "%s-data" (include "todo-backend.fullname" .) }}\n');
    // NOTES: the Service's address inside the cluster, as serviceUrl gives it, and the pods by the app label.
    expect(backend.clusterUrl).toBe('http://todo-backend.default.svc.cluster.local:8000');
    // $namespace: the namespace helper (values.namespace, else the release's), as the objects' metadata.
    expect(files['templates/NOTES.txt']).toContain('{{- $namespace := include "todo-backend.namespace" . -}}\n');
    expect(files['templates/NOTES.txt']).toContain('2. Inside the cluster it is http://{{ $fullname }}.{{ $namespace }}.svc.cluster.local:{{ .Values.service.port }}\n   Pods: kubectl get pods --namespace {{ $namespace }} -l app={{ $fullname }}\n');
  });

  test('the Service and Secret templates are the units\' objects, one form whatever the synth had', () => {
    const files = (props: object) => {
      const app = Testing.app();
      const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
      const backend = new TodoBackend(chart, 'b', props);
      return new TodoHelmChart(app, 'chart', { component: backend }).files();
    };
    const nodePort = files({ jwtSecret: TEST_SECRETS.jwtSecret });
    const other = files({ existingSecret: 'mine', serviceType: ServiceType.CLUSTER_IP, imageTag: 'v1', imagePullPolicy: ImagePullPolicy.ALWAYS });
    for (const file of ['templates/service.yaml', 'templates/secret.yaml']) {
      expect(other[file]).toBe(nodePort[file]);
    }
    expect(nodePort['templates/service.yaml']).toContain('{{- if and (or (eq .Values.service.type "NodePort") (eq .Values.service.type "LoadBalancer")) .Values.service.nodePort }}\n      nodePort: {{ .Values.service.nodePort | int }}');
    expect(nodePort['templates/secret.yaml']).toContain('{{- $_ := set $data "JWT_SECRET" (include "todo-backend.randomSecret" . | b64enc) }}');
    expect(nodePort['templates/secret.yaml']).toContain('{{- if .Values.secrets.ANTHROPIC_API_KEY }}\n{{- $_ := set $data "ANTHROPIC_API_KEY" (.Values.secrets.ANTHROPIC_API_KEY | b64enc) }}\n{{- end }}\n');
  });

  test('the PVC template is the same whether the synth had a volume or not (it is the unit\'s claim, not the synthesized object)', () => {
    const pvc = (database?: BackendDatabase) => {
      const { app, backend } = build(database);
      return new TodoHelmChart(app, 'chart', { component: backend }).files()['templates/pvc.yaml'];
    };
    const onVolume = pvc();
    expect(pvc(BackendDatabase.ephemeralSqlite())).toBe(onVolume);
    expect(pvc(BackendDatabase.postgres('postgresql://u:p@db:5432/todo'))).toBe(onVolume);
    expect(pvc(BackendDatabase.sqlite({ storageClass: 'fast' }))).toBe(onVolume);
    expect(onVolume).toContain('storage: {{ .Values.persistence.size | quote }}');
  });

  test('the NetworkPolicy, Ingress, autoscaler and budget templates are the units\' objects, the same whether the synth had them or not', () => {
    const files = (props: object) => {
      const app = Testing.app();
      const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
      const backend = new TodoBackend(chart, 'b', { jwtSecret: TEST_SECRETS.jwtSecret, database: BackendDatabase.postgres('postgresql://u:p@db:5432/todo'), ...props });
      return new TodoHelmChart(app, 'chart', { component: backend }).files();
    };
    const plain = files({});
    const all = files({ ingress: { host: 'api.example.com', className: 'nginx', tlsSecret: 'tls' }, autoscaling: { minReplicas: 3 }, minAvailable: 2, networkPolicyEgress: false });
    for (const file of ['templates/ingress.yaml', 'templates/hpa.yaml', 'templates/pdb.yaml', 'templates/networkpolicy.yaml']) {
      expect(all[file]).toBe(plain[file]);
    }
    expect(plain['templates/ingress.yaml']).toContain('secretName: {{ .Values.ingress.tls.secretName | quote }}');
    expect(all['values.yaml']).toMatch(/^ {2}minReplicas: 3$/m);
    expect(all['values.yaml']).toMatch(/^ {2}minAvailable: 2$/m);
  });
});
