import * as k8s from '../../imports/k8s';
import type { AppComponent } from '../app-component';
import { disruptionBudgetSpec } from '../cluster-objects';
import { ChartParts, ChartScope, ComponentFeature } from '../component-feature';
import { messageWith } from '../helm/chart-rules';
import { Helm, renderTemplate } from '../helm/template';
import { group, leaf, ValuesNode } from '../helm/values';
import { caseLines, testPipeline } from '../helm/value-cases';
import { BUDGET_LEAVES_NO_POD, minAvailableBelow, REPLICAS_IN_EFFECT } from '../shared-rules';
import { integerBetween } from '../validation';

/** The pods a chart's budget keeps when `podDisruptionBudget.enabled` is set at install and the component had none. */
const CHART_DEFAULT_MIN_AVAILABLE = 1;

/**
 * @internal
 * A PodDisruptionBudget that keeps `minAvailable` pods through node drains
 * (`disruptionBudgetSpec`): the object, the chart's `podDisruptionBudget`
 * values, its template and the rule that the budget leaves a pod to drain.
 */
export class DisruptionBudget implements ComponentFeature {
  public readonly name = 'disruption budget';
  /** Its chart parts depend on the chart's name alone (no option). */
  public readonly chartPartsKey = '';

  /** The component's budget, when `minAvailable` is set. */
  public object(c: AppComponent): k8s.KubePodDisruptionBudget | undefined {
    return c.minAvailable === undefined ? undefined : new k8s.KubePodDisruptionBudget(c, 'DisruptionBudget', {
      metadata: { name: c.name, labels: c.labels },
      spec: disruptionBudgetSpec(c.minAvailable, c.selectorLabels),
    });
  }

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    return {
      podDisruptionBudget: group('A PodDisruptionBudget that keeps pods through node drains (the cluster profile).', {
        enabled: leaf('Create the budget.', c.minAvailable !== undefined, { type: 'boolean' }),
        minAvailable: leaf('Pods kept available.', c.minAvailable ?? CHART_DEFAULT_MIN_AVAILABLE, integerBetween(1).schema),
      }),
    };
  }

  public chart(_c: AppComponent, chart: ChartScope): ChartParts {
    const skeleton = k8s.KubePodDisruptionBudget.manifest({ metadata: { labels: {}, name: '' }, spec: disruptionBudgetSpec(CHART_DEFAULT_MIN_AVAILABLE, {}) });
    return {
      helpers: [
        '{{/* The pods that run when none is being replaced: autoscaling.minReplicas when the autoscaler is on, else replicaCount (REPLICAS_IN_EFFECT). */}}',
        `{{- define "${chart.chartName}.replicasInEffect" -}}`,
        ...caseLines(REPLICAS_IN_EFFECT, (helper) => chart.include(helper)),
        '{{- end }}',
      ],
      templates: {
        'pdb.yaml': renderTemplate(skeleton, [
          ...chart.metadata(),
          { path: 'spec.minAvailable', expr: Helm.scalar('{{ .Values.podDisruptionBudget.minAvailable | int }}') },
          { path: 'spec.selector.matchLabels', expr: Helm.nindent(chart.include('selectorLabels')) },
        ], { condition: '.Values.podDisruptionBudget.enabled', header: 'Pods kept through node drains: values.podDisruptionBudget' }),
      },
      // A budget that leaves a pod to drain (BUDGET_LEAVES_NO_POD), with the props' words.
      checks: [{
        kind: 'message',
        when: testPipeline(BUDGET_LEAVES_NO_POD),
        ...messageWith((r, got) => minAvailableBelow('podDisruptionBudget.minAvailable', r, got), [`(${chart.include('replicasInEffect')})`, '.Values.podDisruptionBudget.minAvailable']),
      }],
    };
  }
}
