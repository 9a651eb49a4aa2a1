import { ApiObject } from 'cdk8s';
import { ImagePullPolicy, ServiceType } from 'cdk8s-plus-28';
import { KUBE_LINTER_IGNORE_PREFIX, KUBE_SCORE_IGNORE, KUBE_SCORE_REASON, LINT_RULES } from './checks/lint';
import { show } from './validation';

/**
 * A deliberate deviation from a default check of kube-score or kube-linter,
 * recorded on the object with the tools' own annotations and a one-line
 * reason. Each exception holds exactly when a setting makes it hold, and it
 * says so twice: for the constructs (`applies`) and for the charts
 * (`helmCondition`, over `.Values`), so that a chart rendered with other
 * values carries the annotations those values call for.
 */
export interface LintException {
  /** The object it is recorded on. */
  readonly object: 'Deployment' | 'Service';
  /** kube-score checks it excuses. */
  readonly kubeScore: readonly string[];
  /** kube-linter checks it excuses. */
  readonly kubeLinter: readonly string[];
  /** Why, in one line. */
  readonly reason: string;
  /** Whether it holds for a component with these values. */
  readonly applies: (c: LintSubject) => boolean;
  /** The same, as a Helm template pipeline over the chart's values. */
  readonly helmCondition: string;
}

/** What the exceptions read of a component. */
export interface LintSubject {
  readonly serviceType: ServiceType;
  readonly imageTag: string;
  readonly imagePullPolicy: ImagePullPolicy;
  readonly networkPolicy: boolean;
  readonly egressPolicy: boolean;
  /** Whether the pods run as a ServiceAccount of the user's, not among the manifests. */
  readonly externalServiceAccount?: boolean;
}

/** Every exception the project makes, each where its setting holds. README: "Checks and exceptions". */
export const LINT_EXCEPTIONS: readonly LintException[] = [
  {
    object: 'Service',
    kubeScore: ['service-type'],
    kubeLinter: [],
    reason: 'NodePort: browsers reach the app at the Minikube node\'s address, which has no load balancer (the cluster profile uses ClusterIP behind an Ingress)',
    applies: (c) => c.serviceType === ServiceType.NODE_PORT,
    helmCondition: 'eq .Values.service.type "NodePort"',
  },
  {
    object: 'Deployment',
    kubeScore: ['container-image-tag'],
    kubeLinter: ['latest-tag'],
    reason: 'latest only when no tag is given at synth: npm run deploy builds the images and passes their content tags, so what it deploys is never latest',
    applies: (c) => c.imageTag === 'latest',
    helmCondition: 'eq (toString .Values.image.tag) "latest"',
  },
  {
    object: 'Deployment',
    kubeScore: ['container-image-pull-policy'],
    kubeLinter: [],
    reason: 'the images are built into the Minikube node\'s Docker daemon and are in no registry, so Always would fail to pull them (the cluster profile pulls Always)',
    applies: (c) => c.imagePullPolicy !== ImagePullPolicy.ALWAYS,
    helmCondition: 'ne .Values.image.pullPolicy "Always"',
  },
  {
    object: 'Deployment',
    kubeScore: ['pod-networkpolicy'],
    kubeLinter: [],
    reason: 'NetworkPolicies, or their egress rules, were turned off in the settings (networkPolicy / TODO_NETWORK_POLICY)',
    applies: (c) => !c.networkPolicy || !c.egressPolicy,
    helmCondition: 'not (and .Values.networkPolicy.enabled .Values.networkPolicy.egress.enabled)',
  },
  {
    object: 'Deployment',
    kubeScore: [],
    kubeLinter: ['non-existent-service-account'],
    reason: 'the ServiceAccount is yours (serviceAccount.name without serviceAccount.create), as an existingSecret is: it is not among the manifests',
    applies: (c) => c.externalServiceAccount === true,
    helmCondition: 'and (not .Values.serviceAccount.create) .Values.serviceAccount.name',
  },
];

/** The annotations that record `exceptions` (empty when there are none). */
export function exceptionAnnotations(exceptions: readonly LintException[]): { [key: string]: string } {
  const annotations: { [key: string]: string } = {};
  const ignored = exceptions.flatMap((e) => e.kubeScore);
  if (ignored.length > 0) {
    annotations[KUBE_SCORE_IGNORE] = ignored.join(',');
  }
  for (const e of exceptions) {
    for (const check of e.kubeScore) annotations[`${KUBE_SCORE_REASON}${check}`] = e.reason;
    for (const check of e.kubeLinter) annotations[`${KUBE_LINTER_IGNORE_PREFIX}${check}`] = e.reason;
  }
  return annotations;
}

/** The exceptions that hold for a component, on one of its objects. */
export function exceptionsFor(object: LintException['object'], subject: LintSubject): LintException[] {
  return LINT_EXCEPTIONS.filter((e) => e.object === object && e.applies(subject));
}

/**
 * A Helm template that renders the annotations of the exceptions on
 * `object` whose conditions hold (nothing when none do), as
 * {@link exceptionAnnotations} would.
 */
export function exceptionAnnotationsTemplate(object: LintException['object']): string[] {
  const mine = LINT_EXCEPTIONS.filter((e) => e.object === object);
  const lines = ['{{- $ignore := list }}'];
  for (const e of mine) {
    lines.push(`{{- if ${e.helmCondition} }}`, ...e.kubeScore.map((c) => `{{- $ignore = append $ignore "${c}" }}`), '{{- end }}');
  }
  lines.push('{{- if $ignore }}', `${KUBE_SCORE_IGNORE}: {{ join "," $ignore | quote }}`, '{{- end }}');
  for (const e of mine) {
    lines.push(`{{- if ${e.helmCondition} }}`);
    for (const c of e.kubeScore) lines.push(`${KUBE_SCORE_REASON}${c}: ${JSON.stringify(e.reason)}`);
    for (const c of e.kubeLinter) lines.push(`${KUBE_LINTER_IGNORE_PREFIX}${c}: ${JSON.stringify(e.reason)}`);
    lines.push('{{- end }}');
  }
  return lines;
}

/**
 * Records a deliberate exception to a kube-score or kube-linter check on an
 * object, the way the tools read it, with a reason: for kube-score the check
 * is added to the object's `kube-score/ignore` list (keeping the checks
 * already there, such as a component's own exceptions) and the reason is
 * written beside it as `kube-score.todo-cdk8s/<check>`; for kube-linter the
 * reason is the value of `ignore-check.kube-linter.io/<check>`. The checks
 * that run on every synth then pass over that finding.
 *
 * @param object the object the finding names (for a check of pods, the workload)
 * @param check the check's name as the finding gives it (`container-image-tag`, `latest-tag`)
 * @param reason why the deviation is deliberate, in one line
 *
 * @example
 * const todo = new TodoApp(chart, 'todo');
 * todo.backend.deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/-', {
 *   name: 'proxy',
 *   image: 'registry.example.com/proxy:1.4',
 *   imagePullPolicy: 'Always',
 *   securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
 * }));
 * excuseLintFinding(todo.backend.deployment, 'container-ephemeral-storage-request-and-limit', 'the proxy writes nothing to disk');
 */
export function excuseLintFinding(object: ApiObject, check: string, reason: string): void {
  const rule = LINT_RULES.find((r) => r.check === check);
  if (rule === undefined) {
    throw new Error(`'check' must be one of the checks that run (${LINT_RULES.map((r) => r.check).join(', ')}), got ${show(check)}`);
  }
  if (typeof reason !== 'string' || reason.trim() === '') {
    throw new Error(`'reason' must say why the deviation from ${rule.tool}'s ${check} is deliberate, got ${show(reason)}`);
  }
  if (rule.tool === 'kube-linter') {
    object.metadata.addAnnotation(`${KUBE_LINTER_IGNORE_PREFIX}${check}`, reason);
    return;
  }
  const listed = String(object.metadata.toJson().annotations?.[KUBE_SCORE_IGNORE] ?? '').split(',').map((c) => c.trim()).filter((c) => c !== '');
  object.metadata.addAnnotation(KUBE_SCORE_IGNORE, [...new Set([...listed, check])].join(','));
  object.metadata.addAnnotation(`${KUBE_SCORE_REASON}${check}`, reason);
}
