import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { TodoHelmChart } from '../../lib/helm/todo-helm-chart';
import { synthesize } from '../../lib/synth';
import { TodoApp } from '../../lib/todo-app';
import { randomSecret } from '../../lib/app-component';
import { checkOneWorkloadPerSelector, labelSelectorMatches, runAllChecks } from '../../lib/checks';
import { checkLint, exceptionsWithoutReason } from '../../lib/checks/lint';
import { admits, comparable, FakeApiServer, helm, template, templateError, testPodLabels } from '../support/helm';
import { validateObjects } from '../support/k8s-schema';
import { containerOf, find, secretValues, TEST_SECRETS } from '../support/util';
import { readYaml } from '../support/yaml';

let tmp: string;
let plain: any[];
const BACKEND = () => path.join(tmp, 'dist', 'helm', 'backend');
const FRONTEND = () => path.join(tmp, 'dist', 'helm', 'frontend');

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-'));
  synthesize({ outdir: path.join(tmp, 'dist'), env: { JWT_SECRET: TEST_SECRETS.jwtSecret, BETTER_AUTH_SECRET: TEST_SECRETS.betterAuthSecret, TODO_SECRETS_FILE: path.join(tmp, 's.json') } });
  plain = readYaml(path.join(tmp, 'dist', 'todo.k8s.yaml'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.each([
  ['backend', 'todo-backend', BACKEND],
  ['frontend', 'todo-frontend', FRONTEND],
])('the %s chart', (_role, name, dir) => {
  test('has the files of a chart', () => {
    const files = ['Chart.yaml', 'values.yaml', 'values.schema.json', '.helmignore', 'templates/_helpers.tpl', 'templates/NOTES.txt',
      'templates/configmap.yaml', 'templates/secret.yaml', 'templates/deployment.yaml', 'templates/service.yaml', 'templates/tests/test-connection.yaml'];
    for (const f of files) expect([f, fs.existsSync(path.join(dir(), f))]).toEqual([f, true]);
    expect(readYaml(path.join(dir(), 'Chart.yaml'))[0]).toEqual({
      apiVersion: 'v2', name, description: expect.stringContaining('Todo app'), type: 'application', version: '0.1.0', appVersion: 'latest', kubeVersion: '>=1.25.0-0',
    });
  });

  test('passes helm lint --strict', () => {
    const r = helm(['lint', '--strict', dir()]);
    expect(r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(r.status).toBe(0);
  });

  test('renders, with default values, objects that are strictly valid and pass every check, the helm test pod included', () => {
    const objects = template(dir());
    expect(objects.filter((o) => o.kind === 'Pod').map((o) => o.metadata.annotations['helm.sh/hook'])).toEqual(['test']);
    expect(validateObjects(objects)).toEqual([]);
    expect(runAllChecks(objects)).toEqual([]);
    expect(checkLint(objects)).toEqual([]);
    expect(exceptionsWithoutReason(objects)).toEqual([]);
  });

  test('renders, with default values, the same Deployment, Service and ConfigMap as the plain manifests', () => {
    const rendered = template(dir(), { skipTests: true });
    const kinds = [['Deployment', name], ['Service', name], ['ConfigMap', `${name}-config`], ['NetworkPolicy', name]];
    if (name === 'todo-backend') kinds.push(['PersistentVolumeClaim', `${name}-data`]);
    for (const [kind, objName] of kinds) {
      expect(comparable(find(rendered, kind, objName))).toEqual(comparable(find(plain, kind, objName)));
    }
    expect(rendered.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      plain.filter((o) => o.metadata.labels?.app === name).map((o) => `${o.kind}/${o.metadata.name}`).sort());
  });

  test('keeps integers as integers (replicas, ports, probe timings)', () => {
    const rendered = template(dir(), { set: { replicaCount: 0, 'service.port': 8080, 'probes.liveness.periodSeconds': 15 } });
    const deployment = find(rendered, 'Deployment', name);
    const service = find(rendered, 'Service', name);
    expect(deployment.spec.replicas).toBe(0);
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBe(30);
    expect(service.spec.ports[0].port).toBe(8080);
    expect(typeof service.spec.ports[0].nodePort).toBe('number');
    const probe = containerOf(deployment).livenessProbe;
    expect(probe.periodSeconds).toBe(15);
    for (const key of ['initialDelaySeconds', 'timeoutSeconds', 'failureThreshold']) expect(typeof probe[key]).toBe('number');
  });

  test('helm test pod requests the Service and passes restricted Pod Security', () => {
    const pod = find(template(dir()), 'Pod', `${name}-test-connection`);
    expect(pod.metadata.annotations['helm.sh/hook']).toBe('test');
    expect(pod.spec.containers[0].args[3]).toMatch(new RegExp(`^http://${name}\\.default\\.svc\\.cluster\\.local:\\d+/`));
    expect(runAllChecks([pod])).toEqual([]);
  });

  test('helm test pod is selected by nothing of the release, and the NetworkPolicy admits it to the Service\'s port', () => {
    // A budget needs a replica to drain (as minAvailable does in the props): 2 pods, which the backend runs on PostgreSQL only.
    const postgres: { [k: string]: string } = name === 'todo-backend' ? { 'database.type': 'postgres', 'externalDatabase.existingSecret': 'todo-db' } : {};
    const objs = template(dir(), { set: { 'podDisruptionBudget.enabled': 'true', replicaCount: 2, ...postgres } });
    const pod = find(objs, 'Pod', `${name}-test-connection`);
    expect(pod.metadata.labels).toEqual(testPodLabels(name)); // neither app=<name> nor the selector labels
    const policy = find(objs, 'NetworkPolicy', name);
    const selectors: Array<[string, any]> = [
      ['Service', { matchLabels: find(objs, 'Service', name).spec.selector }],
      ['NetworkPolicy', policy.spec.podSelector],
      ['Deployment', find(objs, 'Deployment', name).spec.selector],
      ['PodDisruptionBudget', find(objs, 'PodDisruptionBudget', name).spec.selector],
      ['kubectl -l app=' + name, { matchLabels: { app: name } }],
    ];
    const deploymentPods = find(objs, 'Deployment', name).spec.template.metadata.labels;
    for (const [what, selector] of selectors) {
      expect([what, labelSelectorMatches(selector, pod.metadata.labels), labelSelectorMatches(selector, deploymentPods)]).toEqual([what, false, true]);
    }
    expect(checkOneWorkloadPerSelector(objs)).toEqual([]);
    const admitting = policy.spec.ingress.filter((rule: any) => admits(rule, pod.metadata.labels));
    expect(admitting).toEqual([{ from: [{ podSelector: { matchLabels: testPodLabels(name) } }], ports: [{ port: 'http', protocol: 'TCP' }] }]);
    expect(admits(admitting[0], deploymentPods)).toBe(false);
  });
});

describe('values take effect', () => {
  const backend = (set: { [k: string]: string | number }, setString: { [k: string]: string } = {}) => template(BACKEND(), { set, setString, skipTests: true });
  const deployment = (objs: any[]) => find(objs, 'Deployment', 'todo-backend');
  const service = (objs: any[]) => find(objs, 'Service', 'todo-backend');

  test('image.repository, image.tag and image.pullPolicy', () => {
    const c = containerOf(deployment(backend({ 'image.repository': 'registry.local/todo/api', 'image.tag': 'v1.2.3', 'image.pullPolicy': 'Always' })));
    expect(c.image).toBe('registry.local/todo/api:v1.2.3');
    expect(c.imagePullPolicy).toBe('Always');
  });

  test('image.port is the container port the Service and probes reach by name; the container is named after the release', () => {
    const objs = template(BACKEND(), { release: 'shop', set: { 'image.port': 9000 }, skipTests: true });
    const c = containerOf(find(objs, 'Deployment', 'shop-todo-backend'));
    expect(c.name).toBe('shop-todo-backend');
    expect(c.ports).toEqual([{ name: 'http', containerPort: 9000, protocol: 'TCP' }]);
    expect(find(objs, 'Service', 'shop-todo-backend').spec.ports[0].targetPort).toBe('http');
    expect(runAllChecks(objs)).toEqual([]);
  });

  test('networkPolicy.egress.rules replaces what the component needs; DNS stays first', () => {
    const rules = (set: { [k: string]: string | number }) => find(template(FRONTEND(), { set, skipTests: true }), 'NetworkPolicy', 'todo-frontend').spec.egress;
    const defaults = rules({});
    expect(defaults).toHaveLength(3);
    expect(defaults[1].to[0].podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'todo-backend', 'app.kubernetes.io/instance': 'todo-backend' });
    const other = rules({ 'networkPolicy.egress.rules[0].ports[0].port': 31000, 'networkPolicy.egress.rules[0].ports[0].protocol': 'TCP' });
    expect(other).toEqual([defaults[0], { ports: [{ port: 31000, protocol: 'TCP' }] }]);
  });

  test('replicaCount', () => {
    expect(deployment(backend({ replicaCount: 0 })).spec.replicas).toBe(0);
  });

  test('service.type=ClusterIP drops the nodePort', () => {
    const s = service(backend({ 'service.type': 'ClusterIP' }));
    expect(s.spec.type).toBe('ClusterIP');
    expect(s.spec.ports[0].nodePort).toBeUndefined();
  });

  test('service.port and service.nodePort', () => {
    expect(service(backend({ 'service.port': 80, 'service.nodePort': 31234 })).spec.ports[0]).toEqual({ name: 'http', port: 80, nodePort: 31234, targetPort: 'http', protocol: 'TCP' });
  });

  test('service.nodePort=null lets Kubernetes pick', () => {
    expect(service(backend({ 'service.nodePort': 'null' })).spec.ports[0].nodePort).toBeUndefined();
  });

  test('env.NEW_KEY appears in the ConfigMap the container reads; values become strings', () => {
    const objs = backend({ 'env.NEW_KEY': 'hello', 'env.LOG_LEVEL': 3, 'env.JWT_EXPIRY_HOURS': 12 });
    const cm = find(objs, 'ConfigMap', 'todo-backend-config');
    expect(cm.data).toMatchObject({ NEW_KEY: 'hello', LOG_LEVEL: '3', JWT_EXPIRY_HOURS: '12', DATABASE_URL: 'sqlite:////data/todoapp.db' });
    expect(containerOf(deployment(objs)).envFrom).toEqual([{ configMapRef: { name: 'todo-backend-config' } }]);
    expect(validateObjects(objs)).toEqual([]);
  });

  test('probes: path, timings, and switching to TCP', () => {
    const c = containerOf(deployment(backend({
      'probes.liveness.type': 'http', 'probes.liveness.path': '/livez', 'probes.liveness.initialDelaySeconds': 30, 'probes.liveness.timeoutSeconds': 5, 'probes.liveness.failureThreshold': 6,
      'probes.readiness.type': 'tcp',
    })));
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/livez', port: 'http' }, initialDelaySeconds: 30, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 });
    expect(c.readinessProbe).toEqual({ tcpSocket: { port: 'http' }, initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 });
  });

  test('resources', () => {
    expect(containerOf(deployment(backend({ 'resources.limits.memory': '1Gi', 'resources.requests.cpu': '250m' }))).resources).toEqual({ requests: { 'cpu': '250m', 'memory': '128Mi', 'ephemeral-storage': '512Mi' }, limits: { 'cpu': '500m', 'memory': '1Gi', 'ephemeral-storage': '512Mi' } });
    expect(containerOf(deployment(backend({ 'resources.limits.ephemeral-storage': '1Gi', 'resources.requests.ephemeral-storage': '1Gi' }))).resources.limits['ephemeral-storage']).toBe('1Gi');
  });

  test('a config change changes the pod template checksum (pods roll); other changes do not', () => {
    const checksum = (objs: any[]) => deployment(objs).spec.template.metadata.annotations['checksum/config'];
    const base = checksum(backend({}));
    expect(checksum(backend({}))).toBe(base);
    expect(checksum(backend({ 'env.NEW_KEY': 'x' }))).not.toBe(base);
    expect(checksum(backend({ replicaCount: 0 }))).toBe(base);
  });

  test('secrets from values; a secrets change changes the secret checksum', () => {
    const jwt = 'v'.repeat(40);
    const objs = backend({}, { 'secrets.JWT_SECRET': jwt, 'secrets.ANTHROPIC_API_KEY': 'sk-ant-x' });
    expect(secretValues(find(objs, 'Secret', 'todo-backend-secret'))).toEqual({ JWT_SECRET: jwt, ANTHROPIC_API_KEY: 'sk-ant-x' });
    const other = backend({}, { 'secrets.JWT_SECRET': 'w'.repeat(40) });
    expect(deployment(other).spec.template.metadata.annotations['checksum/secret']).not.toBe(deployment(objs).spec.template.metadata.annotations['checksum/secret']);
  });

  test('without values or an existing Secret, JWT_SECRET is generated in the constructs\' form (256 bits, base64url: 43 characters) and named by an annotation; ANTHROPIC_API_KEY left out', () => {
    const secret = find(backend({}), 'Secret', 'todo-backend-secret');
    const a = secretValues(secret);
    const b = secretValues(find(backend({}), 'Secret', 'todo-backend-secret'));
    expect(Object.keys(a)).toEqual(['JWT_SECRET']);
    expect(a.JWT_SECRET).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomSecret()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.JWT_SECRET, 'base64url')).toHaveLength(32);
    expect(a.JWT_SECRET).not.toBe(b.JWT_SECRET);
    expect(secret.metadata.annotations).toEqual({ 'todo-cdk8s/generated-keys': 'JWT_SECRET' });
    const given = find(backend({}, { 'secrets.JWT_SECRET': 'g'.repeat(40) }), 'Secret', 'todo-backend-secret');
    expect(given.metadata.annotations).toBeUndefined();
  });

  test('existingSecret: no Secret, and the pods read the named one', () => {
    const objs = backend({ existingSecret: 'my-keys' });
    expect(objs.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(containerOf(deployment(objs)).env.map((e: any) => e.valueFrom.secretKeyRef.name)).toEqual(['my-keys', 'my-keys']);
    expect(deployment(objs).spec.template.metadata.annotations['checksum/secret']).toBeUndefined();
  });

  test('persistence: the PVC is kept on uninstall; size and storage class are values', () => {
    const objs = backend({ 'persistence.size': '5Gi', 'persistence.storageClass': 'fast' });
    const pvc = find(objs, 'PersistentVolumeClaim', 'todo-backend-data');
    expect(pvc.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
    expect(pvc.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } }, storageClassName: 'fast' });
    expect(deployment(objs).spec.strategy).toEqual({ type: 'Recreate' });
  });

  test('persistence off with the ephemeral database: no PVC, no data volume, rolling updates', () => {
    const objs = backend({ 'persistence.enabled': 'false', 'securityContext.readOnlyRootFilesystem': 'false' });
    expect(objs.filter((o) => o.kind === 'PersistentVolumeClaim')).toEqual([]);
    expect(find(objs, 'ConfigMap', 'todo-backend-config').data.DATABASE_URL).toBe('sqlite:///./todoapp.db');
    const d = deployment(objs);
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(d.spec.template.spec.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
    expect(containerOf(d).volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(runAllChecks(objs)).toEqual([]);
  });

  test('startup probe, grace period and the NetworkPolicy switch', () => {
    const objs = backend({ 'probes.startup.failureThreshold': 60, terminationGracePeriodSeconds: 10, 'networkPolicy.enabled': 'false' });
    expect(containerOf(deployment(objs)).startupProbe).toMatchObject({ httpGet: { path: '/health', port: 'http' }, failureThreshold: 60 });
    expect(deployment(objs).spec.template.spec.terminationGracePeriodSeconds).toBe(10);
    expect(objs.filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
  });

  test('the frontend\'s build arguments default to the URLs derived from the NodePorts and can be set', () => {
    const rendered = template(FRONTEND(), { skipTests: true });
    expect(find(rendered, 'Deployment', 'todo-frontend').spec.template.metadata.annotations).toMatchObject({
      'build-args.todo-cdk8s/NEXT_PUBLIC_API_URL': 'http://192.168.49.2:30800',
      'build-args.todo-cdk8s/NEXT_PUBLIC_APP_URL': 'http://192.168.49.2:30300',
    });
    const changed = template(FRONTEND(), { skipTests: true, set: { 'image.buildArgs.NEXT_PUBLIC_API_URL': 'http://10.0.0.1:31000' } });
    expect(find(changed, 'Deployment', 'todo-frontend').spec.template.metadata.annotations['build-args.todo-cdk8s/NEXT_PUBLIC_API_URL']).toBe('http://10.0.0.1:31000');
  });
});

describe('values.schema.json rejects bad values with helm\'s error', () => {
  test.each([
    ['replicaCount=abc', { replicaCount: 'abc' }, '- replicaCount: Invalid type. Expected: integer, given: string'],
    ['replicaCount=-1', { replicaCount: -1 }, '- replicaCount: Must be greater than or equal to 0'],
    ['service.type=Foo', { 'service.type': 'Foo' }, '- service.type: service.type must be one of the following: "NodePort", "ClusterIP", "LoadBalancer"'],
    ['service.nodePort=80', { 'service.nodePort': 80 }, '- service.nodePort: Must be greater than or equal to 30000'],
    ['service.port=70000', { 'service.port': 70000 }, '- service.port: Must be less than or equal to 65535'],
    ['image.tag with a space', { 'image.tag': 'a b' }, '- image.tag: Does not match pattern'],
    ['image.tag as a number', { 'image.tag': 110 }, '- image.tag: Invalid type. Expected: string, given: integer'],
    ['image.pullPolicy=Sometimes', { 'image.pullPolicy': 'Sometimes' }, '- image.pullPolicy: image.pullPolicy must be one of the following'],
    ['probes.liveness.type=exec', { 'probes.liveness.type': 'exec' }, '- probes.liveness.type: probes.liveness.type must be one of the following: "http", "tcp"'],
    ['probes.readiness.periodSeconds=0', { 'probes.readiness.periodSeconds': 0 }, '- probes.readiness.periodSeconds: Must be greater than or equal to 1'],
    ['an http probe with a relative path', { 'probes.readiness.path': 'health' }, '- probes.readiness.path: Does not match pattern'],
    ['env with a bad name', { 'env.BAD-NAME': 'x' }, 'env'],
    ['a secret in env', { 'env.JWT_SECRET': 'x' }, 'env'],
    ['an unknown value (a typo)', { replicacount: 2 }, 'Additional property replicacount is not allowed'],
  ])('%s', (_name, set, message) => {
    const err = templateError(BACKEND(), { set });
    expect(err).toContain("values don't meet the specifications of the schema(s)");
    expect(err).toContain(message);
  });
});

test('fails when persistence.size is zero: the schema refuses a claim the API server would refuse', () => {
  for (const size of ['0', '0Gi']) {
    const err = templateError(BACKEND(), { setString: { 'persistence.size': size } });
    expect(err).toContain("values don't meet the specifications of the schema(s)");
    expect(err).toContain('- persistence.size: Does not match pattern');
  }
});

describe('charts of the cluster profile', () => {
  let dir: string;
  let clusterPlain: any[];
  const env = { TODO_PROFILE: 'cluster', TODO_HOST: 'todo.example.com', TODO_TLS_SECRET: 'todo-tls', TODO_DATABASE: 'postgres', JWT_SECRET: TEST_SECRETS.jwtSecret, BETTER_AUTH_SECRET: TEST_SECRETS.betterAuthSecret };
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-cluster-'));
    synthesize({ outdir: path.join(dir, 'secret'), env: { ...env, TODO_DATABASE_SECRET: 'todo-db' } });
    synthesize({ outdir: path.join(dir, 'url'), env: { ...env, DATABASE_URL: 'postgresql://u:p@db:5432/todo' } });
    clusterPlain = readYaml(path.join(dir, 'secret', 'todo.k8s.yaml'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([['backend', 'todo-backend'], ['frontend', 'todo-frontend']])('the %s chart lints, and renders with default values the plain manifests\' objects', (role, name) => {
    const chart = path.join(dir, 'secret', 'helm', role);
    expect(helm(['lint', '--strict', chart]).status).toBe(0);
    const rendered = template(chart);
    expect(find(rendered, 'Pod', `${name}-test-connection`).metadata.annotations['helm.sh/hook']).toBe('test');
    expect(validateObjects(rendered)).toEqual([]);
    expect(runAllChecks(rendered, { externalSecrets: ['todo-db'] })).toEqual([]);
    expect(checkLint(rendered)).toEqual([]);
    expect(exceptionsWithoutReason(rendered)).toEqual([]);
    // The cluster profile pulls Always and has no NodePort: those exceptions are not there.
    expect(find(rendered, 'Service', name).metadata.annotations).toBeUndefined();
    expect(find(rendered, 'Deployment', name).metadata.annotations['kube-score/ignore']).toBe('container-image-tag');
    for (const kind of ['Deployment', 'Service', 'NetworkPolicy', 'Ingress', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) {
      expect(comparable(find(rendered, kind, name))).toEqual(comparable(find(clusterPlain, kind, name)));
    }
    expect(comparable(find(rendered, 'ConfigMap', `${name}-config`))).toEqual(comparable(find(clusterPlain, 'ConfigMap', `${name}-config`)));
  });

  test('with the URL in a Secret of yours, externalDatabase.existingSecret names it', () => {
    const chart = path.join(dir, 'secret', 'helm', 'backend');
    expect(readYaml(path.join(chart, 'values.yaml'))[0]).toMatchObject({ database: { type: 'postgres' }, externalDatabase: { url: '', existingSecret: 'todo-db', existingSecretKey: 'DATABASE_URL' } });
    const ref = (set: { [k: string]: string }) => containerOf(find(template(chart, { set, skipTests: true }), 'Deployment', 'todo-backend')).env.find((e: any) => e.name === 'DATABASE_URL').valueFrom.secretKeyRef;
    expect(ref({})).toEqual({ name: 'todo-db', key: 'DATABASE_URL' });
    expect(ref({ 'externalDatabase.existingSecret': 'db-creds', 'externalDatabase.existingSecretKey': 'url' })).toEqual({ name: 'db-creds', key: 'url' });
  });

  test('with the URL in the chart\'s Secret, externalDatabase.url is required (no secret in the chart)', () => {
    const chart = path.join(dir, 'url', 'helm', 'backend');
    expect(fs.readFileSync(path.join(chart, 'values.yaml'), 'utf8')).not.toContain('u:p@db');
    expect(templateError(chart)).toContain(`'externalDatabase.url' must be a PostgreSQL URL such as "postgresql://user:password@host:5432/todo", got a value of 0 characters; set it with --set-string externalDatabase.url=..., or externalDatabase.existingSecret naming a Secret of yours that holds it`);
    const objs = template(chart, { setString: { 'externalDatabase.url': 'postgresql://u:p@db:5432/todo' } });
    expect(secretValues(find(objs, 'Secret', 'todo-backend-secret')).DATABASE_URL).toBe('postgresql://u:p@db:5432/todo');
  });
});

describe('kube-score and kube-linter exceptions follow the values', () => {
  test('with the Minikube defaults: NodePort, latest, IfNotPresent, each with its reason', () => {
    const objs = template(BACKEND());
    expect(find(objs, 'Service', 'todo-backend').metadata.annotations).toEqual({
      'kube-score/ignore': 'service-type',
      'kube-score.todo-cdk8s/service-type': expect.stringContaining('NodePort'),
    });
    expect(find(objs, 'Deployment', 'todo-backend').metadata.annotations).toEqual({
      'kube-score/ignore': 'container-image-tag,container-image-pull-policy',
      'kube-score.todo-cdk8s/container-image-tag': expect.stringContaining('npm run deploy'),
      'ignore-check.kube-linter.io/latest-tag': expect.stringContaining('npm run deploy'),
      'kube-score.todo-cdk8s/container-image-pull-policy': expect.stringContaining('Docker daemon'),
    });
  });

  test('a fixed tag, Always, ClusterIP: no exception left, and no finding', () => {
    const objs = template(BACKEND(), { set: { 'image.tag': 'v1.2.0', 'image.pullPolicy': 'Always', 'service.type': 'ClusterIP' } });
    expect(find(objs, 'Service', 'todo-backend').metadata.annotations).toBeUndefined();
    expect(find(objs, 'Deployment', 'todo-backend').metadata.annotations).toBeUndefined();
    expect(checkLint(objs)).toEqual([]);
  });

  test('egress off: the NetworkPolicy admits ingress only, and the Deployment says why', () => {
    const objs = template(FRONTEND(), { set: { 'networkPolicy.egress.enabled': 'false' } });
    const np = find(objs, 'NetworkPolicy', 'todo-frontend');
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.egress).toBeUndefined();
    expect(find(objs, 'Deployment', 'todo-frontend').metadata.annotations['kube-score/ignore']).toBe('container-image-tag,container-image-pull-policy,pod-networkpolicy');
    expect(checkLint(objs)).toEqual([]);
    expect(validateObjects(objs)).toEqual([]);
  });

  test('egress: HTTPS when a key is set at install, and extra rules of yours', () => {
    const egress = (set: { [k: string]: string }) => find(template(BACKEND(), { set }), 'NetworkPolicy', 'todo-backend').spec.egress;
    const https = { ports: [{ port: 443, protocol: 'TCP' }] };
    expect(egress({})).not.toContainEqual(https);
    expect(egress({ 'secrets.ANTHROPIC_API_KEY': 'sk-test' })).toContainEqual(https);
    const objs = template(BACKEND(), { set: { 'networkPolicy.egress.extraRules[0].ports[0].port': '6379', 'networkPolicy.egress.extraRules[0].ports[0].protocol': 'TCP' } });
    expect(find(objs, 'NetworkPolicy', 'todo-backend').spec.egress.slice(-1)).toEqual([{ ports: [{ port: 6379, protocol: 'TCP' }] }]);
    expect(validateObjects(objs)).toEqual([]);
  });

  test('a NodePort without its exception is a finding (the exception is what silences it)', () => {
    const objs = template(BACKEND());
    delete find(objs, 'Service', 'todo-backend').metadata.annotations;
    expect(checkLint(objs).map((f) => `${f.object} ${f.check}`)).toEqual(['Service default/todo-backend service-type']);
  });
});

describe('cluster values on a Minikube chart', () => {
  test('ingress, autoscaling, disruption budget and spreading switch on', () => {
    const objs = template(FRONTEND(), {
      set: { 'ingress.enabled': 'true', 'ingress.host': 'todo.example.com', 'ingress.className': 'nginx', 'ingress.tls.secretName': 'tls', 'autoscaling.enabled': 'true', 'autoscaling.maxReplicas': 7, 'podDisruptionBudget.enabled': 'true', spreadAcrossNodes: 'true' },
    });
    expect(validateObjects(objs)).toEqual([]);
    expect(runAllChecks(objs)).toEqual([]);
    expect(checkLint(objs)).toEqual([]);
    const d = find(objs, 'Deployment', 'todo-frontend');
    expect(d.spec.replicas).toBeUndefined();
    expect(d.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([{
      weight: 100,
      podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'todo-frontend', 'app.kubernetes.io/instance': 'todo-frontend' } } },
    }]);
    expect(find(objs, 'PodDisruptionBudget', 'todo-frontend').spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
    expect(d.spec.template.spec.topologySpreadConstraints[0].labelSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'todo-frontend', 'app.kubernetes.io/instance': 'todo-frontend' });
    expect(find(objs, 'Ingress', 'todo-frontend').spec).toMatchObject({ ingressClassName: 'nginx', tls: [{ hosts: ['todo.example.com'], secretName: 'tls' }] });
    expect(find(objs, 'HorizontalPodAutoscaler', 'todo-frontend').spec).toMatchObject({ minReplicas: 2, maxReplicas: 7 });
    expect(find(objs, 'PodDisruptionBudget', 'todo-frontend').spec.minAvailable).toBe(1);
  });

  test.each([
    ['an Ingress without a host', { 'ingress.enabled': 'true' }, '- ingress.host: Does not match pattern'],
    ['autoscaling from 1 pod', { 'autoscaling.minReplicas': 1 }, '- autoscaling.minReplicas: Must be greater than or equal to 2'],
  ])('the schema rejects %s', (_n, set, message) => {
    expect(templateError(FRONTEND(), { set })).toContain(message);
  });

  test('the backend chart on SQLite refuses autoscaling', () => {
    expect(templateError(BACKEND(), { set: { 'autoscaling.enabled': 'true' } })).toContain("'database.type' must be PostgreSQL when 'autoscaling.enabled' is set (SQLite has one writer, and the autoscaler runs 2 or more pods), got sqlite; set database.type=postgres (with externalDatabase.url or externalDatabase.existingSecret)");
  });
});

describe('the backend chart refuses values that break SQLite, with a message that says why', () => {
  test.each([
    ['more than one replica', { replicaCount: 2 }, "'replicaCount' must be 0 or 1 with SQLite (one writer: each pod would otherwise get its own database, or fight over one ReadWriteOnce volume), got 2"],
    ['a SQLite URL of the user\'s (the database value sets it)', { 'env.DATABASE_URL': 'sqlite:///./todoapp.db' }, '\'env\' must not hold DATABASE_URL, which the database sets (database.type, persistence.* and externalDatabase.*), got "DATABASE_URL"'],
    ['the file in a read-only container', { 'persistence.enabled': 'false' }, '\'securityContext.readOnlyRootFilesystem\' must be false with the SQLite file in the container (database.type=sqlite, persistence.enabled=false: sqlite:///./todoapp.db), got true; set it to false, or persistence.enabled=true'],
  ])('%s', (_name, set, message) => {
    expect(templateError(BACKEND(), { set })).toContain(message);
  });
});

describe('release names and namespaces', () => {
  test('the release name drives object names', () => {
    const names = template(BACKEND(), { release: 'staging', skipTests: true }).map((o) => o.metadata.name).sort();
    expect(names).toEqual(['staging-todo-backend', 'staging-todo-backend', 'staging-todo-backend', 'staging-todo-backend-config', 'staging-todo-backend-data', 'staging-todo-backend-secret']);
  });

  test('two releases of one chart render disjoint names and selectors', () => {
    const a = template(BACKEND(), { release: 'blue', set: { 'service.nodePort': 'null' } });
    const b = template(BACKEND(), { release: 'green', set: { 'service.nodePort': 'null' } });
    const keys = (objs: any[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(keys(a).filter((k) => keys(b).includes(k))).toEqual([]);
    expect(find(a, 'Service', 'blue-todo-backend').spec.selector).not.toEqual(find(b, 'Service', 'green-todo-backend').spec.selector);
    expect(runAllChecks([...a, ...b])).toEqual([]);
    // Each release's NetworkPolicy admits its own test pod only.
    const policy = find(a, 'NetworkPolicy', 'blue-todo-backend');
    expect(policy.spec.ingress.some((r: any) => admits(r, find(a, 'Pod', 'blue-todo-backend-test-connection').metadata.labels))).toBe(true);
    expect(policy.spec.ingress.some((r: any) => admits(r, find(b, 'Pod', 'green-todo-backend-test-connection').metadata.labels))).toBe(false);
  });

  test('the one-workload check catches helm create\'s scaffold, whose Service selects its test pod (ours does not)', () => {
    const scaffold = path.join(tmp, 'scaffold');
    const created = helm(['create', scaffold]);
    expect(created.stderr).toBe('');
    const findings = checkOneWorkloadPerSelector(template(scaffold, { release: 'demo' }));
    expect(findings).toContainEqual({
      object: 'Service default/demo-scaffold',
      field: 'spec.selector',
      message: 'selector {"app.kubernetes.io/name":"scaffold","app.kubernetes.io/instance":"demo"} selects the pods of 2 workloads (Deployment default/demo-scaffold, Pod default/demo-scaffold-test-connection); '
        + 'a Service must send traffic to the pods of one workload only',
    });
  });

  test('a release named like the chart keeps the plain names; app=<name> still selects the pods', () => {
    const d = find(template(BACKEND(), { release: 'todo-backend' }), 'Deployment', 'todo-backend');
    expect(d.spec.template.metadata.labels.app).toBe('todo-backend');
  });

  test('--namespace is respected', () => {
    const objs = template(BACKEND(), { namespace: 'todo' });
    expect(objs.every((o) => o.metadata.namespace === 'todo')).toBe(true);
  });

  test('long release names are cut to 63 characters', () => {
    const name = find(template(BACKEND(), { release: 'r'.repeat(53), skipTests: true }), 'Deployment', `${'r'.repeat(53)}-todo-back`).metadata.name;
    expect(name).toHaveLength(63);
  });
});

describe('with a Kubernetes API (a stand-in server; helm is real)', () => {
  const api = new FakeApiServer();
  beforeAll(() => api.start());
  afterAll(() => api.stop());

  test('an existing Secret keeps its value on upgrade (lookup)', async () => {
    const kept = Buffer.from('k'.repeat(40)).toString('base64');
    api.secrets.set('default/todo-backend-secret', { JWT_SECRET: kept });
    const r = await api.helm(['template', 'todo-backend', BACKEND(), '--dry-run=server', '--show-only', 'templates/secret.yaml']);
    expect(r.stderr).toBe('');
    expect(readYamlText(r.stdout)[0].data).toEqual({ JWT_SECRET: kept });
    expect(readYamlText(r.stdout)[0].metadata.annotations).toBeUndefined(); // nothing generated: no todo-cdk8s/generated-keys
    expect(api.requests).toContain('GET /api/v1/namespaces/default/secrets/todo-backend-secret');
  });

  test('a value given wins over the existing Secret', async () => {
    api.secrets.set('default/todo-backend-secret', { JWT_SECRET: Buffer.from('k'.repeat(40)).toString('base64') });
    const r = await api.helm(['template', 'todo-backend', BACKEND(), '--dry-run=server', '--show-only', 'templates/secret.yaml', '--set-string', `secrets.JWT_SECRET=${'n'.repeat(40)}`]);
    expect(secretValues(readYamlText(r.stdout)[0]).JWT_SECRET).toBe('n'.repeat(40));
  });

  test('NOTES print the NodePort URL and, for the frontend, the build command', async () => {
    api.secrets.clear(); // a fresh cluster: install would refuse to adopt an unowned Secret
    const backendNotes = await api.helm(['install', 'todo-backend', BACKEND(), '--dry-run=client', '--disable-openapi-validation']);
    expect(backendNotes.stderr).toBe('');
    expect(backendNotes.stdout).toContain('export NODE_PORT=$(kubectl get --namespace default -o jsonpath="{.spec.ports[0].nodePort}" services todo-backend)');
    expect(backendNotes.stdout).toContain('minikube service todo-backend --namespace default --url');
    expect(backendNotes.stdout).toContain('http://todo-backend.default.svc.cluster.local:8000');
    // --dry-run=client: lookup sees no cluster, so the key is generated, and NOTES say what that means for GitOps.
    expect(backendNotes.stdout).toContain('WARNING: this render generated JWT_SECRET (annotation todo-cdk8s/generated-keys on the Secret).');
    expect(backendNotes.stdout).toContain('set gitOps=true to refuse');
    const given = await api.helm(['install', 'todo-backend', BACKEND(), '--dry-run=client', '--disable-openapi-validation', '--set-string', `secrets.JWT_SECRET=${'g'.repeat(40)}`]);
    expect(given.stdout).toContain('Secrets: kept in Secret todo-backend-secret');
    expect(given.stdout).not.toContain('WARNING');
    const frontendNotes = await api.helm(['install', 'todo-frontend', FRONTEND(), '--dry-run=client', '--disable-openapi-validation']);
    expect(frontendNotes.stdout).toContain('docker build --tag todo-frontend:latest --build-arg NEXT_PUBLIC_API_URL=http://192.168.49.2:30800 --build-arg NEXT_PUBLIC_APP_URL=http://192.168.49.2:30300 frontend/');
    const ingressNotes = await api.helm(['install', 'todo-backend', BACKEND(), '--dry-run=client', '--disable-openapi-validation',
      '--set', 'ingress.enabled=true', '--set', 'ingress.host=todo.example.com', '--set', 'ingress.path=/api', '--set', 'ingress.tls.secretName=tls']);
    expect(ingressNotes.stdout).toContain('  https://todo.example.com/api\n');
    // ingressUrl's other case: no TLS, at the root (no path after the host).
    const plainNotes = await api.helm(['install', 'todo-backend', BACKEND(), '--dry-run=client', '--disable-openapi-validation', '--set', 'ingress.enabled=true', '--set', 'ingress.host=todo.example.com']);
    expect(plainNotes.stdout).toContain('  http://todo.example.com\n\n2. Inside the cluster');
  }, 80_000); // four helm installs against the stand-in API server: seconds on a loaded machine
});

function readYamlText(text: string): any[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../support/yaml').parseYaml(text);
}

describe('TodoHelmChart', () => {
  test('snapshot of the chart files', () => {
    for (const dir of [BACKEND(), FRONTEND()]) {
      const files = ['Chart.yaml', 'values.yaml', 'templates/_helpers.tpl', 'templates/deployment.yaml', 'templates/service.yaml', 'templates/configmap.yaml', 'templates/secret.yaml', 'templates/NOTES.txt', 'templates/tests/test-connection.yaml'];
      expect(Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]))).toMatchSnapshot(path.basename(dir));
    }
  });

  test('default values are read from the component', () => {
    const chart = Testing.chart();
    const todo = new TodoApp(chart, 'todo', { backend: { replicas: 0, imageTag: 'v3', nodePort: 31999, jwtSecret: TEST_SECRETS.jwtSecret } });
    const values = new TodoHelmChart(chart, 'c', { component: todo.backend }).defaultValues() as any;
    expect(values.replicaCount).toBe(0);
    expect(values.image).toEqual({ repository: 'todo-backend', tag: 'v3', port: 8000, pullPolicy: 'IfNotPresent', buildArgs: {} });
    expect(values.service).toEqual({ type: 'NodePort', port: 8000, nodePort: 31999 });
    expect(values.secrets).toEqual({ JWT_SECRET: '', ANTHROPIC_API_KEY: '' });
  });

  test('values.yaml holds no secret value', () => {
    for (const dir of [BACKEND(), FRONTEND()]) {
      const text = fs.readFileSync(path.join(dir, 'values.yaml'), 'utf8');
      expect(text).not.toContain(TEST_SECRETS.jwtSecret);
      expect(text).not.toContain(TEST_SECRETS.betterAuthSecret);
    }
  });

  describe('fails when', () => {
    test('the chart name is not a DNS label', () => {
      const chart = Testing.chart();
      const todo = new TodoApp(chart, 'todo');
      expect(() => new TodoHelmChart(chart, 'c', { component: todo.backend, chartName: 'Todo' })).toThrow(`'chartName' must be a DNS-1123 label`);
    });
    test('the version is not SemVer', () => {
      const chart = Testing.chart();
      const todo = new TodoApp(chart, 'todo');
      expect(() => new TodoHelmChart(chart, 'c', { component: todo.backend, version: '1.0' })).toThrow(`'version' must be a SemVer 2 version such as "0.1.0", got "1.0"`);
    });
  });
});
