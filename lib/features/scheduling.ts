import * as k8s from '../../imports/k8s';
import type { AppComponent } from '../app-component';
import { antiAffinity } from '../cluster-objects';
import { ChartParts, ChartScope, ComponentFeature, PodFields } from '../component-feature';
import { Helm } from '../helm/template';
import { testHolds, testPipeline, ValueTest } from '../helm/value-cases';
import { leaf, ValuesNode } from '../helm/values';
import { AFFINITY_BESIDE_SPREADING, conflict } from '../shared-rules';
import { check, checkOptional, JsonSchema, LABELS, orEmpty, Rule, Rules, show } from '../validation';
import { SPREAD_FROM, SPREAD_HELPER } from './spreading';

const isMap = (v: unknown): v is { [key: string]: unknown } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The taint effects a toleration may name (empty: all). */
const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;
/** The toleration operators (`Equal` when none is given). */
const OPERATORS = ['Exists', 'Equal'] as const;
const TOLERATION_FIELDS = ['key', 'operator', 'value', 'effect', 'tolerationSeconds'];

/** Whether a toleration is one the API server accepts (its validation of `tolerations`). */
function validToleration(t: unknown): boolean {
  if (!isMap(t) || Object.keys(t).some((k) => !TOLERATION_FIELDS.includes(k))) return false;
  const { key, operator, value, effect, tolerationSeconds } = t;
  const exists = operator === 'Exists';
  return (key === undefined || (typeof key === 'string' && (key === '' || Rules.labelKey.test(key))))
    && (operator === undefined || (OPERATORS as readonly unknown[]).includes(operator))
    && (value === undefined || (typeof value === 'string' && (exists ? value === '' : Rules.labelValue.test(value))))
    && (effect === undefined || effect === '' || (EFFECTS as readonly unknown[]).includes(effect))
    && (tolerationSeconds === undefined || (Number.isInteger(tolerationSeconds) && effect === 'NoExecute'))
    // An empty key matches every taint, which only Exists can say.
    && ((typeof key === 'string' && key !== '') || exists);
}

/** The same as JSON Schema (draft-07, as Helm validates values). */
const TOLERATION_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    key: orEmpty(Rules.labelKey).schema,
    operator: { type: 'string', enum: [...OPERATORS] },
    value: { type: 'string' },
    effect: { type: 'string', enum: ['', ...EFFECTS] },
    tolerationSeconds: { type: 'integer' },
  },
  allOf: [
    // Exists: no value; else (Equal, or no operator) a label value.
    { anyOf: [{ required: ['operator'], properties: { operator: { const: 'Exists' }, value: { maxLength: 0 } } }, { not: { required: ['operator'], properties: { operator: { const: 'Exists' } } }, properties: { value: Rules.labelValue.schema } }] },
    // tolerationSeconds only with NoExecute.
    { anyOf: [{ not: { required: ['tolerationSeconds'] } }, { required: ['effect'], properties: { effect: { const: 'NoExecute' } } }] },
    // A key, or Exists (an empty key matches every taint).
    { anyOf: [{ required: ['key'], properties: { key: { minLength: 1 } } }, { required: ['operator'], properties: { operator: { const: 'Exists' } } }] },
  ],
};

/** @internal Tolerations: a list of what the API server accepts in `tolerations`. */
export const TOLERATIONS: Rule<k8s.Toleration[]> = {
  allowed: `a list of tolerations, each with at most key (${Rules.labelKey.allowed}; empty only with operator "Exists"), operator ("Exists" or "Equal"), value (empty with "Exists", else ${Rules.labelValue.allowed}), effect (${EFFECTS.map((e) => `"${e}"`).join(', ')} or empty) and tolerationSeconds (an integer, with effect "NoExecute" only)`,
  schema: { type: 'array', items: TOLERATION_SCHEMA },
  test: (v: unknown): v is k8s.Toleration[] => Array.isArray(v) && v.every(validToleration),
};

/** The parts of an affinity, and the fields of each (the Kubernetes API's). */
const AFFINITY_PARTS: { readonly [part: string]: readonly string[] } = {
  nodeAffinity: ['requiredDuringSchedulingIgnoredDuringExecution', 'preferredDuringSchedulingIgnoredDuringExecution'],
  podAffinity: ['requiredDuringSchedulingIgnoredDuringExecution', 'preferredDuringSchedulingIgnoredDuringExecution'],
  podAntiAffinity: ['requiredDuringSchedulingIgnoredDuringExecution', 'preferredDuringSchedulingIgnoredDuringExecution'],
};
/** Which of those fields is a list (the rest is an object: a node selector). */
const isListField = (part: string, field: string) => !(part === 'nodeAffinity' && field.startsWith('required'));

/** @internal An affinity: its three parts and their fields, as the Kubernetes API names them (the terms inside are checked by the API server). */
export const AFFINITY: Rule<k8s.Affinity> = {
  allowed: `an affinity: an object with at most ${Object.keys(AFFINITY_PARTS).join(', ')}, each with at most requiredDuringSchedulingIgnoredDuringExecution and preferredDuringSchedulingIgnoredDuringExecution (lists, but a node selector object for nodeAffinity's required)`,
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(Object.entries(AFFINITY_PARTS).map(([part, fields]) => [part, {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(fields.map((f) => [f, { type: isListField(part, f) ? 'array' : 'object' }])),
    }])),
  },
  test: (v: unknown): v is k8s.Affinity => isMap(v) && Object.entries(v).every(([part, fields]) => AFFINITY_PARTS[part] !== undefined && isMap(fields)
    && Object.entries(fields).every(([f, x]) => AFFINITY_PARTS[part].includes(f) && (isListField(part, f) ? Array.isArray(x) : isMap(x)))),
};

/**
 * An affinity beside `spreadAcrossNodes: true` (given as true, not automatic),
 * which both renderings refuse: `Scheduling.resolve` tests it on the props,
 * the chart's check is its pipeline.
 */
const AFFINITY_BESIDE_SPREAD: ValueTest = { all: [{ isBool: 'spreadAcrossNodes' }, { truthy: 'spreadAcrossNodes' }, { truthy: 'affinity' }] };

/** The scheduling props of a component, as given. */
export interface SchedulingOptions {
  readonly nodeSelector?: { readonly [key: string]: string };
  readonly tolerations?: readonly k8s.Toleration[];
  readonly affinity?: k8s.Affinity;
  readonly priorityClassName?: string;
}

/** The scheduling props, checked; empty when not given. */
export interface ResolvedScheduling {
  readonly nodeSelector: { readonly [key: string]: string };
  readonly tolerations: readonly k8s.Toleration[];
  readonly affinity: k8s.Affinity;
  readonly priorityClassName?: string;
}

/**
 * @internal
 * Where the pods run: `nodeSelector`, `tolerations`, `affinity` and
 * `priorityClassName`, named and rendered as `helm create` does (pod spec
 * fields, left out when empty).
 *
 * The affinity is shared with spreading: an affinity beside an explicit
 * `spreadAcrossNodes: true` is refused in both renderings. With spreading
 * automatic (`spreadAcrossNodes` unset, 2 or more pods), the topology spread
 * constraints stay, and the affinity given is the pods' affinity, except
 * that the app's preferred anti-affinity is kept when it has no
 * `podAntiAffinity` of its own (a workload of 2+ pods keeps one, which
 * kube-linter's no-anti-affinity wants).
 */
export class Scheduling implements ComponentFeature {
  /**
   * Checks the props; `prefix` names them in messages (`backend.`), and
   * `spreadAsked` is `spreadAcrossNodes` as given.
   */
  public static resolve(prefix: string, options: SchedulingOptions, spreadAsked: boolean | undefined): ResolvedScheduling {
    const s = (prop: string) => `${prefix}${prop}`;
    // As the manifests hold them: a field set to undefined is no field.
    const plain = <T>(value: T): T => (value === undefined ? value : JSON.parse(JSON.stringify(value)));
    const affinity = check(s('affinity'), plain(options.affinity) ?? {}, AFFINITY);
    if (testHolds(AFFINITY_BESIDE_SPREAD, { spreadAcrossNodes: spreadAsked, affinity })) {
      throw new Error(conflict(s('affinity'), s('spreadAcrossNodes'), AFFINITY_BESIDE_SPREADING, `spreadAcrossNodes ${show(true)}`));
    }
    return {
      nodeSelector: { ...check(s('nodeSelector'), options.nodeSelector ?? {}, LABELS) },
      tolerations: [...check(s('tolerations'), plain(options.tolerations) ?? [], TOLERATIONS)],
      affinity,
      priorityClassName: checkOptional(s('priorityClassName'), options.priorityClassName, Rules.dnsSubdomain),
    };
  }

  public readonly name = 'scheduling';
  /** Its chart parts depend on the chart's name alone (no option). */
  public readonly chartPartsKey = '';

  constructor(private readonly scheduling: ResolvedScheduling) {}

  public pod(c: AppComponent): PodFields {
    const { nodeSelector, tolerations, affinity, priorityClassName } = this.scheduling;
    const spread = c.spreadAcrossNodes && affinity.podAntiAffinity === undefined ? { podAntiAffinity: antiAffinity(c.selectorLabels).podAntiAffinity } : {};
    const merged = { ...affinity, ...spread };
    return {
      spec: {
        ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
        ...(tolerations.length > 0 ? { tolerations: [...tolerations] } : {}),
        ...(Object.keys(merged).length > 0 ? { affinity: merged } : {}),
        ...(priorityClassName === undefined ? {} : { priorityClassName }),
      },
    };
  }

  public values(): { [key: string]: ValuesNode } {
    const { nodeSelector, tolerations, affinity, priorityClassName } = this.scheduling;
    return {
      nodeSelector: leaf('Node labels the pods must run on (the pod spec\'s nodeSelector).', nodeSelector, LABELS.schema),
      tolerations: leaf('Taints the pods tolerate (the pod spec\'s tolerations).', tolerations, TOLERATIONS.schema),
      affinity: leaf(`The pods' affinity. Refused beside spreadAcrossNodes: true; with spreadAcrossNodes null (automatic)
and ${SPREAD_FROM} or more pods, the topology spread constraints stay, and the chart's preferred
pod anti-affinity is kept unless this affinity has a podAntiAffinity.`, affinity, AFFINITY.schema),
      priorityClassName: leaf('The PriorityClass of the pods; empty: the cluster\'s default priority.', priorityClassName ?? '', orEmpty(Rules.dnsSubdomain).schema),
    };
  }

  public chart(_c: AppComponent, chart: ChartScope): ChartParts {
    const pod = 'spec.template.spec';
    const spread = chart.include(SPREAD_HELPER);
    const ours = Helm.value({ podAntiAffinity: antiAffinity({}).podAntiAffinity }, [
      { path: 'podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution.0.podAffinityTerm.labelSelector.matchLabels', expr: Helm.nindent(chart.include('selectorLabels')) },
    ]) as { template: (n: number) => string[] };
    const affinity = '(.Values.affinity | default dict)';
    return {
      deployment: [
        { path: `${pod}.nodeSelector`, expr: Helm.optionalYaml('.Values.nodeSelector') },
        { path: `${pod}.tolerations`, expr: Helm.optionalYaml('.Values.tolerations') },
        {
          path: `${pod}.affinity`,
          expr: {
            kind: 'optionalBlock',
            condition: `or .Values.affinity (${spread})`,
            template: (n) => {
              const pad = ' '.repeat(n);
              return [
                `${pad}{{- with omit ${affinity} "podAntiAffinity" }}`,
                `${pad}{{- toYaml . | nindent ${n} }}`,
                `${pad}{{- end }}`,
                `${pad}{{- if hasKey ${affinity} "podAntiAffinity" }}`,
                `${pad}podAntiAffinity:`,
                `${pad}  {{- toYaml .Values.affinity.podAntiAffinity | nindent ${n + 2} }}`,
                `${pad}{{- else if ${spread} }}`,
                ...ours.template(n),
                `${pad}{{- end }}`,
              ];
            },
          },
        },
        { path: `${pod}.priorityClassName`, expr: Helm.optional('.Values.priorityClassName', '{{ .Values.priorityClassName | quote }}') },
      ],
      checks: [{
        kind: 'message',
        when: testPipeline(AFFINITY_BESIDE_SPREAD),
        message: conflict('affinity', 'spreadAcrossNodes', AFFINITY_BESIDE_SPREADING, `spreadAcrossNodes ${show(true)}`),
      }],
    };
  }
}
