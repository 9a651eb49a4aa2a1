import { AppComponent, SecretVariable, SERVICE_TYPES } from '../app-component';
import { oneOf, orEmpty, Rules } from '../validation';
import { group, leaf, ValueGroup, ValuesNode } from './values';


/** The secret variables kept in the component's own Secret (not read from a Secret of the user's). */
export function ownSecretVariables(component: AppComponent): SecretVariable[] {
  return component.secretVariables.filter((v) => v.secretRef === undefined);
}

/**
 * The order of the top-level values in values.yaml and values.schema.json,
 * wherever they are defined (here, or by a feature of the component); a
 * value not listed comes after these.
 */
const VALUES_ORDER = [
  'nameOverride', 'fullnameOverride', 'image', 'replicaCount', 'service', 'env', 'secrets', 'secretRefs', 'existingSecret', 'gitOps',
  'probes', 'terminationGracePeriodSeconds', 'persistence', 'ingress', 'autoscaling', 'podDisruptionBudget',
  'spreadAcrossNodes', 'networkPolicy', 'resources', 'podSecurityContext', 'securityContext',
  'podAnnotations', 'podLabels', 'nodeSelector', 'tolerations', 'affinity', 'priorityClassName',
];

/** The values of `tree` and of the component's features, in {@link VALUES_ORDER}. */
function withFeatureValues(component: AppComponent, tree: ValueGroup): ValueGroup {
  const children: { [key: string]: ValuesNode } = { ...tree.children };
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
  return group(tree.comment, Object.fromEntries(keys.map((k) => [k, children[k]])), tree.schema);
}

/**
 * The values of a component's chart, following the design's configuration
 * flow (`image.*`, `replicaCount`, `service.*`, `env.*`, `probes.*`), with
 * defaults read from the component and schemas from the rules its props are
 * checked with.
 */
export function componentValues(component: AppComponent): ValueGroup {
  const own = ownSecretVariables(component);
  const refs = component.secretVariables.filter((v) => v.secretRef !== undefined);
  const secretLines = own.map((v) => `${v.name}: ${v.optional
    ? 'optional; left out when empty.'
    : v.generate
      ? 'from this value when set; else kept from the existing Secret on upgrade; else generated on first install.'
      : 'required: from this value when set; else kept from the existing Secret on upgrade.'}`);
  return withFeatureValues(component, group('', {
    nameOverride: leaf('Replaces the chart name in names and the app.kubernetes.io/name label.', '', orEmpty(Rules.dnsLabel).schema),
    fullnameOverride: leaf('Replaces the full name of the Deployment, Service, ConfigMap and Secret.\nBy default it is the release name (or <release>-<chart> when the release name does not contain the chart name).', '', orEmpty(Rules.dnsLabel).schema),
    service: group('The Service in front of the pods.', {
      type: leaf('NodePort (reachable at <node IP>:<nodePort>), ClusterIP or LoadBalancer.', component.serviceType, oneOf(SERVICE_TYPES).schema),
      port: leaf('The Service port.', component.port, Rules.port.schema),
      nodePort: leaf('The node port (NodePort and LoadBalancer); null lets Kubernetes pick one.', component.nodePort ?? null, { anyOf: [Rules.nodePort.schema, { type: 'null' }] }),
    }),
    secrets: group(`Secret environment variables, kept in a Secret.\n${secretLines.join('\n')}`,
      // The type only: the rule of each value is checked by the chart (chart-rules.ts), to refuse with the props' words.
      Object.fromEntries(own.map((v) => [v.name, leaf(`${v.optional ? 'Optional.' : v.generate ? 'Generated when empty.' : 'Required.'} Empty or ${v.rule.allowed}.`, '', { type: 'string' })]))),
    ...(refs.length > 0 ? {
      secretRefs: group('Secret variables read from Secrets of yours: the Secret\'s name and key.', Object.fromEntries(refs.map((v) => [v.name, group(`${v.name}.`, {
        name: leaf('The Secret.', v.secretRef!.name, Rules.dnsSubdomain.schema),
        key: leaf('The key holding the value.', v.secretRef!.key, Rules.secretKey.schema),
      })]))),
    } : {}),
    existingSecret: leaf(`Name of an existing Secret holding ${own.map((v) => v.name).join(' and ')}; no Secret is created, and secrets.* must be empty.`, component.usesExistingSecret ? component.secretName : '', orEmpty(Rules.dnsSubdomain).schema),
    ...(own.some((v) => v.generate) ? {
      gitOps: leaf(
        `Rendered without a cluster (helm template, --dry-run, GitOps tools such as Argo CD): \`lookup\` sees no Secret there,
so ${own.filter((v) => v.generate).map((v) => v.name).join(' and ')} would be generated anew on every render (signing users out).
true: refuse to render unless secrets.* or existingSecret provide them.`,
        false,
        { type: 'boolean' },
      ),
    } : {}),
  }));
}
