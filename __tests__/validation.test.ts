import { Chart, Testing } from 'cdk8s';
import { ClusterRules } from '../lib/cluster-objects';
import { TodoApp } from '../lib/todo-app';
import { TodoBackend } from '../lib/todo-backend';
import { atLeast, check, checkOptional, integerBetween, nodePortOtherThan, oneOf, Rules, show, violation } from '../lib/validation';

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
