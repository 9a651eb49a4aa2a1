import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runAllChecks } from '../../lib/checks';
import { validateObjects } from '../support/k8s-schema';
import { comparable, helm, template } from '../support/helm';
import { StandInWorld } from '../support/stand-in-world';
import { readYaml } from '../support/yaml';

/**
 * The library as a user gets it: packed with `npm pack`, installed into a
 * fresh CDK8s app that has its own cdk8s, cdk8s-plus-28 and constructs,
 * compiled there with strict TypeScript, run, and its output validated.
 * Runs with `npm run test:consumer` (it builds and installs, so it is not
 * part of `npm test`).
 */
const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
jest.setTimeout(300_000);

let tmp: string;
let tarball: string;
let app: string;

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-'));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tmp], ROOT));
  tarball = path.join(tmp, packed[0].filename);
  app = path.join(tmp, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({
    name: 'consumer-app',
    private: true,
    dependencies: {
      'todo-cdk8s': `file:${tarball}`,
      'cdk8s': pkg.devDependencies.cdk8s,
      'cdk8s-plus-28': pkg.devDependencies['cdk8s-plus-28'],
      'constructs': pkg.devDependencies.constructs,
    },
  }, undefined, 2));
  fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
    // Node's own types come from this project; everything else from the app's node_modules.
    compilerOptions: { target: 'ES2020', module: 'commonjs', moduleResolution: 'node', strict: true, outDir: 'out', lib: ['ES2020'], types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')] },
    files: ['main.ts', 'checks.ts', 'interop.ts', 'stable.ts'],
  }));
  // What a plain app.synth() and the constructors say, case by case: each case prints its error.
  fs.writeFileSync(path.join(app, 'checks.ts'), `
import { App, Chart, JsonPatch, Size } from 'cdk8s';
import { ServiceType } from 'cdk8s-plus-28';
import { BackendDatabase, excuseLintFinding, TodoApp, TodoBackend, TodoFrontend } from 'todo-cdk8s';
import { KubeDeployment, KubeService } from 'todo-cdk8s/k8s';

const keys = { backend: { existingSecret: 'b' }, frontend: { existingSecret: 'f' } };
const cases: { [name: string]: () => unknown } = {
  twoAppsInOneChart: () => {
    const chart = new Chart(new App(), 'c');
    new TodoApp(chart, 'one', keys);
    new TodoApp(chart, 'two', keys);
  },
  twoChartsOneNodePort: () => {
    const app = new App();
    new TodoApp(new Chart(app, 'a', { namespace: 'a' }), 'todo', keys);
    new TodoApp(new Chart(app, 'b', { namespace: 'b' }), 'todo', keys);
  },
  userServiceOnANodePort: () => {
    const app = new App({ outdir: process.argv[2] });
    new TodoApp(new Chart(app, 'todo', { namespace: 'todo' }), 'todo', keys);
    new KubeService(new Chart(app, 'mine', { namespace: 'mine' }), 'web', { metadata: { name: 'web' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30800 }] } });
    app.synth();
  },
  sidecarPatchedIn: () => {
    const app = new App({ outdir: process.argv[2] });
    const todo = new TodoApp(new Chart(app, 'c'), 'todo', keys);
    todo.backend.deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/-', { name: 'debug', image: 'busybox:1.36' }));
    app.synth();
  },
  secretLookingEnv: () => new TodoApp(new Chart(new App(), 'c'), 'todo', { ...keys, backend: { existingSecret: 'b', env: { API_TOKEN: 'x' } } }),
  clusterIpBackendForANodePortFrontend: () => {
    const chart = new Chart(new App(), 'c');
    const backend = new TodoBackend(chart, 'backend', { existingSecret: 'b', serviceType: ServiceType.CLUSTER_IP, corsOrigins: [TodoFrontend.originOf({})] });
    new TodoFrontend(chart, 'frontend', { existingSecret: 'f', backend });
  },
  emptySqliteVolume: () => BackendDatabase.sqlite({ size: Size.mebibytes(0) }),
  excusedLowUserId: () => {
    const app = new App({ outdir: process.argv[2] });
    const todo = new TodoApp(new Chart(app, 'c'), 'todo', { backend: { existingSecret: 'b', runAsUser: 1000 }, frontend: { existingSecret: 'f' } });
    const deployment: KubeDeployment = todo.backend.deployment;
    excuseLintFinding(deployment, 'container-security-context-user-group-id', 'the image runs as the node user');
    app.synth();
  },
};
const result: { [name: string]: string } = {};
for (const [name, run] of Object.entries(cases)) {
  try {
    run();
    result[name] = 'ok';
  } catch (e) {
    result[name] = (e as Error).message;
  }
}
console.log(JSON.stringify(result));
`);
  // cdk8s-plus composed with the components, and escape hatches that reach the charts (issue's table).
  fs.writeFileSync(path.join(app, 'interop.ts'), `
import * as fs from 'fs';
import { App, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { excuseLintFinding, TodoApp, TodoHelmChart } from 'todo-cdk8s';

const out = process.argv[2];
const keys = { backend: { existingSecret: 'b' }, frontend: { existingSecret: 'f' } };
const result: { [name: string]: unknown } = {};

// An Ingress, a NetworkPolicy peer and a Service of cdk8s-plus on the components; allowFrom narrows the backend's policy.
{
  const app = new App({ outdir: out + '/plus' });
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  const todo = new TodoApp(chart, 'todo', keys);
  const ingress = new kplus.Ingress(chart, 'web', { className: 'nginx' });
  ingress.addHostRule('todo.example.com', '/api', todo.backend.toIngressBackend());
  ingress.addHostRule('todo.example.com', '/', kplus.IngressBackend.fromService(todo.frontend.plusService));
  const monitoring = kplus.Namespaces.select(chart, 'monitoring', { names: ['monitoring'] });
  const policy = new kplus.NetworkPolicy(chart, 'metrics', { selector: todo.backend });
  policy.addIngressRule(kplus.Pods.select(chart, 'prometheus', { labels: { app: 'prometheus' }, namespaces: monitoring }), [kplus.NetworkPolicyPort.tcp(8000)]);
  new kplus.Service(chart, 'debug', { selector: todo.backend, ports: [{ port: 9000, targetPort: 8000 }] });
  todo.backend.allowFrom(todo.frontend, kplus.Namespaces.select(chart, 'ingress-nginx', { names: ['ingress-nginx'] }));
  app.synth();
  new TodoHelmChart(app, 'backend-chart', { component: todo.backend }).writeTo(out + '/plus-chart');
}

// JSON patches on replicas and on the ConfigMap, the Chart's labels and namespace, an excuse: all reach the charts.
{
  const app = new App({ outdir: out + '/patched' });
  const chart = new Chart(app, 'shop', { namespace: 'shop', labels: { team: 'web' } });
  const todo = new TodoApp(chart, 'todo', keys);
  todo.frontend.deployment.addJsonPatch(JsonPatch.replace('/spec/replicas', 4));
  excuseLintFinding(todo.frontend.deployment, 'no-anti-affinity', 'a one-node cluster');
  todo.backend.configMap.addJsonPatch(JsonPatch.add('/data/LOG_LEVEL', 'debug'));
  const charts = [new TodoHelmChart(app, 'backend-chart', { component: todo.backend }), new TodoHelmChart(app, 'frontend-chart', { component: todo.frontend })];
  app.synth();
  for (const c of charts) c.writeTo(out + '/patched-' + c.component.name);
}

// The same app without the ConfigMap patch: its checksum/config differs.
{
  const app = new App({ outdir: out + '/unpatched' });
  new TodoApp(new Chart(app, 'shop', { namespace: 'shop', labels: { team: 'web' } }), 'todo', keys);
  app.synth();
}

// A JSON patch on the image, which the chart's values do not carry: refused at synth, nothing written.
{
  const app = new App({ outdir: out + '/image' });
  const todo = new TodoApp(new Chart(app, 'c'), 'todo', keys);
  todo.frontend.deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/image', 'ghcr.io/acme/web:9'));
  new TodoHelmChart(app, 'frontend-chart', { component: todo.frontend });
  try {
    app.synth();
    result.imagePatch = 'ok';
  } catch (e) {
    result.imagePatch = (e as Error).message;
  }
  result.imagePatchWrote = fs.existsSync(out + '/image') ? fs.readdirSync(out + '/image') : [];
}
console.log(JSON.stringify(result));
`);
  // Default props, no secret given: what a snapshot test and a repeated synth see.
  fs.writeFileSync(path.join(app, 'stable.ts'), `
import { App, Chart, Testing } from 'cdk8s';
import { KeysSecret, TodoApp } from 'todo-cdk8s';

const once = () => {
  const chart = Testing.chart();
  new TodoApp(chart, 'todo');
  return Testing.synth(chart);
};
const app = new App({ outdir: process.argv[2] });
const todo = new TodoApp(new Chart(app, 'todo', { namespace: 'todo' }), 'todo');
app.synth();
const keys: KeysSecret[] = todo.components.flatMap((c) => (c.keysSecret ? [c.keysSecret] : []));
console.log(JSON.stringify({ snapshots: [once(), once()], keys }));
`);
  fs.writeFileSync(path.join(app, 'main.ts'), `
import { App, Chart } from 'cdk8s';
import { assertChecksPass, BackendDatabase, Profile, TodoApp, TodoBackend, TodoFrontend, TodoHelmChart } from 'todo-cdk8s';

const app = new App({ outdir: process.argv[2] });
const shop = new Chart(app, 'shop', { namespace: 'shop' });
const todo = new TodoApp(shop, 'todo', {
  backend: { existingSecret: 'todo-backend-keys' },
  frontend: { existingSecret: 'todo-frontend-keys', nodePort: 31300 },
});
const api = new Chart(app, 'api', { namespace: 'api' });
const web = { name: 'web', nodePort: 31301, betterAuthSecret: 'consumer-test-auth-key-of-32-chars!!!' };
const backend = new TodoBackend(api, 'backend', { name: 'api', nodePort: 31800, jwtSecret: 'consumer-test-signing-key-of-32-chars!', corsOrigins: [TodoFrontend.originOf(web)] });
new TodoFrontend(api, 'frontend', { ...web, backend });
const cluster = new Chart(app, 'cluster', { namespace: 'prod' });
new TodoApp(cluster, 'todo', {
  profile: Profile.CLUSTER,
  cluster: { host: 'todo.example.com' },
  backend: { database: BackendDatabase.postgresFromSecret({ secretName: 'todo-db' }), existingSecret: 'k1' },
  frontend: { existingSecret: 'k2' },
});
app.synth();
const externalSecrets = [...todo.components.flatMap((c) => c.externalSecrets), 'todo-db', 'k1', 'k2'];
for (const c of app.charts) {
  assertChecksPass(c.node.id, c.toJson(), { externalSecrets });
}
const chart = new TodoHelmChart(app, 'chart', { component: todo.backend });
chart.writeTo(process.argv[2] + '/helm/backend');
console.log(JSON.stringify({ url: todo.frontend.image.buildArgs.NEXT_PUBLIC_API_URL, dns: backend.dnsName }));
`);
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], app);
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the packed library in a fresh CDK8s app', () => {
  test('the tarball holds compiled JavaScript with type declarations, and no tests, output or secrets', () => {
    // The build of beforeAll's `npm pack` is there: no second build (prepack).
    const packed = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT))[0];
    const files: string[] = packed.files.map((f: { path: string }) => f.path);
    // The Kubernetes classes are the subset the library uses (scripts/trim-k8s.js): about 430 kB of the 1.5 MB generated.
    const k8sBytes = packed.files.filter((f: { path: string }) => f.path.startsWith('build/imports/')).reduce((sum: number, f: { size: number }) => sum + f.size, 0);
    expect(k8sBytes).toBeLessThan(600_000);
    // The whole package: the library's own code grows with its features (about 1.5 MB now); an untrimmed
    // Kubernetes import (about 1 MB more) or a stray directory would go over this bound.
    expect(packed.unpackedSize).toBeLessThan(1_750_000);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'LICENSE', 'README.md', 'CHANGELOG.md', 'API.md', 'build/lib/index.js', 'build/lib/index.d.ts', 'build/imports/k8s.js', 'build/imports/k8s.d.ts', pkg.bin['todo-cdk8s']]));
    // A secrets file (.todo-secrets.json...) is never packed; build/lib/features/secrets.js is the secrets feature's code.
    expect(files.filter((f) => /(^|\/)(__tests__|dist|schemas)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts') || f.includes('secrets') && !f.startsWith('build/lib/'))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['build/lib/features/secrets.js']));
  });

  test('brings no copy of its own of cdk8s or constructs', () => {
    expect(fs.existsSync(path.join(app, 'node_modules', 'todo-cdk8s', 'node_modules', 'constructs'))).toBe(false);
    expect(fs.existsSync(path.join(app, 'node_modules', 'todo-cdk8s', 'node_modules', 'cdk8s'))).toBe(false);
    // The library resolves the app's own copies.
    const resolve = `const lib = require.resolve('todo-cdk8s'); console.log(JSON.stringify(['cdk8s', 'constructs', 'cdk8s-plus-28'].map((m) => require.resolve(m, { paths: [lib] }) === require.resolve(m))))`;
    expect(JSON.parse(run(process.execPath, ['-e', resolve], app))).toEqual([true, true, true]);
  });

  test('compiles with strict TypeScript, synthesizes TodoApp and TodoBackend in the app\'s own charts, and the output is valid', () => {
    run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], app);
    const out = path.join(tmp, 'out');
    const printed = JSON.parse(execFileSync(process.execPath, [path.join(app, 'out', 'main.js'), out], { cwd: app, encoding: 'utf8' }));
    expect(printed).toEqual({ url: 'http://192.168.49.2:30800', dns: 'api.api.svc.cluster.local' });
    const shop = readYaml(path.join(out, 'shop.k8s.yaml'));
    const api = readYaml(path.join(out, 'api.k8s.yaml'));
    const cluster = readYaml(path.join(out, 'cluster.k8s.yaml'));
    expect(shop.every((o) => o.metadata.namespace === 'shop')).toBe(true);
    expect(api.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual(expect.arrayContaining(['Deployment/api/api', 'Service/api/api', 'Secret/api/api-secret', 'Deployment/api/web']));
    expect(api.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'api-config').data.CORS_ORIGINS).toBe('http://192.168.49.2:31301');
    expect(cluster.map((o) => o.kind)).toEqual(expect.arrayContaining(['Ingress', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']));
    for (const objects of [shop, api, cluster]) {
      expect(validateObjects(objects)).toEqual([]);
    }
    expect(runAllChecks(shop, { externalSecrets: ['todo-backend-keys', 'todo-frontend-keys'] })).toEqual([]);
    expect(runAllChecks(api)).toEqual([]);
    expect(runAllChecks(cluster, { externalSecrets: ['todo-db', 'k1', 'k2'] })).toEqual([]);
    expect(fs.existsSync(path.join(out, 'helm', 'backend', 'values.schema.json'))).toBe(true);
  });

  test('default props, no secret given: Testing.synth twice, and two runs of app.synth(), give the same output, with no key in it; the keys are read from Secrets kept by the cluster', () => {
    const synth = (n: number) => {
      const out = path.join(tmp, `stable-${n}`);
      const printed = JSON.parse(execFileSync(process.execPath, [path.join(app, 'out', 'stable.js'), out], { cwd: app, encoding: 'utf8' }));
      return { printed, yaml: fs.readFileSync(path.join(out, 'todo.k8s.yaml'), 'utf8') };
    };
    const [first, second] = [synth(1), synth(2)];
    // A snapshot test: two synths in one run, and the next run of the test.
    expect(first.printed.snapshots[1]).toEqual(first.printed.snapshots[0]);
    expect(second.printed.snapshots[0]).toEqual(first.printed.snapshots[0]);
    // A repeated synth of an app: the same file, byte for byte.
    expect(second.yaml).toBe(first.yaml);
    const objects = readYaml(path.join(tmp, 'stable-1', 'todo.k8s.yaml'));
    expect(objects.filter((o) => o.kind === 'Secret').map((o) => [o.metadata.name, o.data ?? {}])).toEqual([['todo-backend-secret', {}], ['todo-frontend-secret', {}]]);
    const refs = objects.filter((o) => o.kind === 'Deployment').flatMap((d) => d.spec.template.spec.containers[0].env.map((e: any) => e.valueFrom.secretKeyRef));
    expect(refs).toEqual(expect.arrayContaining([{ name: 'todo-backend-keys', key: 'JWT_SECRET' }, { name: 'todo-frontend-keys', key: 'BETTER_AUTH_SECRET' }]));
    expect(first.printed.keys).toEqual([
      { name: 'todo-backend-keys', namespace: 'todo', keys: ['JWT_SECRET'], createCommand: expect.stringMatching(/^kubectl create secret generic todo-backend-keys --namespace todo --from-literal=JWT_SECRET="\$\(openssl rand /) },
      { name: 'todo-frontend-keys', namespace: 'todo', keys: ['BETTER_AUTH_SECRET'], createCommand: expect.stringMatching(/^kubectl create secret generic todo-frontend-keys --namespace todo --from-literal=BETTER_AUTH_SECRET=/) },
    ]);
    expect(validateObjects(objects)).toEqual([]);
    expect(runAllChecks(objects, { externalSecrets: ['todo-backend-keys', 'todo-frontend-keys'] })).toEqual([]);
  });

  test('a plain app.synth() runs the checks, and the constructors name the prop: the cases of the library issue', () => {
    const out = fs.mkdtempSync(path.join(tmp, 'checks-'));
    const result = JSON.parse(execFileSync(process.execPath, [path.join(app, 'out', 'checks.js'), out], { cwd: app, encoding: 'utf8' }));
    const validation = (...lines: string[]) => ['Validation failed with the following errors:', ...lines.map((l) => `  [todo-cdk8s-checks] ${l}`)].join('\n');
    expect(result.twoAppsInOneChart).toBe(`'backend.name' must differ from 'backend.name' of the backend at 'c/one/backend' (they name Deployments, Services, ConfigMaps and Secrets in one namespace, "default"), got "todo-backend" for both; give one another name, or put it in a Chart with another namespace`);
    expect(result.twoChartsOneNodePort).toBe(`'backend.nodePort' must be different from 'backend.nodePort' of the backend at 'a/todo/backend' (30800: a nodePort serves one Service per cluster), got 30800`);
    expect(result.userServiceOnANodePort).toBe(validation('Service mine/web spec.ports[0].nodePort: nodePort 30800 is also used by Service todo/todo-backend'));
    expect(result.sidecarPatchedIn).toContain(validation('Deployment default/todo-backend spec.template.spec.containers[1].securityContext.allowPrivilegeEscalation: allowPrivilegeEscalation must be false, got undefined'));
    expect(result.sidecarPatchedIn).toContain('[todo-cdk8s-checks] Deployment default/todo-backend spec.template.spec.containers[debug].resources: kube-score container-ephemeral-storage-request-and-limit: container debug has no ephemeral-storage limit');
    expect(result.secretLookingEnv).toBe(`'backend.env' must not hold a name that looks like a secret (SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL): its values go into the ConfigMap in plain text; keep secrets in a Secret, got "API_TOKEN"`);
    expect(result.clusterIpBackendForANodePortFrontend).toBe(`'backend.serviceType' must be NodePort or LoadBalancer for a URL that browsers reach (or set 'backend.ingress'), got "ClusterIP"`);
    expect(result.emptySqliteVolume).toBe(`'database.size' must be a storage quantity above zero and at most "256Ti" (the largest SQLite database), such as "512Mi" or "5Gi", got "0"`);
    expect(result.excusedLowUserId).toBe('ok');
    // The failed synths wrote nothing; the excused one wrote its manifests.
    expect(fs.readdirSync(out)).toEqual(['c.k8s.yaml']);
    expect(readYaml(path.join(out, 'c.k8s.yaml')).find((o) => o.kind === 'Deployment' && o.metadata.name === 'todo-backend').metadata.annotations).toMatchObject({
      'kube-score.todo-cdk8s/container-security-context-user-group-id': 'the image runs as the node user',
    });
  });

  test('cdk8s-plus composes with the components, and escape hatches reach the charts or are refused: the cases of the library issue', () => {
    const out = fs.mkdtempSync(path.join(tmp, 'interop-'));
    const result = JSON.parse(execFileSync(process.execPath, [path.join(app, 'out', 'interop.js'), out], { cwd: app, encoding: 'utf8' }));
    const unique = (objects: any[]) => new Set(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).size;
    const one = (objects: any[], kind: string, name: string) => {
      const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
      expect(`${kind}/${name}: ${found.length}`).toBe(`${kind}/${name}: 1`);
      return found[0];
    };

    // cdk8s-plus: the Ingress routes to the components' own Services; no object twice.
    const plus = readYaml(path.join(out, 'plus', 'shop.k8s.yaml'));
    expect(unique(plus)).toBe(plus.length);
    expect(plus.filter((o) => o.kind === 'Service').map((o) => o.metadata.name).sort()).toEqual([expect.stringMatching(/^shop-debug-/), 'todo-backend', 'todo-frontend']);
    const routes = plus.find((o) => o.kind === 'Ingress').spec.rules[0].http.paths.map((p: any) => [p.path, p.backend.service.name, p.backend.service.port.number]);
    expect(routes).toEqual([['/', 'todo-frontend', 3000], ['/api', 'todo-backend', 8000]]);
    const backendPods = { 'app.kubernetes.io/name': 'todo-backend', 'app.kubernetes.io/instance': 'todo-backend' };
    const metrics = plus.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name.startsWith('shop-metrics-'));
    expect(metrics.spec.podSelector).toEqual({ matchLabels: backendPods });
    expect(metrics.spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { app: 'prometheus' } } }]);
    expect(plus.find((o) => o.kind === 'Service' && o.metadata.name.startsWith('shop-debug-')).spec.selector).toEqual(backendPods);
    const narrowed = one(plus, 'NetworkPolicy', 'todo-backend');
    expect(narrowed.spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'todo-frontend', 'app.kubernetes.io/instance': 'todo-frontend' } } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: {} },
    ]);
    expect(validateObjects(plus)).toEqual([]);
    expect(runAllChecks(plus, { externalSecrets: ['b', 'f'] })).toEqual([]);
    const plusChart = path.join(out, 'plus-chart');
    expect(helm(['lint', '--strict', plusChart]).stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(comparable(one(template(plusChart, { skipTests: true }), 'NetworkPolicy', 'todo-backend'))).toEqual(comparable(narrowed));

    // Escape hatches: the patched replicas, the patched ConfigMap, the Chart's labels and namespace, the excuse.
    const patched = readYaml(path.join(out, 'patched', 'shop.k8s.yaml'));
    const unpatched = readYaml(path.join(out, 'unpatched', 'shop.k8s.yaml'));
    const checksum = (objects: any[]) => one(objects, 'Deployment', 'todo-backend').spec.template.metadata.annotations['checksum/config'];
    expect(checksum(patched)).not.toBe(checksum(unpatched));
    expect(validateObjects(patched)).toEqual([]);
    for (const name of ['todo-backend', 'todo-frontend']) {
      const dir = path.join(out, `patched-${name}`);
      const lint = helm(['lint', '--strict', dir]);
      expect(`${name}: ${lint.stdout}`).toContain('1 chart(s) linted, 0 chart(s) failed');
      const rendered = template(dir, { skipTests: true });
      expect(validateObjects(rendered)).toEqual([]);
      for (const kind of ['Deployment', 'Service', 'ConfigMap', 'NetworkPolicy']) {
        const objName = kind === 'ConfigMap' ? `${name}-config` : name;
        const mine = one(rendered, kind, objName);
        expect(comparable(mine)).toEqual(comparable(one(patched, kind, objName)));
        expect(mine.metadata).toMatchObject({ namespace: 'shop', labels: { team: 'web' } });
      }
    }
    expect(one(template(path.join(out, 'patched-todo-frontend'), { skipTests: true }), 'Deployment', 'todo-frontend').spec.replicas).toBe(4);
    expect(one(template(path.join(out, 'patched-todo-backend'), { skipTests: true }), 'ConfigMap', 'todo-backend-config').data.LOG_LEVEL).toBe('debug');

    // The patched image: refused at synth with the field and the values to use instead; nothing written.
    expect(result.imagePatch).toBe([
      'Validation failed with the following errors:',
      '  [frontend-chart] Deployment default/todo-frontend spec.template.spec.containers[0].image: a JSON patch changed it to "ghcr.io/acme/web:9", but the Helm chart renders it from the values \'image.repository\', \'image.tag\'; set it through the component\'s props (the chart\'s default follows them) instead of a patch',
    ].join('\n'));
    expect(result.imagePatchWrote).toEqual([]);
  });

  test('the generated Kubernetes classes are importable as todo-cdk8s/k8s (node10 and nodenext resolution); other deep imports are refused', () => {
    const ok = `const k8s = require('todo-cdk8s/k8s'); console.log(typeof k8s.KubeDeployment, typeof k8s.IntOrString.fromNumber, typeof k8s.KubeJob)`;
    // The classes the constructs use are there; others (trimmed from the package) come from your own `cdk8s import k8s`.
    expect(run(process.execPath, ['-e', ok], app).trim()).toBe('function function undefined');
    const deep = spawnSync(process.execPath, ['-e', "require('todo-cdk8s/build/imports/k8s')"], { cwd: app, encoding: 'utf8' });
    expect(deep.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
    fs.writeFileSync(path.join(app, 'types.mts'), [
      "import { TodoApp } from 'todo-cdk8s';",
      "import { KubeDeployment, KubeService } from 'todo-cdk8s/k8s';",
      'export const f = (todo: TodoApp): [KubeDeployment, KubeService] => [todo.backend.deployment, todo.backend.service];',
    ].join('\n'));
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const common = ['--noEmit', '--strict', '--skipLibCheck', '--types', 'node', '--typeRoots', path.join(ROOT, 'node_modules', '@types')];
    for (const resolution of [['--module', 'nodenext', '--moduleResolution', 'nodenext'], ['--module', 'commonjs', '--moduleResolution', 'node10']]) {
      const file = resolution.includes('nodenext') ? 'types.mts' : 'checks.ts';
      const r = spawnSync(process.execPath, [tsc, ...common, ...resolution, file], { cwd: app, encoding: 'utf8' });
      expect(`${resolution.join(' ')}: ${r.stdout}`).toBe(`${resolution.join(' ')}: `);
    }
  });

  test('the package exports its public API by name, and internals do not compile against it', () => {
    const keys = JSON.parse(run(process.execPath, ['-e', "console.log(JSON.stringify(Object.keys(require('todo-cdk8s')).sort()))"], app));
    expect(keys).toEqual(['AppComponent', 'BACKEND_IMAGE', 'BackendDatabase', 'DatabaseEngine', 'DockerImage', 'FRONTEND_IMAGE', 'HealthProbe', 'ProbeType', 'Profile', 'TodoApp', 'TodoBackend', 'TodoFrontend', 'TodoHelmChart', 'assertChecksPass', 'excuseLintFinding', 'runAllChecks', 'synthesize']);
    fs.writeFileSync(path.join(app, 'internal.ts'), [
      "import { Chart, Testing } from 'cdk8s';",
      "import { check, TodoApp } from 'todo-cdk8s';",
      "const todo = new TodoApp(new Chart(Testing.app(), 'c'), 'todo');",
      'console.log(todo.backend.secretVariables, todo.backend.replicas, check);',
    ].join('\n'));
    const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict', '--types', 'node', '--typeRoots', path.join(ROOT, 'node_modules', '@types'), 'internal.ts'], { cwd: app, encoding: 'utf8' });
    expect(tsc.status).not.toBe(0);
    expect(tsc.stdout).toContain(`Module '"todo-cdk8s"' has no exported member 'check'`);
    expect(tsc.stdout).toContain(`Property 'secretVariables' does not exist on type 'TodoBackend'`);
    expect(tsc.stdout).toContain(`Property 'replicas' does not exist on type 'TodoBackend'`);
  });

  test('the `todo-cdk8s` bin runs from the compiled output: a deploy with stand-in tools', async () => {
    const bin = path.join(app, 'node_modules', '.bin', 'todo-cdk8s');
    expect(fs.realpathSync(bin)).toBe(path.join(fs.realpathSync(app), 'node_modules', 'todo-cdk8s', 'build', 'lib', 'deploy', 'cli.js'));
    const world = await StandInWorld.create();
    try {
      const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(bin, ['deploy', world.appDir, '--outdir', world.outdir], { cwd: app, env: world.env() });
        let output = '';
        child.stdout.on('data', (d) => (output += d));
        child.stderr.on('data', (d) => (output += d));
        child.on('close', (code) => resolve({ code, output }));
      });
      expect(result.output).toContain(`Open http://127.0.0.1:${world.frontend.port}`);
      expect(result.code).toBe(0);
      expect(world.frontend.requests).toContain('/');
    } finally {
      await world.close();
    }
  });
});

describe('the build', () => {
  test('keeps its incremental state inside its output, so that removing build/ rebuilds all of it', () => {
    // A state file elsewhere (node_modules/.cache) outlived `rm -rf build`, and the next `npm run build` emitted nothing.
    const ts: typeof import('typescript') = require('typescript');
    const file = path.join(ROOT, 'tsconfig.build.json');
    const config = ts.parseJsonConfigFileContent(ts.readConfigFile(file, ts.sys.readFile).config, ts.sys, ROOT, undefined, file);
    const outDir = config.options.outDir!;
    const state = config.options.tsBuildInfoFile!;
    expect(path.relative(outDir, state).startsWith('..')).toBe(false);
    expect(path.relative(ROOT, outDir)).toBe('build');
  });
});
