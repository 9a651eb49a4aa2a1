import * as k8s from '../../imports/k8s';
import type { AppComponent } from '../app-component';
import { egressToPorts } from '../cluster-objects';
import { ComponentFeature } from '../component-feature';
import { testHolds, testPipeline, ValueTest } from '../helm/value-cases';

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
  /** The key (`secrets.<key>`) or an existing Secret that may hold it is given: the construct's rules and the chart's read it. */
  public readonly keyed: ValueTest;

  /**
   * @param secret the secret variable that turns the traffic on
   * @param ports the TCP ports it goes to
   */
  constructor(private readonly secret: string, ports: readonly number[]) {
    this.rule = egressToPorts(ports);
    this.keyed = { any: [{ truthy: `secrets.${secret}` }, { truthy: 'existingSecret' }] };
  }

  /**
   * The rules of the manifests: the rule when the key or an existing Secret is given ({@link SecretEgress.keyed}).
   *
   * @param given the key's value and the existing Secret's name, when given
   */
  public rules(given: { readonly value?: string; readonly existingSecret?: string }): k8s.NetworkPolicyEgressRule[] {
    // The values as the chart holds them (none: "").
    return testHolds(this.keyed, { secrets: { [this.secret]: given.value ?? '' }, existingSecret: given.existingSecret ?? '' }) ? [this.rule] : [];
  }

  /** The rule, when the key or an existing Secret is set at install and the egress rules of the values lack it. */
  public egressAtInstall(_c: AppComponent): { when: string; rules: k8s.NetworkPolicyEgressRule[] } {
    // Helm's toJson writes a map's keys sorted: the rule, written the same way, is found in the rules' JSON.
    const rule = JSON.stringify(sortedJson(k8s.toJson_NetworkPolicyEgressRule(this.rule)));
    return {
      when: `and (${testPipeline(this.keyed)}) (not (contains ${rule} (toJson .Values.networkPolicy.egress.rules)))`,
      rules: [this.rule],
    };
  }
}

/** @internal JSON with the keys of every object sorted, as Helm's `toJson` writes a map. */
export function sortedJson(value: unknown): string {
  const sort = (v: unknown): unknown => (Array.isArray(v) ? v.map(sort)
    : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as { [k: string]: unknown })[k])])) : v);
  return JSON.stringify(sort(value));
}
