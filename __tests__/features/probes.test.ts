import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { componentPlan } from '../../lib/deploy/app-plan';
import { CHECK_PATH, checkPath } from '../../lib/features/probes';
import { HealthProbe, ProbeType } from '../../lib/health-probe';
import { TodoHelmChart } from '../../lib/helm/todo-helm-chart';
import { decide } from '../../lib/helm/value-cases';
import { TodoApp } from '../../lib/todo-app';
import { helm } from '../support/helm';
import { find } from '../support/util';
import { parseYaml } from '../support/yaml';

const TYPES = [ProbeType.HTTP, ProbeType.TCP] as const;
const probe = (type: ProbeType, p: string) => (type === ProbeType.HTTP ? HealthProbe.httpGet(p) : HealthProbe.tcpSocket());
/** Every combination of the readiness and liveness probes' types. */
const COMBINATIONS = TYPES.flatMap((readiness) => TYPES.map((liveness) => ({ readiness, liveness })));
/** The rule, spelled out for the test: the readiness path, else the liveness path, else "/". */
const expected = (c: { readiness: ProbeType; liveness: ProbeType }) => (c.readiness === ProbeType.HTTP ? '/ready' : c.liveness === ProbeType.HTTP ? '/live' : '/');

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'probes-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The path the chart's helm test pod requests, rendered with real helm. */
function testPodPath(chart: string, values: object = {}): string {
  const file = path.join(tmp, `values-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(values));
  const r = helm(['template', 'todo-frontend', chart, '-f', file]);
  if (r.status !== 0) {
    throw new Error(r.stderr);
  }
  return new URL(find(parseYaml(r.stdout), 'Pod', 'todo-frontend-test-connection').spec.containers[0].args[3]).pathname;
}

describe('the path a check from outside the pod requests (CHECK_PATH)', () => {
  test('the constructs, deploy\'s smoke test and the chart\'s helm test pod agree on every combination of probe types', () => {
    const seen = COMBINATIONS.map((c) => {
      const todo = new TodoApp(Testing.chart(), 'todo', { frontend: { readinessProbe: probe(c.readiness, '/ready'), livenessProbe: probe(c.liveness, '/live') } });
      const chart = path.join(tmp, `frontend-${c.readiness}-${c.liveness}`);
      new TodoHelmChart(Testing.app(), 'f', { component: todo.frontend }).writeTo(chart);
      return { ...c, construct: checkPath(todo.frontend), smoke: componentPlan(todo.frontend).smokePath, helmTest: testPodPath(chart) };
    });
    expect(seen).toEqual(COMBINATIONS.map((c) => ({ ...c, construct: expected(c), smoke: expected(c), helmTest: expected(c) })));
  });

  test('the chart decides from the values given at install as decide() does from the same values', () => {
    const chart = path.join(tmp, 'frontend-default');
    new TodoHelmChart(Testing.app(), 'f', { component: new TodoApp(Testing.chart(), 'todo').frontend }).writeTo(chart);
    for (const c of COMBINATIONS) {
      const values = { probes: { readiness: { type: c.readiness, path: '/r' }, liveness: { type: c.liveness, path: '/l' } } };
      const want = decide(CHECK_PATH, values);
      expect([c, testPodPath(chart, values)]).toEqual([c, want]);
      expect(want).toBe(expected(c).replace('/ready', '/r').replace('/live', '/l'));
    }
  });

  test('the default frontend (a TCP readiness probe) is checked at its liveness path', () => {
    const todo = new TodoApp(Testing.chart(), 'todo', { frontend: { livenessPath: '/api/health' } });
    expect(todo.frontend.readinessProbe.type).toBe(ProbeType.TCP);
    expect(checkPath(todo.frontend)).toBe('/api/health');
    expect(checkPath(todo.backend)).toBe(todo.backend.readinessProbe.path);
  });
});
