import * as k8s from '../../imports/k8s';
import type { AppComponent } from '../app-component';
import { egressToPorts } from '../cluster-objects';
import { ComponentFeature } from '../component-feature';

/**
 * @internal
 * Outgoing traffic that a secret turns on: a service outside the cluster
 * that the server calls only with a key (the chatbot calls the Anthropic
 * API over HTTPS when `ANTHROPIC_API_KEY` is set). The manifests have the
 * rule when the key, or an existing Secret that may hold it, is given; a
 * chart adds it when `secrets.<key>` or `existingSecret` is set at install.
 */
export class SecretEgress implements ComponentFeature {
  public readonly name = 'secret egress';
  /** The rule: TCP to any address on the ports. */
  public readonly rule: k8s.NetworkPolicyEgressRule;

  /**
   * @param secret the secret variable that turns the traffic on
   * @param ports the TCP ports it goes to
   */
  constructor(private readonly secret: string, ports: readonly number[]) {
    this.rule = egressToPorts(ports);
  }

  /** The rules of the manifests: the rule when the key or an existing Secret is given. */
  public rules(keyed: boolean): k8s.NetworkPolicyEgressRule[] {
    return keyed ? [this.rule] : [];
  }

  public egressAtInstall(c: AppComponent): { when: string; rules: k8s.NetworkPolicyEgressRule[] } {
    const json = (r: k8s.NetworkPolicyEgressRule) => JSON.stringify(k8s.toJson_NetworkPolicyEgressRule(r));
    const synthesized = c.egressRules.some((r) => json(r) === json(this.rule));
    return { when: `or .Values.secrets.${this.secret} .Values.existingSecret`, rules: synthesized ? [] : [this.rule] };
  }
}
