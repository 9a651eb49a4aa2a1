import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { AppComponent, AppComponentOptions, DEFAULT_RESOURCES } from './app-component';
import { DockerImage } from './docker-image';
import { HealthProbe } from './health-probe';
import { TodoBackend } from './todo-backend';
import { egressToPorts } from './cluster-objects';
import { check, Rules } from './validation';
import * as k8s from '../imports/k8s';

/** The frontend image of the design: Next.js on `node:18-alpine`, port 3000, built from `frontend/`. */
export const FRONTEND_IMAGE = new DockerImage({
  name: 'todo-frontend',
  tag: 'latest',
  baseImage: 'node:18-alpine',
  port: 3000,
  buildContext: 'frontend/',
});

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
   * The backend the browser calls. Its NodePort URL is baked into the image
   * as `NEXT_PUBLIC_API_URL`, and the frontend's URL is added to its `CORS_ORIGINS`.
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
   * @default - a crypto-random 256-bit value, new on every synth
   */
  readonly betterAuthSecret?: string;
}

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
 * @example
 * const backend = new TodoBackend(chart, 'backend');
 * const frontend = new TodoFrontend(chart, 'frontend', { backend });
 * frontend.image.buildArgs.NEXT_PUBLIC_API_URL; // 'http://192.168.49.2:30800'
 */
export class TodoFrontend extends AppComponent {
  /** The backend this frontend calls. */
  public readonly backend: TodoBackend;

  constructor(scope: Construct, id: string, props: TodoFrontendProps) {
    if (!(props?.backend instanceof TodoBackend)) {
      throw new Error(`'frontend.backend' must be a TodoBackend, got ${props?.backend === undefined ? 'undefined' : typeof props.backend}`);
    }
    const livenessPath = check('frontend.livenessPath', props.livenessPath ?? '/', Rules.httpPath);
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
      },
      secrets: [
        { name: 'BETTER_AUTH_SECRET', optional: false, generate: true, value: props.betterAuthSecret, setting: 'frontend.betterAuthSecret', rule: Rules.secret },
      ],
      buildArgs: (self) => ({
        NEXT_PUBLIC_API_URL: props.backend.url,
        NEXT_PUBLIC_APP_URL: self.url,
      }),
    });
    this.backend = props.backend;
    props.backend.allowCorsOrigin(this.origin);
  }
}
