import { quantityValue } from '../resources';
import { describe, Finding, labelSelectorMatches, Manifest, podTemplates, PodTemplate } from './semantic';

/**
 * The default checks of kube-score and kube-linter that the project's own
 * output is held to, re-implemented over plain objects (as written to YAML)
 * so that they run on every synth and on `helm template` output in the tests.
 * Each rule is named as its tool names it and follows the tool's code
 * (kube-score `score/`, kube-linter `pkg/templates/` and
 * `pkg/builtinchecks/yamls/`), and each honours the tool's own annotation
 * for a deliberate exception:
 *
 * - `kube-score/ignore: <check>[,<check>]` on the object, or on the pod
 *   template for checks of pods (`*` ignores every check; `container-resources`
 *   also ignores `container-ephemeral-storage-request-and-limit`, as in
 *   kube-score);
 * - `ignore-check.kube-linter.io/<check>: "<reason>"` (or
 *   `kube-linter.io/ignore-all: "<reason>"`) on the object. kube-linter takes
 *   any value; here the reason must not be empty, or the finding stands and
 *   says so.
 *
 * kube-score has no place for a reason; the project writes one beside each
 * ignored check as `kube-score.todo-cdk8s/<check>: "<reason>"`
 * ({@link KUBE_SCORE_REASON}), which {@link exceptionsWithoutReason} checks.
 */

/** The tools whose checks are re-implemented here. */
export type LintTool = 'kube-score' | 'kube-linter';

/** A finding of a lint rule: which check, and the annotation that would silence it. */
export interface LintFinding extends Finding {
  /** The tool that names the check. */
  readonly tool: LintTool;
  /** The check's name in its tool (`pod-probes`, `latest-tag`). */
  readonly check: string;
  /** The annotation that records a deliberate exception, as `key: value`. */
  readonly silence: string;
}

/** A lint rule: one check of one tool. */
export interface LintRule {
  readonly tool: LintTool;
  readonly check: string;
  /** What the check wants, in a sentence. */
  readonly description: string;
  /** Whether the check is about pods (then kube-score also reads the pod template's annotations). */
  readonly pods: boolean;
  /** The findings, before annotations are honoured. */
  readonly run: (objects: readonly Manifest[]) => RawFinding[];
}

/** A finding on one object, before its annotations are read. */
export interface RawFinding {
  readonly owner: Manifest;
  readonly field: string;
  readonly message: string;
}

/** The kube-score annotation that lists ignored checks. */
export const KUBE_SCORE_IGNORE = 'kube-score/ignore';
/** The prefix of kube-linter's per-check ignore annotations. */
export const KUBE_LINTER_IGNORE_PREFIX = 'ignore-check.kube-linter.io/';
/** kube-linter's annotation that ignores every check. */
export const KUBE_LINTER_IGNORE_ALL = 'kube-linter.io/ignore-all';
/** The prefix of the project's reason beside a check in `kube-score/ignore`. */
export const KUBE_SCORE_REASON = 'kube-score.todo-cdk8s/';

const DEPLOYMENT_LIKE = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod', 'ReplicationController', 'DeploymentConfig']);
/** Kinds whose spec has a `replicas` field (unset means 1, as kube-linter reads it). */
const REPLICATED = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);
const HOSTNAME_KEY = 'kubernetes.io/hostname';
/** kube-score's threshold: user and group IDs below it may collide with a host's users. */
export const LOW_ID_BELOW = 10000;

function containersOf(spec: any): any[] {
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
}

/** kube-score's tag of an image reference: what follows the last `:`, or '' when there is none. */
export function kubeScoreTag(image: string): string {
  const parts = image.split(':');
  return parts.length > 1 ? parts[parts.length - 1] : '';
}

/** kube-linter's `latest-tag` block list: `:latest`, no `:` at all, or no tag after the last `/`. */
export function kubeLinterLatestTag(image: string): boolean {
  return /.*:(latest)$/.test(image) || !/^.*:.*$/.test(image) || /(.*\/[^:]+)$/.test(image);
}

/** The pod templates kube-score scores: every workload's, plus CronJobs'. */
function scoredPods(objects: readonly Manifest[]): PodTemplate[] {
  const cronJobs = objects.filter((o) => o.kind === 'CronJob').map((o) => {
    const t = o.spec?.jobTemplate?.spec?.template ?? {};
    return { owner: o, path: 'spec.jobTemplate.spec.template.spec', labels: t.metadata?.labels ?? {}, spec: t.spec ?? {} };
  });
  return [...podTemplates(objects), ...cronJobs];
}

function templateAnnotations(owner: Manifest): { [key: string]: string } {
  if (owner.kind === 'Pod') return {};
  if (owner.kind === 'CronJob') return owner.spec?.jobTemplate?.spec?.template?.metadata?.annotations ?? {};
  return owner.spec?.template?.metadata?.annotations ?? {};
}

function namespaceOf(obj: Manifest): string {
  return obj.metadata?.namespace ?? 'default';
}

/** The integer value of an IntOrString as Go's `IntValue()` gives it: a name is 0. */
function intValue(port: unknown): number {
  if (typeof port === 'number') return port;
  const n = Number(port);
  return typeof port === 'string' && /^-?\d+$/.test(port) ? n : 0;
}

function quantityIsZero(q: unknown): boolean {
  if (q === undefined || q === null) return true;
  const v = quantityValue(String(q));
  return !(v > 0);
}

/** kube-score: every pod is selected by a NetworkPolicy of type Ingress and one of type Egress. */
const podNetworkPolicy: LintRule = {
  tool: 'kube-score',
  check: 'pod-networkpolicy',
  description: 'every pod is targeted by NetworkPolicies with policy types Ingress and Egress',
  pods: true,
  run: (objects) => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    return scoredPods(objects).flatMap((t) => {
      const types = new Set<string>();
      for (const np of policies) {
        if (namespaceOf(np) !== namespaceOf(t.owner)) continue;
        // As kube-score: one matching label of matchLabels is enough.
        const matches = Object.entries(np.spec?.podSelector?.matchLabels ?? {}).some(([k, v]) => t.labels[k] === v);
        if (matches) (np.spec?.policyTypes ?? []).forEach((p: string) => types.add(p));
      }
      const missing = ['Ingress', 'Egress'].filter((p) => !types.has(p));
      return missing.length === 0 ? [] : [{
        owner: t.owner,
        field: t.path,
        message: missing.length === 2
          ? 'no NetworkPolicy targets the pods'
          : `no NetworkPolicy of type ${missing[0]} targets the pods`,
      }];
    });
  },
};

function probesIdentical(r: any, l: any): boolean {
  if (r.httpGet && l.httpGet && r.httpGet.path === l.httpGet.path && intValue(r.httpGet.port) === intValue(l.httpGet.port)) return true;
  if (r.tcpSocket && l.tcpSocket && JSON.stringify(r.tcpSocket.port) === JSON.stringify(l.tcpSocket.port)) return true;
  if (r.exec && l.exec && JSON.stringify(r.exec.command ?? []) === JSON.stringify(l.exec.command ?? [])) return true;
  return false;
}

/** kube-score: liveness and readiness probes differ; pods behind a Service have a readiness probe. */
const podProbes: LintRule = {
  tool: 'kube-score',
  check: 'pod-probes',
  description: 'liveness and readiness probes are not identical, and pods behind a Service have a readiness probe',
  pods: true,
  run: (objects) => {
    const services = objects.filter((o) => o.kind === 'Service');
    return scoredPods(objects).flatMap((t) => {
      if (t.owner.kind === 'Job' || t.owner.kind === 'CronJob') return [];
      const containers = containersOf(t.spec);
      const identical = containers.find((c) => c.readinessProbe && c.livenessProbe && probesIdentical(c.readinessProbe, c.livenessProbe));
      if (identical) {
        return [{ owner: t.owner, field: t.path, message: `container ${identical.name} has the same liveness and readiness probe: a failing dependency restarts the pod instead of only taking it out of the Service` }];
      }
      const targeted = t.spec.serviceAccountName
        || services.some((s) => namespaceOf(s) === namespaceOf(t.owner) && Object.entries(s.spec?.selector ?? {}).every(([k, v]) => t.labels[k] === v));
      if (targeted && !containers.some((c) => c.readinessProbe)) {
        return [{ owner: t.owner, field: t.path, message: 'the pods are behind a Service but no container has a readinessProbe' }];
      }
      return [];
    });
  },
};

/** kube-score: every container runs with a user and a group ID of 10000 or more. */
const userGroupId: LintRule = {
  tool: 'kube-score',
  check: 'container-security-context-user-group-id',
  description: `containers run as a user and group ID of ${LOW_ID_BELOW} or more (pod or container security context)`,
  pods: true,
  run: (objects) => scoredPods(objects).flatMap((t) => containersOf(t.spec).flatMap((c) => {
    const pod = t.spec.securityContext;
    if (!c.securityContext && !pod) {
      return [{ owner: t.owner, field: `${t.path}.containers[${c.name}].securityContext`, message: `container ${c.name} has no security context` }];
    }
    const low = ([['runAsUser', 'user'], ['runAsGroup', 'group']] as const)
      .map(([field, word]) => ({ field, word, id: c.securityContext?.[field] ?? pod?.[field] }))
      .filter((x) => typeof x.id !== 'number' || x.id < LOW_ID_BELOW);
    return low.length === 0 ? [] : [{
      owner: t.owner,
      field: `${t.path}.securityContext.${low.map((x) => x.field).join(',')}`,
      message: `container ${c.name} runs with a low ${low.map((x) => `${x.word} ID (${JSON.stringify(x.id)})`).join(' and ')}; ${LOW_ID_BELOW} or more avoids colliding with a host's users`,
    }];
  })),
};

/** kube-score: every container has an ephemeral-storage limit and an equal request. */
const ephemeralStorage: LintRule = {
  tool: 'kube-score',
  check: 'container-ephemeral-storage-request-and-limit',
  description: 'every container has an ephemeral-storage limit and a request equal to it',
  pods: true,
  run: (objects) => scoredPods(objects).flatMap((t) => containersOf(t.spec).flatMap((c): RawFinding[] => {
    const limit = c.resources?.limits?.['ephemeral-storage'];
    const request = c.resources?.requests?.['ephemeral-storage'];
    const field = `${t.path}.containers[${c.name}].resources`;
    if (quantityIsZero(limit)) return [{ owner: t.owner, field, message: `container ${c.name} has no ephemeral-storage limit` }];
    if (quantityIsZero(request)) return [{ owner: t.owner, field, message: `container ${c.name} has no ephemeral-storage request` }];
    if (quantityValue(String(request)) !== quantityValue(String(limit))) {
      return [{ owner: t.owner, field, message: `container ${c.name} requests ${request} of ephemeral storage but is limited to ${limit}; kube-score wants them equal` }];
    }
    return [];
  })),
};

/** kube-score: no container image is `:latest` or untagged. */
const containerImageTag: LintRule = {
  tool: 'kube-score',
  check: 'container-image-tag',
  description: 'no container image has the tag latest or no tag',
  pods: true,
  run: (objects) => scoredPods(objects).flatMap((t) => containersOf(t.spec)
    .filter((c) => ['', 'latest'].includes(kubeScoreTag(String(c.image ?? ''))))
    .map((c) => ({ owner: t.owner, field: `${t.path}.containers[${c.name}].image`, message: `container ${c.name} uses image ${JSON.stringify(c.image)}, a mutable tag` }))),
};

/** kube-score: every container's imagePullPolicy is Always (unset counts only for a fixed tag, which defaults to IfNotPresent). */
const containerImagePullPolicy: LintRule = {
  tool: 'kube-score',
  check: 'container-image-pull-policy',
  description: 'every container has imagePullPolicy Always',
  pods: true,
  run: (objects) => scoredPods(objects).flatMap((t) => containersOf(t.spec).flatMap((c) => {
    const policy = c.imagePullPolicy ?? '';
    const tag = kubeScoreTag(String(c.image ?? ''));
    const bad = policy === '' ? tag !== '' && tag !== 'latest' : policy !== 'Always';
    return bad ? [{ owner: t.owner, field: `${t.path}.containers[${c.name}].imagePullPolicy`, message: `container ${c.name} has imagePullPolicy ${JSON.stringify(policy || 'unset')}, not Always` }] : [];
  })),
};

/** kube-score: no Service is of type NodePort. */
const serviceType: LintRule = {
  tool: 'kube-score',
  check: 'service-type',
  description: 'no Service is of type NodePort',
  pods: false,
  run: (objects) => objects
    .filter((o) => o.kind === 'Service' && o.spec?.type === 'NodePort')
    .map((o) => ({ owner: o, field: 'spec.type', message: 'the Service is of type NodePort' })),
};

/** kube-linter: no container of a deployment-like object runs a `latest` or untagged image. */
const latestTag: LintRule = {
  tool: 'kube-linter',
  check: 'latest-tag',
  description: 'no container image is :latest or without a tag',
  pods: false,
  run: (objects) => scoredPods(objects)
    .filter((t) => DEPLOYMENT_LIKE.has(t.owner.kind))
    .flatMap((t) => containersOf(t.spec)
      .filter((c) => kubeLinterLatestTag(String(c.image ?? '')))
      .map((c) => ({ owner: t.owner, field: `${t.path}.containers[${c.name}].image`, message: `container ${c.name} uses image ${JSON.stringify(c.image)}, which is latest or untagged` }))),
};

/** kube-linter: every PodDisruptionBudget sets unhealthyPodEvictionPolicy. */
const pdbUnhealthyPodEvictionPolicy: LintRule = {
  tool: 'kube-linter',
  check: 'pdb-unhealthy-pod-eviction-policy',
  description: 'every PodDisruptionBudget sets unhealthyPodEvictionPolicy explicitly',
  pods: false,
  run: (objects) => objects
    .filter((o) => o.kind === 'PodDisruptionBudget' && !o.spec?.unhealthyPodEvictionPolicy)
    .map((o) => ({ owner: o, field: 'spec.unhealthyPodEvictionPolicy', message: 'unhealthyPodEvictionPolicy is not set (AlwaysAllow lets a drain evict pods that are not ready)' })),
};

/**
 * The replica count kube-linter reads: `spec.replicas`, 1 when unset. When
 * unset and a HorizontalPodAutoscaler owns the count, its `minReplicas` is
 * taken instead: stricter than kube-linter, which would see 1 and skip the
 * check on exactly the workloads that run several pods.
 */
function replicasOf(obj: Manifest, objects: readonly Manifest[]): number | undefined {
  if (!REPLICATED.has(obj.kind)) return undefined;
  if (typeof obj.spec?.replicas === 'number') return obj.spec.replicas;
  const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && namespaceOf(o) === namespaceOf(obj)
    && o.spec?.scaleTargetRef?.kind === obj.kind && o.spec?.scaleTargetRef?.name === obj.metadata?.name);
  return hpa ? hpa.spec?.minReplicas ?? 1 : 1;
}

function antiAffinityTermProblem(term: any, namespace: string, labels: { [key: string]: string }): string | undefined {
  if (!term) return 'an empty anti-affinity term';
  if ((term.namespaces ?? []).length > 0 && !term.namespaces.includes(namespace)) {
    return `the pod's namespace ${JSON.stringify(namespace)} is not among the anti-affinity's namespaces`;
  }
  if (term.topologyKey !== HOSTNAME_KEY) return `the anti-affinity's topology key ${JSON.stringify(term.topologyKey)} is not ${HOSTNAME_KEY}`;
  if (!labelSelectorMatches(term.labelSelector, labels)) return 'the anti-affinity\'s label selector does not match the pods\' labels';
  return undefined;
}

/** kube-linter: a workload of 2+ replicas has pod anti-affinity on the node hostname that matches its own pods. */
const noAntiAffinity: LintRule = {
  tool: 'kube-linter',
  check: 'no-anti-affinity',
  description: `a workload with 2 or more replicas has pod anti-affinity on ${HOSTNAME_KEY} matching its own pods`,
  pods: false,
  run: (objects) => podTemplates(objects).flatMap((t) => {
    const replicas = replicasOf(t.owner, objects);
    if (replicas === undefined || replicas < 2) return [];
    const anti = t.spec.affinity?.podAntiAffinity;
    const field = `${t.path}.affinity.podAntiAffinity`;
    if (!anti) return [{ owner: t.owner, field, message: `${replicas} replicas but no pod anti-affinity` }];
    const terms = [...(anti.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p: any) => p.podAffinityTerm), ...(anti.requiredDuringSchedulingIgnoredDuringExecution ?? [])];
    if (terms.length === 0) return [{ owner: t.owner, field, message: `${replicas} replicas but no preferred or required pod anti-affinity` }];
    const problems = terms.map((term: any) => antiAffinityTermProblem(term, namespaceOf(t.owner), t.labels));
    if (problems.some((p: string | undefined) => p === undefined)) return [];
    return [{ owner: t.owner, field, message: problems.join('; ') }];
  }),
};

/**
 * kube-linter: a workload's pods run as a ServiceAccount among the objects
 * (of its namespace), or as `default`, which always exists. A ServiceAccount
 * of the user's is not among them: the component records the exception
 * (lib/lint-exceptions.ts), as the tool would need it.
 */
const nonExistentServiceAccount: LintRule = {
  tool: 'kube-linter',
  check: 'non-existent-service-account',
  description: 'the pods run as a ServiceAccount among the objects (or the default one)',
  pods: false,
  // Every owner podTemplates gives (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job) is deployment-like to kube-linter.
  run: (objects) => podTemplates(objects)
    .flatMap((t) => {
      const account = t.spec.serviceAccountName || t.spec.serviceAccount;
      if (!account || account === 'default') return [];
      const found = objects.some((o) => o.kind === 'ServiceAccount' && namespaceOf(o) === namespaceOf(t.owner) && o.metadata?.name === account);
      return found ? [] : [{ owner: t.owner, field: `${t.path}.serviceAccountName`, message: `serviceAccount ${JSON.stringify(account)} not found` }];
    }),
};

/** Every rule, kube-score's first. */
export const LINT_RULES: readonly LintRule[] = [
  podNetworkPolicy,
  podProbes,
  userGroupId,
  ephemeralStorage,
  containerImageTag,
  containerImagePullPolicy,
  serviceType,
  latestTag,
  pdbUnhealthyPodEvictionPolicy,
  noAntiAffinity,
  nonExistentServiceAccount,
];

function csvHas(csv: string | undefined, check: string): boolean {
  return (csv ?? '').split(',').map((v) => v.trim()).some((v) => v === check || v === '*' || (v === 'container-resources' && check === 'container-ephemeral-storage-request-and-limit'));
}

/** The annotation that silences `check` of `tool`, as `key: value`. */
export function silencingAnnotation(tool: LintTool, check: string): string {
  return tool === 'kube-score' ? `${KUBE_SCORE_IGNORE}: ${check}` : `${KUBE_LINTER_IGNORE_PREFIX}${check}: "<reason>"`;
}

/**
 * Whether `obj` records a deliberate exception to a kube-linter check:
 * `'yes'`, `'missing'`, or `'empty'` when the annotation has no reason.
 */
function kubeLinterIgnored(obj: Manifest, check: string): 'yes' | 'missing' | 'empty' {
  const annotations = obj.metadata?.annotations ?? {};
  const values = [annotations[`${KUBE_LINTER_IGNORE_PREFIX}${check}`], annotations[KUBE_LINTER_IGNORE_ALL]].filter((v) => v !== undefined);
  if (values.length === 0) return 'missing';
  return values.some((v) => String(v).trim() !== '') ? 'yes' : 'empty';
}

/**
 * Runs every lint rule (or the `rules` given) and returns the findings that
 * no annotation excuses.
 */
export function checkLint(objects: readonly Manifest[], rules: readonly LintRule[] = LINT_RULES): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const rule of rules) {
    for (const raw of rule.run(objects)) {
      const silence = silencingAnnotation(rule.tool, rule.check);
      let message = raw.message;
      if (rule.tool === 'kube-score') {
        const own = raw.owner.metadata?.annotations?.[KUBE_SCORE_IGNORE];
        const child = rule.pods ? templateAnnotations(raw.owner)[KUBE_SCORE_IGNORE] : undefined;
        if (csvHas(own, rule.check) || csvHas(child, rule.check)) continue;
      } else {
        const state = kubeLinterIgnored(raw.owner, rule.check);
        if (state === 'yes') continue;
        if (state === 'empty') message = `${message} (the ignore annotation has no reason, so it does not count)`;
      }
      findings.push({ object: describe(raw.owner), field: raw.field, message: `${rule.tool} ${rule.check}: ${message}`, tool: rule.tool, check: rule.check, silence });
    }
  }
  return findings;
}

/**
 * Checks listed in `kube-score/ignore` without a reason beside them
 * (`kube-score.todo-cdk8s/<check>`), as findings. The project's own objects
 * must have none.
 */
export function exceptionsWithoutReason(objects: readonly Manifest[]): Finding[] {
  const findings: Finding[] = [];
  for (const obj of objects) {
    const annotations = obj.metadata?.annotations ?? {};
    for (const check of String(annotations[KUBE_SCORE_IGNORE] ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '')) {
      if (String(annotations[`${KUBE_SCORE_REASON}${check}`] ?? '').trim() === '') {
        findings.push({ object: describe(obj), field: `metadata.annotations.${KUBE_SCORE_REASON}${check}`, message: `kube-score/ignore lists ${check} without a reason` });
      }
    }
    for (const [key, value] of Object.entries(annotations)) {
      if ((key.startsWith(KUBE_LINTER_IGNORE_PREFIX) || key === KUBE_LINTER_IGNORE_ALL) && String(value).trim() === '') {
        findings.push({ object: describe(obj), field: `metadata.annotations.${key}`, message: `${key} has no reason` });
      }
    }
  }
  return findings;
}

/** Formats lint findings as warnings, each naming the check and the annotation that would silence it. */
export function formatLintWarnings(findings: readonly LintFinding[]): string {
  return findings.map((f) => `  - ${f.object} ${f.field}: ${f.message} (if deliberate, annotate the object with ${f.silence})`).join('\n');
}
