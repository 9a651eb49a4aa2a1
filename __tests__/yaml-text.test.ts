import { stringifyYaml } from '../lib/yaml-text';

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

  test('several documents are joined by ---', () => {
    expect(stringifyYaml({ a: 1 }, { a: 1 }, 'x')).toBe('a: 1\n---\na: 1\n---\nx\n');
  });
});
