import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { Cpu } from 'cdk8s-plus-28';
import { parse as parseYaml12 } from 'yaml';
import { BackendDatabase, SQLITE_SIZE } from '../../lib/backend-database';
import { messageWith, ownedKeyTest, renderChecks, schemaTest } from '../../lib/helm/chart-rules';
import { goPattern } from '../../lib/helm/go-pattern';
import { isOwnedKey } from '../../lib/shared-rules';
import { synthesize } from '../../lib/synth';
import { BACKEND_VARIABLES, TodoBackend, TodoBackendProps } from '../../lib/todo-backend';
import { SecretDeclaration } from '../../lib/component-variables';
import { TodoFrontend } from '../../lib/todo-frontend';
import { readSettings } from '../../lib/settings';
import { Rule, Rules, stringMatching } from '../../lib/validation';
import { buildDefaultApp } from '../../lib/default-app';
import { TodoHelmChart } from '../../lib/helm/todo-helm-chart';
import { stringifyYaml } from '../../lib/yaml-text';
import { violationText } from '../../lib/shared-rules';
import { helm, template, templateError } from '../support/helm';
import { validateObjects } from '../support/k8s-schema';
import { find, secretValues, TEST_SECRETS } from '../support/util';
import { readYaml } from '../support/yaml';

let tmp: string;
const BACKEND = () => path.join(tmp, 'dist', 'helm', 'backend');
const FRONTEND = () => path.join(tmp, 'dist', 'helm', 'frontend');
const ENV = { JWT_SECRET: TEST_SECRETS.jwtSecret, BETTER_AUTH_SECRET: TEST_SECRETS.betterAuthSecret };

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chart-rules-'));
  synthesize({ outdir: path.join(tmp, 'dist'), env: { ...ENV, TODO_SECRETS_FILE: path.join(tmp, 's.json') } });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The message a construct throws. */
function thrown(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

/** What a message says after the setting it names: the words a chart and the props must share. */
const sentence = (message: string) => message.replace(/^[^]*?'[^']+' /, '');

/** helm's message for a chart that refuses its values (one line). */
const helmMessage = (stderr: string) => /execution error at \([^)]*\): (.*)/.exec(stderr)?.[1] ?? stderr;

/** A render that succeeds passes `helm lint --strict` with the same values and the strict 1.28 schema. */
function renderChecked(dir: string, set: { [k: string]: string } = {}, setString: { [k: string]: string } = {}): any[] {
  const args = [...Object.entries(set).flatMap(([k, v]) => ['--set', `${k}=${v}`]), ...Object.entries(setString).flatMap(([k, v]) => ['--set-string', `${k}=${v}`])];
  const lint = helm(['lint', '--strict', dir, ...args]);
  expect([lint.status, lint.stdout + lint.stderr]).toEqual([0, expect.stringContaining('0 chart(s) failed')]);
  const objects = template(dir, { set, setString });
  expect(validateObjects(objects)).toEqual([]);
  return objects;
}

describe('the charts refuse what the props refuse, with the same words', () => {
  test.each([
    ['short', 'short'],
    ['with a space', `${'s'.repeat(20)} ${'s'.repeat(20)}`],
    ['with a no-break space (white space to JavaScript, not to Go\'s \\s)', `${'s'.repeat(20)}\u00a0${'s'.repeat(20)}`],
  ])('secrets.JWT_SECRET %s', (_name, value) => {
    const props = thrown(() => new TodoBackend(Testing.chart(), 'b', { jwtSecret: value }));
    const settings = thrown(() => synthesize({ outdir: path.join(tmp, 'never'), env: { ...ENV, JWT_SECRET: value, TODO_SECRETS_FILE: path.join(tmp, 'x.json') } }));
    const chart = helmMessage(templateError(BACKEND(), { setString: { 'secrets.JWT_SECRET': value } }));
    expect(chart).toBe(`'secrets.JWT_SECRET' must be a secret of at least 32 characters without whitespace, got a value of ${value.length} characters`);
    expect(sentence(chart)).toBe(sentence(props));
    expect(sentence(chart)).toBe(sentence(settings));
    expect(chart).not.toContain(value);
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  });

  test('secrets.BETTER_AUTH_SECRET (frontend) and an API key with a space', () => {
    expect(helmMessage(templateError(FRONTEND(), { setString: { 'secrets.BETTER_AUTH_SECRET': 'x'.repeat(31) } })))
      .toBe("'secrets.BETTER_AUTH_SECRET' must be a secret of at least 32 characters without whitespace, got a value of 31 characters");
    const props = thrown(() => new TodoBackend(Testing.chart(), 'b', { anthropicApiKey: 'sk ant' }));
    const chart = helmMessage(templateError(BACKEND(), { setString: { 'secrets.ANTHROPIC_API_KEY': 'sk ant' } }));
    expect(sentence(chart)).toBe(sentence(props));
  });

  test('a secret of 32 characters or more renders, lints and is valid', () => {
    const value = 'k'.repeat(32);
    expect(secretValues(find(renderChecked(BACKEND(), {}, { 'secrets.JWT_SECRET': value }), 'Secret', 'todo-backend-secret')).JWT_SECRET).toBe(value);
  });

  test('existingSecret beside secrets.JWT_SECRET is refused, not ignored', () => {
    const props = thrown(() => new TodoBackend(Testing.chart(), 'b', { existingSecret: 'mine', jwtSecret: TEST_SECRETS.jwtSecret }));
    const chart = helmMessage(templateError(BACKEND(), { set: { existingSecret: 'mine' }, setString: { 'secrets.JWT_SECRET': TEST_SECRETS.jwtSecret } }));
    expect(chart).toBe("'secrets.JWT_SECRET' cannot be combined with 'existingSecret' (the value would be ignored), got a value for JWT_SECRET");
    const words = (m: string) => /cannot be combined with '[^']+' (\(.*)$/.exec(m)?.[1];
    expect(words(chart)).toBe(words(props));
    expect(words(chart)).toBeDefined();
    expect(renderChecked(BACKEND(), { existingSecret: 'mine' }).filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  test('autoscaling on SQLite: the message of the props, not "replicaCount ... got 1"', () => {
    const props = thrown(() => new TodoBackend(Testing.chart(), 'b', { autoscaling: {} }));
    const chart = helmMessage(templateError(BACKEND(), { set: { 'autoscaling.enabled': 'true' } }));
    expect(chart).not.toContain('replicaCount');
    expect(chart).toBe("'database.type' must be PostgreSQL when 'autoscaling.enabled' is set (SQLite has one writer, and the autoscaler runs 2 or more pods), got sqlite; set database.type=postgres (with externalDatabase.url or externalDatabase.existingSecret)");
    expect(props).toBe("'backend.database' must be PostgreSQL when 'backend.autoscaling' is set (SQLite has one writer, and the autoscaler runs 2 or more pods), got sqlite; use BackendDatabase.postgres(...)");
    const words = (m: string) => /must be PostgreSQL when '[^']+' is set \(([^)]*)\)/.exec(m)?.[1];
    expect(words(chart)).toBe(words(props));
    expect(words(chart)).toBeDefined();
  });

  test('more than one replica on SQLite: the rule of the props and of TODO_BACKEND_REPLICAS', () => {
    const props = thrown(() => new TodoBackend(Testing.chart(), 'b', { replicas: 2 }));
    const settings = thrown(() => readSettings({ TODO_BACKEND_REPLICAS: '2' }));
    const chart = helmMessage(templateError(BACKEND(), { set: { replicaCount: 2 } }));
    const rule = (m: string) => /must be (.*?, got \d+)/.exec(m)?.[1];
    expect(rule(chart)).toBe(`${Rules.sqliteReplicas.allowed}, got 2`);
    expect(rule(chart)).toBe(rule(props));
    expect(rule(chart)).toBe(rule(settings));
  });

  test('persistence.size: above zero (schema) and at most 256Ti (the props\' rule, same words)', () => {
    expect(templateError(BACKEND(), { set: { 'persistence.size': 0 } })).toContain('- persistence.size: Invalid type. Expected: string, given: integer');
    expect(templateError(BACKEND(), { setString: { 'persistence.size': '0Gi' } })).toContain('- persistence.size: Does not match pattern');
    const props = thrown(() => BackendDatabase.sqlite({ size: { toKibibytes: () => 300 * 1024 ** 3 } as any }));
    const chart = helmMessage(templateError(BACKEND(), { setString: { 'persistence.size': '300Ti' } }));
    expect(chart).toBe(`'persistence.size' must be ${SQLITE_SIZE.allowed}, got "300Ti"`);
    expect(sentence(chart)).toBe(sentence(props));
    const settings = thrown(() => readSettings({ TODO_BACKEND_VOLUME_SIZE: '300Ti' }));
    expect(sentence(settings)).toBe(sentence(chart));
    const pvc = find(renderChecked(BACKEND(), {}, { 'persistence.size': '256Ti' }), 'PersistentVolumeClaim', 'todo-backend-data');
    expect(pvc.spec.resources.requests.storage).toBe('256Ti');
  });

  test('resource requests within their limits, as the props require (quantities read as the constructs read them)', () => {
    const props = thrown(() => new TodoBackend(Testing.chart(), 'b', { resources: { cpu: { request: Cpu.units(2), limit: Cpu.millis(500) } } }));
    const chart = helmMessage(templateError(BACKEND(), { set: { 'resources.requests.cpu': 2 } }));
    expect(chart).toBe("'resources.requests.cpu' must not exceed 'resources.limits.cpu' (500m), got 2");
    const words = (m: string) => /must not exceed '[^']+' (.*)$/.exec(m)?.[1];
    expect(words(chart)).toBe(words(props));
    expect(helmMessage(templateError(BACKEND(), { setString: { 'resources.requests.memory': '1Gi' } })))
      .toBe("'resources.requests.memory' must not exceed 'resources.limits.memory' (512Mi), got 1Gi");
    expect(helmMessage(templateError(BACKEND(), { setString: { 'resources.requests.ephemeral-storage': '1Gi' } })))
      .toBe("'resources.requests.ephemeral-storage' must not exceed 'resources.limits.ephemeral-storage' (512Mi), got 1Gi");
    const within = renderChecked(BACKEND(), { 'resources.requests.cpu': '0.5' }, { 'resources.requests.memory': '512Mi', 'resources.limits.cpu': '1' });
    expect(find(within, 'Deployment', 'todo-backend').spec.template.spec.containers[0].resources.requests).toEqual({ 'cpu': '0.5', 'memory': '512Mi', 'ephemeral-storage': '512Mi' });
  });

  test('autoscaling.maxReplicas below minReplicas, and a budget that blocks every drain: the props\' words', () => {
    const props = thrown(() => new TodoFrontend(Testing.chart(), 'f', { backend: new TodoBackend(Testing.chart(), 'b', { jwtSecret: TEST_SECRETS.jwtSecret, corsOrigins: [TodoFrontend.originOf()] }), autoscaling: { minReplicas: 4, maxReplicas: 3 } }));
    const chart = helmMessage(templateError(FRONTEND(), { set: { 'autoscaling.enabled': 'true', 'autoscaling.minReplicas': 4, 'autoscaling.maxReplicas': 3 } }));
    expect(chart).toBe("'autoscaling.maxReplicas' must be at least 'autoscaling.minReplicas' (4), got 3");
    expect(props).toBe("'frontend.autoscaling.maxReplicas' must be at least 'frontend.autoscaling.minReplicas' (4), got 3");
    const budget = thrown(() => new TodoFrontend(Testing.chart(), 'f', { backend: new TodoBackend(Testing.chart(), 'b', { jwtSecret: TEST_SECRETS.jwtSecret, corsOrigins: [TodoFrontend.originOf()] }), minAvailable: 1 }));
    const chartBudget = helmMessage(templateError(FRONTEND(), { set: { 'podDisruptionBudget.enabled': 'true' } }));
    expect(chartBudget).toBe("'podDisruptionBudget.minAvailable' must be below the replica count (1) so that a node can be drained, got 1");
    expect(sentence(chartBudget)).toBe(sentence(budget));
    expect(helmMessage(templateError(FRONTEND(), { set: { 'podDisruptionBudget.enabled': 'true', 'podDisruptionBudget.minAvailable': 2, 'autoscaling.enabled': 'true' } })))
      .toBe("'podDisruptionBudget.minAvailable' must be below the replica count (2) so that a node can be drained, got 2");
    const ok = renderChecked(FRONTEND(), { 'podDisruptionBudget.enabled': 'true', replicaCount: '2' });
    expect(find(ok, 'PodDisruptionBudget', 'todo-frontend').spec.minAvailable).toBe(1);
  });

  test('image.tag is a string: 1.10 in a values file is refused, "1.10" renders todo-backend:1.10', () => {
    const file = path.join(tmp, 'tag.yaml');
    fs.writeFileSync(file, 'image:\n  tag: 1.10\n');
    const r = helm(['template', 'todo-backend', BACKEND(), '-f', file]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('- image.tag: Invalid type. Expected: string, given: number');
    const objects = renderChecked(BACKEND(), {}, { 'image.tag': '1.10' });
    expect(find(objects, 'Deployment', 'todo-backend').spec.template.spec.containers[0].image).toBe('todo-backend:1.10');
  });
});

describe('GitOps: lookup sees no cluster under helm template, --dry-run and Argo CD', () => {
  test('gitOps=true refuses to render a Secret it would generate', () => {
    for (const [dir, name] of [[BACKEND(), 'JWT_SECRET'], [FRONTEND(), 'BETTER_AUTH_SECRET']] as const) {
      expect(helmMessage(templateError(dir, { set: { gitOps: 'true' } }))).toBe(
        `'secrets.${name}' must be set when 'gitOps' is true (or set 'existingSecret'), got none; rendered without a cluster (helm template, --dry-run, Argo CD), a generated ${name} changes on every render and signs every user out`);
    }
  });

  test('gitOps=true renders with the secret given, or with existingSecret; nothing is generated', () => {
    const given = renderChecked(BACKEND(), { gitOps: 'true' }, { 'secrets.JWT_SECRET': TEST_SECRETS.jwtSecret });
    const secret = find(given, 'Secret', 'todo-backend-secret');
    expect(secretValues(secret).JWT_SECRET).toBe(TEST_SECRETS.jwtSecret);
    expect(secret.metadata.annotations).toBeUndefined();
    const twice = template(BACKEND(), { set: { gitOps: 'true' }, setString: { 'secrets.JWT_SECRET': TEST_SECRETS.jwtSecret } });
    expect(find(twice, 'Secret', 'todo-backend-secret')).toEqual(secret);
    expect(renderChecked(BACKEND(), { gitOps: 'true', existingSecret: 'mine' }).filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  test('by default, a generated key is named in an annotation, and differs on every render', () => {
    const a = find(renderChecked(BACKEND()), 'Secret', 'todo-backend-secret');
    const b = find(template(BACKEND()), 'Secret', 'todo-backend-secret');
    expect(a.metadata.annotations).toEqual({ 'todo-cdk8s/generated-keys': 'JWT_SECRET' });
    expect(secretValues(a).JWT_SECRET).not.toBe(secretValues(b).JWT_SECRET);
  });

  test('the values.yaml documents gitOps', () => {
    const values = fs.readFileSync(path.join(BACKEND(), 'values.yaml'), 'utf8');
    expect(values).toMatch(/# .*Argo CD.*\n(# .*\n)*gitOps: false\n/);
  });
});

describe('YAML outputs: strings that look like numbers, booleans or null stay strings', () => {
  const AMBIGUOUS = ['0o17', '1.10', 'yes', 'null', '0x1f', '1e3', '1_000', 'on', 'No', '~', '0b101', '017', '.inf', '2001-12-14'];

  test('TODO_BACKEND_IMAGE_TAG=0o17: values.yaml, Chart.yaml and the plain manifests keep it a string; helm renders todo-backend:0o17', () => {
    const out = path.join(tmp, 'tag-0o17');
    synthesize({ outdir: out, env: { ...ENV, TODO_BACKEND_IMAGE_TAG: '0o17', TODO_SECRETS_FILE: path.join(tmp, 's.json') } });
    const chart = path.join(out, 'helm', 'backend');
    expect(fs.readFileSync(path.join(chart, 'values.yaml'), 'utf8')).toContain('  tag: "0o17"\n');
    expect(parseYaml12(fs.readFileSync(path.join(chart, 'Chart.yaml'), 'utf8')).appVersion).toBe('0o17');
    const objects = renderChecked(chart);
    const deployment = find(objects, 'Deployment', 'todo-backend');
    expect(deployment.spec.template.spec.containers[0].image).toBe('todo-backend:0o17');
    expect(deployment.metadata.labels['app.kubernetes.io/version']).toBe('0o17');
    // The plain manifests, read by a YAML 1.2 reader (0o17 is an integer there) and by helm's Go reader.
    const text = fs.readFileSync(path.join(out, 'todo.k8s.yaml'), 'utf8');
    const plain = readYaml(path.join(out, 'todo.k8s.yaml'));
    expect(find(plain, 'Deployment', 'todo-backend').metadata.labels['app.kubernetes.io/version']).toBe('0o17');
    const doc = text.split(/^---\n/m).find((d) => /^kind: Deployment$/m.test(d) && /name: todo-backend$/m.test(d))!;
    expect(parseYaml12(doc).metadata.labels['app.kubernetes.io/version']).toBe('0o17');
    expect(goRead(doc).metadata.labels['app.kubernetes.io/version']).toBe('0o17');
  });

  test.each(AMBIGUOUS)('image tag %s, where the image-tag rule allows it, is written so that Go reads a string', (tag) => {
    if (!Rules.imageTag.test(tag)) return;
    const backend = new TodoBackend(Testing.chart(), 'b', { imageTag: tag, jwtSecret: TEST_SECRETS.jwtSecret });
    const labels = backend.deployment.toJson().metadata.labels;
    expect(goRead(stringifyYaml({ labels })).labels['app.kubernetes.io/version']).toBe(labels['app.kubernetes.io/version']);
  });

  test('every ambiguous string round-trips through Go\'s YAML reader, in one helm run', () => {
    const values = { words: AMBIGUOUS, plain: ['latest', 'v1.2.3', 'todo-backend:0o17'], numbers: [1, 1.5], flags: [true, false] };
    expect(goRead(stringifyYaml(values))).toEqual(values);
  });
});

/** `text` as Go's YAML reader (Helm's, kubectl's) reads it: passed as a values file and printed back as JSON. */
function goRead(text: string): any {
  const chart = fs.mkdtempSync(path.join(tmp, 'echo-'));
  fs.mkdirSync(path.join(chart, 'templates'));
  fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: echo\nversion: 0.1.0\n');
  fs.writeFileSync(path.join(chart, 'templates', 'echo.yaml'), '# {{ toJson .Values }}\n');
  fs.writeFileSync(path.join(chart, 'in.yaml'), text);
  const r = helm(['template', 'echo', chart, '-f', path.join(chart, 'in.yaml')]);
  expect(r.stderr).toBe('');
  return JSON.parse(/^# (\{.*\})$/m.exec(r.stdout)![1]);
}

describe('chart checks are compiled from the rules, and agree with them', () => {
  test('a JSON Schema keyword the compiler does not know is an error, not a dropped rule', () => {
    expect(() => schemaTest({ type: 'string', format: 'email' }, '$v')).toThrow('a chart check cannot compile the JSON Schema keyword format');
    expect(() => schemaTest({ type: 'object' }, '$v')).toThrow('a chart check cannot test type "object"');
  });

  test('a pattern\'s \\s and \\S are spelled out for Go\'s regexp as JavaScript reads them, in a class too; \\S in a class is an error', () => {
    const ws = '\\t\\n\\v\\f\\r \\x{00a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}';
    expect(goPattern('^\\S+$')).toBe(`^[^${ws}]+$`);
    expect(goPattern('^/[^\\s]*[^/\\s]$')).toBe(`^/[^${ws}]*[^/${ws}]$`);
    expect(goPattern('a\\s\\.b[\\]x]')).toBe(`a[${ws}]\\.b[\\]x]`);
    expect(() => goPattern('[\\S]')).toThrow('a chart check cannot compile \\S inside a character class: [\\S]');
  });

  test('the Go-template test of each rule accepts exactly what rule.test accepts (seeded, one helm run)', () => {
    const rules: Array<[string, Rule<unknown>, fc.Arbitrary<unknown>]> = [
      // With white space that JavaScript's \s knows and Go's (ASCII only) does not: a no-break space, a line separator, an ideographic space.
      ['secret', Rules.secret, fc.oneof(fc.string({ minLength: 25, maxLength: 40 }), fc.tuple(fc.stringMatching(/^\S{28,36}$/), fc.constantFrom('', ' ', '\u00a0', '\u2028', '\u3000', '\ufeff', '\u000b')).map(([t, w]) => `${t.slice(0, 16)}${w}${t.slice(16)}`))],
      ['credential', Rules.credential, fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('a b', 'x\t', 'sk-1', 'sk\u00a0x', '\u2003', 'k\u1680'))],
      ['sqliteReplicas', Rules.sqliteReplicas, fc.oneof(fc.integer({ min: -3, max: 4 }), fc.constantFrom(0.5, 1.0, 2.5))],
      ['sqliteSize', SQLITE_SIZE, fc.oneof(
        fc.tuple(fc.bigInt({ min: 0n, max: 300000000000000n }), fc.constantFrom('', 'k', 'M', 'G', 'T', 'Ki', 'Mi', 'Gi', 'Ti')).map(([n, s]) => `${n}${s}`),
        fc.tuple(fc.integer({ min: 250, max: 290 }), fc.constantFrom('T', 'Ti')).map(([n, s]) => `${n}${s}`),
        fc.constantFrom('256Ti', '257Ti', '262144Gi', '262145Gi', '281474976710656', '281474976710657', '00256Ti', '0', '1Pi'))],
      ['imageTag', Rules.imageTag, fc.oneof(fc.stringMatching(/^[\w.-]{0,5}$/), fc.constantFrom('.x', '-x', 'a'.repeat(128), 'a'.repeat(129)))],
      ['port', Rules.port, fc.oneof(fc.integer({ min: -2, max: 70000 }), fc.constantFrom(1, 65535, 65536, 0, 8.5))],
      ['labelKey', Rules.labelKey, fc.oneof(
        fc.tuple(fc.option(fc.stringMatching(/^[a-z0-9.-]{1,12}$/), { nil: undefined }), fc.stringMatching(/^[-A-Za-z0-9_. /]{0,8}$/)).map(([p, n]) => (p === undefined ? n : `${p}/${n}`)),
        fc.constantFrom('a', 'A.b-c_d', 'example.com/team', 'Example.com/team', '-a', 'a-', 'a/b/c', '/a', 'a/', 'x'.repeat(63), 'x'.repeat(64), `${'p'.repeat(63)}.${'q'.repeat(63)}/n`, `${'p'.repeat(64)}/n`, `${'a.'.repeat(125)}bb/n`, `${'a.'.repeat(125)}bbb/n`))],
      ['labelValue', Rules.labelValue, fc.oneof(fc.stringMatching(/^[-A-Za-z0-9_. ]{0,8}$/), fc.constantFrom('', 'a', '-a', 'a.', 'v'.repeat(63), 'v'.repeat(64), 'a b', 'ä'))],
      ['dnsSubdomain', Rules.dnsSubdomain, fc.oneof(fc.stringMatching(/^[-a-zA-Z0-9._]{0,10}$/), fc.constantFrom('regcred', 'Reg', 'a..b', 'a.b', `${'a'.repeat(253)}`, `${'a'.repeat(254)}`))],
    ];
    const samples = rules.map(([name, rule, arb]) => [name, rule, fc.sample(arb, { seed: 20261126, numRuns: 60 })] as const);
    const chart = fs.mkdtempSync(path.join(tmp, 'rules-'));
    fs.mkdirSync(path.join(chart, 'templates'));
    fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: rules\nversion: 0.1.0\n');
    const lines = samples.map(([name, rule], i) => [
      `{{- range $i, $v := index .Values.samples ${i} }}`,
      `# ${name} {{ $i }} {{ ${schemaTest(rule.schema, '$v')} }}`,
      '{{- end }}',
    ].join('\n'));
    fs.writeFileSync(path.join(chart, 'templates', 'rules.yaml'), `${lines.join('\n')}\n`);
    fs.writeFileSync(path.join(chart, 'values.json'), JSON.stringify({ samples: samples.map(([, , s]) => s) }));
    const r = helm(['template', 'rules', chart, '-f', path.join(chart, 'values.json')]);
    expect(r.stderr).toBe('');
    const got = new Map([...r.stdout.matchAll(/^# (\w+) (\d+) (true|false)$/gm)].map((m) => [`${m[1]} ${m[2]}`, m[3] === 'true']));
    let cases = 0;
    for (const [name, rule, values] of samples) {
      values.forEach((value, i) => {
        cases++;
        expect([name, value, got.get(`${name} ${i}`)]).toEqual([name, value, rule.test(value)]);
      });
    }
    expect(cases).toBe(540);
  });

  test('every fail of the charts is a compiled check, except the values a chart must be given (the props always have them)', () => {
    const CHART_ONLY = [
      'is required (or existingSecret naming a Secret that holds it)', // a secret value with no construct-side default (the props always have it)
      JSON.stringify(violationText('externalDatabase.url', Rules.postgresUrl)[0]).slice(1, -1), // the PostgreSQL URL neither given nor kept (upgrade): the rule's words, where lookup reads the Secret
    ];
    const cluster = { TODO_PROFILE: 'cluster', TODO_HOST: 'todo.example.com', TODO_DATABASE: 'postgres', DATABASE_URL: 'postgresql://u:p@db:5432/todo' };
    let fails = 0;
    for (const profile of [{}, cluster]) {
      const app = Testing.app();
      const todo = buildDefaultApp(app, readSettings(profile), { JWT_SECRET: TEST_SECRETS.jwtSecret, BETTER_AUTH_SECRET: TEST_SECRETS.betterAuthSecret });
      for (const component of todo.components) {
        const chart = new TodoHelmChart(app, `${component.role}-chart`, { component });
        const generated = renderChecks((chart as any).checks()).join('\n');
        for (const [file, text] of Object.entries(chart.files())) {
          for (const line of text.split('\n').filter((l) => /\bfail\b/.test(l) && /\{\{/.test(l) && !l.includes('{{/*'))) {
            fails++;
            const known = generated.includes(line.trim()) || CHART_ONLY.some((c) => line.includes(c));
            expect([component.name, file, line, known]).toEqual([component.name, file, line, true]);
          }
        }
      }
    }
    expect(fails).toBeGreaterThan(20);
  });

  test('a chart follows its rule object: change the rule in TypeScript, and the chart refuses with the new words', () => {
    // The rule of JWT_SECRET is its declaration's (BACKEND_VARIABLES): change it there.
    const secrets = BACKEND_VARIABLES.secrets as SecretDeclaration<TodoBackendProps>[];
    const index = secrets.findIndex((d) => d.name === 'JWT_SECRET');
    const original = secrets[index];
    secrets[index] = { ...original, rule: { ...stringMatching(/^\S{40,}$/, 'a secret of at least 40 characters without whitespace', 4096), sensitive: true } };
    try {
      const app = Testing.app();
      const backend = new TodoBackend(Testing.chart(), 'b', { jwtSecret: 'v'.repeat(40) });
      expect(thrown(() => new TodoBackend(Testing.chart(), 'c', { jwtSecret: 'v'.repeat(39) }))).toContain('at least 40 characters');
      const dir = fs.mkdtempSync(path.join(tmp, 'rule-'));
      new TodoHelmChart(app, 'chart', { component: backend }).writeTo(dir);
      expect(helmMessage(templateError(dir, { setString: { 'secrets.JWT_SECRET': 'v'.repeat(39) } })))
        .toBe("'secrets.JWT_SECRET' must be a secret of at least 40 characters without whitespace, got a value of 39 characters");
      expect(find(template(dir, { setString: { 'secrets.JWT_SECRET': 'v'.repeat(40) } }), 'Secret', 'todo-backend-secret')).toBeDefined();
    } finally {
      secrets[index] = original;
    }
  });

  test('an each check runs its checks on every item of a list, with the index in the words, and records each item for the next', () => {
    const dir = path.join(tmp, 'each-chart');
    fs.mkdirSync(path.join(dir, 'templates'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: each\nversion: 0.1.0\n');
    fs.writeFileSync(path.join(dir, 'values.yaml'), 'xs: []\n');
    const checks = renderChecks([{
      kind: 'each',
      value: 'xs',
      before: ['{{- $seen := dict }}'],
      checks: (index, item) => [
        { kind: 'rule', value: 'xs[%s].name', valueArgs: [index], rule: Rules.envName, expr: `${item}.name` },
        { kind: 'message', when: `hasKey $seen ${item}.name`, ...messageWith((i, earlier) => `'xs[${i}].name' repeats 'xs[${earlier}].name'`, [index, `(index $seen ${item}.name)`]) },
      ],
      after: (index, item) => [`{{- $_ := set $seen ${item}.name ${index} }}`],
    }]);
    fs.writeFileSync(path.join(dir, 'templates', 'cm.yaml'), `${checks.join('\n')}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: each\n`);
    const error = (set: { [k: string]: string }) => /execution error at \([^)]*\): (.*)/.exec(templateError(dir, { setString: set }))?.[1];
    expect(error({ 'xs[0].name': 'A', 'xs[1].name': '1B' })).toBe('\'xs[1].name\' must be an environment variable name: letters, digits and "_", not starting with a digit, got "1B"');
    expect(error({ 'xs[0].name': 'A', 'xs[1].name': 'B', 'xs[2].name': 'A' })).toBe("'xs[2].name' repeats 'xs[0].name'");
    expect(template(dir, { setString: { 'xs[0].name': 'A', 'xs[1].name': 'B' } }).map((o) => o.kind)).toEqual(['ConfigMap']);
  });

  test('ownedKeyTest is isOwnedKey for a chart: exact keys, and prefixes that end in *', () => {
    const owned = ['app', 'app.kubernetes.io/*', 'x"y'];
    const dir = fs.mkdtempSync(path.join(tmp, 'owned-'));
    fs.mkdirSync(path.join(dir, 'templates'));
    fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: owned\nversion: 0.1.0\n');
    fs.writeFileSync(path.join(dir, 'templates', 'checks.yaml'), `${renderChecks([
      { kind: 'each', value: 'keys', checks: (key) => [{ kind: 'message', when: ownedKeyTest(owned, key), ...messageWith((k) => `owned: ${k}`, [key]) }] },
    ]).join('\n')}\n`);
    const keys = ['app', 'apps', 'ap', 'app.kubernetes.io/', 'app.kubernetes.io/name', 'app.kubernetes.io', 'x"y', 'x"yz', 'example.com/app'];
    for (const key of keys) {
      fs.writeFileSync(path.join(dir, 'values.json'), JSON.stringify({ keys: { [key]: 'v' } }));
      const r = helm(['template', 'owned', dir, '-f', path.join(dir, 'values.json')]);
      expect([key, r.status === 0 ? '' : helmMessage(r.stderr)]).toEqual([key, isOwnedKey(owned, key) ? `owned: ${key}` : '']);
    }
    expect(keys.filter((k) => isOwnedKey(owned, k))).toEqual(['app', 'app.kubernetes.io/', 'app.kubernetes.io/name', 'x"y']);
  });

  test('renderChecks fails with the rule\'s words, showing only the length of a sensitive value', () => {
    const lines = renderChecks([{ kind: 'rule', value: 'secrets.KEY', rule: Rules.secret }]).join('\n');
    expect(lines).toContain("'secrets.KEY' must be a secret of at least 32 characters without whitespace, got ");
    expect(lines).toContain('a value of %d characters');
    expect(lines).not.toContain('toJson');
  });

  test('an each check runs its rules on each entry of a map or a list, naming it by key or index, a map in key order, and nests; a % in the rule\'s words stays a %', () => {
    const rule = stringMatching(/^[a-z]+$/, 'lowercase (100% letters)');
    const chart = fs.mkdtempSync(path.join(tmp, 'each-'));
    fs.mkdirSync(path.join(chart, 'templates'));
    fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: each\nversion: 0.1.0\n');
    fs.writeFileSync(path.join(chart, 'templates', 'checks.yaml'), `${renderChecks([
      {
        // Nested (first, so that its variables and the inner ones would clash if named alike): the inner check sees both.
        kind: 'each',
        value: 'labels',
        checks: (key) => [{
          kind: 'each',
          value: 'list',
          checks: (index, item) => [{
            kind: 'message',
            when: `eq ${key} (index ${item} "name")`,
            ...messageWith((k, i) => `'labels.${k}' must not be the name of 'list[${i}]'`, [key, index]),
          }],
        }],
      },
      { kind: 'each', value: 'labels', checks: (key, item) => [{ kind: 'rule', value: 'labels', rule, expr: key }, { kind: 'rule', value: 'labels.%s', valueArgs: [key], rule, expr: item }] },
      { kind: 'each', value: 'list', checks: (index, item) => [{ kind: 'rule', value: 'list[%s].name', valueArgs: [index], rule, expr: `(index ${item} "name")` }] },
    ]).join('\n')}\n`);
    const run = (values: object) => {
      fs.writeFileSync(path.join(chart, 'values.json'), JSON.stringify(values));
      return helmMessage(helm(['template', 'each', chart, '-f', path.join(chart, 'values.json')]).stderr);
    };
    expect(run({ labels: { ok: 'fine' }, list: [{ name: 'a' }] })).toBe('');
    expect(run({ labels: { Bad: 'fine' } })).toBe(`'labels' must be lowercase (100% letters), got "Bad"`);
    expect(run({ labels: { ok: 'Bad' } })).toBe(`'labels.ok' must be lowercase (100% letters), got "Bad"`);
    // Key order, whatever the order of the values file: "a" before "b".
    expect(run({ labels: { b: 'X', a: 'Y' } })).toBe(`'labels.a' must be lowercase (100% letters), got "Y"`);
    expect(run({ list: [{ name: 'a' }, { name: 'B' }] })).toBe(`'list[1].name' must be lowercase (100% letters), got "B"`);
    expect(run({ labels: { a: 'x', b: 'y' }, list: [{ name: 'c' }, { name: 'b' }] })).toBe(`'labels.b' must not be the name of 'list[1]'`);
  });
});
