import * as fs from 'fs';
import * as path from 'path';
import { Size } from 'cdk8s';
import { ImagePullPolicy } from 'cdk8s-plus-28';
import { PULL_POLICIES } from './app-component';
import { BackendDatabase, DatabaseEngine, SQLITE_SIZE } from './backend-database';
import { AutoscalingOptions, ClusterRules, DEFAULT_AUTOSCALING } from './cluster-objects';
import { ComponentVariables, GENERATED_INSTEAD } from './component-variables';
import { DockerImage } from './docker-image';
import { quantityValue } from './resources';
import { APP_SECRETS, ClusterOptions, DEFAULT_PROFILE, Profile, TodoApp, TodoAppBackendOptions, TodoAppFrontendOptions, TodoAppProps } from './todo-app';
import { BACKEND_IMAGE, BACKEND_NODE_PORT, BACKEND_VARIABLES } from './todo-backend';
import { FRONTEND_IMAGE, FRONTEND_NODE_PORT, FRONTEND_VARIABLES } from './todo-frontend';
import { atLeast, check, nodePortOtherThan, oneOf, orEmpty, Rule, Rules, show, violation } from './validation';

/** The environment the settings are read from. */
export type Environment = { readonly [name: string]: string | undefined };

/** The databases `TODO_DATABASE` names. */
export const DATABASE_KINDS = ['sqlite', 'ephemeral-sqlite', 'postgres'] as const;

/** A database as `TODO_DATABASE` names it. */
export type DatabaseKind = typeof DATABASE_KINDS[number];

/** The `TODO_DATABASE` name of a database: `sqlite` (on a volume), `ephemeral-sqlite` or `postgres`. */
export function databaseKind(database: BackendDatabase): DatabaseKind {
  if (database.engine === DatabaseEngine.POSTGRES) {
    return 'postgres';
  }
  return database.volume === undefined ? 'ephemeral-sqlite' : 'sqlite';
}

/** A value as a setting spells it, read back from a built app; undefined when there is none. */
export type SettingValue = string | number | undefined;

/** One setting a user changes per deployment without editing TypeScript. */
export interface SettingDefinition {
  /** The environment variable. */
  readonly variable: string;
  /** What it sets. */
  readonly description: string;
  /** Whether the value is a whole number (parsed before the rule applies). */
  readonly integer: boolean;
  /** What the value must be. */
  readonly rule: Rule<unknown>;
  /**
   * The profile the setting belongs to; set with the other profile, which
   * would ignore it, it is an error.
   *
   * @default - every profile
   */
  readonly profile?: Profile;
  /**
   * The databases the setting belongs to; set with another database, which
   * would ignore it, it is an error.
   *
   * @default - every database
   */
  readonly databases?: readonly DatabaseKind[];
  /**
   * The value in effect in an app built from the settings, spelled as the
   * variable would be. An unset variable leaves the constructs' default in
   * place, so this reads the default from the constructs themselves (the
   * README's table is checked against it).
   */
  readonly inEffect: (todo: TodoApp, settings: Settings) => SettingValue;
}

interface SettingOptions {
  readonly profile?: Profile;
  readonly databases?: readonly DatabaseKind[];
}

const s = (variable: string, description: string, rule: Rule<unknown>, inEffect: SettingDefinition['inEffect'], options: SettingOptions = {}): SettingDefinition => ({
  variable,
  description,
  integer: rule.schema.type === 'integer',
  rule,
  ...options,
  inEffect,
});

/**
 * The settings of a component's variables that have one
 * (`PropVariable.setting`), in the order the component declares them; the
 * value in effect is read back from the component's ConfigMap.
 */
const variableSettings = <P>(c: ComponentVariables<P>): SettingDefinition[] => c.env.flatMap((v) => {
  if (v.setting === undefined) {
    return [];
  }
  const integer = v.rule.schema.type === 'integer';
  return [s(v.setting.variable, v.setting.description, v.rule, (t) => (integer ? Number(t[c.role].env[v.name]) : t[c.role].env[v.name]))];
});

const MINIKUBE = { profile: Profile.MINIKUBE };
const CLUSTER = { profile: Profile.CLUSTER };

/** The namespace of the default app when `TODO_NAMESPACE` is not set. */
export const DEFAULT_NAMESPACE = 'default';

/** Where generated secrets are kept when `TODO_SECRETS_FILE` is not set (relative to the working directory). */
export const DEFAULT_SECRETS_FILE = '.todo-secrets.json';

/** Where `TODO_ENV=<name>` finds `<name>.env` when no other directory is given (relative to the working directory). */
export const DEFAULT_CONFIG_DIR = 'config';

/**
 * Every setting of the default app, in the order the README lists them:
 * the settings of the app and its components, and after each component's
 * the settings of its variables, as the component declares them
 * (`PropVariable.setting`). Secrets (`SECRET_SETTINGS`) are read
 * separately, from the environment only.
 */
export const SETTINGS: readonly SettingDefinition[] = [
  s('TODO_ENV', 'A settings file to read first, `config/<name>.env` (see "Settings per environment"); variables set in the environment win', orEmpty(Rules.nonEmpty), (_t, settings) => settings.environment),
  s('TODO_NAMESPACE', 'Namespace of every object (created, with restricted Pod Security, unless it is `default`)', Rules.dnsLabel, (t) => t.backend.namespace),
  s('TODO_NODE_ADDRESS', 'Minikube profile: the address users reach NodePorts at (`minikube ip`); all URLs derive from it', Rules.hostAddress, (t) => t.nodeAddress, MINIKUBE),
  s('TODO_IMAGE_PULL_POLICY', 'Image pull policy of both containers', oneOf(PULL_POLICIES), (t) => t.backend.imagePullPolicy),
  s('TODO_BACKEND_IMAGE', 'Backend image repository', Rules.imageRepository, (t) => t.backend.image.name),
  s('TODO_BACKEND_IMAGE_TAG', 'Backend image tag', Rules.imageTag, (t) => t.backend.image.tag),
  s('TODO_BACKEND_REPLICAS', 'Minikube profile: backend pods (0 or 1 with SQLite)', Rules.replicas, (t) => t.backend.replicas, MINIKUBE),
  s('TODO_BACKEND_NODE_PORT', 'Minikube profile: backend NodePort (the frontend is built against it)', Rules.nodePort, (t) => t.backend.nodePort, MINIKUBE),
  s('TODO_BACKEND_HEALTH_PATH', 'Path of the backend readiness and startup probes (liveness opens the port)', Rules.httpPath, (t) => t.backend.readinessProbe.path),
  s('TODO_PROFILE', 'Where the app runs: one Minikube node, or a multi-node cluster (Ingress, PostgreSQL, autoscaling; see "From Minikube to a cluster")', oneOf([Profile.MINIKUBE, Profile.CLUSTER]), (t) => t.profile),
  s('TODO_HOST', 'Cluster profile: the host of the Ingress', orEmpty(ClusterRules.host), (t) => t.backend.ingressRoute?.host, CLUSTER),
  s('TODO_TLS_SECRET', 'Cluster profile: a `kubernetes.io/tls` Secret for the host; empty: plain http', orEmpty(Rules.dnsSubdomain), (t) => t.backend.ingressRoute?.tlsSecret, CLUSTER),
  s('TODO_INGRESS_CLASS', 'Cluster profile: the IngressClass; empty: the cluster default', orEmpty(Rules.dnsSubdomain), (t) => t.backend.ingressRoute?.className, CLUSTER),
  s('TODO_BACKEND_PATH', 'Cluster profile: the path prefix routed to the backend', ClusterRules.backendPath, (t) => t.backend.ingressRoute?.path, CLUSTER),
  s('TODO_MIN_REPLICAS', 'Cluster profile: fewest pods of each component', ClusterRules.minReplicas, (t) => t.backend.autoscaling?.minReplicas, CLUSTER),
  s('TODO_MAX_REPLICAS', 'Cluster profile: most pods of each component', ClusterRules.maxReplicas, (t) => t.backend.autoscaling?.maxReplicas, CLUSTER),
  s('TODO_TARGET_CPU', 'Cluster profile: CPU use (percent of the request) the autoscalers aim for', ClusterRules.cpuPercent, (t) => t.backend.autoscaling?.targetCpuUtilization, CLUSTER),
  s('TODO_DATABASE', 'The backend\'s database: SQLite on a volume, the design\'s ephemeral file (lost on every restart), or PostgreSQL (required by the cluster profile)', oneOf(DATABASE_KINDS), (t) => databaseKind(t.backend.database)),
  s('TODO_DATABASE_SECRET', 'PostgreSQL: a Secret of yours whose key `DATABASE_URL` holds the URL; empty: the `DATABASE_URL` variable', orEmpty(Rules.dnsSubdomain), (t) => t.backend.database.secretRef?.name, { databases: ['postgres'] }),
  s('TODO_BACKEND_VOLUME_SIZE', 'SQLite: size of the volume', SQLITE_SIZE, (t) => t.backend.persistentVolume?.size, { databases: ['sqlite'] }),
  s('TODO_BACKEND_STORAGE_CLASS', 'SQLite: storage class of the volume; empty: the cluster default (`standard` on Minikube)', orEmpty(Rules.dnsSubdomain), (t) => t.backend.persistentVolume?.storageClass, { databases: ['sqlite'] }),
  s('TODO_NETWORK_POLICY', 'Whether NetworkPolicies admit traffic on the pods\' ports only', oneOf(['true', 'false']), (t) => String(t.backend.networkPolicy !== undefined)),
  ...variableSettings(BACKEND_VARIABLES),
  s('TODO_FRONTEND_IMAGE', 'Frontend image repository', Rules.imageRepository, (t) => t.frontend.image.name),
  s('TODO_FRONTEND_IMAGE_TAG', 'Frontend image tag', Rules.imageTag, (t) => t.frontend.image.tag),
  s('TODO_FRONTEND_REPLICAS', 'Minikube profile: frontend pods', Rules.replicas, (t) => t.frontend.replicas, MINIKUBE),
  s('TODO_FRONTEND_NODE_PORT', 'Minikube profile: frontend NodePort (the backend allows it in CORS)', Rules.nodePort, (t) => t.frontend.nodePort, MINIKUBE),
  s('TODO_FRONTEND_LIVENESS_PATH', 'Path of the frontend liveness probe', Rules.httpPath, (t) => t.frontend.livenessProbe.path),
  ...variableSettings(FRONTEND_VARIABLES),
  s('TODO_SECRETS_FILE', 'Where generated secrets are kept between synths (gitignored; relative to the working directory)', Rules.nonEmpty, (_t, settings) => settings.secretsFile),
];

/** The settings of the default app, parsed and checked. */
export interface Settings {
  /** The namespace of every object. */
  readonly namespace: string;
  /**
   * Props of the {@link TodoApp}, secrets not included. Only what a variable
   * set is here: everything else keeps the constructs' defaults.
   */
  readonly app: TodoAppProps;
  /** Path of the file that keeps generated secrets. */
  readonly secretsFile: string;
  /**
   * The settings file read (`TODO_ENV`), by name.
   *
   * @default - none
   */
  readonly environment?: string;
}

/** Options of {@link readSettings}. */
export interface ReadSettingsOptions {
  /**
   * Where `TODO_ENV=<name>` finds `<name>.env`.
   *
   * @default 'config' (in the working directory)
   */
  readonly configDir?: string;
}

/** A secret variable of the default app, read from the environment only. */
export interface SecretSettingDefinition {
  /** The environment variable (and the Secret key). */
  readonly variable: string;
  /** What it is, and the component that reads it. */
  readonly description: string;
  /** What to do instead of writing it in a settings file. */
  readonly instead: string;
  /** Whether the secrets file keeps a generated one when it is not set. */
  readonly generated: boolean;
}

/** The secret variables, as the components declare them (`ComponentVariables.secrets`), backend first. */
export const SECRET_SETTINGS: readonly SecretSettingDefinition[] = APP_SECRETS.map((d) => ({
  variable: d.name,
  description: `${d.description} (${d.role})`,
  instead: d.instead ?? GENERATED_INSTEAD,
  generated: d.generate,
}));

const PROFILE_IGNORES: { readonly [profile: string]: string } = {
  [Profile.MINIKUBE]: 'the Minikube profile has no Ingress and no autoscaler: browsers use NodePorts at TODO_NODE_ADDRESS',
  [Profile.CLUSTER]: 'the cluster profile runs ClusterIP Services behind an Ingress and autoscales: use TODO_HOST, TODO_MIN_REPLICAS, TODO_MAX_REPLICAS',
};

/** A value as read: from the environment, or from a line of a settings file. */
interface RawValue {
  readonly text: string;
  /** `config/prod.env:3` for a value from a settings file; undefined for the environment. */
  readonly where?: string;
}

/**
 * Reads the default app's settings: `TODO_*` environment variables, over the
 * settings file that `TODO_ENV` names (`config/<name>.env`).
 *
 * Each value is checked against the same rule the constructs apply, and
 * against the other settings (a setting the chosen profile or database would
 * ignore is an error), so every error names the variable the user set, and
 * the file and line when the value came from a file. An unknown `TODO_*`
 * variable is an error, so a typo does not pass silently. A variable that is
 * not set stays unset: the constructs apply their own defaults.
 *
 * @throws Error naming the variable, the value and what is allowed
 */
export function readSettings(env: Environment, options: ReadSettingsOptions = {}): Settings {
  const known = new Set(SETTINGS.map((d) => d.variable));
  const unknown = Object.keys(env).filter((k) => k.startsWith('TODO_') && !known.has(k)).sort();
  if (unknown.length > 0) {
    throw new Error(`unknown setting ${unknown.join(', ')}; the settings are ${[...known].join(', ')}`);
  }

  // The settings file first, then the environment over it.
  const raw = new Map<string, RawValue>();
  const environment = env.TODO_ENV === '' ? undefined : env.TODO_ENV;
  if (environment !== undefined) {
    for (const [variable, value] of readSettingsFile(environment, options.configDir)) {
      raw.set(variable, { text: value.value, where: value.where });
    }
  }
  for (const def of SETTINGS) {
    const text = env[def.variable];
    // Stryker disable next-line ConditionalExpression,StringLiteral: TODO_ENV is skipped again below (it names the file, it is no value)
    if (text !== undefined && def.variable !== 'TODO_ENV') {
      raw.set(def.variable, { text });
    }
  }

  const where = (variable: string) => raw.get(variable)?.where;
  const fail = (variable: string, message: string): never => {
    const at = where(variable);
    throw new Error(at === undefined ? message : `${at}: ${message}`);
  };
  const verify = (variable: string, value: unknown, rule: Rule<unknown>, hint?: string) => {
    const message = violation(variable, value, rule, hint);
    if (message !== undefined) {
      fail(variable, message);
    }
  };

  // Each value against its rule. An empty value of an optional setting is no value.
  const values = new Map<string, unknown>();
  for (const def of SETTINGS) {
    const value = raw.get(def.variable);
    // Stryker disable next-line ConditionalExpression,StringLiteral: TODO_ENV is not among the raw values (skipped above)
    if (value === undefined || def.variable === 'TODO_ENV') {
      continue;
    }
    // Stryker disable next-line MethodExpression: Number() ignores the spaces around a number too
    const parsed = def.integer && /^-?\d+$/.test(value.text.trim()) ? Number(value.text.trim()) : value.text;
    verify(def.variable, parsed, def.rule);
    if (parsed !== '') {
      values.set(def.variable, parsed);
    }
  }
  const given = (variable: string) => values.has(variable);
  const get = <T>(variable: string) => values.get(variable) as T | undefined;
  const named = (variable: string) => `'${variable}'${where(variable) === undefined ? '' : ` (${where(variable)})`}`;
  const chosen = (variable: string, value: string) =>
    `${variable}=${value}${where(variable) !== undefined ? ` (${where(variable)})` : given(variable) ? '' : ' (the default)'}`;

  const profile = get<Profile>('TODO_PROFILE') ?? DEFAULT_PROFILE;
  const kind = get<DatabaseKind>('TODO_DATABASE') ?? databaseKind(BackendDatabase.default());

  // A setting the profile or the database would ignore is an error.
  for (const def of SETTINGS) {
    if (!given(def.variable)) {
      continue;
    }
    if (def.profile !== undefined && def.profile !== profile) {
      fail(def.variable, `'${def.variable}' applies to TODO_PROFILE=${def.profile} only (${PROFILE_IGNORES[profile]}), got ${show(get(def.variable))} with ${chosen('TODO_PROFILE', profile)}, which ignores it; unset it or set TODO_PROFILE=${def.profile}`);
    }
    if (def.databases !== undefined && !def.databases.includes(kind)) {
      // Stryker disable next-line StringLiteral: each setting belongs to one database, so there is nothing to join
      fail(def.variable, `'${def.variable}' applies to TODO_DATABASE=${def.databases.join(' or ')} only, got ${show(get(def.variable))} with ${chosen('TODO_DATABASE', kind)}, which ignores it; unset it or set TODO_DATABASE=${def.databases[0]}`);
    }
  }

  // Rules across settings, with the same rule objects the constructs check their props with.
  if (profile === Profile.CLUSTER && !given('TODO_HOST')) {
    // Stryker disable next-line StringLiteral: TODO_HOST is empty or absent here, and both show as ""
    fail('TODO_PROFILE', `'TODO_HOST' must be set with TODO_PROFILE=cluster (the host of the Ingress, such as "todo.example.com"), got ${show(raw.get('TODO_HOST')?.text ?? '')}`);
  }
  if (profile === Profile.CLUSTER && kind !== 'postgres') {
    fail('TODO_DATABASE', `'TODO_DATABASE' must be "postgres" with TODO_PROFILE=cluster (pods on several nodes cannot share a SQLite file), got ${show(kind)}${given('TODO_DATABASE') ? '' : ' (the default)'}`);
  }
  const database = readDatabase(kind, env.DATABASE_URL, get, given, fail, verify, chosen);
  if (kind !== 'postgres' && given('TODO_BACKEND_REPLICAS')) {
    verify('TODO_BACKEND_REPLICAS', get('TODO_BACKEND_REPLICAS'), Rules.sqliteReplicas, `${chosen('TODO_DATABASE', kind)}: set TODO_DATABASE=postgres to run more`);
  }
  // Stryker disable next-line ConditionalExpression: the NodePort settings are refused with the cluster profile above, and the two defaults differ
  if (profile === Profile.MINIKUBE) {
    const backendPort = get<number>('TODO_BACKEND_NODE_PORT') ?? BACKEND_NODE_PORT;
    const frontendPort = get<number>('TODO_FRONTEND_NODE_PORT') ?? FRONTEND_NODE_PORT;
    if (given('TODO_FRONTEND_NODE_PORT')) {
      verify('TODO_FRONTEND_NODE_PORT', frontendPort, nodePortOtherThan(backendPort, given('TODO_BACKEND_NODE_PORT') ? named('TODO_BACKEND_NODE_PORT') : 'the backend\'s default nodePort'));
    } else if (
      // Stryker disable next-line ConditionalExpression: the backend's default nodePort differs from the frontend's
      given('TODO_BACKEND_NODE_PORT')
    ) {
      verify('TODO_BACKEND_NODE_PORT', backendPort, nodePortOtherThan(frontendPort, 'the frontend\'s default nodePort'));
    }
  }
  if (given('TODO_MAX_REPLICAS')) {
    const minimum = get<number>('TODO_MIN_REPLICAS') ?? DEFAULT_AUTOSCALING.minReplicas;
    // Stryker disable next-line StringLiteral: the rule of TODO_MAX_REPLICAS (at least 2) refuses any value below the default minimum (2) first
    verify('TODO_MAX_REPLICAS', get('TODO_MAX_REPLICAS'), atLeast(minimum, given('TODO_MIN_REPLICAS') ? named('TODO_MIN_REPLICAS') : 'the default minimum'));
  }

  const networkPolicy = given('TODO_NETWORK_POLICY') ? get('TODO_NETWORK_POLICY') === 'true' : undefined;
  const pullPolicy = get<ImagePullPolicy>('TODO_IMAGE_PULL_POLICY');
  const cluster: ClusterOptions | undefined = profile === Profile.CLUSTER ? defined({
    host: get<string>('TODO_HOST')!,
    tlsSecret: get<string>('TODO_TLS_SECRET'),
    ingressClassName: get<string>('TODO_INGRESS_CLASS'),
    backendPath: get<string>('TODO_BACKEND_PATH'),
    autoscaling: orNone(defined<AutoscalingOptions>({
      minReplicas: get('TODO_MIN_REPLICAS'),
      maxReplicas: get('TODO_MAX_REPLICAS'),
      targetCpuUtilization: get('TODO_TARGET_CPU'),
    })),
  }) : undefined;
  const backend = orNone(defined<TodoAppBackendOptions>({
    ...image(BACKEND_IMAGE, get('TODO_BACKEND_IMAGE'), get('TODO_BACKEND_IMAGE_TAG')),
    imagePullPolicy: pullPolicy,
    replicas: get('TODO_BACKEND_REPLICAS'),
    nodePort: get('TODO_BACKEND_NODE_PORT'),
    healthPath: get('TODO_BACKEND_HEALTH_PATH'),
    ...variableProps(BACKEND_VARIABLES, get),
    database,
    networkPolicy,
  }));
  const frontend = orNone(defined<TodoAppFrontendOptions>({
    ...image(FRONTEND_IMAGE, get('TODO_FRONTEND_IMAGE'), get('TODO_FRONTEND_IMAGE_TAG')),
    imagePullPolicy: pullPolicy,
    replicas: get('TODO_FRONTEND_REPLICAS'),
    nodePort: get('TODO_FRONTEND_NODE_PORT'),
    livenessPath: get('TODO_FRONTEND_LIVENESS_PATH'),
    ...variableProps(FRONTEND_VARIABLES, get),
    networkPolicy,
  }));
  return defined({
    namespace: get<string>('TODO_NAMESPACE') ?? DEFAULT_NAMESPACE,
    secretsFile: get<string>('TODO_SECRETS_FILE') ?? DEFAULT_SECRETS_FILE,
    environment,
    app: defined<TodoAppProps>({
      nodeAddress: get('TODO_NODE_ADDRESS'),
      profile: get('TODO_PROFILE'),
      cluster,
      backend,
      frontend,
    }),
  });
}

/** The database the settings choose; undefined leaves the backend's default. */
function readDatabase(
  kind: DatabaseKind,
  url: string | undefined,
  get: <T>(variable: string) => T | undefined,
  given: (variable: string) => boolean,
  fail: (variable: string, message: string) => never,
  verify: (variable: string, value: unknown, rule: Rule<unknown>, hint?: string) => void,
  chosen: (variable: string, value: string) => string,
): BackendDatabase | undefined {
  const hasUrl = url !== undefined && url !== '';
  const secretName = get<string>('TODO_DATABASE_SECRET');
  if (kind !== 'postgres') {
    if (hasUrl) {
      // Stryker disable next-line StringLiteral: DATABASE_URL comes from the environment only, so no file line is named for it
      fail('DATABASE_URL', `'DATABASE_URL' applies to TODO_DATABASE=postgres only, got a value of ${url.length} characters with ${chosen('TODO_DATABASE', kind)}, which ignores it; unset it or set TODO_DATABASE=postgres`);
    }
    if (kind === 'ephemeral-sqlite') {
      return BackendDatabase.ephemeralSqlite();
    }
    const size = get<string>('TODO_BACKEND_VOLUME_SIZE');
    const storageClass = get<string>('TODO_BACKEND_STORAGE_CLASS');
    if (!given('TODO_DATABASE') && size === undefined && storageClass === undefined) {
      return undefined;
    }
    return BackendDatabase.sqlite(defined({ size: size === undefined ? undefined : sizeOf(size), storageClass }));
  }
  if (secretName !== undefined) {
    if (hasUrl) {
      fail('TODO_DATABASE_SECRET', `'DATABASE_URL' cannot be combined with 'TODO_DATABASE_SECRET' (the backend reads the URL from the Secret ${show(secretName)}, so DATABASE_URL would be ignored), got a value of ${url.length} characters; unset one of them`);
    }
    return BackendDatabase.postgresFromSecret({ secretName });
  }
  if (!hasUrl) {
    fail('TODO_DATABASE', `'DATABASE_URL' must be set with TODO_DATABASE=postgres (or 'TODO_DATABASE_SECRET' naming a Secret that holds it), got ${url === undefined ? 'undefined' : '""'}`);
  }
  verify('DATABASE_URL', url, Rules.postgresUrl);
  return BackendDatabase.postgres(url!);
}

/** The props of a component's variables that have a setting, from the settings' values (undefined: unset). */
function variableProps<P>(c: ComponentVariables<P>, get: <T>(variable: string) => T | undefined): Partial<P> {
  return Object.fromEntries(c.env.flatMap((v) => (v.setting === undefined ? [] : [[v.prop, get(v.setting.variable)]]))) as Partial<P>;
}

/** The image props for a repository and tag that may each be unset. */
function image(base: DockerImage, name: string | undefined, tag: string | undefined): { image?: DockerImage; imageTag?: string } {
  if (name !== undefined) {
    return { image: base.with(defined({ name, tag })) };
  }
  // Stryker disable next-line ConditionalExpression: an undefined imageTag is dropped by defined() like a missing one
  return tag === undefined ? {} : { imageTag: tag };
}

/** A size from a quantity such as `512Mi` or `2Gi` (exact: sizes are bounded well below 2^53 bytes). */
function sizeOf(quantity: string): Size {
  return Size.kibibytes(quantityValue(quantity) / 1024);
}

/** The object without its undefined members, so that the constructs' defaults apply. */
function defined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

/** Undefined for an empty object. */
function orNone<T extends object>(object: T): T | undefined {
  return Object.keys(object).length === 0 ? undefined : object;
}

/** A value of a settings file. */
export interface SettingsFileValue {
  /** The value, as written. */
  readonly value: string;
  /** Where it is written: `config/prod.env:3`. */
  readonly where: string;
}

/**
 * Reads the settings file `<configDir>/<name>.env`: `KEY=VALUE` lines and `#`
 * comments, values taken literally (no quotes, no shell expansion). Only
 * settings may be in it: an unknown key is an error, and so is a secret (the
 * files are checked in). The values are checked by {@link readSettings}.
 *
 * @throws Error naming the file and line, or the files there are when `name` is none of them
 */
export function readSettingsFile(name: string, configDir: string = DEFAULT_CONFIG_DIR): Map<string, SettingsFileValue> {
  const dir = path.resolve(configDir);
  const relative = path.relative(process.cwd(), dir);
  const shownDir = relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? dir : relative;
  const available = fs.existsSync(dir)
    ? fs.readdirSync(dir).filter((f) => f.endsWith('.env')).map((f) => f.slice(0, -'.env'.length)).sort()
    : [];
  if (!available.includes(name)) {
    const files = available.length === 0 ? `there is none in ${shownDir}/` : `the files are ${available.map((n) => `${shownDir}/${n}.env`).join(', ')}`;
    throw new Error(`'TODO_ENV' must be ${available.length === 0 ? 'the name of a settings file' : oneOf(available).allowed} (${shownDir}/<name>.env), got ${show(name)}; ${files}`);
  }
  const file = path.join(dir, `${name}.env`);
  const shown = path.join(shownDir, `${name}.env`);
  const known = new Set(SETTINGS.map((d) => d.variable));
  const secrets = new Map<string, string>(SECRET_SETTINGS.map((v) => [v.variable, v.instead]));
  const result = new Map<string, SettingsFileValue>();
  const lines = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, index) => {
    const where = `${shown}:${index + 1}`;
    const text = line.trim();
    if (text === '' || text.startsWith('#')) {
      return;
    }
    const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(text);
    if (!match) {
      const looksSecret = /secret|key|password|token|database_url/i.test(text);
      throw new Error(`${where}: a settings file holds KEY=VALUE lines and "#" comments (no "export", values taken literally), got ${looksSecret ? 'a line that may hold a secret (not shown)' : show(text)}`);
    }
    const [, key, rawValue] = match;
    const value = rawValue.trim();
    if (secrets.has(key)) {
      throw new Error(`${where}: ${key} must not be in a settings file: ${shown} is checked in, and a secret in git is a leaked secret; set ${key} in the environment, ${secrets.get(key)}`);
    }
    if (key === 'TODO_ENV') {
      throw new Error(`${where}: 'TODO_ENV' cannot be set in a settings file (it chooses the file); set it in the environment`);
    }
    if (!known.has(key)) {
      throw new Error(`${where}: unknown setting ${key}; the settings are ${[...known].filter((k) => k !== 'TODO_ENV').join(', ')}`);
    }
    const first = result.get(key);
    if (first !== undefined) {
      throw new Error(`${where}: '${key}' is set twice in ${shown} (first at ${first.where}); keep one`);
    }
    if (/^(["']).*\1$/.test(value)) {
      throw new Error(`${where}: '${key}' must be written without quotes (values are taken literally), got ${show(value)}`);
    }
    if (/\s#/.test(value)) {
      throw new Error(`${where}: '${key}' must not hold a comment (comments go on their own line, starting with "#"), got ${show(value)}`);
    }
    if (/\$[{A-Za-z_(]/.test(value)) {
      throw new Error(`${where}: '${key}' must be a literal value (a settings file is not a shell script: nothing is expanded), got ${show(value)}`);
    }
    result.set(key, { value, where });
  });
  return result;
}

/**
 * The secret settings, read from the environment only: the value of each
 * secret variable that a component's prop takes, by the variable's name.
 */
export type SecretSettings = { readonly [variable: string]: string | undefined };

/**
 * Reads the secret variables whose value a component's prop takes
 * (`JWT_SECRET`, `BETTER_AUTH_SECRET`, `ANTHROPIC_API_KEY`), each checked
 * against its rule. An empty value of an optional one (`ANTHROPIC_API_KEY`)
 * means none (the design's default). `DATABASE_URL` is read with the
 * database's settings.
 */
export function readSecretSettings(env: Environment): SecretSettings {
  const result: { [variable: string]: string | undefined } = {};
  for (const d of APP_SECRETS) {
    if (d.prop !== undefined) {
      const value = env[d.name];
      result[d.name] = value === undefined || (d.optional && value === '') ? undefined : check(d.name, value, d.rule);
    }
  }
  return result;
}
