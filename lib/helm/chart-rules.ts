import { lengthOnly, violationText } from '../shared-rules';
import { JsonSchema, Rule } from '../validation';
import { goPattern } from './go-pattern';

/**
 * The rules of the constructs, as checks of a Helm chart's values that
 * `fail` with the sentence the props' checks throw.
 *
 * Nothing here restates a rule: a check is compiled from the rule object of
 * `lib/validation.ts` (its JSON Schema becomes a Go-template test, its
 * `allowed` sentence the message), or carries a message built by the same
 * TypeScript function the construct throws with.
 */
export type ChartCheck = RuleCheck | MessageCheck | EachCheck;

/** A value of the chart that must follow a rule (when a condition holds). */
export interface RuleCheck {
  readonly kind: 'rule';
  /** The value's path under `.Values`, as users set it: `secrets.JWT_SECRET`. */
  readonly value: string;
  /** The rule: its schema is the test, its sentence the message. */
  readonly rule: Rule<unknown>;
  /** A template pipeline: the rule applies only when it is true. */
  readonly when?: string;
  /** Said after the rule, as the props' check says it. */
  readonly hint?: string;
  /** The template expression of the value, when it is not `.Values.<value>` (an entry inside an {@link EachCheck}). */
  readonly expr?: string;
  /** Template expressions that fill each `%s` of `value` in the message (an entry's key or index). */
  readonly valueArgs?: readonly string[];
}

/** A combination of values the chart refuses, with the message the construct throws. */
export interface MessageCheck {
  readonly kind: 'message';
  /** A template pipeline: the chart fails when it is true. */
  readonly when: string;
  /** The message, built by the function the construct uses; `%s` stands for each of `args`. */
  readonly message: string;
  /** Template expressions shown in the message, in order. */
  readonly args?: readonly string[];
}

/**
 * Checks of each entry of a map or list value (`commonLabels`, the keys of
 * `podLabels`, `imagePullSecrets`, `extraEnvVars`), in order (a map's in key
 * order, as the props are checked): the first that fails stops the render.
 * `checks` receives the template variables of the entry's key (a list's:
 * its index) and item; a rule check names its setting with them
 * (`'commonLabels.%s'` with `valueArgs: [key]`, `'extraEnvVars[%s].name'`
 * with `[index]`), a message check's words come from the construct's message
 * function, called with placeholders ({@link messageWith}). Inside, `.` is
 * the entry: the checks use the variables (and `$` for the chart's root).
 */
export interface EachCheck {
  readonly kind: 'each';
  /** The map or list, as its path under `.Values`. */
  readonly value: string;
  /** Template lines before the loop: variables the checks read (`{{- $own := ... }}`), from the root context (`$` when nested). */
  readonly before?: readonly string[];
  /** The checks of one entry (an each check among them ranges over its value for each entry of this one). */
  readonly checks: (key: string, item: string) => readonly ChartCheck[];
  /** Template lines after each entry's checks (recording the entry for the next ones). */
  readonly after?: (key: string, item: string) => readonly string[];
}

/**
 * A message with template expressions in it: `build` is the construct's own
 * message function, called with placeholders that become `%s`.
 */
export function messageWith(build: (...placeholders: string[]) => string, args: readonly string[]): { message: string; args: readonly string[] } {
  const marks = args.map((_, i) => `\u0000${i}\u0000`);
  let message = build(...marks).replace(/%/g, '%%');
  const order: string[] = [];
  message = message.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => {
    order.push(args[Number(i)]);
    return '%s';
  });
  return { message, args: order };
}

/**
 * The template expression of a value under `.Values`, safe when a parent is
 * missing; `values` is `$.Values` where `.` is not the chart's root (inside
 * a `range`).
 */
export function valueExpr(valuePath: string, values = '.Values'): string {
  return `(index ${values} ${valuePath.split('.').map((p) => JSON.stringify(p)).join(' ')})`;
}

/** A Go template string literal (JSON string escapes are a subset of Go's). */
function literal(text: string): string {
  return JSON.stringify(text);
}

/**
 * A Go template pipeline that is true when the key `v` is one of `keys`
 * (`*` ends a prefix): `isOwnedKey` of lib/shared-rules.ts, for a chart.
 */
export function ownedKeyTest(keys: readonly string[], v: string): string {
  return ruleText(`or ${keys.map((k) => (k.endsWith('*') ? `(hasPrefix ${literal(k.slice(0, -1))} ${v})` : `(eq ${literal(k)} ${v})`)).join(' ')}`, 'ownedKeyTest');
}

const number = (v: string) => `(or (kindIs "int64" ${v}) (kindIs "int" ${v}) (kindIs "float64" ${v}))`;
const TYPE_TESTS: { readonly [type: string]: (v: string) => string } = {
  string: (v) => `(kindIs "string" ${v})`,
  boolean: (v) => `(kindIs "bool" ${v})`,
  null: (v) => `(kindIs "invalid" ${v})`,
  number,
  integer: (v) => `(and ${number(v)} (eq (float64 ${v}) (floor ${v})))`,
};

/**
 * A Go template pipeline that is true when the value `v` satisfies `schema`:
 * the subset of JSON Schema the rules use (`type`, `pattern`, `minLength`,
 * `maxLength`, `minimum`, `maximum`, `enum`, `anyOf`). `and` and `or`
 * stop early in Go templates, so a keyword's test runs only on values of its
 * type.
 *
 * @throws Error for a keyword it cannot compile, so that no rule is silently dropped
 */
export function schemaTest(schema: JsonSchema, v: string): string {
  const tests: string[] = [];
  const types = schema.type === undefined ? undefined : ([] as string[]).concat(schema.type as string | string[]);
  if (types !== undefined) {
    const unknown = types.filter((t) => TYPE_TESTS[t] === undefined);
    if (unknown.length > 0) {
      throw new Error(`a chart check cannot test type ${JSON.stringify(unknown[0])}`);
    }
    tests.push(types.length === 1 ? TYPE_TESTS[types[0]](v) : `(or ${types.map((t) => TYPE_TESTS[t](v)).join(' ')})`);
  }
  // A keyword applies to values of its type only; no guard is needed when the type was tested already.
  const only = (...kinds: string[]) => types !== undefined && types.every((t) => kinds.includes(t));
  const forStrings = (test: string) => (only('string') ? test : `(or (not ${TYPE_TESTS.string(v)}) ${test})`);
  const forNumbers = (test: string) => (only('integer', 'number') ? test : `(or (not ${number(v)}) ${test})`);
  for (const [keyword, arg] of Object.entries(schema)) {
    switch (keyword) {
      case 'type':
        break;
      case 'pattern':
        // Go's regexp (RE2) is also the engine of Helm's schema validation; its \s is ASCII only.
        tests.push(forStrings(`(regexMatch ${literal(goPattern(arg as string))} ${v})`));
        break;
      case 'maxLength':
        tests.push(forStrings(`(le (len (splitList "" ${v})) ${Number(arg)})`));
        break;
      case 'minLength':
        tests.push(forStrings(`(ge (len (splitList "" ${v})) ${Number(arg)})`));
        break;
      case 'minimum':
        tests.push(forNumbers(`(ge (float64 ${v}) (float64 ${Number(arg)}))`));
        break;
      case 'maximum':
        tests.push(forNumbers(`(le (float64 ${v}) (float64 ${Number(arg)}))`));
        break;
      case 'enum':
        tests.push(`(and ${TYPE_TESTS.string(v)} (has ${v} (list ${(arg as unknown[]).map((e) => literal(String(e))).join(' ')})))`);
        break;
      case 'anyOf':
        tests.push(`(or ${(arg as JsonSchema[]).map((s) => schemaTest(s, v)).join(' ')})`);
        break;
      default:
        throw new Error(`a chart check cannot compile the JSON Schema keyword ${keyword}`);
    }
  }
  return tests.length === 0 ? 'true' : tests.length === 1 ? tests[0] : `(and ${tests.join(' ')})`;
}

/**
 * A Go template pipeline that is true when the value `v` (a template
 * variable: `$port`) follows `rule`: its schema's {@link schemaTest}, for a
 * helper that decides by a rule without refusing (a URL's port in
 * `Rules.port`, else PostgreSQL's).
 *
 * @param name what the test is of, for the record ({@link RULE_TEXT}: `rule test <name>`)
 */
export function ruleTest(rule: Rule<unknown>, v: string, name: string): string {
  return ruleText(schemaTest(rule.schema, v), `rule test ${name}`);
}

/**
 * Template lines that `fail` on the first check broken, with the props'
 * words: `'secrets.JWT_SECRET' must be a secret of at least 32 characters
 * without whitespace, got a value of 5 characters`.
 */
export function renderChecks(checks: readonly ChartCheck[], prefix = ''): string[] {
  const lines: string[] = [];
  checks.forEach((c, i) => {
    if (c.kind === 'each') {
      const [key, item] = [`$k${prefix}${i}`, `$e${prefix}${i}`];
      lines.push(
        ...(c.before ?? []),
        // Read from the root, `$`: nested in another's entry, `.` is that entry.
        ruleText(`{{- range ${key}, ${item} := ${valueExpr(c.value, '$.Values')} }}`, `each ${c.value}`),
        ...renderChecks(c.checks(key, item), `${prefix}${i}_`),
        ...(c.after?.(key, item) ?? []),
        '{{- end }}',
      );
      return;
    }
    if (c.kind === 'message') {
      const message = c.args?.length ? `(printf ${literal(c.message)} ${c.args.map((a) => `(toString ${a})`).join(' ')})` : literal(c.message);
      lines.push(`{{- if ${c.when} }}`, ruleText(`{{- fail ${message} }}`, 'message'), '{{- end }}');
      return;
    }
    const v = `$v${prefix}${i}`;
    const [before, after] = violationText(c.value, c.rule, c.hint);
    const got = c.rule.sensitive
      ? `(printf ${literal(lengthOnly('%d').replace(/%(?!d)/g, '%%'))} (len (splitList "" (toString ${v}))))`
      : `(toJson ${v})`;
    // A setting named with an entry's key or index: the rest of the sentence is printf's text, its % doubled.
    const start = c.valueArgs?.length
      ? `(printf ${literal(violationText('\u0001', c.rule, c.hint)[0].replace(/%/g, '%%').replace('\u0001', c.value))} ${c.valueArgs.map((a) => `(toString ${a})`).join(' ')})`
      : literal(before);
    lines.push(
      `{{- ${v} := ${c.expr ?? valueExpr(c.value)} }}`,
      ruleText(`{{- if and (${c.when ?? 'true'}) (not ${schemaTest(c.rule.schema, v)}) }}`, `rule ${c.value}`, c.when),
      ruleText(`{{- fail (print ${start} ${got} ${literal(after)}) }}`, `rule ${c.value}`),
      '{{- end }}',
    );
  });
  return lines;
}

/**
 * @internal The text this file rendered (a check's line, an `ownedKeyTest`
 * pipeline) and what it came from (`rule secrets.JWT_SECRET`, `message`,
 * `each commonLabels`, `ownedKeyTest`), with the `when` pipeline a rule
 * check was given, which is not this file's: the conditions audit
 * (__tests__/helm/conditions-audit.test.ts) tells the checks compiled from
 * the rules from hand-written ones by it. One entry per distinct text.
 */
export const RULE_TEXT = new Map<string, { readonly from: string; readonly when?: string }>();

/** Records text this file rendered ({@link RULE_TEXT}) and gives it back. */
function ruleText(text: string, from: string, when?: string): string {
  RULE_TEXT.set(text, { from, when });
  return text;
}
