/**
 * A decision that both renderings read: an ordered table of cases over a
 * component's chart values, where the first case whose test holds gives the
 * result. `decide` evaluates the table in TypeScript, on values as the
 * chart holds them (what the constructs and deploy use). `caseLines`
 * renders the same table as the body of a chart helper. So a rule such as
 * "the readiness path, else the liveness path, else /" is written once, as
 * data, and neither rendering restates it.
 *
 * Paths are dot-separated keys under the values (`probes.readiness.type`).
 */

import { goPattern } from './go-pattern';

/** A test on the values. */
export type ValueTest =
  /** The value equals a string (`eq .Values.<path> "<to>"`). */
  | { readonly equals: string; readonly to: string }
  /**
   * The value equals the text of a named helper of the chart
   * (`eq <value> (include ...)`): given by the caller of `testHolds`, as
   * `decide`'s helpers are.
   */
  | { readonly equalsHelper: string; readonly helper: string }
  /** The value is a boolean (`kindIs "bool"`), false as well as true. */
  | { readonly isBool: string }
  /** The value is true for Go's `if`: not false, 0, null, "" nor an empty list or map. */
  | { readonly truthy: string }
  /** The value, as an integer (Sprig's `int`: null is 0), is at least `n`. */
  | { readonly atLeast: string; readonly n: number }
  /** The value is below another, as numbers (Sprig's `float64`: null is 0). */
  | { readonly below: string; readonly than: string }
  /** The value is a map that holds the key (`hasKey (<value> | default dict) "<key>"`: none is an empty map). */
  | { readonly hasKey: string; readonly key: string }
  /** Any of the tests holds. */
  | { readonly any: readonly ValueTest[] }
  /** All of the tests hold. */
  | { readonly all: readonly ValueTest[] }
  /** The test does not hold. */
  | { readonly not: ValueTest }
  /**
   * The value as text (Sprig's `toString`: null is "<nil>", a boolean
   * "true" or "false") equals a string (`eq (toString .Values.<path>) "<to>"`):
   * a value the schema leaves loose (a tag written as a number) is compared,
   * not refused by `eq`.
   */
  | { readonly equalsText: string; readonly to: string }
  /**
   * The text of a named helper of the chart is not empty (`include ...`):
   * given by the caller of `testHolds`, as `equalsHelper`'s helper is.
   */
  | { readonly helperSays: string }
  /**
   * Both values are given (their maps are maps, and they are not null) and
   * the first is above the second, as the numbers a named helper of the
   * chart reads them as (`gt (float64 (include "<helper>" <value>)) ...`).
   * The values are read with `index`, so that a key may hold any character
   * (`ephemeral-storage`); the helper's TypeScript form is given to
   * `testHolds` as a function.
   */
  | { readonly above: string; readonly than: string; readonly as: string }
  /**
   * The value is an item of a list the chart holds in a template variable
   * (`has <value> $<list>`): given to `testHolds` as an array under the
   * list's name. For checks of each entry of a list (an `EachCheck`), with
   * the entry as the values (`root`: the range's variable).
   */
  | { readonly inList: string; readonly list: string }
  /**
   * The value is a key of a map the chart holds in a template variable
   * (`hasKey $<map> <value>`): given to `testHolds` as an object under the
   * map's name (the names an entry before this one gave, say).
   */
  | { readonly inMap: string; readonly map: string }
  /**
   * The value is text the pattern matches (`regexMatch`; the pattern's `i`
   * flag is Go's `(?i)`, and it must be written in the syntax both read).
   */
  | { readonly matches: string; readonly pattern: RegExp }
  /**
   * The map at the path (`""`: the values themselves, such as a list's
   * entry) has exactly one key besides those of `besides`, and it is one of
   * `among` (`and (eq (len <keys>) 1) (has (first <keys>) (list ...))`, the
   * keys `without` those besides; none is an empty map).
   */
  | { readonly oneKeyOf: string; readonly besides: readonly string[]; readonly among: readonly string[] };

/** What a case gives. */
export type CaseResult =
  /** Fixed text ("" for none). */
  | { readonly text: string }
  /** A value, as it is. */
  | { readonly value: string }
  /**
   * A named helper of the chart (`fullname`): given by the caller of `decide`;
   * with `named`, the name it gives for the helper's text (`ownSecretName`):
   * the chart renders `named("%s")` with `printf`.
   */
  | { readonly helper: string; readonly named?: (text: string) => string };

/** One case: its result when its test holds (always, without a test). */
export interface ValueCase {
  readonly when?: ValueTest;
  readonly then: CaseResult;
}

/** The value at a dot-separated path (undefined when a key is missing). */
function at(values: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as { [k: string]: unknown })[key] : undefined), values);
}

/** Go's truth of a value in `if`, `and`, `or`. */
function goTrue(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') {
    return false;
  }
  if (Array.isArray(v)) {
    return v.length > 0;
  }
  return typeof v !== 'object' || Object.keys(v as object).length > 0;
}

/** Sprig's `int` of the values a chart's schema lets through (integers, null). */
function goInt(path: string, v: unknown): number {
  if (v === undefined || v === null) {
    return 0;
  }
  if (typeof v !== 'number') {
    throw new Error(`'${path}' must be a number for this decision, got ${JSON.stringify(v)}`);
  }
  return Math.trunc(v);
}

/**
 * The text of each named helper a decision may read (`{ fullname: 'todo-backend' }`),
 * or for a helper that reads a value (`above`'s), what it gives for the value.
 */
type Helpers = { readonly [name: string]: string | ((value: unknown) => number) | readonly unknown[] | { readonly [key: string]: unknown } };

/** The text of a named helper, which must be given. */
function helperText(helper: string, helpers: Helpers): string {
  const h = helpers[helper];
  if (h === undefined) {
    throw new Error(`a decision gives the helper ${helper}, which was not given`);
  }
  if (typeof h !== 'string') {
    throw new Error(`a decision gives the helper ${helper}'s text, which was given as a function`);
  }
  return h;
}

/** What a named helper that reads a value gives for it, which must be given as a function. */
function helperOf(helper: string, helpers: Helpers): (value: unknown) => number {
  const h = helpers[helper];
  if (typeof h !== 'function') {
    throw new Error(`a decision reads values through the helper ${helper}, which was not given as a function`);
  }
  return h;
}

/** A list or map a decision reads, given under its name (the chart's template variable). */
function named<T>(name: string, helpers: Helpers, kind: 'list' | 'map', is: (v: unknown) => v is T): T {
  const h = helpers[name];
  if (!is(h)) {
    throw new Error(`a decision reads the ${kind} $${name}, which was not given as ${kind === 'list' ? 'an array' : 'an object'}`);
  }
  return h;
}

const isList = (v: unknown): v is readonly unknown[] => Array.isArray(v);
const isMap = (v: unknown): v is { readonly [key: string]: unknown } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A pattern as Go's regexp reads it: the `i` flag as `(?i)`, no other flag; `\s` and `\S` as the chart checks spell them (goPattern). */
function goRegexp(pattern: RegExp): string {
  if (pattern.flags.replace('i', '') !== '') {
    throw new Error(`a decision's pattern may have the flag i only, got /${pattern.source}/${pattern.flags}`);
  }
  return `${pattern.flags.includes('i') ? '(?i)' : ''}${goPattern(pattern.source)}`;
}

/** A value at a path is given: its parent is a map (`kindIs "map"`) and it is not null (`toString` is not "<nil>"). */
function given(values: unknown, path: string): boolean {
  const parent = path.split('.').slice(0, -1).join('.');
  const p = parent === '' ? values : at(values, parent);
  return p !== null && typeof p === 'object' && !Array.isArray(p) && at(values, path) !== undefined && at(values, path) !== null;
}

/** Sprig's `float64` of the values a chart's schema lets through (numbers, null). */
function goFloat(path: string, v: unknown): number {
  if (v === undefined || v === null) {
    return 0;
  }
  if (typeof v !== 'number') {
    throw new Error(`'${path}' must be a number for this decision, got ${JSON.stringify(v)}`);
  }
  return v;
}

/**
 * Sprig's `toString` of the values a decision can compare exactly: text,
 * null, booleans and integers below a million but -0 (Go writes a larger
 * number read from a values file as `1e+06`, one given with --set as
 * `1000000`, and -0 as `-0`).
 */
function goText(path: string, v: unknown): string {
  if (typeof v === 'string') {
    return v;
  }
  if (v === undefined || v === null) {
    return '<nil>';
  }
  if (typeof v === 'boolean' || (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1e6 && !Object.is(v, -0))) {
    return String(v);
  }
  throw new Error(`'${path}' must be text for this decision, got ${JSON.stringify(v)}`);
}

/** Whether a map of the values holds a key: none (null, or false for Go's `default`) is an empty map. */
function goHasKey(path: string, v: unknown, key: string): boolean {
  if (!goTrue(v)) {
    return false;
  }
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new Error(`'${path}' must be a map for this decision, got ${JSON.stringify(v)}`);
  }
  return Object.prototype.hasOwnProperty.call(v, key);
}

function holds(test: ValueTest, values: unknown, helpers: Helpers): boolean {
  if ('equals' in test) return at(values, test.equals) === test.to;
  if ('equalsHelper' in test) return at(values, test.equalsHelper) === helperText(test.helper, helpers);
  if ('isBool' in test) return typeof at(values, test.isBool) === 'boolean';
  if ('truthy' in test) return goTrue(at(values, test.truthy));
  if ('atLeast' in test) return goInt(test.atLeast, at(values, test.atLeast)) >= test.n;
  if ('below' in test) return goFloat(test.below, at(values, test.below)) < goFloat(test.than, at(values, test.than));
  if ('hasKey' in test) return goHasKey(test.hasKey, at(values, test.hasKey), test.key);
  if ('all' in test) return test.all.every((t) => holds(t, values, helpers));
  if ('not' in test) return !holds(test.not, values, helpers);
  if ('any' in test) return test.any.some((t) => holds(t, values, helpers));
  if ('equalsText' in test) return goText(test.equalsText, at(values, test.equalsText)) === test.to;
  if ('helperSays' in test) return helperText(test.helperSays, helpers) !== '';
  if ('above' in test) {
    const read = helperOf(test.as, helpers);
    return given(values, test.above) && given(values, test.than) && read(at(values, test.above)) > read(at(values, test.than));
  }
  if ('inList' in test) return named(test.list, helpers, 'list', isList).includes(at(values, test.inList));
  if ('inMap' in test) {
    const key = at(values, test.inMap);
    return typeof key === 'string' && Object.prototype.hasOwnProperty.call(named(test.map, helpers, 'map', isMap), key);
  }
  if ('matches' in test) {
    goRegexp(test.pattern);
    const text = at(values, test.matches);
    if (typeof text !== 'string') {
      throw new Error(`'${test.matches}' must be text for this decision, got ${JSON.stringify(text)}`);
    }
    return new RegExp(test.pattern.source, test.pattern.flags).test(text);
  }
  const map = test.oneKeyOf === '' ? values : at(values, test.oneKeyOf);
  if (goTrue(map) && !isMap(map)) {
    throw new Error(`'${test.oneKeyOf}' must be a map for this decision, got ${JSON.stringify(map)}`);
  }
  const keys = isMap(map) ? Object.keys(map).filter((k) => !test.besides.includes(k)) : [];
  return keys.length === 1 && test.among.includes(keys[0]);
}

/**
 * Whether a test holds for `values`, as the chart's {@link testPipeline}
 * of it decides: one condition for a construct's check and the chart's.
 *
 * @param helpers the text of each named helper the test reads (`equalsHelper`)
 */
export function testHolds(test: ValueTest, values: unknown, helpers: Helpers = {}): boolean {
  return holds(test, values, helpers);
}

/**
 * The result of the first case that holds for `values` ("" when none does),
 * as the chart's helper renders it.
 *
 * @param helpers the text of each named helper a result may give (`{ fullname: 'todo-backend' }`)
 * @throws Error for a result that names a helper not given, or a value that is not text
 */
export function decide(cases: readonly ValueCase[], values: unknown, helpers: { readonly [name: string]: string } = {}): string {
  const found = cases.find((c) => c.when === undefined || holds(c.when, values, helpers));
  if (found === undefined) {
    return '';
  }
  const r = found.then;
  if ('text' in r) {
    return r.text;
  }
  if ('helper' in r) {
    const text = helperText(r.helper, helpers);
    return r.named === undefined ? text : r.named(text);
  }
  const v = at(values, r.value);
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
    throw new Error(`'${r.value}' must be text for this decision, got ${JSON.stringify(v)}`);
  }
  return String(v);
}

/**
 * A test on the value a table decides: it holds when the first case that
 * holds gives a value for which `test(path)` holds (none holds when no case
 * does). Built from the table's own tests, so that a check comparing with a
 * decided value (the replicas in effect) reads the table instead of
 * restating its choice: case i holds when its test does and no earlier
 * one's does.
 *
 * @param test the test on a value, given the value's path
 * @throws Error for a case whose result is not a value (text, a helper), or no case
 */
export function testOnDecided(cases: readonly ValueCase[], test: (path: string) => ValueTest): ValueTest {
  const branches: ValueTest[] = [];
  const earlier: ValueTest[] = [];
  for (const c of cases) {
    if (!('value' in c.then)) {
      throw new Error(`a test on a decision reads the values it gives, not ${JSON.stringify(c.then)}`);
    }
    const parts = [...earlier.map((t): ValueTest => ({ not: t })), ...(c.when === undefined ? [] : [c.when]), test(c.then.value)];
    branches.push(parts.length === 1 ? parts[0] : { all: parts });
    if (c.when === undefined) {
      break; // this case always holds: no later one is reached
    }
    earlier.push(c.when);
  }
  if (branches.length === 0) {
    throw new Error('a test on a decision needs a case');
  }
  return branches.length === 1 ? branches[0] : { any: branches };
}

/** The template's reference to a value under `root` (`.Values`, or `.`: the helper's argument). */
function ref(root: string, path: string): string {
  return root === '.' ? `.${path}` : `${root}.${path}`;
}

/** A value under `root` read with `index` (`(index .Values "a" "b")`): any key may be a path's part. */
function indexRef(root: string, path: string): string {
  return `(index ${root} ${path.split('.').map((k) => JSON.stringify(k)).join(' ')})`;
}

/** The pipeline that includes a named helper (`ChartScope.include`). */
type Include = (helper: string) => string;

/** The pipeline that includes a named helper with `value` as its argument (`include "c.quantity" <value>`). */
function includeOf(include: Include, helper: string, value: string): string {
  const whole = include(helper);
  if (!whole.endsWith(' .')) {
    throw new Error(`the pipeline that includes ${helper} must pass it the root ("."), got ${JSON.stringify(whole)}`);
  }
  return `${whole.slice(0, -1)}${value}`;
}

/** A test that reads a helper, without the way to include it. */
const NO_INCLUDE: Include = (helper) => {
  throw new Error(`a test reads the helper ${helper}: pass the pipeline that includes it`);
};

/** A Go template pipeline that is true when the test holds. */
function pipeline(test: ValueTest, root: string, include: Include, nested = false): string {
  const v = (path: string) => ref(root, path);
  const wrap = (p: string) => (nested ? `(${p})` : p);
  if ('equals' in test) return wrap(`eq ${v(test.equals)} ${JSON.stringify(test.to)}`);
  if ('equalsHelper' in test) return wrap(`eq ${v(test.equalsHelper)} (${include(test.helper)})`);
  if ('isBool' in test) return wrap(`kindIs "bool" ${v(test.isBool)}`);
  if ('truthy' in test) return v(test.truthy);
  if ('atLeast' in test) return wrap(`ge (int ${v(test.atLeast)}) ${test.n}`);
  if ('below' in test) return wrap(`lt (float64 ${v(test.below)}) (float64 ${v(test.than)})`);
  if ('hasKey' in test) return wrap(`hasKey (${v(test.hasKey)} | default dict) ${JSON.stringify(test.key)}`);
  if ('all' in test) return wrap(`and ${test.all.map((t) => pipeline(t, root, include, true)).join(' ')}`);
  if ('not' in test) return wrap(`not ${pipeline(test.not, root, include, true)}`);
  if ('any' in test) return wrap(`or ${test.any.map((t) => pipeline(t, root, include, true)).join(' ')}`);
  if ('equalsText' in test) return wrap(`eq (toString ${v(test.equalsText)}) ${JSON.stringify(test.to)}`);
  if ('helperSays' in test) return wrap(include(test.helperSays));
  if ('above' in test) {
    const [above, than] = [test.above, test.than].map((path) => indexRef(root, path));
    const parents = [test.above, test.than].map((path) => path.split('.').slice(0, -1).join('.')).map((p) => (p === '' ? root : /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(p) ? ref(root, p) : indexRef(root, p)));
    const number = (value: string) => `(float64 (${includeOf(include, test.as, value)}))`;
    return wrap(`and ${parents.map((p) => `(kindIs "map" ${p})`).join(' ')} ${[above, than].map((x) => `(ne (toString ${x}) "<nil>")`).join(' ')} (gt ${number(above)} ${number(than)})`);
  }
  if ('inList' in test) return wrap(`has ${v(test.inList)} $${test.list}`);
  if ('inMap' in test) return wrap(`hasKey $${test.map} ${v(test.inMap)}`);
  if ('matches' in test) return wrap(`regexMatch ${JSON.stringify(goRegexp(test.pattern))} ${v(test.matches)}`);
  const keys = `(without (keys ${test.oneKeyOf === '' ? root : `(${v(test.oneKeyOf)} | default dict)`})${test.besides.map((k) => ` ${JSON.stringify(k)}`).join('')} | sortAlpha)`;
  return wrap(`and (eq (len ${keys}) 1) (has (first ${keys}) (list ${test.among.map((k) => JSON.stringify(k)).join(' ')}))`);
}

/**
 * A Go template pipeline that is true when the test holds ({@link testHolds}), on `.Values` by default.
 *
 * @param include the pipeline that includes a named helper the test reads (`ChartScope.include`)
 */
export function testPipeline(test: ValueTest, root = '.Values', include: Include = NO_INCLUDE): string {
  return rendered(pipeline(test, root, include), test);
}

/** The template text of a result. */
function resultText(r: CaseResult, root: string, include: (helper: string) => string): string {
  if ('text' in r) {
    if (r.text.includes('{{')) {
      throw new Error(`a decision's text cannot hold template delimiters: ${JSON.stringify(r.text)}`);
    }
    return r.text;
  }
  if (!('helper' in r)) {
    return `{{ ${ref(root, r.value)} }}`;
  }
  if (r.named === undefined) {
    return `{{ ${include(r.helper)} }}`;
  }
  const format = r.named('%s');
  if (format.split('%').length !== 2 || !format.includes('%s')) {
    throw new Error(`a decision's name must hold the helper's text once and no other "%": ${JSON.stringify(format)}`);
  }
  return `{{ printf ${JSON.stringify(format)} (${include(r.helper)}) }}`;
}

/**
 * The lines of a chart helper's body that render `decide` of the values:
 * an `if` / `else if` chain, one line per case.
 *
 * @param include the pipeline that includes a named helper (`ChartScope.include`)
 * @param root where the values are (`.Values`; `.` for values passed as the helper's argument)
 */
export function caseLines(cases: readonly ValueCase[], include: (helper: string) => string, root = '.Values'): string[] {
  return caseChain(cases, include, root, (head, then) => [`${head}${resultText(then, root, include)}`], '');
}

/**
 * The lines of a template that render, for the first case that holds, the
 * lines `body` gives for its result (`decide` gives that result in
 * TypeScript): an `if` / `else if` chain of blocks, each keyword on its own
 * line (indented by `pad`), for results that are template text of several
 * lines rather than a value.
 *
 * @param body the lines of a case's result
 * @param include the pipeline that includes a named helper (`ChartScope.include`)
 * @param root where the values are (`.Values`; `.` for values passed as the helper's argument)
 */
export function caseBlocks(cases: readonly ValueCase[], body: (then: CaseResult) => readonly string[], include: Include, root = '.Values', pad = ''): string[] {
  return caseChain(cases, include, root, (head, then) => (head === '' ? [...body(then)] : [head, ...body(then)]), pad);
}

/**
 * The `if` / `else if` / `else` chain of a table, up to its first case
 * without a test, each case's lines from `lines` (its keyword action, with
 * `pad`, and its result): only the first case's result ('' for the action)
 * when that case has no test, nothing for no case.
 */
function caseChain(cases: readonly ValueCase[], include: Include, root: string, lines: (head: string, then: CaseResult) => readonly string[], pad: string): string[] {
  const out: string[] = [];
  for (const [i, c] of cases.entries()) {
    if (c.when === undefined && i === 0) {
      return [...lines('', c.then)]; // the first case always holds
    }
    const keyword = c.when === undefined ? 'else' : i === 0 ? 'if' : 'else if';
    out.push(...lines(`${pad}{{- ${keyword}${c.when === undefined ? '' : ` ${rendered(pipeline(c.when, root, include), cases)}`} }}`, c.then));
    if (c.when === undefined) {
      break;
    }
  }
  return out.length === 0 ? [] : [...out, `${pad}{{- end }}`];
}

/**
 * @internal What each pipeline that {@link testPipeline} and {@link caseLines}
 * rendered came from (its test, or its table), by the pipeline's text: how
 * the conditions audit (__tests__/helm/conditions-audit.test.ts) knows a
 * chart's condition is generated, without guessing from its text. One entry
 * per distinct pipeline.
 */
export const RENDERED_PIPELINES = new Map<string, ValueTest | readonly ValueCase[]>();

/** Records a rendered pipeline ({@link RENDERED_PIPELINES}) and gives it back. */
function rendered(text: string, from: ValueTest | readonly ValueCase[]): string {
  RENDERED_PIPELINES.set(text, from);
  return text;
}
