import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { AppComponentOptions } from '../../lib/app-component';
import { EXTRA_VARIABLE } from '../../lib/features/extra-env';
import { testHolds, testPipeline, ValueTest } from '../../lib/helm/value-cases';
import { runAllChecks } from '../../lib/checks';
import { TodoHelmChart } from '../../lib/helm/todo-helm-chart';
import { TodoBackend } from '../../lib/todo-backend';
import { helm, template, templateError, TemplateOptions } from '../support/helm';
import { validateObjects } from '../support/k8s-schema';
import { containerOf, find, TEST_SECRETS } from '../support/util';
import { componentsWith, helmMessage, thrown } from '../support/feature-chart';

/** The chart's message as the props say it: each value a prop of the backend. */
const asProps = (message: string) => message.replace(/'(extraEnvVars[^']*|env)'/g, "'backend.$1'");

let tmp: string;
const CHARTS = { backend: '', frontend: '' };

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'extra-env-'));
  const { backend, frontend } = componentsWith();
  for (const c of [backend, frontend]) {
    const dir = path.join(tmp, c.role);
    new TodoHelmChart(Testing.app(), 'chart', { component: c }).writeTo(dir);
    CHARTS[c.role as 'backend' | 'frontend'] = dir;
  }
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A render that passes `helm lint --strict` with the same values and the strict 1.28 schema. */
function rendered(dir: string, options: TemplateOptions): any[] {
  const args = [...Object.entries(options.set ?? {}).flatMap(([k, v]) => ['--set', `${k}=${v}`]), ...Object.entries(options.setString ?? {}).flatMap(([k, v]) => ['--set-string', `${k}=${v}`])];
  const lint = helm(['lint', '--strict', dir, ...args]);
  expect([lint.status, lint.stdout + lint.stderr]).toEqual([0, expect.stringContaining('0 chart(s) failed')]);
  const objects = template(dir, options);
  expect(validateObjects(objects)).toEqual([]);
  return objects;
}

describe('extraEnvVars, extraEnvVarsCM, extraEnvVarsSecret as props', () => {
  const props: AppComponentOptions = {
    extraEnvVars: [{ name: 'LOG_FORMAT', value: 'json' }, { name: 'FEATURE_X', value: 'yes' }],
    extraEnvVarsCM: 'shared-config',
    extraEnvVarsSecret: 'shared-keys',
  };

  test('variables after the secret ones; the user\'s ConfigMap and Secret before the component\'s ConfigMap (the last source wins)', () => {
    const { objects, backend } = componentsWith(props);
    const container = containerOf(find(objects, 'Deployment', 'todo-backend'));
    expect(container.env.map((e: any) => e.name)).toEqual(['JWT_SECRET', 'ANTHROPIC_API_KEY', 'LOG_FORMAT', 'FEATURE_X']);
    expect(container.env.slice(2)).toEqual([{ name: 'LOG_FORMAT', value: 'json' }, { name: 'FEATURE_X', value: 'yes' }]);
    expect(container.envFrom).toEqual([
      { configMapRef: { name: 'shared-config' } },
      { secretRef: { name: 'shared-keys' } },
      { configMapRef: { name: 'todo-backend-config' } },
    ]);
    expect(backend.externalConfigMaps).toEqual(['shared-config']);
    expect(backend.externalSecrets).toEqual(['shared-keys']);
  });

  test('the user\'s ConfigMap and Secret are not looked for among the manifests, like existingSecret; anyone else\'s are', () => {
    const { objects, backend } = componentsWith(props);
    expect(runAllChecks(objects, { externalSecrets: backend.externalSecrets, externalConfigMaps: backend.externalConfigMaps })).toEqual([]);
    expect(runAllChecks(objects).map((f) => f.message)).toEqual([
      'refers to ConfigMap default/shared-config, which is not among the manifests',
      'refers to Secret default/shared-keys, which is not among the manifests',
    ]);
    // The app's own checks (cdk8s validation at synth) know them.
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new TodoBackend(chart, 'b', { jwtSecret: TEST_SECRETS.jwtSecret, ...props });
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('none by default: no variable, no source beside the ConfigMap', () => {
    const { objects, frontend } = componentsWith();
    const container = containerOf(find(objects, 'Deployment', 'todo-frontend'));
    expect(container.env.map((e: any) => e.name)).toEqual(['BETTER_AUTH_SECRET']);
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'todo-frontend-config' } }]);
    expect(frontend.externalConfigMaps).toEqual([]);
  });
});

describe('extraEnvVars, extraEnvVarsCM, extraEnvVarsSecret as chart values', () => {
  test('values.yaml documents them, empty; the schema is strict', () => {
    const values = fs.readFileSync(path.join(CHARTS.backend, 'values.yaml'), 'utf8');
    expect(values).toMatch(/# More environment variables of the container, as a list of \{name, value\}[^\n]*\n[^\n]*\nextraEnvVars: \[\]\n/);
    expect(values).toContain('\nextraEnvVarsCM: ""\n');
    expect(values).toContain('\nextraEnvVarsSecret: ""\n');
    expect(helmMessage(templateError(CHARTS.backend, { setString: { 'extraEnvVars[0].name': 'A', 'extraEnvVars[0].value': 'b', 'extraEnvVars[0].valueFrom': 'x' } })))
      .toMatch(/extraEnvVars.0: Additional property valueFrom is not allowed/);
    expect(templateError(CHARTS.backend, { set: { 'extraEnvVars[0].name': 'A', 'extraEnvVars[0].value': '5' } })).toMatch(/extraEnvVars.0.value: Invalid type. Expected: string, given: integer/);
    expect(templateError(CHARTS.backend, { setString: { extraEnvVarsCM: 'Not_A_Name' } })).toMatch(/extraEnvVarsCM/);
  });

  test.each(['backend', 'frontend'] as const)('the %s chart renders them where the props put them', (role) => {
    const setString = {
      'extraEnvVars[0].name': 'LOG_FORMAT', 'extraEnvVars[0].value': 'json',
      'extraEnvVars[1].name': 'FEATURE_X', 'extraEnvVars[1].value': 'yes',
      'extraEnvVarsCM': 'shared-config', 'extraEnvVarsSecret': 'shared-keys',
    };
    const objects = rendered(CHARTS[role], { setString });
    const name = `todo-${role}`;
    const { objects: plain } = componentsWith(role === 'backend' ? {
      extraEnvVars: [{ name: 'LOG_FORMAT', value: 'json' }, { name: 'FEATURE_X', value: 'yes' }], extraEnvVarsCM: 'shared-config', extraEnvVarsSecret: 'shared-keys',
    } : {}, role === 'frontend' ? {
      extraEnvVars: [{ name: 'LOG_FORMAT', value: 'json' }, { name: 'FEATURE_X', value: 'yes' }], extraEnvVarsCM: 'shared-config', extraEnvVarsSecret: 'shared-keys',
    } : {});
    const [got, want] = [containerOf(find(objects, 'Deployment', name)), containerOf(find(plain, 'Deployment', name))];
    expect(got.env).toEqual(want.env);
    expect(got.envFrom).toEqual(want.envFrom);
    expect(got.env.slice(-2)).toEqual([{ name: 'LOG_FORMAT', value: 'json' }, { name: 'FEATURE_X', value: 'yes' }]);
    expect(got.envFrom.map((e: any) => e.configMapRef?.name ?? e.secretRef?.name)).toEqual(['shared-config', 'shared-keys', `${name}-config`]);
    expect(runAllChecks(objects, { externalSecrets: ['shared-keys'], externalConfigMaps: ['shared-config'] })).toEqual([]);
  });
});

describe('conflicts with the component\'s own environment are refused by the props and the chart, with the same words', () => {
  const ownBackend = 'ANTHROPIC_API_KEY, ANTHROPIC_MODEL, CORS_ORIGINS, DATABASE_URL, JWT_ALGORITHM, JWT_EXPIRY_HOURS, JWT_SECRET';
  test.each<[string, AppComponentOptions, { [k: string]: string }, string]>([
    ['a secret variable of the component', { extraEnvVars: [{ name: 'JWT_SECRET', value: 'x' }] }, { 'extraEnvVars[0].name': 'JWT_SECRET', 'extraEnvVars[0].value': 'x' },
      `'extraEnvVars[0].name' must not be a variable the component has itself (${ownBackend}); plain ones are changed with 'env', secret ones with their own settings, got "JWT_SECRET"`],
    ['a plain variable of the component (its ConfigMap\'s)', { extraEnvVars: [{ name: 'A', value: '1' }, { name: 'DATABASE_URL', value: 'sqlite:///x' }] },
      { 'extraEnvVars[0].name': 'A', 'extraEnvVars[0].value': '1', 'extraEnvVars[1].name': 'DATABASE_URL', 'extraEnvVars[1].value': 'sqlite:///x' },
      `'extraEnvVars[1].name' must not be a variable the component has itself (${ownBackend}); plain ones are changed with 'env', secret ones with their own settings, got "DATABASE_URL"`],
    ['a name given twice', { extraEnvVars: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }, { name: 'A', value: '3' }] },
      { 'extraEnvVars[0].name': 'A', 'extraEnvVars[0].value': '1', 'extraEnvVars[1].name': 'B', 'extraEnvVars[1].value': '2', 'extraEnvVars[2].name': 'A', 'extraEnvVars[2].value': '3' },
      '\'extraEnvVars[2].name\' must differ from \'extraEnvVars[0].name\' (a container has one value per variable), got "A" for both'],
    ['a name that is not a variable name', { extraEnvVars: [{ name: '1X', value: '1' }] }, { 'extraEnvVars[0].name': '1X', 'extraEnvVars[0].value': '1' },
      '\'extraEnvVars[0].name\' must be an environment variable name: letters, digits and "_", not starting with a digit, got "1X"'],
    ['a name with a dash', { extraEnvVars: [{ name: 'MY-VAR', value: '1' }] }, { 'extraEnvVars[0].name': 'MY-VAR', 'extraEnvVars[0].value': '1' },
      '\'extraEnvVars[0].name\' must be an environment variable name: letters, digits and "_", not starting with a digit, got "MY-VAR"'],
    ['a name that looks like a secret (refused, as in the ConfigMap: the value is plain text in the Deployment)', { extraEnvVars: [{ name: 'GITHUB_TOKEN', value: 't' }] },
      { 'extraEnvVars[0].name': 'GITHUB_TOKEN', 'extraEnvVars[0].value': 't' },
      '\'extraEnvVars[0].name\' must not hold a name that looks like a secret (SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL): its values go into the Deployment in plain text; keep secrets in a Secret (name it in \'extraEnvVarsSecret\'), got "GITHUB_TOKEN"'],
    ['the component\'s own ConfigMap as extraEnvVarsCM', { extraEnvVarsCM: 'todo-backend-config' }, { extraEnvVarsCM: 'todo-backend-config' },
      '\'extraEnvVarsCM\' must not be the ConfigMap the component has itself (todo-backend-config), got "todo-backend-config"'],
    ['the component\'s own Secret as extraEnvVarsSecret', { extraEnvVarsSecret: 'todo-backend-secret' }, { extraEnvVarsSecret: 'todo-backend-secret' },
      '\'extraEnvVarsSecret\' must not be the Secret the component has itself (todo-backend-secret), got "todo-backend-secret"'],
  ])('%s', (_what, props, setString, message) => {
    expect(helmMessage(templateError(CHARTS.backend, { setString }))).toBe(message);
    expect(thrown(() => componentsWith(props))).toBe(asProps(message));
  });

  test('a variable set through env is the component\'s own too (in both)', () => {
    const props = { env: { LOG_LEVEL: 'debug' }, extraEnvVars: [{ name: 'LOG_LEVEL', value: 'info' }] };
    const chart = helmMessage(templateError(CHARTS.frontend, { setString: { 'env.LOG_LEVEL': 'debug', 'extraEnvVars[0].name': 'LOG_LEVEL', 'extraEnvVars[0].value': 'info' } }));
    expect(chart).toMatch(/^'extraEnvVars\[0\].name' must not be a variable the component has itself \([^)]*LOG_LEVEL[^)]*\); .*, got "LOG_LEVEL"$/);
    expect(thrown(() => componentsWith({}, props))).toBe(asProps(chart).replace(/'backend\./g, "'frontend."));
  });

  test('the Secret named by existingSecret may also be read whole; the chart\'s own Secret name is free then', () => {
    const { objects } = componentsWith({ existingSecret: 'todo-backend-secret', extraEnvVarsSecret: 'todo-backend-secret', jwtSecret: undefined });
    expect(containerOf(find(objects, 'Deployment', 'todo-backend')).envFrom[0]).toEqual({ secretRef: { name: 'todo-backend-secret' } });
    const rendered = template(CHARTS.backend, { setString: { existingSecret: 'todo-backend-secret', extraEnvVarsSecret: 'todo-backend-secret' } });
    expect(containerOf(find(rendered, 'Deployment', 'todo-backend')).envFrom[0]).toEqual({ secretRef: { name: 'todo-backend-secret' } });
  });
});

describe('the component\'s own ConfigMap or Secret as extra input: one test each (OWN_CONFIG_MAP, OWN_SECRET) for the props and the chart\'s checks', () => {
  test('on every combination of existingSecret, extraEnvVarsCM and extraEnvVarsSecret, the chart refuses exactly what the props refuse, with the same words', () => {
    const seen: object[] = [];
    const want: object[] = [];
    for (const existingSecret of ['', 'todo-keys']) {
      for (const extraEnvVarsCM of ['', 'todo-backend-config', 'shared-config']) {
        for (const extraEnvVarsSecret of ['', 'todo-backend-secret', 'todo-keys', 'shared-keys']) {
          const at = { existingSecret, extraEnvVarsCM, extraEnvVarsSecret };
          const r = helm(['template', 'todo-backend', CHARTS.backend, ...Object.entries(at).flatMap(([k, v]) => ['--set-string', `${k}=${v}`])]);
          seen.push({ ...at, refused: r.status === 0 ? undefined : helmMessage(r.stderr) });
          let refused: string | undefined;
          try {
            componentsWith({ existingSecret: existingSecret || undefined, jwtSecret: existingSecret ? undefined : TEST_SECRETS.jwtSecret,
              extraEnvVarsCM: extraEnvVarsCM || undefined, extraEnvVarsSecret: extraEnvVarsSecret || undefined });
          } catch (e) {
            refused = (e as Error).message.replace(/'backend\./g, "'");
          }
          want.push({ ...at, refused });
        }
      }
    }
    expect(seen).toEqual(want);
    // The own ConfigMap (8 combinations), else the own Secret without existingSecret (2 more).
    const refusals = want.map((w: any) => w.refused).filter((m) => m !== undefined);
    expect(refusals).toHaveLength(10);
    expect(refusals.filter((m) => m.startsWith('\'extraEnvVarsCM\''))).toEqual(Array(8).fill('\'extraEnvVarsCM\' must not be the ConfigMap the component has itself (todo-backend-config), got "todo-backend-config"'));
  });
});

describe('the checks of each extra variable: one test each (EXTRA_VARIABLE) over the entry, for the props and the chart\'s checks in the range', () => {
  const OWN = ['ANTHROPIC_API_KEY', 'ANTHROPIC_MODEL', 'CORS_ORIGINS', 'DATABASE_URL', 'JWT_ALGORITHM', 'JWT_EXPIRY_HOURS', 'JWT_SECRET'];
  /** The first check of the entries that holds, as the definitions say: [index, check]. */
  const firstFailing = (defs: { [check: string]: ValueTest }, names: readonly string[]) => {
    const seen: { [name: string]: number } = {};
    for (const [i, name] of names.entries()) {
      const failed = Object.keys(defs).find((check) => testHolds(defs[check], { name }, { ownEnv: OWN, seenEnv: seen }));
      if (failed !== undefined) return [i, failed];
      seen[name] = i;
    }
    return undefined;
  };
  /** The check a message is of. */
  const checkOf = (message: string) => (message.includes('a variable the component has itself') ? 'own' : message.includes('must differ from') ? 'twice' : 'secretLooking');

  test('the tests render as the range\'s checks: on the entry\'s variable, with the chart\'s variables of own and earlier names', () => {
    expect([EXTRA_VARIABLE.own, EXTRA_VARIABLE.twice, EXTRA_VARIABLE.secretLooking].map((t) => testPipeline(t, '$e1'))).toEqual([
      'has $e1.name $ownEnv', 'hasKey $seenEnv $e1.name', 'regexMatch "(?i)(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)" $e1.name',
    ]);
  });

  test('on every pair of names, the chart refuses exactly what the props refuse, with the same words, at the check the definitions choose', () => {
    const NAMES = ['A', 'B', 'DATABASE_URL', 'api_key', 'JWT_SECRET'];
    const seen: object[] = [];
    const want: object[] = [];
    const decided: object[] = [];
    const mutated: object[] = [];
    // A changed definition: the secret-looking pattern without its i flag.
    const lowerCaseBlind = { ...EXTRA_VARIABLE, secretLooking: { matches: 'name', pattern: new RegExp((EXTRA_VARIABLE.secretLooking as { pattern: RegExp }).pattern.source) } };
    for (const first of NAMES) {
      for (const second of NAMES) {
        const names = [first, second];
        const r = helm(['template', 'todo-backend', CHARTS.backend, ...names.flatMap((n, i) => ['--set-string', `extraEnvVars[${i}].name=${n}`, '--set-string', `extraEnvVars[${i}].value=v`])]);
        const chart = r.status === 0 ? undefined : helmMessage(r.stderr);
        seen.push({ names, refused: chart === undefined ? undefined : asProps(chart) });
        let refused: string | undefined;
        try {
          componentsWith({ extraEnvVars: names.map((name) => ({ name, value: 'v' })) });
        } catch (e) {
          refused = (e as Error).message;
        }
        want.push({ names, refused });
        decided.push({ names, check: chart === undefined ? undefined : [/^'extraEnvVars\[(\d)\]/.exec(chart)![1] === '1' ? 1 : 0, checkOf(chart)] });
        mutated.push({ names, check: firstFailing(lowerCaseBlind, names) });
        expect(decided[decided.length - 1]).toEqual({ names, check: firstFailing(EXTRA_VARIABLE, names) });
      }
    }
    expect(seen).toEqual(want);
    expect(new Set(decided.map((d: any) => d.check?.[1]))).toEqual(new Set([undefined, 'own', 'twice', 'secretLooking']));
    expect(want.filter((w: any) => w.refused === undefined).map((w: any) => w.names)).toEqual([['A', 'B'], ['B', 'A']]);
    // Fails when the definition changes: without the i flag, "api_key" passes in TypeScript and not in the chart.
    expect(decided.filter((d, i) => JSON.stringify(d) !== JSON.stringify(mutated[i])).map((d: any) => d.names)).toEqual([
      ['A', 'api_key'], ['B', 'api_key'], ['api_key', 'A'], ['api_key', 'B'], ['api_key', 'DATABASE_URL'], ['api_key', 'api_key'], ['api_key', 'JWT_SECRET'],
    ]);
  });

  test('plain errors of the entry tests: a list or map not given, a name that is not text, a pattern Go would read otherwise', () => {
    expect(() => testHolds(EXTRA_VARIABLE.own, { name: 'A' }, {})).toThrow('a decision reads the list $ownEnv, which was not given as an array');
    expect(() => testHolds(EXTRA_VARIABLE.twice, { name: 'A' }, { seenEnv: [] })).toThrow('a decision reads the map $seenEnv, which was not given as an object');
    expect(() => testHolds(EXTRA_VARIABLE.secretLooking, { name: 1 })).toThrow('\'name\' must be text for this decision, got 1');
    expect(() => testPipeline({ matches: 'name', pattern: /x/g }, '$e1')).toThrow('a decision\'s pattern may have the flag i only, got /x/g');
  });
});
