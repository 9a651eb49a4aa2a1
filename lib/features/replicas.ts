import type { AppComponent } from '../app-component';
import { ChartParts, ComponentFeature, PodFields } from '../component-feature';
import { Helm } from '../helm/template';
import { leaf, ValuesNode } from '../helm/values';
import { Rules } from '../validation';
import { synthesized } from '../helm/escape-hatches';

/**
 * @internal
 * The Deployment's replica count, left out when an autoscaler owns it: the
 * field, the chart's `replicaCount` value and its binding (kept only while
 * `autoscaling.enabled` is false).
 */
export class Replicas implements ComponentFeature {
  public readonly name = 'replicas';

  public pod(c: AppComponent): PodFields {
    return c.autoscaling ? {} : { deployment: { replicas: c.replicas } };
  }

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    return { replicaCount: leaf('Number of pods.', Replicas.patched(c) ?? c.replicas, Rules.replicas.schema) };
  }

  public chart(c: AppComponent): ChartParts {
    return {
      deployment: [{ path: 'spec.replicas', expr: Helm.optional('not .Values.autoscaling.enabled', '{{ .Values.replicaCount | int }}') }],
      carried: Replicas.patched(c) === undefined ? [] : ['spec.replicas'],
    };
  }

  /** The replica count a JSON patch set on the Deployment, when it is one the chart's value can hold (not autoscaled). */
  public static patched(c: AppComponent): number | undefined {
    const replicas = c.autoscaling ? undefined : (c.deployment === undefined ? undefined : synthesized(c.deployment))?.spec?.replicas;
    return Rules.replicas.test(replicas) && replicas !== c.replicas ? replicas : undefined;
  }
}
