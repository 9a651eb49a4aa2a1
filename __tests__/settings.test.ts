import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Size } from 'cdk8s';
import * as fc from 'fast-check';
import { ImagePullPolicy } from 'cdk8s-plus-28';
import { BackendDatabase } from '../lib/backend-database';
import { buildDefaultApp } from '../lib/default-app';
import { Environment, readSecretSettings, readSettings, readSettingsFile, SECRET_SETTINGS, Settings, SETTINGS } from '../lib/settings';
import { synthesize } from '../lib/synth';
import { APP_VARIABLES, Profile, TodoApp } from '../lib/todo-app';
import { runAllChecks } from '../lib/checks';
import { validateObjects } from './support/k8s-schema';
import { TEST_SIGNING_KEYS } from './support/util';
import { readYaml } from './support/yaml';
import { databaseKind, readSettings as readSettingsOf } from '../lib/settings';

const CONFIG = path.join(__dirname, '..', 'config');
/** The signing keys, as the secrets file would give them. */
const SECRETS = TEST_SIGNING_KEYS;
const CLUSTER = { TODO_PROFILE: 'cluster', TODO_HOST: 'todo.example.com', TODO_DATABASE: 'postgres', TODO_DATABASE_SECRET: 'todo-db' };

/** Settings, then the default app built from them, as `npm run synth` builds it (in memory). */
function build(env: Environment, configDir = CONFIG): { todo: TodoApp; settings: Settings } {
  const settings = readSettings(env, { configDir });
  return { todo: buildDefaultApp(new App(), settings, SECRETS), settings };
}

describe('readSettings', () => {
  test('with no variables, nothing is set: the constructs\' own defaults apply', () => {
    expect(readSettings({})).toStrictEqual({ namespace: 'default', secretsFile: '.todo-secrets.json', app: {} });
    const { todo } = build({});
    expect(todo.nodeAddress).toBe('192.168.49.2');
    expect(todo.backend).toMatchObject({ replicas: 1, nodePort: 30800, imagePullPolicy: ImagePullPolicy.IF_NOT_PRESENT });
    expect(todo.backend.readinessProbe.path).toBe('/health');
    expect(todo.backend.livenessProbe.type).toBe('tcp');
    expect(todo.backend.image.reference).toBe('todo-backend:latest');
    expect(todo.frontend.image.reference).toBe('todo-frontend:latest');
  });

  test('the cluster profile passes only what was set: backend path, autoscaling and volume defaults stay the constructs\'', () => {
    expect(readSettings(CLUSTER).app).toStrictEqual({
      profile: Profile.CLUSTER,
      cluster: { host: 'todo.example.com' },
      backend: { database: expect.any(BackendDatabase) },
    });
    const { todo } = build(CLUSTER);
    expect(todo.backend.ingressRoute?.path).toBe('/api');
    expect(todo.backend.autoscaling).toEqual({ minReplicas: 2, maxReplicas: 5, targetCpuUtilization: 70 });
  });

  test('TODO_MIN_REPLICAS=7 alone works as the same props do: the maximum becomes 7', () => {
    const { todo } = build({ ...CLUSTER, TODO_MIN_REPLICAS: '7' });
    expect(todo.backend.autoscaling).toEqual({ minReplicas: 7, maxReplicas: 7, targetCpuUtilization: 70 });
    expect(todo.frontend.autoscaling).toEqual({ minReplicas: 7, maxReplicas: 7, targetCpuUtilization: 70 });
    expect(build({ ...CLUSTER, TODO_MAX_REPLICAS: '3' }).todo.backend.autoscaling!.maxReplicas).toBe(3);
  });

  // A value of each setting and the context it applies in; each must land in the built app.
  const SAMPLES: { [variable: string]: [Environment, string, string | number] } = {
    TODO_ENV: [{}, 'dev', 'dev'],
    TODO_NAMESPACE: [{}, 'todo', 'todo'],
    TODO_NODE_ADDRESS: [{}, '192.168.58.2', '192.168.58.2'],
    TODO_IMAGE_PULL_POLICY: [{}, 'Never', 'Never'],
    TODO_BACKEND_IMAGE: [{}, 'registry.local:5000/todo/api', 'registry.local:5000/todo/api'],
    TODO_BACKEND_IMAGE_TAG: [{}, 'v1.2.3', 'v1.2.3'],
    TODO_BACKEND_REPLICAS: [{}, '0', 0],
    TODO_BACKEND_NODE_PORT: [{}, '31000', 31000],
    TODO_BACKEND_HEALTH_PATH: [{}, '/healthz', '/healthz'],
    TODO_PROFILE: [{ TODO_HOST: 'a.example', TODO_DATABASE: 'postgres', TODO_DATABASE_SECRET: 'db' }, 'cluster', 'cluster'],
    TODO_HOST: [CLUSTER, 'todo.example.org', 'todo.example.org'],
    TODO_TLS_SECRET: [CLUSTER, 'tls', 'tls'],
    TODO_INGRESS_CLASS: [CLUSTER, 'nginx', 'nginx'],
    TODO_BACKEND_PATH: [CLUSTER, '/v1', '/v1'],
    TODO_MIN_REPLICAS: [CLUSTER, '3', 3],
    TODO_MAX_REPLICAS: [CLUSTER, '6', 6],
    TODO_TARGET_CPU: [CLUSTER, '50', 50],
    TODO_DATABASE: [{}, 'ephemeral-sqlite', 'ephemeral-sqlite'],
    TODO_DATABASE_SECRET: [{ TODO_DATABASE: 'postgres' }, 'todo-db', 'todo-db'],
    TODO_BACKEND_VOLUME_SIZE: [{}, '5Gi', '5Gi'],
    TODO_BACKEND_STORAGE_CLASS: [{}, 'fast', 'fast'],
    TODO_NETWORK_POLICY: [{}, 'false', 'false'],
    TODO_FRONTEND_IMAGE: [{}, 'web', 'web'],
    TODO_FRONTEND_IMAGE_TAG: [{}, 'v2', 'v2'],
    TODO_FRONTEND_REPLICAS: [{}, ' 3 ', 3],
    TODO_FRONTEND_NODE_PORT: [{}, '31001', 31001],
    TODO_FRONTEND_LIVENESS_PATH: [{}, '/login', '/login'],
    TODO_SECRETS_FILE: [{}, '/tmp/x.json', '/tmp/x.json'],
    // The settings of the components' variables bring their own sample (PropVariable.setting.example).
    ...Object.fromEntries(APP_VARIABLES.flatMap((c) => c.env.flatMap((v): [string, [Environment, string, string | number]][] => (v.setting === undefined ? []
      : [[v.setting.variable, [{}, v.setting.example, v.rule.schema.type === 'integer' ? Number(v.setting.example) : v.setting.example]]])))),
  };

  test('every setting has a sample here', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(SETTINGS.map((d) => d.variable).sort());
  });

  test.each(SETTINGS.map((d) => [d.variable, d]))('%s sets its value in the built app', (variable, def) => {
    const [context, value, expected] = SAMPLES[variable];
    const { todo, settings } = build({ ...context, [variable]: value });
    expect(def.inEffect(todo, settings)).toBe(expected);
    expect(def.rule.test(expected)).toBe(true);
  });

  test('the image repository and tag combine; the tag alone keeps the default repository', () => {
    expect(build({ TODO_BACKEND_IMAGE: 'api', TODO_BACKEND_IMAGE_TAG: 'v3' }).todo.backend.image.reference).toBe('api:v3');
    expect(build({ TODO_FRONTEND_IMAGE_TAG: 'v3' }).todo.frontend.image.reference).toBe('todo-frontend:v3');
  });

  test('an empty optional value is no value, also where the profile ignores the setting', () => {
    expect(readSettings({ TODO_HOST: '', TODO_TLS_SECRET: '', TODO_DATABASE_SECRET: '', TODO_BACKEND_STORAGE_CLASS: '' }).app).toStrictEqual({});
  });

  test('a NodePort address in canonical form and DNS names are kept as written', () => {
    for (const address of ['10.0.0.1', '0.0.0.0', '255.255.255.255', 'minikube', 'node-1.example.com', '3com.example']) {
      const { todo } = build({ TODO_NODE_ADDRESS: address });
      expect(todo.frontend.image.buildArgs.NEXT_PUBLIC_API_URL).toBe(`http://${address}:30800`);
      expect(todo.backend.env.CORS_ORIGINS).toBe(`http://${address}:30300`);
    }
  });

  describe('fails when', () => {
    const cases: Array<[string, Environment, string]> = [
      ['a TODO_ variable is unknown (a typo)', { TODO_BAKEND_REPLICAS: '2' }, 'unknown setting TODO_BAKEND_REPLICAS; the settings are TODO_ENV, TODO_NAMESPACE'],
      ['replicas are not a number', { TODO_BACKEND_REPLICAS: 'two' }, `'TODO_BACKEND_REPLICAS' must be a whole number of at least 0, got "two"`],
      ['replicas are fractional', { TODO_FRONTEND_REPLICAS: '1.5' }, `'TODO_FRONTEND_REPLICAS' must be a whole number of at least 0, got "1.5"`],
      ['replicas are negative', { TODO_FRONTEND_REPLICAS: '-1' }, `'TODO_FRONTEND_REPLICAS' must be a whole number of at least 0, got -1`],
      ['a nodePort is out of range', { TODO_BACKEND_NODE_PORT: '80' }, `'TODO_BACKEND_NODE_PORT' must be an integer between 30000 and 32767, got 80`],
      ['the namespace is not DNS-1123', { TODO_NAMESPACE: 'My_NS' }, `'TODO_NAMESPACE' must be a DNS-1123 label`],
      ['the namespace is empty', { TODO_NAMESPACE: '' }, `'TODO_NAMESPACE' must be a DNS-1123 label`],
      ['the pull policy is unknown', { TODO_IMAGE_PULL_POLICY: 'Sometimes' }, `'TODO_IMAGE_PULL_POLICY' must be one of "IfNotPresent", "Never", "Always", got "Sometimes"`],
      ['an image reference is malformed', { TODO_BACKEND_IMAGE: 'Todo Backend' }, `'TODO_BACKEND_IMAGE' must be an image repository`],
      ['an image tag is malformed', { TODO_FRONTEND_IMAGE_TAG: '-bad' }, `'TODO_FRONTEND_IMAGE_TAG' must be an image tag`],
      ['a probe path is relative', { TODO_BACKEND_HEALTH_PATH: 'health' }, `'TODO_BACKEND_HEALTH_PATH' must be an absolute HTTP path`],
      ['the database is unknown', { TODO_DATABASE: 'mysql' }, `'TODO_DATABASE' must be one of "sqlite", "ephemeral-sqlite", "postgres", got "mysql"`],
      ['the volume size is not a quantity', { TODO_BACKEND_VOLUME_SIZE: '5 GB' }, `'TODO_BACKEND_VOLUME_SIZE' must be a storage quantity above zero`],
      ['the network policy switch is not a boolean', { TODO_NETWORK_POLICY: 'yes' }, `'TODO_NETWORK_POLICY' must be one of "true", "false", got "yes"`],
      ['the node address is a URL', { TODO_NODE_ADDRESS: 'http://x' }, `'TODO_NODE_ADDRESS' must be a hostname or IPv4 address`],
    ];
    test.each(cases)('%s', (_name, env, message) => {
      expect(() => build(env)).toThrow(message);
    });

    // URL parsers read these as (other) IPv4 addresses: `new URL` threw "Invalid URL" or rewrote them silently.
    test.each(['999.1.1.1', '192.168.049.2', '010.0.0.1', '1.2.3', '12345', '0x7f.1', '0x7f', '256.0.0.1', '1.2.3.4.5', '1.2.3.'])(
      'TODO_NODE_ADDRESS is %s, which is no DNS name and no canonical IPv4 address', (address) => {
        const attempt = () => build({ TODO_NODE_ADDRESS: address });
        expect(attempt).toThrow(`'TODO_NODE_ADDRESS' must be a hostname or IPv4 address: a DNS name whose last label starts with a letter (such as "minikube.local"), or four numbers from 0 to 255 without leading zeros (such as "192.168.49.2"), got ${JSON.stringify(address)}`);
        expect(attempt).not.toThrow(/Invalid URL/);
      });

    test.each([
      ['TODO_BACKEND_REPLICAS=2 on SQLite', { TODO_BACKEND_REPLICAS: '2' }, `'TODO_BACKEND_REPLICAS' must be 0 or 1 with SQLite (one writer: each pod would otherwise get its own database, or fight over one ReadWriteOnce volume), got 2; TODO_DATABASE=sqlite (the default): set TODO_DATABASE=postgres to run more`],
      ['TODO_BACKEND_REPLICAS=3 on the ephemeral SQLite', { TODO_BACKEND_REPLICAS: '3', TODO_DATABASE: 'ephemeral-sqlite' }, `'TODO_BACKEND_REPLICAS' must be 0 or 1 with SQLite (one writer: each pod would otherwise get its own database, or fight over one ReadWriteOnce volume), got 3; TODO_DATABASE=ephemeral-sqlite: set TODO_DATABASE=postgres to run more`],
      ['TODO_BACKEND_PATH=/', { ...CLUSTER, TODO_BACKEND_PATH: '/' }, `'TODO_BACKEND_PATH' must be a path prefix such as "/api" (no trailing "/"), not "/" (the frontend is served at "/"), got "/"`],
      ['the maximum is below the minimum', { ...CLUSTER, TODO_MIN_REPLICAS: '6', TODO_MAX_REPLICAS: '4' }, `'TODO_MAX_REPLICAS' must be at least 'TODO_MIN_REPLICAS' (6), got 4`],
      ['both NodePorts are the same', { TODO_BACKEND_NODE_PORT: '31000', TODO_FRONTEND_NODE_PORT: '31000' }, `'TODO_FRONTEND_NODE_PORT' must be different from 'TODO_BACKEND_NODE_PORT' (31000: a nodePort serves one Service per cluster), got 31000`],
      ['the frontend takes the backend\'s default NodePort', { TODO_FRONTEND_NODE_PORT: '30800' }, `'TODO_FRONTEND_NODE_PORT' must be different from the backend's default nodePort (30800: a nodePort serves one Service per cluster), got 30800`],
      ['the backend takes the frontend\'s default NodePort', { TODO_BACKEND_NODE_PORT: '30300' }, `'TODO_BACKEND_NODE_PORT' must be different from the frontend's default nodePort (30300: a nodePort serves one Service per cluster), got 30300`],
      ['the PostgreSQL URL is not one', { ...CLUSTER, TODO_DATABASE_SECRET: '', DATABASE_URL: 'mysql://x' }, `'DATABASE_URL' must be a PostgreSQL URL such as "postgresql://user:password@host:5432/todo", got a value of 9 characters`],
    ])('%s: the error names the variable, not a construct prop', (_n, env, message) => {
      const attempt = () => build(env as Environment);
      expect(attempt).toThrow(message);
      expect(attempt).not.toThrow(/'(backend|frontend|cluster|database|autoscaling)\./);
    });

    test.each([
      ['TODO_HOST with the Minikube profile', { TODO_HOST: 'todo.example.com' }, `'TODO_HOST' applies to TODO_PROFILE=cluster only (the Minikube profile has no Ingress and no autoscaler: browsers use NodePorts at TODO_NODE_ADDRESS), got "todo.example.com" with TODO_PROFILE=minikube (the default), which ignores it; unset it or set TODO_PROFILE=cluster`],
      ['TODO_MIN_REPLICAS with the Minikube profile', { TODO_PROFILE: 'minikube', TODO_MIN_REPLICAS: '3' }, `'TODO_MIN_REPLICAS' applies to TODO_PROFILE=cluster only (the Minikube profile has no Ingress and no autoscaler: browsers use NodePorts at TODO_NODE_ADDRESS), got 3 with TODO_PROFILE=minikube, which ignores it`],
      ['TODO_NODE_ADDRESS with the cluster profile', { ...CLUSTER, TODO_NODE_ADDRESS: '10.0.0.1' }, `'TODO_NODE_ADDRESS' applies to TODO_PROFILE=minikube only (the cluster profile runs ClusterIP Services behind an Ingress and autoscales: use TODO_HOST, TODO_MIN_REPLICAS, TODO_MAX_REPLICAS), got "10.0.0.1" with TODO_PROFILE=cluster, which ignores it; unset it or set TODO_PROFILE=minikube`],
      ['TODO_DATABASE_SECRET with SQLite', { TODO_DATABASE_SECRET: 'todo-db' }, `'TODO_DATABASE_SECRET' applies to TODO_DATABASE=postgres only, got "todo-db" with TODO_DATABASE=sqlite (the default), which ignores it; unset it or set TODO_DATABASE=postgres`],
      ['TODO_DATABASE_SECRET with the ephemeral SQLite', { TODO_DATABASE: 'ephemeral-sqlite', TODO_DATABASE_SECRET: 'todo-db' }, `'TODO_DATABASE_SECRET' applies to TODO_DATABASE=postgres only, got "todo-db" with TODO_DATABASE=ephemeral-sqlite, which ignores it`],
      ['TODO_BACKEND_VOLUME_SIZE with PostgreSQL', { TODO_DATABASE: 'postgres', TODO_DATABASE_SECRET: 'db', TODO_BACKEND_VOLUME_SIZE: '5Gi' }, `'TODO_BACKEND_VOLUME_SIZE' applies to TODO_DATABASE=sqlite only, got "5Gi" with TODO_DATABASE=postgres, which ignores it`],
      ['TODO_BACKEND_STORAGE_CLASS with the ephemeral SQLite', { TODO_DATABASE: 'ephemeral-sqlite', TODO_BACKEND_STORAGE_CLASS: 'fast' }, `'TODO_BACKEND_STORAGE_CLASS' applies to TODO_DATABASE=sqlite only, got "fast" with TODO_DATABASE=ephemeral-sqlite, which ignores it`],
      ['DATABASE_URL with SQLite', { DATABASE_URL: 'postgresql://u:p@db/todo' }, `'DATABASE_URL' applies to TODO_DATABASE=postgres only, got a value of 24 characters with TODO_DATABASE=sqlite (the default), which ignores it; unset it or set TODO_DATABASE=postgres`],
      ['DATABASE_URL beside TODO_DATABASE_SECRET', { ...CLUSTER, DATABASE_URL: 'postgresql://u:p@db/todo' }, `'DATABASE_URL' cannot be combined with 'TODO_DATABASE_SECRET' (the backend reads the URL from the Secret "todo-db", so DATABASE_URL would be ignored), got a value of 24 characters; unset one of them`],
    ])('%s: a setting the profile or database ignores is an error naming both', (_n, env, message) => {
      expect(() => build(env as Environment)).toThrow(message);
      expect(() => build(env as Environment)).not.toThrow(/postgresql:\/\/u:p/);
    });

    test('any setting of one profile is an error with the other', () => {
      const profiled = SETTINGS.filter((d) => d.profile !== undefined);
      expect(profiled.length).toBeGreaterThanOrEqual(12);
      for (const def of profiled) {
        const other = def.profile === Profile.CLUSTER ? {} : CLUSTER;
        expect(() => build({ ...other, [def.variable]: SAMPLES[def.variable][1] })).toThrow(`'${def.variable}' applies to TODO_PROFILE=${def.profile} only`);
      }
    });

    test.each([['0'], ['0Gi'], ['000Mi'], ['300Ti']])('TODO_BACKEND_VOLUME_SIZE is %s (a claim must have a size; SQLite stops at 256Ti)', (size) => {
      expect(() => build({ TODO_BACKEND_VOLUME_SIZE: size })).toThrow(`'TODO_BACKEND_VOLUME_SIZE' must be a storage quantity above zero and at most "256Ti" (the largest SQLite database), such as "512Mi" or "5Gi", got "${size}"`);
    });

    test('a zero Size is given through props, naming the prop', () => {
      expect(() => BackendDatabase.sqlite({ size: Size.gibibytes(0) })).toThrow(`'database.size' must be a storage quantity above zero and at most "256Ti"`);
    });
  });
});

describe('mixed settings (property-based, seeded like __tests__/fuzz.test.ts)', () => {
  const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
  const RUNS = 300 * Number(process.env.FUZZ_RUNS ?? 1);
  // Valid values and edge values of the settings that interact, each set or not.
  const pools: { [variable: string]: string[] } = {
    TODO_PROFILE: ['minikube', 'cluster'],
    TODO_HOST: ['todo.example.com', ''],
    TODO_DATABASE: ['sqlite', 'ephemeral-sqlite', 'postgres'],
    TODO_DATABASE_SECRET: ['todo-db', ''],
    DATABASE_URL: ['postgresql://u:p@db/todo', 'mysql://x', ''],
    TODO_BACKEND_REPLICAS: ['0', '1', '2', '5'],
    TODO_FRONTEND_REPLICAS: ['0', '3'],
    TODO_BACKEND_NODE_PORT: ['30300', '30800', '31000'],
    TODO_FRONTEND_NODE_PORT: ['30300', '30800', '31000'],
    TODO_MIN_REPLICAS: ['2', '7', '100'],
    TODO_MAX_REPLICAS: ['2', '5', '50'],
    TODO_TARGET_CPU: ['1', '100'],
    TODO_BACKEND_PATH: ['/', '/api', '/v1'],
    TODO_NODE_ADDRESS: ['10.0.0.1', 'minikube', '010.0.0.1'],
    TODO_BACKEND_VOLUME_SIZE: ['1', '0', '5Gi', '256Ti', '257Ti'],
    TODO_BACKEND_STORAGE_CLASS: ['fast', ''],
    TODO_TLS_SECRET: ['tls'],
    TODO_NETWORK_POLICY: ['true', 'false'],
    TODO_BACKEND_IMAGE: ['registry.example.com/todo/api'],
    TODO_FRONTEND_IMAGE_TAG: ['v2'],
  };
  const envs = fc.record(Object.fromEntries(Object.entries(pools).map(([k, values]) => [k, fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fc.constantFrom(...values), weight: 1 })])))
    .map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as Environment);

  test(`${RUNS} mixes: each builds an app that passes every check, or fails naming a variable the user set, never a construct prop`, () => {
    let built = 0;
    fc.assert(fc.property(envs, (env) => {
      let error: Error | undefined;
      let objects: unknown[] = [];
      try {
        const app = new App();
        const todo = buildDefaultApp(app, readSettings(env), SECRETS);
        objects = (todo.node.scope as Chart).toJson();
      } catch (e) {
        error = e as Error;
      }
      if (error === undefined) {
        built++;
        expect(runAllChecks(objects as any[], { externalSecrets: env.TODO_DATABASE_SECRET ? [env.TODO_DATABASE_SECRET] : [] })).toEqual([]);
        return;
      }
      const named = /^'(TODO_[A-Z_]+|DATABASE_URL)' /.exec(error.message)?.[1];
      // The variable named first was set, or is missing where a variable that was set (TODO_PROFILE=cluster) needs it.
      const setOne = named !== undefined && (named in env || Object.keys(env).some((k) => error!.message.includes(`${k}=${env[k]}`)));
      expect([error.message, setOne]).toEqual([error.message, true]);
      expect(error.message).not.toMatch(/'(backend|frontend|cluster|database|autoscaling|ingress)\.|'nodeAddress'|'profile'|Invalid URL/);
      expect(error.message).not.toContain('u:p@');
    }), { seed: SEED, numRuns: RUNS });
    expect(built).toBeGreaterThan(RUNS / 50);
  });
});

describe('readSettings: the cluster profile', () => {
  const base = { TODO_PROFILE: 'cluster', TODO_HOST: 'todo.example.com', TODO_DATABASE: 'postgres' };

  test('reads host, TLS, class, path and scaling; PostgreSQL from DATABASE_URL or a Secret', () => {
    const s = readSettings({ ...base, DATABASE_URL: 'postgresql://u:p@db:5432/todo', TODO_TLS_SECRET: 'tls', TODO_INGRESS_CLASS: 'nginx', TODO_BACKEND_PATH: '/v1', TODO_MIN_REPLICAS: '3', TODO_MAX_REPLICAS: '6', TODO_TARGET_CPU: '50' });
    expect(s.app.profile).toBe('cluster');
    expect(s.app.cluster).toEqual({ host: 'todo.example.com', tlsSecret: 'tls', ingressClassName: 'nginx', backendPath: '/v1', autoscaling: { minReplicas: 3, maxReplicas: 6, targetCpuUtilization: 50 } });
    expect(s.app.backend!.database!.secretUrl).toBe('postgresql://u:p@db:5432/todo');
    expect(readSettings({ ...base, TODO_DATABASE_SECRET: 'todo-db' }).app.backend!.database!.secretRef).toEqual({ name: 'todo-db', key: 'DATABASE_URL' });
    expect(readSettings({}).app.cluster).toBeUndefined();
  });

  describe('fails when', () => {
    test.each([
      ['the host is missing', { TODO_PROFILE: 'cluster', TODO_DATABASE: 'postgres', TODO_DATABASE_SECRET: 'db' }, `'TODO_HOST' must be set with TODO_PROFILE=cluster`],
      ['the database is SQLite', { TODO_PROFILE: 'cluster', TODO_HOST: 'todo.example.com' }, `'TODO_DATABASE' must be "postgres" with TODO_PROFILE=cluster (pods on several nodes cannot share a SQLite file), got "sqlite" (the default)`],
      ['PostgreSQL has no URL', base, `'DATABASE_URL' must be set with TODO_DATABASE=postgres (or 'TODO_DATABASE_SECRET' naming a Secret that holds it), got undefined`],
      ['the profile is unknown', { TODO_PROFILE: 'k3s' }, `'TODO_PROFILE' must be one of "minikube", "cluster", got "k3s"`],
      ['the minimum is 1', { ...base, TODO_MIN_REPLICAS: '1' }, `'TODO_MIN_REPLICAS' must be a whole number between 2 and 100, got 1`],
      ['the CPU target is 0', { ...base, TODO_TARGET_CPU: '0' }, `'TODO_TARGET_CPU' must be a percentage between 1 and 100, got 0`],
      ['the host has no dot', { ...base, TODO_HOST: 'todo' }, `'TODO_HOST' must be empty or a host name`],
      ['the host is an IP address', { ...base, TODO_HOST: '10.0.0.1' }, `'TODO_HOST' must be empty or a host name such as "todo.example.com" (lowercase, at least one dot, the last label starting with a letter), got "10.0.0.1"`],
      ['a NodePort is set', { ...base, TODO_DATABASE_SECRET: 'db', TODO_FRONTEND_NODE_PORT: '30300' }, `'TODO_FRONTEND_NODE_PORT' applies to TODO_PROFILE=minikube only`],
      ['a fixed replica count is set', { ...base, TODO_DATABASE_SECRET: 'db', TODO_BACKEND_REPLICAS: '2' }, `'TODO_BACKEND_REPLICAS' applies to TODO_PROFILE=minikube only`],
    ])('%s', (_n, env, message) => {
      expect(() => readSettings(env as Environment)).toThrow(message);
    });
  });
});

describe('settings files (TODO_ENV)', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, lines: string[]) => fs.writeFileSync(path.join(dir, `${name}.env`), lines.join('\n') + '\n');
  const at = (name: string, line: number) => `${path.join(dir, `${name}.env`)}:${line}`;

  test('TODO_ENV=prod reads config/prod.env; the environment wins over the file', () => {
    const prod = readSettings({ TODO_ENV: 'prod' }, { configDir: CONFIG });
    expect(prod.environment).toBe('prod');
    expect(prod.namespace).toBe('todo');
    expect(prod.app.profile).toBe(Profile.CLUSTER);
    expect(prod.app.cluster).toMatchObject({ host: 'todo.example.com', autoscaling: { minReplicas: 3, maxReplicas: 10 } });
    const overridden = readSettings({ TODO_ENV: 'prod', TODO_HOST: 'todo.example.org', TODO_BACKEND_IMAGE_TAG: 'v1.0.1' }, { configDir: CONFIG });
    expect(overridden.app.cluster!.host).toBe('todo.example.org');
    expect(overridden.app.backend!.image!.reference).toBe('registry.example.com/todo/backend:v1.0.1');
    expect(overridden.app.frontend!.image!.reference).toBe('registry.example.com/todo/frontend:v1.0.0');
  });

  test('the working directory\'s config/ is the default directory', () => {
    const cwd = process.cwd();
    process.chdir(path.join(__dirname, '..'));
    try {
      expect(readSettings({ TODO_ENV: 'dev' }).namespace).toBe('todo-dev');
    } finally {
      process.chdir(cwd);
    }
  });

  test.each([['dev'], ['prod']])('config/%s.env synthesizes strictly valid manifests that pass every check', (name) => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'env-synth-'));
    try {
      const cwd = process.cwd();
      process.chdir(path.join(__dirname, '..'));
      try {
        synthesize({ outdir: path.join(tmp, 'dist'), env: { TODO_ENV: name, TODO_SECRETS_FILE: path.join(tmp, 'secrets.json') } });
      } finally {
        process.chdir(cwd);
      }
      const objects = readYaml(path.join(tmp, 'dist', 'todo.k8s.yaml'));
      expect(validateObjects(objects)).toEqual([]);
      expect(runAllChecks(objects, { externalSecrets: name === 'prod' ? ['todo-db'] : [] })).toEqual([]);
      expect(objects.every((o) => o.kind === 'Namespace' || o.metadata.namespace === (name === 'prod' ? 'todo' : 'todo-dev'))).toBe(true);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('comments, blank lines, CRLF and spaces around "=" are allowed; values are taken literally', () => {
    fs.writeFileSync(path.join(dir, 'x.env'), '\uFEFF# a comment\r\n\r\n  TODO_NAMESPACE = team-a \r\nTODO_ANTHROPIC_MODEL=model#1\r\n');
    const s = readSettings({ TODO_ENV: 'x' }, { configDir: dir });
    expect(s.namespace).toBe('team-a');
    expect(s.app.backend!.anthropicModel).toBe('model#1');
  });

  describe('fails when', () => {
    test('TODO_ENV names no file, naming the files there are', () => {
      expect(() => readSettings({ TODO_ENV: 'stage' }, { configDir: CONFIG }))
        .toThrow(`'TODO_ENV' must be one of "dev", "prod" (config/<name>.env), got "stage"; the files are config/dev.env, config/prod.env`);
      expect(() => readSettings({ TODO_ENV: '../package' }, { configDir: CONFIG })).toThrow(`'TODO_ENV' must be one of "dev", "prod"`);
      expect(() => readSettings({ TODO_ENV: 'dev' }, { configDir: path.join(dir, 'none') })).toThrow(`'TODO_ENV' must be the name of a settings file (${path.join(dir, 'none')}/<name>.env), got "dev"; there is none in ${path.join(dir, 'none')}/`);
    });

    test('a value in the file is invalid: the error names the variable and the file:line', () => {
      write('x', ['# comment', 'TODO_NAMESPACE=todo', 'TODO_NODE_ADDRESS=010.0.0.1']);
      expect(() => readSettings({ TODO_ENV: 'x' }, { configDir: dir })).toThrow(`${at('x', 3)}: 'TODO_NODE_ADDRESS' must be a hostname or IPv4 address`);
    });

    test('an environment variable overrides an invalid value of the file', () => {
      write('x', ['TODO_NODE_ADDRESS=010.0.0.1']);
      expect(readSettings({ TODO_ENV: 'x', TODO_NODE_ADDRESS: '10.0.0.1' }, { configDir: dir }).app.nodeAddress).toBe('10.0.0.1');
    });

    test('a file value is ignored by the profile the environment chose, naming both and the line', () => {
      write('x', ['TODO_PROFILE=cluster', 'TODO_HOST=todo.example.com', 'TODO_DATABASE=postgres', 'TODO_DATABASE_SECRET=db']);
      expect(() => readSettings({ TODO_ENV: 'x', TODO_PROFILE: 'minikube' }, { configDir: dir }))
        .toThrow(`${at('x', 2)}: 'TODO_HOST' applies to TODO_PROFILE=cluster only`);
      write('y', ['TODO_PROFILE=minikube', 'TODO_MIN_REPLICAS=3']);
      expect(() => readSettings({ TODO_ENV: 'y' }, { configDir: dir }))
        .toThrow(`${at('y', 2)}: 'TODO_MIN_REPLICAS' applies to TODO_PROFILE=cluster only (the Minikube profile has no Ingress and no autoscaler: browsers use NodePorts at TODO_NODE_ADDRESS), got 3 with TODO_PROFILE=minikube (${at('y', 1)}), which ignores it`);
    });

    test('a rule across settings breaks, naming where each value came from', () => {
      write('x', ['TODO_PROFILE=cluster', 'TODO_HOST=todo.example.com', 'TODO_DATABASE=postgres', 'TODO_DATABASE_SECRET=db', 'TODO_MIN_REPLICAS=6']);
      expect(() => readSettings({ TODO_ENV: 'x', TODO_MAX_REPLICAS: '4' }, { configDir: dir }))
        .toThrow(`'TODO_MAX_REPLICAS' must be at least 'TODO_MIN_REPLICAS' (${at('x', 5)}) (6), got 4`);
    });

    test('a key in the file is unknown, like an unknown variable', () => {
      write('x', ['TODO_NAMESPACE=todo', 'TODO_HSOT=todo.example.com']);
      expect(() => readSettings({ TODO_ENV: 'x' }, { configDir: dir })).toThrow(`${at('x', 2)}: unknown setting TODO_HSOT; the settings are TODO_NAMESPACE, TODO_NODE_ADDRESS`);
      write('y', ['NODE_ENV=production']);
      expect(() => readSettings({ TODO_ENV: 'y' }, { configDir: dir })).toThrow(`${at('y', 1)}: unknown setting NODE_ENV`);
    });

    test.each(SECRET_SETTINGS.map((s) => [s.variable]))('the file holds the secret %s, without showing it', (variable) => {
      write('x', ['TODO_NAMESPACE=todo', `${variable}=postgresql://u:hunter2hunter2hunter2hunter2hunter2@db/todo`]);
      const attempt = () => readSettings({ TODO_ENV: 'x' }, { configDir: dir });
      expect(attempt).toThrow(`${at('x', 2)}: ${variable} must not be in a settings file: ${path.join(dir, 'x.env')} is checked in, and a secret in git is a leaked secret; set ${variable} in the environment, `);
      expect(attempt).not.toThrow(/hunter2/);
    });

    test.each([
      ['a line is not KEY=VALUE', ['TODO_NAMESPACE todo'], 1, `a settings file holds KEY=VALUE lines and "#" comments (no "export", values taken literally), got "TODO_NAMESPACE todo"`],
      ['a line is a shell export', ['export TODO_NAMESPACE=todo'], 1, `a settings file holds KEY=VALUE lines`],
      ['a malformed line may hold a secret', ['JWT_SECRET: hunter2'], 1, 'a settings file holds KEY=VALUE lines and "#" comments (no "export", values taken literally), got a line that may hold a secret (not shown)'],
      ['a value is quoted', ['TODO_NAMESPACE="todo"'], 1, `'TODO_NAMESPACE' must be written without quotes (values are taken literally), got "\\"todo\\""`],
      ['a value holds a comment', ['TODO_NAMESPACE=todo # the team'], 1, `'TODO_NAMESPACE' must not hold a comment (comments go on their own line, starting with "#"), got "todo # the team"`],
      ['a value would be expanded by a shell', ['TODO_BACKEND_IMAGE_TAG=${TAG}'], 1, `'TODO_BACKEND_IMAGE_TAG' must be a literal value (a settings file is not a shell script: nothing is expanded), got "\${TAG}"`],
      ['a key is set twice', ['TODO_NAMESPACE=a', '', 'TODO_NAMESPACE=b'], 3, `'TODO_NAMESPACE' is set twice`],
      ['the file sets TODO_ENV', ['TODO_ENV=prod'], 1, `'TODO_ENV' cannot be set in a settings file (it chooses the file); set it in the environment`],
    ])('%s', (_n, lines, line, message) => {
      write('x', lines as string[]);
      const attempt = () => readSettings({ TODO_ENV: 'x' }, { configDir: dir });
      expect(attempt).toThrow(`${at('x', line as number)}: ${message}`);
      expect(attempt).not.toThrow(/hunter2/);
    });
  });

  test('the checked-in files hold no secret and only known settings', () => {
    for (const name of ['dev', 'prod']) {
      const values = readSettingsFile(name, CONFIG);
      expect(values.size).toBeGreaterThan(3);
      for (const variable of values.keys()) {
        expect(SETTINGS.some((d) => d.variable === variable)).toBe(true);
      }
    }
  });
});

describe('readSecretSettings', () => {
  test('reads the three secrets; an empty ANTHROPIC_API_KEY means none', () => {
    const jwt = 'j'.repeat(32);
    const auth = 'a'.repeat(40);
    expect(readSecretSettings({ JWT_SECRET: jwt, BETTER_AUTH_SECRET: auth, ANTHROPIC_API_KEY: 'sk-test' })).toEqual({ JWT_SECRET: jwt, BETTER_AUTH_SECRET: auth, ANTHROPIC_API_KEY: 'sk-test' });
    expect(readSecretSettings({ ANTHROPIC_API_KEY: '' })).toEqual({ JWT_SECRET: undefined, BETTER_AUTH_SECRET: undefined, ANTHROPIC_API_KEY: undefined });
  });

  test('fails when JWT_SECRET is short, without printing it', () => {
    expect(() => readSecretSettings({ JWT_SECRET: 'hunter2' })).toThrow(`'JWT_SECRET' must be a secret of at least 32 characters without whitespace, got a value of 7 characters`);
    expect(() => readSecretSettings({ JWT_SECRET: 'hunter2' })).not.toThrow(/hunter2/);
  });

  test('fails when BETTER_AUTH_SECRET is empty', () => {
    expect(() => readSecretSettings({ BETTER_AUTH_SECRET: '' })).toThrow(`'BETTER_AUTH_SECRET' must be a secret of at least 32 characters`);
  });

  test('fails when ANTHROPIC_API_KEY holds whitespace', () => {
    expect(() => readSecretSettings({ ANTHROPIC_API_KEY: 'sk test' })).toThrow(`'ANTHROPIC_API_KEY' must be a non-empty value without whitespace, got a value of 7 characters`);
  });
});

describe('readSettings: each rule across settings fails when it must, and only then', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  /** Settings with `lines` in `<dir>/x.env` and `env` (TODO_ENV=x) over them. */
  const fromFile = (lines: string[], env: Environment = {}) => {
    fs.writeFileSync(path.join(dir, 'x.env'), lines.join('\n') + '\n');
    return readSettingsOf({ TODO_ENV: 'x', ...env }, { configDir: dir });
  };
  const at = (line: number) => `${path.join(dir, 'x.env')}:${line}: `;
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  test('databaseKind names each database', () => {
    expect(databaseKind(BackendDatabase.postgres('postgresql://u:p@db/todo'))).toBe('postgres');
    expect(databaseKind(BackendDatabase.postgresFromSecret({ secretName: 'db' }))).toBe('postgres');
    expect(databaseKind(BackendDatabase.ephemeralSqlite())).toBe('ephemeral-sqlite');
    expect(databaseKind(BackendDatabase.sqlite())).toBe('sqlite');
  });

  test('an empty TODO_ENV reads no file; unknown variables are listed sorted; other variables are not settings', () => {
    expect(readSettingsOf({ TODO_ENV: '', HOME: '/root' })).toStrictEqual({ namespace: 'default', secretsFile: '.todo-secrets.json', app: {} });
    expect(() => readSettingsOf({ TODO_ZZZ: '1', TODO_AAA: '1' })).toThrow(/^unknown setting TODO_AAA, TODO_ZZZ; the settings are TODO_ENV, TODO_NAMESPACE, /);
  });

  test('settings a Minikube app without them reads back as unset (no Ingress, autoscaler or volume); the network policy as "true"', () => {
    const settings = readSettingsOf({ TODO_DATABASE: 'ephemeral-sqlite' });
    const todo = buildDefaultApp(new App(), settings, SECRETS);
    const unset = ['TODO_HOST', 'TODO_TLS_SECRET', 'TODO_INGRESS_CLASS', 'TODO_BACKEND_PATH', 'TODO_MIN_REPLICAS', 'TODO_MAX_REPLICAS', 'TODO_TARGET_CPU', 'TODO_DATABASE_SECRET', 'TODO_BACKEND_VOLUME_SIZE', 'TODO_BACKEND_STORAGE_CLASS'];
    expect(SETTINGS.filter((d) => unset.includes(d.variable)).map((d) => [d.variable, d.inEffect(todo, settings)])).toEqual(unset.map((v) => [v, undefined]));
    expect(SETTINGS.find((d) => d.variable === 'TODO_NETWORK_POLICY')!.inEffect(todo, settings)).toBe('true');
  });

  test('values that pass: replicas above 1 with PostgreSQL, an explicit sqlite, the network policy switch, an empty DATABASE_URL with SQLite', () => {
    expect(readSettingsOf({ TODO_DATABASE: 'postgres', TODO_DATABASE_SECRET: 'db', TODO_BACKEND_REPLICAS: '3' }).app.backend!.replicas).toBe(3);
    expect(readSettingsOf({ TODO_DATABASE: 'sqlite' }).app.backend!.database!.engine).toBe(BackendDatabase.sqlite().engine);
    expect(readSettingsOf({ TODO_NETWORK_POLICY: 'true' }).app.backend!.networkPolicy).toBe(true);
    expect(readSettingsOf({ TODO_NETWORK_POLICY: 'false' }).app.frontend!.networkPolicy).toBe(false);
    expect(readSettingsOf({ DATABASE_URL: '' }).app).toStrictEqual({});
  });

  test.each([
    ['the cluster profile has no host', ['TODO_PROFILE=cluster', 'TODO_DATABASE=postgres', 'TODO_DATABASE_SECRET=db'], {},
      `${'1'}|'TODO_HOST' must be set with TODO_PROFILE=cluster (the host of the Ingress, such as "todo.example.com"), got ""`],
    ['the cluster profile is given SQLite', ['TODO_PROFILE=cluster', 'TODO_HOST=todo.example.com', 'TODO_DATABASE=sqlite'], {},
      `3|'TODO_DATABASE' must be "postgres" with TODO_PROFILE=cluster (pods on several nodes cannot share a SQLite file), got "sqlite"`],
    ['PostgreSQL has neither URL nor Secret', ['TODO_DATABASE=postgres'], {},
      `1|'DATABASE_URL' must be set with TODO_DATABASE=postgres (or 'TODO_DATABASE_SECRET' naming a Secret that holds it), got undefined`],
    ['PostgreSQL has an empty URL', ['TODO_DATABASE=postgres'], { DATABASE_URL: '' },
      `1|'DATABASE_URL' must be set with TODO_DATABASE=postgres (or 'TODO_DATABASE_SECRET' naming a Secret that holds it), got ""`],
    ['PostgreSQL has a URL and a Secret', ['TODO_DATABASE=postgres', 'TODO_DATABASE_SECRET=db'], { DATABASE_URL: 'postgresql://u:p@db/todo' },
      `2|'DATABASE_URL' cannot be combined with 'TODO_DATABASE_SECRET' (the backend reads the URL from the Secret "db", so DATABASE_URL would be ignored), got a value of 24 characters; unset one of them`],
  ])('%s: the error starts at the line of the setting it names', (_name, lines, env, expected) => {
    const [line, message] = expected.split('|');
    expect(() => fromFile(lines, env)).toThrow(new RegExp(`^${escape(`${at(Number(line))}${message}`)}$`));
  });

  test('the cluster profile on the default database says it is the default', () => {
    expect(() => readSettingsOf({ TODO_PROFILE: 'cluster', TODO_HOST: 'todo.example.com' })).toThrow(/^'TODO_DATABASE' must be "postgres" with TODO_PROFILE=cluster \(pods on several nodes cannot share a SQLite file\), got "sqlite" \(the default\)$/);
  });

  test('a byte order mark is dropped at the start of a file only; a line with a carriage return inside is no KEY=VALUE line', () => {
    expect(fromFile(['TODO_ANTHROPIC_MODEL=a\uFEFFb']).app.backend!.anthropicModel).toBe('a\uFEFFb');
    expect(() => fromFile(['TODO_ANTHROPIC_MODEL=a\rb'])).toThrow(`${at(1)}a settings file holds KEY=VALUE lines and "#" comments (no "export", values taken literally), got "TODO_ANTHROPIC_MODEL=a\\rb"`);
  });

  test('the cluster profile without a host, from the environment, shows the empty value it was given', () => {
    expect(() => readSettingsOf({ TODO_PROFILE: 'cluster', TODO_HOST: '', TODO_DATABASE: 'postgres', TODO_DATABASE_SECRET: 'db' })).toThrow(/^'TODO_HOST' must be set with TODO_PROFILE=cluster \(the host of the Ingress, such as "todo.example.com"\), got ""$/);
  });

  test('quotes: a value inside quotes fails; quotes inside a value, or one quote, are literal', () => {
    expect(() => fromFile(['TODO_ANTHROPIC_MODEL=""'])).toThrow(`${at(1)}'TODO_ANTHROPIC_MODEL' must be written without quotes (values are taken literally), got "\\"\\""`);
    expect(() => fromFile(["TODO_ANTHROPIC_MODEL='m'"])).toThrow(`${at(1)}'TODO_ANTHROPIC_MODEL' must be written without quotes`);
    expect(fromFile(['TODO_ANTHROPIC_MODEL=a"b"']).app.backend!.anthropicModel).toBe('a"b"');
    expect(fromFile(['TODO_ANTHROPIC_MODEL="a"b']).app.backend!.anthropicModel).toBe('"a"b');
    expect(fromFile(['TODO_ANTHROPIC_MODEL="']).app.backend!.anthropicModel).toBe('"');
  });

  test('TODO_ENV naming no file lists the .env files there, sorted, as the working directory shows them', () => {
    for (const f of ['b.env', 'a.env', 'notes.txt']) fs.writeFileSync(path.join(dir, f), '');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(() => readSettingsOf({ TODO_ENV: 'c' }, { configDir: dir })).toThrow(`'TODO_ENV' must be one of "a", "b" (./<name>.env), got "c"; the files are ./a.env, ./b.env`);
      fs.mkdirSync(path.join(dir, 'sub'));
      expect(() => readSettingsOf({ TODO_ENV: 'c' }, { configDir: path.join(dir, 'sub') })).toThrow(`'TODO_ENV' must be the name of a settings file (sub/<name>.env), got "c"; there is none in sub/`);
    } finally {
      process.chdir(cwd);
    }
  });
});
