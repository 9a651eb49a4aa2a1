import * as k8s from '../../imports/k8s';
import type { AppComponent } from '../app-component';
import { SECRET_LOOKING_KEY } from '../checks/semantic';
import { ChartParts, ChartScope, ComponentFeature, PodFields, variablesAtInstall } from '../component-feature';
import { Helm, renderTemplate } from '../helm/template';
import { leaf, ValuesNode } from '../helm/values';
import { Rules } from '../validation';
import { synthesized } from '../helm/escape-hatches';

/** A regular expression source that matches letters of either case, for JSON Schema (no inline flags in ECMA-262). */
function caseInsensitive(source: string): string {
  return source.replace(/[a-zA-Z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
}

/** A map without some keys. */
function withoutKeys(map: { readonly [key: string]: string }, keys: readonly string[]): { [key: string]: string } {
  return Object.fromEntries(Object.entries(map).filter(([k]) => !keys.includes(k)));
}

/** @internal The name of a component's ConfigMap. */
export function configMapName(componentName: string): string {
  return `${componentName}-config`;
}

/**
 * @internal
 * The non-secret environment: the ConfigMap of the component's variables,
 * read by the container with `envFrom`; the chart's `env` value (names that
 * look like secrets are refused, as the checks refuse them in a ConfigMap),
 * the ConfigMap's template and the container's reference to it.
 */
export class EnvConfigMap implements ComponentFeature {
  public readonly name = 'env';

  /** The component's ConfigMap. */
  public object(c: AppComponent): k8s.KubeConfigMap {
    return new k8s.KubeConfigMap(c, 'ConfigMap', { metadata: { name: c.configMapName, labels: c.labels }, data: c.env });
  }

  public pod(c: AppComponent): PodFields {
    return { envFrom: [{ configMapRef: { name: c.configMapName } }] };
  }

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    return {
      env: leaf(
        'Non-secret environment variables, rendered into the ConfigMap the container reads (envFrom).\nA key added here appears in the container\'s environment. Secrets go in `secrets`.',
        // The ConfigMap's data as synthesized (a JSON patch on it reaches the chart), but the variables a value chooses at install.
        withoutKeys((c.configMap === undefined ? undefined : synthesized(c.configMap).data) ?? c.env, variablesAtInstall(c).map((v) => v.name)),
        {
          type: 'object',
          propertyNames: { ...Rules.envName.schema, not: { pattern: caseInsensitive(SECRET_LOOKING_KEY.source) } },
          additionalProperties: { type: ['string', 'number', 'boolean'] },
        },
      ),
    };
  }

  public chart(c: AppComponent, chart: ChartScope): ChartParts {
    const name = `{{ ${chart.include('configMapName')} }}`;
    // values.env, and the variables chosen at install that the ConfigMap holds (the SQLite URL), in key order.
    const atInstall = variablesAtInstall(c);
    const dataLines = [
      '{{- $data := dict }}',
      '{{- range $key, $value := .Values.env }}{{ $_ := set $data $key (toString $value) }}{{ end }}',
      ...atInstall.map((v) => `{{- if ${v.config.when} }}{{ $_ := set $data ${JSON.stringify(v.name)} (${v.config.value}) }}{{ end }}`),
    ];
    return {
      envFrom: [{ value: [{ configMapRef: { name: '' } }], bindings: [{ path: '0.configMapRef.name', expr: Helm.scalar(name) }] }],
      templates: {
        'configmap.yaml': renderTemplate(synthesized(c.configMap), [
          ...chart.metadata(chart.include('configMapName')),
          { path: 'data', expr: Helm.lines(atInstall.length === 0
            ? ['{{- range $key, $value := .Values.env }}', '{{ $key }}: {{ toString $value | quote }}', '{{- end }}']
            : [...dataLines, '{{- range $key, $value := $data }}', '{{ $key }}: {{ $value | quote }}', '{{- end }}']) },
        ], { header: 'Non-secret environment: values.env' }),
      },
      helpers: [
        '{{/* The ConfigMap with values.env. */}}',
        `{{- define "${chart.chartName}.configMapName" -}}`,
        `{{- printf ${JSON.stringify(configMapName('%s'))} (${chart.include('fullname')}) }}`,
        '{{- end }}',
      ],
    };
  }
}
