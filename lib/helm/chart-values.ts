import { AppComponent, PULL_POLICIES, SecretVariable, SERVICE_TYPES } from '../app-component';
import { DATA_MOUNT_PATH, DEFAULT_SQLITE_SIZE, SQLITE_SIZE } from '../backend-database';
import { TodoBackend } from '../todo-backend';
import { SECRET_LOOKING_KEY } from '../checks/semantic';
import { HealthProbe, ProbeType } from '../health-probe';
import { formatSize } from '../resources';
import { ClusterRules, DEFAULT_AUTOSCALING, DNS_EGRESS } from '../cluster-objects';
import * as k8s from '../../imports/k8s';
import { integerBetween, JsonSchema, oneOf, orEmpty, Rules } from '../validation';
import { group, leaf, ValueGroup } from './values';


/** A regular expression source that matches letters of either case, for JSON Schema (no inline flags in ECMA-262). */
function caseInsensitive(source: string): string {
  return source.replace(/[a-zA-Z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
}

const quantity = (rule: { schema: JsonSchema }) => ({ anyOf: [rule.schema, { type: 'number', minimum: 0 }] });
const RESOURCE_LIST: JsonSchema = {
  type: 'object',
  properties: { 'cpu': quantity(Rules.cpu), 'memory': quantity(Rules.memory), 'ephemeral-storage': quantity(Rules.storage) },
};

function probeValues(comment: string, probe: HealthProbe): ValueGroup {
  return group(comment, {
    type: leaf('"http": GET `path` on the container port; "tcp": open the port.', probe.type, oneOf([ProbeType.HTTP, ProbeType.TCP]).schema),
    path: leaf('HTTP path (http probes).', probe.path ?? '', { type: 'string' }),
    initialDelaySeconds: leaf('Seconds before the first probe.', probe.initialDelaySeconds, Rules.secondsOrZero.schema),
    periodSeconds: leaf('Seconds between probes.', probe.periodSeconds, Rules.seconds.schema),
    timeoutSeconds: leaf('Seconds one probe may take.', probe.timeoutSeconds, Rules.seconds.schema),
    failureThreshold: leaf('Consecutive failures before the probe fails.', probe.failureThreshold, Rules.threshold.schema),
  }, {
    required: ['type'],
    if: { properties: { type: { const: ProbeType.HTTP } } },
    then: { required: ['path'], properties: { path: Rules.httpPath.schema } },
  });
}

/** The secret variables kept in the component's own Secret (not read from a Secret of the user's). */
export function ownSecretVariables(component: AppComponent): SecretVariable[] {
  return component.secretVariables.filter((v) => v.secretRef === undefined);
}

function persistenceValues(backend: TodoBackend): ValueGroup {
  const volume = backend.persistentVolume;
  return group('SQLite on a PersistentVolumeClaim, kept on `helm uninstall` (helm.sh/resource-policy: keep).\nDelete it with: kubectl delete pvc <release>-data (when the release name contains the chart name).', {
    enabled: leaf('Keep the database on a volume. With SQLite, env.DATABASE_URL must point under mountPath when enabled, and off it when not.', volume !== undefined, { type: 'boolean' }),
    mountPath: leaf('Where the volume is mounted.', volume?.mountPath ?? DATA_MOUNT_PATH, { type: 'string', pattern: '^/[^\\s]*[^/\\s]$' }),
    size: leaf(`Size of the volume: ${SQLITE_SIZE.allowed}.`, volume?.size ?? formatSize(DEFAULT_SQLITE_SIZE), Rules.storage.schema),
    storageClass: leaf('Storage class; empty uses the cluster default (standard on Minikube).', volume?.storageClass ?? '', orEmpty(Rules.dnsSubdomain).schema),
  });
}

/**
 * The values of a component's chart, following the design's configuration
 * flow (`image.*`, `replicaCount`, `service.*`, `env.*`, `probes.*`), with
 * defaults read from the component and schemas from the rules its props are
 * checked with.
 */
export function componentValues(component: AppComponent): ValueGroup {
  const image = component.image;
  const own = ownSecretVariables(component);
  const refs = component.secretVariables.filter((v) => v.secretRef !== undefined);
  const secretLines = own.map((v) => `${v.name}: ${v.optional
    ? 'optional; left out when empty.'
    : v.generate
      ? 'from this value when set; else kept from the existing Secret on upgrade; else generated on first install.'
      : 'required: from this value when set; else kept from the existing Secret on upgrade.'}`);
  return group('', {
    nameOverride: leaf('Replaces the chart name in names and the app.kubernetes.io/name label.', '', orEmpty(Rules.dnsLabel).schema),
    fullnameOverride: leaf('Replaces the full name of the Deployment, Service, ConfigMap and Secret.\nBy default it is the release name (or <release>-<chart> when the release name does not contain the chart name).', '', orEmpty(Rules.dnsLabel).schema),
    image: group('The image (the design\'s Docker Image entity).', {
      repository: leaf('Image repository.', image.name, Rules.imageRepository.schema),
      tag: leaf('Image tag: a string (quote a tag that looks like a number, "1.10", or use --set-string).', image.tag, Rules.imageTag.schema),
      port: leaf('The port the server in the image listens on: the container port named "http".', image.port, Rules.port.schema),
      pullPolicy: leaf('IfNotPresent: images built into Minikube\'s Docker daemon are used as they are.', component.imagePullPolicy, oneOf(PULL_POLICIES).schema),
      buildArgs: leaf(
        Object.keys(image.buildArgs).length > 0
          ? 'Build arguments the image was built with (baked into its JavaScript bundle).\nThey must match the URLs users reach the services at; NOTES.txt prints the build command.'
          : 'Build arguments the image was built with.',
        image.buildArgs,
        { type: 'object', propertyNames: Rules.envName.schema, additionalProperties: Rules.nonEmpty.schema },
      ),
    }),
    replicaCount: leaf('Number of pods.', component.replicas, Rules.replicas.schema),
    service: group('The Service in front of the pods.', {
      type: leaf('NodePort (reachable at <node IP>:<nodePort>), ClusterIP or LoadBalancer.', component.serviceType, oneOf(SERVICE_TYPES).schema),
      port: leaf('The Service port.', component.port, Rules.port.schema),
      nodePort: leaf('The node port (NodePort and LoadBalancer); null lets Kubernetes pick one.', component.nodePort ?? null, { anyOf: [Rules.nodePort.schema, { type: 'null' }] }),
    }),
    env: leaf(
      'Non-secret environment variables, rendered into the ConfigMap the container reads (envFrom).\nA key added here appears in the container\'s environment. Secrets go in `secrets`.',
      component.env,
      {
        type: 'object',
        propertyNames: { ...Rules.envName.schema, not: { pattern: caseInsensitive(SECRET_LOOKING_KEY.source) } },
        additionalProperties: { type: ['string', 'number', 'boolean'] },
      },
    ),
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
    probes: group('Probes, on the container port named "http".', {
      startup: probeValues('Holds off the other probes until the server has started (a slow first start).', component.startupProbe),
      liveness: probeValues('Restarts the container when it fails.', component.livenessProbe),
      readiness: probeValues('Sends traffic to the pod only while it passes.', component.readinessProbe),
    }),
    terminationGracePeriodSeconds: leaf('Seconds a stopping pod may take to finish its requests.', component.terminationGracePeriodSeconds, Rules.secondsOrZero.schema),
    ...(component instanceof TodoBackend ? { persistence: persistenceValues(component) } : {}),
    ingress: group('An Ingress that routes host and path to the Service (the cluster profile). Browsers then use its URL.', {
      enabled: leaf('Create the Ingress.', component.ingressRoute !== undefined, { type: 'boolean' }),
      className: leaf('IngressClass; empty uses the cluster default.', component.ingressRoute?.className ?? '', orEmpty(Rules.dnsSubdomain).schema),
      host: leaf('The host users reach the app at.', component.ingressRoute?.host ?? '', orEmpty(ClusterRules.host).schema),
      path: leaf('The path prefix routed to this component (passed on as it is).', component.ingressRoute?.path ?? '/', ClusterRules.pathPrefix.schema),
      tls: group('TLS for the host.', {
        secretName: leaf('A kubernetes.io/tls Secret; empty: no TLS.', component.ingressRoute?.tlsSecret ?? '', orEmpty(Rules.dnsSubdomain).schema),
      }),
    }, { if: { properties: { enabled: { const: true } } }, then: { properties: { host: ClusterRules.host.schema } } }),
    autoscaling: group('A HorizontalPodAutoscaler on CPU (the cluster profile); replicaCount is then left to it. Needs metrics-server.', {
      enabled: leaf('Create the autoscaler.', component.autoscaling !== undefined, { type: 'boolean' }),
      minReplicas: leaf('Fewest pods.', component.autoscaling?.minReplicas ?? DEFAULT_AUTOSCALING.minReplicas, ClusterRules.minReplicas.schema),
      maxReplicas: leaf('Most pods.', component.autoscaling?.maxReplicas ?? DEFAULT_AUTOSCALING.maxReplicas, ClusterRules.maxReplicas.schema),
      targetCPUUtilizationPercentage: leaf('CPU use, in percent of the request, to aim for.', component.autoscaling?.targetCpuUtilization ?? DEFAULT_AUTOSCALING.targetCpuUtilization, ClusterRules.cpuPercent.schema),
    }),
    podDisruptionBudget: group('A PodDisruptionBudget that keeps pods through node drains (the cluster profile).', {
      enabled: leaf('Create the budget.', component.minAvailable !== undefined, { type: 'boolean' }),
      minAvailable: leaf('Pods kept available.', component.minAvailable ?? 1, integerBetween(1).schema),
    }),
    spreadAcrossNodes: leaf('Spread the pods over nodes (topology spread constraints; pods still schedule when they cannot be spread).', component.spreadAcrossNodes, { type: 'boolean' }),
    networkPolicy: group('A NetworkPolicy that admits traffic on the pods\' port only (enforced by CNIs that support it: minikube start --cni=calico).', {
      enabled: leaf('Create the NetworkPolicy.', component.networkPolicy !== undefined, { type: 'boolean' }),
      egress: group('Outgoing traffic: the cluster DNS (kube-system/kube-dns, port 53) and what the component needs, nothing else.', {
        enabled: leaf('Limit outgoing traffic (needs enabled).', component.networkPolicyEgress, { type: 'boolean' }),
        rules: leaf(
          `What the component needs besides the cluster DNS (NetworkPolicyEgressRule objects), synthesized from the app: ${component instanceof TodoBackend
            ? 'its PostgreSQL port, and HTTPS when an Anthropic key is given (also added when one is set at install)'
            : 'its backend\'s pods and port, and its NodePort or the Ingress\'s HTTP and HTTPS'}.`,
          component.egressRules.filter((r) => r !== DNS_EGRESS).map((r) => k8s.toJson_NetworkPolicyEgressRule(r)),
          { type: 'array', items: { type: 'object' } },
        ),
        extraRules: leaf('More egress rules (NetworkPolicyEgressRule objects), for servers of yours the pods call.', [], { type: 'array', items: { type: 'object' } }),
      }),
    }),
    resources: leaf('CPU, memory and ephemeral-storage requests and limits (kube-score wants equal ephemeral-storage request and limit).', component.resources, { type: 'object', properties: { requests: RESOURCE_LIST, limits: RESOURCE_LIST } }),
    podSecurityContext: leaf('Pod security context ("restricted" Pod Security Standard).', component.podSecurityContext, { type: 'object' }),
    securityContext: leaf('Container security context (read-only root filesystem, no privilege escalation, no capabilities).', component.containerSecurityContext, { type: 'object' }),
  });
}
