import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

/**
 * YAML text that every reader of the project's outputs reads back as it was
 * written: cdk8s' own YAML 1.1 writer, YAML 1.2 readers, and Go's
 * `sigs.k8s.io/yaml` (Helm, kubectl), whose plain scalars go through
 * `strconv.ParseInt(s, 0, 64)` and so read `0o17` as 15, `0b1` as 1 and
 * `1_000` as 1000.
 */

// Words YAML 1.1 or 1.2 read as booleans or null.
const WORDS = /^(?:[yY]|yes|Yes|YES|[nN]|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;
// What Go's strconv reads as a number (base prefixes, "_" between digits, exponents, hex floats).
const NUMBER_LIKE = /^[-+]?(?:0[xXoObB][0-9a-fA-F_.pP+-]*|(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9_]*)?)$/;
// Dates and timestamps.
const TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:$|[Tt\s])/;
// Infinities and not-a-number.
const SPECIAL_FLOAT = /^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$/;

/**
 * Whether a string, written as a plain (unquoted) YAML scalar, could be read
 * back as something else: a number (`1.10`, `0o17`, `0x1f`, `1e3`), a
 * boolean (`yes`, `off`), null (`null`, `~`) or a timestamp.
 */
export function isYamlAmbiguous(text: string): boolean {
  let known = AMBIGUOUS.get(text);
  if (known === undefined) {
    known = readsAsOther(text);
    if (AMBIGUOUS.size < 10_000) {
      AMBIGUOUS.set(text, known);
    }
  }
  return known;
}

// Answers so far: the same strings come back in every object and chart.
const AMBIGUOUS = new Map<string, boolean>();

function readsAsOther(text: string): boolean {
  if (text.includes('\n')) {
    return false; // the writer picks a block or quoted style for these itself
  }
  if (WORDS.test(text) || NUMBER_LIKE.test(text) || TIMESTAMP.test(text) || SPECIAL_FLOAT.test(text)) {
    return true;
  }
  if (/^[A-Za-z]/.test(text) && !text.includes(': ')) {
    return false; // past the words above, YAML reads a plain scalar that starts with a letter as a string
  }
  for (const version of ['1.1', '1.2'] as const) {
    let read: unknown;
    try {
      read = YAML.parse(`${text}\n`, { version });
    } catch {
      return true;
    }
    if (read !== text) {
      return true;
    }
  }
  return false;
}

/**
 * Like cdk8s' `Yaml.stringify` (YAML 1.1, no line wrapping), with every
 * string that a reader could take for another type in double quotes.
 */
export function stringifyYaml(...docs: unknown[]): string {
  return docs.map(stringifyDoc).join('---\n');
}

function stringifyDoc(value: unknown): string {
  // The same values come back in every chart and every app (a chart's
  // templates differ between apps only where Helm expressions stand): a value
  // that JSON writes completely is looked up by its JSON text.
  const key = isJsonPlain(value) ? JSON.stringify(value) : undefined;
  if (key !== undefined) {
    const known = STRINGIFIED.get(key);
    if (known !== undefined) {
      return known;
    }
  }
  const text = YAML.stringify(quoteAmbiguous(value), { keepUndefined: true, lineWidth: 0, version: '1.1' });
  if (key !== undefined && stringifiedChars + key.length + text.length <= STRINGIFIED_MAX_CHARS) {
    STRINGIFIED.set(key, text);
    stringifiedChars += key.length + text.length;
  }
  return text;
}

// YAML text by the JSON text of the value, up to a bound on the characters held.
const STRINGIFIED = new Map<string, string>();
const STRINGIFIED_MAX_CHARS = 8_000_000;
let stringifiedChars = 0;

/**
 * Whether `JSON.stringify(value)` tells the value apart from every value the
 * YAML writer would write differently: strings, booleans, null, finite
 * numbers other than -0, arrays without holes and plain objects of these (no
 * undefined, no class instances, no Maps).
 */
function isJsonPlain(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object':
      if (value === null) {
        return true;
      }
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || !isJsonPlain(value[i])) {
            return false;
          }
        }
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) {
        return false;
      }
      for (const key in value) {
        if (!Object.prototype.hasOwnProperty.call(value, key) || !isJsonPlain((value as Record<string, unknown>)[key])) {
          return false;
        }
      }
      return Object.getOwnPropertySymbols(value).length === 0;
    default:
      return false;
  }
}

/** `value` with each ambiguous string (keys too) turned into a double-quoted YAML scalar. */
function quoteAmbiguous(value: unknown): unknown {
  if (typeof value === 'string') {
    if (!isYamlAmbiguous(value)) {
      return value;
    }
    const scalar = new YAML.Scalar(value);
    scalar.type = 'QUOTE_DOUBLE';
    return scalar;
  }
  if (Array.isArray(value)) {
    return value.map(quoteAmbiguous);
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value).map(([k, v]) => [quoteAmbiguous(k), quoteAmbiguous(v)] as const);
    if (entries.every(([k]) => typeof k === 'string')) {
      return Object.fromEntries(entries);
    }
    // A quoted key: a YAML map node (a JavaScript Map would be written as a YAML 1.1 `!!omap`, a list).
    const map = new YAML.YAMLMap();
    for (const [k, v] of entries) {
      map.items.push(new YAML.Pair(k, v));
    }
    return map;
  }
  return value;
}

/**
 * Whether `value` holds a string (a key or a value) that is ambiguous but
 * that cdk8s' YAML 1.1 writer leaves unquoted (`0o17`, `1_000`, `0b1`): the
 * files it wrote must then be rewritten.
 */
export function holdsAmbiguousString(value: unknown): boolean {
  if (typeof value === 'string') {
    return isYamlAmbiguous(value) && leftPlainByYaml11(value);
  }
  if (Array.isArray(value)) {
    return value.some(holdsAmbiguousString);
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([k, v]) => holdsAmbiguousString(k) || holdsAmbiguousString(v));
  }
  return false;
}

function leftPlainByYaml11(text: string): boolean {
  try {
    return YAML.parse(`${text}\n`, { version: '1.1' }) === text;
  } catch {
    return false;
  }
}

/**
 * Rewrites the YAML files cdk8s wrote into `dir` (`*.k8s.yaml`) with
 * {@link stringifyYaml}: the same objects, with ambiguous strings quoted (an
 * image tag `0o17` in the `app.kubernetes.io/version` label stays a string
 * for kubectl).
 */
export function rewriteYamlFiles(dir: string): void {
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.k8s.yaml'))) {
    const target = path.join(dir, file);
    const docs = YAML.parseAllDocuments(fs.readFileSync(target, 'utf8'), { version: '1.1' }).map((d) => d.toJS());
    fs.writeFileSync(target, stringifyYaml(...docs));
  }
}
