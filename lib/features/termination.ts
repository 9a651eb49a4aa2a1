import type { AppComponent } from '../app-component';
import { ChartParts, ComponentFeature, PodFields } from '../component-feature';
import { Helm } from '../helm/template';
import { leaf, ValuesNode } from '../helm/values';
import { Rules } from '../validation';

/**
 * @internal
 * How long a stopping pod may take to finish its requests: the pod field,
 * the chart's `terminationGracePeriodSeconds` value and its binding.
 */
export class Termination implements ComponentFeature {
  public readonly name = 'termination';

  public pod(c: AppComponent): PodFields {
    return { spec: { terminationGracePeriodSeconds: c.terminationGracePeriodSeconds } };
  }

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    return { terminationGracePeriodSeconds: leaf('Seconds a stopping pod may take to finish its requests.', c.terminationGracePeriodSeconds, Rules.secondsOrZero.schema) };
  }

  public chart(): ChartParts {
    return { deployment: [{ path: 'spec.template.spec.terminationGracePeriodSeconds', expr: Helm.scalar('{{ .Values.terminationGracePeriodSeconds | int }}') }] };
  }
}
