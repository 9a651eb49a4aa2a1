import { describe, Finding, LabelSelector, labelSelectorMatches, Manifest, PodTemplate, podTemplates } from './semantic';

/** Workloads whose own selector picks their pods (a Job's is generated unless `manualSelector`). */
const SELECTING_WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/** One object that selects pods: where its selector is and what selecting more than one workload does there. */
interface Selecting {
  readonly object: Manifest;
  readonly field: string;
  readonly selector: LabelSelector;
  readonly consequence: string;
}

const namespaceOf = (obj: Manifest): string => obj.metadata?.namespace ?? 'default';
const isEmpty = (selector: LabelSelector): boolean =>
  Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;

/** The selectors among `objects` that this rule reads, with empty ones treated as documented on {@link checkOneWorkloadPerSelector}. */
function selectingObjects(objects: readonly Manifest[]): Selecting[] {
  const result: Selecting[] = [];
  for (const obj of objects) {
    const spec = obj.spec ?? {};
    if (obj.kind === 'Service' && spec.type !== 'ExternalName' && Object.keys(spec.selector ?? {}).length > 0) {
      result.push({ object: obj, field: 'spec.selector', selector: { matchLabels: spec.selector }, consequence: 'a Service must send traffic to the pods of one workload only' });
    } else if (obj.kind === 'NetworkPolicy' && spec.podSelector && !isEmpty(spec.podSelector)) {
      result.push({ object: obj, field: 'spec.podSelector', selector: spec.podSelector, consequence: 'its rules would apply to the pods of each' });
    } else if (obj.kind === 'PodDisruptionBudget' && spec.selector) {
      result.push({ object: obj, field: 'spec.selector', selector: spec.selector, consequence: 'it would count their pods together, so one workload could lose every pod while the budget holds' });
    } else if ((SELECTING_WORKLOADS.has(obj.kind) || (obj.kind === 'Job' && spec.manualSelector === true)) && spec.selector) {
      result.push({ object: obj, field: 'spec.selector', selector: spec.selector, consequence: 'controllers with overlapping selectors fight over the pods' });
    }
  }
  return result;
}

/**
 * Each Service, NetworkPolicy and PodDisruptionBudget, and each workload's
 * own selector, selects the pods of one workload at most. A workload is the
 * pod template of a Deployment, StatefulSet, DaemonSet, ReplicaSet or Job,
 * or a bare Pod (such as a `helm test` pod, which `helm template` prints with
 * the rest): a Service that also selects a test pod sends part of its
 * traffic to a pod that serves nothing, and a budget that counts it lets
 * the real pods go.
 *
 * Empty selectors:
 * - a Service without a selector (or with `selector: {}`) selects no pods:
 *   its endpoints are managed by hand; not this rule's concern;
 * - a NetworkPolicy with `podSelector: {}` applies to every pod of its
 *   namespace on purpose (the idiom of a namespace-wide default-deny
 *   policy); it is exempt;
 * - a PodDisruptionBudget with `selector: {}` selects every pod of its
 *   namespace (policy/v1) and fails when the namespace holds more than one
 *   workload; without a selector it selects nothing.
 */
export function checkOneWorkloadPerSelector(objects: readonly Manifest[]): Finding[] {
  const templates = podTemplates(objects);
  const findings: Finding[] = [];
  for (const s of selectingObjects(objects)) {
    const selected: PodTemplate[] = templates.filter((t) => namespaceOf(t.owner) === namespaceOf(s.object) && labelSelectorMatches(s.selector, t.labels));
    if (selected.length > 1) {
      findings.push({
        object: describe(s.object),
        field: s.field,
        message: `selector ${JSON.stringify(s.object.kind === 'Service' ? s.selector.matchLabels : s.selector)} selects the pods of ${selected.length} workloads `
          + `(${selected.map((t) => describe(t.owner)).join(', ')}); ${s.consequence}`,
      });
    }
  }
  return findings;
}
