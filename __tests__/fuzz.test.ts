import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import { Chart, Size, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { BackendDatabase } from '../lib/backend-database';
import { componentValues } from '../lib/helm/chart-values';
import { TodoHelmChart } from '../lib/helm/todo-helm-chart';
import { defaultValues, renderValuesSchema } from '../lib/helm/values';
import { SETTINGS } from '../lib/settings';
import { synthesize } from '../lib/synth';
import { Profile, TodoApp, TodoAppProps } from '../lib/todo-app';
import { runAllChecks } from '../lib/checks';
import { LOW_ID_BELOW } from '../lib/checks/lint';
import { excuseLintFinding } from '../lib/lint-exceptions';
import { validateObjects } from './support/k8s-schema';

/**
 * Property-based tests over the constructs' props and the default app's
 * settings. Seeded: FUZZ_SEED=<n> reproduces a run (fast-check prints the seed
 * and path of a failure); FUZZ_RUNS scales the number of cases.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
const VALID_RUNS = 600 * RUNS;
const INVALID_RUNS = 500 * RUNS;

const label = fc.stringMatching(/^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$/);
const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,30}$/);
const httpPath = fc.stringMatching(/^\/[A-Za-z0-9\-._~]{0,20}$/);
const database = fc.oneof(
  fc.record({ size: fc.integer({ min: 1, max: 50 }), storageClass: fc.option(label, { nil: undefined }) }).map((o) => BackendDatabase.sqlite({ size: Size.gibibytes(o.size), storageClass: o.storageClass })),
  fc.constant(BackendDatabase.ephemeralSqlite()),
  fc.tuple(label, fc.integer({ min: 1, max: 65535 })).map(([host, port]) => BackendDatabase.postgres(`postgresql://todo:pw@${host}:${port}/todo`)),
);

const hostName = fc.tuple(label, label).map(([a, b]) => `${a}.${b}.example`);
const clusterProps = fc.record({
  namespace: label,
  host: hostName,
  tlsSecret: fc.option(label, { nil: undefined }),
  backendPath: fc.stringMatching(/^\/[a-z0-9]{1,10}$/),
  minReplicas: fc.integer({ min: 2, max: 10 }),
  extra: fc.integer({ min: 0, max: 20 }),
  cpu: fc.integer({ min: 1, max: 100 }),
  fromSecret: fc.boolean(),
}).map((v) => ({
  namespace: v.namespace,
  props: {
    profile: Profile.CLUSTER,
    cluster: { host: v.host, tlsSecret: v.tlsSecret, backendPath: v.backendPath, autoscaling: { minReplicas: v.minReplicas, maxReplicas: v.minReplicas + v.extra, targetCpuUtilization: v.cpu } },
    backend: { database: v.fromSecret ? BackendDatabase.postgresFromSecret({ secretName: 'todo-db' }) : BackendDatabase.postgres(`postgresql://u:p@${v.host}:5432/todo`) },
  } as TodoAppProps,
}));

const minikubeProps = fc.record({
  namespace: label,
  nodeAddress: fc.ipV4(),
  nodePorts: fc.uniqueArray(fc.integer({ min: 30000, max: 32767 }), { minLength: 2, maxLength: 2 }),
  names: fc.uniqueArray(label, { minLength: 2, maxLength: 2 }),
  database,
  backendReplicas: fc.integer({ min: 0, max: 5 }),
  frontendReplicas: fc.integer({ min: 0, max: 5 }),
  tags: fc.tuple(tag, tag),
  ports: fc.tuple(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 65535 })),
  paths: fc.tuple(httpPath, httpPath),
  runAsUser: fc.integer({ min: 1, max: 65535 }),
  networkPolicy: fc.boolean(),
}).map((v) => ({
  namespace: v.namespace,
  props: {
    nodeAddress: v.nodeAddress,
    backend: {
      name: v.names[0],
      database: v.database,
      replicas: v.database.allowsReplicas ? v.backendReplicas : Math.min(v.backendReplicas, 1),
      imageTag: v.tags[0],
      nodePort: v.nodePorts[0],
      servicePort: v.ports[0],
      healthPath: v.paths[0],
      runAsUser: v.runAsUser,
      networkPolicy: v.networkPolicy,
    },
    frontend: {
      name: v.names[1],
      replicas: v.frontendReplicas,
      imageTag: v.tags[1],
      nodePort: v.nodePorts[1],
      servicePort: v.ports[1],
      livenessPath: v.paths[1],
    },
  } as TodoAppProps,
}));

const validProps = fc.oneof({ arbitrary: minikubeProps, weight: 3 }, { arbitrary: clusterProps, weight: 1 });

describe(`fuzzed inputs (seed ${SEED})`, () => {
  test(`${VALID_RUNS} valid props: strictly valid manifests that pass every check, and charts whose defaults pass their schema`, () => {
    const ajv = new Ajv({ strict: false });
    // Schemas differ only in their descriptions and defaults' shapes; compile each distinct one once.
    const validators = new Map<string, ReturnType<Ajv['compile']>>();
    const compile = (schema: object) => {
      const key = JSON.stringify(schema);
      if (!validators.has(key)) validators.set(key, ajv.compile(schema));
      return validators.get(key)!;
    };
    fc.assert(fc.property(validProps, ({ namespace, props }) => {
      const app = Testing.app();
      const chart = new Chart(app, 'fuzz', { namespace });
      const todo = new TodoApp(chart, 'todo', props);
      const runAsUser = props.backend?.runAsUser;
      if (runAsUser !== undefined && runAsUser < LOW_ID_BELOW) {
        // kube-score's rule, which chart.toJson() runs on the components' objects: a low ID is excused as a user would.
        excuseLintFinding(todo.backend.deployment, 'container-security-context-user-group-id', `the image runs as user ${runAsUser}`);
      }
      const objects = chart.toJson();
      expect(validateObjects(objects)).toEqual([]);
      expect(runAllChecks(objects, { externalSecrets: todo.components.flatMap((c) => c.externalSecrets) })).toEqual([]);
      for (const component of todo.components) {
        const values = componentValues(component);
        const validate = compile(renderValuesSchema(values, 'fuzz'));
        expect([validate(defaultValues(values)), validate.errors]).toEqual([true, null]);
        expect(Object.keys(new TodoHelmChart(app, `${component.role}-chart`, { component }).files())).toContain('templates/deployment.yaml');
      }
    }), { seed: SEED, numRuns: VALID_RUNS });
  });

  describe('invalid settings', () => {
    let tmp: string;
    beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-')); });
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

    const rule = (variable: string) => SETTINGS.find((s) => s.variable === variable)!.rule;
    const bad = (variable: string, values: fc.Arbitrary<string>) =>
      values.filter((v) => {
        const def = SETTINGS.find((s) => s.variable === variable)!;
        const parsed = def.integer && /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v;
        return !rule(variable).test(parsed);
      }).map((v) => ({ env: { [variable]: v } as { [k: string]: string }, names: variable }));
    const text = fc.string({ maxLength: 80 });
    const cases = fc.oneof(
      bad('TODO_NAMESPACE', fc.oneof(text, fc.string({ minLength: 64, maxLength: 70 }).map((s) => `a${s}`), label.map((l) => l.toUpperCase()))),
      bad('TODO_NODE_ADDRESS', fc.oneof(text, fc.webUrl())),
      bad('TODO_IMAGE_PULL_POLICY', text),
      bad('TODO_BACKEND_IMAGE', fc.oneof(text, tag.map((t) => `Repo:${t}`))),
      bad('TODO_FRONTEND_IMAGE_TAG', fc.oneof(text, fc.string({ minLength: 129, maxLength: 140 }).map((s) => `v${s}`))),
      bad('TODO_BACKEND_IMAGE_TAG', fc.oneof(text, tag.map((t) => `-${t}`))),
      bad('TODO_BACKEND_REPLICAS', fc.oneof(text, fc.integer({ max: -1 }).map(String), fc.double({ noNaN: true }).map(String))),
      bad('TODO_FRONTEND_REPLICAS', fc.oneof(text, fc.integer({ max: -1 }).map(String))),
      bad('TODO_BACKEND_NODE_PORT', fc.oneof(text, fc.integer().filter((n) => n < 30000 || n > 32767).map(String))),
      bad('TODO_FRONTEND_NODE_PORT', fc.integer().filter((n) => n < 30000 || n > 32767).map(String)),
      bad('TODO_BACKEND_HEALTH_PATH', fc.oneof(text, httpPath.map((p) => p.slice(1) || 'x'))),
      bad('TODO_FRONTEND_LIVENESS_PATH', text),
      bad('TODO_ANTHROPIC_MODEL', fc.constantFrom('', ' ', '\t')),
      bad('TODO_DATABASE', text),
      bad('TODO_BACKEND_VOLUME_SIZE', fc.oneof(text, fc.integer({ min: 1, max: 100 }).map((n) => `${n} Gi`))),
      bad('TODO_BACKEND_STORAGE_CLASS', fc.oneof(text, label.map((l) => `${l}_x`))),
      bad('TODO_NETWORK_POLICY', text),
      fc.integer({ min: 2, max: 99 }).map((n) => ({ env: { TODO_BACKEND_REPLICAS: String(n) }, names: 'TODO_BACKEND_REPLICAS' })),
      fc.integer({ min: 30000, max: 32767 }).map((n) => ({ env: { TODO_BACKEND_NODE_PORT: String(n), TODO_FRONTEND_NODE_PORT: String(n) }, names: 'TODO_FRONTEND_NODE_PORT' })),
      fc.stringMatching(/^TODO_[A-Z_]{1,20}$/).filter((v) => !SETTINGS.some((s) => s.variable === v)).map((v) => ({ env: { [v]: '1' }, names: v })),
      fc.string({ maxLength: 31 }).map((v) => ({ env: { JWT_SECRET: v }, names: 'JWT_SECRET' })),
      fc.string({ maxLength: 31 }).map((v) => ({ env: { BETTER_AUTH_SECRET: v }, names: 'BETTER_AUTH_SECRET' })),
    );

    test(`${INVALID_RUNS} invalid settings: each fails with a message naming the setting, and writes nothing`, () => {
      let run = 0;
      fc.assert(fc.property(cases, ({ env, names }) => {
        const dir = path.join(tmp, `run-${run++}`);
        fs.mkdirSync(dir);
        const error = (() => {
          try {
            synthesize({ outdir: path.join(dir, 'dist'), env: { ...env, TODO_SECRETS_FILE: path.join(dir, 'secrets.json') } });
          } catch (e) {
            return e as Error;
          }
          return undefined;
        })();
        expect(error).toBeInstanceOf(Error);
        expect(error!.message).toContain(names);
        expect(error!.message).toMatch(/must|unknown setting/);
        expect(fs.readdirSync(dir)).toEqual([]);
        fs.rmdirSync(dir);
      }), { seed: SEED, numRuns: INVALID_RUNS });
    });
  });
});
