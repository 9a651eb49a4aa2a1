import { spreadConstraints } from '../cluster-objects';
import { ChartParts, ChartScope, ComponentFeature, PodFields } from '../component-feature';
import type { AppComponent } from '../app-component';
import { Helm } from '../helm/template';
import { caseLines, decide, ValueCase } from '../helm/value-cases';
import { leaf, ValuesNode } from '../helm/values';
import { Replicas } from './replicas';

/** The value that switches spreading in a chart. */
const VALUE = 'spreadAcrossNodes';

/** @internal The fewest pods that spread when spreading is automatic (the prop unset, the value null). */
export const SPREAD_FROM = 2;

/** @internal The chart helper that renders "true" when the pods spread (the value, or when null, 2 or more pods). */
export const SPREAD_HELPER = 'spreadAcrossNodes';

/**
 * Whether the pods spread, from the values ("true" or ""): as
 * `spreadAcrossNodes` says, or when it is null, when 2 or more pods run
 * (`replicaCount`, or `autoscaling.enabled`). `Spreading.resolve` and the
 * chart's helper both read it.
 */
const SPREAD_CASES: readonly ValueCase[] = [
  { when: { truthy: VALUE }, then: { text: 'true' } },
  { when: { isBool: VALUE }, then: { text: '' } },
  { when: { any: [{ truthy: 'autoscaling.enabled' }, { atLeast: 'replicaCount', n: SPREAD_FROM }] }, then: { text: 'true' } },
];

/**
 * @internal
 * Pods spread over nodes: topology spread constraints on the node name
 * (`spreadConstraints` in lib/cluster-objects.ts), and a preferred pod
 * anti-affinity, which the scheduling feature renders in the pods' affinity
 * (lib/features/scheduling.ts). As asked, or when unset, when the component
 * runs 2 or more pods: the chart's value is null then, and the chart decides
 * from `replicaCount` and `autoscaling.enabled` the same way.
 */
export class Spreading implements ComponentFeature {
  /**
   * Whether a component spreads its pods: as asked, else when it runs 2 or
   * more pods (replicas, or an autoscaler).
   */
  public static resolve(asked: boolean | undefined, replicas: number, autoscaled: boolean): boolean {
    return decide(SPREAD_CASES, { [VALUE]: asked ?? null, autoscaling: { enabled: autoscaled }, replicaCount: replicas }) !== '';
  }

  public readonly name = 'spreading';
  /** Its chart parts depend on the chart's name alone (no option). */
  public readonly chartPartsKey = '';

  /** @param asked `spreadAcrossNodes` as given (undefined: automatic). */
  constructor(private readonly asked?: boolean) {}

  public pod(c: AppComponent): PodFields {
    return c.spreadAcrossNodes ? { spec: { topologySpreadConstraints: spreadConstraints(c.selectorLabels) } } : {};
  }

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    // A replica count a JSON patch set is the chart's replicaCount (lib/features/replicas.ts), but the
    // constructs decided spreading from the count as built: the default keeps their decision when they differ.
    const patched = Replicas.patched(c);
    const decided = this.asked === undefined && patched !== undefined && Spreading.resolve(undefined, patched, false) !== c.spreadAcrossNodes ? c.spreadAcrossNodes : undefined;
    return {
      [VALUE]: leaf(`Spread the pods over nodes (topology spread constraints and a preferred pod anti-affinity; pods still schedule when they cannot be spread).\nnull: spread when ${SPREAD_FROM} or more pods run (replicaCount, or autoscaling.enabled).`, this.asked ?? decided ?? null, { anyOf: [{ type: 'boolean' }, { type: 'null' }] }),
    };
  }

  public chart(_c: AppComponent, chart: ChartScope): ChartParts {
    const selector = [{ path: '0.labelSelector.matchLabels', expr: Helm.nindent(chart.include('selectorLabels')) }];
    const n = chart.chartName;
    return {
      deployment: [
        { path: 'spec.template.spec.topologySpreadConstraints', expr: Helm.optionalValue(chart.include(SPREAD_HELPER), spreadConstraints({}), selector) },
      ],
      helpers: [
        `{{/* "true" when the pods spread over nodes: values.spreadAcrossNodes, or when it is null, ${SPREAD_FROM} or more pods (SPREAD_CASES, as Spreading.resolve). */}}`,
        `{{- define "${n}.${SPREAD_HELPER}" -}}`,
        ...caseLines(SPREAD_CASES, (helper) => chart.include(helper)),
        '{{- end }}',
      ],
    };
  }
}
