import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { TodoHelmChart } from '../../lib/helm/todo-helm-chart';
import { TodoApp, TodoAppProps } from '../../lib/todo-app';
import { helmMessage } from './feature-chart';
import { helm } from './helm';
import { validateObjects } from './k8s-schema';
import { parseYaml } from './yaml';

export { thrown } from './feature-chart';

/**
 * The charts of the default app, written once into a temporary directory,
 * and renders of them with values given as a values file (keys with dots,
 * such as label keys, need no escaping there), the way a user passes `-f`.
 */
export class FeatureCharts {
  public readonly tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'feature-charts-'));
  public readonly backend: string;
  public readonly frontend: string;
  private files = 0;

  constructor(props: TodoAppProps = {}) {
    const todo = new TodoApp(Testing.chart(), 'todo', props);
    this.backend = path.join(this.tmp, 'backend');
    this.frontend = path.join(this.tmp, 'frontend');
    new TodoHelmChart(Testing.app(), 'b', { component: todo.backend }).writeTo(this.backend);
    new TodoHelmChart(Testing.app(), 'f', { component: todo.frontend }).writeTo(this.frontend);
  }

  /** `helm lint --strict` and `helm template` with these values; the objects, each strictly valid against the 1.28 schema. */
  public render(chart: string, values: object): any[] {
    const file = this.valuesFile(values);
    const lint = helm(['lint', '--strict', chart, '-f', file]);
    if (lint.status !== 0 || !lint.stdout.includes('0 chart(s) failed')) {
      throw new Error(`helm lint --strict failed: ${lint.stdout}${lint.stderr}`);
    }
    const r = helm(['template', path.basename(chart) === 'backend' ? 'todo-backend' : 'todo-frontend', chart, '-f', file]);
    if (r.status !== 0) {
      throw new Error(r.stderr.trim());
    }
    const objects = parseYaml(r.stdout);
    const invalid = validateObjects(objects);
    if (invalid.length > 0) {
      throw new Error(`not valid against the 1.28 schema:\n${invalid.join('\n')}`);
    }
    return objects;
  }

  /** helm's message when the chart refuses these values: the `fail` text, or the schema's. */
  public refusal(chart: string, values: object): string {
    const r = helm(['template', 'todo', chart, '-f', this.valuesFile(values)]);
    if (r.status === 0) {
      throw new Error(`expected helm template to fail with ${JSON.stringify(values)}`);
    }
    return helmMessage(r.stderr.trim());
  }

  public cleanup(): void {
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }

  private valuesFile(values: object): string {
    const file = path.join(this.tmp, `values-${this.files++}.json`);
    fs.writeFileSync(file, JSON.stringify(values));
    return file;
  }
}

/** What a message says after the setting it names: the words a chart and the props share. */
export const sentence = (message: string): string => message.replace(/^[^]*?'[^']+' /, '');
