import { Size } from 'cdk8s';
import { ImagePullPolicy } from 'cdk8s-plus-28';
import { BackendDatabase, DatabaseEngine } from './backend-database';
import { ClusterRules } from './cluster-objects';
import { quantityValue } from './resources';
import { DEFAULT_NODE_ADDRESS, PULL_POLICIES } from './app-component';
import { Profile, TodoAppProps } from './todo-app';
import { BACKEND_IMAGE, BACKEND_NODE_PORT, DEFAULT_ANTHROPIC_MODEL } from './todo-backend';
import { FRONTEND_IMAGE, FRONTEND_NODE_PORT } from './todo-frontend';
import { check, oneOf, orEmpty, Rule, Rules } from './validation';

/** The environment the settings are read from. */
export type Environment = { readonly [name: string]: string | undefined };

/** One setting a user changes per deployment without editing TypeScript. */
export interface SettingDefinition {
  /** The environment variable. */
  readonly variable: string;
  /** What it sets. */
  readonly description: string;
  /** The value used when the variable is not set, as text. */
  readonly default: string;
  /** Whether the value is a whole number (parsed before the rule applies). */
  readonly integer: boolean;
  /** What the value must be. */
  readonly rule: Rule<unknown>;
}

const s = (variable: string, description: string, def: string | number, rule: Rule<unknown>): SettingDefinition => ({
  variable,
  description,
  default: String(def),
  integer: typeof def === 'number',
  rule,
});

/**
 * Every setting of the default app, in the order the README lists them.
 * Secrets (`JWT_SECRET`, `BETTER_AUTH_SECRET`, `ANTHROPIC_API_KEY`) are read
 * separately, by {@link readSecretSettings}.
 */
export const SETTINGS: readonly SettingDefinition[] = [
  s('TODO_NAMESPACE', 'Namespace of every object (created, with restricted Pod Security, unless it is `default`)', 'default', Rules.dnsLabel),
  s('TODO_NODE_ADDRESS', 'Address users reach NodePorts at (`minikube ip`); all URLs derive from it', DEFAULT_NODE_ADDRESS, Rules.hostAddress),
  s('TODO_IMAGE_PULL_POLICY', 'Image pull policy of both containers', ImagePullPolicy.IF_NOT_PRESENT, oneOf(PULL_POLICIES)),
  s('TODO_BACKEND_IMAGE', 'Backend image repository', BACKEND_IMAGE.name, Rules.imageRepository),
  s('TODO_BACKEND_IMAGE_TAG', 'Backend image tag', BACKEND_IMAGE.tag, Rules.imageTag),
  s('TODO_BACKEND_REPLICAS', 'Backend pods (Minikube profile; 0 or 1 with SQLite)', 1, Rules.replicas),
  s('TODO_BACKEND_NODE_PORT', 'Backend NodePort (Minikube profile; the frontend is built against it)', BACKEND_NODE_PORT, Rules.nodePort),
  s('TODO_BACKEND_HEALTH_PATH', 'Path of the backend liveness and readiness probes', '/health', Rules.httpPath),
  s('TODO_PROFILE', 'Where the app runs: one Minikube node, or a multi-node cluster (Ingress, PostgreSQL, autoscaling; see "From Minikube to a cluster")', 'minikube', oneOf([Profile.MINIKUBE, Profile.CLUSTER])),
  s('TODO_HOST', 'Cluster profile: the host of the Ingress (required there)', '', orEmpty(ClusterRules.host)),
  s('TODO_TLS_SECRET', 'Cluster profile: a `kubernetes.io/tls` Secret for the host; empty: plain http', '', orEmpty(Rules.dnsSubdomain)),
  s('TODO_INGRESS_CLASS', 'Cluster profile: the IngressClass; empty: the cluster default', '', orEmpty(Rules.dnsSubdomain)),
  s('TODO_BACKEND_PATH', 'Cluster profile: the path prefix routed to the backend', '/api', ClusterRules.pathPrefix),
  s('TODO_MIN_REPLICAS', 'Cluster profile: fewest pods of each component', 2, ClusterRules.minReplicas),
  s('TODO_MAX_REPLICAS', 'Cluster profile: most pods of each component', 5, ClusterRules.maxReplicas),
  s('TODO_TARGET_CPU', 'Cluster profile: CPU use (percent of the request) the autoscalers aim for', 70, ClusterRules.cpuPercent),
  s('TODO_DATABASE', 'The backend\'s database: SQLite on a volume, the design\'s ephemeral file (lost on every restart), or PostgreSQL (required by the cluster profile)', 'sqlite', oneOf(['sqlite', 'ephemeral-sqlite', 'postgres'])),
  s('TODO_DATABASE_SECRET', 'PostgreSQL: a Secret of yours whose key `DATABASE_URL` holds the URL; empty: the `DATABASE_URL` variable', '', orEmpty(Rules.dnsSubdomain)),
  s('TODO_BACKEND_VOLUME_SIZE', 'Size of the SQLite volume', '1Gi', Rules.memory),
  s('TODO_BACKEND_STORAGE_CLASS', 'Storage class of the SQLite volume; empty: the cluster default (`standard` on Minikube)', '', orEmpty(Rules.dnsSubdomain)),
  s('TODO_NETWORK_POLICY', 'Whether NetworkPolicies admit traffic on the pods\' ports only', 'true', oneOf(['true', 'false'])),
  s('TODO_ANTHROPIC_MODEL', 'Model of the chatbot (`ANTHROPIC_MODEL`)', DEFAULT_ANTHROPIC_MODEL, Rules.nonEmpty),
  s('TODO_FRONTEND_IMAGE', 'Frontend image repository', FRONTEND_IMAGE.name, Rules.imageRepository),
  s('TODO_FRONTEND_IMAGE_TAG', 'Frontend image tag', FRONTEND_IMAGE.tag, Rules.imageTag),
  s('TODO_FRONTEND_REPLICAS', 'Frontend pods (Minikube profile)', 1, Rules.replicas),
  s('TODO_FRONTEND_NODE_PORT', 'Frontend NodePort (Minikube profile; the backend allows it in CORS)', FRONTEND_NODE_PORT, Rules.nodePort),
  s('TODO_FRONTEND_LIVENESS_PATH', 'Path of the frontend liveness probe', '/', Rules.httpPath),
  s('TODO_SECRETS_FILE', 'Where generated secrets are kept between synths (gitignored)', '.todo-secrets.json', Rules.nonEmpty),
];

/** The settings of the default app, parsed and checked. */
export interface Settings {
  /** The namespace of every object. */
  readonly namespace: string;
  /** Props of the {@link TodoApp}, secrets not included. */
  readonly app: TodoAppProps;
  /** Path of the file that keeps generated secrets. */
  readonly secretsFile: string;
}

/**
 * Reads the default app's settings from environment variables.
 *
 * Each value is checked against the same rule the constructs apply; an unknown
 * `TODO_*` variable is an error, so a typo does not pass silently.
 *
 * @throws Error naming the variable, the value and what is allowed
 */
export function readSettings(env: Environment): Settings {
  const known = new Set(SETTINGS.map((d) => d.variable));
  const unknown = Object.keys(env).filter((k) => k.startsWith('TODO_') && !known.has(k)).sort();
  if (unknown.length > 0) {
    throw new Error(`unknown setting ${unknown.join(', ')}; the settings are ${[...known].join(', ')}`);
  }
  const values = new Map<string, unknown>();
  for (const def of SETTINGS) {
    const raw = env[def.variable];
    values.set(def.variable, raw === undefined ? parse(def, def.default) : parse(def, raw));
  }
  const get = <T>(variable: string) => values.get(variable) as T;
  const pullPolicy = get<ImagePullPolicy>('TODO_IMAGE_PULL_POLICY');
  const networkPolicy = get('TODO_NETWORK_POLICY') === 'true';
  const storageClass = get<string>('TODO_BACKEND_STORAGE_CLASS');
  const database = readDatabase(get('TODO_DATABASE'), get('TODO_DATABASE_SECRET'), env.DATABASE_URL, () =>
    BackendDatabase.sqlite({ size: parseSize(get('TODO_BACKEND_VOLUME_SIZE')), storageClass: storageClass === '' ? undefined : storageClass }));
  const profile = get<Profile>('TODO_PROFILE');
  const optional = (variable: string) => (get<string>(variable) === '' ? undefined : get<string>(variable));
  // NodePorts belong to the Minikube profile; the cluster profile's Services are ClusterIP.
  const minikubeOnly = (variable: string): number | undefined => {
    if (profile === Profile.MINIKUBE) {
      return get(variable);
    }
    if (env[variable] !== undefined) {
      throw new Error(`'${variable}' applies to TODO_PROFILE=minikube only (the cluster profile autoscales, behind an Ingress: use TODO_MIN_REPLICAS, TODO_MAX_REPLICAS, TODO_HOST), got ${JSON.stringify(env[variable])}`);
    }
    return undefined;
  };
  if (profile === Profile.CLUSTER && optional('TODO_HOST') === undefined) {
    throw new Error(`'TODO_HOST' must be set with TODO_PROFILE=cluster (the host of the Ingress, such as "todo.example.com"), got ""`);
  }
  if (profile === Profile.CLUSTER && database.engine !== DatabaseEngine.POSTGRES) {
    throw new Error(`'TODO_DATABASE' must be "postgres" with TODO_PROFILE=cluster (pods on several nodes cannot share a SQLite file), got ${JSON.stringify(get('TODO_DATABASE'))}`);
  }
  return {
    namespace: get('TODO_NAMESPACE'),
    secretsFile: get('TODO_SECRETS_FILE'),
    app: {
      nodeAddress: get('TODO_NODE_ADDRESS'),
      profile,
      cluster: profile === Profile.CLUSTER ? {
        host: get('TODO_HOST'),
        tlsSecret: optional('TODO_TLS_SECRET'),
        ingressClassName: optional('TODO_INGRESS_CLASS'),
        backendPath: get('TODO_BACKEND_PATH'),
        autoscaling: { minReplicas: get('TODO_MIN_REPLICAS'), maxReplicas: get('TODO_MAX_REPLICAS'), targetCpuUtilization: get('TODO_TARGET_CPU') },
      } : undefined,
      backend: {
        image: BACKEND_IMAGE.with({ name: get('TODO_BACKEND_IMAGE'), tag: get('TODO_BACKEND_IMAGE_TAG') }),
        imagePullPolicy: pullPolicy,
        replicas: minikubeOnly('TODO_BACKEND_REPLICAS'),
        nodePort: minikubeOnly('TODO_BACKEND_NODE_PORT'),
        healthPath: get('TODO_BACKEND_HEALTH_PATH'),
        anthropicModel: get('TODO_ANTHROPIC_MODEL'),
        database,
        networkPolicy,
      },
      frontend: {
        image: FRONTEND_IMAGE.with({ name: get('TODO_FRONTEND_IMAGE'), tag: get('TODO_FRONTEND_IMAGE_TAG') }),
        imagePullPolicy: pullPolicy,
        replicas: minikubeOnly('TODO_FRONTEND_REPLICAS'),
        nodePort: minikubeOnly('TODO_FRONTEND_NODE_PORT'),
        livenessPath: get('TODO_FRONTEND_LIVENESS_PATH'),
        networkPolicy,
      },
    },
  };
}

function readDatabase(kind: string, secretName: string, url: string | undefined, sqlite: () => BackendDatabase): BackendDatabase {
  if (kind === 'ephemeral-sqlite') {
    return BackendDatabase.ephemeralSqlite();
  }
  if (kind === 'postgres') {
    if (secretName !== '') {
      return BackendDatabase.postgresFromSecret({ secretName });
    }
    if (url === undefined || url === '') {
      throw new Error(`'DATABASE_URL' must be set with TODO_DATABASE=postgres (or 'TODO_DATABASE_SECRET' naming a Secret that holds it), got ${url === undefined ? 'undefined' : '""'}`);
    }
    return BackendDatabase.postgres(url);
  }
  return sqlite();
}

/** A size from a quantity such as `512Mi` or `2Gi`. */
function parseSize(quantity: string): Size {
  const bytes = quantityValue(quantity);
  return Size.kibibytes(bytes / 1024);
}

function parse(def: SettingDefinition, raw: string): unknown {
  if (def.integer) {
    const value = /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
    return check(def.variable, value, def.rule);
  }
  return check(def.variable, raw, def.rule);
}

/** The secret settings, read from the environment only. */
export interface SecretSettings {
  /** `JWT_SECRET`, when set. */
  readonly jwtSecret?: string;
  /** `BETTER_AUTH_SECRET`, when set. */
  readonly betterAuthSecret?: string;
  /** `ANTHROPIC_API_KEY`, when set and not empty. */
  readonly anthropicApiKey?: string;
}

/** The secret variables and what each must be. */
export const SECRET_SETTINGS = [
  { variable: 'JWT_SECRET', description: 'Key that signs JWTs (backend)' },
  { variable: 'BETTER_AUTH_SECRET', description: 'Key that signs Better Auth sessions (frontend)' },
  { variable: 'ANTHROPIC_API_KEY', description: 'Anthropic API key; empty or unset disables the chatbot (backend)' },
  { variable: 'DATABASE_URL', description: 'PostgreSQL URL, with TODO_DATABASE=postgres (backend)' },
] as const;

/**
 * Reads `JWT_SECRET`, `BETTER_AUTH_SECRET` and `ANTHROPIC_API_KEY`.
 * An empty `ANTHROPIC_API_KEY` means none (the design's default).
 */
export function readSecretSettings(env: Environment): SecretSettings {
  const secret = (variable: string) => {
    const value = env[variable];
    return value === undefined ? undefined : check(variable, value, Rules.secret);
  };
  const apiKey = env.ANTHROPIC_API_KEY;
  return {
    jwtSecret: secret('JWT_SECRET'),
    betterAuthSecret: secret('BETTER_AUTH_SECRET'),
    anthropicApiKey: apiKey === undefined || apiKey === '' ? undefined : check('ANTHROPIC_API_KEY', apiKey, Rules.credential),
  };
}
