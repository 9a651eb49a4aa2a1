import { ImagePullPolicy } from 'cdk8s-plus-28';
import { readSecretSettings, readSettings, SETTINGS } from '../lib';

describe('readSettings', () => {
  test('with no variables, every default from the design', () => {
    const s = readSettings({});
    expect(s.namespace).toBe('default');
    expect(s.secretsFile).toBe('.todo-secrets.json');
    expect(s.app.nodeAddress).toBe('192.168.49.2');
    expect(s.app.backend).toMatchObject({ replicas: 1, nodePort: 30800, healthPath: '/health', imagePullPolicy: ImagePullPolicy.IF_NOT_PRESENT, anthropicModel: 'claude-3-haiku-20240307' });
    expect(s.app.backend!.image!.reference).toBe('todo-backend:latest');
    expect(s.app.frontend).toMatchObject({ replicas: 1, nodePort: 30300, livenessPath: '/' });
    expect(s.app.frontend!.image!.reference).toBe('todo-frontend:latest');
  });

  test('each variable sets its value', () => {
    const s = readSettings({
      TODO_NAMESPACE: 'todo',
      TODO_NODE_ADDRESS: '192.168.58.2',
      TODO_IMAGE_PULL_POLICY: 'Never',
      TODO_BACKEND_IMAGE: 'registry.local:5000/todo/api',
      TODO_BACKEND_IMAGE_TAG: 'v1.2.3',
      TODO_BACKEND_REPLICAS: '0',
      TODO_BACKEND_NODE_PORT: '31000',
      TODO_BACKEND_HEALTH_PATH: '/healthz',
      TODO_ANTHROPIC_MODEL: 'claude-3-5-sonnet-latest',
      TODO_FRONTEND_IMAGE: 'web',
      TODO_FRONTEND_IMAGE_TAG: 'v2',
      TODO_FRONTEND_REPLICAS: ' 3 ',
      TODO_FRONTEND_NODE_PORT: '31001',
      TODO_FRONTEND_LIVENESS_PATH: '/login',
      TODO_SECRETS_FILE: '/tmp/x.json',
      TODO_BACKEND_VOLUME_SIZE: '5Gi',
      TODO_BACKEND_STORAGE_CLASS: 'fast',
      TODO_NETWORK_POLICY: 'false',
    });
    expect(s.app.backend!.database!.volume).toEqual({ mountPath: '/data', size: '5Gi', storageClass: 'fast' });
    expect(s.app.backend!.networkPolicy).toBe(false);
    expect(s.app.frontend!.networkPolicy).toBe(false);
    expect(readSettings({ TODO_DATABASE: 'ephemeral-sqlite' }).app.backend!.database!.configUrl).toBe('sqlite:///./todoapp.db');
    expect(readSettings({}).app.backend!.database!.volume).toEqual({ mountPath: '/data', size: '1Gi', storageClass: undefined });
    expect(s.namespace).toBe('todo');
    expect(s.secretsFile).toBe('/tmp/x.json');
    expect(s.app.nodeAddress).toBe('192.168.58.2');
    expect(s.app.backend).toMatchObject({ replicas: 0, nodePort: 31000, healthPath: '/healthz', imagePullPolicy: 'Never', anthropicModel: 'claude-3-5-sonnet-latest' });
    expect(s.app.backend!.image!.reference).toBe('registry.local:5000/todo/api:v1.2.3');
    expect(s.app.frontend).toMatchObject({ replicas: 3, nodePort: 31001, livenessPath: '/login', imagePullPolicy: 'Never' });
    expect(s.app.frontend!.image!.reference).toBe('web:v2');
  });

  test('every setting has a description and a default that passes its own rule', () => {
    for (const def of SETTINGS) {
      expect(def.description).not.toBe('');
      const value = def.integer ? Number(def.default) : def.default;
      expect(def.rule.test(value)).toBe(true);
    }
  });

  describe('fails when', () => {
    const cases: Array<[string, { [k: string]: string }, string]> = [
      ['a TODO_ variable is unknown (a typo)', { TODO_BAKEND_REPLICAS: '2' }, 'unknown setting TODO_BAKEND_REPLICAS; the settings are TODO_NAMESPACE'],
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
      ['the volume size is not a quantity', { TODO_BACKEND_VOLUME_SIZE: '5 GB' }, `'TODO_BACKEND_VOLUME_SIZE' must be a memory quantity`],
      ['the network policy switch is not a boolean', { TODO_NETWORK_POLICY: 'yes' }, `'TODO_NETWORK_POLICY' must be one of "true", "false", got "yes"`],
      ['the node address is a URL', { TODO_NODE_ADDRESS: 'http://x' }, `'TODO_NODE_ADDRESS' must be a hostname or IPv4 address`],
    ];
    test.each(cases)('%s', (_name, env, message) => {
      expect(() => readSettings(env)).toThrow(message);
    });
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
      ['the database is SQLite', { TODO_PROFILE: 'cluster', TODO_HOST: 'todo.example.com' }, `'TODO_DATABASE' must be "postgres" with TODO_PROFILE=cluster (pods on several nodes cannot share a SQLite file), got "sqlite"`],
      ['PostgreSQL has no URL', base, `'DATABASE_URL' must be set with TODO_DATABASE=postgres (or 'TODO_DATABASE_SECRET' naming a Secret that holds it), got undefined`],
      ['the URL is not PostgreSQL', { ...base, DATABASE_URL: 'mysql://x' }, `'database.url' must be a PostgreSQL URL`],
      ['the profile is unknown', { TODO_PROFILE: 'k3s' }, `'TODO_PROFILE' must be one of "minikube", "cluster", got "k3s"`],
      ['the minimum is 1', { ...base, TODO_MIN_REPLICAS: '1' }, `'TODO_MIN_REPLICAS' must be a whole number between 2 and 100, got 1`],
      ['the CPU target is 0', { ...base, TODO_TARGET_CPU: '0' }, `'TODO_TARGET_CPU' must be a percentage between 1 and 100, got 0`],
      ['the host has no dot', { ...base, TODO_HOST: 'todo' }, `'TODO_HOST' must be empty or a host name`],
      ['a NodePort is set', { ...base, TODO_DATABASE_SECRET: 'db', TODO_FRONTEND_NODE_PORT: '30300' }, `'TODO_FRONTEND_NODE_PORT' applies to TODO_PROFILE=minikube only`],
      ['a fixed replica count is set', { ...base, TODO_DATABASE_SECRET: 'db', TODO_BACKEND_REPLICAS: '2' }, `'TODO_BACKEND_REPLICAS' applies to TODO_PROFILE=minikube only`],
    ])('%s', (_n, env, message) => {
      expect(() => readSettings(env as { [k: string]: string })).toThrow(message);
    });
  });
});

describe('readSecretSettings', () => {
  test('reads the three secrets; an empty ANTHROPIC_API_KEY means none', () => {
    const jwt = 'j'.repeat(32);
    const auth = 'a'.repeat(40);
    expect(readSecretSettings({ JWT_SECRET: jwt, BETTER_AUTH_SECRET: auth, ANTHROPIC_API_KEY: 'sk-test' })).toEqual({ jwtSecret: jwt, betterAuthSecret: auth, anthropicApiKey: 'sk-test' });
    expect(readSecretSettings({ ANTHROPIC_API_KEY: '' })).toEqual({ jwtSecret: undefined, betterAuthSecret: undefined, anthropicApiKey: undefined });
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
