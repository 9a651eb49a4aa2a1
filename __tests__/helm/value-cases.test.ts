import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { caseBlocks, caseLines, decide, testHolds, testOnDecided, testPipeline, ValueCase, ValueTest } from '../../lib/helm/value-cases';
import { helm } from '../support/helm';
import { parseYaml } from '../support/yaml';
import { goPattern } from '../../lib/helm/go-pattern';

/** A table with every kind of test and result. */
const TABLE: readonly ValueCase[] = [
  { when: { equals: 'kind', to: 'a' }, then: { value: 'label' } },
  { when: { isBool: 'flag' }, then: { text: 'flag' } },
  { when: { any: [{ truthy: 'on' }, { atLeast: 'count', n: 2 }] }, then: { helper: 'named' } },
  { then: { text: '-' } },
];

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'value-cases-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * A chart whose helper is `caseLines` of the table, and a ConfigMap with the
 * helper's text for each of `.Values.sets` (one helm run for every case).
 */
function renderAll(cases: readonly ValueCase[], sets: readonly object[], body = caseLines(cases, (helper) => `include "t.${helper}" .`, '.')): string[] {
  const dir = fs.mkdtempSync(path.join(tmp, 'chart-'));
  fs.mkdirSync(path.join(dir, 'templates'));
  fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: t\nversion: 0.1.0\n');
  fs.writeFileSync(path.join(dir, 'templates', '_helpers.tpl'), [
    '{{- define "t.named" -}}NAMED{{- end }}',
    '{{- define "t.said" -}}{{ .said }}{{- end }}',
    '{{- define "t.length" -}}{{ len (toString .) }}{{- end }}',
    '{{- define "t.decision" -}}',
    ...body,
    '{{- end }}',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'templates', 'cm.yaml'), [
    'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: decisions', 'data:',
    '{{- range $i, $v := .Values.sets }}',
    '  c{{ $i }}: {{ include "t.decision" $v | quote }}',
    '{{- end }}',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'values.json'), JSON.stringify({ sets }));
  const r = helm(['template', 't', dir, '-f', path.join(dir, 'values.json')]);
  if (r.status !== 0) {
    throw new Error(r.stderr);
  }
  const data = parseYaml(r.stdout)[0].data ?? {};
  return sets.map((_s, i) => data[`c${i}`]);
}

describe('value cases: one table, decided in TypeScript and rendered as a chart helper', () => {
  test('decide and the helper agree with real helm on every combination of the values each test reads', () => {
    const sets: object[] = [];
    for (const kind of ['a', 'b']) {
      for (const flag of [true, false, null]) {
        for (const on of [true, false, 0, 1, '', 'x', [], [1], {}, { k: 1 }, null]) {
          for (const count of [0, 1, 2, 3, null]) {
            sets.push({ kind, flag, on, count, label: 'L' });
          }
        }
      }
    }
    const rendered = renderAll(TABLE, sets);
    const decided = sets.map((s) => decide(TABLE, s, { named: 'NAMED' }));
    expect(sets.map((s, i) => [s, rendered[i]])).toEqual(sets.map((s, i) => [s, decided[i]]));
    // Each case is the first to hold in some set.
    expect(new Set(decided)).toEqual(new Set(['L', 'flag', 'NAMED', '-']));
    expect(sets.length).toBe(330);
  });

  test('without a case that always holds, none holding gives ""; a first case without a test is the whole helper', () => {
    const cases: ValueCase[] = [{ when: { truthy: 'on' }, then: { text: 'yes' } }];
    expect(renderAll(cases, [{ on: true }, { on: false }, {}])).toEqual(['yes', '', '']);
    expect([{ on: true }, { on: false }, {}].map((s) => decide(cases, s))).toEqual(['yes', '', '']);
    expect(caseLines([{ then: { text: '/' } }, { when: { truthy: 'on' }, then: { text: 'x' } }], () => '')).toEqual(['/']);
  });

  test('the helper is an if / else if chain, one line per case, on .Values by default', () => {
    expect(caseLines(TABLE, (h) => `include "c.${h}" .`)).toEqual([
      '{{- if eq .Values.kind "a" }}{{ .Values.label }}',
      '{{- else if kindIs "bool" .Values.flag }}flag',
      '{{- else if or .Values.on (ge (int .Values.count) 2) }}{{ include "c.named" . }}',
      '{{- else }}-',
      '{{- end }}',
    ]);
  });

  test('a helper\'s text passed through a name function: printf of the function\'s form in the chart, the function in TypeScript', () => {
    const suffixed = (text: string) => `${text}-data`;
    const cases: ValueCase[] = [{ when: { truthy: 'given' }, then: { value: 'given' } }, { then: { helper: 'named', named: suffixed } }];
    expect(caseLines(cases, (h) => `include "c.${h}" .`, '.')).toEqual([
      '{{- if .given }}{{ .given }}',
      '{{- else }}{{ printf "%s-data" (include "c.named" .) }}',
      '{{- end }}',
    ]);
    const sets = [{ given: 'mine' }, { given: '' }, {}];
    expect(renderAll(cases, sets)).toEqual(['mine', 'NAMED-data', 'NAMED-data']);
    expect(sets.map((s) => decide(cases, s, { named: 'NAMED' }))).toEqual(['mine', 'NAMED-data', 'NAMED-data']);
    // A form printf would read otherwise is refused.
    expect(() => caseLines([{ then: { helper: 'named', named: (t) => `${t}-100%` } }], () => '')).toThrow('a decision\'s name must hold the helper\'s text once and no other "%": "%s-100%"');
    expect(() => caseLines([{ then: { helper: 'named', named: () => 'fixed' } }], () => '')).toThrow('a decision\'s name must hold the helper\'s text once and no other "%": "fixed"');
  });

  test('a test on its own (all, any, not): testHolds agrees with its pipeline in real helm on every combination', () => {
    const test_: ValueTest = { all: [{ isBool: 'flag' }, { truthy: 'flag' }, { any: [{ truthy: 'on' }, { not: { atLeast: 'count', n: 2 } }] }] };
    expect(testPipeline(test_)).toBe('and (kindIs "bool" .Values.flag) .Values.flag (or .Values.on (not (ge (int .Values.count) 2)))');
    const sets: object[] = [];
    for (const flag of [true, false, 'true', 1, null]) {
      for (const on of [true, false, '', 'x', {}, { k: 1 }, null]) {
        for (const count of [0, 2, null]) {
          sets.push({ flag, on, count });
        }
      }
    }
    const cases: ValueCase[] = [{ when: test_, then: { text: 'yes' } }, { then: { text: 'no' } }];
    const rendered = renderAll(cases, sets);
    expect(sets.map((s, i) => [s, rendered[i]])).toEqual(sets.map((s) => [s, testHolds(test_, s) ? 'yes' : 'no']));
    expect(new Set(rendered)).toEqual(new Set(['yes', 'no']));
  });

  test('hasKey: testHolds agrees with its pipeline in real helm on every combination (none and an empty map hold no key)', () => {
    const test_: ValueTest = { all: [{ truthy: 'name' }, { hasKey: 'labels', key: 'example.com/x' }] };
    expect(testPipeline(test_)).toBe('and .Values.name (hasKey (.Values.labels | default dict) "example.com/x")');
    const sets: object[] = [];
    for (const name of ['', 'n']) {
      for (const labels of [null, {}, { 'example.com/x': '' }, { 'example.com/y': 'v' }, { 'example.com/x': 'v', other: 'w' }]) {
        sets.push({ name, labels });
      }
    }
    const cases: ValueCase[] = [{ when: test_, then: { text: 'yes' } }, { then: { text: 'no' } }];
    const rendered = renderAll(cases, sets);
    expect(sets.map((s, i) => [s, rendered[i]])).toEqual(sets.map((s) => [s, testHolds(test_, s) ? 'yes' : 'no']));
    expect(rendered.filter((r) => r === 'yes')).toHaveLength(2);
    expect(() => testHolds(test_, { name: 'n', labels: 'x' })).toThrow('\'labels\' must be a map for this decision, got "x"');
  });

  test('equalsHelper: testHolds, given the helper\'s text, agrees with its pipeline in real helm on every combination', () => {
    const test_: ValueTest = { all: [{ truthy: 'name' }, { not: { truthy: 'off' } }, { equalsHelper: 'name', helper: 'named' }] };
    expect(testPipeline(test_, '.Values', (helper) => `include "t.${helper}" .`)).toBe('and .Values.name (not .Values.off) (eq .Values.name (include "t.named" .))');
    expect(() => testPipeline(test_)).toThrow('a test reads the helper named: pass the pipeline that includes it');
    expect(() => testHolds(test_, { name: 'NAMED' })).toThrow('a decision gives the helper named, which was not given');
    const sets: object[] = [];
    for (const name of ['', 'NAMED', 'other']) {
      for (const off of [false, true]) {
        sets.push({ name, off });
      }
    }
    const cases: ValueCase[] = [{ when: test_, then: { text: 'yes' } }, { then: { text: 'no' } }];
    const rendered = renderAll(cases, sets);
    expect(sets.map((s, i) => [s, rendered[i]])).toEqual(sets.map((s) => [s, testHolds(test_, s, { named: 'NAMED' }) ? 'yes' : 'no']));
    expect(rendered.filter((r) => r === 'yes')).toHaveLength(1);
  });

  test('below: testHolds agrees with its pipeline in real helm on every combination (none is 0)', () => {
    const test_: ValueTest = { below: 'max', than: 'min' };
    expect(testPipeline(test_)).toBe('lt (float64 .Values.max) (float64 .Values.min)');
    const sets: object[] = [];
    for (const max of [0, 1, 2.5, 3, null]) {
      for (const min of [0, 1, 3, null]) {
        sets.push({ max, min });
      }
    }
    const cases: ValueCase[] = [{ when: test_, then: { text: 'yes' } }, { then: { text: 'no' } }];
    const rendered = renderAll(cases, sets);
    expect(sets.map((s, i) => [s, rendered[i]])).toEqual(sets.map((s) => [s, testHolds(test_, s) ? 'yes' : 'no']));
    expect(new Set(rendered)).toEqual(new Set(['yes', 'no']));
    expect(() => testHolds(test_, { max: '2', min: 1 })).toThrow('\'max\' must be a number for this decision, got "2"');
  });

  test('testOnDecided: a test on the value a table decides agrees, in TypeScript and in real helm, with deciding first and testing the value', () => {
    const table: ValueCase[] = [
      { when: { truthy: 'a' }, then: { value: 'x' } },
      { when: { truthy: 'b' }, then: { value: 'y' } },
      { then: { value: 'z' } },
    ];
    const test_ = testOnDecided(table, (path) => ({ below: 'n', than: path }));
    expect(testPipeline(test_)).toBe('or (and .Values.a (lt (float64 .Values.n) (float64 .Values.x))) '
      + '(and (not .Values.a) .Values.b (lt (float64 .Values.n) (float64 .Values.y))) (and (not .Values.a) (not .Values.b) (lt (float64 .Values.n) (float64 .Values.z)))');
    const sets: { [k: string]: unknown }[] = [];
    for (const a of [true, false]) {
      for (const b of [true, false, null]) {
        for (const n of [0, 2, null]) {
          sets.push({ a, b, n, x: 1, y: 2, z: 3 });
        }
      }
    }
    // Without the last case, no case may hold: the test does not hold then.
    const partial = testOnDecided(table.slice(0, 2), (path) => ({ below: 'n', than: path }));
    const rendered = renderAll([{ when: test_, then: { text: 'yes' } }, { then: { text: 'no' } }], sets);
    const renderedPartial = renderAll([{ when: partial, then: { text: 'yes' } }, { then: { text: 'no' } }], sets);
    const want = (cases: readonly ValueCase[]) => sets.map((s) => {
      const picked = decide(cases, s);
      return [s, picked !== '' && Number(s.n ?? 0) < Number(picked) ? 'yes' : 'no'];
    });
    expect(sets.map((s, i) => [s, rendered[i]])).toEqual(want(table));
    expect(sets.map((s, i) => [s, renderedPartial[i]])).toEqual(want(table.slice(0, 2)));
    expect(sets.map((s) => [s, testHolds(test_, s) ? 'yes' : 'no'])).toEqual(want(table));
    expect(sets.map((s) => [s, testHolds(partial, s) ? 'yes' : 'no'])).toEqual(want(table.slice(0, 2)));
    expect(new Set(rendered)).toEqual(new Set(['yes', 'no']));
    expect(renderedPartial.filter((r, i) => r !== rendered[i]).length).toBeGreaterThan(0);
    // One case: its own test; a first case that always holds ends the table.
    expect(testOnDecided([{ then: { value: 'z' } }, { then: { value: 'x' } }], (path) => ({ truthy: path }))).toEqual({ truthy: 'z' });
    expect(() => testOnDecided([{ then: { text: '1' } }], (path) => ({ truthy: path }))).toThrow('a test on a decision reads the values it gives, not {"text":"1"}');
    expect(() => testOnDecided([], (path) => ({ truthy: path }))).toThrow('a test on a decision needs a case');
  });

  test('helperSays: testHolds, given the helper\'s text, agrees with its pipeline in real helm (the text not empty)', () => {
    const test_: ValueTest = { any: [{ truthy: 'on' }, { helperSays: 'said' }] };
    const include = (helper: string) => `include "t.${helper}" .`;
    expect(testPipeline(test_, '.Values', include)).toBe('or .Values.on (include "t.said" .)');
    expect(testPipeline({ helperSays: 'said' }, '.Values', include)).toBe('include "t.said" .');
    expect(() => testHolds(test_, { on: false })).toThrow('a decision gives the helper said, which was not given');
    const sets: object[] = [];
    for (const on of [false, true]) {
      for (const said of ['', 'true', 'x']) {
        sets.push({ on, said });
      }
    }
    const cases: ValueCase[] = [{ when: test_, then: { text: 'yes' } }, { then: { text: 'no' } }];
    const rendered = renderAll(cases, sets);
    expect(sets.map((s, i) => [s, rendered[i]])).toEqual(sets.map((s: any) => [s, testHolds(test_, s, { said: s.said }) ? 'yes' : 'no']));
    expect(rendered.filter((r) => r === 'no')).toHaveLength(1);
  });

  test('caseBlocks: each case\'s lines under an if / else if chain, the first that holds rendered, as decide chooses', () => {
    const include = (helper: string) => `include "t.${helper}" .`;
    const cases: ValueCase[] = [{ when: { hasKey: 'map', key: 'k' }, then: { text: 'given' } }, { when: { helperSays: 'said' }, then: { text: 'said' } }];
    const body = (then: { text?: string }) => [`  {{- "${then.text?.toUpperCase()}" }}`];
    const lines = caseBlocks(cases, (then) => body(then as { text: string }), include, '.', '  ');
    expect(lines).toEqual([
      '  {{- if hasKey (.map | default dict) "k" }}', '  {{- "GIVEN" }}',
      '  {{- else if include "t.said" . }}', '  {{- "SAID" }}',
      '  {{- end }}',
    ]);
    const sets: object[] = [];
    for (const map of [null, {}, { k: 1 }, { j: 1 }]) {
      for (const said of ['', 'true']) {
        sets.push({ map, said });
      }
    }
    const rendered = renderAll(cases, sets, lines);
    expect(sets.map((s, i) => [s, rendered[i]])).toEqual(sets.map((s: any) => [s, decide(cases, s, { said: s.said }).toUpperCase()]));
    expect(new Set(rendered)).toEqual(new Set(['GIVEN', 'SAID', '']));
    // A case without a test ends the chain with else; first, it is the whole text.
    expect(caseBlocks([...cases, { then: { text: 'none' } }], (then) => body(then as { text: string }), include)).toEqual([
      '{{- if hasKey (.Values.map | default dict) "k" }}', '  {{- "GIVEN" }}', '{{- else if include "t.said" . }}', '  {{- "SAID" }}', '{{- else }}', '  {{- "NONE" }}', '{{- end }}',
    ]);
    expect(caseBlocks([{ then: { text: 'none' } }, ...cases], (then) => body(then as { text: string }), include)).toEqual(['  {{- "NONE" }}']);
  });

  test('above: both given and the first above the second through a helper: testHolds, given the helper as a function, agrees with its pipeline in real helm', () => {
    const test_: ValueTest = { above: 'a.x-y', than: 'b.z', as: 'length' };
    const include = (helper: string) => `include "t.${helper}" .`;
    expect(testPipeline(test_, '.', include)).toBe('and (kindIs "map" .a) (kindIs "map" .b) (ne (toString (index . "a" "x-y")) "<nil>") (ne (toString (index . "b" "z")) "<nil>") '
      + '(gt (float64 (include "t.length" (index . "a" "x-y"))) (float64 (include "t.length" (index . "b" "z"))))');
    expect(() => testPipeline(test_, '.', () => 'include "t.length" $')).toThrow('the pipeline that includes length must pass it the root ("."), got "include \\"t.length\\" $"');
    const sets: object[] = [];
    for (const a of [{ 'x-y': 'abc' }, { 'x-y': 'a' }, { 'x-y': null }, {}, 'text']) {
      for (const b of [{ z: 'ab' }, { z: 12345 }, { z: null }, {}]) {
        sets.push({ a, b });
      }
    }
    const cases: ValueCase[] = [{ when: test_, then: { text: 'yes' } }, { then: { text: 'no' } }];
    const rendered = renderAll(cases, sets);
    const length = (v: unknown) => String(v).length;
    expect(sets.map((s, i) => [s, rendered[i]])).toEqual(sets.map((s) => [s, testHolds(test_, s, { length }) ? 'yes' : 'no']));
    expect(rendered.filter((r) => r === 'yes')).toHaveLength(1);
    expect(() => testHolds({ helperSays: 'length' }, {}, { length })).toThrow('a decision gives the helper length\'s text, which was given as a function');
  });

  test('inList, inMap, matches: tests of an entry against the chart\'s template variables; testHolds, given them by name, agrees with real helm', () => {
    const test_: ValueTest = { any: [{ inList: 'name', list: 'names' }, { inMap: 'name', map: 'seen' }, { matches: 'name', pattern: /^x_?y$/i }] };
    expect(testPipeline(test_, '$e1')).toBe('or (has $e1.name $names) (hasKey $seen $e1.name) (regexMatch "(?i)^x_?y$" $e1.name)');
    const sets: object[] = [];
    for (const name of ['a', 'b', 'XY', 'x_y', 'xz']) {
      for (const names of [[], ['a']]) {
        for (const seen of [{}, { b: 0 }]) {
          sets.push({ name, names, seen });
        }
      }
    }
    const cases: ValueCase[] = [{ when: test_, then: { text: 'yes' } }, { then: { text: 'no' } }];
    // The variables, as an each check's `before` lines set them.
    const rendered = renderAll(cases, sets, ['{{- $names := .names }}{{- $seen := .seen }}', ...caseLines(cases, () => '', '.')]);
    expect(sets.map((s, i) => [s, rendered[i]])).toEqual(sets.map((s: any) => [s, testHolds(test_, s, { names: s.names, seen: s.seen }) ? 'yes' : 'no']));
    expect(rendered.filter((r) => r === 'yes')).toHaveLength(12);
  });

  test('matches reads \\s as JavaScript does, in real helm too (a no-break space is white space): the chart checks\' goPattern', () => {
    const test_: ValueTest = { matches: 'name', pattern: /^a\sb$/ };
    expect(testPipeline(test_)).toBe(`regexMatch ${JSON.stringify(`^a${goPattern('\\s')}b$`)} .Values.name`);
    const sets = ['a b', 'a\u00a0b', 'a\u3000b', 'a\tb', 'ab', 'a  b'].map((name) => ({ name }));
    const cases: ValueCase[] = [{ when: test_, then: { text: 'yes' } }, { then: { text: 'no' } }];
    const rendered = renderAll(cases, sets);
    expect(sets.map((v, i) => [v, rendered[i]])).toEqual(sets.map((v) => [v, testHolds(test_, v) ? 'yes' : 'no']));
    expect(rendered).toEqual(['yes', 'yes', 'yes', 'yes', 'no', 'no']);
  });

  test('equalsText: testHolds agrees with its pipeline in real helm on every combination (a value as Sprig\'s toString writes it)', () => {
    const test_: ValueTest = { any: [{ equalsText: 'tag', to: 'latest' }, { equalsText: 'tag', to: '1' }, { equalsText: 'tag', to: 'true' }, { equalsText: 'tag', to: '<nil>' }] };
    expect(testPipeline({ equalsText: 'tag', to: 'latest' })).toBe('eq (toString .Values.tag) "latest"');
    expect(testPipeline(test_)).toBe('or (eq (toString .Values.tag) "latest") (eq (toString .Values.tag) "1") (eq (toString .Values.tag) "true") (eq (toString .Values.tag) "<nil>")');
    const sets: object[] = [];
    for (const tag of ['latest', 'Latest', 'latest-1', '', '1', '1.0', 'true', '<nil>', 1, 1.0, 0, -3, 999999, true, false, null]) {
      sets.push({ tag });
    }
    sets.push({});
    // Each alternative on its own, so that a set holding one of them is told apart from one holding another.
    for (const t of test_.any) {
      const cases: ValueCase[] = [{ when: t, then: { text: 'yes' } }, { then: { text: 'no' } }];
      const rendered = renderAll(cases, sets);
      expect(sets.map((s, i) => [s, rendered[i]])).toEqual(sets.map((s) => [s, testHolds(t, s) ? 'yes' : 'no']));
      expect(rendered.filter((r) => r === 'yes').length).toBeGreaterThan(0);
    }
    expect(sets.filter((s) => testHolds({ equalsText: 'tag', to: 'latest' }, s))).toEqual([{ tag: 'latest' }]);
    // Numbers whose text Go writes otherwise than JavaScript, or differently by where they come from, are refused.
    for (const tag of [1.5, 1e6, -0, [], {}]) {
      expect(() => testHolds(test_, { tag })).toThrow(`'tag' must be text for this decision, got ${JSON.stringify(tag)}`);
    }
  });

  test('oneKeyOf: testHolds agrees with its pipeline in real helm (on the values themselves, and on a map under them, none an empty map)', () => {
    const entry: ValueTest = { oneKeyOf: '', besides: ['name', 'v'], among: ['a', 'b'] };
    const under: ValueTest = { oneKeyOf: 'v', besides: ['name'], among: ['a'] };
    expect(testPipeline(entry, '.')).toBe('and (eq (len (without (keys .) "name" "v" | sortAlpha)) 1) (has (first (without (keys .) "name" "v" | sortAlpha)) (list "a" "b"))');
    const sets: object[] = [];
    for (const keys of [[], ['a'], ['b'], ['c'], ['a', 'b'], ['name', 'a'], ['name']]) {
      for (const v of [null, {}, { a: 1 }, { name: 'n', a: 1 }, { a: 1, c: 2 }]) {
        sets.push({ ...Object.fromEntries(keys.map((k) => [k, 1])), v });
      }
    }
    for (const t of [entry, under]) {
      const cases: ValueCase[] = [{ when: t, then: { text: 'yes' } }, { then: { text: 'no' } }];
      const rendered = renderAll(cases, sets);
      expect(sets.map((s, i) => [s, rendered[i]])).toEqual(sets.map((s) => [s, testHolds(t, s) ? 'yes' : 'no']));
      expect(new Set(rendered)).toEqual(new Set(['yes', 'no']));
    }
  });

  test('plain errors: a helper not given, a value that is not text, a count that is not a number, text with template delimiters', () => {
    expect(() => decide(TABLE, { on: true }, {})).toThrow('a decision gives the helper named, which was not given');
    expect(() => decide(TABLE, { kind: 'a', label: { x: 1 } })).toThrow('\'label\' must be text for this decision, got {"x":1}');
    expect(() => decide(TABLE, { count: '3' }, { named: 'N' })).toThrow('\'count\' must be a number for this decision, got "3"');
    expect(() => caseLines([{ then: { text: '{{ x }}' } }], () => '')).toThrow('a decision\'s text cannot hold template delimiters: "{{ x }}"');
  });
});
