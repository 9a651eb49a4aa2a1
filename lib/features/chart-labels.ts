import { Chart } from 'cdk8s';
import type { AppComponent } from '../app-component';
import { ComponentFeature } from '../component-feature';
import { leaf, ValuesNode } from '../helm/values';

/**
 * @internal
 * The labels of the cdk8s Chart the component is built in: cdk8s puts them
 * on every object of the plain manifests, and the chart's value
 * `commonLabels` holds them, rendered after each object's own labels
 * ({@link commonLabelsLines}, in the names' metadata bindings).
 */
export class ChartLabels implements ComponentFeature {
  public readonly name = 'chart labels';

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    return {
      commonLabels: leaf('Labels of every object, besides the chart\'s own: the labels of the cdk8s Chart the component was built in.', { ...Chart.of(c).labels }, { type: 'object', additionalProperties: { type: 'string' } }),
    };
  }
}

/** @internal Template lines that render values.commonLabels at `indent` (nothing when empty). */
export function commonLabelsLines(indent: number): string[] {
  const pad = ' '.repeat(indent);
  return [`${pad}{{- with .Values.commonLabels }}`, `${pad}{{- toYaml . | nindent ${indent} }}`, `${pad}{{- end }}`];
}
