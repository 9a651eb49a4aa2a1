import * as k8s from '../../imports/k8s';
import type { AppComponent } from '../app-component';
import { autoscalerSpec, ClusterRules, DEFAULT_AUTOSCALING, MAX_BELOW_MIN, ResolvedAutoscaling } from '../cluster-objects';
import { ChartParts, ChartScope, ComponentFeature } from '../component-feature';
import { messageWith } from '../helm/chart-rules';
import { Helm, renderTemplate } from '../helm/template';
import { testPipeline } from '../helm/value-cases';
import { group, leaf, ValuesNode } from '../helm/values';
import { violationText } from '../shared-rules';
import { atLeast } from '../validation';

/** The autoscaler a chart creates when `autoscaling.enabled` is set at install and the component had none. */
const CHART_DEFAULT: ResolvedAutoscaling = { ...DEFAULT_AUTOSCALING };

/**
 * @internal
 * A HorizontalPodAutoscaler on CPU (`autoscalerSpec`): the object, the
 * chart's `autoscaling` values, its template (the same spec, with the
 * values bound) and the rule that the maximum is at least the minimum.
 */
export class Autoscaling implements ComponentFeature {
  public readonly name = 'autoscaling';
  /** Its chart parts depend on the chart's name alone (no option). */
  public readonly chartPartsKey = '';

  /** The component's autoscaler, when it autoscales. */
  public object(c: AppComponent): k8s.KubeHorizontalPodAutoscalerV2 | undefined {
    return c.autoscaling === undefined ? undefined : new k8s.KubeHorizontalPodAutoscalerV2(c, 'Autoscaler', {
      metadata: { name: c.name, labels: c.labels },
      spec: autoscalerSpec(c.autoscaling, c.name),
    });
  }

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    const a = c.autoscaling ?? CHART_DEFAULT;
    return {
      autoscaling: group('A HorizontalPodAutoscaler on CPU (the cluster profile); replicaCount is then left to it. Needs metrics-server.', {
        enabled: leaf('Create the autoscaler.', c.autoscaling !== undefined, { type: 'boolean' }),
        minReplicas: leaf('Fewest pods.', a.minReplicas, ClusterRules.minReplicas.schema),
        maxReplicas: leaf('Most pods.', a.maxReplicas, ClusterRules.maxReplicas.schema),
        targetCPUUtilizationPercentage: leaf('CPU use, in percent of the request, to aim for.', a.targetCpuUtilization, ClusterRules.cpuPercent.schema),
      }),
    };
  }

  public chart(_c: AppComponent, chart: ChartScope): ChartParts {
    const [minReplicas, maxReplicas] = ['.Values.autoscaling.minReplicas', '.Values.autoscaling.maxReplicas'];
    const skeleton = k8s.KubeHorizontalPodAutoscalerV2.manifest({ metadata: { labels: {}, name: '' }, spec: autoscalerSpec(CHART_DEFAULT, '') });
    return {
      templates: {
        'hpa.yaml': renderTemplate(skeleton, [
          ...chart.metadata(),
          { path: 'spec.scaleTargetRef.name', expr: Helm.scalar(`{{ ${chart.include('fullname')} }}`) },
          { path: 'spec.minReplicas', expr: Helm.scalar(`{{ ${minReplicas} | int }}`) },
          { path: 'spec.maxReplicas', expr: Helm.scalar(`{{ ${maxReplicas} | int }}`) },
          { path: 'spec.metrics.0.resource.target.averageUtilization', expr: Helm.scalar('{{ .Values.autoscaling.targetCPUUtilizationPercentage | int }}') },
        ], { condition: '.Values.autoscaling.enabled', header: 'CPU autoscaling: values.autoscaling' }),
      },
      // The maximum and its minimum, with the props' words.
      checks: [{
        kind: 'message',
        when: testPipeline(MAX_BELOW_MIN),
        ...messageWith((min, max) => {
          const [before, after] = violationText('autoscaling.maxReplicas', atLeast(min as unknown as number, "'autoscaling.minReplicas'"));
          return `${before}${max}${after}`;
        }, [minReplicas, maxReplicas]),
      }],
    };
  }
}
