import { createHash } from 'crypto';
import type { AppComponent } from '../app-component';
import { ChartParts, ComponentFeature, PodFields } from '../component-feature';
import { Helm } from '../helm/template';

/** The pod annotation that holds the checksum of the non-secret environment. */
const CONFIG = 'checksum/config';
/** The pod annotation that holds the checksum of the component's own Secret. */
const SECRET = 'checksum/secret';
/** The prefix of the pod annotations that hold the image's build arguments. */
const BUILD_ARG = 'build-args.todo-cdk8s/';

/** @internal The pod annotations this feature sets: the checksums and the build arguments (`*` ends a prefix). */
export const CHECKSUM_ANNOTATIONS: readonly string[] = ['checksum/*', `${BUILD_ARG}*`];

/** @internal The hex SHA-256 of a string. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * @internal
 * Pod template annotations that roll the pods when what they read changes:
 * the checksum of the ConfigMap and of the component's own Secret, and the
 * image's build arguments (an image rebuilt with other arguments). In the
 * manifests a checksum is of the data; in the chart, of the rendered
 * template (`configmap.yaml`, `secret.yaml`). No values of its own.
 */
export class Checksums implements ComponentFeature {
  public readonly name = 'checksums';

  public pod(c: AppComponent): PodFields {
    const annotations: { [key: string]: string } = { [CONFIG]: sha256(JSON.stringify(c.env)) };
    if (!c.usesExistingSecret) {
      annotations[SECRET] = sha256(JSON.stringify(c.secretData()));
    }
    for (const [key, value] of Object.entries(c.image.buildArgs)) {
      annotations[`${BUILD_ARG}${key}`] = value;
    }
    return { annotations };
  }

  public chart(): ChartParts {
    const of = (file: string) => `{{ include (print $.Template.BasePath "/${file}") . | sha256sum }}`;
    return {
      deployment: [{
        path: 'spec.template.metadata.annotations',
        expr: Helm.lines([
          '{{- /* content checksums: a change of config or secrets rolls the pods */}}',
          `${CONFIG}: ${of('configmap.yaml')}`,
          '{{- if not .Values.existingSecret }}',
          `${SECRET}: ${of('secret.yaml')}`,
          '{{- end }}',
          '{{- range $key, $value := .Values.image.buildArgs }}',
          `${BUILD_ARG}{{ $key }}: {{ toString $value | quote }}`,
          '{{- end }}',
        ]),
      }],
    };
  }
}
