import { ChartParts, ChartScope, ComponentFeature } from '../component-feature';
import { Binding } from '../helm/template';
import { exceptionAnnotations, exceptionAnnotationsTemplate, exceptionsFor, LintException, LintSubject } from '../lint-exceptions';

/** The objects of a component that carry lint exceptions. */
const OBJECTS: readonly LintException['object'][] = ['Deployment', 'Service'];

/** @internal The metadata of an object with the lint exceptions that hold for it (none: no `annotations`). */
export function lintAnnotations(object: LintException['object'], subject: LintSubject): { annotations?: { [key: string]: string } } {
  const annotations = exceptionAnnotations(exceptionsFor(object, subject));
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
 * (lib/lint-exceptions.ts, each with its condition for the constructs and
 * for the values): the component puts {@link lintAnnotations} on its
 * Deployment and Service; a chart has one helper per object, rendered from
 * the same exceptions, and binds the Deployment's annotations to it (the
 * Service feature binds its own).
 */
export class LintAnnotations implements ComponentFeature {
  public readonly name = 'lint exceptions';

  public chart(_c: unknown, chart: ChartScope): ChartParts {
    return {
      deployment: [lintAnnotationsBinding(chart, 'Deployment')],
      helpers: OBJECTS.flatMap((object, i) => [
        ...(i === 0 ? [] : ['']),
        `{{/* kube-score and kube-linter exceptions of the ${object}, each where the values make it deliberate (README: "Checks and exceptions"). */}}`,
        `{{- define "${chart.chartName}.lintAnnotations.${object}" -}}`,
        ...exceptionAnnotationsTemplate(object),
        '{{- end }}',
      ]),
    };
  }
}
