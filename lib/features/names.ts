import { AppComponent, labelValue, PART_OF } from '../app-component';
import { ChartParts, ChartScope, ComponentFeature } from '../component-feature';
import { Binding, Helm, valueLines } from '../helm/template';
import { leaf, ValuesNode } from '../helm/values';
import { LABEL_VALUE_EDGES, LABEL_VALUE_MAX } from '../shared-rules';
import { orEmpty, Rules } from '../validation';

/** The label every object carries with the component's name (`kubectl wait -l app=...`). */
export const APP_LABEL = 'app';

/**
 * @internal
 * One label of every object: its value in the manifests and in a chart.
 * Adding a label is one entry here; both renderings follow.
 */
export interface Label {
  readonly key: string;
  /** The value in the manifests; none: the label is a chart's only. */
  readonly manifest?: (c: AppComponent) => string;
  /** The value in a chart, as template text; none: the manifests' value, as it is. */
  readonly chart?: (chart: ChartScope) => string;
  /** Whether the component's pods are selected by it (Services, budgets, NetworkPolicies, spreading). */
  readonly selects?: boolean;
}

/**
 * @internal
 * The labels of every object, in their order: `app` and the recommended
 * `app.kubernetes.io/*` set (plus Helm's chart label in a chart). Internal
 * so that a test can add a label and see both renderings follow.
 */
export const LABELS: readonly Label[] = [
  { key: 'helm.sh/chart', chart: (s) => `{{ ${s.include('chart')} }}` },
  { key: APP_LABEL, manifest: (c) => c.name, chart: (s) => `{{ ${s.include('fullname')} }}` },
  { key: 'app.kubernetes.io/name', manifest: (c) => c.name, chart: (s) => `{{ ${s.include('name')} }}`, selects: true },
  { key: 'app.kubernetes.io/instance', manifest: (c) => c.name, chart: () => '{{ .Release.Name }}', selects: true },
  { key: 'app.kubernetes.io/component', manifest: (c) => c.role },
  { key: 'app.kubernetes.io/part-of', manifest: () => PART_OF },
  {
    key: 'app.kubernetes.io/version',
    manifest: (c) => labelValue(c.image.tag),
    // labelValue, over the value: cut to the label's length, without the edges a label value may not have.
    chart: () => `{{ regexReplaceAll ${JSON.stringify(LABEL_VALUE_EDGES.source)} (toString .Values.image.tag | trunc ${LABEL_VALUE_MAX}) "" | quote }}`,
  },
  { key: 'app.kubernetes.io/managed-by', manifest: () => 'cdk8s', chart: () => '{{ .Release.Service }}' },
];

/**
 * Key prefixes whose every label the app owns: the recommended set
 * (`app.kubernetes.io/*`), of which the table holds some; the others are
 * the app's to add, not a user's.
 */
const OWNED_PREFIXES: readonly string[] = ['app.kubernetes.io/'];

/**
 * @internal
 * The label keys the app sets, as a list of owned keys (`*` ends a prefix;
 * `isOwnedKey` of lib/shared-rules.ts), sorted: each key of {@link LABELS},
 * a key under a prefix the app owns as that prefix. `podLabels` and
 * `commonLabels` refuse them, in both renderings; a label added to the
 * table is refused with it.
 */
export function ownedLabelKeys(): readonly string[] {
  const owned = LABELS.map((l) => {
    const prefix = OWNED_PREFIXES.find((p) => l.key.startsWith(p));
    return prefix === undefined ? l.key : `${prefix}*`;
  });
  return [...new Set(owned)].sort();
}

/** The labels of {@link LABELS} that `which` keeps, as the manifests hold them. */
function tableLabels(c: AppComponent, which: (l: Label) => boolean): { [key: string]: string } {
  return Object.fromEntries(LABELS.filter((l) => l.manifest !== undefined && which(l)).map((l) => [l.key, l.manifest!(c)]));
}

/**
 * @internal The labels of the component's objects, as the manifests hold
 * them: the user's `commonLabels` (lib/features/common-labels.ts refuses
 * the keys of the table) and the table's.
 */
export function componentLabels(c: AppComponent): { [key: string]: string } {
  return { ...c.commonLabels, ...tableLabels(c, () => true) };
}

/** @internal The labels that select the component's pods. */
export function selectorLabels(c: AppComponent): { [key: string]: string } {
  return tableLabels(c, (l) => l.selects === true);
}

/** The lines of a helper that renders `labels` as a chart gives them. */
function labelLines(c: AppComponent, chart: ChartScope, labels: readonly Label[]): string[] {
  const value = Object.fromEntries(labels.map((l) => [l.key, l.chart === undefined ? l.manifest!(c) : '']));
  const bindings: Binding[] = labels.filter((l) => l.chart !== undefined).map((l) => ({ path: [l.key], expr: Helm.scalar(l.chart!(chart)) }));
  return valueLines(value, bindings);
}

/**
 * @internal
 * The bindings of name, namespace and labels that every object of a chart shares.
 *
 * @param name the template expression of the name: a helper of _helpers.tpl, so
 *   that the object and whatever refers to it share one definition
 * @param labels the helper that renders the labels
 */
export function metadataBindings(chart: Pick<ChartScope, 'include'>, name = chart.include('fullname'), labels = 'labels'): Binding[] {
  return [
    { path: 'metadata.name', expr: Helm.scalar(`{{ ${name} }}`) },
    { path: 'metadata.namespace', expr: Helm.scalar(`{{ ${chart.include('namespace')} }}`) },
    { path: 'metadata.labels', expr: Helm.nindent(chart.include(labels)) },
  ];
}

/**
 * @internal
 * Names and labels: the labels of every object and those that select the
 * pods ({@link LABELS}, one table for both renderings), the container's
 * name, and in a chart the names of `helm create` (`name`, `fullname`,
 * `chart`; values `nameOverride`, `fullnameOverride`) with the `labels` and
 * `selectorLabels` helpers rendered from the same table. The user's
 * `commonLabels` follow the table's labels in both renderings (the
 * `commonLabels` helper, which the `labels` helper and the `helm test`
 * pod's labels include); their value and checks are those of
 * lib/features/common-labels.ts.
 */
export class Names implements ComponentFeature {
  public readonly name = 'names';

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    return {
      nameOverride: leaf('Replaces the chart name in names and the app.kubernetes.io/name label.', '', orEmpty(Rules.dnsLabel).schema),
      fullnameOverride: leaf('Replaces the full name of the Deployment, Service, ConfigMap and Secret.\nBy default it is the release name (or <release>-<chart> when the release name does not contain the chart name).', '', orEmpty(Rules.dnsLabel).schema),
      // A Chart without a namespace, or with `default`, leaves the choice to the release.
      namespace: leaf('The namespace of the objects: the one of the cdk8s Chart the component was built in; empty: the release\'s (helm install --namespace).', c.explicitNamespace && c.namespace !== 'default' ? c.namespace : '', orEmpty(Rules.dnsLabel).schema),
    };
  }

  public chart(c: AppComponent, chart: ChartScope): ChartParts {
    const n = chart.chartName;
    return {
      deployment: [
        { path: 'spec.selector.matchLabels', expr: Helm.nindent(chart.include('selectorLabels')) },
        { path: 'spec.template.metadata.labels', expr: Helm.nindent(chart.include('labels')) },
        { path: 'spec.template.spec.containers.0.name', expr: Helm.scalar(`{{ ${chart.include('fullname')} }}`) },
      ],
      helpers: `
{{/* The chart name, cut to 63 characters (a DNS label). */}}
{{- define "${n}.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of the objects: the release name when it contains the chart
name, else <release>-<chart>; cut to 63 characters.
*/}}
{{- define "${n}.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The namespace of the objects: values.namespace (the cdk8s Chart's), else the release's. */}}
{{- define "${n}.namespace" -}}
{{- default .Release.Namespace .Values.namespace }}
{{- end }}

{{/* Chart name and version, for the helm.sh/chart label. */}}
{{- define "${n}.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object: ${APP_LABEL}=<fullname> (kubectl wait/logs -l ${APP_LABEL}=...), the recommended set and values.commonLabels. */}}
{{- define "${n}.labels" -}}
${labelLines(c, chart, LABELS).join('\n')}
{{- include "${n}.commonLabels" . }}
{{- end }}

{{/* Labels that select the pods. */}}
{{- define "${n}.selectorLabels" -}}
${labelLines(c, chart, LABELS.filter((l) => l.selects)).join('\n')}
{{- end }}

{{/* values.commonLabels (lib/features/common-labels.ts), as lines of labels after the chart's own (nothing when empty). */}}
{{- define "${n}.commonLabels" -}}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}`.split('\n').slice(1),
    };
  }
}
