import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as k8s from '../imports/k8s';
import { AppComponent, HTTP_PORT_NAME } from './app-component';

/** The label cdk8s-plus and Kubernetes give every namespace: its name. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * @internal
 * The component's Service as a cdk8s-plus `Service`, for the APIs of
 * cdk8s-plus that take one (`IngressBackend.fromService`,
 * `Service.exposeViaIngress`). It adds no object: its API object is the
 * component's own `KubeService` (the one cdk8s-plus would have made is
 * removed before anything reads it), so its `name` and `metadata` are that
 * Service's. The port and selector are the component's props: `bind`,
 * `select` and `selectLabel` throw rather than change a Service that
 * would not follow.
 */
export class ComponentService extends kplus.Service {
  private readonly role: string;
  private readonly sealed: boolean;

  constructor(component: AppComponent, id: string) {
    super(component, id, { type: component.serviceType });
    super.bind(component.port, { name: HTTP_PORT_NAME, nodePort: component.nodePort, protocol: kplus.Protocol.TCP });
    // The Service cdk8s-plus created is dropped; the component's Service stands for it.
    this.node.tryRemoveChild('Resource');
    (this as unknown as { apiObject: ApiObject }).apiObject = component.service;
    this.role = component.role;
    this.sealed = true;
  }

  public bind(port: number, options?: kplus.ServiceBindOptions): void {
    if (this.sealed) {
      throw new Error(`the ${this.role}'s Service has the one port its props give ('${this.role}.servicePort', '${this.role}.nodePort'), got a request to bind port ${port}; create a Service of your own for another port`);
    }
    super.bind(port, options);
  }

  public select(_selector: kplus.IPodSelector): void {
    throw new Error(`the ${this.role}'s Service selects the ${this.role}'s pods only, got a request to select other pods; create a Service of your own (new kplus.Service(scope, id, { selector }))`);
  }

  public selectLabel(key: string, _value: string): void {
    throw new Error(`the ${this.role}'s Service selects the ${this.role}'s pods only, got a request to select by the label ${JSON.stringify(key)}; create a Service of your own`);
  }
}

/**
 * @internal
 * The NetworkPolicy peers that a cdk8s-plus peer stands for, as cdk8s-plus'
 * own `NetworkPolicy` writes them: an IP block; or pods by label, in the
 * policy's namespace, in namespaces selected by label, or in each named
 * namespace (by its `kubernetes.io/metadata.name` label).
 */
export function networkPolicyPeers(peer: kplus.INetworkPolicyPeer, setting: string): k8s.NetworkPolicyPeer[] {
  const config = peer.toNetworkPolicyPeerConfig();
  if (config.ipBlock !== undefined && config.podSelector === undefined) {
    const block = config.ipBlock._toKube();
    return [{ ipBlock: { cidr: block.cidr, ...(block.except ? { except: [...block.except] } : {}) } }];
  }
  if (config.podSelector === undefined || config.ipBlock !== undefined) {
    throw new Error(`'${setting}' must be a peer with either an IP block or a pod selector, got ${peer.node.path}`);
  }
  const pods = labelSelector(config.podSelector.labelSelector._toKube());
  const namespaces = config.podSelector.namespaces;
  const byLabel = namespaces?.labelSelector === undefined ? undefined : labelSelector(namespaces.labelSelector._toKube());
  if (namespaces?.names === undefined) {
    return [{ ...(byLabel === undefined ? {} : { namespaceSelector: byLabel }), podSelector: pods }];
  }
  return namespaces.names.map((name) => ({
    namespaceSelector: { ...byLabel, matchLabels: { ...byLabel?.matchLabels, [NAMESPACE_NAME_LABEL]: name } },
    podSelector: pods,
  }));
}

/** A cdk8s-plus label selector as the generated classes type it (no empty parts). */
function labelSelector(selector: { matchLabels?: { [key: string]: string }; matchExpressions?: readonly { key: string; operator: string; values?: string[] }[] }): k8s.LabelSelector {
  return {
    ...(selector.matchExpressions && selector.matchExpressions.length > 0 ? { matchExpressions: selector.matchExpressions.map((e) => ({ key: e.key, operator: e.operator, ...(e.values ? { values: [...e.values] } : {}) })) } : {}),
    ...(selector.matchLabels && Object.keys(selector.matchLabels).length > 0 ? { matchLabels: { ...selector.matchLabels } } : {}),
  };
}
