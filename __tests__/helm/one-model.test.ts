import { checkAppElsewhere } from '../../lib/app-checks';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import { ApiObject, Chart, Duration, Size, Testing } from 'cdk8s';
import { Cpu, ImagePullPolicy, ServiceType } from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { diff } from 'jest-diff';
import { AppComponent, AppComponentOptions, randomSecret } from '../../lib/app-component';
import { ServiceAccountOptions } from '../../lib/features/service-account';
import { INGRESS_CLASS_ANNOTATION } from '../../lib/shared-rules';
import { reservedLabelKeys } from '../../lib/features/common-labels';
import { ownedLabelKeys } from '../../lib/features/names';
import { BackendDatabase } from '../../lib/backend-database';
import { runAllChecks } from '../../lib/checks';
import { checkLint, exceptionsWithoutReason } from '../../lib/checks/lint';
import { SECRET_LOOKING_KEY } from '../../lib/checks/semantic';
import { OWNED_POD_ANNOTATIONS } from '../../lib/features/pod-metadata';
import { componentValues, secretInstallValues } from '../../lib/helm/chart-values';
import { isOwnedKey } from '../../lib/shared-rules';
import { TodoHelmChart } from '../../lib/helm/todo-helm-chart';
import { defaultValues } from '../../lib/helm/values';
import { HealthProbe } from '../../lib/health-probe';
import { BACKEND_IMAGE, TodoBackend, TodoBackendProps } from '../../lib/todo-backend';
import { FRONTEND_IMAGE, TodoFrontend, TodoFrontendProps } from '../../lib/todo-frontend';
import { TodoApp } from '../../lib/todo-app';
import * as k8s from '../../imports/k8s';
import { comparable, helmAsync } from '../support/helm';
import { validateObjects } from '../support/k8s-schema';
import { parseYaml } from '../support/yaml';

/**
 * One model, beyond the defaults.
 *
 * The charts are written once per component kind, from the default props (the
 * backend's from each kind of database too: see BASES). Each case draws a random backend and frontend,
 * synthesizes them (both must pass the checks), derives the values that stand
 * for one of them (backends on even cases, frontends on odd) with the
 * function that computes a chart's own values.yaml from a component
 * (`componentValues`), renders the default chart with those values with the
 * real helm, and requires every object to equal the plain manifests' (labels
 * and checksums aside: `comparable`), to be strictly valid against the
 * Kubernetes 1.28 schema, and to pass the project's checks. So the templates
 * are generic: no value of a random component is baked into a chart.
 *
 * The inverse: values the chart's values.schema.json accepts render objects
 * that pass the same validation and checks, or the chart refuses them with a
 * message that names a value.
 *
 * Seeded: FUZZ_SEED=<n> reproduces a run, FUZZ_RUNS scales it; a failure
 * prints the seed, the case number, the drawn props and a diff.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
/** Each case draws an app (a backend and its frontend) and renders one of them with helm. */
const CASES = Math.round(300 * RUNS);
const INVERSE_CASES = Math.round(100 * RUNS);
/** helm renders at once: helm template keeps one CPU busy. */
const PARALLEL = Math.min(4, Math.max(2, os.cpus().length));

// ---------------------------------------------------------------- the draws

const label = fc.stringMatching(/^[a-z]([-a-z0-9]{0,10}[a-z0-9])?$/);
const subdomain = fc.tuple(label, fc.option(label, { nil: undefined })).map(([a, b]) => (b ? `${a}.${b}` : a));
const tag = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/),
  fc.constantFrom('latest', '1.10', '0o17', 'yes', '1e3', 'null'),
  fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{60,127}$/),
);
const repository = fc.oneof(
  fc.stringMatching(/^[a-z0-9]{1,8}([._-][a-z0-9]{1,5})?(\/[a-z0-9]{1,8}){0,2}$/),
  fc.tuple(label, fc.integer({ min: 1, max: 65535 }), label).map(([h, p, n]) => `${h}.example:${p}/${n}`),
);
const httpPath = fc.stringMatching(/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]{0,20}$/);
const seconds = (min: number, max: number) => fc.integer({ min, max });
const timings = fc.record({
  initialDelay: fc.option(seconds(0, 300), { nil: undefined }),
  period: fc.option(seconds(1, 300), { nil: undefined }),
  timeout: fc.option(seconds(1, 60), { nil: undefined }),
  failureThreshold: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
});
const probe = fc.option(fc.oneof(
  fc.record({ type: fc.constant('http' as const), path: httpPath, timings }),
  fc.record({ type: fc.constant('tcp' as const), timings }),
), { nil: undefined });
const ordered = (arb: fc.Arbitrary<number>) => fc.tuple(arb, arb).map(([a, b]) => (a <= b ? [a, b] : [b, a]));
const resources = fc.record({
  cpu: fc.option(fc.oneof(ordered(fc.integer({ min: 1, max: 4000 })).map(([r, l]) => ({ millis: [r, l] })), ordered(fc.integer({ min: 1, max: 8 })).map(([r, l]) => ({ units: [r, l] }))), { nil: undefined }),
  memory: fc.option(ordered(fc.integer({ min: 1, max: 8192 })), { nil: undefined }),
  ephemeralStorage: fc.option(ordered(fc.integer({ min: 1, max: 8192 })), { nil: undefined }),
}, { requiredKeys: [] });
const envName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/).filter((n) => !SECRET_LOOKING_KEY.test(n) && !['DATABASE_URL', 'JWT_SECRET', 'ANTHROPIC_API_KEY', 'BETTER_AUTH_SECRET'].includes(n));
const envValue = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom('', 'yes', 'off', '0o17', '1_000', '1.10', 'null', '~', '2026-11-27', ' lead', 'trail ', 'a: b', '#x', '{x}', '"q"', "'q'", 'line\nbreak', 'tab\there', '\\u0041'),
);
const env = fc.option(fc.dictionary(fc.oneof(envName, fc.constantFrom('JWT_EXPIRY_HOURS', 'ANTHROPIC_MODEL', 'PORT', 'HOSTNAME', 'LOG_LEVEL')), envValue, { maxKeys: 4 }), { nil: undefined });
/** The user's variables: names of their own (filtered against the component's in commonProps), values of every kind. */
const extraEnvVars = fc.option(fc.uniqueArray(fc.record({ name: envName.map((n) => `X_${n}`), value: envValue }), { maxLength: 3, selector: (v) => v.name }), { nil: undefined });
/** The user's volumes: every type the restricted Pod Security Standard allows that needs no cluster object of a kind the checks know, and objects of theirs. */
const extraVolume = fc.tuple(label, fc.oneof(
  fc.record({ emptyDir: fc.record({ medium: fc.constantFrom('Memory', undefined), sizeLimit: fc.option(fc.integer({ min: 1, max: 512 }).map((n) => k8s.Quantity.fromString(`${n}Mi`)), { nil: undefined }) }) }),
  fc.record({ configMap: fc.record({ name: subdomain, optional: fc.option(fc.boolean(), { nil: undefined }) }) }),
  fc.record({ secret: fc.record({ secretName: subdomain, defaultMode: fc.option(fc.constantFrom(0o400, 0o440, 0o644), { nil: undefined }) }) }),
  fc.record({ persistentVolumeClaim: fc.record({ claimName: subdomain, readOnly: fc.option(fc.boolean(), { nil: undefined }) }) }),
)).map(([name, source]): k8s.Volume => ({ name: `v-${name}`, ...source }));
/** Volumes with unique names and mounts at unique paths, of those volumes or the component's `tmp`. */
const extraVolumes = fc.option(fc.uniqueArray(extraVolume, { maxLength: 3, selector: (v) => v.name }).chain((volumes) => fc.tuple(
  fc.constant(volumes),
  fc.uniqueArray(fc.record({ name: fc.constantFrom('tmp', ...volumes.map((v) => v.name)), mountPath: label.map((l) => `/mnt/${l}`), readOnly: fc.option(fc.boolean(), { nil: undefined }) }), { maxLength: 3, selector: (m) => m.mountPath }),
)), { nil: undefined });
const secret = fc.stringMatching(/^[!-~]{32,48}$/);
const credential = fc.stringMatching(/^[!-~]{1,20}$/);
const host = (suffix: string) => fc.tuple(label, label).map(([a, b]) => `${a}.${b}.${suffix}`);
/** Label and annotation keys: a name, or a DNS prefix and a name; none of the app's own label keys. */
const qualifiedKey = fc.tuple(fc.option(subdomain, { nil: undefined }), fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,12}[A-Za-z0-9])?$/))
  .map(([prefix, name]) => (prefix ? `${prefix}/${name}` : name))
  .filter((k) => !isOwnedKey(reservedLabelKeys(), k) && k !== INGRESS_CLASS_ANNOTATION);
const labelValue = fc.oneof(fc.constant(''), fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?$/), fc.constantFrom('true', 'yes', '1.10', '0o17', 'null', '1e3'));
const annotations = fc.option(fc.dictionary(qualifiedKey, envValue, { minKeys: 1, maxKeys: 3 }), { nil: undefined });
const ingress = (suffix: string) => fc.record({
  host: host(suffix),
  path: fc.option(fc.stringMatching(/^\/([a-z0-9]{1,8}(\/[a-z0-9]{1,8})?)?$/), { nil: undefined }),
  tlsSecret: fc.option(subdomain, { nil: undefined }),
  className: fc.option(subdomain, { nil: undefined }),
  annotations,
}, { requiredKeys: ['host'] });
/** How the component is reached: browsers need a NodePort, a LoadBalancer's nodePort or an Ingress. */
const exposure = (suffix: string) => fc.oneof(
  fc.record({ serviceType: fc.constantFrom(ServiceType.NODE_PORT, ServiceType.LOAD_BALANCER, undefined), ingress: fc.option(ingress(suffix), { nil: undefined }) }),
  fc.record({ serviceType: fc.constant(ServiceType.CLUSTER_IP), ingress: ingress(suffix) }),
);
/** Pods: a fixed count or an autoscaler (SQLite: 0 or 1 pod, no autoscaler; see commonProps); a budget below the pod count; spreading. */
const pods = fc.record({
  replicas: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
  autoscaling: fc.option(fc.record({
    minReplicas: fc.option(fc.integer({ min: 2, max: 8 }), { nil: undefined }),
    extra: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
    targetCpuUtilization: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
  }), { nil: undefined }),
  budget: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  spreadAcrossNodes: fc.option(fc.boolean(), { nil: undefined }),
});
/** Pod labels, annotations and scheduling: keys of the app's own are left out (they are refused; see the feature tests). */
const labelKey = fc.oneof(label, fc.tuple(subdomain, fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,10}[A-Za-z0-9])?$/)).map(([p, n]) => `${p}/${n}`));
const podLabelValue = fc.stringMatching(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?)?$/);
const labelMap = (owned: readonly string[]) => fc.dictionary(labelKey.filter((k) => !isOwnedKey(owned, k)), podLabelValue, { maxKeys: 3 });
const toleration = fc.oneof(
  fc.record({ key: labelKey, operator: fc.constantFrom('Equal', undefined), value: podLabelValue, effect: fc.constantFrom('', 'NoSchedule', 'PreferNoSchedule', undefined) }, { requiredKeys: ['key'] }),
  fc.record({ key: fc.option(labelKey, { nil: undefined }), operator: fc.constant('Exists'), effect: fc.constant('NoExecute'), tolerationSeconds: fc.integer({ min: 0, max: 3600 }) }, { requiredKeys: ['operator', 'effect'] }),
).map((t) => JSON.parse(JSON.stringify(t)));
const selectorOf = (labels: fc.Arbitrary<{ [k: string]: string }>) => labels.map((matchLabels) => ({ matchLabels }));
const affinityArb = fc.record({
  nodeAffinity: fc.record({
    requiredDuringSchedulingIgnoredDuringExecution: fc.record({ nodeSelectorTerms: fc.array(fc.record({ matchExpressions: fc.array(fc.record({ key: labelKey, operator: fc.constantFrom('In', 'NotIn'), values: fc.array(podLabelValue, { minLength: 1, maxLength: 2 }) }), { minLength: 1, maxLength: 2 }) }), { minLength: 1, maxLength: 2 }) }),
    preferredDuringSchedulingIgnoredDuringExecution: fc.array(fc.record({ weight: fc.integer({ min: 1, max: 100 }), preference: fc.record({ matchExpressions: fc.array(fc.record({ key: labelKey, operator: fc.constantFrom('Exists', 'DoesNotExist') }), { maxLength: 2 }) }) }), { maxLength: 2 }),
  }, { requiredKeys: [] }),
  podAffinity: fc.record({
    preferredDuringSchedulingIgnoredDuringExecution: fc.array(fc.record({ weight: fc.integer({ min: 1, max: 100 }), podAffinityTerm: fc.record({ topologyKey: fc.constantFrom('kubernetes.io/hostname', 'topology.kubernetes.io/zone'), labelSelector: selectorOf(labelMap([])) }) }), { maxLength: 2 }),
  }, { requiredKeys: [] }),
  podAntiAffinity: fc.record({
    requiredDuringSchedulingIgnoredDuringExecution: fc.array(fc.record({ topologyKey: fc.constantFrom('kubernetes.io/hostname', 'topology.kubernetes.io/zone'), labelSelector: selectorOf(labelMap([])) }), { maxLength: 2 }),
  }, { requiredKeys: [] }),
}, { requiredKeys: [] });
const podPlacement = fc.record({
  podAnnotations: fc.option(fc.dictionary(labelKey.filter((k) => !isOwnedKey(OWNED_POD_ANNOTATIONS, k)), envValue, { maxKeys: 3 }), { nil: undefined }),
  podLabels: fc.option(labelMap(ownedLabelKeys()), { nil: undefined }),
  nodeSelector: fc.option(labelMap([]), { nil: undefined }),
  tolerations: fc.option(fc.array(toleration, { maxLength: 2 }), { nil: undefined }),
  affinity: fc.option(affinityArb, { nil: undefined }),
  priorityClassName: fc.option(subdomain, { nil: undefined }),
});

const common = (suffix: string) => fc.record({
  imageTag: fc.option(tag, { nil: undefined }),
  image: fc.option(fc.record({ name: repository, tag: fc.option(tag, { nil: undefined }), port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }) }), { nil: undefined }),
  imagePullPolicy: fc.option(fc.constantFrom(ImagePullPolicy.IF_NOT_PRESENT, ImagePullPolicy.NEVER, ImagePullPolicy.ALWAYS), { nil: undefined }),
  pods,
  exposure: exposure(suffix),
  servicePort: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  resources: fc.option(resources, { nil: undefined }),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  terminationGracePeriod: fc.option(seconds(0, 600), { nil: undefined }),
  networkPolicy: fc.constantFrom(undefined, true, false),
  networkPolicyEgress: fc.constantFrom(undefined, true, false),
  env,
  runAsUser: fc.option(fc.integer({ min: 1, max: 2147483647 }), { nil: undefined }),
  existingSecret: fc.option(subdomain, { nil: undefined }),
  imagePullSecrets: fc.option(fc.uniqueArray(subdomain, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  serviceAccount: fc.option(fc.record({
    create: fc.option(fc.boolean(), { nil: undefined }),
    name: fc.option(subdomain, { nil: undefined }),
    annotations,
    automount: fc.option(fc.boolean(), { nil: undefined }),
  }), { nil: undefined }),
  commonLabels: fc.option(fc.dictionary(qualifiedKey, labelValue, { minKeys: 1, maxKeys: 3 }), { nil: undefined }),
  extraEnvVars,
  extraEnvVarsCM: fc.option(subdomain, { nil: undefined }),
  extraEnvVarsSecret: fc.option(subdomain, { nil: undefined }),
  extraVolumes,
  placement: podPlacement,
});
const database = fc.oneof(
  fc.record({ kind: fc.constant('sqlite' as const), size: fc.option(fc.integer({ min: 1, max: 4096 }), { nil: undefined }), storageClass: fc.option(subdomain, { nil: undefined }) }),
  fc.record({ kind: fc.constant('sqliteOnYourClaim' as const), existingClaim: subdomain }),
  fc.record({ kind: fc.constant('ephemeral' as const) }),
  fc.record({ kind: fc.constant('postgres' as const), host: label, port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }) }),
  fc.record({ kind: fc.constant('postgresFromSecret' as const), secretName: subdomain, key: fc.option(fc.stringMatching(/^[-._a-zA-Z0-9]{1,12}$/), { nil: undefined }) }),
);
const caseArb = fc.record({
  namespace: label,
  // The labels of the cdk8s Chart: the default of commonLabels, under each component's commonLabels prop;
  // clash: the Chart also holds the backend's first common label, with another value (the prop's wins).
  chartLabels: fc.option(fc.dictionary(qualifiedKey, labelValue, { minKeys: 1, maxKeys: 2 }), { nil: undefined }),
  clash: fc.boolean(),
  nodeAddress: fc.option(fc.oneof(fc.ipV4(), host('local')), { nil: undefined }),
  names: fc.option(fc.uniqueArray(label, { minLength: 2, maxLength: 2 }), { nil: undefined }),
  nodePorts: fc.uniqueArray(fc.integer({ min: 30000, max: 32767 }), { minLength: 2, maxLength: 2 }),
  database,
  backend: fc.record({
    common: common('api'),
    healthPath: fc.option(httpPath, { nil: undefined }),
    jwtExpiryHours: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
    anthropicModel: fc.option(fc.stringMatching(/^[a-z0-9][-a-z0-9.]{0,20}$/), { nil: undefined }),
    jwtSecret: fc.option(secret, { nil: undefined }),
    anthropicApiKey: fc.option(credential, { nil: undefined }),
    extraOrigins: fc.array(host('origin').map((h) => `https://${h}`), { maxLength: 2 }),
  }),
  frontend: fc.record({
    common: common('app'),
    livenessPath: fc.option(httpPath, { nil: undefined }),
    betterAuthSecret: fc.option(secret, { nil: undefined }),
  }),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;
type Common = Case['backend']['common'];

// ------------------------------------------------ from a draw to the props

const probeOf = (p: NonNullable<Common['livenessProbe']> | undefined) => {
  if (p === undefined) return undefined;
  const t = p.timings;
  const options = {
    initialDelay: t.initialDelay === undefined ? undefined : Duration.seconds(t.initialDelay),
    period: t.period === undefined ? undefined : Duration.seconds(t.period),
    timeout: t.timeout === undefined ? undefined : Duration.seconds(t.timeout),
    failureThreshold: t.failureThreshold,
  };
  return p.type === 'http' ? HealthProbe.httpGet(p.path, options) : HealthProbe.tcpSocket(options);
};

function commonProps(c: Common, name: string | undefined, nodePort: number, nodeAddress: string | undefined, role: 'backend' | 'frontend', scales: boolean): AppComponentOptions {
  const base = role === 'backend' ? BACKEND_IMAGE : FRONTEND_IMAGE;
  const autoscaling = scales && c.pods.autoscaling ? {
    minReplicas: c.pods.autoscaling.minReplicas,
    maxReplicas: c.pods.autoscaling.extra === undefined ? undefined : (c.pods.autoscaling.minReplicas ?? 2) + c.pods.autoscaling.extra,
    targetCpuUtilization: c.pods.autoscaling.targetCpuUtilization,
  } : undefined;
  const replicas = autoscaling ? undefined : c.pods.replicas === undefined ? undefined : scales ? c.pods.replicas : Math.min(c.pods.replicas, 1);
  const count = autoscaling ? (autoscaling.minReplicas ?? 2) : (replicas ?? 1);
  const r = c.resources;
  return {
    name,
    ...(c.image ? { image: base.with({ name: c.image.name, tag: c.image.tag ?? 'latest', port: c.image.port }) } : { imageTag: c.imageTag }),
    imagePullPolicy: c.imagePullPolicy,
    replicas,
    autoscaling,
    minAvailable: c.pods.budget !== undefined && count >= 2 ? 1 + Math.floor(c.pods.budget * (count - 1.0001)) : undefined,
    spreadAcrossNodes: c.pods.spreadAcrossNodes,
    serviceType: c.exposure.serviceType,
    nodePort: c.exposure.serviceType === ServiceType.CLUSTER_IP ? undefined : nodePort,
    nodeAddress,
    ingress: c.exposure.ingress,
    servicePort: c.servicePort,
    resources: r && {
      cpu: r.cpu && ('millis' in r.cpu ? { request: Cpu.millis(r.cpu.millis[0]), limit: Cpu.millis(r.cpu.millis[1]) } : { request: Cpu.units(r.cpu.units[0]), limit: Cpu.units(r.cpu.units[1]) }),
      memory: r.memory && { request: Size.mebibytes(r.memory[0]), limit: Size.mebibytes(r.memory[1]) },
      ephemeralStorage: r.ephemeralStorage && { request: Size.mebibytes(r.ephemeralStorage[0]), limit: Size.mebibytes(r.ephemeralStorage[1]) },
    },
    livenessProbe: probeOf(c.livenessProbe),
    readinessProbe: probeOf(c.readinessProbe),
    startupProbe: probeOf(c.startupProbe),
    terminationGracePeriod: c.terminationGracePeriod === undefined ? undefined : Duration.seconds(c.terminationGracePeriod),
    networkPolicy: c.networkPolicy,
    networkPolicyEgress: c.networkPolicy === false && c.networkPolicyEgress === true ? undefined : c.networkPolicyEgress,
    env: c.env,
    runAsUser: c.runAsUser,
    existingSecret: c.existingSecret,
    imagePullSecrets: c.imagePullSecrets,
    serviceAccount: serviceAccountOf(c.serviceAccount),
    commonLabels: c.commonLabels,
    extraEnvVars: c.extraEnvVars?.filter((v) => !(v.name in (c.env ?? {}))),
    extraEnvVarsCM: c.extraEnvVarsCM,
    extraEnvVarsSecret: c.extraEnvVarsSecret,
    extraVolumes: c.extraVolumes?.[0],
    extraVolumeMounts: c.extraVolumes?.[1],
    // Plain objects (fast-check's dictionaries have no prototype, which cdk8s cannot serialize).
    ...JSON.parse(JSON.stringify(c.placement)),
    // An affinity cannot go beside spreadAcrossNodes: true (refused; see the feature tests).
    ...(c.pods.spreadAcrossNodes === true ? { affinity: undefined } : {}),
  };
}

/** The ServiceAccount props of a draw, within their rules: annotations only on one created, a token only with one of the component's or yours. */
function serviceAccountOf(sa: Common['serviceAccount']): ServiceAccountOptions | undefined {
  if (sa === undefined) return undefined;
  return {
    create: sa.create,
    name: sa.name,
    annotations: sa.create ? sa.annotations : undefined,
    automount: sa.automount && (sa.create || sa.name !== undefined),
  };
}

function databaseOf(d: Case['database']): BackendDatabase {
  switch (d.kind) {
    case 'sqlite': return BackendDatabase.sqlite({ size: d.size === undefined ? undefined : Size.mebibytes(d.size), storageClass: d.storageClass });
    case 'sqliteOnYourClaim': return BackendDatabase.sqlite({ existingClaim: d.existingClaim });
    case 'ephemeral': return BackendDatabase.ephemeralSqlite();
    case 'postgres': return BackendDatabase.postgres(`postgresql://todo:pw@${d.host}${d.port === undefined ? '' : `:${d.port}`}/todo`);
    case 'postgresFromSecret': return BackendDatabase.postgresFromSecret({ secretName: d.secretName, key: d.key });
  }
}

/** The objects of the user's that the components read (existingSecret, extraEnvVarsCM, existingClaim...): not among the manifests. */
const externalsOf = (...components: AppComponent[]) => ({
  externalSecrets: components.flatMap((x) => x.externalSecrets),
  externalConfigMaps: components.flatMap((x) => x.externalConfigMaps),
  externalClaims: components.flatMap((x) => x.externalClaims),
});

const usesExistingSecret = (c: Case) => c.database.kind !== 'postgres' && c.backend.common.existingSecret !== undefined;

/** The app of a case: its chart (namespace) and the two components. */
function build(c: Case): { objects: any[]; backend: TodoBackend; frontend: TodoFrontend } {
  const app = Testing.app();
  // The test runs runAllChecks and the lint rules on the objects itself, and compares the lint findings with the chart's.
  checkAppElsewhere(app);
  const clashing = c.clash ? Object.keys(c.backend.common.commonLabels ?? {}).slice(0, 1) : [];
  const labels = { ...c.chartLabels, ...Object.fromEntries(clashing.map((k) => [k, 'from-chart'])) };
  const chart = new Chart(app, 'one-model', { namespace: c.namespace, labels });
  const db = databaseOf(c.database);
  const frontendProps = commonProps(c.frontend.common, c.names?.[1], c.nodePorts[1], c.nodeAddress, 'frontend', true);
  const b = c.backend;
  const backendCommon = commonProps(b.common, c.names?.[0], c.nodePorts[0], c.nodeAddress, 'backend', db.allowsReplicas);
  const backendProps: TodoBackendProps = {
    ...backendCommon,
    // A URL given for the backend's own Secret cannot go with an existing Secret.
    existingSecret: c.database.kind === 'postgres' ? undefined : backendCommon.existingSecret,
    database: db,
    healthPath: b.healthPath,
    jwtExpiryHours: b.jwtExpiryHours,
    anthropicModel: b.anthropicModel,
    jwtSecret: usesExistingSecret(c) ? undefined : b.jwtSecret,
    anthropicApiKey: usesExistingSecret(c) ? undefined : b.anthropicApiKey,
    corsOrigins: [TodoFrontend.originOf(frontendProps), ...b.extraOrigins],
  };
  const backend = new TodoBackend(chart, 'backend', backendProps);
  const fp: TodoFrontendProps = {
    ...frontendProps,
    backend,
    livenessPath: c.frontend.livenessPath,
    betterAuthSecret: c.frontend.common.existingSecret ? undefined : c.frontend.betterAuthSecret,
  };
  const frontend = new TodoFrontend(chart, 'frontend', fp);
  return { objects: chart.toJson(), backend, frontend };
}

// ------------------------------------------------------- the base charts

/**
 * The charts every case renders, written once from the default app. The
 * database is a value of the backend's chart (`database.type`,
 * `externalDatabase.*`, `persistence.enabled`), so any backend chart renders
 * any database: the backend's charts are written from the default props with
 * each kind of `database` (only their defaults differ), and a backend case is
 * rendered by one of them in turn, whatever database it drew.
 */
const BASES = {
  'frontend': () => new TodoApp(Testing.chart(), 'todo').frontend,
  'backend-sqlite': () => new TodoApp(Testing.chart(), 'todo').backend,
  'backend-postgres': () => new TodoApp(Testing.chart(), 'todo', { backend: { database: BackendDatabase.postgres('postgresql://todo:pw@db:5432/todo') } }).backend,
  'backend-postgresFromSecret': () => new TodoApp(Testing.chart(), 'todo', { backend: { database: BackendDatabase.postgresFromSecret({ secretName: 'todo-db' }) } }).backend,
};
type Base = keyof typeof BASES;

const BACKEND_BASES: readonly Base[] = ['backend-sqlite', 'backend-postgres', 'backend-postgresFromSecret'];

/** The chart that renders case `i`'s component: the frontend's, or each backend chart in turn (any of them renders any database). */
function baseOf(component: AppComponent, i: number): Base {
  return component.role === 'frontend' ? 'frontend' : BACKEND_BASES[Math.floor(i / 2) % BACKEND_BASES.length];
}

interface Written {
  readonly dir: string;
  readonly chartName: string;
  readonly defaults: any;
  readonly schema: any;
}

// --------------------------------------------------- values of a component

/**
 * The values that stand for a component: what its own chart's values.yaml
 * would hold (`componentValues`), plus what a values.yaml never holds and
 * an install passes instead:
 * - the secret values (values.yaml has none; here they are test values, as
 *   `--set-string secrets.X=...` or `externalDatabase.url=...` would pass
 *   them: `secretInstallValues`);
 * - the name, as the release name and `nameOverride` (the chart's name is
 *   the default component's).
 * Helm merges maps of a values file into the chart's defaults; a key of the
 * defaults that the component does not have is set to null, which is how a
 * values file removes it.
 */
function valuesOf(component: AppComponent, base: Written): { [key: string]: unknown } {
  const values = defaultValues(componentValues(component)) as { [key: string]: any };
  values.nameOverride = component.name === base.chartName ? '' : component.name;
  values.secrets = {};
  for (const [at, value] of Object.entries(secretInstallValues(component))) {
    const keys = at.split('.');
    keys.slice(0, -1).reduce((node, k) => node[k], values)[keys[keys.length - 1]] = value;
  }
  return withRemovals(base.defaults, values) as { [key: string]: unknown };
}

/**
 * The keys the plain manifests leave to the Secret kept by the cluster
 * (`<name>-keys`, created once by its command) a chart keeps in its own
 * Secret (`lookup` on upgrade, generated on install). Here the install
 * passes them as the values lookup would find (random test values, made
 * at run time), and the plain manifests are read as if the component's own
 * Secret held them: the one place where the two keep the same keys in two
 * ways.
 */
function keptByTheChart(component: AppComponent, objects: any[]): { plain: any[]; secrets?: { [key: string]: string } } {
  const keys = component.keysSecret;
  if (!keys) return { plain: objects };
  const given = Object.fromEntries(Object.entries(secretInstallValues(component)).filter(([at]) => at.startsWith('secrets.')).map(([at, v]) => [at.slice('secrets.'.length), v]));
  const secrets = { ...given, ...Object.fromEntries(keys.keys.map((k) => [k, randomSecret()])) };
  const plain = objects.map((o) => {
    const copy = JSON.parse(JSON.stringify(o));
    if (copy.kind === 'Secret' && copy.metadata.name === component.secretName) {
      copy.data = { ...copy.data, ...Object.fromEntries(keys.keys.map((k) => [k, Buffer.from(secrets[k], 'utf8').toString('base64')])) };
    }
    for (const entry of copy.kind === 'Deployment' ? copy.spec.template.spec.containers.flatMap((c: any) => c.env ?? []) : []) {
      const ref = entry.valueFrom?.secretKeyRef;
      if (ref?.name === keys.name) ref.name = component.secretName;
    }
    return copy;
  });
  return { plain, secrets };
}

function withRemovals(defaults: any, wanted: any): any {
  if (!isMap(defaults) || !isMap(wanted)) return wanted;
  const out: { [key: string]: unknown } = {};
  for (const key of Object.keys(defaults)) {
    out[key] = key in wanted ? withRemovals(defaults[key], wanted[key]) : null;
  }
  for (const key of Object.keys(wanted)) {
    if (!(key in defaults)) out[key] = wanted[key];
  }
  return out;
}

const isMap = (v: unknown): v is { [key: string]: any } => typeof v === 'object' && v !== null && !Array.isArray(v);

// -------------------------------------------------------------- comparison

/** JSON with sorted keys: equal objects give equal text whatever order their keys were written in. */
const canonical = (v: unknown): string => JSON.stringify(v, (_k, x) => (isMap(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x));
const key = (o: any) => `${o.kind}/${o.metadata?.name}`;
const isHook = (o: any) => o.metadata?.annotations?.['helm.sh/hook'] !== undefined;

/** Secret data in a message: the keys only. */
const redact = (objects: any[]) => objects.map((o) => (o.kind === 'Secret' ? { ...o, data: Object.fromEntries(Object.keys(o.data ?? {}).map((k) => [k, '<redacted>'])) } : o));

/** One failure per kind (the fields that differ, or the message), so that one divergence does not hide another. */
function firstOfEachKind(failures: readonly string[], most = 8): string[] {
  const kinds = new Map<string, string>();
  for (const f of failures) {
    const body = f.replace(/^(?:inverse )?case \d+ \([^)]*\)/, '').replace(/\n(?:props|values): .*$/s, '');
    const changed = body.split('\n').filter((l) => /^[-+] /.test(l)).map((l) => l.replace(/:.*$/, '').trim());
    const kind = changed.length > 0 ? `${body.split(':')[0]} ${changed.join('|')}` : body.replace(/[0-9]+/g, 'N').slice(0, 120);
    if (!kinds.has(kind)) kinds.set(kind, f);
  }
  return [...kinds.values()].slice(0, most);
}

// ------------------------------------------------------------------ running

/** Runs `task` over `items`, `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

let tmp: string;
const written = new Map<Base, Written>();
let valuesFile = 0;

async function render(base: Written, release: string, namespace: string, values: unknown): Promise<{ status: number; stdout: string; stderr: string }> {
  const file = path.join(tmp, `values-${valuesFile++}.json`);
  fs.writeFileSync(file, JSON.stringify(values));
  try {
    return await helmAsync(['template', release, base.dir, '--namespace', namespace, '--values', file]);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'one-model-'));
  for (const [name, make] of Object.entries(BASES) as Array<[Base, () => AppComponent]>) {
    const component = make();
    const chart = new TodoHelmChart(Testing.app(), 'chart', { component });
    const dir = path.join(tmp, name);
    chart.writeTo(dir);
    written.set(name, { dir, chartName: chart.chartName, defaults: chart.defaultValues(), schema: JSON.parse(fs.readFileSync(path.join(dir, 'values.schema.json'), 'utf8')) });
  }
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe(`one model: random props, synthesized and rendered by one chart (seed ${SEED})`, () => {
  test(`${CASES} cases: helm renders the plain manifests' objects, strictly valid and passing every check`, async () => {
    const cases = fc.sample(caseArb, { seed: SEED, numRuns: CASES });
    const failures: string[] = [];
    const seen = new Map<string, number>();
    const count = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);
    const jobs = cases.flatMap((c, i) => {
      let built: ReturnType<typeof build>;
      try {
        built = build(c);
      } catch (e) {
        failures.push(`case ${i} (FUZZ_SEED=${SEED}): the draw is not a valid app: ${(e as Error).stack}\nprops: ${JSON.stringify(c)}`);
        return [];
      }
      const plainFindings = runAllChecks(built.objects, externalsOf(built.backend, built.frontend));
      if (plainFindings.length > 0) {
        failures.push(`case ${i} (FUZZ_SEED=${SEED}): the plain manifests fail the checks: ${JSON.stringify(plainFindings)}\nprops: ${JSON.stringify(c)}`);
      }
      // Each case renders one of the two (both were synthesized and checked): backends on even cases, frontends on odd.
      return [{ i, c, component: i % 2 === 0 ? built.backend : built.frontend as AppComponent, namespace: c.namespace }];
    });
    await pool(jobs, PARALLEL, async ({ i, c, component, namespace }) => {
      const baseName = baseOf(component, i);
      const base = written.get(baseName)!;
      const kept = keptByTheChart(component, component.node.findAll().filter(ApiObject.isApiObject).map((o) => o.toJson()));
      const plain = kept.plain;
      const values = { ...valuesOf(component, base), ...(kept.secrets ? { secrets: kept.secrets } : {}) };
      const r = await render(base, component.name, namespace, values);
      const where = `case ${i} (FUZZ_SEED=${SEED}), ${component.role} on the ${baseName} chart`;
      if (r.status !== 0) {
        failures.push(`${where}: helm template failed: ${r.stderr.trim()}\nprops: ${JSON.stringify(c)}`);
        return;
      }
      const all = parseYaml(r.stdout);
      const rendered = all.filter((o) => !isHook(o));
      const problems = [
        ...validateObjects(all),
        ...runAllChecks(all, externalsOf(component)).map((f) => JSON.stringify(f)),
        ...exceptionsWithoutReason(all).map((f) => JSON.stringify(f)),
      ];
      // kube-score and kube-linter (which the synth runs too) find the same in both: the draws go beyond lint-clean props.
      const lint = (objects: any[]) => checkLint(objects).map((f) => JSON.stringify(f)).sort();
      if (JSON.stringify(lint(all)) !== JSON.stringify(lint(plain))) {
        problems.push(`lint findings differ (- plain, + chart):\n${diff(lint(plain), lint(all))}`);
      }
      if (problems.length > 0) {
        failures.push(`${where}: the render is not valid:\n${problems.join('\n')}\nprops: ${JSON.stringify(c)}`);
      }
      const want = [...plain].sort((a, b) => key(a).localeCompare(key(b))).map(comparable);
      const got = [...rendered].sort((a, b) => key(a).localeCompare(key(b))).map(comparable);
      if (canonical(want) !== canonical(got)) {
        failures.push(`${where}: the chart's objects differ from the plain manifests' (- plain, + chart):\n${diff(redact(want), redact(got), { expand: false, contextLines: 3 })}\nprops: ${JSON.stringify(c)}`);
      }
      for (const o of plain) count(o.kind);
      count(baseName);
      if (component.extraEnv.vars.length > 0) count('extraEnvVars');
      if (component.extraEnv.configMap !== undefined || component.extraEnv.secret !== undefined) count('extraEnvVarsCM/Secret');
      if (component.extraVolumeMounts.length > 0) count('extraVolumes and mounts');
      if (component.persistentVolume?.existingClaim !== undefined) count('persistence.existingClaim');
      if (component.role === 'backend') count(`database ${c.database.kind}`);
      // The pod values drawn reached the objects compared.
      const given = values as { [key: string]: any };
      for (const value of ['podAnnotations', 'podLabels', 'nodeSelector', 'tolerations', 'affinity', 'priorityClassName']) {
        if (Object.keys(given[value] ?? {}).length > 0 || (typeof given[value] === 'string' && given[value] !== '')) count(value);
      }
      if (Object.keys(given.affinity ?? {}).length > 0 && given.spreadAcrossNodes === null && component.spreadAcrossNodes) count('affinity beside automatic spreading');
      const chartLabels = Chart.of(component).labels;
      if (Object.keys(chartLabels).length > 0) count('Chart labels in commonLabels');
      if (Object.keys(chartLabels).some((k) => component.commonLabels[k] !== chartLabels[k])) count('a Chart label under a commonLabels prop of another value');
    });
    if (failures.length > 0) {
      throw new Error(`${failures.length} failure(s); the first of each kind:\n\n${firstOfEachKind(failures).join('\n\n')}`);
    }
    // Every kind of object and every base chart was compared, many times.
    for (const what of ['Deployment', 'Service', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'NetworkPolicy', 'Ingress', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ServiceAccount', ...Object.keys(BASES),
      ...['sqlite', 'sqliteOnYourClaim', 'ephemeral', 'postgres', 'postgresFromSecret'].map((kind) => `database ${kind}`),
      'extraEnvVars', 'extraEnvVarsCM/Secret', 'extraVolumes and mounts', 'persistence.existingClaim',
      'podAnnotations', 'podLabels', 'nodeSelector', 'tolerations', 'affinity', 'priorityClassName', 'affinity beside automatic spreading',
      'Chart labels in commonLabels', 'a Chart label under a commonLabels prop of another value']) {
      expect([what, (seen.get(what) ?? 0) >= 10]).toEqual([what, true]);
    }
    expect(jobs.length).toBe(CASES);
  }, 600_000);
});

// ------------------------------------------------------------- the inverse

const quantityOf = (rule: 'cpu' | 'memory' | 'storage') => fc.oneof(
  rule === 'cpu'
    ? fc.oneof(fc.integer({ min: 0, max: 8000 }).map((n) => `${n}m`), fc.integer({ min: 0, max: 16 }).map(String))
    : fc.tuple(fc.integer({ min: rule === 'storage' ? 1 : 0, max: 4096 }), fc.constantFrom('Ki', 'Mi', 'Gi', 'M', 'G', '')).map(([n, u]) => `${n}${u}`),
  fc.integer({ min: 0, max: 4096 }).map((n) => (rule === 'storage' && n === 0 ? 1 : n) * (rule === 'cpu' ? 1 : 1024 * 1024)),
);
const resourceList = fc.record({ 'cpu': quantityOf('cpu'), 'memory': quantityOf('memory'), 'ephemeral-storage': quantityOf('storage') }, { requiredKeys: [] });
const probeValues = fc.record({
  type: fc.constantFrom('http', 'tcp'),
  path: httpPath,
  initialDelaySeconds: seconds(0, 300),
  periodSeconds: seconds(1, 300),
  timeoutSeconds: seconds(1, 60),
  failureThreshold: fc.integer({ min: 1, max: 60 }),
}, { requiredKeys: [] });
const userId = fc.integer({ min: 1, max: 2147483647 });
/** Annotations the schema accepts (string values), with keys that the chart may refuse. */
const anyAnnotations = fc.dictionary(fc.oneof(qualifiedKey, fc.constantFrom(INGRESS_CLASS_ANNOTATION, 'bad key')), envValue, { maxKeys: 2 });
const maybeSecret = fc.oneof(secret, credential, fc.constant(''), fc.stringMatching(/^[!-~]{4,20} [!-~]{4,20}$/));

/**
 * Values within what a chart documents (values.yaml's comments and
 * values.schema.json): each key is left at its default or drawn.
 */
function valuesArb(base: Written): fc.Arbitrary<{ [key: string]: unknown }> {
  const d = base.defaults;
  const backend = 'persistence' in d;
  const all = {
    replicaCount: fc.integer({ min: 0, max: 6 }),
    image: fc.record({ repository, tag, pullPolicy: fc.constantFrom('IfNotPresent', 'Never', 'Always'), port: fc.integer({ min: 1, max: 65535 }) }, { requiredKeys: [] }),
    service: fc.record({ type: fc.constantFrom('NodePort', 'ClusterIP', 'LoadBalancer'), port: fc.integer({ min: 1, max: 65535 }), nodePort: fc.option(fc.integer({ min: 30000, max: 32767 }), { nil: null }) }, { requiredKeys: [] }),
    env: fc.dictionary(envName, fc.oneof(envValue, fc.integer(), fc.boolean()), { maxKeys: 3 }),
    secrets: fc.record(Object.fromEntries(Object.keys(d.secrets).map((k) => [k, maybeSecret])), { requiredKeys: [] }),
    existingSecret: fc.constantFrom('', 'todo-keys', 'my.keys'),
    ...('gitOps' in d ? { gitOps: fc.boolean() } : {}),
    ...('secretRefs' in d ? { secretRefs: fc.record(Object.fromEntries(Object.keys(d.secretRefs).map((k) => [k, fc.record({ name: subdomain, key: fc.stringMatching(/^[-._a-zA-Z0-9]{1,12}$/) })]))) } : {}),
    probes: fc.record({ startup: probeValues, liveness: probeValues, readiness: probeValues }, { requiredKeys: [] }),
    terminationGracePeriodSeconds: seconds(0, 600),
    ...(backend ? {
      // Any database on any backend chart: a URL (or one that is not PostgreSQL's), a Secret of yours, both (refused).
      database: fc.record({ type: fc.constantFrom('sqlite', 'postgres') }),
      externalDatabase: fc.record({
        url: fc.oneof(fc.constant(''), fc.tuple(label, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined })).map(([h, p]) => `postgresql://todo:pw@${h}${p === undefined ? '' : `:${p}`}/todo`), fc.constant('mysql://x')),
        existingSecret: fc.oneof(fc.constant(''), subdomain),
        existingSecretKey: fc.stringMatching(/^[-._a-zA-Z0-9]{1,12}$/),
      }, { requiredKeys: [] }),
      persistence: fc.record({ enabled: fc.boolean(), size: fc.oneof(quantityOf('storage').map(String), fc.constantFrom('300Ti', '256Ti')), storageClass: fc.oneof(fc.constant(''), subdomain), existingClaim: fc.oneof(fc.constant(''), subdomain) }, { requiredKeys: [] }),
      securityContext: fc.record({ readOnlyRootFilesystem: fc.boolean() }, { requiredKeys: [] }),
    } : {}),
    ingress: fc.record({ enabled: fc.boolean(), className: fc.oneof(fc.constant(''), subdomain), host: host('example'), path: fc.stringMatching(/^\/([a-z0-9]{1,8}(\/[a-z0-9]{1,8})?)?$/), tls: fc.record({ secretName: fc.oneof(fc.constant(''), subdomain) }), annotations: anyAnnotations }, { requiredKeys: [] }),
    autoscaling: fc.record({ enabled: fc.boolean(), minReplicas: fc.integer({ min: 2, max: 12 }), maxReplicas: fc.integer({ min: 2, max: 12 }), targetCPUUtilizationPercentage: fc.integer({ min: 1, max: 100 }) }, { requiredKeys: [] }),
    podDisruptionBudget: fc.record({ enabled: fc.boolean(), minAvailable: fc.integer({ min: 1, max: 8 }) }, { requiredKeys: [] }),
    spreadAcrossNodes: fc.constantFrom(true, false, null),
    // Sometimes a key of the app's, which the chart refuses.
    podAnnotations: fc.oneof(podPlacement.map((p) => p.podAnnotations ?? {}), fc.constant({ 'checksum/config': 'x' })),
    podLabels: fc.oneof(labelMap(ownedLabelKeys()), fc.constant({ 'app.kubernetes.io/name': 'other' })),
    nodeSelector: labelMap([]),
    tolerations: fc.array(toleration, { maxLength: 2 }),
    affinity: affinityArb,
    priorityClassName: fc.oneof(fc.constant(''), subdomain),
    networkPolicy: fc.record({ enabled: fc.boolean(), egress: fc.record({ enabled: fc.boolean() }, { requiredKeys: [] }) }, { requiredKeys: [] }),
    resources: fc.record({ requests: resourceList, limits: resourceList }, { requiredKeys: [] }),
    podSecurityContext: userId.map((id) => ({ runAsUser: id, runAsGroup: id, fsGroup: id })),
    imagePullSecrets: fc.array(fc.record({ name: fc.oneof(subdomain, fc.constantFrom('Reg_Cred', '-x', '')) }), { maxLength: 2 }),
    serviceAccount: fc.record({ create: fc.boolean(), name: fc.oneof(fc.constant(''), subdomain, fc.constant('Bad_Name')), annotations: anyAnnotations, automount: fc.boolean() }, { requiredKeys: [] }),
    commonLabels: fc.dictionary(fc.oneof(qualifiedKey, fc.constantFrom('app', 'app.kubernetes.io/name', 'helm.sh/chart', 'bad key')), fc.oneof(labelValue, fc.constantFrom('-x', 'a b')), { maxKeys: 3 }),
    // The user's environment and volumes: mostly their own names, sometimes the component's (or invalid ones), which the chart refuses.
    extraEnvVars: fc.array(fc.record({ name: fc.oneof(envName, envName.map((n) => `X_${n}`), fc.constantFrom(...Object.keys(d.env), 'JWT_SECRET', 'MY_TOKEN', '1X', 'A-B')), value: envValue }), { maxLength: 3 }),
    extraEnvVarsCM: fc.oneof(fc.constant(''), subdomain),
    extraEnvVarsSecret: fc.oneof(fc.constant(''), subdomain),
    extraVolumes: fc.uniqueArray(fc.oneof(
      extraVolume.map((v) => k8s.toJson_Volume(v) as { name: string }),
      fc.constantFrom({ name: 'tmp', emptyDir: {} }, { name: 'host', hostPath: { path: '/var/run' } }, { name: 'two', emptyDir: {}, secret: { secretName: 's' } }, { name: 'Bad_Name', emptyDir: {} }),
    ), { maxLength: 3, selector: (v) => v.name }),
    extraVolumeMounts: fc.array(fc.record({
      name: fc.oneof(fc.constantFrom('tmp', 'v-a', 'missing'), label.map((l) => `v-${l}`)),
      mountPath: fc.oneof(label.map((l) => `/mnt/${l}`), fc.constantFrom('/tmp', 'relative', '/mnt/a')),
      readOnly: fc.boolean(),
    }, { requiredKeys: ['name', 'mountPath'] }), { maxLength: 3 }),
  };
  // A few values at a time (with every one drawn, nearly every set would break some rule across values).
  const keys = Object.keys(all) as Array<keyof typeof all>;
  return fc.tuple(fc.record(all), fc.subarray(keys, { minLength: 1, maxLength: 5 }))
    .map(([drawn, chosen]) => Object.fromEntries(chosen.map((k) => [k, drawn[k]])));
}

/** The values Helm computes: a values file's maps merged into the defaults, a null removing the key. */
function coalesce(defaults: any, override: any): any {
  if (!isMap(defaults) || !isMap(override)) return override;
  const out: { [key: string]: unknown } = { ...defaults };
  for (const [k, v] of Object.entries(override)) {
    if (v === null) delete out[k];
    else out[k] = k in defaults ? coalesce(defaults[k], v) : v;
  }
  return out;
}

/** Every value path of a values tree (`a`, `a.b`, ...). */
function paths(values: unknown, prefix = ''): string[] {
  if (!isMap(values)) return [];
  return Object.entries(values).flatMap(([k, v]) => [`${prefix}${k}`, ...paths(v, `${prefix}${k}.`)]);
}

describe(`the inverse: values the schema accepts (seed ${SEED})`, () => {
  test(`${INVERSE_CASES} cases: render strictly valid objects that pass every check, or the chart refuses them naming a value`, async () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const bases = [...written.entries()];
    const jobs = fc.sample(fc.oneof(...bases.map(([name, w]) => valuesArb(w).map((override) => ({ base: name, override })))), { seed: SEED, numRuns: INVERSE_CASES });
    const validators = new Map(bases.map(([name, w]) => [name, ajv.compile(w.schema)]));
    const failures: string[] = [];
    const outcome = { rendered: 0, refused: 0, schema: 0 };
    await pool(jobs, PARALLEL, async ({ base: baseName, override }, i) => {
      const base = written.get(baseName)!;
      const values = coalesce(base.defaults, override) as { [key: string]: any };
      const where = `inverse case ${i} (FUZZ_SEED=${SEED}) on the ${baseName} chart`;
      const validate = validators.get(baseName)!;
      if (!validate(values)) {
        outcome.schema++;
        return;
      }
      const r = await render(base, base.chartName, 'default', override);
      if (r.status !== 0) {
        const refusal = /execution error at \([^)]*\): (.*)/.exec(r.stderr)?.[1];
        const named = paths(values).some((p) => refusal?.includes(p));
        if (!refusal || !named) {
          failures.push(`${where}: helm failed ${refusal ? 'without naming a value' : 'on values the schema accepts'}: ${r.stderr.trim()}\nvalues: ${JSON.stringify(override)}`);
        }
        outcome.refused++;
        return;
      }
      outcome.rendered++;
      const objects = parseYaml(r.stdout);
      const volumes: any[] = values.extraVolumes ?? [];
      const external = {
        externalSecrets: [values.existingSecret, values.externalDatabase?.existingSecret, values.extraEnvVarsSecret, ...Object.values<any>(values.secretRefs ?? {}).map((ref) => ref.name), ...volumes.map((v) => v.secret?.secretName), ...(values.imagePullSecrets ?? []).map((s: any) => s.name)].filter((n) => n),
        externalConfigMaps: [values.extraEnvVarsCM, ...volumes.map((v) => v.configMap?.name)].filter((n) => n),
        externalClaims: [values.persistence?.existingClaim, ...volumes.map((v) => v.persistentVolumeClaim?.claimName)].filter((n) => n),
      };
      const problems = [...validateObjects(objects), ...runAllChecks(objects, external).map((f) => JSON.stringify(f))];
      if (problems.length > 0) {
        failures.push(`${where}: the render is not valid:\n${problems.join('\n')}\nvalues: ${JSON.stringify(override)}`);
      }
    });
    if (failures.length > 0) {
      throw new Error(`${failures.length} failure(s); the first of each kind:\n\n${firstOfEachKind(failures).join('\n\n')}`);
    }
    // Both outcomes happen, and most drawn values are within the schema.
    expect(outcome.rendered).toBeGreaterThan(INVERSE_CASES / 4);
    expect(outcome.refused).toBeGreaterThan(INVERSE_CASES / 10);
    expect(outcome.schema).toBeLessThan(INVERSE_CASES / 2);
  }, 600_000);
});
