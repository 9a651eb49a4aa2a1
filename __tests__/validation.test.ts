import { Chart, Testing } from 'cdk8s';
import { ClusterRules } from '../lib/cluster-objects';
import { TodoApp } from '../lib/todo-app';
import { TodoBackend } from '../lib/todo-backend';
import { atLeast, check, checkOptional, checkStringMap, differentFrom, durationSeconds, integerBetween, nodePortOtherThan, oneOf, orEmpty, Rules, show, stringMatching, violation } from '../lib/validation';

describe('validation rules', () => {
  test.each([
    ['dnsLabel', Rules.dnsLabel, ['todo-backend', 'a', 'a1-b2', 'x'.repeat(63)], ['', 'Todo', 'a_b', '-a', 'a-', 'x'.repeat(64), 'a.b']],
    ['dnsSubdomain', Rules.dnsSubdomain, ['a.b-c', 'todo-backend-secret'], ['A', 'a..b', '.a', 'x'.repeat(254)]],
    ['port', Rules.port, [1, 80, 65535], [0, 65536, 1.5, '80', NaN]],
    ['nodePort', Rules.nodePort, [30000, 32767], [29999, 32768, 80]],
    ['replicas', Rules.replicas, [0, 1, 10], [-1, 0.5, '1']],
    ['imageRepository', Rules.imageRepository, ['todo-backend', 'localhost:5000/team/app', 'ghcr.io/org/app', 'a__b'], ['', 'Todo', 'app:tag', 'a//b', '/a']],
    ['imageTag', Rules.imageTag, ['latest', 'v1.2.3', '1_0', 'a'.repeat(128)], ['', '-x', '.x', 'a:b', 'a'.repeat(129)]],
    ['httpPath', Rules.httpPath, ['/', '/health', '/a/b?x=1'], ['', 'health', 'http://x/', '/a b']],
    ['hostAddress', Rules.hostAddress, ['192.168.49.2', '0.0.0.0', '255.255.255.255', 'minikube', 'node.example.com', '3com.example', 'a-1.b2'],
      ['', 'http://x', 'a b', 'x:80', '999.1.1.1', '192.168.049.2', '010.0.0.1', '1.2.3', '12345', '0x7f.1', '0x7f', '1.2.3.4.5', 'a.1b', 'a.', `${'a'.repeat(64)}.b`]],
    ['storage', Rules.storage, ['1', '1Gi', '512Mi', '05Gi', '1k'], ['0', '0Gi', '000Mi', '-1Gi', '1.5Gi', '']],
    ['sqliteReplicas', Rules.sqliteReplicas, [0, 1], [2, -1, 0.5]],
    ['postgresUrl', Rules.postgresUrl, ['postgresql://u:p@db:5432/todo', 'postgres+asyncpg://db/x'], ['mysql://x', 'postgresql://', '']],
    ['ClusterRules.host', ClusterRules.host, ['todo.example.com', 'a.b'], ['todo', '10.0.0.1', 'a.1', 'a.0x7f']],
    ['ClusterRules.backendPath', ClusterRules.backendPath, ['/api', '/v1/todo'], ['/', 'api', '/api/', '']],
    ['envName', Rules.envName, ['A', '_A1', 'jwt_secret'], ['1A', 'A-B', '']],
    ['cpu', Rules.cpu, ['100m', '1', '0.5'], ['1 cpu', 'm', '']],
    ['memory', Rules.memory, ['128Mi', '1Gi', '1000'], ['1 Gi', 'Mi', '1.5Gi']],
    ['secret', Rules.secret, ['x'.repeat(32)], ['x'.repeat(31), `${'x'.repeat(32)} y`]],
    ['labelKey', Rules.labelKey, ['team', 'A.b_c-9', 'example.com/cost-center', 'x'.repeat(63), `${'a'.repeat(63)}.b/${'n'.repeat(63)}`],
      ['', 'cost center', '-a', 'a.', 'Example.com/a', 'a/b/c', '/a', 'a/', 'x'.repeat(64), `${'p'.repeat(64)}/n`, `${'a.'.repeat(125)}bbb/n`]],
    ['labelValue', Rules.labelValue, ['', 'a', 'v1.2_b-c', 'v'.repeat(63)], ['-a', 'a.', 'a b', 'v'.repeat(64), 1]],
    ['annotationKey', Rules.annotationKey, ['eks.amazonaws.com/role-arn', 'x'], ['role arn', '']],
  ])('%s accepts and rejects', (_name, rule, good, bad) => {
    for (const v of good as unknown[]) expect([v, rule.test(v)]).toEqual([v, true]);
    for (const v of bad as unknown[]) expect([v, rule.test(v)]).toEqual([v, false]);
  });

  test('every rule carries a JSON Schema of the same meaning', () => {
    expect(Rules.port.schema).toEqual({ type: 'integer', minimum: 1, maximum: 65535 });
    expect(Rules.replicas.schema).toEqual({ type: 'integer', minimum: 0 });
    expect(Rules.dnsLabel.schema).toMatchObject({ type: 'string', maxLength: 63 });
    expect(oneOf(['A', 'B']).schema).toEqual({ type: 'string', enum: ['A', 'B'] });
    const re = new RegExp(Rules.imageTag.schema.pattern as string);
    expect(re.test('v1.0')).toBe(true);
    expect(re.test('-v1')).toBe(false);
  });

  test('messages name the setting, show the value and say what is allowed', () => {
    expect(() => check('backend.port', 80000, Rules.port)).toThrow("'backend.port' must be an integer between 1 and 65535, got 80000");
    expect(() => check('x', 'abc', integerBetween(2))).toThrow(`'x' must be an integer of at least 2, got "abc"`);
    expect(() => check('x', 'p4ssw0rd-p4ssw0rd', Rules.secret)).toThrow("'x' must be a secret of at least 32 characters without whitespace, got a value of 17 characters");
    expect(checkOptional('x', undefined, Rules.port)).toBeUndefined();
    expect(() => check('backend.replicas', 2, Rules.sqliteReplicas, 'use PostgreSQL')).toThrow(/got 2; use PostgreSQL$/);
    expect(violation('x', 1, Rules.port)).toBeUndefined();
    expect(violation('x', 0, Rules.port)).toBe("'x' must be an integer between 1 and 65535, got 0");
    expect(show(undefined)).toBe('undefined');
    expect(show(Infinity)).toBe('Infinity');
  });
});

describe('rules across settings: one rule, each layer names its own setting', () => {
  test('atLeast names the other setting and its value', () => {
    expect(() => check('TODO_MAX_REPLICAS', 3, atLeast(4, "'TODO_MIN_REPLICAS'"))).toThrow("'TODO_MAX_REPLICAS' must be at least 'TODO_MIN_REPLICAS' (4), got 3");
    expect(() => check('autoscaling.maxReplicas', 3, atLeast(4, "'autoscaling.minReplicas'"))).toThrow("'autoscaling.maxReplicas' must be at least 'autoscaling.minReplicas' (4), got 3");
    expect(atLeast(4, 'x').test(4)).toBe(true);
  });

  test('nodePortOtherThan names the Service holding the port', () => {
    expect(() => check('frontend.nodePort', 30500, nodePortOtherThan(30500, "'backend.nodePort'"))).toThrow("'frontend.nodePort' must be different from 'backend.nodePort' (30500: a nodePort serves one Service per cluster), got 30500");
    expect(nodePortOtherThan(30500, 'x').test(30501)).toBe(true);
  });
});

describe('the constructs refuse what a URL parser would rewrite', () => {
  test.each(['999.1.1.1', '192.168.049.2', '010.0.0.1', '1.2.3', '12345', '0x7f.1'])('fails when nodeAddress is %s, naming the prop (no "Invalid URL", nothing rewritten)', (address) => {
    const allowed = 'must be a hostname or IPv4 address: a DNS name whose last label starts with a letter (such as "minikube.local"), or four numbers from 0 to 255 without leading zeros (such as "192.168.49.2")';
    expect(() => new TodoApp(Testing.chart(), 'todo', { nodeAddress: address })).toThrow(`'nodeAddress' ${allowed}, got ${JSON.stringify(address)}`);
    expect(() => new TodoBackend(new Chart(Testing.app(), 'c'), 'backend', { nodeAddress: address })).toThrow(`'backend.nodeAddress' ${allowed}, got ${JSON.stringify(address)}`);
  });
});

describe('each rule builder fails when', () => {
  test.each([
    ['a string, quoted', 'a"b', '"a\\"b"'],
    ['undefined', undefined, 'undefined'],
    ['NaN', NaN, 'NaN'],
    ['-Infinity', -Infinity, '-Infinity'],
    ['a finite number', 1.5, '1.5'],
    ['null', null, 'null'],
    ['an object, as JSON', { a: [1] }, '{"a":[1]}'],
    ['a function (no JSON)', function named() { return 1; }, 'function named() { return 1; }'],
    ['a symbol (no JSON)', Symbol('s'), 'Symbol(s)'],
  ])('show: %s', (_name, value, shown) => {
    expect(show(value)).toBe(shown);
  });

  test('violation: a hint follows the message; a sensitive rule shows only the length of a string, and a non-string as usual', () => {
    expect(violation('x', 0, integerBetween(1, 2), 'see the docs')).toBe("'x' must be an integer between 1 and 2, got 0; see the docs");
    expect(violation('x', 0, integerBetween(1, 2))).toBe("'x' must be an integer between 1 and 2, got 0");
    expect(violation('x', 1, integerBetween(1, 2), 'see the docs')).toBeUndefined();
    expect(violation('k', 'short', Rules.credential)).toBeUndefined();
    expect(violation('k', 'two words', Rules.credential)).toBe("'k' must be a non-empty value without whitespace, got a value of 9 characters");
    expect(violation('k', 42, Rules.credential)).toBe("'k' must be a non-empty value without whitespace, got 42");
  });

  test('checkStringMap: keys by the key rule naming the map, values as strings and by the value rule naming map.key; returns a copy', () => {
    const map = { team: 'todo' };
    const copy = checkStringMap('labels', map, Rules.labelKey, Rules.labelValue);
    expect(copy).toEqual(map);
    expect(copy).not.toBe(map);
    expect(checkStringMap('a', { 'x.io/y': 'any text at all' }, Rules.annotationKey)).toEqual({ 'x.io/y': 'any text at all' });
    expect(() => checkStringMap('labels', ['team'], Rules.labelKey)).toThrow(`'labels' must be a map of strings, got ["team"]`);
    expect(() => checkStringMap('labels', null, Rules.labelKey)).toThrow(`'labels' must be a map of strings, got null`);
    expect(() => checkStringMap('labels', 'team', Rules.labelKey)).toThrow(`'labels' must be a map of strings, got "team"`);
    expect(() => checkStringMap('labels', { 'a b': 'x' }, Rules.labelKey)).toThrow(`'labels' must be a label key: `);
    expect(() => checkStringMap('labels', { team: true }, Rules.labelKey)).toThrow(`'labels.team' must be a string, got true`);
    expect(() => checkStringMap('labels', { team: 'a b' }, Rules.labelKey, Rules.labelValue)).toThrow(`'labels.team' must be a label value: empty, or at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, got "a b"`);
  });

  test('check returns the value it passes; checkOptional checks a value that is there', () => {
    expect(check('x', 2, integerBetween(1, 2))).toBe(2);
    expect(checkOptional('x', 2, integerBetween(1, 2))).toBe(2);
    expect(() => checkOptional('x', 3, integerBetween(1, 2))).toThrow("'x' must be an integer between 1 and 2, got 3");
    expect(() => checkOptional('x', null, integerBetween(1, 2))).toThrow("'x' must be an integer between 1 and 2, got null");
  });

  test('durationSeconds: a duration that is not whole seconds names the setting and shows the duration; one out of range fails the rule', () => {
    const duration = (seconds: number | Error, human: string) => ({ toSeconds: () => { if (seconds instanceof Error) throw seconds; return seconds; }, toHumanString: () => human });
    expect(durationSeconds('probe.period', duration(10, '10 seconds'), integerBetween(1))).toBe(10);
    expect(() => durationSeconds('probe.period', duration(new Error('not whole'), '1500 millis'), integerBetween(1, undefined, 'a whole number of seconds')))
      .toThrow("'probe.period' must be a whole number of seconds of at least 1, got 1500 millis");
    expect(() => durationSeconds('probe.period', duration(0, '0 seconds'), integerBetween(1))).toThrow("'probe.period' must be an integer of at least 1, got 0");
  });

  test.each([
    ['integerBetween(1, 3)', () => integerBetween(1, 3), [1, 2, 3], [0, 4, 1.5, '2', null, undefined, NaN]],
    ['integerBetween(-2)', () => integerBetween(-2), [-2, 0, Number.MAX_SAFE_INTEGER], [-3, 2.5, '1', Infinity]],
    ['stringMatching(/^a+$/, 3)', () => stringMatching(/^a+$/, 'a run of a', 3), ['a', 'aaa'], ['aaaa', 'b', '', 1, ['a'], null]],
    ['stringMatching(/^a+$/) without a maximum', () => stringMatching(/^a+$/, 'a run of a'), ['a'.repeat(5000)], ['ab']],
    ['oneOf(A, B)', () => oneOf(['A', 'B']), ['A', 'B'], ['a', 'C', '', ['A'], 1]],
    ['orEmpty(oneOf(A))', () => orEmpty(oneOf(['A'])), ['', 'A'], ['B', ' ', undefined]],
    ['atLeast(3)', () => atLeast(3, 'x'), [3, 4, 3.5], [2, 2.9, '4', null]],
    ['differentFrom(5)', () => differentFrom(5, 'x', 'why'), [4, '5', undefined], [5]],
    ['nodePortOtherThan(30001)', () => nodePortOtherThan(30001, 'x'), [30002], [30001]],
  ])('%s refuses what it must and allows the rest', (_name, make: () => any, good, bad) => {
    // The rule is made inside the test, so that the test is what runs its code.
    const rule = make();
    for (const v of good as unknown[]) expect([v, rule.test(v)]).toEqual([v, true]);
    for (const v of bad as unknown[]) expect([v, rule.test(v)]).toEqual([v, false]);
  });

  test('each builder says what it allows and gives the JSON Schema of the same rule', () => {
    expect(integerBetween(1, 3)).toMatchObject({ allowed: 'an integer between 1 and 3', schema: { type: 'integer', minimum: 1, maximum: 3 } });
    expect(integerBetween(0, undefined, 'a whole number')).toMatchObject({ allowed: 'a whole number of at least 0', schema: { type: 'integer', minimum: 0 } });
    expect(integerBetween(0).schema).toStrictEqual({ type: 'integer', minimum: 0 });
    expect(stringMatching(/^a+$/, 'a run of a', 3)).toMatchObject({ allowed: 'a run of a', schema: { type: 'string', pattern: '^a+$', maxLength: 3 } });
    expect(stringMatching(/^a+$/, 'a run of a').schema).toStrictEqual({ type: 'string', pattern: '^a+$' });
    expect(oneOf(['A', 'B'])).toMatchObject({ allowed: 'one of "A", "B"', schema: { type: 'string', enum: ['A', 'B'] } });
    expect(orEmpty(oneOf(['A']))).toMatchObject({ allowed: 'empty or one of "A"', schema: { anyOf: [{ type: 'string', maxLength: 0 }, { type: 'string', enum: ['A'] }] } });
    expect(atLeast(3, "'min'")).toMatchObject({ allowed: "at least 'min' (3)", schema: { type: 'integer', minimum: 3 } });
    expect(differentFrom('a', "'other'", 'one each')).toMatchObject({ allowed: `different from 'other' ("a": one each)`, schema: { not: { const: 'a' } } });
    expect(nodePortOtherThan(30001, "'backend.nodePort'").allowed).toBe("different from 'backend.nodePort' (30001: a nodePort serves one Service per cluster)");
  });
});
