import { spawnSync } from 'child_process';
import { JsonPatch } from 'cdk8s';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IntOrString, KubeConfigMap, KubePodDisruptionBudget } from '../imports/k8s';
import { generationsDir } from '../lib/output';
import { synthesize } from '../lib/synth';
import { TodoApp } from '../lib/todo-app';
import { runAllChecks } from '../lib/checks';
import { checkLint, exceptionsWithoutReason } from '../lib/checks/lint';
import { validateObjects } from './support/k8s-schema';
import { expectComponentEnv, find, redactSecrets, secretValues, TEST_SECRETS, TEST_SIGNING_KEYS, withoutComponentEnv } from './support/util';
import { readYaml } from './support/yaml';

const ROOT = path.join(__dirname, '..');

describe('synthesize (the default app)', () => {
  let tmp: string;
  let outdir: string;
  let env: { [k: string]: string };
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-'));
    outdir = path.join(tmp, 'dist');
    // Every signing key given: no secrets file is written unless a test asks for one.
    env = { ...TEST_SIGNING_KEYS, TODO_SECRETS_FILE: path.join(tmp, 'secrets.json') };
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const read = (dir: string) => Object.fromEntries(synthesize({ outdir: dir, env }).files.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));

  test('writes the manifests and the build script; twice gives identical output', () => {
    const first = read(outdir);
    expect(Object.keys(first)).toEqual(expect.arrayContaining(['build-images.sh', 'todo.k8s.yaml']));
    expect(read(outdir)).toEqual(first);
    expect(fs.statSync(path.join(outdir, 'build-images.sh')).mode & 0o111).not.toBe(0);
  });

  test('lists the files it wrote as they were at the end of the synth, each directory sorted by localeCompare', () => {
    const result = synthesize({ outdir, env });
    const walk = (dir: string, prefix = ''): string[] => fs.readdirSync(dir).sort((a, b) => a.localeCompare(b))
      .flatMap((name) => (fs.statSync(path.join(dir, name)).isDirectory() ? walk(path.join(dir, name), `${prefix}${name}/`) : [`${prefix}${name}`]));
    const written = walk(outdir);
    expect(written).toHaveLength(36);
    expect(written.slice(0, 4)).toEqual(['build-images.sh', 'helm/backend/.helmignore', 'helm/backend/Chart.yaml', 'helm/backend/templates/_helpers.tpl']);
    expect(written.at(-1)).toBe('todo.k8s.yaml');
    fs.rmSync(outdir, { recursive: true });
    expect(result.files).toEqual(written);
    expect(result.files).toBe(result.files);
  });

  test('snapshot of the manifests (secret values redacted; the components\' own environment is pinned by their suites, and asserted here)', () => {
    let todo!: TodoApp;
    synthesize({ outdir, env, extend: (t) => { todo = t; } });
    const objects = readYaml(path.join(outdir, 'todo.k8s.yaml'));
    expect(withoutComponentEnv(redactSecrets(objects))).toMatchSnapshot();
    expectComponentEnv(objects, todo.components);
  });

  test('every object is strictly valid for Kubernetes 1.28 and passes every check', () => {
    synthesize({ outdir, env: { ...env, TODO_NAMESPACE: 'todo' } });
    const objects = readYaml(path.join(outdir, 'todo.k8s.yaml'));
    expect(objects.length).toBeGreaterThanOrEqual(9);
    expect(validateObjects(objects)).toEqual([]);
    expect(runAllChecks(objects)).toEqual([]);
    expect(checkLint(objects)).toEqual([]);
    expect(exceptionsWithoutReason(objects)).toEqual([]);
  });

  test('with the tags deploy passes (content tags), no latest exception is left; Minikube keeps NodePort and IfNotPresent, with reasons', () => {
    synthesize({ outdir, env: { ...env, TODO_BACKEND_IMAGE_TAG: 'c0ffee12', TODO_FRONTEND_IMAGE_TAG: 'c0ffee34' } });
    const objects = readYaml(path.join(outdir, 'todo.k8s.yaml'));
    for (const name of ['todo-backend', 'todo-frontend']) {
      const annotations = find(objects, 'Deployment', name).metadata.annotations;
      expect(annotations['kube-score/ignore']).toBe('container-image-pull-policy');
      expect(annotations['ignore-check.kube-linter.io/latest-tag']).toBeUndefined();
      expect(annotations['kube-score.todo-cdk8s/container-image-pull-policy']).toContain('Docker daemon');
      expect(find(objects, 'Service', name).metadata.annotations['kube-score/ignore']).toBe('service-type');
    }
    expect(checkLint(objects)).toEqual([]);
  });

  test('a non-default namespace is created first, labelled for restricted Pod Security', () => {
    synthesize({ outdir, env: { ...env, TODO_NAMESPACE: 'todo' } });
    const objects = readYaml(path.join(outdir, 'todo.k8s.yaml'));
    expect(objects[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'todo', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } });
    expect(objects[0].metadata.namespace).toBeUndefined();
    expect(objects.slice(1).every((o) => o.metadata.namespace === 'todo')).toBe(true);
  });

  test('secrets come from the environment, else from the secrets file, kept across synths', () => {
    synthesize({ outdir, env });
    expect(secretValues(find(readYaml(path.join(outdir, 'todo.k8s.yaml')), 'Secret', 'todo-backend-secret')).JWT_SECRET).toBe(TEST_SECRETS.jwtSecret);

    const noEnv = { TODO_SECRETS_FILE: env.TODO_SECRETS_FILE };
    synthesize({ outdir, env: noEnv });
    const generated = secretValues(find(readYaml(path.join(outdir, 'todo.k8s.yaml')), 'Secret', 'todo-frontend-secret')).BETTER_AUTH_SECRET;
    expect(generated).toHaveLength(43);
    synthesize({ outdir, env: noEnv });
    expect(secretValues(find(readYaml(path.join(outdir, 'todo.k8s.yaml')), 'Secret', 'todo-frontend-secret')).BETTER_AUTH_SECRET).toBe(generated);
  });

  test('no secret value reaches a ConfigMap or the build script', () => {
    synthesize({ outdir, env: { ...env, ANTHROPIC_API_KEY: 'sk-ant-test' } });
    const configMaps = readYaml(path.join(outdir, 'todo.k8s.yaml')).filter((o) => o.kind === 'ConfigMap');
    const exposed = JSON.stringify(configMaps) + fs.readFileSync(path.join(outdir, 'build-images.sh'), 'utf8');
    for (const value of [TEST_SECRETS.jwtSecret, TEST_SECRETS.betterAuthSecret, 'sk-ant-test']) {
      expect(exposed).not.toContain(value);
    }
  });

  test('the cluster profile: Ingress, autoscalers, budgets; the build script pushes to the registry', () => {
    synthesize({ outdir, env: { ...env, TODO_PROFILE: 'cluster', TODO_HOST: 'todo.example.com', TODO_DATABASE: 'postgres', DATABASE_URL: 'postgresql://u:p@db:5432/todo', TODO_BACKEND_IMAGE: 'registry.example.com/todo/backend', TODO_FRONTEND_IMAGE: 'registry.example.com/todo/frontend' } });
    const objects = readYaml(path.join(outdir, 'todo.k8s.yaml'));
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'ConfigMap', 'Deployment', 'Deployment', 'HorizontalPodAutoscaler', 'HorizontalPodAutoscaler', 'Ingress', 'Ingress',
      'NetworkPolicy', 'NetworkPolicy', 'PodDisruptionBudget', 'PodDisruptionBudget', 'Secret', 'Secret', 'Service', 'Service']);
    expect(validateObjects(objects)).toEqual([]);
    expect(runAllChecks(objects)).toEqual([]);
    expect(checkLint(objects)).toEqual([]);
    expect(exceptionsWithoutReason(objects)).toEqual([]);
    const script = fs.readFileSync(path.join(outdir, 'build-images.sh'), 'utf8');
    expect(script).not.toContain('minikube');
    expect(script).toContain("docker push 'registry.example.com/todo/frontend:latest'");
    expect(script).toContain("--build-arg 'NEXT_PUBLIC_API_URL=http://todo.example.com/api'");
  });

  test('findings on objects added through extend are warnings naming the check and the annotation that silences it', () => {
    const warnings: string[] = [];
    const result = synthesize({
      outdir,
      env,
      warn: (m) => warnings.push(m),
      extend: (todo) => {
        new KubePodDisruptionBudget(todo.backend, 'Extra', { metadata: { name: 'extra' }, spec: { minAvailable: IntOrString.fromNumber(1), selector: { matchLabels: todo.frontend.selectorLabels } } });
      },
    });
    expect(result.lintWarnings.map((f) => `${f.object} ${f.check}`)).toEqual(['PodDisruptionBudget default/extra pdb-unhealthy-pod-eviction-policy']);
    expect(warnings).toEqual([
      'warning: 1 kube-score/kube-linter finding(s) on objects added by extend:\n'
      + '  - PodDisruptionBudget default/extra spec.unhealthyPodEvictionPolicy: kube-linter pdb-unhealthy-pod-eviction-policy: unhealthyPodEvictionPolicy is not set (AlwaysAllow lets a drain evict pods that are not ready)'
      + ' (if deliberate, annotate the object with ignore-check.kube-linter.io/pdb-unhealthy-pod-eviction-policy: "<reason>")',
    ]);
    expect(find(readYaml(path.join(outdir, 'todo.k8s.yaml')), 'PodDisruptionBudget', 'extra').spec.minAvailable).toBe(1);
    expect(synthesize({ outdir, env }).lintWarnings).toEqual([]);
  });

  describe('a failed synth leaves no half-written output', () => {
    test('fails when a setting is invalid, and writes nothing', () => {
      expect(() => synthesize({ outdir, env: { ...env, TODO_BACKEND_REPLICAS: '-2' } })).toThrow("'TODO_BACKEND_REPLICAS' must be a whole number of at least 0, got -2");
      expect(fs.readdirSync(tmp)).toEqual([]);
    });

    test('fails when a check fails (a Service that selects nothing), naming object and field, and writes nothing', () => {
      const noEnvSecrets = { TODO_SECRETS_FILE: env.TODO_SECRETS_FILE };
      expect(() => synthesize({
        outdir,
        env: noEnvSecrets,
        extend: (todo) => todo.backend.service.addJsonPatch(JsonPatch.replace('/spec/selector', { app: 'nothing' })),
      })).toThrow('1 check(s) failed on the manifests:\n  - Service default/todo-backend spec.selector: selects no pods (selector {"app":"nothing"})');
      expect(fs.readdirSync(tmp)).toEqual([]);
    });

    test('fails when an object of extend takes the name of one of the app\'s, reported once (the checks of app.synth() are left to synthesize)', () => {
      expect(() => synthesize({
        outdir,
        env,
        extend: (todo) => new KubeConfigMap(todo, 'Mine', { metadata: { name: 'todo-backend-config' }, data: { A: 'b' } }),
      })).toThrow(/^1 check\(s\) failed on the manifests:\n  - ConfigMap default\/todo-backend-config metadata.name: 2 objects have this kind, namespace and name; the cluster keeps one, so each apply would overwrite the others \(give each a name of its own\)$/);
      expect(fs.readdirSync(tmp)).toEqual([]);
    });

    test('fails when a kube-score check fails on the app\'s own objects (an exception removed), and writes nothing', () => {
      expect(() => synthesize({
        outdir,
        env,
        extend: (todo) => todo.backend.service.addJsonPatch(JsonPatch.remove('/metadata/annotations')),
      })).toThrow('1 kube-score/kube-linter check(s) failed on the manifests:\n  - Service default/todo-backend spec.type: kube-score service-type: the Service is of type NodePort');
      expect(fs.readdirSync(tmp)).toEqual([]);
    });

    test('fails when an exception of the app\'s own has no reason', () => {
      expect(() => synthesize({
        outdir,
        env,
        extend: (todo) => todo.backend.service.addJsonPatch(JsonPatch.remove('/metadata/annotations/kube-score.todo-cdk8s~1service-type')),
      })).toThrow('kube-score/ignore lists service-type without a reason');
      expect(fs.readdirSync(tmp)).toEqual([]);
    });

    test('fails when two nodePorts collide, and keeps the previous output as it was', () => {
      const before = read(outdir);
      expect(() => synthesize({ outdir, env: { ...env, TODO_BACKEND_NODE_PORT: '30300' } })).toThrow("'TODO_BACKEND_NODE_PORT' must be different from the frontend's default nodePort");
      expect(Object.fromEntries(Object.keys(before).map((f) => [f, fs.readFileSync(path.join(outdir, f), 'utf8')]))).toEqual(before);
      expect(fs.readdirSync(tmp).sort()).toEqual(['.dist.gen', 'dist']);
    });

    test('when newly generated secrets cannot be saved, the output is not replaced (it would disagree with the file)', () => {
      const noEnvSecrets = { TODO_SECRETS_FILE: env.TODO_SECRETS_FILE };
      const before = read(outdir);
      // A path even root cannot write: reading finds no file, saving fails.
      const unwritable = { TODO_SECRETS_FILE: '/proc/self/todo-secrets.json', TODO_BACKEND_IMAGE_TAG: 'v9' };
      expect(() => synthesize({ outdir, env: unwritable })).toThrow(/todo-secrets\.json/);
      expect(Object.fromEntries(Object.keys(before).map((f) => [f, fs.readFileSync(path.join(outdir, f), 'utf8')]))).toEqual(before);
      expect(fs.readdirSync(generationsDir(outdir))).toHaveLength(2);
      // The keys a synth generates are those of the file, every time.
      synthesize({ outdir, env: noEnvSecrets });
      const saved = JSON.parse(fs.readFileSync(env.TODO_SECRETS_FILE, 'utf8'));
      expect(secretValues(find(readYaml(path.join(outdir, 'todo.k8s.yaml')), 'Secret', 'todo-backend-secret')).JWT_SECRET).toBe(saved.JWT_SECRET);
    });
  });

  describe('through the cdk8s CLI (`npm run synth`)', () => {
    const cli = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');
    const runCli = (extraEnv: { [k: string]: string }) =>
      spawnSync(cli, ['synth', '--output', outdir], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env, ...extraEnv, CDK8S_CHECK_UPGRADE: 'false' } });

    test('writes dist with the manifests and the build script', () => {
      const result = runCli({});
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(fs.readdirSync(outdir)).toEqual(expect.arrayContaining(['build-images.sh', 'todo.k8s.yaml']));
    });

    test('fails with the setting named; a first synth leaves no output directory', () => {
      const result = runCli({ TODO_FRONTEND_NODE_PORT: '99999' });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain("synth failed: 'TODO_FRONTEND_NODE_PORT' must be an integer between 30000 and 32767, got 99999");
      expect(fs.existsSync(outdir)).toBe(false);
      expect(fs.existsSync(generationsDir(outdir))).toBe(false);
    });

    test('--output DIR: the CLI removes DIR before the app runs; a failed synth puts it back as it was', () => {
      expect(runCli({}).status).toBe(0);
      const before = Object.fromEntries(['todo.k8s.yaml', 'build-images.sh', 'helm/backend/Chart.yaml'].map((f) => [f, fs.readFileSync(path.join(outdir, f), 'utf8')]));
      const links = fs.readdirSync(outdir).map((n) => [n, fs.readlinkSync(path.join(outdir, n))]);
      const result = runCli({ TODO_FRONTEND_NODE_PORT: '99999' });
      expect(result.status).not.toBe(0);
      expect(fs.readdirSync(outdir).map((n) => [n, fs.readlinkSync(path.join(outdir, n))])).toEqual(links);
      expect(Object.fromEntries(Object.keys(before).map((f) => [f, fs.readFileSync(path.join(outdir, f), 'utf8')]))).toEqual(before);
    });
  });
});
