import { createHash } from 'crypto';
import { Lazy } from 'cdk8s';
import type { AppComponent } from '../app-component';
import { ChartParts, ComponentFeature, PodFields } from '../component-feature';
import { synthesized, withoutPatches } from '../helm/escape-hatches';
import { Helm } from '../helm/template';

/** The pod annotation that holds the checksum of the non-secret environment. */
const CONFIG = 'checksum/config';
/** The pod annotation that holds the checksum of the component's own Secret. */
const SECRET = 'checksum/secret';
/** The prefix of the pod annotations that hold the image's build arguments. */
const BUILD_ARG = 'build-args.todo-cdk8s/';

/** The pod annotation that records a build argument the image was built with. */
function buildArgAnnotation(key: string): string {
  return `${BUILD_ARG}${key}`;
}

/** @internal The pod annotations this feature sets: the checksums and the build arguments (`*` ends a prefix). */
export const CHECKSUM_ANNOTATIONS: readonly string[] = ['checksum/*', `${BUILD_ARG}*`];

/** @internal The hex SHA-256 of a string. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The entries of `data`, those named in `order` first, in that order (the order the checksum was always taken in). */
function inOrder(data: { [key: string]: string }, order: readonly string[]): { [key: string]: string } {
  const keys = [...order.filter((k) => k in data), ...Object.keys(data).filter((k) => !order.includes(k))];
  return Object.fromEntries(keys.map((k) => [k, data[k]]));
}

/**
 * @internal
 * Pod template annotations that roll the pods when what they read changes:
 * the checksum of the ConfigMap and of the component's own Secret, and the
 * image's build arguments (an image rebuilt with other arguments). In the
 * manifests a checksum is of the data as synthesized (read when the
 * Deployment is, so a JSON patch on the ConfigMap or Secret changes it: the
 * one value of the constructs produced at synth); in the chart, of the
 * rendered template (`configmap.yaml`, `secret.yaml`). No values of its own.
 */
export class Checksums implements ComponentFeature {
  public readonly name = 'checksums';

  public pod(c: AppComponent): PodFields {
    // Of the data as synthesized, JSON patches included: a change to what the pods read rolls them.
    const annotations: { [key: string]: string } = { [CONFIG]: Lazy.any({ produce: () => sha256(JSON.stringify(c.configMap.toJson().data ?? {})) }) };
    if (!c.usesExistingSecret) {
      annotations[SECRET] = Lazy.any({ produce: () => sha256(JSON.stringify(inOrder(c.secret!.toJson().data ?? {}, Object.keys(c.secretData())))) });
    }
    for (const [key, value] of Object.entries(c.image.buildArgs)) {
      annotations[buildArgAnnotation(key)] = value;
    }
    return { annotations };
  }

  /**
   * Pod annotations a JSON patch added to the Deployment (`prometheus.io/scrape`),
   * which the chart renders after its own; undefined when a patch changed or
   * removed one of the component's (then reported by the chart).
   */
  private static added(c: AppComponent): { [key: string]: string } | undefined {
    const path = (json: any) => json?.spec?.template?.metadata?.annotations ?? {};
    const built: { [key: string]: unknown } = path(withoutPatches(c.deployment));
    const patched: { [key: string]: unknown } = path(synthesized(c.deployment));
    if (Object.keys(built).some((k) => patched[k] !== built[k])) {
      return undefined;
    }
    return Object.fromEntries(Object.entries(patched).filter(([k]) => !(k in built)).map(([k, v]) => [k, String(v)]));
  }

  public chart(c: AppComponent): ChartParts {
    const of = (file: string) => `{{ include (print $.Template.BasePath "/${file}") . | sha256sum }}`;
    const added = Checksums.added(c);
    return {
      carried: added === undefined ? [] : ['spec.template.metadata.annotations'],
      deployment: [{
        path: 'spec.template.metadata.annotations',
        expr: Helm.lines([
          '{{- /* content checksums: a change of config or secrets rolls the pods */}}',
          `${CONFIG}: ${of('configmap.yaml')}`,
          '{{- if not .Values.existingSecret }}',
          `${SECRET}: ${of('secret.yaml')}`,
          '{{- end }}',
          '{{- range $key, $value := .Values.image.buildArgs }}',
          `${buildArgAnnotation('{{ $key }}')}: {{ toString $value | quote }}`,
          '{{- end }}',
          ...Object.entries(added ?? {}).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`),
        ]),
      }],
    };
  }
}
