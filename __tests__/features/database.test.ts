import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { checkAppElsewhere } from '../../lib/app-checks';
import { BackendDatabase, ONE_WRITER } from '../../lib/backend-database';
import { runAllChecks } from '../../lib/checks';
import { DATABASE_URL_IN_ENV, databasePort } from '../../lib/features/database';
import { schemaTest } from '../../lib/helm/chart-rules';
import { valueBesideExistingSecret } from '../../lib/features/secrets';
import { AUTOSCALED_ONE_WRITER, REPLICAS_ONE_WRITER } from '../../lib/features/sqlite-rules';
import { integerBetween, Rule, Rules } from '../../lib/validation';
import { testHolds, testPipeline, ValueTest } from '../../lib/helm/value-cases';
import { TodoBackend, TodoBackendProps } from '../../lib/todo-backend';
import { comparable, FakeApiServer, helm } from '../support/helm';
import { FeatureCharts, sentence, thrown } from '../support/feature-charts';
import { helmMessage, renderWith, valuesFor } from '../support/feature-chart';
import { containerOf, find, ofKind, secretValues, TEST_SECRETS } from '../support/util';
import { parseYaml } from '../support/yaml';

/**
 * The backend's database chosen by a chart value (database.type,
 * externalDatabase.*, persistence.enabled): one chart renders each database
 * the construct's BackendDatabase builds, the same objects as the plain
 * manifests, and refuses what the props refuse with the same words.
 */

const URL = 'postgresql://todo:pw@db.example.com:6432/todo';

/** A backend built with these props, in namespace `default` (as the chart renders). */
function backendWith(props: TodoBackendProps = {}): { objects: any[]; backend: TodoBackend } {
  const app = Testing.app();
  checkAppElsewhere(app);
  const chart = new Chart(app, 'c', { namespace: 'default' });
  const backend = new TodoBackend(chart, 'backend', { jwtSecret: TEST_SECRETS.jwtSecret, corsOrigins: ['http://192.168.49.2:30300'], ...props });
  return { objects: chart.toJson(), backend };
}

const DATABASES: Array<[string, () => BackendDatabase]> = [
  ['SQLite on a volume', () => BackendDatabase.sqlite()],
  ['SQLite on a claim of yours', () => BackendDatabase.sqlite({ existingClaim: 'todo-files' })],
  ['the ephemeral SQLite file', () => BackendDatabase.ephemeralSqlite()],
  ['PostgreSQL with a URL', () => BackendDatabase.postgres(URL)],
  ['PostgreSQL from a Secret of yours', () => BackendDatabase.postgresFromSecret({ secretName: 'todo-db', key: 'url' })],
];

/** What the Helm chart and the plain manifests are compared on: the objects a database touches. */
const KINDS = ['Deployment', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'NetworkPolicy', 'Service'];
const sorted = (objects: any[]) => objects.filter((o) => KINDS.includes(o.kind) && !o.metadata?.annotations?.['helm.sh/hook'])
  .map(comparable).sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));

let sqliteCharts: FeatureCharts;
let postgresCharts: FeatureCharts;
beforeAll(() => {
  sqliteCharts = new FeatureCharts();
  postgresCharts = new FeatureCharts({ backend: { database: BackendDatabase.postgresFromSecret({ secretName: 'todo-db' }) } });
});
afterAll(() => {
  sqliteCharts.cleanup();
  postgresCharts.cleanup();
});

describe('one chart, every database: the values derived from the construct render the plain manifests\' objects', () => {
  test.each(DATABASES)('%s, on the chart of a SQLite app and of a PostgreSQL app (lint --strict, strict 1.28 schema)', (_name, database) => {
    const { objects, backend } = backendWith({ database: database() });
    const values = valuesFor(backend);
    for (const charts of [sqliteCharts, postgresCharts]) {
      const rendered = charts.render(charts.backend, values);
      expect(sorted(rendered)).toEqual(sorted(objects));
      expect(runAllChecks(rendered, { externalSecrets: backend.externalSecrets, externalClaims: backend.externalClaims })).toEqual([]);
    }
  });

  test('the chart\'s defaults come from the construct\'s BackendDatabase', () => {
    const defaults = (db: BackendDatabase) => {
      const v = valuesFor(backendWith({ database: db }).backend) as any;
      return { database: v.database, externalDatabase: v.externalDatabase, persistence: v.persistence.enabled, env: v.env.DATABASE_URL, secrets: Object.keys(v.secrets) };
    };
    const sqlite = { type: 'sqlite' };
    const none = { url: '', existingSecret: '', existingSecretKey: 'DATABASE_URL' };
    const keys = ['JWT_SECRET', 'ANTHROPIC_API_KEY'];
    expect(defaults(BackendDatabase.sqlite())).toEqual({ database: sqlite, externalDatabase: none, persistence: true, env: undefined, secrets: keys });
    expect(defaults(BackendDatabase.ephemeralSqlite())).toEqual({ database: sqlite, externalDatabase: none, persistence: false, env: undefined, secrets: keys });
    // The URL given to the construct is passed at install, as a secret value is: never in values.yaml.
    expect(defaults(BackendDatabase.postgres(URL))).toEqual({ database: { type: 'postgres' }, externalDatabase: { ...none, url: URL }, persistence: false, env: undefined, secrets: keys });
    expect(defaults(BackendDatabase.postgresFromSecret({ secretName: 'todo-db', key: 'url' })))
      .toEqual({ database: { type: 'postgres' }, externalDatabase: { url: '', existingSecret: 'todo-db', existingSecretKey: 'url' }, persistence: false, env: undefined, secrets: keys });
    const text = fs.readFileSync(path.join(postgresCharts.backend, 'values.yaml'), 'utf8');
    expect(text).toMatch(/^database:\n\n(?: {2}#.*\n)+ {2}type: postgres$/m);
    expect(text).toMatch(/^ {2}existingSecret: todo-db$/m);
  });
});

describe('the values a Helm user types', () => {
  const render = (values: object) => sqliteCharts.render(sqliteCharts.backend, { secrets: { JWT_SECRET: TEST_SECRETS.jwtSecret }, ...values });
  const deployment = (objects: any[]) => find(objects, 'Deployment', 'todo-backend');
  const urlVariable = (objects: any[]) => containerOf(deployment(objects)).env.find((e: any) => e.name === 'DATABASE_URL');

  test('PostgreSQL with a URL: in the chart\'s Secret (never the ConfigMap), no volume, rolling updates, egress to the URL\'s port, several pods', () => {
    const objects = render({ database: { type: 'postgres' }, externalDatabase: { url: URL }, replicaCount: 3 });
    expect(secretValues(find(objects, 'Secret', 'todo-backend-secret')).DATABASE_URL).toBe(URL);
    expect(find(objects, 'ConfigMap', 'todo-backend-config').data.DATABASE_URL).toBeUndefined();
    expect(JSON.stringify(ofKind(objects, 'ConfigMap'))).not.toContain('db.example.com');
    expect(urlVariable(objects)).toEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'todo-backend-secret', key: 'DATABASE_URL' } } });
    expect(ofKind(objects, 'PersistentVolumeClaim')).toEqual([]);
    expect(deployment(objects).spec.strategy.type).toBe('RollingUpdate');
    expect(deployment(objects).spec.template.spec.volumes.map((v: any) => v.name)).toEqual(['tmp']);
    expect(deployment(objects).spec.replicas).toBe(3);
    expect(find(objects, 'NetworkPolicy', 'todo-backend').spec.egress).toContainEqual({ ports: [{ port: 6432, protocol: 'TCP' }] });
    // As the construct has it.
    const plain = backendWith({ database: BackendDatabase.postgres(URL), replicas: 3 }).objects;
    expect(comparable(find(objects, 'NetworkPolicy', 'todo-backend')).spec.egress).toEqual(find(plain, 'NetworkPolicy', 'todo-backend').spec.egress);
    expect(urlVariable(objects)).toEqual(containerOf(find(plain, 'Deployment', 'todo-backend')).env.find((e: any) => e.name === 'DATABASE_URL'));
  });

  test('PostgreSQL from a Secret of yours: read from its key, no DATABASE_URL in the chart\'s Secret; egress to 5432', () => {
    const objects = render({ database: { type: 'postgres' }, externalDatabase: { existingSecret: 'todo-db', existingSecretKey: 'url' } });
    expect(urlVariable(objects)).toEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'todo-db', key: 'url' } } });
    expect(Object.keys(secretValues(find(objects, 'Secret', 'todo-backend-secret')))).toEqual(['JWT_SECRET']);
    expect(find(objects, 'NetworkPolicy', 'todo-backend').spec.egress).toContainEqual({ ports: [{ port: 5432, protocol: 'TCP' }] });
    expect(runAllChecks(objects, { externalSecrets: ['todo-db'] })).toEqual([]);
  });

  test('PostgreSQL with the URL in existingSecret (beside the signing keys): read from its DATABASE_URL key', () => {
    const objects = sqliteCharts.render(sqliteCharts.backend, { database: { type: 'postgres' }, existingSecret: 'todo-keys' });
    expect(urlVariable(objects)).toEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'todo-keys', key: 'DATABASE_URL' } } });
    expect(ofKind(objects, 'Secret')).toEqual([]);
  });

  test('SQLite without persistence: the file in the container, no claim; the egress rules of the values are not repeated', () => {
    const objects = render({ persistence: { enabled: false }, securityContext: { readOnlyRootFilesystem: false } });
    expect(find(objects, 'ConfigMap', 'todo-backend-config').data.DATABASE_URL).toBe('sqlite:///./todoapp.db');
    expect(ofKind(objects, 'PersistentVolumeClaim')).toEqual([]);
    expect(urlVariable(objects)).toBeUndefined();
    const pg = render({ database: { type: 'postgres' }, externalDatabase: { url: URL }, networkPolicy: { egress: { rules: [{ ports: [{ port: 6432, protocol: 'TCP' }] }] } } });
    expect(find(pg, 'NetworkPolicy', 'todo-backend').spec.egress.filter((r: any) => r.ports?.[0]?.port === 6432)).toHaveLength(1);
  });

  /** URL forms, and the port of each: in 1-65535 as WHATWG's URL (and libpq) reads it, else 5432. */
  const PORTS: Array<[string, number]> = [
    ['postgresql://u:p@db/todo', 5432],
    ['postgresql://u:p@db:7000/todo', 7000],
    ['postgresql://db:7001', 7001],
    ['postgresql://db/todo', 5432],
    ['postgresql://db:/todo', 5432],
    ['postgres+asyncpg://u:p%40x@db.example.com:6543/todo?sslmode=require', 6543],
    ['postgresql://db:6544?sslmode=require', 6544],
    ['postgresql://db/todo?port=6000#x:7000', 5432],
    ['postgresql://u:p@[::1]:5433/todo', 5433],
    ['postgresql://[2001:db8::1]/todo', 5432],
    ['postgresql://[2001:db8::1]:6545/todo', 6545],
    ['postgresql://u:p:5@db/todo', 5432],
    ['postgresql://u:12345@db/todo', 5432],
    ['postgresql://u:p@ss@db:6546/todo', 6546],
    ['postgresql://db:05433/todo', 5433],
    ['postgresql://db:000006547/todo', 6547],
    ['postgresql://db:65535/todo', 65535],
    ['postgresql://db:0/todo', 5432],
    ['postgresql://db:65536/todo', 5432],
    ['postgresql://db:99999999999999999999999/todo', 5432],
    ['postgresql://db:abc/todo', 5432],
  ];

  test.each(PORTS)('the egress port of %s: the chart\'s databasePort helper, databasePort and the construct give %d', (url, port) => {
    const rule = (objects: any[]) => find(objects, 'NetworkPolicy', 'todo-backend').spec.egress[1];
    expect(databasePort(url)).toBe(port);
    expect(rule(render({ database: { type: 'postgres' }, externalDatabase: { url } }))).toEqual({ ports: [{ port, protocol: 'TCP' }] });
    expect(rule(backendWith({ database: BackendDatabase.postgres(url) }).objects)).toEqual({ ports: [{ port, protocol: 'TCP' }] });
  });

  describe('the bounds are Rules.port\'s, compiled by the chart rules (ruleTest), which databasePort tests', () => {
    /** The chart's port of each URL whose port is at an edge of the rule: 0, 1, 65535, 65536. */
    let edges: Array<[string, number]>;
    beforeAll(() => {
      edges = [0, 1, 65535, 65536].map((p) => {
        const url = `postgresql://db:${p}/todo`;
        const r = renderWith(sqliteCharts.backend, { database: { type: 'postgres' }, externalDatabase: { url } });
        return [url, r.objects.find((o) => o.kind === 'NetworkPolicy').spec.egress[1].ports[0].port];
      });
    });
    /** databasePort with another rule: the URL's port when the rule takes it, else 5432. */
    const portWith = (rule: Rule<unknown>, url: string) => (rule.test(Number(/:(\d+)\//.exec(url)![1])) ? Number(/:(\d+)\//.exec(url)![1]) : 5432);
    const disagreements = (rule: Rule<unknown>) => edges.filter(([url, port]) => portWith(rule, url) !== port).map(([url]) => url);

    test('the helper\'s test is the rule\'s schema test; the chart and databasePort agree at the edges', () => {
      const helper = fs.readFileSync(path.join(sqliteCharts.backend, 'templates', '_helpers.tpl'), 'utf8');
      expect(helper).toContain(`{{- if ${schemaTest(Rules.port.schema, '$port')} }}{{ $port }}{{ else }}5432{{ end }}`);
      expect(edges).toEqual([['postgresql://db:0/todo', 5432], ['postgresql://db:1/todo', 1], ['postgresql://db:65535/todo', 65535], ['postgresql://db:65536/todo', 5432]]);
      expect(edges.map(([url]) => databasePort(url))).toEqual(edges.map(([, port]) => port));
      expect(disagreements(Rules.port)).toEqual([]);
    });

    describe('fails when', () => {
      test('the rule stops below 65535', () => {
        expect(disagreements(integerBetween(1, 65534))).toEqual(['postgresql://db:65535/todo']);
      });

      test('the rule takes port 0', () => {
        expect(disagreements(integerBetween(0, 65535))).toEqual(['postgresql://db:0/todo']);
      });
    });
  });

  test('the ports agree with WHATWG\'s URL wherever it reads the URL and gives a port in range; no URL gives 5432', () => {
    const read = PORTS.flatMap(([url, port]) => {
      try {
        return [[url, Number(new globalThis.URL(url).port) || 5432, port]];
      } catch {
        return []; // 65536 and above, or not a number: URL refuses them
      }
    });
    expect(read.filter(([, whatwg, port]) => whatwg !== port)).toEqual([]);
    expect(read.length).toBe(PORTS.length - 3);
    expect(databasePort(undefined)).toBe(5432);
  });
});

describe('refused by the props and by the chart, with the same words', () => {
  const refusal = (values: object) => sqliteCharts.refusal(sqliteCharts.backend, values);

  test('more than one replica on SQLite', () => {
    const props = thrown(() => backendWith({ replicas: 2 }));
    const chart = refusal({ replicaCount: 2 });
    expect(chart).toBe("'replicaCount' must be 0 or 1 with SQLite (one writer: each pod would otherwise get its own database, or fight over one ReadWriteOnce volume), got 2; set database.type=postgres (with externalDatabase.url or externalDatabase.existingSecret) to run more replicas");
    expect(sentence(props).replace(/; .*$/, '')).toBe(sentence(chart).replace(/; .*$/, ''));
    // The chart of a PostgreSQL app refuses it too once the value says SQLite, and takes it on PostgreSQL.
    expect(postgresCharts.refusal(postgresCharts.backend, { replicaCount: 2, database: { type: 'sqlite' }, externalDatabase: { existingSecret: '' }, persistence: { enabled: true } })).toBe(chart);
    expect(() => postgresCharts.render(postgresCharts.backend, { replicaCount: 2 })).not.toThrow();
  });

  test('an autoscaler on SQLite', () => {
    const props = thrown(() => backendWith({ autoscaling: {} }));
    const chart = refusal({ autoscaling: { enabled: true } });
    expect(chart).toBe("'database.type' must be PostgreSQL when 'autoscaling.enabled' is set (SQLite has one writer, and the autoscaler runs 2 or more pods), got sqlite; set database.type=postgres (with externalDatabase.url or externalDatabase.existingSecret)");
    const words = (m: string) => m.replace(/; .*$/, '').replace(/'[^']+'/g, "''");
    expect(words(props)).toBe(words(chart));
  });

  test('a URL beside existingSecret', () => {
    const props = thrown(() => backendWith({ jwtSecret: undefined, database: BackendDatabase.postgres(URL), existingSecret: 'todo-keys' }));
    const chart = refusal({ database: { type: 'postgres' }, externalDatabase: { url: URL }, existingSecret: 'todo-keys' });
    expect(props).toBe("'backend.database' cannot be combined with 'backend.existingSecret' (the value would be ignored), got a value for DATABASE_URL");
    expect(chart).toBe("'externalDatabase.url' cannot be combined with 'existingSecret' (the value would be ignored), got a value for DATABASE_URL");
    expect(sentence(props).replace(/'[^']+'/, '')).toBe(sentence(chart).replace(/'[^']+'/, ''));
  });

  test.each([
    ['an empty URL', '', 0],
    ['a URL that is not PostgreSQL\'s (its length only: it holds a password)', 'mysql://u:secret@db/todo', 24],
  ])('%s', (_name, url, length) => {
    const props = thrown(() => BackendDatabase.postgres(url));
    const chart = refusal({ database: { type: 'postgres' }, externalDatabase: { url } });
    const rule = `must be a PostgreSQL URL such as "postgresql://user:password@host:5432/todo", got a value of ${length} characters`;
    expect(props).toBe(`'database.url' ${rule}`);
    expect(chart.startsWith(`'externalDatabase.url' ${rule}`)).toBe(true);
    expect(chart).not.toContain('secret@');
  });

  test('DATABASE_URL among the plain variables: the database sets it', () => {
    expect(thrown(() => backendWith({ env: { DATABASE_URL: 'sqlite:///./other.db' } })))
      .toBe('\'backend.env\' must not hold DATABASE_URL, which the database sets (the database prop: BackendDatabase.sqlite, .ephemeralSqlite, .postgres or .postgresFromSecret), got "DATABASE_URL"');
    expect(refusal({ env: { DATABASE_URL: 'sqlite:///./other.db' } }))
      .toBe('\'env\' must not hold DATABASE_URL, which the database sets (database.type, persistence.* and externalDatabase.*), got "DATABASE_URL"');
    expect(refusal({ extraEnvVars: [{ name: 'DATABASE_URL', value: 'x' }] })).toContain("'extraEnvVars[0].name' must not be a variable the component has itself (ANTHROPIC_API_KEY, ANTHROPIC_MODEL, CORS_ORIGINS, DATABASE_URL,");
  });
});

/** helm template's refusal of these values by the backend chart of the SQLite app (undefined: it renders them). */
function chartRefusal(values: object): string | undefined {
  const r = renderWith(sqliteCharts.backend, values);
  return r.status === 0 ? undefined : helmMessage(r.stderr);
}

/** The construct's refusal of the props `props` gives (undefined: it builds them). */
function propsRefusal(props: () => TodoBackendProps): string | undefined {
  try {
    backendWith(props());
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('DATABASE_URL among the plain variables: one test (DATABASE_URL_IN_ENV) for Database.checkEnv and the chart\'s check', () => {
  interface Seen {
    readonly env: { [name: string]: string } | undefined;
    readonly chart: string | undefined;
    readonly props: string | undefined;
  }
  let seen: Seen[];
  beforeAll(() => {
    const envs: Array<{ [name: string]: string } | undefined> = [undefined, {}, { DATABASE_URL: '' }, { DATABASE_URL: 'sqlite:///./other.db' }, { LOG_LEVEL: 'debug' }, { LOG_LEVEL: 'debug', DATABASE_URL: 'x' }];
    seen = envs.map((env) => ({ env, chart: chartRefusal(env === undefined ? {} : { env }), props: propsRefusal(() => ({ env })) }));
  });
  /** The variables for which the chart's refusal and the test disagree. */
  const disagreements = (test: ValueTest) => seen.filter((s) => testHolds(test, { env: s.env ?? {} }) !== (s.chart !== undefined)).map((s) => s.env);

  test('on every mix of variables, the chart refuses exactly what the construct refuses, as the test holds', () => {
    expect(testPipeline(DATABASE_URL_IN_ENV)).toBe('hasKey (.Values.env | default dict) "DATABASE_URL"');
    expect(seen.map((s) => [s.env, s.chart !== undefined])).toEqual(seen.map((s) => [s.env, s.props !== undefined]));
    expect(disagreements(DATABASE_URL_IN_ENV)).toEqual([]);
    expect(seen.filter((s) => s.chart !== undefined).map((s) => s.env)).toEqual([{ DATABASE_URL: '' }, { DATABASE_URL: 'sqlite:///./other.db' }, { LOG_LEVEL: 'debug', DATABASE_URL: 'x' }]);
    expect(new Set(seen.map((s) => s.chart))).toEqual(new Set([undefined, '\'env\' must not hold DATABASE_URL, which the database sets (database.type, persistence.* and externalDatabase.*), got "DATABASE_URL"']));
    expect(new Set(seen.map((s) => s.props))).toEqual(new Set([undefined,
      '\'backend.env\' must not hold DATABASE_URL, which the database sets (the database prop: BackendDatabase.sqlite, .ephemeralSqlite, .postgres or .postgresFromSecret), got "DATABASE_URL"']));
  });

  describe('fails when', () => {
    test('the test reads the value instead of the key (an empty DATABASE_URL let through)', () => {
      expect(disagreements({ truthy: 'env.DATABASE_URL' })).toEqual([{ DATABASE_URL: '' }]);
    });

    test('the test names another key', () => {
      expect(disagreements({ hasKey: 'env', key: 'DATABASE_URI' })).toHaveLength(3);
    });
  });
});

describe('PostgreSQL\'s URL beside existingSecret: one test (valueBesideExistingSecret) for Secrets.resolve and the chart\'s check, as for secrets.*', () => {
  interface Seen {
    readonly at: { url: string; existingSecret: string };
    /** Whether the chart refused the values as a URL beside existingSecret (another refusal: false). */
    readonly chart: boolean;
    readonly props: boolean;
  }
  const CHART_CONFLICT = "'externalDatabase.url' cannot be combined with 'existingSecret' (the value would be ignored), got a value for DATABASE_URL";
  const PROPS_CONFLICT = "'backend.database' cannot be combined with 'backend.existingSecret' (the value would be ignored), got a value for DATABASE_URL";
  let seen: Seen[];
  beforeAll(() => {
    seen = [];
    for (const url of ['', URL]) {
      for (const existingSecret of ['', 'todo-keys']) {
        const chart = chartRefusal({ database: { type: 'postgres' }, externalDatabase: { url }, existingSecret });
        // The props for these values: the URL, else the URL in existingSecret (postgresFromSecret), else an empty URL (refused by its rule).
        const props = propsRefusal(() => ({
          ...(existingSecret ? { jwtSecret: undefined, existingSecret } : {}),
          database: url || !existingSecret ? BackendDatabase.postgres(url) : BackendDatabase.postgresFromSecret({ secretName: existingSecret }),
        }));
        seen.push({ at: { url, existingSecret }, chart: chart === CHART_CONFLICT, props: props === PROPS_CONFLICT });
      }
    }
  });
  /** The combinations where the chart's refusal and the test disagree. */
  const disagreements = (test: ValueTest) => seen.filter((s) => testHolds(test, { existingSecret: s.at.existingSecret, externalDatabase: { url: s.at.url } }) !== s.chart).map((s) => s.at);

  test('on every combination of externalDatabase.url and existingSecret, the chart refuses exactly what the construct refuses, as the test holds', () => {
    const test_ = valueBesideExistingSecret('externalDatabase.url');
    expect(testPipeline(test_)).toBe('and .Values.existingSecret .Values.externalDatabase.url');
    // The same test as for a value of secrets.*, at the URL's path.
    expect(testPipeline(valueBesideExistingSecret('secrets.JWT_SECRET'))).toBe('and .Values.existingSecret .Values.secrets.JWT_SECRET');
    expect(seen.map((s) => [s.at, s.chart])).toEqual(seen.map((s) => [s.at, s.props]));
    expect(disagreements(test_)).toEqual([]);
    expect(seen.filter((s) => s.chart).map((s) => s.at)).toEqual([{ url: URL, existingSecret: 'todo-keys' }]);
  });

  describe('fails when', () => {
    test('the test leaves out existingSecret (a URL refused on its own)', () => {
      expect(disagreements({ truthy: 'externalDatabase.url' })).toEqual([{ url: URL, existingSecret: '' }]);
    });

    test('the test reads secrets.DATABASE_URL, which the chart does not hold', () => {
      expect(disagreements(valueBesideExistingSecret('secrets.DATABASE_URL'))).toEqual([{ url: URL, existingSecret: 'todo-keys' }]);
    });
  });
});

describe('SQLite\'s one writer: two tests (AUTOSCALED_ONE_WRITER, REPLICAS_ONE_WRITER) for SqliteRules.check and the chart\'s checks', () => {
  interface Seen {
    readonly at: { type: string; autoscaling: boolean; replicas: number };
    /** The rule that refused the values ('autoscaler', 'replicas'; another refusal: its message; none: undefined). */
    readonly chart: string | undefined;
    /** The same, of the props these values stand for (with an autoscaler, no replicas: the props refuse both together). */
    readonly props: string | undefined;
  }
  const CHART_RULES: { [rule: string]: string } = {
    autoscaler: "'database.type' must be PostgreSQL when 'autoscaling.enabled' is set",
    replicas: "'replicaCount' must be 0 or 1 with SQLite",
  };
  const PROPS_RULES: { [rule: string]: string } = {
    autoscaler: "'backend.database' must be PostgreSQL when 'backend.autoscaling' is set",
    replicas: "'backend.replicas' must be 0 or 1 with SQLite",
  };
  const ruleOf = (rules: { [rule: string]: string }, message: string | undefined) => (message === undefined ? undefined : Object.keys(rules).find((r) => message.startsWith(rules[r])) ?? message);
  const valuesOf = (at: Seen['at']) => ({ database: { type: at.type }, autoscaling: { enabled: at.autoscaling }, replicaCount: at.replicas });
  let seen: Seen[];
  beforeAll(() => {
    seen = [];
    for (const type of ['sqlite', 'postgres']) {
      for (const autoscaling of [false, true]) {
        for (const replicas of [0, 1, 2, 3]) {
          const at = { type, autoscaling, replicas };
          const chart = chartRefusal({ ...valuesOf(at), podDisruptionBudget: { enabled: false }, ...(type === 'postgres' ? { externalDatabase: { existingSecret: 'todo-db' } } : {}) });
          const props = propsRefusal(() => ({
            database: type === 'sqlite' ? BackendDatabase.sqlite() : BackendDatabase.postgresFromSecret({ secretName: 'todo-db' }),
            podDisruptionBudget: false,
            ...(autoscaling ? { autoscaling: {} } : { replicas }),
          }));
          seen.push({ at, chart: ruleOf(CHART_RULES, chart), props: ruleOf(PROPS_RULES, props) });
        }
      }
    }
  });
  /** The combinations where the chart and the tests (the autoscaler's first, as the chart checks) disagree. */
  const disagreements = (autoscaled: ValueTest, replicas: ValueTest) => seen.filter((s) => {
    const v = valuesOf(s.at);
    const expected = testHolds(autoscaled, v) ? 'autoscaler' : testHolds(replicas, v) && !Rules.sqliteReplicas.test(s.at.replicas) ? 'replicas' : undefined;
    return expected !== s.chart;
  }).map((s) => s.at);

  test('on every combination of database.type, autoscaling.enabled and replicaCount, the chart refuses exactly what the construct refuses, as the tests hold', () => {
    expect(testPipeline(AUTOSCALED_ONE_WRITER)).toBe('and (eq (toString .Values.database.type) "sqlite") .Values.autoscaling.enabled');
    expect(testPipeline(REPLICAS_ONE_WRITER)).toBe('and (eq (toString .Values.database.type) "sqlite") (not .Values.autoscaling.enabled)');
    expect(seen).toHaveLength(16);
    expect(seen.map((s) => [s.at, s.chart])).toEqual(seen.map((s) => [s.at, s.props]));
    expect(disagreements(AUTOSCALED_ONE_WRITER, REPLICAS_ONE_WRITER)).toEqual([]);
    expect(seen.filter((s) => s.chart !== undefined).map((s) => [s.at, s.chart])).toEqual([
      [{ type: 'sqlite', autoscaling: false, replicas: 2 }, 'replicas'],
      [{ type: 'sqlite', autoscaling: false, replicas: 3 }, 'replicas'],
      ...[0, 1, 2, 3].map((replicas) => [{ type: 'sqlite', autoscaling: true, replicas }, 'autoscaler']),
    ]);
    // The engine's allowsReplicas reads the same test.
    expect([BackendDatabase.sqlite(), BackendDatabase.ephemeralSqlite(), BackendDatabase.postgres(URL)].map((d) => d.allowsReplicas)).toEqual([false, false, true]);
  });

  describe('fails when', () => {
    test('the autoscaler\'s test leaves out the engine (PostgreSQL\'s autoscaler refused)', () => {
      expect(disagreements({ truthy: 'autoscaling.enabled' }, REPLICAS_ONE_WRITER)).toEqual([0, 1, 2, 3].map((replicas) => ({ type: 'postgres', autoscaling: true, replicas })));
    });

    test('the replicas\' test leaves out the engine (PostgreSQL held to one replica)', () => {
      expect(disagreements(AUTOSCALED_ONE_WRITER, { not: { truthy: 'autoscaling.enabled' } })).toEqual([2, 3].map((replicas) => ({ type: 'postgres', autoscaling: false, replicas })));
    });

    test('the engine is tested for PostgreSQL', () => {
      const postgres: ValueTest = { equals: 'database.type', to: 'postgres' };
      expect(disagreements({ all: [postgres, { truthy: 'autoscaling.enabled' }] }, { all: [ONE_WRITER, { not: { truthy: 'autoscaling.enabled' } }] })).toHaveLength(8);
    });
  });
});

describe('refused by the chart alone (the construct cannot express them)', () => {
  const refusal = (values: object) => sqliteCharts.refusal(sqliteCharts.backend, values);

  test.each([
    ['a URL and a Secret of yours for it', { database: { type: 'postgres' }, externalDatabase: { url: URL, existingSecret: 'todo-db' } },
      "'externalDatabase.url' cannot be combined with 'externalDatabase.existingSecret' (the value would be ignored), got a value for DATABASE_URL"],
    ['a URL with SQLite', { externalDatabase: { url: URL } },
      "'externalDatabase.url' applies to database.type=postgres only, got a value of 45 characters with database.type=sqlite, which ignores it; unset it or set database.type=postgres"],
    ['a Secret of yours for the URL with SQLite', { externalDatabase: { existingSecret: 'todo-db' } },
      '\'externalDatabase.existingSecret\' applies to database.type=postgres only, got "todo-db" with database.type=sqlite, which ignores it; unset it or set database.type=postgres'],
    ['a claim of yours with PostgreSQL', { database: { type: 'postgres' }, externalDatabase: { existingSecret: 'todo-db' }, persistence: { existingClaim: 'files' } },
      '\'persistence.existingClaim\' applies to database.type=sqlite only, got "files" with database.type=postgres, which ignores it; unset it or set database.type=sqlite'],
    ['the SQLite file in a read-only container', { persistence: { enabled: false } },
      "'securityContext.readOnlyRootFilesystem' must be false with the SQLite file in the container (database.type=sqlite, persistence.enabled=false: sqlite:///./todoapp.db), got true; set it to false, or persistence.enabled=true"],
    ['an engine the backend does not run on', { database: { type: 'mysql' } }, expect.stringContaining('database.type: database.type must be one of the following: "sqlite", "postgres"')],
  ])('%s', (_name, values, message) => {
    expect(refusal(values)).toEqual(message);
  });

  test('helm lint --strict shows the refusal (as helm lint shows every fail: [INFO] Fail)', () => {
    const file = path.join(sqliteCharts.tmp, 'lint-values.json');
    fs.writeFileSync(file, JSON.stringify({ database: { type: 'postgres' } }));
    const lint = helm(['lint', '--strict', sqliteCharts.backend, '-f', file]);
    expect(lint.stdout + lint.stderr).toContain("[INFO] Fail: 'externalDatabase.url' must be a PostgreSQL URL");
    // The chart's own values.yaml holds no URL.
    expect(parseYaml(fs.readFileSync(path.join(sqliteCharts.backend, 'values.yaml'), 'utf8'))[0].externalDatabase.url).toBe('');
  });
});

describe('on upgrade (a stand-in Kubernetes API; helm is real)', () => {
  const api = new FakeApiServer();
  beforeAll(() => api.start());
  afterAll(() => api.stop());

  test('an empty externalDatabase.url keeps the URL of the chart\'s existing Secret (lookup); a URL given replaces it', async () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    api.secrets.set('default/todo-backend-secret', { JWT_SECRET: b64('k'.repeat(40)), DATABASE_URL: b64(URL) });
    const secret = async (...set: string[]) => {
      const r = await api.helm(['template', 'todo-backend', sqliteCharts.backend, '--dry-run=server', '--show-only', 'templates/secret.yaml', '--set', 'database.type=postgres', ...set.flatMap((s) => ['--set-string', s])]);
      expect(r.stderr).toBe('');
      return secretValues(parseYaml(r.stdout)[0]);
    };
    expect(await secret()).toEqual({ JWT_SECRET: 'k'.repeat(40), DATABASE_URL: URL });
    expect((await secret('externalDatabase.url=postgresql://u:p@other/todo')).DATABASE_URL).toBe('postgresql://u:p@other/todo');
    expect(api.requests).toContain('GET /api/v1/namespaces/default/secrets/todo-backend-secret');
  }, 60_000);
});
