import { check, checkOptional, integerBetween, oneOf, Rules, show } from '../lib';

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
    ['hostAddress', Rules.hostAddress, ['192.168.49.2', 'minikube', 'node.example.com'], ['', 'http://x', 'a b', 'x:80']],
    ['envName', Rules.envName, ['A', '_A1', 'jwt_secret'], ['1A', 'A-B', '']],
    ['cpu', Rules.cpu, ['100m', '1', '0.5'], ['1 cpu', 'm', '']],
    ['memory', Rules.memory, ['128Mi', '1Gi', '1000'], ['1 Gi', 'Mi', '1.5Gi']],
    ['secret', Rules.secret, ['x'.repeat(32)], ['x'.repeat(31), `${'x'.repeat(32)} y`]],
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
    expect(show(undefined)).toBe('undefined');
    expect(show(Infinity)).toBe('Infinity');
  });
});
