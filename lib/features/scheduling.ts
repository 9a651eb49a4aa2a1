import * as k8s from '../../imports/k8s';
import type { AppComponent } from '../app-component';
import { antiAffinity } from '../cluster-objects';
import { ChartParts, ChartScope, ComponentFeature, PodFields } from '../component-feature';
import { Helm } from '../helm/template';
import { caseBlocks, decide, testHolds, testPipeline, ValueCase, ValueTest } from '../helm/value-cases';
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

/** The part of an affinity that spreading sets: the app's preferred anti-affinity, unless the affinity given has its own. */
const SPREADING_PART = 'podAntiAffinity';

/**
 * @internal
 * The pods have an affinity: one is given, or they spread (`SPREAD_HELPER`'s
 * text, "true" or ""). `Scheduling.pod` tests it, the chart renders the
 * field under its pipeline.
 */
export const AFFINITY_SET: ValueTest = { any: [{ truthy: 'affinity' }, { helperSays: SPREAD_HELPER }] };

/**
 * @internal
 * Where the pods' `SPREADING_PART` comes from: the affinity given when it
 * has one, else the app's when the pods spread, else none (""). `Scheduling.pod`
 * decides it, the chart renders the same table as blocks (`caseBlocks`).
 */
export const SPREADING_PART_FROM: readonly ValueCase[] = [
  { when: { hasKey: 'affinity', key: SPREADING_PART }, then: { text: 'given' } },
  { when: { helperSays: SPREAD_HELPER }, then: { text: 'spreading' } },
];

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
    // The values the chart decides on, and its spreading helper's text.
    const values = { affinity };
    const helpers = { [SPREAD_HELPER]: c.spreadAcrossNodes ? 'true' : '' };
    const { [SPREADING_PART]: given, ...rest } = affinity;
    const part = {
      given: { [SPREADING_PART]: given },
      spreading: { [SPREADING_PART]: antiAffinity(c.selectorLabels)[SPREADING_PART] },
      '': {},
    }[decide(SPREADING_PART_FROM, values, helpers) as 'given' | 'spreading' | ''];
    return {
      spec: {
        ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
        ...(tolerations.length > 0 ? { tolerations: [...tolerations] } : {}),
        ...(testHolds(AFFINITY_SET, values, helpers) ? { affinity: { ...rest, ...part } } : {}),
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
    const include = (helper: string) => chart.include(helper);
    const ours = Helm.value({ [SPREADING_PART]: antiAffinity({})[SPREADING_PART] }, [
      { path: `${SPREADING_PART}.preferredDuringSchedulingIgnoredDuringExecution.0.podAffinityTerm.labelSelector.matchLabels`, expr: Helm.nindent(chart.include('selectorLabels')) },
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
            condition: testPipeline(AFFINITY_SET, '.Values', include),
            template: (n) => {
              const pad = ' '.repeat(n);
              const part = {
                given: [`${pad}${SPREADING_PART}:`, `${pad}  {{- toYaml .Values.affinity.${SPREADING_PART} | nindent ${n + 2} }}`],
                spreading: ours.template(n),
              };
              return [
                // The rest of the affinity given, as Scheduling.pod's `rest`.
                `${pad}{{- with omit ${affinity} ${JSON.stringify(SPREADING_PART)} }}`,
                `${pad}{{- toYaml . | nindent ${n} }}`,
                `${pad}{{- end }}`,
                ...caseBlocks(SPREADING_PART_FROM, (then) => part[(then as { text: 'given' | 'spreading' }).text], include, '.Values', pad),
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
