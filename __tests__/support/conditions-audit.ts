import { RULE_TEXT } from '../../lib/helm/chart-rules';
import { RENDERED_PIPELINES, ValueCase, ValueTest } from '../../lib/helm/value-cases';

/** One Go template action of a chart file (`{{- if .Values.x }}`), comments left out. */
export interface Action {
  /** The action as written, delimiters and trim markers included. */
  readonly source: string;
  /** Its text between the delimiters and trim markers, trimmed. */
  readonly inner: string;
  /** Its tokens (strings are one token each, quotes included). */
  readonly tokens: readonly string[];
  /** The line of the file it starts on (1-based). */
  readonly line: number;
}

/**
 * The actions of a template file: `{{ ... }}`, found with their strings read
 * as strings (a `}}` inside `"..."` or a raw string does not end an action)
 * and comments (`{{/* ... *\/}}`) skipped.
 *
 * @throws Error for an action that is not closed
 */
export function actionsOf(text: string): Action[] {
  const actions: Action[] = [];
  let i = 0;
  while ((i = text.indexOf('{{', i)) !== -1) {
    const start = i;
    let j = i + 2;
    if (text.startsWith('- ', j)) j += 2;
    if (text.startsWith('/*', j)) {
      const end = text.indexOf('*/', j + 2);
      if (end === -1) throw new Error(`a comment is not closed at line ${lineAt(text, start)}`);
      i = text.indexOf('}}', end) + 2;
      continue;
    }
    const from = j;
    const tokens: string[] = [];
    for (;;) {
      if (j >= text.length) throw new Error(`an action is not closed at line ${lineAt(text, start)}: ${text.slice(start, start + 60)}`);
      const c = text[j];
      if (text.startsWith('}}', j) || text.startsWith(' -}}', j)) break;
      if (/\s/.test(c)) {
        j++;
      } else if (c === '"' || c === '\'') {
        let k = j + 1;
        while (k < text.length && text[k] !== c) k += text[k] === '\\' ? 2 : 1;
        tokens.push(text.slice(j, k + 1));
        j = k + 1;
      } else if (c === '`') {
        const k = text.indexOf('`', j + 1);
        tokens.push(text.slice(j, k + 1));
        j = k + 1;
      } else if ('()|,'.includes(c)) {
        tokens.push(c);
        j++;
      } else if (text.startsWith(':=', j)) {
        tokens.push(':=');
        j += 2;
      } else if (c === '=') {
        tokens.push('=');
        j++;
      } else {
        const m = /^[^\s()|,"'`=:]+(:(?!=)[^\s()|,"'`=:]*)*/.exec(text.slice(j, j + 1000))!;
        // `}}` may follow a word with no space between.
        const word = m[0].includes('}}') ? m[0].slice(0, m[0].indexOf('}}')) : m[0];
        tokens.push(word);
        j += word.length;
      }
    }
    const end = text.startsWith(' -}}', j) ? j + 4 : j + 2;
    actions.push({ source: text.slice(start, end), inner: text.slice(from, j).trim(), tokens, line: lineAt(text, start) });
    i = end;
  }
  return actions;
}

function lineAt(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** Keywords that open a decision on their pipeline. */
const BLOCKS = new Set(['if', 'with', 'range']);
/** Functions that decide something wherever they are. */
const DECIDING = new Set(['ternary', 'default', 'and', 'or', 'not', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'fail', 'required', 'coalesce', 'empty']);

/** Where a decision's rule is defined. */
export type Category =
  /** A pipeline `testPipeline` or `caseLines` rendered from a ValueTest or ValueCase table (lib/helm/value-cases.ts). */
  | 'value-case'
  /** A bare value reference (`if .Values.x`, `with .Values.x`, `range .Values.x`): a binding, not a rule. */
  | 'binding'
  /** A check compiled from a rule object by lib/helm/chart-rules.ts. */
  | 'rule'
  /** Anything else: a condition written as template text. */
  | 'hand-written';

/** One decision of a chart. */
export interface Decision {
  readonly file: string;
  readonly line: number;
  /** The action. */
  readonly action: string;
  /** What decides: the pipeline of `if`, `else if`, `with`, `range`; the whole action otherwise. */
  readonly condition: string;
  readonly category: Category;
  /** What it came from: the ValueTest or ValueCase table, or the rule machinery's name for it. */
  readonly from?: ValueTest | readonly ValueCase[] | string;
}

/**
 * Whether tokens are one value reference: `.Values.x.y`, `$x`, `$.Values.x`,
 * `(index .Values "a" "b")`, or a named helper's text (`include "c.name" .`,
 * as a list: `(fromYamlArray (include "c.name" .))`), whose own decisions
 * are audited where the helper is defined.
 */
function isReference(tokens: readonly string[]): boolean {
  const ref = (t: string) => /^(\$?\.[A-Za-z_][\w.]*|\$[A-Za-z_]\w*(\.[A-Za-z_][\w.]*)?|\$)$/.test(t);
  const text = tokens.join(' ');
  if (/^(include "[\w.-]+" \.|\( fromYamlArray \( include "[\w.-]+" \. \) \))$/.test(text)) return true;
  if (tokens.length === 1) return ref(tokens[0]);
  return tokens.length >= 4 && tokens[0] === '(' && tokens[1] === 'index' && ref(tokens[2])
    && tokens.slice(3, -1).every((t) => /^"[^"]*"$/.test(t)) && tokens[tokens.length - 1] === ')';
}

/** The category of a condition (a pipeline). */
function categoryOf(condition: string, tokens: readonly string[], keyword: boolean): Pick<Decision, 'category' | 'from'> {
  const generated = RENDERED_PIPELINES.get(condition);
  if (generated !== undefined) return { category: 'value-case', from: generated };
  const rule = RULE_TEXT.get(condition);
  if (rule !== undefined) return { category: 'rule', from: rule.from };
  if (keyword && isReference(tokens)) return { category: 'binding' };
  return { category: 'hand-written' };
}

/**
 * The decisions of a chart file, each with its {@link Category}. A rule
 * check's line is the rule machinery's, but the `when` it was given is
 * classified as a decision of its own.
 */
export function decisionsOf(file: string, text: string): Decision[] {
  const out: Decision[] = [];
  for (const a of actionsOf(text)) {
    const t = a.tokens;
    const elseIf = t[0] === 'else' && BLOCKS.has(t[1]);
    const block = BLOCKS.has(t[0]) || elseIf;
    if (!block && !t.some((w) => DECIDING.has(w))) continue;
    const rule = RULE_TEXT.get(a.source.trim());
    if (rule !== undefined) {
      out.push({ file, line: a.line, action: a.source, condition: a.inner, category: 'rule', from: rule.from });
      if (rule.when !== undefined) {
        const when = actionsOf(`{{ ${rule.when} }}`)[0];
        out.push({ file, line: a.line, action: a.source, condition: rule.when, ...categoryOf(rule.when, when.tokens, true) });
      }
      continue;
    }
    if (!block) {
      out.push({ file, line: a.line, action: a.source, condition: a.inner, ...categoryOf(a.inner, t, false) });
      continue;
    }
    // The pipeline: after the keyword, and after `:=` in a range with variables.
    let rest = t.slice(elseIf ? 2 : 1);
    const assign = t[elseIf ? 1 : 0] === 'range' ? rest.indexOf(':=') : -1;
    if (assign !== -1) rest = rest.slice(assign + 1);
    const condition = pipelineText(a.inner, elseIf, assign !== -1);
    out.push({ file, line: a.line, action: a.source, condition, ...categoryOf(condition, rest, true) });
  }
  return out;
}

/** The pipeline of a block action's text (`if P`, `else if P`, `range $k, $v := P`). */
function pipelineText(inner: string, elseIf: boolean, assigned: boolean): string {
  let rest = inner.replace(elseIf ? /^else\s+\w+\s+/ : /^\w+\s+/, '');
  if (assigned) rest = rest.slice(rest.indexOf(':=') + 2).trim();
  return rest.trim();
}

/**
 * A hand-written decision as the audit's allowlist names it: the chart's
 * name in helper names and the numbers of the check variables (`$e12`,
 * which move when a check is added before) left out.
 */
export function normalized(text: string, chartName: string): string {
  return text
    .split(`"${chartName}.`).join('"<chart>.')
    .replace(/\$([kev])\d+(_\d+)*\b/g, '$$$1#')
    .replace(/\s+/g, ' ')
    .trim();
}
