import * as k8s from '../../imports/k8s';
import type { AppComponent } from '../app-component';
import { ChartParts, ChartScope, ComponentFeature, PodFields } from '../component-feature';
import { messageWith, valueExpr } from '../helm/chart-rules';
import { Helm } from '../helm/template';
import { testPipeline } from '../helm/value-cases';
import { leaf, ValuesNode } from '../helm/values';
import { QUANTITY_HELPER, requestAboveLimit } from '../resources';
import { exceedsLimit, QUANTITY, QUANTITY_SUFFIXES } from '../shared-rules';
import { JsonSchema, Rules } from '../validation';

/** A quantity as a chart value: the rule's string, or a plain number. */
const quantity = (rule: { schema: JsonSchema }) => ({ anyOf: [rule.schema, { type: 'number', minimum: 0 }] });
const RESOURCE_LIST: JsonSchema = {
  type: 'object',
  properties: { 'cpu': quantity(Rules.cpu), 'memory': quantity(Rules.memory), 'ephemeral-storage': quantity(Rules.storage) },
};

/** The kinds of resource a container requests and is limited to, as Kubernetes names them. */
const KINDS = ['cpu', 'memory', 'ephemeral-storage'] as const;

function quantities(q: { readonly [name: string]: string }): { [name: string]: k8s.Quantity } {
  return Object.fromEntries(Object.entries(q).map(([k, v]) => [k, k8s.Quantity.fromString(v)]));
}

/**
 * @internal
 * The container's CPU, memory and ephemeral-storage requests and limits
 * (resolved by `resolveResources`, which refuses a request above its
 * limit): the container field, the chart's `resources` value, its binding,
 * and the same request-within-limit rule on the values, with the props' words.
 */
export class Resources implements ComponentFeature {
  public readonly name = 'resources';
  /** Its chart parts depend on the chart's name alone (no option). */
  public readonly chartPartsKey = '';

  public pod(c: AppComponent): PodFields {
    return { container: { resources: { requests: quantities(c.resources.requests), limits: quantities(c.resources.limits) } } };
  }

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    return { resources: leaf('CPU, memory and ephemeral-storage requests and limits (kube-score wants equal ephemeral-storage request and limit).', c.resources, { type: 'object', properties: { requests: RESOURCE_LIST, limits: RESOURCE_LIST } }) };
  }

  public chart(_c: AppComponent, chart: ChartScope): ChartParts {
    return {
      deployment: [{ path: 'spec.template.spec.containers.0.resources', expr: Helm.nindent('toYaml .Values.resources') }],
      helpers: `
{{/* The number a quantity (a string such as "250m", or a number) stands for, read as the constructs read it. */}}
{{- define "${chart.chartName}.${QUANTITY_HELPER}" -}}
{{- $q := toString . }}
{{- $factors := dict ${Object.entries(QUANTITY_SUFFIXES).map(([s, f]) => `${JSON.stringify(s)} ${JSON.stringify(String(f))}`).join(' ')} }}
{{- $suffix := regexReplaceAll ${JSON.stringify(QUANTITY.source)} $q "$2" }}
{{- mulf (float64 (regexReplaceAll ${JSON.stringify(QUANTITY.source)} $q "$1")) (float64 (ternary "1" (index $factors $suffix) (eq $suffix ""))) }}
{{- end }}`.split('\n').slice(1),
      checks: KINDS.map((kind) => {
        const [request, limit] = [`resources.requests.${kind}`, `resources.limits.${kind}`];
        const [requestValue, limitValue] = [valueExpr(request), valueExpr(limit)];
        return {
          kind: 'message' as const,
          when: testPipeline(requestAboveLimit(kind), '.Values', (helper) => chart.include(helper)),
          ...messageWith((l, r) => exceedsLimit(request, limit, l, r), [limitValue, requestValue]),
        };
      }),
    };
  }
}
