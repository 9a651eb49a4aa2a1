import { testOnDecided, ValueCase, ValueTest } from './helm/value-cases';
import type { Rule } from './validation';

/**
 * Definitions that the constructs and the Helm charts' checks
 * (`lib/helm/chart-rules.ts`) share, so that both say and check the same
 * thing. Internal: not exported by the package.
 */

/** The factor of each suffix of a Kubernetes quantity. */
export const QUANTITY_SUFFIXES: { readonly [suffix: string]: number } = {
  m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4,
};

/** A Kubernetes quantity as the constructs read it: a number and a suffix of {@link QUANTITY_SUFFIXES}. */
export const QUANTITY = /^([0-9.]+)([a-zA-Z]*)$/;

/** The message for a resource request above its limit. */
export function exceedsLimit(request: string, limit: string, limitValue: string, requestValue: string): string {
  return `'${request}' must not exceed '${limit}' (${limitValue}), got ${requestValue}`;
}

/** The longest label value. */
export const LABEL_VALUE_MAX = 63;

/** What a label value may not start or end with: anything but a letter or digit. */
export const LABEL_VALUE_EDGES = /^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g;

/** The message for a common label whose key the app sets itself (`keys`: owned keys, `*` ending a prefix). */
export function reservedLabel(setting: string, keys: readonly string[], got: string): string {
  return `'${setting}' must not hold a label the app sets (${keys.join(', ')}: names, selectors and versions come from the component), got ${got}`;
}

/** The message for a token mounted without a ServiceAccount of the component's or the user's. */
export function automountNeedsAccount(automount: string, create: string, name: string): string {
  return `'${automount}' needs '${create}' or '${name}' (true would mount the token of the namespace's default ServiceAccount), got true`;
}

/** The message for a value that only a ServiceAccount the component creates would carry. */
export function needsCreatedAccount(setting: string, create: string, got: string): string {
  return `'${setting}' needs '${create}' (only a ServiceAccount the component creates carries them), got ${got}`;
}

/** The annotation that the API server refuses beside an Ingress' `ingressClassName`. */
export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** Why {@link INGRESS_CLASS_ANNOTATION} cannot go with a class name. */
export const REFUSED_BESIDE_CLASS_NAME = 'the API server refuses the annotation beside the class field';

/** The message for a disruption budget that would block every drain. */
export function minAvailableBelow(setting: string, replicas: string, got: string): string {
  return `'${setting}' must be below the replica count (${replicas}) so that a node can be drained, got ${got}`;
}

/**
 * The pods a component runs when none is being replaced, on the chart's
 * values: `autoscaling.minReplicas` while the autoscaler owns the count,
 * else `replicaCount`. The component's `replicas` and the chart's
 * `replicasInEffect` helper both read it.
 */
export const REPLICAS_IN_EFFECT: readonly ValueCase[] = [
  { when: { truthy: 'autoscaling.enabled' }, then: { value: 'autoscaling.minReplicas' } },
  { then: { value: 'replicaCount' } },
];

/**
 * A disruption budget that leaves no pod to drain, on the chart's values:
 * `podDisruptionBudget.minAvailable` at least the replicas in effect
 * ({@link REPLICAS_IN_EFFECT}) and at least 1 (with no pods, any budget
 * blocks). Refused by the component ({@link minAvailableBelow}) and the
 * chart's check.
 */
export const BUDGET_LEAVES_NO_POD: ValueTest = {
  all: [
    { truthy: 'podDisruptionBudget.enabled' },
    { atLeast: 'podDisruptionBudget.minAvailable', n: 1 },
    { not: testOnDecided(REPLICAS_IN_EFFECT, (replicas) => ({ below: 'podDisruptionBudget.minAvailable', than: replicas })) },
  ],
};

/** Why a secret value cannot be given beside `existingSecret`. */
export const IGNORED_BESIDE_EXISTING_SECRET = 'the value would be ignored';

/** Why the claim's size or storage class cannot be given beside `existingClaim`: no claim is created. */
export const IGNORED_BESIDE_EXISTING_CLAIM = 'no claim is created, so the value would be ignored';

/** The random bytes of a generated secret: 256 bits. */
export const SECRET_BYTES = 32;

/** The prefix of every SQLite `DATABASE_URL`. */
export const SQLITE_URL_PREFIX = 'sqlite:///';

/**
 * The message for a value that only one choice of another value reads
 * (`externalDatabase.url` with `database.type` sqlite).
 *
 * @example
 * appliesOnlyTo('externalDatabase.url', 'database.type=postgres', 'a value of 24 characters', 'database.type=sqlite', 'unset it or set database.type=postgres');
 * // "'externalDatabase.url' applies to database.type=postgres only, got a value of 24 characters with database.type=sqlite, which ignores it; unset it or set database.type=postgres"
 */
export function appliesOnlyTo(setting: string, only: string, got: string, chosen: string, hint: string): string {
  return `'${setting}' applies to ${only} only, got ${got} with ${chosen}, which ignores it; ${hint}`;
}

/** The message for a `DATABASE_URL` among the plain variables: the database sets it (`how`: the settings that choose it). */
export function setByDatabase(setting: string, how: string, got: string): string {
  return `'${setting}' must not hold DATABASE_URL, which the database sets (${how}), got ${got}`;
}

/**
 * The message for an autoscaler on SQLite, whose settings are named by
 * `database` and `autoscaling`.
 */
export function sqliteAutoscaling(database: string, autoscaling: string, got: string, hint: string): string {
  return `'${database}' must be PostgreSQL when '${autoscaling}' is set (SQLite has one writer, and the autoscaler runs 2 or more pods), got ${got}; ${hint}`;
}

/**
 * The words of a {@link violation} around the value shown: `'setting' must be
 * <allowed>, got ` and `; <hint>`. The Helm charts' checks are built from
 * them, so a chart refuses a value with the same sentence as the props.
 */
export function violationText(setting: string, rule: Rule<unknown>, hint?: string): [before: string, after: string] {
  return [`'${setting}' must be ${rule.allowed}, got `, hint === undefined ? '' : `; ${hint}`];
}

/** How a secret value is shown in messages: its length only. */
export function lengthOnly(length: number | string): string {
  return `a value of ${length} characters`;
}

/**
 * The message for two settings that cannot be set together.
 *
 * @example
 * conflict('backend.jwtSecret', 'backend.existingSecret', 'the value would be ignored', 'a value for JWT_SECRET');
 * // "'backend.jwtSecret' cannot be combined with 'backend.existingSecret' (the value would be ignored), got a value for JWT_SECRET"
 */
export function conflict(setting: string, other: string, why: string, got: string): string {
  return `'${setting}' cannot be combined with '${other}' (${why}), got ${got}`;
}

/** The suffixes a storage quantity may carry (as `Rules.storage` allows them). */
const STORAGE_SUFFIXES = ['', 'k', 'M', 'G', 'T', 'Ki', 'Mi', 'Gi', 'Ti'];

/**
 * A regular expression for storage quantities above zero and at most
 * `maxBytes`: for each suffix, the whole numbers up to the largest that fits
 * (leading zeros allowed, as the API server allows them). Being a regular
 * expression, the same bound checks props and settings and goes into the
 * charts' `values.schema.json`.
 */
export function storageAtMost(maxBytes: number): RegExp {
  const alternatives = STORAGE_SUFFIXES.map((suffix) => {
    const largest = Math.floor(maxBytes / (suffix ? QUANTITY_SUFFIXES[suffix] : 1));
    return `(?:${integersUpTo(largest)})${suffix}`;
  });
  return new RegExp(`^0*(?:${alternatives.join('|')})$`);
}

/** A regular expression source matching the whole numbers 1..`max`, without leading zeros. */
export function integersUpTo(max: number): string {
  const digits = String(max);
  const n = digits.length;
  const parts: string[] = [];
  if (n > 1) {
    parts.push(n === 2 ? '[1-9]' : `[1-9][0-9]{0,${n - 2}}`); // fewer digits than max
  }
  for (let i = 0; i < n; i++) {
    const lowest = i === 0 ? 1 : 0;
    const top = Number(digits[i]) - 1;
    if (top >= lowest) {
      const rest = n - i - 1;
      const range = lowest === top ? String(top) : `[${lowest}-${top}]`;
      parts.push(`${digits.slice(0, i)}${range}${rest > 1 ? `[0-9]{${rest}}` : rest === 1 ? '[0-9]' : ''}`);
    }
  }
  parts.push(digits);
  return parts.join('|');
}

/**
 * The message for a value a user adds (an `extraEnvVars` name, an
 * `extraVolumes` name, a mount path) that is one the component has itself.
 *
 * @example
 * ownedByComponent('backend.extraEnvVars[0].name', 'a variable', 'DATABASE_URL, JWT_SECRET', '"JWT_SECRET"');
 * // "'backend.extraEnvVars[0].name' must not be a variable the component has itself (DATABASE_URL, JWT_SECRET), got \"JWT_SECRET\""
 */
export function ownedByComponent(setting: string, what: string, own: string, got: string, hint?: string): string {
  return `'${setting}' must not be ${what} the component has itself (${own})${hint === undefined ? '' : `; ${hint}`}, got ${got}`;
}

/** The message for an item of a list that repeats an earlier one's name or path. */
export function namedTwice(setting: string, earlier: string, why: string, got: string): string {
  return `'${setting}' must differ from '${earlier}' (${why}), got ${got} for both`;
}

/** The message for a value that must be one of a list known only with the other values (the pod's volumes). */
export function notAmong(setting: string, what: string, names: string, got: string): string {
  return `'${setting}' must be ${what} (${names}), got ${got}`;
}

/** The message for a volume of a type the restricted Pod Security Standard forbids, or of several types. */
export function volumeType(setting: string, allowed: string, got: string): string {
  return `'${setting}' must have exactly one volume type, one that the restricted Pod Security Standard allows (${allowed}), got ${got}`;
}

/**
 * The message for a variable name that looks like a secret, in a place
 * whose values are plain text (`where`: the ConfigMap, the Deployment).
 */
export function secretLookingName(setting: string, pattern: RegExp, where: string, got: string, hint?: string): string {
  return `'${setting}' must not hold a name that looks like a secret (${pattern.source.replace(/[()]/g, '')}): its values go into ${where} in plain text; keep secrets in a Secret${hint === undefined ? '' : ` (${hint})`}, got ${got}`;
}

/**
 * Whether a map key is one the app sets itself: `keys` lists exact keys and
 * prefixes (written with a trailing `*`, such as `checksum/*`).
 */
export function isOwnedKey(keys: readonly string[], key: string): boolean {
  return keys.some((k) => (k.endsWith('*') ? key.startsWith(k.slice(0, -1)) : key === k));
}

/** The message for a key of a map that the app sets itself (a pod label, a pod annotation). */
export function ownedKey(setting: string, keys: readonly string[], got: string): string {
  return `'${setting}' must not hold a key the app sets (${keys.map((k) => JSON.stringify(k)).join(', ')}), got ${got}`;
}

/** Why an affinity cannot be given beside `spreadAcrossNodes: true`. */
export const AFFINITY_BESIDE_SPREADING = 'spreading sets the pods\' anti-affinity; leave spreadAcrossNodes unset to keep its topology spread constraints beside this affinity, or set it to false';
