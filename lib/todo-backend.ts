import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { AppComponent, AppComponentOptions, DEFAULT_RESOURCES } from './app-component';
import { BackendDatabase, DatabaseEngine } from './backend-database';
import { DockerImage } from './docker-image';
import { HealthProbe } from './health-probe';
import { Persistence } from './features/persistence';
import { SecretEgress } from './features/secret-egress';
import { SqliteRules } from './features/sqlite-rules';
import { Database, SQLITE_CHART } from './features/database';
import { ComponentVariables, propEnv, propSecrets } from './component-variables';
import { check, Rules, show } from './validation';
import * as k8s from '../imports/k8s';

/**
 * The backend image of the design: FastAPI on `python:3.12-slim`, port 8000,
 * built from `backend/`. Frozen; `BACKEND_IMAGE.with({...})` gives a changed copy.
 */
export const BACKEND_IMAGE: DockerImage = Object.freeze(new DockerImage({
  name: 'todo-backend',
  tag: 'latest',
  baseImage: 'python:3.12-slim',
  port: 8000,
  buildContext: 'backend/',
}));

/** The backend's default NodePort (`30800`: the backend port 8000, in the NodePort range). */
export const BACKEND_NODE_PORT = 30800;

/** The design's model for the chatbot. */
export const DEFAULT_ANTHROPIC_MODEL = 'claude-3-haiku-20240307';

/** HTTPS, for the Anthropic API. */
export const HTTPS_PORT = 443;

/** The chatbot calls the Anthropic API over HTTPS when it has a key. */
const ANTHROPIC_EGRESS = new SecretEgress('ANTHROPIC_API_KEY', [HTTPS_PORT]);

/**
 * Where the backend sends traffic besides DNS: its PostgreSQL server (any
 * address, as the server may be outside the cluster), and HTTPS anywhere
 * when an Anthropic key is given or may be in a Secret of the user's (the
 * chatbot calls the Anthropic API).
 */
function backendEgress(database: BackendDatabase, props: TodoBackendProps): k8s.NetworkPolicyEgressRule[] {
  return [...Database.egress(database), ...ANTHROPIC_EGRESS.rules({ value: props.anthropicApiKey, existingSecret: props.existingSecret })];
}

/**
 * Properties of a {@link TodoBackend}.
 */
export interface TodoBackendProps extends AppComponentOptions {
  /**
   * The path of the backend's health endpoint, used by the default readiness
   * and startup probes. The default liveness probe opens the port instead: a
   * failing dependency behind `/health` should take the pod out of the
   * Service, not restart it.
   *
   * @default '/health'
   */
  readonly healthPath?: string;

  /**
   * The key that signs the users' JWTs (`JWT_SECRET`). Keep it stable across
   * deployments, or every user is signed out.
   *
   * @default - read from the Secret kept by the cluster (`todo-backend-keys` for the default name; see `keysSecret`), created once with its `createCommand`
   */
  readonly jwtSecret?: string;

  /**
   * Anthropic API key for the chatbot (`ANTHROPIC_API_KEY`). The backend starts without it.
   *
   * @default - none: the chatbot is disabled
   */
  readonly anthropicApiKey?: string;

  /**
   * The model the chatbot uses (`ANTHROPIC_MODEL`).
   *
   * @default 'claude-3-haiku-20240307'
   */
  readonly anthropicModel?: string;

  /**
   * How long a login lasts, in hours (`JWT_EXPIRY_HOURS`).
   *
   * @default 24
   */
  readonly jwtExpiryHours?: number;

  /**
   * The database. SQLite allows one replica only (one writer on a
   * ReadWriteOnce volume); use PostgreSQL for more.
   *
   * @default BackendDatabase.sqlite(): SQLite on a 1 GiB volume
   */
  readonly database?: BackendDatabase;

  /**
   * Origins the browser may call the backend from (`CORS_ORIGINS`,
   * comma-separated), such as `http://192.168.49.2:30300`: scheme, host and
   * port. A {@link TodoFrontend} on another origin must be among them; its
   * origin is known before it is built ({@link TodoFrontend.originOf}), and
   * a {@link TodoApp} adds its frontend's.
   *
   * @default - none: `CORS_ORIGINS` is not set
   */
  readonly corsOrigins?: string[];
}

/**
 * The backend's variables set from its props (`ANTHROPIC_MODEL` also by the
 * default app's `TODO_ANTHROPIC_MODEL`) and its secret variables, declared
 * once (lib/component-variables.ts): the backend, the default app's
 * settings and its secrets file all read them from here.
 */
export const BACKEND_VARIABLES: ComponentVariables<TodoBackendProps> = {
  role: 'backend',
  env: [
    { name: 'JWT_EXPIRY_HOURS', prop: 'jwtExpiryHours', default: 24, rule: Rules.threshold },
    {
      name: 'ANTHROPIC_MODEL', prop: 'anthropicModel', default: DEFAULT_ANTHROPIC_MODEL, rule: Rules.nonEmpty,
      setting: { variable: 'TODO_ANTHROPIC_MODEL', description: 'Model of the chatbot (`ANTHROPIC_MODEL`)', example: 'claude-3-5-sonnet-latest' },
    },
  ],
  secrets: [
    { name: 'JWT_SECRET', prop: 'jwtSecret', description: 'Key that signs JWTs', optional: false, generate: true, rule: Rules.secret },
    { name: 'ANTHROPIC_API_KEY', prop: 'anthropicApiKey', description: 'Anthropic API key; empty or unset disables the chatbot', optional: true, generate: false, rule: Rules.credential, instead: 'or leave the chatbot off' },
    { name: 'DATABASE_URL', description: 'PostgreSQL URL, with TODO_DATABASE=postgres', optional: false, generate: false, rule: Rules.credential, instead: 'or keep the URL in a Secret named by TODO_DATABASE_SECRET' },
  ],
};

/**
 * The Todo app's FastAPI backend: Deployment and NodePort Service
 * `todo-backend` on port 8000, probed at `GET /health`, configured by a
 * ConfigMap (`DATABASE_URL`, `JWT_ALGORITHM`, `JWT_EXPIRY_HOURS`,
 * `CORS_ORIGINS`, `ANTHROPIC_MODEL`) and a Secret (`JWT_SECRET`, optional
 * `ANTHROPIC_API_KEY`). The SQLite database lives on a PersistentVolumeClaim,
 * so users and tasks survive restarts.
 *
 * @example
 * const backend = new TodoBackend(chart, 'backend', {
 *   imageTag: 'v1.2.0',
 *   jwtSecret: process.env.JWT_SECRET,
 * });
 * backend.url;     // 'http://192.168.49.2:30800'
 * backend.dnsName; // 'todo-backend.default.svc.cluster.local'
 */
export class TodoBackend extends AppComponent {
  /** The database. */
  public readonly database: BackendDatabase;
  /** Origins the browser may call the backend from (`CORS_ORIGINS`), without repeats, in the order given. */
  public readonly corsOrigins: readonly string[];

  constructor(scope: Construct, id: string, props: TodoBackendProps = {}) {
    const healthPath = check('backend.healthPath', props.healthPath ?? '/health', Rules.httpPath);
    const env = propEnv(BACKEND_VARIABLES, props);
    const database = props.database ?? BackendDatabase.default();
    SqliteRules.check(database, props);
    Database.checkEnv('backend.env', props.env);
    const corsOrigins = Object.freeze([...new Set((props.corsOrigins ?? []).map(checkOrigin))]);
    super(scope, id, props, {
      role: 'backend',
      defaultName: 'todo-backend',
      defaultImage: BACKEND_IMAGE,
      defaultNodePort: BACKEND_NODE_PORT,
      defaultResources: DEFAULT_RESOURCES,
      defaultLivenessProbe: HealthProbe.tcpSocket({
        initialDelay: Duration.seconds(10),
        period: Duration.seconds(10),
        timeout: Duration.seconds(3),
      }),
      defaultReadinessProbe: HealthProbe.httpGet(healthPath, {
        initialDelay: Duration.seconds(5),
        period: Duration.seconds(5),
        timeout: Duration.seconds(3),
      }),
      writableDirectories: ['/tmp'],
      egress: backendEgress(database, props),
      defaultStartupProbe: HealthProbe.httpGet(healthPath, {
        period: Duration.seconds(5),
        timeout: Duration.seconds(3),
        failureThreshold: 30,
      }),
      persistentVolume: database.volume,
      // The database before the Anthropic key's egress: PostgreSQL's rule comes first, in both renderings.
      features: [new Database(database), new SqliteRules(), new Persistence(SQLITE_CHART), ANTHROPIC_EGRESS],
      writableRoot: database.engine === DatabaseEngine.SQLITE && database.volume === undefined,
      env: {
        ...Database.configEnv(database),
        ...(corsOrigins.length === 0 ? {} : { CORS_ORIGINS: corsOrigins.join(',') }),
        JWT_ALGORITHM: 'HS256',
        ...env,
      },
      // DATABASE_URL last (as declared): a chart renders the variables its values choose at install after the others.
      secrets: propSecrets(BACKEND_VARIABLES, props, { DATABASE_URL: Database.urlSecret(database) }),
    });
    this.database = database;
    this.corsOrigins = corsOrigins;
  }
}

/** Checks one entry of `backend.corsOrigins`: an origin, as browsers send it. */
function checkOrigin(origin: string): string {
  if (typeof origin !== 'string' || !/^https?:\/\/[^\s/,]+$/.test(origin)) {
    throw new Error(`'backend.corsOrigins' must hold origins such as "http://192.168.49.2:30300" (scheme and host, no path or comma), got ${show(origin)}`);
  }
  return origin;
}
