import { Duration, Size, Testing } from 'cdk8s';
import { Cpu, ImagePullPolicy, ServiceType } from 'cdk8s-plus-28';
import { BackendDatabase } from '../lib/backend-database';
import { DockerImage } from '../lib/docker-image';
import { HealthProbe } from '../lib/health-probe';
import { TodoBackend } from '../lib/todo-backend';
import { checkManifests, checkRestrictedPodSecurity } from '../lib/checks';
import { validateObjects } from './support/k8s-schema';
import { containerOf, find, redactSecrets, secretValues, synth, TEST_SECRETS } from './support/util';

function backend(props: ConstructorParameters<typeof TodoBackend>[2] = {}, namespace?: string) {
  let construct!: TodoBackend;
  const objects = synth((chart) => {
    construct = new TodoBackend(chart, 'backend', { jwtSecret: TEST_SECRETS.jwtSecret, ...props });
  }, namespace);
  return { construct, objects };
}

describe('TodoBackend', () => {
  test('snapshot of the defaults', () => {
    expect(redactSecrets(backend().objects)).toMatchSnapshot();
  });

  test('defaults: Deployment and Service todo-backend, 1 replica, NodePort 8000 -> 30800', () => {
    const { construct, objects } = backend();
    const deployment = find(objects, 'Deployment', 'todo-backend');
    const service = find(objects, 'Service', 'todo-backend');
    expect(deployment.spec.replicas).toBe(1);
    expect(service.spec.type).toBe('NodePort');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 8000, targetPort: 'http', nodePort: 30800, protocol: 'TCP' }]);
    expect(containerOf(deployment).ports).toEqual([{ name: 'http', containerPort: 8000, protocol: 'TCP' }]);
    expect(construct.dnsName).toBe('todo-backend.default.svc.cluster.local');
    expect(construct.url).toBe('http://192.168.49.2:30800');
    expect(construct.clusterUrl).toBe('http://todo-backend.default.svc.cluster.local:8000');
  });

  test('image from the Docker Image entity: todo-backend:latest, IfNotPresent', () => {
    const { construct, objects } = backend();
    const container = containerOf(find(objects, 'Deployment', 'todo-backend'));
    expect(container.image).toBe('todo-backend:latest');
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(construct.image).toMatchObject({ name: 'todo-backend', tag: 'latest', baseImage: 'python:3.12-slim', port: 8000, buildContext: 'backend/' });
  });

  test('the container port follows the image port; Service and probes follow by name', () => {
    const image = new DockerImage({ name: 'api', baseImage: 'python:3.12-slim', port: 9000, buildContext: 'backend/' });
    const { objects } = backend({ image });
    const container = containerOf(find(objects, 'Deployment', 'todo-backend'));
    expect(container.ports[0].containerPort).toBe(9000);
    expect(container.livenessProbe.tcpSocket.port).toBe('http');
    expect(container.readinessProbe.httpGet.port).toBe('http');
    expect(find(objects, 'Service', 'todo-backend').spec.ports[0]).toMatchObject({ port: 9000, targetPort: 'http' });
    expect(checkManifests(objects)).toEqual([]);
  });

  test('ConfigMap holds the design\'s non-secret variables, fed to the container', () => {
    const { objects } = backend({ corsOrigins: ['http://192.168.49.2:30300'] });
    const cm = find(objects, 'ConfigMap', 'todo-backend-config');
    expect(cm.data).toEqual({
      DATABASE_URL: 'sqlite:////data/todoapp.db',
      JWT_ALGORITHM: 'HS256',
      JWT_EXPIRY_HOURS: '24',
      CORS_ORIGINS: 'http://192.168.49.2:30300',
      ANTHROPIC_MODEL: 'claude-3-haiku-20240307',
    });
    expect(containerOf(find(objects, 'Deployment', 'todo-backend')).envFrom).toEqual([{ configMapRef: { name: 'todo-backend-config' } }]);
  });

  test('Secret holds JWT_SECRET (required) and ANTHROPIC_API_KEY (optional)', () => {
    const { objects } = backend({ anthropicApiKey: TEST_SECRETS.anthropicApiKey });
    expect(secretValues(find(objects, 'Secret', 'todo-backend-secret'))).toEqual({
      JWT_SECRET: TEST_SECRETS.jwtSecret,
      ANTHROPIC_API_KEY: TEST_SECRETS.anthropicApiKey,
    });
    expect(containerOf(find(objects, 'Deployment', 'todo-backend')).env).toEqual([
      { name: 'JWT_SECRET', valueFrom: { secretKeyRef: { name: 'todo-backend-secret', key: 'JWT_SECRET' } } },
      { name: 'ANTHROPIC_API_KEY', valueFrom: { secretKeyRef: { name: 'todo-backend-secret', key: 'ANTHROPIC_API_KEY', optional: true } } },
    ]);
  });

  test('without an API key the Secret has no ANTHROPIC_API_KEY and the reference is optional, so the pod starts', () => {
    const { objects } = backend();
    expect(Object.keys(find(objects, 'Secret', 'todo-backend-secret').data)).toEqual(['JWT_SECRET']);
    expect(checkManifests(objects)).toEqual([]);
  });

  test('with no JWT_SECRET given, the pods read it from the Secret kept by the cluster; the manifests hold no key and are the same on every synth', () => {
    const build = () => {
      const chart = Testing.chart();
      new TodoBackend(chart, 'b');
      return Testing.synth(chart);
    };
    const objects = build();
    expect(build()).toEqual(objects);
    const env = containerOf(find(objects, 'Deployment', 'todo-backend')).env;
    expect(env).toContainEqual({ name: 'JWT_SECRET', valueFrom: { secretKeyRef: { name: 'todo-backend-keys', key: 'JWT_SECRET' } } });
    // The component's own Secret keeps what was given (nothing here): no key is generated into it.
    expect(find(objects, 'Secret', 'todo-backend-secret').data ?? {}).toEqual({});
    expect(objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual(['todo-backend-secret']);
    const construct = new TodoBackend(Testing.chart(), 'b');
    expect(construct.keysSecret).toEqual({ name: 'todo-backend-keys', namespace: 'default', keys: ['JWT_SECRET'], createCommand: expect.stringMatching(/^kubectl create secret generic todo-backend-keys --namespace default --from-literal=JWT_SECRET=/) });
    expect(construct.externalSecrets).toEqual(['todo-backend-keys']);
    expect(checkManifests(objects)).toEqual([{
      object: 'Deployment default/todo-backend',
      field: 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef',
      message: 'refers to Secret default/todo-backend-keys, which is not among the manifests',
    }]);
    expect(checkManifests(objects, { externalSecrets: construct.externalSecrets })).toEqual([]);
  });

  test('a JWT_SECRET given, or an existingSecret, needs no Secret kept by the cluster', () => {
    expect(backend().construct.keysSecret).toBeUndefined();
    expect(backend({ jwtSecret: undefined, existingSecret: 'mine' }).construct.keysSecret).toBeUndefined();
  });

  test('existingSecret: no Secret is created and the pods read the named one', () => {
    const { objects } = backend({ jwtSecret: undefined, existingSecret: 'my-backend-secrets' });
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const env = containerOf(find(objects, 'Deployment', 'todo-backend')).env;
    expect(env.map((e: any) => e.valueFrom.secretKeyRef.name)).toEqual(['my-backend-secrets', 'my-backend-secrets']);
    expect(checkManifests(objects, { externalSecrets: ['my-backend-secrets'] })).toEqual([]);
  });

  test('probes: liveness opens the named port, readiness GETs /health on it (a failing dependency only takes the pod out of the Service)', () => {
    const container = containerOf(find(backend().objects, 'Deployment', 'todo-backend'));
    expect(container.livenessProbe).toEqual({ tcpSocket: { port: 'http' }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 });
    expect(container.readinessProbe).toEqual({ httpGet: { path: '/health', port: 'http' }, initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 });
  });

  test('healthPath moves both probes; an explicit probe wins', () => {
    const container = containerOf(find(backend({ healthPath: '/healthz', livenessProbe: HealthProbe.tcpSocket({ period: Duration.seconds(20) }) }).objects, 'Deployment', 'todo-backend'));
    expect(container.readinessProbe.httpGet.path).toBe('/healthz');
    expect(container.livenessProbe).toEqual({ tcpSocket: { port: 'http' }, initialDelaySeconds: 0, periodSeconds: 20, timeoutSeconds: 1, failureThreshold: 3 });
  });

  test('labels: app=<name> and the recommended set on pods; the selector uses name and instance only', () => {
    const deployment = find(backend({ name: 'api' }).objects, 'Deployment', 'api');
    expect(deployment.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api' });
    expect(deployment.spec.template.metadata.labels).toEqual({
      'app': 'api',
      'app.kubernetes.io/name': 'api',
      'app.kubernetes.io/instance': 'api',
      'app.kubernetes.io/component': 'backend',
      'app.kubernetes.io/part-of': 'todo',
      'app.kubernetes.io/version': 'latest',
      'app.kubernetes.io/managed-by': 'cdk8s',
    });
  });

  test('requests and limits fit a default Minikube, and are overridable', () => {
    const defaults = containerOf(find(backend().objects, 'Deployment', 'todo-backend')).resources;
    // Ephemeral storage: the /tmp emptyDir (256Mi) plus 256Mi for logs and the writable layer; request equal to limit.
    expect(defaults).toEqual({ requests: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '512Mi' }, limits: { 'cpu': '500m', 'memory': '512Mi', 'ephemeral-storage': '512Mi' } });
    const custom = containerOf(find(backend({ resources: { cpu: { limit: Cpu.units(1) }, memory: { limit: Size.gibibytes(1) }, ephemeralStorage: { request: Size.gibibytes(2), limit: Size.gibibytes(2) } } }).objects, 'Deployment', 'todo-backend')).resources;
    expect(custom).toEqual({ requests: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '2Gi' }, limits: { 'cpu': '1', 'memory': '1Gi', 'ephemeral-storage': '2Gi' } });
    // The design's SQLite file lives in the writable root filesystem: 1Gi more.
    const ephemeral = containerOf(find(backend({ database: BackendDatabase.ephemeralSqlite() }).objects, 'Deployment', 'todo-backend')).resources;
    expect(ephemeral.limits['ephemeral-storage']).toBe('1536Mi');
    expect(find(backend().objects, 'Deployment', 'todo-backend').spec.template.spec.volumes[0]).toEqual({ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } });
  });

  test('overrides: name, replicas, pull policy, ports, namespace', () => {
    const { construct, objects } = backend({ name: 'api', replicas: 0, imagePullPolicy: ImagePullPolicy.NEVER, servicePort: 80, nodePort: 31000, imageTag: 'v2' }, 'todo');
    const deployment = find(objects, 'Deployment', 'api');
    expect(deployment.metadata.namespace).toBe('todo');
    expect(deployment.spec.replicas).toBe(0);
    expect(containerOf(deployment)).toMatchObject({ image: 'todo-backend:v2', imagePullPolicy: 'Never' });
    expect(find(objects, 'Service', 'api').spec.ports[0]).toMatchObject({ port: 80, nodePort: 31000, targetPort: 'http' });
    expect(construct.dnsName).toBe('api.todo.svc.cluster.local');
    expect(construct.url).toBe('http://192.168.49.2:31000');
  });

  test('ClusterIP: no nodePort, and no browser URL', () => {
    const { construct, objects } = backend({ serviceType: ServiceType.CLUSTER_IP });
    expect(find(objects, 'Service', 'todo-backend').spec.ports[0].nodePort).toBeUndefined();
    expect(() => construct.url).toThrow("'backend.serviceType' must be NodePort or LoadBalancer for a URL that browsers reach (or set 'backend.ingress'), got \"ClusterIP\"");
  });

  test('SQLite lives on a PersistentVolumeClaim mounted at /data; pods are replaced with Recreate', () => {
    const { objects } = backend();
    expect(find(objects, 'PersistentVolumeClaim', 'todo-backend-data').spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
    const deployment = find(objects, 'Deployment', 'todo-backend');
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'todo-backend-data' } });
    expect(containerOf(deployment).volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(containerOf(deployment).securityContext.readOnlyRootFilesystem).toBe(true);
    expect(find(objects, 'ConfigMap', 'todo-backend-config').data.DATABASE_URL).toBe('sqlite:////data/todoapp.db');
  });

  test('volume size and storage class are configurable', () => {
    const { objects } = backend({ database: BackendDatabase.sqlite({ size: Size.gibibytes(5), storageClass: 'fast-ssd' }) });
    expect(find(objects, 'PersistentVolumeClaim', 'todo-backend-data').spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } }, storageClassName: 'fast-ssd' });
  });

  test('the ephemeral opt-out: the design\'s file, no volume, a writable root, rolling updates', () => {
    const { objects } = backend({ database: BackendDatabase.ephemeralSqlite() });
    expect(objects.filter((o) => o.kind === 'PersistentVolumeClaim')).toEqual([]);
    expect(find(objects, 'ConfigMap', 'todo-backend-config').data.DATABASE_URL).toBe('sqlite:///./todoapp.db');
    const deployment = find(objects, 'Deployment', 'todo-backend');
    expect(deployment.spec.strategy.type).toBe('RollingUpdate');
    expect(containerOf(deployment).securityContext.readOnlyRootFilesystem).toBe(false);
    expect(checkRestrictedPodSecurity(objects)).toEqual([]);
  });

  test('PostgreSQL: DATABASE_URL is a secret, in the backend\'s Secret or one of yours; replicas may grow', () => {
    const url = 'postgresql://todo:pw@db.example.com:5432/todo';
    const inOwn = backend({ database: BackendDatabase.postgres(url), replicas: 3 });
    expect(secretValues(find(inOwn.objects, 'Secret', 'todo-backend-secret')).DATABASE_URL).toBe(url);
    expect(find(inOwn.objects, 'ConfigMap', 'todo-backend-config').data.DATABASE_URL).toBeUndefined();
    expect(inOwn.objects.filter((o) => o.kind === 'PersistentVolumeClaim')).toEqual([]);
    expect(find(inOwn.objects, 'Deployment', 'todo-backend').spec.replicas).toBe(3);
    const fromYours = backend({ database: BackendDatabase.postgresFromSecret({ secretName: 'todo-db', key: 'url' }) });
    expect(containerOf(find(fromYours.objects, 'Deployment', 'todo-backend')).env).toContainEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'todo-db', key: 'url' } } });
    expect(fromYours.construct.externalSecrets).toEqual(['todo-db']);
    expect(checkManifests(fromYours.objects, { externalSecrets: fromYours.construct.externalSecrets })).toEqual([]);
  });

  test('startup probe, termination grace period and NetworkPolicy', () => {
    const { objects } = backend({ terminationGracePeriod: Duration.seconds(45) });
    const deployment = find(objects, 'Deployment', 'todo-backend');
    expect(containerOf(deployment).startupProbe).toEqual({ httpGet: { path: '/health', port: 'http' }, initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 30 });
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBe(45);
    const dns = {
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
    };
    expect(find(objects, 'NetworkPolicy', 'todo-backend').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'todo-backend', 'app.kubernetes.io/instance': 'todo-backend' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [{ port: 'http', protocol: 'TCP' }] }],
      // SQLite and no Anthropic key: DNS only.
      egress: [dns],
    });
    expect(backend({ networkPolicy: false }).objects.filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
  });

  test('egress: DNS, the PostgreSQL port of the URL (5432 when it is in a Secret of yours), HTTPS when an Anthropic key may be set; configurable', () => {
    const egress = (props: object) => find(backend(props).objects, 'NetworkPolicy', 'todo-backend').spec.egress.slice(1);
    const pg = BackendDatabase.postgres('postgresql://u:p@db.example.com:6432/todo');
    expect(egress({ database: pg, replicas: 2 })).toEqual([{ ports: [{ port: 6432, protocol: 'TCP' }] }]);
    expect(egress({ database: BackendDatabase.postgresFromSecret({ secretName: 'db' }) })).toEqual([{ ports: [{ port: 5432, protocol: 'TCP' }] }]);
    expect(egress({ anthropicApiKey: 'k' })).toEqual([{ ports: [{ port: 443, protocol: 'TCP' }] }]);
    expect(egress({ jwtSecret: undefined, existingSecret: 'mine' })).toEqual([{ ports: [{ port: 443, protocol: 'TCP' }] }]);
    const off = find(backend({ networkPolicyEgress: false }).objects, 'NetworkPolicy', 'todo-backend');
    expect(off.spec.policyTypes).toEqual(['Ingress']);
    expect(off.spec.egress).toBeUndefined();
    // Turning egress off is recorded on the Deployment, with the reason.
    expect(find(backend({ networkPolicyEgress: false }).objects, 'Deployment', 'todo-backend').metadata.annotations).toMatchObject({
      'kube-score/ignore': expect.stringContaining('pod-networkpolicy'),
      'kube-score.todo-cdk8s/pod-networkpolicy': expect.stringContaining('turned off'),
    });
    expect(() => backend({ networkPolicy: false, networkPolicyEgress: true })).toThrow("'backend.networkPolicyEgress' needs 'backend.networkPolicy' (the egress rules are part of the NetworkPolicy), got true with networkPolicy false");
  });

  test('pods pass the restricted Pod Security Standard and every object is strictly valid', () => {
    const { objects } = backend();
    expect(checkRestrictedPodSecurity(objects)).toEqual([]);
    expect(validateObjects(objects)).toEqual([]);
  });

  test('a config change changes the pod template checksum (pods roll)', () => {
    const checksum = (objects: any[]) => find(objects, 'Deployment', 'todo-backend').spec.template.metadata.annotations['checksum/config'];
    expect(checksum(backend().objects)).toEqual(checksum(backend().objects));
    expect(checksum(backend({ jwtExpiryHours: 12 }).objects)).not.toEqual(checksum(backend().objects));
  });

  describe('fails when', () => {
    const cases: Array<[string, () => unknown, string]> = [
      ['the name is not a DNS-1123 label', () => backend({ name: 'Todo_Backend' }), `'backend.name' must be a DNS-1123 label`],
      ['the name is longer than 63 characters', () => backend({ name: 'a'.repeat(64) }), `'backend.name' must be a DNS-1123 label`],
      ['the service port is outside 1-65535', () => backend({ servicePort: 70000 }), `'backend.servicePort' must be an integer between 1 and 65535, got 70000`],
      ['the nodePort is outside 30000-32767', () => backend({ nodePort: 8080 }), `'backend.nodePort' must be an integer between 30000 and 32767, got 8080`],
      ['a nodePort is set on a ClusterIP Service', () => backend({ serviceType: ServiceType.CLUSTER_IP, nodePort: 30800 }), `'backend.nodePort' needs 'serviceType' NodePort or LoadBalancer, got 30800 with ClusterIP`],
      ['replicas are negative', () => backend({ replicas: -1 }), `'backend.replicas' must be a whole number of at least 0, got -1`],
      ['replicas are fractional', () => backend({ replicas: 1.5 }), `'backend.replicas' must be a whole number of at least 0, got 1.5`],
      ['the image tag is malformed', () => backend({ imageTag: 'v1:2' }), `'backend.imageTag' must be an image tag`],
      ['image and imageTag are both given', () => backend({ imageTag: 'v1', image: new DockerImage({ name: 'x', baseImage: 'b', port: 1, buildContext: '.' }) }), `'backend.imageTag' cannot be combined with 'backend.image'`],
      ['the JWT secret is too short', () => backend({ jwtSecret: 'short' }), `'backend.jwtSecret' must be a secret of at least 32 characters without whitespace, got a value of 5 characters`],
      ['a secret value is combined with existingSecret', () => backend({ existingSecret: 'mine' }), `'backend.jwtSecret' cannot be combined with 'backend.existingSecret'`],
      ['the API key is empty', () => backend({ anthropicApiKey: '' }), `'backend.anthropicApiKey' must be a non-empty value without whitespace, got a value of 0 characters`],
      ['the model is empty', () => backend({ anthropicModel: ' ' }), `'backend.anthropicModel' must be a non-empty string, got " "`],
      ['the health path is not absolute', () => backend({ healthPath: 'health' }), `'backend.healthPath' must be an absolute HTTP path starting with "/", got "health"`],
      ['a CORS origin has a path', () => backend({ corsOrigins: ['http://example.com/app'] }), `'backend.corsOrigins' must hold origins`],
      ['an env name is invalid', () => backend({ env: { 'BAD-NAME': 'x' } }), `'backend.env' must be an environment variable name`],
      ['env holds a secret variable', () => backend({ env: { JWT_SECRET: 'x' } }), `'backend.env' must not hold the secret variable JWT_SECRET`],
      ['env holds a name that looks like a secret', () => backend({ env: { API_TOKEN: 'x' } }), `'backend.env' must not hold a name that looks like a secret (SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL): its values go into the ConfigMap in plain text; keep secrets in a Secret, got "API_TOKEN"`],
      ['env holds such a name in lower case', () => backend({ env: { db_password: 'x' } }), `'backend.env' must not hold a name that looks like a secret`],
      ['the SQLite volume is 0 bytes', () => backend({ database: BackendDatabase.sqlite({ size: Size.mebibytes(0) }) }), `'database.size' must be a storage quantity above zero and at most "256Ti" (the largest SQLite database), such as "512Mi" or "5Gi", got "0"`],
      ['the node address is not a host', () => backend({ nodeAddress: 'http://192.168.49.2' }), `'backend.nodeAddress' must be a hostname or IPv4 address`],
      ['a request exceeds its limit', () => backend({ resources: { cpu: { request: Cpu.millis(800) } } }), `'backend.resources.cpu.request' must not exceed 'backend.resources.cpu.limit' (500m), got 800m`],
      ['the user ID is root', () => backend({ runAsUser: 0 }), `'backend.runAsUser' must be a non-root user ID between 1 and 2147483647, got 0`],
      ['more than one replica runs on SQLite', () => backend({ replicas: 2 }), `'backend.replicas' must be 0 or 1 with SQLite (one writer: each pod would otherwise get its own database, or fight over one ReadWriteOnce volume), got 2; use BackendDatabase.postgres(...) to run more replicas`],
      ['more than one replica runs on the ephemeral SQLite', () => backend({ replicas: 3, database: BackendDatabase.ephemeralSqlite() }), `'backend.replicas' must be 0 or 1 with SQLite`],
      ['the PostgreSQL URL is not one', () => backend({ database: BackendDatabase.postgres('mysql://x') }), `'database.url' must be a PostgreSQL URL such as "postgresql://user:password@host:5432/todo", got a value of 9 characters`],
      ['the storage class is not a DNS name', () => backend({ database: BackendDatabase.sqlite({ storageClass: 'Fast SSD' }) }), `'database.storageClass' must be a DNS-1123 subdomain`],
      ['the termination grace period is not whole seconds', () => backend({ terminationGracePeriod: Duration.millis(1500) }), `'backend.terminationGracePeriod' must be a whole number of seconds of at least 0, got 1 second 500 millis`],
    ];
    test.each(cases)('%s', (_name, run, message) => {
      expect(run).toThrow(message);
    });
  });
});
