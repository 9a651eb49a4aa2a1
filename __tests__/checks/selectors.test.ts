import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BackendDatabase } from '../../lib/backend-database';
import { synthesize } from '../../lib/synth';
import { Profile, TodoApp } from '../../lib/todo-app';
import { checkManifests, checkOneWorkloadPerSelector, labelSelectorMatches, runAllChecks } from '../../lib/checks';
import * as k8s from '../../imports/k8s';
import { synth, TEST_SECRETS } from '../support/util';
import { deployment as deploymentOf, service as serviceOf } from '../support/manifests';

const SECRETS = { jwtSecret: TEST_SECRETS.jwtSecret };

/** The default app's objects, deep-copied so each test can change them. */
function objects(): any[] {
  return JSON.parse(JSON.stringify(synth((chart) => new TodoApp(chart, 'todo', { backend: SECRETS, frontend: { betterAuthSecret: TEST_SECRETS.betterAuthSecret } }))));
}

function clusterObjects(): any[] {
  return JSON.parse(JSON.stringify(synth((chart) => new TodoApp(chart, 'todo', {
    profile: Profile.CLUSTER,
    cluster: { host: 'todo.example.com' },
    backend: { database: BackendDatabase.postgres('postgresql://u:p@db:5432/todo'), ...SECRETS },
    frontend: { betterAuthSecret: TEST_SECRETS.betterAuthSecret },
  }))));
}

const get = (objs: any[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);
const backendPodLabels = (objs: any[]) => get(objs, 'Deployment', 'todo-backend').spec.template.metadata.labels;

/** A bare Pod with these labels (as `helm create`'s test pod carries the selector labels). */
function barePod(name: string, labels: { [k: string]: string }, namespace?: string): any {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels, ...(namespace ? { namespace } : {}) }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } };
}

describe('checkOneWorkloadPerSelector', () => {
  test('the default app and the cluster profile pass', () => {
    expect(checkOneWorkloadPerSelector(objects())).toEqual([]);
    expect(checkOneWorkloadPerSelector(clusterObjects())).toEqual([]);
  });

  test('fails when a Service also selects a bare Pod (helm create\'s test pod): names the Service, its selector and both workloads', () => {
    const o = objects();
    o.push(barePod('todo-backend-test-connection', { ...backendPodLabels(o) }));
    const findings = checkOneWorkloadPerSelector(o);
    expect(findings).toContainEqual({
      object: 'Service default/todo-backend',
      field: 'spec.selector',
      message: 'selector {"app.kubernetes.io/instance":"todo-backend","app.kubernetes.io/name":"todo-backend"} selects the pods of 2 workloads '
        + '(Deployment default/todo-backend, Pod default/todo-backend-test-connection); a Service must send traffic to the pods of one workload only',
    });
    // The NetworkPolicy and the Deployment's own selector pick it up too.
    expect(findings.map((f) => `${f.object} ${f.field}`)).toEqual([
      'Deployment default/todo-backend spec.selector',
      'Service default/todo-backend spec.selector',
      'NetworkPolicy default/todo-backend spec.podSelector',
    ]);
  });

  test('fails when a Service selects the pods of two Deployments (reported once, by this rule)', () => {
    const o = objects();
    get(o, 'Service', 'todo-backend').spec.selector = { 'app.kubernetes.io/part-of': 'todo' };
    expect(checkManifests(o)).toEqual([]);
    expect(runAllChecks(o)).toEqual([{
      object: 'Service default/todo-backend',
      field: 'spec.selector',
      message: 'selector {"app.kubernetes.io/part-of":"todo"} selects the pods of 2 workloads (Deployment default/todo-backend, Deployment default/todo-frontend); a Service must send traffic to the pods of one workload only',
    }]);
  });

  test('fails when a NetworkPolicy\'s matchLabels select the pods of two workloads', () => {
    const o = objects();
    get(o, 'NetworkPolicy', 'todo-frontend').spec.podSelector = { matchLabels: { 'app.kubernetes.io/part-of': 'todo' } };
    expect(checkOneWorkloadPerSelector(o)).toEqual([{
      object: 'NetworkPolicy default/todo-frontend',
      field: 'spec.podSelector',
      message: 'selector {"matchLabels":{"app.kubernetes.io/part-of":"todo"}} selects the pods of 2 workloads (Deployment default/todo-backend, Deployment default/todo-frontend); its rules would apply to the pods of each',
    }]);
  });

  test('fails when a NetworkPolicy\'s matchExpressions select the pods of two workloads', () => {
    const o = objects();
    get(o, 'NetworkPolicy', 'todo-backend').spec.podSelector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['todo-backend', 'todo-frontend'] }] };
    const [finding, ...rest] = checkOneWorkloadPerSelector(o);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ object: 'NetworkPolicy default/todo-backend', field: 'spec.podSelector' });
    expect(finding.message).toContain('(Deployment default/todo-backend, Deployment default/todo-frontend)');
  });

  test('a NetworkPolicy with podSelector {} (every pod of the namespace, on purpose) is exempt', () => {
    const o = objects();
    o.push(k8s.KubeNetworkPolicy.manifest({ metadata: { name: 'default-deny' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } }));
    expect(checkOneWorkloadPerSelector(o)).toEqual([]);
    expect(runAllChecks(o)).toEqual([]); // nor does it "select no pods"
  });

  test('fails when a PodDisruptionBudget selects the pods of two workloads', () => {
    const o = clusterObjects();
    get(o, 'PodDisruptionBudget', 'todo-backend').spec.selector = { matchExpressions: [{ key: 'app.kubernetes.io/part-of', operator: 'Exists' }] };
    expect(checkOneWorkloadPerSelector(o)).toEqual([{
      object: 'PodDisruptionBudget default/todo-backend',
      field: 'spec.selector',
      message: 'selector {"matchExpressions":[{"key":"app.kubernetes.io/part-of","operator":"Exists"}]} selects the pods of 2 workloads (Deployment default/todo-backend, Deployment default/todo-frontend); '
        + 'it would count their pods together, so one workload could lose every pod while the budget holds',
    }]);
  });

  test('fails when a PodDisruptionBudget has selector {} (every pod of the namespace) beside two workloads; without a selector it selects nothing', () => {
    const o = clusterObjects();
    get(o, 'PodDisruptionBudget', 'todo-frontend').spec.selector = {};
    expect(checkOneWorkloadPerSelector(o).map((f) => f.object)).toEqual(['PodDisruptionBudget default/todo-frontend']);
    delete get(o, 'PodDisruptionBudget', 'todo-frontend').spec.selector;
    expect(checkOneWorkloadPerSelector(o)).toEqual([]);
  });

  test('fails when a Deployment\'s selector also selects another workload\'s pods', () => {
    const o = objects();
    get(o, 'Deployment', 'todo-frontend').spec.selector = { matchLabels: { 'app.kubernetes.io/part-of': 'todo' } };
    expect(checkOneWorkloadPerSelector(o)).toEqual([expect.objectContaining({
      object: 'Deployment default/todo-frontend',
      field: 'spec.selector',
      message: expect.stringContaining('selects the pods of 2 workloads (Deployment default/todo-backend, Deployment default/todo-frontend); controllers with overlapping selectors fight over the pods'),
    })]);
  });

  test('fails when two bare Pods share a Service (each bare Pod is one workload)', () => {
    const o = objects().filter((x) => x.kind !== 'Deployment' || x.metadata.name !== 'todo-backend');
    const labels = { 'app.kubernetes.io/name': 'todo-backend', 'app.kubernetes.io/instance': 'todo-backend' };
    o.push(barePod('a', labels), barePod('b', labels));
    expect(checkOneWorkloadPerSelector(o).map((f) => `${f.object}: ${f.message.replace(/^selector \S+ /, '').replace(/;.*/, '')}`)).toEqual([
      'Service default/todo-backend: selects the pods of 2 workloads (Pod default/a, Pod default/b)',
      'NetworkPolicy default/todo-backend: selects the pods of 2 workloads (Pod default/a, Pod default/b)',
    ]);
  });

  test('pods of another namespace, a Service without a selector, and an ExternalName Service are not counted', () => {
    const o = objects();
    o.push(barePod('elsewhere', { ...backendPodLabels(o) }, 'other'));
    o.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'manual' }, spec: { ports: [{ port: 80 }] } });
    o.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'db.example.com', selector: { 'app.kubernetes.io/part-of': 'todo' } } });
    expect(checkOneWorkloadPerSelector(o)).toEqual([]);
  });

  test('a Job counts as a workload, and its own selector only with manualSelector', () => {
    const o = objects();
    const labels = { ...backendPodLabels(o) };
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate' }, spec: { selector: { matchLabels: { app: 'todo-backend' } }, template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'x' }] } } } };
    o.push(job);
    const objectsOf = () => checkOneWorkloadPerSelector(o).map((f) => f.object);
    expect(objectsOf()).toEqual(['Deployment default/todo-backend', 'Service default/todo-backend', 'NetworkPolicy default/todo-backend']);
    (job.spec as any).manualSelector = true;
    expect(objectsOf()).toContain('Job default/migrate');
  });

  test('runs on every synth: a stray Pod with a component\'s labels fails the synth and writes nothing', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'selectors-'));
    try {
      const outdir = path.join(tmp, 'dist');
      expect(() => synthesize({
        outdir,
        env: { JWT_SECRET: TEST_SECRETS.jwtSecret, BETTER_AUTH_SECRET: TEST_SECRETS.betterAuthSecret, TODO_SECRETS_FILE: path.join(tmp, 's.json') },
        extend: (todo) => new k8s.KubePod(todo, 'stray', { metadata: { name: 'stray', labels: { 'app.kubernetes.io/name': 'todo-frontend', 'app.kubernetes.io/instance': 'todo-frontend' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } }),
      })).toThrow('Service default/todo-frontend spec.selector: selector {"app.kubernetes.io/instance":"todo-frontend","app.kubernetes.io/name":"todo-frontend"} selects the pods of 2 workloads (Deployment default/todo-frontend, Pod default/stray)');
      expect(fs.existsSync(outdir)).toBe(false);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('labelSelectorMatches', () => {
  const labels = { app: 'todo', tier: 'web' };
  test.each([
    ['matchLabels that hold', { matchLabels: { app: 'todo' } }, true],
    ['matchLabels that do not', { matchLabels: { app: 'todo', tier: 'db' } }, false],
    ['In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'db'] }] }, true],
    ['In, key absent', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, false],
    ['NotIn, value listed', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, false],
    ['NotIn, key absent', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
    ['Exists', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    ['matchLabels and matchExpressions together', { matchLabels: { app: 'todo' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, false],
    ['an unknown operator', { matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] }, false],
    ['{} (everything)', {}, true],
    ['null (nothing)', null, false],
  ])('%s', (_name, selector, expected) => {
    expect(labelSelectorMatches(selector, labels)).toBe(expected);
  });
});

describe('checkOneWorkloadPerSelector over hand-written objects', () => {
  const two = () => [deploymentOf('a', { labels: { part: 'todo', app: 'a' } }), deploymentOf('b', { labels: { part: 'todo', app: 'b' } })];

  test('an explicit default namespace is the default namespace; objects without metadata are in it too', () => {
    const svc = serviceOf('todo', { part: 'todo' }, undefined, {}, 'default');
    expect(checkOneWorkloadPerSelector([...two(), svc]).map((f) => f.object)).toEqual(['Service default/todo']);
    const anonymous = { kind: 'Pod', spec: { containers: [] } };
    expect(checkOneWorkloadPerSelector([deploymentOf('a', { labels: { part: 'todo' } }), anonymous, serviceOf('todo', { part: 'todo' })])).toEqual([]);
  });

  test('only a NetworkPolicy\'s podSelector and only a Job\'s manualSelector are read: other kinds with those fields are not selectors', () => {
    const lookalike = { apiVersion: 'example.com/v1', kind: 'PolicyLike', metadata: { name: 'p' }, spec: { podSelector: { matchLabels: { part: 'todo' } } } };
    const cron = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { manualSelector: true, selector: { matchLabels: { part: 'todo' } } } };
    expect(checkOneWorkloadPerSelector([...two(), lookalike, cron])).toEqual([]);
  });
});
