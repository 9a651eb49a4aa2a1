import { ApiObject } from 'cdk8s';
import { KUBE_LINTER_IGNORE_PREFIX, KUBE_SCORE_IGNORE, KUBE_SCORE_REASON, LINT_RULES } from './checks/lint';
import { testHolds, testPipeline, ValueTest } from './helm/value-cases';
import { show } from './validation';

/**
 * A deliberate deviation from a default check of kube-score or kube-linter,
 * recorded on the object with the tools' own annotations and a one-line
 * reason. Each exception holds exactly when a setting makes it hold, and it
 * says so once, as a test on the chart's values (`when`, a `ValueTest` of
 * lib/helm/value-cases.ts): the constructs decide it with `testHolds` on
 * the component's values as its chart holds them ({@link LintValues}), the
 * charts render it with `testPipeline` over `.Values`, so that a chart
 * rendered with other values carries the annotations those values call for.
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
  /** When it holds: a test on the chart's values ({@link LintValues}), for the constructs and the charts. */
  readonly when: ValueTest;
}

/**
 * The chart's values the exceptions read, as a component's chart holds them
 * in its values.yaml (the features' `values`): what the constructs decide
 * the exceptions on.
 */
export interface LintValues {
  readonly service: { readonly type: string };
  readonly image: { readonly tag: string; readonly pullPolicy: string };
  readonly networkPolicy: { readonly enabled: boolean; readonly egress: { readonly enabled: boolean } };
  /** `name`: "" when none is given. */
  readonly serviceAccount: { readonly create: boolean; readonly name: string };
}

/** Every exception the project makes, each where its setting holds. README: "Checks and exceptions". */
export const LINT_EXCEPTIONS: readonly LintException[] = [
  {
    object: 'Service',
    kubeScore: ['service-type'],
    kubeLinter: [],
    reason: 'NodePort: browsers reach the app at the Minikube node\'s address, which has no load balancer (the cluster profile uses ClusterIP behind an Ingress)',
    when: { equals: 'service.type', to: 'NodePort' },
  },
  {
    object: 'Deployment',
    kubeScore: ['container-image-tag'],
    kubeLinter: ['latest-tag'],
    reason: 'latest only when no tag is given at synth: npm run deploy builds the images and passes their content tags, so what it deploys is never latest',
    // As text: the schema asks for a string, and a tag written as a number is compared rather than refused by eq.
    when: { equalsText: 'image.tag', to: 'latest' },
  },
  {
    object: 'Deployment',
    kubeScore: ['container-image-pull-policy'],
    kubeLinter: [],
    reason: 'the images are built into the Minikube node\'s Docker daemon and are in no registry, so Always would fail to pull them (the cluster profile pulls Always)',
    when: { not: { equals: 'image.pullPolicy', to: 'Always' } },
  },
  {
    object: 'Deployment',
    kubeScore: ['pod-networkpolicy'],
    kubeLinter: [],
    reason: 'NetworkPolicies, or their egress rules, were turned off in the settings (networkPolicy / TODO_NETWORK_POLICY)',
    when: { not: { all: [{ truthy: 'networkPolicy.enabled' }, { truthy: 'networkPolicy.egress.enabled' }] } },
  },
  {
    object: 'Deployment',
    kubeScore: [],
    kubeLinter: ['non-existent-service-account'],
    reason: 'the ServiceAccount is yours (serviceAccount.name without serviceAccount.create), as an existingSecret is: it is not among the manifests',
    when: { all: [{ not: { truthy: 'serviceAccount.create' } }, { truthy: 'serviceAccount.name' }] },
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

/**
 * The exceptions that hold for a component, on one of its objects: those of
 * `exceptions` whose test holds for the component's values.
 */
export function exceptionsFor(object: LintException['object'], values: LintValues, exceptions: readonly LintException[] = LINT_EXCEPTIONS): LintException[] {
  return exceptions.filter((e) => e.object === object && testHolds(e.when, values));
}

/**
 * A Helm template that renders the annotations of the exceptions on
 * `object` whose tests hold for `.Values` (nothing when none do), as
 * {@link exceptionAnnotations} of {@link exceptionsFor} would.
 */
export function exceptionAnnotationsTemplate(object: LintException['object'], user: UserAnnotations = { ignore: [], annotations: {} }, exceptions: readonly LintException[] = LINT_EXCEPTIONS): string[] {
  const mine = exceptions.filter((e) => e.object === object);
  const lines = ['{{- $ignore := list }}'];
  for (const e of mine) {
    lines.push(`{{- if ${testPipeline(e.when)} }}`, ...e.kubeScore.map((c) => `{{- $ignore = append $ignore "${c}" }}`), '{{- end }}');
  }
  lines.push(...user.ignore.map((c) => `{{- $ignore = append $ignore ${JSON.stringify(c)} }}`));
  lines.push('{{- if $ignore }}', `${KUBE_SCORE_IGNORE}: {{ join "," ($ignore | uniq) | quote }}`, '{{- end }}');
  for (const e of mine) {
    lines.push(`{{- if ${testPipeline(e.when)} }}`);
    for (const c of e.kubeScore) lines.push(`${KUBE_SCORE_REASON}${c}: ${JSON.stringify(e.reason)}`);
    for (const c of e.kubeLinter) lines.push(`${KUBE_LINTER_IGNORE_PREFIX}${c}: ${JSON.stringify(e.reason)}`);
    lines.push('{{- end }}');
  }
  lines.push(...Object.entries(user.annotations).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`));
  return lines;
}

/**
 * Annotations a user put on a component's Deployment or Service
 * ({@link excuseLintFinding}, `metadata.addAnnotation`, a JSON patch): the
 * checks added to `kube-score/ignore`, and every other annotation.
 */
export interface UserAnnotations {
  readonly ignore: readonly string[];
  readonly annotations: { readonly [key: string]: string };
}

/**
 * The annotations of `actual` that the component did not put there
 * (`own`), and the keys among them that the chart's own exceptions of
 * `object` may also write (a user's reason for a check the component
 * excuses too), which a chart cannot hold twice.
 */
export function userAnnotations(object: LintException['object'], own: { readonly [key: string]: string }, actual: { readonly [key: string]: string }): UserAnnotations & { readonly clashes: readonly string[] } {
  const list = (v?: string) => String(v ?? '').split(',').map((c) => c.trim()).filter((c) => c !== '');
  const ownIgnore = list(own[KUBE_SCORE_IGNORE]);
  const ignore = list(actual[KUBE_SCORE_IGNORE]).filter((c) => !ownIgnore.includes(c));
  const annotations = Object.fromEntries(Object.entries(actual).filter(([k, v]) => k !== KUBE_SCORE_IGNORE && own[k] !== v));
  const chartKeys = new Set(LINT_EXCEPTIONS.filter((e) => e.object === object).flatMap((e) => [
    ...e.kubeScore.map((c) => `${KUBE_SCORE_REASON}${c}`), ...e.kubeLinter.map((c) => `${KUBE_LINTER_IGNORE_PREFIX}${c}`)]));
  return { ignore, annotations, clashes: Object.keys(annotations).filter((k) => chartKeys.has(k)) };
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
