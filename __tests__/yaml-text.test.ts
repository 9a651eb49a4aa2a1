import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { TodoHelmChart } from '../lib/helm/todo-helm-chart';
import { TodoApp } from '../lib/todo-app';
import { stringifyYaml } from '../lib/yaml-text';
import { template } from './support/helm';
import { find, TEST_SECRETS } from './support/util';

/** stringifyYaml of a module loaded afresh: no text remembered from earlier calls. */
function freshStringify(...docs: unknown[]): string {
  let fresh: typeof stringifyYaml | undefined;
  jest.isolateModules(() => {
    fresh = (jest.requireActual('../lib/yaml-text') as typeof import('../lib/yaml-text')).stringifyYaml;
  });
  return fresh!(...docs);
}

describe('stringifyYaml', () => {
  test('ambiguous strings are double-quoted, on the first call and on later calls with an equal value', () => {
    const value = () => ({ tag: '0o17', version: '1.10', flag: 'yes', name: 'todo', list: ['off', 3, true, null] });
    const expected = 'tag: "0o17"\nversion: "1.10"\nflag: "yes"\nname: todo\nlist:\n  - "off"\n  - 3\n  - true\n  - null\n';
    expect(stringifyYaml(value())).toBe(expected);
    expect(stringifyYaml(value())).toBe(expected);
    expect(freshStringify(value())).toBe(expected);
  });

  test('the text follows the value, not the object: a changed object is written anew', () => {
    const obj: { [key: string]: unknown } = { a: 'x', list: [1, 2] };
    expect(stringifyYaml(obj)).toBe('a: x\nlist:\n  - 1\n  - 2\n');
    obj.a = '1e3';
    (obj.list as number[]).push(3);
    expect(stringifyYaml(obj)).toBe('a: "1e3"\nlist:\n  - 1\n  - 2\n  - 3\n');
  });

  // Pairs whose JSON text is the same but whose YAML differs: each is written as a fresh module writes it,
  // whichever of the two was written first.
  test.each([
    ['an undefined field', { a: 1, b: undefined }, { a: 1 }],
    ['minus zero', { n: -0 }, { n: 0 }],
    ['a Map', new Map([['k', 'v']]), {}],
    ['NaN', { n: Number.NaN }, { n: null }],
  ])('%s is never taken for its JSON twin', (_, value, twin) => {
    const expectedValue = freshStringify(value);
    const expectedTwin = freshStringify(twin);
    expect(expectedValue).not.toBe(expectedTwin);
    expect(stringifyYaml(twin)).toBe(expectedTwin);
    expect(stringifyYaml(value)).toBe(expectedValue);
    expect(stringifyYaml(twin)).toBe(expectedTwin);
  });

  test('a key a reader could take for another type is quoted, and its map stays a map (not a YAML 1.1 !!omap list)', () => {
    const text = stringifyYaml({ env: { Y: 'x', ON: '1', PORT: '3000' }, list: [{ no: true }] });
    expect(text).toBe('env:\n  "Y": x\n  "ON": "1"\n  PORT: "3000"\nlist:\n  - "no": true\n');
    for (const version of ['1.1', '1.2'] as const) {
      expect(YAML.parse(text, { version })).toEqual({ env: { Y: 'x', ON: '1', PORT: '3000' }, list: [{ no: true }] });
    }
  });

  test('an undefined field is written as null, in a map', () => {
    expect(stringifyYaml({ a: 1, b: undefined })).toBe('a: 1\nb: null\n');
    expect(stringifyYaml({ x: { b: undefined, Y: 1 } })).toBe('x:\n  b: null\n  "Y": 1\n');
  });

  test('a chart whose component has environment variables named Y and ON renders them with helm', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yaml-text-'));
    try {
      const app = new App({ outdir: path.join(tmp, 'dist') });
      const todo = new TodoApp(new Chart(app, 'todo', { namespace: 'todo' }), 'todo', {
        backend: { jwtSecret: TEST_SECRETS.jwtSecret },
        frontend: { betterAuthSecret: TEST_SECRETS.betterAuthSecret, env: { Y: 'yes', ON: 'off' } },
      });
      const chart = new TodoHelmChart(app, 'chart', { component: todo.frontend });
      app.synth();
      chart.writeTo(path.join(tmp, 'chart'));
      expect(YAML.parse(fs.readFileSync(path.join(tmp, 'chart', 'values.yaml'), 'utf8')).env).toEqual(expect.objectContaining({ Y: 'yes', ON: 'off' }));
      const configMap = find(template(path.join(tmp, 'chart'), { skipTests: true }), 'ConfigMap', 'todo-frontend-config');
      expect(configMap.data).toEqual(expect.objectContaining({ Y: 'yes', ON: 'off' }));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('several documents are joined by ---', () => {
    expect(stringifyYaml({ a: 1 }, { a: 1 }, 'x')).toBe('a: 1\n---\na: 1\n---\nx\n');
  });
});
