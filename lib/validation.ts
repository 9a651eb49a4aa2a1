/**
 * Input rules shared by every place a value arrives: construct props,
 * settings parsed from the environment, and the Helm charts' `values.schema.json`.
 *
 * A rule is defined once, with the sentence that tells a user what is allowed
 * and the JSON Schema that says the same thing to Helm, so the three cannot
 * drift apart.
 */

import { lengthOnly, violationText } from './shared-rules';

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
  // JSON quotes strings; NaN and the infinities, which JSON writes as null, and
  // what JSON cannot write (undefined, functions, symbols) are shown as JavaScript writes them.
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return String(value);
  }
  return JSON.stringify(value) ?? String(value);
}

/**
 * The message for `value` breaking `rule`: it names the setting, shows the
 * value (only its length when the rule is sensitive) and says what is
 * allowed, then `hint` when given. Undefined when the value is allowed.
 *
 * @example
 * violation('backend.port', 80000, Rules.port);
 * // "'backend.port' must be an integer between 1 and 65535, got 80000"
 */
export function violation(setting: string, value: unknown, rule: Rule<unknown>, hint?: string): string | undefined {
  const allowed: boolean = rule.test(value);
  if (allowed) {
    return undefined;
  }
  const got = rule.sensitive && typeof value === 'string' ? lengthOnly(value.length) : show(value);
  const [before, after] = violationText(setting, rule, hint);
  return `${before}${got}${after}`;
}


/**
 * Throws when `value` breaks `rule`, with a message that names the setting,
 * shows the value and says what is allowed (then `hint`, when given).
 * Returns the value otherwise.
 *
 * @example
 * check('backend.port', 80000, Rules.port);
 * // Error: 'backend.port' must be an integer between 1 and 65535, got 80000
 */
export function check<T>(setting: string, value: unknown, rule: Rule<T>, hint?: string): T {
  const message = violation(setting, value, rule, hint);
  if (message !== undefined) {
    throw new Error(message);
  }
  return value as T;
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

/**
 * A map of strings (labels, annotations): each key follows `keyRule`, each
 * value `valueRule` when given. Messages name the map for a key
 * (`'backend.commonLabels' must be a label key...`) and `<map>.<key>` for a
 * value. Returns a copy.
 */
export function checkStringMap(setting: string, map: unknown, keyRule: Rule<string>, valueRule?: Rule<string>): { [key: string]: string } {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new Error(`'${setting}' must be a map of strings, got ${show(map)}`);
  }
  for (const [key, value] of Object.entries(map)) {
    check(setting, key, keyRule);
    if (typeof value !== 'string') {
      throw new Error(`'${setting}.${key}' must be a string, got ${show(value)}`);
    }
    if (valueRule !== undefined) {
      check(`${setting}.${key}`, value, valueRule);
    }
  }
  return { ...(map as { [key: string]: string }) };
}

/** An integer rule between `min` and `max` (both inclusive; `max` optional). */
export function integerBetween(min: number, max?: number, what = 'an integer'): Rule<number> {
  const allowed = max === undefined ? `${what} of at least ${min}` : `${what} between ${min} and ${max}`;
  return {
    allowed,
    schema: max === undefined ? { type: 'integer', minimum: min } : { type: 'integer', minimum: min, maximum: max },
    // Number.isInteger is false for anything but a number.
    test: (v: unknown): v is number => Number.isInteger(v) && (v as number) >= min && (max === undefined || (v as number) <= max),
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
    test: (v: unknown): v is T => (values as readonly unknown[]).includes(v),
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

/**
 * A number of at least `minimum`, which another setting gave (a maximum and
 * its minimum). `other` names that setting in messages.
 *
 * @example
 * check('autoscaling.maxReplicas', 3, atLeast(4, "'autoscaling.minReplicas'"));
 * // Error: 'autoscaling.maxReplicas' must be at least 'autoscaling.minReplicas' (4), got 3
 */
export function atLeast(minimum: number, other: string): Rule<number> {
  return {
    allowed: `at least ${other} (${minimum})`,
    schema: { type: 'integer', minimum },
    test: (v: unknown): v is number => typeof v === 'number' && v >= minimum,
  };
}

/**
 * Any value but `taken`, which another setting holds (two Services cannot
 * share a nodePort). `other` names that setting in messages, `why` says why.
 */
export function differentFrom<T>(taken: T, other: string, why: string): Rule<T> {
  return {
    allowed: `different from ${other} (${show(taken)}: ${why})`,
    schema: { not: { const: taken } },
    test: (v: unknown): v is T => v !== taken,
  };
}

/** A nodePort other than `taken`, which the Service named by `other` holds. */
export function nodePortOtherThan(taken: number | undefined, other: string): Rule<number> {
  return differentFrom(taken, other, 'a nodePort serves one Service per cluster') as Rule<number>;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// A DNS subdomain: dot-separated labels (used for Secret, ConfigMap and storage class names).
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// Docker reference grammar (distribution/reference): optional registry host[:port]/, path components.
const IMAGE_REPOSITORY =
  /^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;
const HTTP_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/;
// An IPv4 address written canonically: four decimal numbers 0-255 without leading zeros.
const IPV4_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const IPV4 = `${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}`;
// A DNS name whose last label starts with a letter: URL parsers (WHATWG, so `new URL`, browsers)
// read a host whose last label is a number (`1.2.3`, `12345`, `0x7f.1`) as an IPv4 address and
// rewrite it, so such hosts are refused rather than silently changed. Go's RE2 (Helm) accepts it.
const DNS_NAME = '(?:[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?\\.)*[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?';
const HOST_ADDRESS = new RegExp(`^(?:${IPV4}|${DNS_NAME})$`);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// A label or annotation key (a qualified name): a name of at most 63 characters, optionally after a DNS subdomain and "/".
const QUALIFIED_NAME = /^(?:[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)*\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/**
 * A label or annotation key: a name of at most 63 letters, digits, "-", "_"
 * and ".", starting and ending with a letter or digit, optionally after a
 * DNS subdomain prefix and "/". Kubernetes allows a prefix of 253 characters
 * beside the name; here the whole key is at most 253 (a regular expression
 * cannot bound the prefix alone, and the schema must say what the test says).
 */
function qualifiedName(what: string): Rule<string> {
  return stringMatching(
    QUALIFIED_NAME,
    `${what}: a name of at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, optionally after a DNS subdomain prefix and "/" (at most 253 characters in all)`,
    253,
  );
}
const CPU = /^(?:\d+m|\d+(?:\.\d{1,3})?)$/;
const MEMORY = /^\d+(?:Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const STORAGE = /^0*[1-9]\d*(?:Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const POSTGRES_URL = /^postgres(ql)?(\+[a-z0-9]+)?:\/\/\S+$/;

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
  /** Replica counts on SQLite: one writer. */
  sqliteReplicas: {
    ...integerBetween(0, 1),
    allowed: '0 or 1 with SQLite (one writer: each pod would otherwise get its own database, or fight over one ReadWriteOnce volume)',
  } as Rule<number>,
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
  /**
   * The address users reach NodePorts at: a DNS name whose last label starts
   * with a letter, or an IPv4 address written canonically. Anything a URL
   * parser would rewrite (`010.0.0.1`, `1.2.3`, `12345`, `0x7f.1`) is refused.
   */
  hostAddress: stringMatching(
    HOST_ADDRESS,
    'a hostname or IPv4 address: a DNS name whose last label starts with a letter (such as "minikube.local"), or four numbers from 0 to 255 without leading zeros (such as "192.168.49.2")',
    253,
  ),
  /** Environment variable names. */
  envName: stringMatching(ENV_NAME, 'an environment variable name: letters, digits and "_", not starting with a digit', 253),
  /** Label keys (`team`, `example.com/tier`). */
  labelKey: qualifiedName('a label key'),
  /** Label values: empty, or at most 63 characters. */
  labelValue: stringMatching(LABEL_VALUE, 'a label value: empty, or at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit', 63),
  /** Annotation keys. */
  annotationKey: qualifiedName('an annotation key'),
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
  /** A memory quantity such as `256Mi` or `1Gi`. */
  memory: stringMatching(MEMORY, 'a memory quantity such as "256Mi" or "1Gi"', 32),
  /** A storage size: a quantity above zero such as `512Mi` or `5Gi` (the API server refuses a zero-size claim). */
  storage: stringMatching(STORAGE, 'a storage quantity above zero such as "512Mi" or "5Gi"', 32),
  /** A PostgreSQL URL (it holds a password: messages show its length only). */
  postgresUrl: {
    ...stringMatching(POSTGRES_URL, 'a PostgreSQL URL such as "postgresql://user:password@host:5432/todo"', 4096),
    sensitive: true,
  },
} as const;
