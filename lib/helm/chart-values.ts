import type { AppComponent } from '../app-component';
import { group, ValueGroup, ValuesNode } from './values';

/** The secret variables kept in the component's own Secret (lib/features/secrets.ts). */
export { ownSecretVariables } from '../features/secrets';
/** @internal The values an install passes for a component's secret values (lib/features/secrets.ts). */
export { secretInstallValues } from '../features/secrets';

/**
 * The order of the top-level values in values.yaml and values.schema.json,
 * wherever they are defined (by a feature of the component); a
 * value not listed comes after these.
 */
const VALUES_ORDER = [
  'nameOverride', 'fullnameOverride', 'image', 'replicaCount', 'service', 'env', 'secrets', 'secretRefs', 'existingSecret', 'gitOps',
  'probes', 'terminationGracePeriodSeconds', 'database', 'externalDatabase', 'persistence', 'ingress', 'autoscaling', 'podDisruptionBudget',
  'spreadAcrossNodes', 'networkPolicy', 'resources', 'podSecurityContext', 'securityContext',
  'podAnnotations', 'podLabels', 'nodeSelector', 'tolerations', 'affinity', 'priorityClassName',
  'imagePullSecrets', 'serviceAccount', 'namespace', 'commonLabels',
];

/**
 * The values of a component's chart: those of its features (lib/features/),
 * following the design's configuration flow (`image.*`, `replicaCount`,
 * `service.*`, `env.*`, `probes.*`), with defaults read from the component
 * and schemas from the rules its props are checked with; in {@link VALUES_ORDER}.
 */
export function componentValues(component: AppComponent): ValueGroup {
  const children: { [key: string]: ValuesNode } = {};
  for (const feature of component.features) {
    for (const [key, node] of Object.entries(feature.values?.(component) ?? {})) {
      if (key in children) {
        throw new Error(`the value ${key} of the ${feature.name} feature is defined twice`);
      }
      children[key] = node;
    }
  }
  const rank = (key: string) => (VALUES_ORDER.includes(key) ? VALUES_ORDER.indexOf(key) : VALUES_ORDER.length);
  const keys = Object.keys(children).sort((a, b) => rank(a) - rank(b));
  return group('', Object.fromEntries(keys.map((k) => [k, children[k]])));
}
