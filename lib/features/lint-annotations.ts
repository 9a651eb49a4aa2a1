import type { AppComponent } from '../app-component';
import { ChartParts, ChartScope, ComponentFeature } from '../component-feature';
import { Binding } from '../helm/template';
import { exceptionAnnotations, exceptionAnnotationsTemplate, exceptionsFor, LintException, LintValues, userAnnotations } from '../lint-exceptions';
import { synthesized } from '../helm/escape-hatches';

/** The objects of a component that carry lint exceptions. */
const OBJECTS: readonly LintException['object'][] = ['Deployment', 'Service'];

/** @internal The metadata of an object with the lint exceptions that hold for the component's values (none: no `annotations`). */
export function lintAnnotations(object: LintException['object'], values: LintValues): { annotations?: { [key: string]: string } } {
  const annotations = exceptionAnnotations(exceptionsFor(object, values));
  return Object.keys(annotations).length === 0 ? {} : { annotations };
}

/** @internal The binding of an object's `metadata.annotations` to its lint exceptions, as the values call for them (no annotations when none holds). */
export function lintAnnotationsBinding(chart: ChartScope, object: LintException['object']): Binding {
  const helper = chart.include(`lintAnnotations.${object}`);
  return {
    path: 'metadata.annotations',
    expr: { kind: 'optionalBlock', condition: helper, template: (n) => [`${' '.repeat(n)}{{- ${helper} | trim | nindent ${n} }}`] },
  };
}

/**
 * @internal
 * The deliberate exceptions to kube-score and kube-linter checks
 * (lib/lint-exceptions.ts, each with one test on the values, which the
 * constructs decide and the chart renders): the component puts {@link lintAnnotations} on its
 * Deployment and Service; a chart has one helper per object, rendered from
 * the same exceptions, and binds the Deployment's annotations to it (the
 * Service feature binds its own). The annotations put on the Deployment
 * and Service in the app (`excuseLintFinding`, `metadata.addAnnotation`)
 * are carried into those helpers, but for those that clash with the
 * chart's own (`TodoHelmChart.divergences` reports them).
 */
export class LintAnnotations implements ComponentFeature {
  public readonly name = 'lint exceptions';

  public chart(c: AppComponent, chart: ChartScope): ChartParts {
    return {
      deployment: [lintAnnotationsBinding(chart, 'Deployment')],
      helpers: OBJECTS.flatMap((object, i) => {
        const user = userAnnotations(object, c.ownAnnotations[object], synthesized(object === 'Deployment' ? c.deployment : c.service).metadata?.annotations ?? {});
        const clashes = new Set(user.clashes);
        return [
          ...(i === 0 ? [] : ['']),
          `{{/* kube-score and kube-linter exceptions of the ${object}, each where the values make it deliberate (README: "Checks and exceptions")${user.ignore.length + Object.keys(user.annotations).length > 0 ? ', and the annotations put on it in the app (excuseLintFinding)' : ''}. */}}`,
          `{{- define "${chart.chartName}.lintAnnotations.${object}" -}}`,
          ...exceptionAnnotationsTemplate(object, { ignore: user.ignore, annotations: Object.fromEntries(Object.entries(user.annotations).filter(([k]) => !clashes.has(k))) }),
          '{{- end }}',
        ];
      }),
    };
  }
}
