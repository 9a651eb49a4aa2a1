import { Chart, Testing } from 'cdk8s';
import { BackendDatabase } from '../lib/backend-database';
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
    expect(frontend.features.map((f) => f.name)).toEqual(['image', 'env', 'replicas', 'resources', 'probes', 'checksums', 'spreading', 'security contexts', 'termination', 'network policy', 'ingress', 'autoscaling', 'disruption budget', 'pod metadata', 'scheduling']);
    expect(backend.features.map((f) => f.name)).toEqual(['image', 'env', 'replicas', 'resources', 'probes', 'checksums', 'spreading', 'security contexts', 'termination', 'network policy', 'ingress', 'autoscaling', 'disruption budget', 'pod metadata', 'scheduling', 'sqlite', 'persistence', 'secret egress']);
  });

  test('a feature\'s values, templates and checks reach the chart of the component that lists it only', () => {
    const { app, backend, frontend } = build();
    const files = (c: TodoBackend | TodoFrontend) => new TodoHelmChart(app, `${c.node.id}-chart`, { component: c }).files();
    const [back, front] = [files(backend), files(frontend)];
    expect(back['templates/pvc.yaml']).toContain('{{- if .Values.persistence.enabled }}');
    expect(front['templates/pvc.yaml']).toBeUndefined();
    expect(back['values.yaml']).toMatch(/^persistence:$/m);
    expect(front['values.yaml']).not.toMatch(/^persistence:$/m);
    expect(back['templates/_helpers.tpl']).toContain('env.DATABASE_URL must point under persistence.mountPath');
    expect(front['templates/_helpers.tpl']).not.toContain('DATABASE_URL');
    expect(back['templates/networkpolicy.yaml']).toContain('{{- if and (or .Values.secrets.ANTHROPIC_API_KEY .Values.existingSecret) (not (contains');
    expect(front['templates/networkpolicy.yaml']).not.toContain('ANTHROPIC_API_KEY');
    for (const f of [back, front]) {
      expect(f['templates/deployment.yaml']).toContain(`{{- if include "${f['Chart.yaml'].match(/^name: (.*)$/m)![1]}.spreadAcrossNodes" . }}`);
      expect(f['templates/deployment.yaml']).toContain('checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}');
      expect(f['values.yaml']).toMatch(/^spreadAcrossNodes: null$/m);
    }
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
