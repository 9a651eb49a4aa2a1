import { Testing } from 'cdk8s';
import { ServiceType } from 'cdk8s-plus-28';
import { BACKEND_VARIABLES, TodoBackend } from '../lib/todo-backend';
import { FRONTEND_VARIABLES, TodoFrontend } from '../lib/todo-frontend';
import { checkManifests, checkRestrictedPodSecurity } from '../lib/checks';
import { validateObjects } from './support/k8s-schema';
import { containerOf, find, redactSecrets, secretValues, signingKeyProps, synth, TEST_SECRETS } from './support/util';

type FrontendOptions = Omit<ConstructorParameters<typeof TodoFrontend>[2], 'backend'>;

/** A frontend and its backend, wired the one way: the backend allows the frontend's origin, computed from its props. */
function frontend(props: FrontendOptions = {}, backendProps: ConstructorParameters<typeof TodoBackend>[2] = {}) {
  let construct!: TodoFrontend;
  let backend!: TodoBackend;
  const objects = synth((chart) => {
    backend = new TodoBackend(chart, 'backend', { ...signingKeyProps(BACKEND_VARIABLES), corsOrigins: [TodoFrontend.originOf(props)], ...backendProps });
    construct = new TodoFrontend(chart, 'frontend', { backend, ...signingKeyProps(FRONTEND_VARIABLES), ...props });
  });
  return { construct, backend, objects };
}

describe('TodoFrontend', () => {
  // The frontend's objects only: its backend's are pinned by todo-backend.test.ts (the wiring is asserted below by value).
  test('snapshot of the defaults (its own objects, beside its backend)', () => {
    const { construct, objects } = frontend();
    expect(redactSecrets(objects.filter((o) => o.metadata?.labels?.['app.kubernetes.io/name'] === construct.name))).toMatchSnapshot();
  });

  test('defaults: todo-frontend, image todo-frontend:latest on port 3000, NodePort 30300', () => {
    const { construct, objects } = frontend();
    const deployment = find(objects, 'Deployment', 'todo-frontend');
    expect(deployment.spec.replicas).toBe(1);
    expect(containerOf(deployment)).toMatchObject({ image: 'todo-frontend:latest', imagePullPolicy: 'IfNotPresent', ports: [{ name: 'http', containerPort: 3000, protocol: 'TCP' }] });
    expect(find(objects, 'Service', 'todo-frontend').spec).toMatchObject({ type: 'NodePort', ports: [{ name: 'http', port: 3000, targetPort: 'http', nodePort: 30300, protocol: 'TCP' }] });
    expect(construct.image).toMatchObject({ name: 'todo-frontend', tag: 'latest', baseImage: 'node:18-alpine', port: 3000, buildContext: 'frontend/' });
    expect(construct.url).toBe('http://192.168.49.2:30300');
  });

  test('probes: liveness GET / and readiness TCP, both on the named port', () => {
    const container = containerOf(find(frontend().objects, 'Deployment', 'todo-frontend'));
    expect(container.livenessProbe).toMatchObject({ httpGet: { path: '/', port: 'http' } });
    expect(container.readinessProbe).toMatchObject({ tcpSocket: { port: 'http' } });
    expect(container.readinessProbe.httpGet).toBeUndefined();
  });

  test('livenessPath moves the liveness probe', () => {
    const container = containerOf(find(frontend({ livenessPath: '/login' }).objects, 'Deployment', 'todo-frontend'));
    expect(container.livenessProbe.httpGet.path).toBe('/login');
  });

  test('NEXT_PUBLIC_API_URL and NEXT_PUBLIC_APP_URL are build arguments of the image, not pod env', () => {
    const { construct, objects } = frontend();
    expect(construct.image.buildArgs).toEqual({ NEXT_PUBLIC_API_URL: 'http://192.168.49.2:30800', NEXT_PUBLIC_APP_URL: 'http://192.168.49.2:30300' });
    const container = containerOf(find(objects, 'Deployment', 'todo-frontend'));
    const podEnv = [...(container.env ?? []).map((e: any) => e.name), ...Object.keys(find(objects, 'ConfigMap', 'todo-frontend-config').data)];
    expect(podEnv).not.toContain('NEXT_PUBLIC_API_URL');
    expect(podEnv).not.toContain('NEXT_PUBLIC_APP_URL');
    expect(find(objects, 'Deployment', 'todo-frontend').spec.template.metadata.annotations).toMatchObject({
      'build-args.todo-cdk8s/NEXT_PUBLIC_API_URL': 'http://192.168.49.2:30800',
      'build-args.todo-cdk8s/NEXT_PUBLIC_APP_URL': 'http://192.168.49.2:30300',
    });
  });

  test('BETTER_AUTH_SECRET comes from a Secret, not the ConfigMap', () => {
    const { objects } = frontend();
    expect(secretValues(find(objects, 'Secret', 'todo-frontend-secret'))).toEqual({ BETTER_AUTH_SECRET: TEST_SECRETS.betterAuthSecret });
    expect(find(objects, 'ConfigMap', 'todo-frontend-config').data).toEqual({ PORT: '3000', HOSTNAME: '0.0.0.0' });
    expect(containerOf(find(objects, 'Deployment', 'todo-frontend')).env).toEqual([
      { name: 'BETTER_AUTH_SECRET', valueFrom: { secretKeyRef: { name: 'todo-frontend-secret', key: 'BETTER_AUTH_SECRET' } } },
    ]);
  });

  test('the backend allows the origin that originOf computes from the frontend\'s props; the frontend leaves the backend as it was built', () => {
    const { construct, backend, objects } = frontend({ nodePort: 31111 });
    expect(TodoFrontend.originOf({ nodePort: 31111 })).toBe('http://192.168.49.2:31111');
    expect(backend.corsOrigins).toEqual(['http://192.168.49.2:31111']);
    expect(find(objects, 'ConfigMap', 'todo-backend-config').data.CORS_ORIGINS).toBe('http://192.168.49.2:31111');
    expect(construct.origin).toBe(TodoFrontend.originOf({ nodePort: 31111 }));
  });

  test('building the frontend leaves the backend\'s objects as they were built', () => {
    const chart = Testing.chart();
    const backend = new TodoBackend(chart, 'backend', { jwtSecret: TEST_SECRETS.jwtSecret, corsOrigins: [TodoFrontend.originOf()] });
    const before = chart.toJson();
    new TodoFrontend(chart, 'frontend', { backend, betterAuthSecret: TEST_SECRETS.betterAuthSecret });
    const after = chart.toJson();
    expect(after.length).toBeGreaterThan(before.length);
    expect(after.slice(0, before.length)).toEqual(before);
  });

  test.each<[string, FrontendOptions, string]>([
    ['the defaults', {}, 'http://192.168.49.2:30300'],
    ['a nodePort and an address', { nodePort: 31500, nodeAddress: '10.0.0.7' }, 'http://10.0.0.7:31500'],
    ['a LoadBalancer Service', { serviceType: ServiceType.LOAD_BALANCER, nodePort: 32001 }, 'http://192.168.49.2:32001'],
    ['an Ingress with TLS', { serviceType: ServiceType.CLUSTER_IP, ingress: { host: 'todo.example.com', tlsSecret: 'todo-tls' } }, 'https://todo.example.com'],
    ['an Ingress on a path, without TLS', { ingress: { host: 'app.example.org', path: '/web' } }, 'http://app.example.org/web'],
  ])('urlOf(props) is the url of the frontend built with the props: %s', (_name, props, url) => {
    expect(TodoFrontend.urlOf(props)).toBe(url);
    expect(TodoFrontend.originOf(props)).toBe(new URL(url).origin);
    expect(frontend(props).construct.url).toBe(url);
  });

  test('a frontend on the backend\'s origin needs no CORS entry', () => {
    const ingress = (path: string) => ({ serviceType: ServiceType.CLUSTER_IP, ingress: { host: 'todo.example.com', path } });
    const { construct, backend, objects } = frontend(ingress('/'), { ...ingress('/api'), corsOrigins: [] });
    expect(construct.image.buildArgs).toEqual({ NEXT_PUBLIC_API_URL: 'http://todo.example.com/api', NEXT_PUBLIC_APP_URL: 'http://todo.example.com' });
    expect(backend.corsOrigins).toEqual([]);
    expect(find(objects, 'ConfigMap', 'todo-backend-config').data.CORS_ORIGINS).toBeUndefined();
  });

  test('the backend URL follows the backend\'s nodePort and address', () => {
    const { construct } = frontend({}, { nodePort: 31000, nodeAddress: '10.0.0.5' });
    expect(construct.image.buildArgs.NEXT_PUBLIC_API_URL).toBe('http://10.0.0.5:31000');
  });

  test('output is strictly valid, consistent and restricted', () => {
    const { objects } = frontend();
    expect(validateObjects(objects)).toEqual([]);
    expect(checkManifests(objects)).toEqual([]);
    expect(checkRestrictedPodSecurity(objects)).toEqual([]);
  });

  test('the Next.js cache and /tmp are writable emptyDirs under a read-only root', () => {
    const deployment = find(frontend().objects, 'Deployment', 'todo-frontend');
    expect(containerOf(deployment).securityContext.readOnlyRootFilesystem).toBe(true);
    expect(containerOf(deployment).volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, { name: 'app-next-cache', mountPath: '/app/.next/cache' }]);
    expect(deployment.spec.template.spec.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }, { name: 'app-next-cache', emptyDir: { sizeLimit: '256Mi' } }]);
    // Ephemeral storage: both emptyDirs plus 256Mi for logs and the writable layer; request equal to limit.
    expect(containerOf(deployment).resources.requests['ephemeral-storage']).toBe('768Mi');
    expect(containerOf(deployment).resources.limits['ephemeral-storage']).toBe('768Mi');
  });

  test('egress: DNS, the backend\'s pods on their port, and its NodePort (the Next.js server may call the backend\'s URL)', () => {
    const { objects } = frontend();
    const np = find(objects, 'NetworkPolicy', 'todo-frontend');
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.egress.slice(1)).toEqual([
      { to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'todo-backend', 'app.kubernetes.io/instance': 'todo-backend' } } }], ports: [{ port: 8000, protocol: 'TCP' }] },
      { ports: [{ port: 30800, protocol: 'TCP' }] },
    ]);
    // Behind an Ingress the backend's URL is the Ingress controller's: HTTP and HTTPS to any address.
    const behindIngress = find(frontend({}, { serviceType: ServiceType.CLUSTER_IP, ingress: { host: 'todo.example.com', path: '/api' } }).objects, 'NetworkPolicy', 'todo-frontend');
    expect(behindIngress.spec.egress.slice(2)).toEqual([{ ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] }]);
  });

  describe('fails when', () => {
    test('no backend is given', () => {
      expect(() => synth((chart) => new TodoFrontend(chart, 'f', {} as any))).toThrow("'frontend.backend' must be a TodoBackend, got undefined");
    });
    test('the frontend is not reachable by browsers (ClusterIP)', () => {
      expect(() => TodoFrontend.urlOf({ serviceType: ServiceType.CLUSTER_IP })).toThrow("'frontend.serviceType' must be NodePort or LoadBalancer for a URL that browsers reach");
      expect(() => frontend({ serviceType: ServiceType.CLUSTER_IP }, { corsOrigins: [] })).toThrow("'frontend.serviceType' must be NodePort or LoadBalancer for a URL that browsers reach");
    });
    test('urlOf is given props the frontend refuses, with the same message', () => {
      expect(() => TodoFrontend.urlOf({ nodePort: 80 })).toThrow(`'frontend.nodePort' must be`);
      expect(() => TodoFrontend.urlOf({ serviceType: ServiceType.CLUSTER_IP, nodePort: 31000 })).toThrow(`'frontend.nodePort' needs 'serviceType' NodePort or LoadBalancer, got 31000 with ClusterIP`);
      expect(() => TodoFrontend.urlOf({ ingress: { host: 'Todo App' } })).toThrow(`'frontend.ingress.host' must be a host name`);
    });
    test('the backend does not allow the frontend\'s origin', () => {
      expect(() => frontend({ nodePort: 31111 }, { corsOrigins: ['http://192.168.49.2:30300'] })).toThrow(
        `'backend.corsOrigins' must include the frontend's origin "http://192.168.49.2:31111" (browsers call the backend from it), got ["http://192.168.49.2:30300"]; build the backend with corsOrigins: [TodoFrontend.originOf(frontendProps)], or use TodoApp, which does`);
      expect(() => frontend({}, { corsOrigins: [] })).toThrow(`'backend.corsOrigins' must include the frontend's origin "http://192.168.49.2:30300"`);
    });
    test('the backend is not reachable by browsers (ClusterIP)', () => {
      expect(() => frontend({}, { serviceType: ServiceType.CLUSTER_IP })).toThrow("'backend.serviceType' must be NodePort or LoadBalancer for a URL that browsers reach");
    });
    test('the liveness path is not absolute', () => {
      expect(() => frontend({ livenessPath: 'x' })).toThrow(`'frontend.livenessPath' must be an absolute HTTP path starting with "/", got "x"`);
    });
    test('the auth secret is too short', () => {
      expect(() => frontend({ betterAuthSecret: 'x'.repeat(31) })).toThrow(`'frontend.betterAuthSecret' must be a secret of at least 32 characters without whitespace, got a value of 31 characters`);
    });
  });
});
