import { antiAffinity, spreadConstraints } from '../cluster-objects';
import { ChartParts, ChartScope, ComponentFeature, PodFields } from '../component-feature';
import type { AppComponent } from '../app-component';
import { Helm } from '../helm/template';
import { leaf, ValuesNode } from '../helm/values';

/** The value that switches spreading in a chart. */
const VALUE = 'spreadAcrossNodes';

/**
 * @internal
 * Pods spread over nodes: topology spread constraints on the node name and a
 * preferred pod anti-affinity (`spreadConstraints`, `antiAffinity` in
 * lib/cluster-objects.ts). The chart renders the same two values, with the
 * selector labels of the release.
 */
export class Spreading implements ComponentFeature {
  /**
   * Whether a component spreads its pods: as asked, else when it runs 2 or
   * more pods (replicas, or an autoscaler).
   */
  public static resolve(asked: boolean | undefined, replicas: number, autoscaled: boolean): boolean {
    return asked ?? (autoscaled || replicas >= 2);
  }

  public readonly name = 'spreading';

  public pod(c: AppComponent): PodFields {
    return c.spreadAcrossNodes ? { spec: { affinity: antiAffinity(c.selectorLabels), topologySpreadConstraints: spreadConstraints(c.selectorLabels) } } : {};
  }

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    return { [VALUE]: leaf('Spread the pods over nodes (topology spread constraints; pods still schedule when they cannot be spread).', c.spreadAcrossNodes, { type: 'boolean' }) };
  }

  public chart(_c: AppComponent, chart: ChartScope): ChartParts {
    const selector = [{ path: '', expr: Helm.nindent(chart.include('selectorLabels')) }];
    const labels = (path: string) => selector.map((b) => ({ ...b, path }));
    const when = `.Values.${VALUE}`;
    const pod = 'spec.template.spec';
    return {
      deployment: [
        { path: `${pod}.affinity`, expr: Helm.optionalValue(when, antiAffinity({}), labels('podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution.0.podAffinityTerm.labelSelector.matchLabels')) },
        { path: `${pod}.topologySpreadConstraints`, expr: Helm.optionalValue(when, spreadConstraints({}), labels('0.labelSelector.matchLabels')) },
      ],
    };
  }
}
