import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { AppComponent, AppComponentOptions, componentUrl, DEFAULT_RESOURCES } from './app-component';
import { ComponentVariables, propEnv, propSecrets } from './component-variables';
import { DockerImage } from './docker-image';
import { HealthProbe } from './health-probe';
import { TodoBackend } from './todo-backend';
import { egressToPorts } from './cluster-objects';
import { check, Rules, show } from './validation';
import * as k8s from '../imports/k8s';

/**
 * The frontend image of the design: Next.js on `node:18-alpine`, port 3000,
 * built from `frontend/`. Frozen; `FRONTEND_IMAGE.with({...})` gives a changed copy.
 */
export const FRONTEND_IMAGE: DockerImage = Object.freeze(new DockerImage({
  name: 'todo-frontend',
  tag: 'latest',
  baseImage: 'node:18-alpine',
  port: 3000,
  buildContext: 'frontend/',
}));

/** The frontend's default NodePort (`30300`: the frontend port 3000, in the NodePort range). */
export const FRONTEND_NODE_PORT = 30300;

/**
 * Where the frontend sends traffic besides DNS. Next.js renders pages on the
 * server too, and the server may call the backend at the URL baked into the
 * image (`NEXT_PUBLIC_API_URL`): so the backend's pods on their port, and
 * its NodePort on any address (the node's address, for a network plugin that
 * checks egress before the node translates it to the pod) or, behind an
 * Ingress, HTTP and HTTPS on any address (the Ingress controller's address
 * is not known at synth).
 */
function frontendEgress(backend: TodoBackend): k8s.NetworkPolicyEgressRule[] {
  return [
    { to: [{ podSelector: { matchLabels: backend.selectorLabels } }], ports: [{ port: k8s.IntOrString.fromNumber(backend.containerPort), protocol: 'TCP' }] },
    ...(backend.nodePort !== undefined ? [egressToPorts([backend.nodePort])] : []),
    ...(backend.ingressRoute !== undefined ? [egressToPorts([80, 443])] : []),
  ];
}

/**
 * Properties of a {@link TodoFrontend}.
 */
export interface TodoFrontendProps extends AppComponentOptions {
  /**
   * The backend the browser calls. Its URL is baked into the image as
   * `NEXT_PUBLIC_API_URL`. Unless the two share an origin, the backend must
   * allow the frontend's origin in its `corsOrigins`
   * ({@link TodoFrontend.originOf} gives it before the frontend is built).
   */
  readonly backend: TodoBackend;

  /**
   * The path the liveness probe requests (the frontend has no health
   * endpoint; its landing page answers when the server is up).
   *
   * @default '/'
   */
  readonly livenessPath?: string;

  /**
   * The key Better Auth signs sessions with (`BETTER_AUTH_SECRET`). Keep it
   * stable across deployments, or every user is signed out.
   *
   * @default - read from the Secret kept by the cluster (`todo-frontend-keys` for the default name; see `keysSecret`), created once with its `createCommand`
   */
  readonly betterAuthSecret?: string;
}

/**
 * The frontend's variables set from its props and its secret variables,
 * declared once (lib/component-variables.ts): the frontend, the default
 * app's settings and its secrets file all read them from here.
 */
export const FRONTEND_VARIABLES: ComponentVariables<TodoFrontendProps> = {
  role: 'frontend',
  env: [],
  secrets: [
    { name: 'BETTER_AUTH_SECRET', prop: 'betterAuthSecret', description: 'Key that signs Better Auth sessions', optional: false, generate: true, rule: Rules.secret },
  ],
};

/**
 * The Todo app's Next.js frontend: Deployment and NodePort Service
 * `todo-frontend` on port 3000, liveness `GET /`, readiness a TCP check.
 *
 * `NEXT_PUBLIC_API_URL` (the backend's URL) and `NEXT_PUBLIC_APP_URL` (the
 * frontend's own URL) are baked into the JavaScript bundle when the image is
 * built, because the code runs in the user's browser: they are build
 * arguments of {@link TodoFrontend.image}, not pod environment.
 * `BETTER_AUTH_SECRET` is kept in a Secret.
 *
 * The frontend reads its backend; it does not change it. The backend's
 * `corsOrigins` must already allow the frontend's origin, which
 * {@link TodoFrontend.originOf} computes from the frontend's props (a
 * {@link TodoApp} does this wiring itself).
 *
 * @example
 * const frontendProps = { nodePort: 31300 };
 * const backend = new TodoBackend(chart, 'backend', {
 *   corsOrigins: [TodoFrontend.originOf(frontendProps)], // 'http://192.168.49.2:31300'
 * });
 * const frontend = new TodoFrontend(chart, 'frontend', { ...frontendProps, backend });
 * frontend.image.buildArgs.NEXT_PUBLIC_API_URL; // 'http://192.168.49.2:30800'
 */
export class TodoFrontend extends AppComponent {
  /** The backend this frontend calls. */
  public readonly backend: TodoBackend;

  /**
   * The URL browsers will reach a frontend with these props at, known before
   * it is built: from its Ingress, else its node address and nodePort, with
   * the frontend's defaults and checks. The frontend built with the same
   * props has this {@link AppComponent.url}.
   *
   * @example
   * TodoFrontend.urlOf({ nodeAddress: '192.168.58.2' }); // 'http://192.168.58.2:30300'
   * TodoFrontend.urlOf({ serviceType: ServiceType.CLUSTER_IP, ingress: { host: 'todo.example.com', tlsSecret: 'todo-tls' } }); // 'https://todo.example.com'
   */
  public static urlOf(props: AppComponentOptions = {}): string {
    return componentUrl('frontend', FRONTEND_NODE_PORT, props);
  }

  /**
   * The origin (scheme, host and port) of {@link TodoFrontend.urlOf}, as
   * CORS compares it: what a backend's `corsOrigins` must hold for a
   * frontend with these props.
   */
  public static originOf(props: AppComponentOptions = {}): string {
    return new URL(TodoFrontend.urlOf(props)).origin;
  }

  constructor(scope: Construct, id: string, props: TodoFrontendProps) {
    if (!(props?.backend instanceof TodoBackend)) {
      throw new Error(`'frontend.backend' must be a TodoBackend, got ${props?.backend === undefined ? 'undefined' : typeof props.backend}`);
    }
    const url = TodoFrontend.urlOf(props);
    const origin = new URL(url).origin;
    const backend = props.backend;
    if (origin !== backend.origin && !backend.corsOrigins.includes(origin)) {
      throw new Error(`'backend.corsOrigins' must include the frontend's origin ${show(origin)} (browsers call the backend from it), got ${show(backend.corsOrigins)}; build the backend with corsOrigins: [TodoFrontend.originOf(frontendProps)], or use TodoApp, which does`);
    }
    const livenessPath = check('frontend.livenessPath', props.livenessPath ?? '/', Rules.httpPath);
    const env = propEnv(FRONTEND_VARIABLES, props);
    const image = props.image ?? FRONTEND_IMAGE;
    super(scope, id, props, {
      role: 'frontend',
      defaultName: 'todo-frontend',
      defaultImage: FRONTEND_IMAGE,
      defaultNodePort: FRONTEND_NODE_PORT,
      defaultResources: DEFAULT_RESOURCES,
      defaultLivenessProbe: HealthProbe.httpGet(livenessPath, {
        initialDelay: Duration.seconds(15),
        period: Duration.seconds(10),
        timeout: Duration.seconds(3),
      }),
      defaultReadinessProbe: HealthProbe.tcpSocket({
        initialDelay: Duration.seconds(5),
        period: Duration.seconds(5),
      }),
      writableDirectories: ['/tmp', '/app/.next/cache'],
      egress: frontendEgress(props.backend),
      defaultStartupProbe: HealthProbe.tcpSocket({
        period: Duration.seconds(5),
        failureThreshold: 30,
      }),
      env: {
        // Next.js' standalone server reads its port and bind address from the environment;
        // Kubernetes sets HOSTNAME to the pod name, so bind to all interfaces explicitly.
        PORT: String(image.port),
        HOSTNAME: '0.0.0.0',
        ...env,
      },
      secrets: propSecrets(FRONTEND_VARIABLES, props),
      buildArgs: {
        NEXT_PUBLIC_API_URL: backend.url,
        NEXT_PUBLIC_APP_URL: url,
      },
    });
    this.backend = backend;
  }
}
