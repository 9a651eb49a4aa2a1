import type { AppComponent } from '../app-component';
import { ChartParts, ComponentFeature, PodFields } from '../component-feature';
import { leaf, ValuesNode } from '../helm/values';
import { check, Rules, show } from '../validation';

/**
 * @internal
 * Secrets the kubelet pulls the image with (`imagePullSecrets`, a list of
 * `{name}` as `helm create` has it). They are the user's: the component
 * creates none, so they are external references, as `existingSecret` is
 * (`AppComponent.externalSecrets` lists them for the reference checks).
 */
export class ImagePullSecrets implements ComponentFeature {
  /** Checks the names, naming each as `<setting>[<index>]`. */
  public static resolve(setting: string, names: readonly string[] | undefined): readonly string[] {
    if (names === undefined) return [];
    if (!Array.isArray(names)) {
      throw new Error(`'${setting}' must be a list of Secret names, got ${show(names)}`);
    }
    return names.map((n, i) => check(`${setting}[${i}]`, n, Rules.dnsSubdomain));
  }

  public readonly name = 'image pull secrets';

  public pod(c: AppComponent): PodFields {
    return c.imagePullSecrets.length === 0 ? {} : { spec: { imagePullSecrets: c.imagePullSecrets.map((name) => ({ name })) } };
  }

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    return {
      // The type only: the chart checks each name, to refuse with the props' words.
      imagePullSecrets: leaf('Secrets of yours (kubernetes.io/dockerconfigjson) to pull the image with: a list of {name}.', c.imagePullSecrets.map((name) => ({ name })), {
        type: 'array',
        items: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false },
      }),
    };
  }

  public chart(): ChartParts {
    const list = '.Values.imagePullSecrets';
    return {
      deployment: [{
        path: 'spec.template.spec.imagePullSecrets',
        expr: { kind: 'optionalBlock', condition: list, template: (n) => [`${' '.repeat(n)}{{- toYaml ${list} | nindent ${n} }}`] },
      }],
      checks: [{
        kind: 'each',
        value: 'imagePullSecrets',
        checks: (index, item) => [{ kind: 'rule', value: 'imagePullSecrets[%s].name', valueArgs: [index], rule: Rules.dnsSubdomain, expr: `(index ${item} "name")` }],
      }],
    };
  }
}
