/**
 * Input rules shared by every place a value arrives: construct props,
 * settings parsed from the environment, and the Helm charts' `values.schema.json`.
 *
 * A rule is defined once, with the sentence that tells a user what is allowed
 * and the JSON Schema that says the same thing to Helm, so the three cannot
 * drift apart.
 */

/** A JSON Schema fragment (draft-07, as Helm 3 validates it). */
export type JsonSchema = { readonly [key: string]: unknown };

/**
 * One validation rule: what it allows (in words and as JSON Schema) and a
 * check over a value.
 */
export interface Rule<T> {
  /** What the rule allows, phrased to follow "must be": `an integer between 1 and 65535`. */
  readonly allowed: string;
  /** The same constraint as JSON Schema, for Helm's `values.schema.json`. */
  readonly schema: JsonSchema;
  /** True when `value` satisfies the rule. */
  test(value: unknown): value is T;
  /** Whether values are secret: messages then show their length, never the value. */
  readonly sensitive?: boolean;
}

/** Formats a received value for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (value === undefined) {
    return 'undefined';
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return String(value);
  }
  return JSON.stringify(value) ?? String(value);
}

/**
 * Throws when `value` breaks `rule`, with a message that names the setting,
 * shows the value and says what is allowed. Returns the value otherwise.
 *
 * @example
 * check('backend.port', 80000, Rules.port);
 * // Error: 'backend.port' must be an integer between 1 and 65535, got 80000
 */
export function check<T>(setting: string, value: unknown, rule: Rule<T>): T {
  if (!rule.test(value)) {
    const got = rule.sensitive && typeof value === 'string' ? `a value of ${value.length} characters` : show(value);
    throw new Error(`'${setting}' must be ${rule.allowed}, got ${got}`);
  }
  return value;
}

/** Like {@link check}, for optional values: `undefined` passes through. */
export function checkOptional<T>(setting: string, value: unknown, rule: Rule<T>): T | undefined {
  return value === undefined ? undefined : check(setting, value, rule);
}

/**
 * A duration in whole seconds, checked against `rule`. A duration that is not
 * a whole number of seconds is an error naming the setting.
 */
export function durationSeconds(setting: string, duration: { toSeconds(): number; toHumanString(): string }, rule: Rule<number>): number {
  let seconds: number;
  try {
    seconds = duration.toSeconds();
  } catch {
    throw new Error(`'${setting}' must be ${rule.allowed}, got ${duration.toHumanString()}`);
  }
  return check(setting, seconds, rule);
}

/** An integer rule between `min` and `max` (both inclusive; `max` optional). */
export function integerBetween(min: number, max?: number, what = 'an integer'): Rule<number> {
  const allowed = max === undefined ? `${what} of at least ${min}` : `${what} between ${min} and ${max}`;
  return {
    allowed,
    schema: max === undefined ? { type: 'integer', minimum: min } : { type: 'integer', minimum: min, maximum: max },
    test: (v: unknown): v is number =>
      typeof v === 'number' && Number.isInteger(v) && v >= min && (max === undefined || v <= max),
  };
}

/** A string rule: matches `pattern` and is at most `maxLength` characters. */
export function stringMatching(pattern: RegExp, allowed: string, maxLength?: number): Rule<string> {
  return {
    allowed,
    schema: {
      type: 'string',
      pattern: pattern.source,
      ...(maxLength === undefined ? {} : { maxLength }),
    },
    test: (v: unknown): v is string =>
      typeof v === 'string' && pattern.test(v) && (maxLength === undefined || v.length <= maxLength),
  };
}

/** One of a fixed list of strings. */
export function oneOf<T extends string>(values: readonly T[]): Rule<T> {
  return {
    allowed: `one of ${values.map((v) => `"${v}"`).join(', ')}`,
    schema: { type: 'string', enum: [...values] },
    test: (v: unknown): v is T => typeof v === 'string' && (values as readonly string[]).includes(v),
  };
}

/** A rule that also accepts the empty string (an unset optional value). */
export function orEmpty(rule: Rule<string>): Rule<string> {
  return {
    allowed: `empty or ${rule.allowed}`,
    schema: { anyOf: [{ type: 'string', maxLength: 0 }, rule.schema] },
    test: (v: unknown): v is string => v === '' || rule.test(v),
  };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// A DNS subdomain: dot-separated labels (used for Secret, ConfigMap and storage class names).
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// Docker reference grammar (distribution/reference): optional registry host[:port]/, path components.
const IMAGE_REPOSITORY =
  /^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;
const HTTP_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/;
const HOST_ADDRESS = /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*|\d{1,3}(?:\.\d{1,3}){3})$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CPU = /^(?:\d+m|\d+(?:\.\d{1,3})?)$/;
const MEMORY = /^\d+(?:Ki|Mi|Gi|Ti|k|M|G|T)?$/;

/** The rules used across the project, by meaning. */
export const Rules = {
  /** Kubernetes object names that are also DNS names (Services, Deployments): RFC 1123 labels. */
  dnsLabel: stringMatching(
    DNS_LABEL,
    'a DNS-1123 label: at most 63 characters of lowercase letters, digits and "-", starting and ending with a letter or digit',
    63,
  ),
  /** Names of Secrets, ConfigMaps and storage classes: RFC 1123 subdomains. */
  dnsSubdomain: stringMatching(
    DNS_SUBDOMAIN,
    'a DNS-1123 subdomain: at most 253 characters of lowercase letters, digits, "-" and ".", starting and ending with a letter or digit',
    253,
  ),
  /** TCP ports. */
  port: integerBetween(1, 65535),
  /** NodePorts in Kubernetes' default `--service-node-port-range`. */
  nodePort: integerBetween(30000, 32767),
  /** Replica counts. */
  replicas: integerBetween(0, undefined, 'a whole number'),
  /** Probe timings in seconds where 0 is allowed (initial delay). */
  secondsOrZero: integerBetween(0, undefined, 'a whole number of seconds'),
  /** Probe timings in seconds that must be positive (period, timeout). */
  seconds: integerBetween(1, undefined, 'a whole number of seconds'),
  /** Probe failure thresholds. */
  threshold: integerBetween(1, undefined, 'a whole number'),
  /** Image repositories (`name`, `registry:5000/team/name`). */
  imageRepository: stringMatching(
    IMAGE_REPOSITORY,
    'an image repository such as "todo-backend" or "registry.example.com:5000/team/todo-backend" (lowercase path components, no tag)',
    255,
  ),
  /** Image tags. */
  imageTag: stringMatching(IMAGE_TAG, 'an image tag: 1 to 128 letters, digits, "_", "." or "-", not starting with "." or "-"', 128),
  /** HTTP paths for probes. */
  httpPath: stringMatching(HTTP_PATH, 'an absolute HTTP path starting with "/"', 2048),
  /** The address users reach NodePorts at: a hostname or IPv4 address. */
  hostAddress: stringMatching(HOST_ADDRESS, 'a hostname or IPv4 address such as "192.168.49.2" or "minikube.local"', 253),
  /** Environment variable names. */
  envName: stringMatching(ENV_NAME, 'an environment variable name: letters, digits and "_", not starting with a digit', 253),
  /** Signing keys (`JWT_SECRET`, `BETTER_AUTH_SECRET`): 256 bits or more as text. */
  secret: {
    ...stringMatching(/^\S{32,}$/, 'a secret of at least 32 characters without whitespace', 4096),
    sensitive: true,
  },
  /** API keys and other opaque credentials: non-empty, no whitespace. */
  credential: {
    ...stringMatching(/^\S+$/, 'a non-empty value without whitespace', 4096),
    sensitive: true,
  },
  /** Keys of Secrets and ConfigMaps. */
  secretKey: stringMatching(/^[-._a-zA-Z0-9]+$/, 'a Secret key: letters, digits, "_", "-" or "."', 253),
  /** Non-empty text. */
  nonEmpty: stringMatching(/\S/, 'a non-empty string'),
  /** A CPU quantity such as `250m` or `1`. */
  cpu: stringMatching(CPU, 'a CPU quantity such as "250m" or "1"', 32),
  /** A memory or storage quantity such as `256Mi` or `1Gi`. */
  memory: stringMatching(MEMORY, 'a memory quantity such as "256Mi" or "1Gi"', 32),
} as const;
