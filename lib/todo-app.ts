import { ImagePullPolicy, ServiceType } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppComponent, DEFAULT_NODE_ADDRESS } from './app-component';
import { ComponentVariables, SecretDeclaration } from './component-variables';
import { BACKEND_VARIABLES, TodoBackend, TodoBackendProps } from './todo-backend';
import { FRONTEND_VARIABLES, TodoFrontend, TodoFrontendProps } from './todo-frontend';
import { DatabaseEngine } from './backend-database';
import { AutoscalingOptions, ClusterRules } from './cluster-objects';
import { check, checkOptional, oneOf, Rules } from './validation';

/** Options of the backend inside a {@link TodoApp}. */
export type TodoAppBackendOptions = Omit<TodoBackendProps, 'nodeAddress'>;

/** Options of the frontend inside a {@link TodoApp}; its backend is the app's. */
export type TodoAppFrontendOptions = Omit<TodoFrontendProps, 'backend' | 'nodeAddress'>;

/** Where the app runs. */
export enum Profile {
  /** One Minikube node: NodePort Services, SQLite on a volume, one pod each. */
  MINIKUBE = 'minikube',
  /**
   * A multi-node cluster: ClusterIP Services behind an Ingress, the backend on
   * PostgreSQL, two or more pods each with a HorizontalPodAutoscaler on CPU,
   * a PodDisruptionBudget, and pods spread over nodes.
   */
  CLUSTER = 'cluster',
}

/** The variables each component of the app declares, backend first: what the default app's settings and secrets file derive from. */
export const APP_VARIABLES: readonly [ComponentVariables<TodoBackendProps>, ComponentVariables<TodoFrontendProps>] = [BACKEND_VARIABLES, FRONTEND_VARIABLES];

/** A secret variable of one of the app's components, with the component's role. */
export interface AppSecret extends Omit<SecretDeclaration<unknown>, 'prop'> {
  /** The component's role: `backend` or `frontend`. */
  readonly role: 'backend' | 'frontend';
  /** The prop of the component that takes its value, if one does. */
  readonly prop?: string;
}

/** The secret variables of the app's components, backend first. */
export const APP_SECRETS: readonly AppSecret[] = APP_VARIABLES.flatMap((c): AppSecret[] => c.secrets.map((d) => ({ ...d, role: c.role })));

/** Where the app runs when `profile` is not given. */
export const DEFAULT_PROFILE = Profile.MINIKUBE;

/** The path prefix routed to the backend in the cluster profile when `backendPath` is not given. */
export const DEFAULT_BACKEND_PATH = '/api';

/**
 * Options of the cluster profile.
 */
export interface ClusterOptions {
  /** The host users reach the app at (`todo.example.com`); the frontend is at `/`, the backend at `backendPath`. */
  readonly host: string;

  /**
   * A `kubernetes.io/tls` Secret for the host; the URLs use `https` when it is set.
   *
   * @default - no TLS: the URLs use `http`
   */
  readonly tlsSecret?: string;

  /**
   * The IngressClass of both Ingresses.
   *
   * @default - the cluster's default IngressClass
   */
  readonly ingressClassName?: string;

  /**
   * The path prefix routed to the backend. The Ingress passes paths on as they
   * are, so the backend must answer under it.
   *
   * @default '/api'
   */
  readonly backendPath?: string;

  /**
   * Autoscaling of each component.
   *
   * @default - 2 to 5 pods, at 70% of the CPU request
   */
  readonly autoscaling?: AutoscalingOptions;
}

/**
 * Properties of a {@link TodoApp}.
 */
export interface TodoAppProps {
  /**
   * Where the app runs.
   *
   * @default Profile.MINIKUBE
   */
  readonly profile?: Profile;

  /**
   * Host, TLS and scaling of the cluster profile (required with `Profile.CLUSTER`).
   *
   * @default - none: the Minikube profile needs none
   */
  readonly cluster?: ClusterOptions;

  /**
   * The address users reach NodePorts at: the Minikube node's IP (`minikube ip`).
   * Every URL of the app (`CORS_ORIGINS`, `NEXT_PUBLIC_API_URL`,
   * `NEXT_PUBLIC_APP_URL`) is derived from it and the Services' nodePorts.
   *
   * @default '192.168.49.2'
   */
  readonly nodeAddress?: string;

  /**
   * Backend options.
   *
   * @default - the design's backend
   */
  readonly backend?: TodoAppBackendOptions;

  /**
   * Frontend options.
   *
   * @default - the design's frontend
   */
  readonly frontend?: TodoAppFrontendOptions;
}

/**
 * The whole Todo app: a {@link TodoBackend} and a {@link TodoFrontend} wired
 * together. The frontend's image is built against the backend's URL, and the
 * backend accepts browser calls from the frontend's origin; both follow the
 * Services' nodePorts and the one `nodeAddress` (Minikube), or the Ingress
 * host (`Profile.CLUSTER`).
 *
 * @example
 * const chart = new Chart(app, 'todo', { namespace: 'todo' });
 * const todo = new TodoApp(chart, 'todo', {
 *   nodeAddress: '192.168.58.2',
 *   backend: { nodePort: 31000 },
 * });
 * todo.frontend.image.buildArgs.NEXT_PUBLIC_API_URL; // 'http://192.168.58.2:31000'
 *
 * const prod = new Chart(app, 'prod', { namespace: 'prod' }); // one TodoApp per namespace: their names would clash
 * const onCluster = new TodoApp(prod, 'todo', {
 *   profile: Profile.CLUSTER,
 *   cluster: { host: 'todo.example.com', tlsSecret: 'todo-tls' },
 *   backend: { database: BackendDatabase.postgresFromSecret({ secretName: 'todo-db' }) },
 * });
 * onCluster.backend.url; // 'https://todo.example.com/api'
 */
export class TodoApp extends Construct {
  /** The backend. */
  public readonly backend: TodoBackend;
  /** The frontend. */
  public readonly frontend: TodoFrontend;
  /** The address users reach NodePorts at. */
  public readonly nodeAddress: string;
  /** Where the app runs. */
  public readonly profile: Profile;

  constructor(scope: Construct, id: string, props: TodoAppProps = {}) {
    super(scope, id);
    this.nodeAddress = check('nodeAddress', props.nodeAddress ?? DEFAULT_NODE_ADDRESS, Rules.hostAddress);
    this.profile = check('profile', props.profile ?? DEFAULT_PROFILE, oneOf([Profile.MINIKUBE, Profile.CLUSTER]));
    const profileDefaults = this.profile === Profile.CLUSTER ? clusterDefaults(props) : { backend: {}, frontend: {} };
    // One direction: the frontend's origin is known from its props, so the
    // backend is built with it in CORS_ORIGINS, then the frontend with the backend's URL.
    const frontendOptions = { ...profileDefaults.frontend, ...props.frontend, nodeAddress: this.nodeAddress };
    const backendOptions = { ...profileDefaults.backend, ...props.backend, nodeAddress: this.nodeAddress };
    this.backend = new TodoBackend(this, 'backend', {
      ...backendOptions,
      corsOrigins: [...(backendOptions.corsOrigins ?? []), TodoFrontend.originOf(frontendOptions)],
    });
    // The frontend's name and nodePort must differ from the backend's (and from every other
    // component's of the app): AppChecks.register (lib/app-checks.ts) checks that as it is built.
    this.frontend = new TodoFrontend(this, 'frontend', { ...frontendOptions, backend: this.backend });
  }

  /** The components, backend first. */
  public get components(): AppComponent[] {
    return [this.backend, this.frontend];
  }
}

/** What the cluster profile sets on each component (props given explicitly win). */
function clusterDefaults(props: TodoAppProps): { backend: TodoAppBackendOptions; frontend: TodoAppFrontendOptions } {
  const cluster = props.cluster;
  if (cluster === undefined) {
    throw new Error(`'cluster' must be set with the cluster profile (at least 'cluster.host'), got undefined`);
  }
  if (props.backend?.database === undefined || props.backend.database.engine !== DatabaseEngine.POSTGRES) {
    throw new Error(`'backend.database' must be PostgreSQL in the cluster profile (pods on several nodes cannot share a SQLite file), got ${props.backend?.database?.engine ?? 'the default (sqlite)'}; use BackendDatabase.postgres(url) or BackendDatabase.postgresFromSecret(...)`);
  }
  // Checked here, so that an error names what the user set (both Ingresses take these).
  const host = check('cluster.host', cluster.host, ClusterRules.host);
  const tlsSecret = checkOptional('cluster.tlsSecret', cluster.tlsSecret, Rules.dnsSubdomain);
  const className = checkOptional('cluster.ingressClassName', cluster.ingressClassName, Rules.dnsSubdomain);
  const backendPath = check('cluster.backendPath', cluster.backendPath ?? DEFAULT_BACKEND_PATH, ClusterRules.backendPath);
  const ingress = (path: string) => ({ host, path, tlsSecret, className });
  const shared = {
    serviceType: ServiceType.CLUSTER_IP,
    // Images come from a registry: pull on every start, so a pod runs what the tag names now.
    imagePullPolicy: ImagePullPolicy.ALWAYS,
    autoscaling: cluster.autoscaling ?? {},
    minAvailable: 1,
    // Pods spread over nodes because the autoscaler runs 2 or more (spreadAcrossNodes unset: an affinity may be given).
  };
  return {
    backend: { ...shared, ingress: ingress(backendPath) },
    frontend: { ...shared, ingress: ingress('/') },
  };
}
