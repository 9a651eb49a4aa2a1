import * as k8s from '../../imports/k8s';
import { AppComponent, HTTP_PORT_NAME } from '../app-component';
import { DNS_EGRESS, networkPolicySpec } from '../cluster-objects';
import { ChartParts, ChartScope, ComponentFeature } from '../component-feature';
import { Helm, renderTemplate, valueLines } from '../helm/template';
import { group, leaf, ValuesNode } from '../helm/values';

/**
 * @internal
 * The NetworkPolicy (`networkPolicySpec`): traffic reaches the pods on
 * their port only, and, with egress limited, leaves them for the cluster DNS
 * and what the component needs only. The chart's `networkPolicy` values
 * switch it; its template is the same spec, plus a rule that admits the
 * `helm test` pod (by its own labels: nothing of the release selects it) on
 * the same port, the egress rules other features turn on at install
 * ({@link ComponentFeature.egressAtInstall}) and the user's extra rules.
 */
export class NetworkPolicy implements ComponentFeature {
  public readonly name = 'network policy';

  /** The component's NetworkPolicy, when `enabled`. */
  public object(c: AppComponent, enabled: boolean): k8s.KubeNetworkPolicy | undefined {
    // From anywhere (browsers reach NodePorts through the node), on the server's port only;
    // out to the cluster DNS and what the component needs.
    if (!enabled) {
      return undefined;
    }
    const spec = networkPolicySpec(c.selectorLabels, HTTP_PORT_NAME, c.networkPolicyEgress ? c.egressRules : undefined);
    // Narrowed by allowFrom (AppComponent.allowFrom), which a user calls once the component is built:
    // the rule's sources are read when the object is synthesized.
    Object.defineProperty(spec.ingress![0], 'from', { enumerable: true, get: () => (c.ingressPeers.length > 0 ? [...c.ingressPeers] : undefined) });
    return new k8s.KubeNetworkPolicy(c, 'NetworkPolicy', { metadata: { name: c.name, labels: c.labels }, spec });
  }

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    return {
      networkPolicy: group('A NetworkPolicy that admits traffic on the pods\' port only (enforced by CNIs that support it: minikube start --cni=calico).', {
        enabled: leaf('Create the NetworkPolicy.', c.networkPolicy !== undefined, { type: 'boolean' }),
        from: leaf(
          'Where traffic to the pods\' port may come from (NetworkPolicyPeer objects, as allowFrom of the constructs gives them); empty: from anywhere.',
          c.ingressPeers.map((p) => k8s.toJson_NetworkPolicyPeer(p)),
          { type: 'array', items: { type: 'object' } },
        ),
        egress: group('Outgoing traffic: the cluster DNS (kube-system/kube-dns, port 53) and what the component needs, nothing else.', {
          enabled: leaf('Limit outgoing traffic (needs enabled).', c.networkPolicyEgress, { type: 'boolean' }),
          rules: leaf(
            'What the component needs besides the cluster DNS (NetworkPolicyEgressRule objects), synthesized from the app.',
            c.egressRules.filter((r) => r !== DNS_EGRESS).map((r) => k8s.toJson_NetworkPolicyEgressRule(r)),
            { type: 'array', items: { type: 'object' } },
          ),
          extraRules: leaf('More egress rules (NetworkPolicyEgressRule objects), for servers of yours the pods call.', [], { type: 'array', items: { type: 'object' } }),
        }),
      }),
    };
  }

  public chart(c: AppComponent, chart: ChartScope): ChartParts {
    const egressEnabled = '.Values.networkPolicy.egress.enabled';
    const json = (rules: readonly k8s.NetworkPolicyEgressRule[]) => rules.map((r) => k8s.toJson_NetworkPolicyEgressRule(r));
    const skeleton = k8s.KubeNetworkPolicy.manifest({ metadata: { labels: {}, name: '' }, spec: networkPolicySpec({}, HTTP_PORT_NAME, []) });
    const [ingressOnly, withEgress] = [networkPolicySpec({}, HTTP_PORT_NAME).policyTypes!, networkPolicySpec({}, HTTP_PORT_NAME, []).policyTypes!];
    const portRule = skeleton.spec.ingress[0];
    const testRule = skeleton.spec.ingress.length;
    skeleton.spec.ingress.push({ from: [{ podSelector: {} }], ...portRule });
    // Rules that values set at install turn on (a key for a service outside the cluster).
    const atInstall = c.features.flatMap((f) => {
      const egress = f.egressAtInstall?.(c, chart);
      return egress && egress.rules.length > 0 ? [`{{- if ${egress.when} }}`, ...valueLines(json(egress.rules), egress.bindings ?? []), '{{- end }}'] : [];
    });
    return {
      templates: {
        'networkpolicy.yaml': renderTemplate(skeleton, [
          ...chart.metadata(),
          { path: 'spec.podSelector.matchLabels', expr: Helm.nindent(chart.include('selectorLabels')) },
          { path: 'spec.ingress.0.from', expr: { kind: 'optionalBlock', condition: '.Values.networkPolicy.from', template: (n) => [`${' '.repeat(n)}{{- toYaml .Values.networkPolicy.from | nindent ${n} }}`] } },
          { path: `spec.ingress.${testRule}.from.0.podSelector.matchLabels`, expr: Helm.nindent(chart.include('testLabels')) },
          // The policy types of networkPolicySpec without egress rules, then those it adds with them.
          { path: 'spec.policyTypes', expr: Helm.parts([{ value: ingressOnly }, { when: egressEnabled, value: withEgress.filter((t) => !ingressOnly.includes(t)) }]) },
          {
            path: 'spec.egress',
            expr: {
              kind: 'optionalBlock',
              condition: egressEnabled,
              template: (n) => [
                ...valueLines(json([DNS_EGRESS]), []),
                '{{- with .Values.networkPolicy.egress.rules }}',
                `{{- toYaml . | nindent ${n} }}`,
                '{{- end }}',
                ...atInstall,
                '{{- with .Values.networkPolicy.egress.extraRules }}',
                `{{- toYaml . | nindent ${n} }}`,
                '{{- end }}',
              ].map((l) => `${' '.repeat(n)}${l}`),
            },
          },
        ], {
          condition: '.Values.networkPolicy.enabled',
          header: 'Traffic reaches the pods on their port only, and leaves them for DNS and what they need only: values.networkPolicy',
        }),
      },
    };
  }
}
