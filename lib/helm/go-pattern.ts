/*
 * Regular expressions as Go's regexp (RE2) must read them to match what
 * JavaScript matches: one translation for the chart checks compiled from
 * rules (chart-rules.ts) and the value-case tests (value-cases.ts).
 */

/**
 * What JavaScript's `\s` matches: Unicode white space and line terminators.
 * Go's regexp (RE2) reads `\s` as ASCII white space only, so a secret with a
 * no-break space would pass the chart and fail the props. In RE2's syntax
 * (`\x{...}`), for the charts only.
 */
const JS_WHITE_SPACE = '\\t\\n\\v\\f\\r \\x{00a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}';

/**
 * A rule's pattern as Go's regexp must read it to match what JavaScript
 * matches: `\s` and `\S` spelled out as the characters JavaScript means.
 *
 * @throws Error for `\S` inside a character class, which has no such spelling
 */
export function goPattern(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const next = source[++i];
      if (next === 's') {
        out += inClass ? JS_WHITE_SPACE : `[${JS_WHITE_SPACE}]`;
      } else if (next === 'S') {
        if (inClass) throw new Error(`a chart check cannot compile \\S inside a character class: ${source}`);
        out += `[^${JS_WHITE_SPACE}]`;
      } else {
        out += c + next;
      }
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return out;
}
