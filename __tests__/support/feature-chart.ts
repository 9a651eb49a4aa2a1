import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { AppComponent, AppComponentOptions } from '../../lib/app-component';
import { checkAppElsewhere } from '../../lib/app-checks';
import { BackendDatabase } from '../../lib/backend-database';
import { componentValues, secretInstallValues } from '../../lib/helm/chart-values';
import { TodoHelmChart } from '../../lib/helm/todo-helm-chart';
import { defaultValues } from '../../lib/helm/values';
import { TodoBackend, TodoBackendProps } from '../../lib/todo-backend';
import { TodoFrontend, TodoFrontendProps } from '../../lib/todo-frontend';
import { helm } from './helm';
import { parseYaml } from './yaml';
import { TEST_SECRETS } from './util';

/**
 * Helpers of the feature tests (__tests__/features): a frontend built with
 * the props under test, the chart of the default frontend, and renders of
 * that chart with values, with the real helm.
 */

/** A frontend (beside a PostgreSQL backend, so that both may run several pods) built with `props`, in namespace `default`. */
export function frontendWith(props: Partial<TodoFrontendProps> = {}): TodoFrontend {
  const app = Testing.app();
  checkAppElsewhere(app);
  const chart = new Chart(app, 'c', { namespace: 'default' });
  const backend = new TodoBackend(chart, 'b', { jwtSecret: TEST_SECRETS.jwtSecret, database: BackendDatabase.postgres('postgresql://todo:pw@db:5432/todo'), corsOrigins: ['http://192.168.49.2:30300'] });
  return new TodoFrontend(chart, 'f', { backend, betterAuthSecret: TEST_SECRETS.betterAuthSecret, ...props });
}

/** A backend (and its frontend) with these options, in a chart of no namespace: the objects and both components. */
export function componentsWith(backend: TodoBackendProps = {}, frontend: AppComponentOptions = {}) {
  const chart = new Chart(Testing.app(), 'test');
  const b = new TodoBackend(chart, 'backend', { jwtSecret: TEST_SECRETS.jwtSecret, corsOrigins: ['http://192.168.49.2:30300'], ...backend });
  const f = new TodoFrontend(chart, 'frontend', { backend: b, betterAuthSecret: TEST_SECRETS.betterAuthSecret, ...frontend });
  return { objects: chart.toJson(), backend: b, frontend: f };
}

/** Writes the chart of the default frontend into a new temporary directory. */
export function defaultFrontendChart(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'feature-chart-'));
  new TodoHelmChart(Testing.app(), 'chart', { component: frontendWith() }).writeTo(dir);
  return dir;
}

/** The values that stand for a component on a chart of the same kind (as the one-model test derives them). */
export function valuesFor(component: AppComponent): { [key: string]: unknown } {
  const values = defaultValues(componentValues(component)) as { [key: string]: any };
  // The secret values given (a values.yaml never holds them), where an install passes them: secrets.<NAME>, externalDatabase.url.
  for (const [at, value] of Object.entries(secretInstallValues(component))) {
    const keys = at.split('.');
    keys.slice(0, -1).reduce((node, k) => node[k], values)[keys[keys.length - 1]] = value;
  }
  return values;
}

function withValuesFile<T>(values: unknown, run: (file: string) => T): T {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'feature-values-')), 'values.json');
  fs.writeFileSync(file, JSON.stringify(values));
  try {
    return run(file);
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

/** `helm template` of the chart in `dir` with a values file holding `values`: the status, the objects (hooks left out) and helm's message. */
export function renderWith(dir: string, values: unknown): { status: number | null; objects: any[]; stderr: string } {
  return withValuesFile(values, (file) => {
    const r = helm(['template', 'todo-frontend', dir, '--namespace', 'default', '--values', file]);
    const objects = r.status === 0 ? parseYaml(r.stdout).filter((o) => o.metadata?.annotations?.['helm.sh/hook'] === undefined) : [];
    return { status: r.status, objects, stderr: r.stderr };
  });
}

/** `helm lint --strict` of the chart in `dir` with a values file holding `values`: its status and output. */
export function lintWith(dir: string, values: unknown): { status: number | null; output: string } {
  return withValuesFile(values, (file) => {
    const r = helm(['lint', '--strict', dir, '--values', file]);
    return { status: r.status, output: r.stdout + r.stderr };
  });
}

/** helm's message for a chart that refuses its values (one line). */
export const helmMessage = (stderr: string) => /execution error at \([^)]*\): (.*)/.exec(stderr)?.[1] ?? stderr;

/** The message a construct throws. */
export function thrown(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

/** A props message as a chart says it: settings named as values (`'frontend.affinity'` is the value `'affinity'`). */
export const asValues = (message: string) => message.replace(/'(?:backend|frontend)\./g, "'");
