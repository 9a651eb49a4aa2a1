import * as k8s from '../imports/k8s';
import { testHolds, ValueTest } from './helm/value-cases';
import { conflict, INGRESS_CLASS_ANNOTATION, REFUSED_BESIDE_CLASS_NAME } from './shared-rules';
import { atLeast, check, checkOptional, checkStringMap, integerBetween, Rules, show } from './validation';

/**
 * Options of the Ingress that routes a host and path to a component.
 */
export interface IngressOptions {
  /** The host users reach the app at: `todo.example.com`. */
  readonly host: string;

  /**
   * The path prefix routed to the component (kept as it is: the server must answer under it).
   *
   * @default '/'
   */
  readonly path?: string;

  /**
   * A Secret of type `kubernetes.io/tls` for the host; URLs use `https` when it is set.
   *
   * @default - no TLS: URLs use `http`
   */
  readonly tlsSecret?: string;

  /**
   * The IngressClass.
   *
   * @default - the cluster's default IngressClass
   */
  readonly className?: string;

  /**
   * Annotations of the Ingress: the controller's settings
   * (`nginx.ingress.kubernetes.io/proxy-body-size`,
   * `cert-manager.io/cluster-issuer`). `kubernetes.io/ingress.class` is
   * refused beside `className` (the API server refuses the pair).
   *
   * @default - none
   */
  readonly annotations?: { readonly [key: string]: string };
}

/**
 * Options of the HorizontalPodAutoscaler that scales a component on CPU.
 *
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
 */
export interface AutoscalingOptions {
  /**
   * Fewest pods.
   *
   * @default 2
   */
  readonly minReplicas?: number;

  /**
   * Most pods.
   *
   * @default - 5, or `minReplicas` when that is higher
   */
  readonly maxReplicas?: number;

  /**
   * Average CPU use, in percent of the pods' CPU request, that the autoscaler aims for.
   *
   * @default 70
   */
  readonly targetCpuUtilization?: number;
}

/** Ingress options with their defaults applied and checked. */
export interface ResolvedIngress {
  readonly host: string;
  readonly path: string;
  readonly tlsSecret?: string;
  readonly className?: string;
  readonly annotations: { readonly [key: string]: string };
}

/** Autoscaling options with their defaults applied and checked. */
export interface ResolvedAutoscaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCpuUtilization: number;
}

/** What an autoscaler does when its options leave a value out. */
export const DEFAULT_AUTOSCALING = {
  /** Fewest pods: two keep one serving while the other restarts. */
  minReplicas: 2,
  /** Most pods, unless the minimum is higher (then the minimum). */
  maxReplicas: 5,
  /** Average CPU use, in percent of the request, the autoscaler aims for. */
  targetCpuUtilization: 70,
} as const;

// At least one dot; the last label starts with a letter (an Ingress host is a DNS name, never an IP address).
const HOSTNAME = /^(?:[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const PATH_PREFIX = /^\/([A-Za-z0-9\-._~]+(\/[A-Za-z0-9\-._~]+)*)?$/;

/** Rules of the cluster settings. */
export const ClusterRules = {
  /** A fully qualified host name. */
  host: { allowed: 'a host name such as "todo.example.com" (lowercase, at least one dot, the last label starting with a letter)', schema: { type: 'string', pattern: HOSTNAME.source, maxLength: 253 }, test: (v: unknown): v is string => typeof v === 'string' && v.length <= 253 && HOSTNAME.test(v) },
  /** An Ingress path prefix. */
  pathPrefix: { allowed: 'a path prefix such as "/" or "/api" (no trailing "/")', schema: { type: 'string', pattern: PATH_PREFIX.source }, test: (v: unknown): v is string => typeof v === 'string' && PATH_PREFIX.test(v) },
  /** The path prefix of the backend behind the app's Ingress: not `/`, which is the frontend's. */
  backendPath: { allowed: 'a path prefix such as "/api" (no trailing "/"), not "/" (the frontend is served at "/")', schema: { type: 'string', pattern: PATH_PREFIX.source, not: { const: '/' } }, test: (v: unknown): v is string => typeof v === 'string' && v !== '/' && PATH_PREFIX.test(v) },
  /** Autoscaling minimum: two or more keeps a pod serving while another restarts. */
  minReplicas: integerBetween(2, 100, 'a whole number'),
  /** Autoscaling maximum. */
  maxReplicas: integerBetween(2, 100, 'a whole number'),
  /** A CPU utilization target. */
  cpuPercent: integerBetween(1, 100, 'a percentage'),
};

/** Applies defaults and checks. */
export function resolveIngress(setting: string, options: IngressOptions): ResolvedIngress {
  return {
    host: check(`${setting}.host`, options.host, ClusterRules.host),
    path: check(`${setting}.path`, options.path ?? '/', ClusterRules.pathPrefix),
    tlsSecret: checkOptional(`${setting}.tlsSecret`, options.tlsSecret, Rules.dnsSubdomain),
    className: checkOptional(`${setting}.className`, options.className, Rules.dnsSubdomain),
    annotations: ingressAnnotations(setting, options),
  };
}

/**
 * @internal
 * The class annotation beside a class name (the API server refuses both), on
 * the `ingress` values: refused by {@link resolveIngress} and the chart's check.
 */
export const CLASS_ANNOTATION_BESIDE_CLASS_NAME: ValueTest = { all: [{ truthy: 'ingress.className' }, { hasKey: 'ingress.annotations', key: INGRESS_CLASS_ANNOTATION }] };

/** The Ingress' annotations, checked: keys, string values, no class annotation beside a class name. */
function ingressAnnotations(setting: string, options: IngressOptions): { [key: string]: string } {
  const annotations = checkStringMap(`${setting}.annotations`, options.annotations ?? {}, Rules.annotationKey);
  // The values as the chart holds them (no class name: "").
  if (testHolds(CLASS_ANNOTATION_BESIDE_CLASS_NAME, { ingress: { className: options.className ?? '', annotations } })) {
    throw new Error(conflict(`${setting}.annotations`, `${setting}.className`, REFUSED_BESIDE_CLASS_NAME, show(INGRESS_CLASS_ANNOTATION)));
  }
  return annotations;
}

/**
 * @internal
 * The autoscaler's maximum below its minimum, on the `autoscaling` values:
 * refused by {@link resolveAutoscaling} and the chart's check.
 */
export const MAX_BELOW_MIN: ValueTest = { all: [{ truthy: 'autoscaling.enabled' }, { below: 'autoscaling.maxReplicas', than: 'autoscaling.minReplicas' }] };

/** Applies defaults and checks; the maximum may not be below the minimum. */
export function resolveAutoscaling(setting: string, options: AutoscalingOptions): ResolvedAutoscaling {
  const minReplicas = check(`${setting}.minReplicas`, options.minReplicas ?? DEFAULT_AUTOSCALING.minReplicas, ClusterRules.minReplicas);
  const maxReplicas = check(`${setting}.maxReplicas`, options.maxReplicas ?? Math.max(DEFAULT_AUTOSCALING.maxReplicas, minReplicas), ClusterRules.maxReplicas);
  // The values as the chart holds them; the rule's check gives the words.
  if (testHolds(MAX_BELOW_MIN, { autoscaling: { enabled: true, minReplicas, maxReplicas } })) {
    check(`${setting}.maxReplicas`, maxReplicas, atLeast(minReplicas, `'${setting}.minReplicas'`));
  }
  const targetCpuUtilization = check(`${setting}.targetCpuUtilization`, options.targetCpuUtilization ?? DEFAULT_AUTOSCALING.targetCpuUtilization, ClusterRules.cpuPercent);
  return { minReplicas, maxReplicas, targetCpuUtilization };
}

/**
 * @internal The Ingress routes the root path (`ingress.path` is `/`): its URL
 * has no path after the host. {@link ingressUrl} and the chart's NOTES read it.
 */
export const INGRESS_AT_ROOT: ValueTest = { equals: 'ingress.path', to: '/' };

/** The URL of a component behind an Ingress: `https://host/path` (http without TLS; no path at {@link INGRESS_AT_ROOT}). */
export function ingressUrl(ingress: Pick<ResolvedIngress, 'host' | 'path' | 'tlsSecret'>): string {
  return `${ingress.tlsSecret ? 'https' : 'http'}://${ingress.host}${testHolds(INGRESS_AT_ROOT, { ingress: { path: ingress.path } }) ? '' : ingress.path}`;
}

/** The Ingress spec that routes `ingress.path` on `ingress.host` to the Service's port `portName`. */
export function ingressSpec(ingress: ResolvedIngress, serviceName: string, portName: string): k8s.IngressSpec {
  return {
    ...(ingress.className === undefined ? {} : { ingressClassName: ingress.className }),
    ...(ingress.tlsSecret === undefined ? {} : { tls: [{ hosts: [ingress.host], secretName: ingress.tlsSecret }] }),
    rules: [{
      host: ingress.host,
      http: { paths: [{ path: ingress.path, pathType: 'Prefix', backend: { service: { name: serviceName, port: { name: portName } } } }] },
    }],
  };
}

/** The HorizontalPodAutoscaler spec for a Deployment. */
export function autoscalerSpec(autoscaling: ResolvedAutoscaling, deploymentName: string): k8s.HorizontalPodAutoscalerSpecV2 {
  return {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName },
    minReplicas: autoscaling.minReplicas,
    maxReplicas: autoscaling.maxReplicas,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: autoscaling.targetCpuUtilization } } }],
  };
}

/**
 * What a budget does with pods that are running but not ready: `AlwaysAllow`
 * lets a drain evict them. A pod that is not ready serves nothing, so keeping
 * it only blocks the drain (the Kubernetes default, `IfHealthyBudget`, keeps
 * it while the budget is not met, which a crash-looping pod never lets happen).
 *
 * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/#unhealthy-pod-eviction-policy
 */
export const UNHEALTHY_POD_EVICTION_POLICY = 'AlwaysAllow';

/** The PodDisruptionBudget spec: keep `minAvailable` pods through voluntary disruptions (node drains). */
export function disruptionBudgetSpec(minAvailable: number, selectorLabels: { [key: string]: string }): k8s.PodDisruptionBudgetSpec {
  return { minAvailable: k8s.IntOrString.fromNumber(minAvailable), selector: { matchLabels: selectorLabels }, unhealthyPodEvictionPolicy: UNHEALTHY_POD_EVICTION_POLICY };
}

/** Spread pods over nodes when it can be done; schedule anyway when it cannot. */
export function spreadConstraints(selectorLabels: { [key: string]: string }): k8s.TopologySpreadConstraint[] {
  return [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selectorLabels } }];
}

/**
 * Prefer nodes that run none of these pods yet (beside the spread
 * constraints, which kube-linter's no-anti-affinity does not read); pods
 * still schedule when every node has one.
 */
export function antiAffinity(selectorLabels: { [key: string]: string }): k8s.Affinity {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{
        weight: 100,
        podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selectorLabels } },
      }],
    },
  };
}

/** The cluster DNS that every pod resolves names with: CoreDNS pods labelled `k8s-app: kube-dns` in `kube-system`, port 53. */
export const DNS_EGRESS: k8s.NetworkPolicyEgressRule = {
  to: [{
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
    podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
  }],
  ports: [{ port: k8s.IntOrString.fromNumber(53), protocol: 'UDP' }, { port: k8s.IntOrString.fromNumber(53), protocol: 'TCP' }],
};

/** An egress rule to any address on these TCP ports (servers outside the cluster, whose addresses are not known at synth). */
export function egressToPorts(ports: readonly number[]): k8s.NetworkPolicyEgressRule {
  return { ports: ports.map((port) => ({ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' })) };
}

/**
 * The NetworkPolicy spec: ingress from anywhere, on the pods' port `portName`
 * only; with `egress`, outgoing traffic is limited to those rules.
 */
export function networkPolicySpec(selectorLabels: { [key: string]: string }, portName: string, egress?: readonly k8s.NetworkPolicyEgressRule[]): k8s.NetworkPolicySpec {
  return {
    podSelector: { matchLabels: selectorLabels },
    policyTypes: egress === undefined ? ['Ingress'] : ['Ingress', 'Egress'],
    ingress: [{ ports: [{ port: k8s.IntOrString.fromString(portName), protocol: 'TCP' }] }],
    ...(egress === undefined ? {} : { egress: [...egress] }),
  };
}
