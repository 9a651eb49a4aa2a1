import { Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ContainerResources, ImagePullPolicy, ServiceType } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as k8s from '../imports/k8s';
import { AppChecks } from './app-checks';
import { SECRET_LOOKING_KEY } from './checks/semantic';
import { DockerImage } from './docker-image';
import { AutoscalingOptions, DNS_EGRESS, IngressOptions, ingressUrl, resolveAutoscaling, resolveIngress, ResolvedAutoscaling, ResolvedIngress } from './cluster-objects';
import { ComponentFeature, PodFields } from './component-feature';
import { decide, testHolds, ValueTest } from './helm/value-cases';
import { Autoscaling } from './features/autoscaling';
import { Checksums } from './features/checksums';
import { DisruptionBudget } from './features/disruption-budget';
import { configMapName, EnvConfigMap } from './features/env-config-map';
import { CommonLabels } from './features/common-labels';
import { ExtraEnv, ExtraEnvFeature } from './features/extra-env';
import { ExtraVolumesFeature, plainCopy } from './features/extra-volumes';
import { Image } from './features/image';
import { ImagePullSecrets } from './features/image-pull-secrets';
import { Ingress } from './features/ingress';
import { NetworkPolicy } from './features/network-policy';
import { LintAnnotations, lintAnnotations } from './features/lint-annotations';
import { componentLabels, Names, selectorLabels } from './features/names';
import { claimCreated, claimNameOf, claimSpec, ROLLING_UPDATE } from './features/persistence';
import { Probes } from './features/probes';
import { Replicas } from './features/replicas';
import { Resources } from './features/resources';
import { Secrets, secretNameOf } from './features/secrets';
import { SecurityContexts } from './features/security-contexts';
import { PodMetadata } from './features/pod-metadata';
import { Scheduling } from './features/scheduling';
import { Service, serviceDnsName, serviceUrl } from './features/service';
import { ResolvedServiceAccount, ServiceAccount, ServiceAccountOptions } from './features/service-account';
import { Spreading } from './features/spreading';
import { Termination } from './features/termination';
import { TestConnection } from './features/test-connection';
import { HealthProbe } from './health-probe';
import { ComponentService, networkPolicyPeers } from './plus-interop';
import { KeysSecret } from './keys-secret';
import { LintValues } from './lint-exceptions';
import { CpuMemoryQuantities, quantityValue, ResourceQuantities, resolveResources } from './resources';
import { check, checkOptional, durationSeconds, integerBetween, oneOf, Rule, Rules, show } from './validation';
import { secretLookingName, LABEL_VALUE_EDGES, LABEL_VALUE_MAX, minAvailableBelow, BUDGET_LEAVES_NO_POD, REPLICAS_IN_EFFECT } from './shared-rules';

export { randomSecret } from './features/secrets';

/** The address of Minikube's node with its default `docker` driver (`minikube ip`). */
export const DEFAULT_NODE_ADDRESS = '192.168.49.2';

/**
 * Requests and limits of each component by default: two pods fit a default
 * Minikube (2 CPUs, 2 GiB) beside its system pods.
 */
export const DEFAULT_RESOURCES: CpuMemoryQuantities = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '500m', memory: '512Mi' },
};

/**
 * The size limit of each `emptyDir` a component writes to (`/tmp`, Next.js'
 * cache). A pod that writes more is evicted rather than filling the node.
 */
export const EMPTY_DIR_SIZE = '256Mi';

/** Ephemeral storage besides the `emptyDir`s: container logs and the image's writable layer. */
export const EPHEMERAL_STORAGE_BASE = '256Mi';

/** Ephemeral storage added when the root filesystem is writable (the design's SQLite file lives in it). */
export const WRITABLE_ROOT_STORAGE = '1Gi';

/**
 * The user and group ID of the containers by default: above 10000, so that
 * it never collides with a user of the node (kube-score's
 * container-security-context-user-group-id).
 */
export const DEFAULT_RUN_AS_USER = 10001;

/** The name of the container port that Services and probes point at. */
export const HTTP_PORT_NAME = 'http';

/** The value of `app.kubernetes.io/part-of` on every object. */
export const PART_OF = 'todo';

/** The Service types a component can have. `ExternalName` has no pods and is not one. */
export const SERVICE_TYPES = [ServiceType.NODE_PORT, ServiceType.CLUSTER_IP, ServiceType.LOAD_BALANCER] as const;

/** The Service types that open a nodePort. */
export const NODE_PORT_TYPES: readonly ServiceType[] = [ServiceType.NODE_PORT, ServiceType.LOAD_BALANCER];

/** @internal The Service's type (`service.type`) is one of {@link NODE_PORT_TYPES}: the construct and the chart's Service give a nodePort. */
export const HAS_NODE_PORT: ValueTest = { any: NODE_PORT_TYPES.map((t): ValueTest => ({ equals: 'service.type', to: t })) };

/** The image pull policies, with `IfNotPresent` first (the default). */
export const PULL_POLICIES = [ImagePullPolicy.IF_NOT_PRESENT, ImagePullPolicy.NEVER, ImagePullPolicy.ALWAYS] as const;

/**
 * Options every component of the Todo app takes.
 */
export interface AppComponentOptions {
  /**
   * Name of the Deployment and the Service (the Service name is its DNS name),
   * and the `app` label of the pods.
   *
   * @default - the component's name: `todo-backend` or `todo-frontend`
   */
  readonly name?: string;

  /**
   * Image tag, applied to the component's default image.
   *
   * @default 'latest'
   */
  readonly imageTag?: string;

  /**
   * The whole image description; its port becomes the container port.
   *
   * @default - the component's image from the design
   */
  readonly image?: DockerImage;

  /**
   * When the kubelet pulls the image. Images built into Minikube's Docker
   * daemon exist only there, so the default never pulls a present image
   * (Kubernetes' own default for `:latest` is `Always`, which fails for them).
   *
   * @default ImagePullPolicy.IF_NOT_PRESENT
   */
  readonly imagePullPolicy?: ImagePullPolicy;

  /**
   * Number of pods.
   *
   * @default 1
   */
  readonly replicas?: number;

  /**
   * How the Service is exposed.
   *
   * @default ServiceType.NODE_PORT
   */
  readonly serviceType?: ServiceType;

  /**
   * The Service's port.
   *
   * @default - the image's port
   */
  readonly servicePort?: number;

  /**
   * The node port (NodePort and LoadBalancer Services only), pinned so that
   * the URLs baked into the frontend image stay valid across reinstalls.
   *
   * @default - 30800 for the backend, 30300 for the frontend
   */
  readonly nodePort?: number;

  /**
   * The address users reach NodePorts at: the Minikube node's IP (`minikube ip`).
   *
   * @default '192.168.49.2'
   */
  readonly nodeAddress?: string;

  /**
   * CPU and memory requests and limits. Parts not given keep their default.
   *
   * @default - sized so that both components fit a default Minikube (2 CPUs, 2 GiB)
   */
  readonly resources?: ContainerResources;

  /**
   * Restarts the container when it fails.
   *
   * @default - the component's probe from the design
   */
  readonly livenessProbe?: HealthProbe;

  /**
   * Sends traffic to the pod only while it passes.
   *
   * @default - the component's probe from the design
   */
  readonly readinessProbe?: HealthProbe;

  /**
   * Holds off liveness and readiness probes until the server has started,
   * so a slow first start is not mistaken for a hang.
   *
   * @default - the component's startup probe: up to 150 seconds
   */
  readonly startupProbe?: HealthProbe;

  /**
   * How long a stopping pod may take to finish its requests before it is killed.
   *
   * @default Duration.seconds(30)
   */
  readonly terminationGracePeriod?: Duration;

  /**
   * Whether a NetworkPolicy lets traffic reach the pods on their port only.
   * Minikube enforces NetworkPolicies only with a CNI that supports them
   * (`minikube start --cni=calico`).
   *
   * @default true
   */
  readonly networkPolicy?: boolean;

  /**
   * Whether the NetworkPolicy also limits the pods' outgoing traffic: DNS
   * (CoreDNS in `kube-system`, port 53) plus what the component needs (the
   * backend: its PostgreSQL port, and HTTPS when an Anthropic key may be
   * set; the frontend: the backend). Needs `networkPolicy`.
   *
   * @default true
   */
  readonly networkPolicyEgress?: boolean;

  /**
   * An Ingress that routes a host and path to the Service. The component's
   * URL is then the Ingress URL (`https://host/path`), which is what
   * browsers use.
   *
   * @default - no Ingress: browsers use the NodePort
   */
  readonly ingress?: IngressOptions;

  /**
   * A HorizontalPodAutoscaler on CPU. The Deployment then leaves its replica
   * count to the autoscaler (`replicas` must not be set).
   *
   * @default - a fixed replica count
   */
  readonly autoscaling?: AutoscalingOptions;

  /**
   * A PodDisruptionBudget that keeps this many pods through voluntary
   * disruptions such as node drains.
   *
   * @default - none
   */
  readonly minAvailable?: number;

  /**
   * Spread the pods over nodes: topology spread constraints on the node name,
   * and a preferred pod anti-affinity on it; pods still schedule when they
   * cannot be spread.
   *
   * @default - true when the component runs 2 or more pods (replicas or autoscaling), else false
   */
  readonly spreadAcrossNodes?: boolean;

  /**
   * Annotations of the pods, beside the app's own. Keys the app sets are
   * refused: `checksum/*`, `build-args.todo-cdk8s/*` and the lint tools'
   * exception annotations (`kube-score/ignore`, ...).
   *
   * @default - none
   */
  readonly podAnnotations?: { readonly [key: string]: string };

  /**
   * Labels of the pods, beside the app's own. Keys the app sets are refused:
   * `app`, `app.kubernetes.io/*` (the selector labels among them) and `helm.sh/chart`.
   *
   * @default - none
   */
  readonly podLabels?: { readonly [key: string]: string };

  /**
   * Node labels the pods must run on (the pod spec's `nodeSelector`).
   *
   * @default - any node
   */
  readonly nodeSelector?: { readonly [key: string]: string };

  /**
   * Taints the pods tolerate (the pod spec's `tolerations`).
   *
   * @default - none
   */
  readonly tolerations?: readonly k8s.Toleration[];

  /**
   * The pods' affinity (the pod spec's `affinity`). Refused beside
   * `spreadAcrossNodes: true`. With `spreadAcrossNodes` unset and 2 or more
   * pods, the topology spread constraints stay, and the app's preferred pod
   * anti-affinity is kept unless this affinity has a `podAntiAffinity`.
   *
   * @default - none (the app's anti-affinity when the pods spread)
   */
  readonly affinity?: k8s.Affinity;

  /**
   * The PriorityClass of the pods (the pod spec's `priorityClassName`).
   *
   * @default - the cluster's default priority
   */
  readonly priorityClassName?: string;

  /**
   * Extra non-secret environment variables, added to the component's ConfigMap.
   * They override the component's own variables of the same name.
   *
   * @default - none
   */
  readonly env?: { readonly [name: string]: string };

  /**
   * The user and group ID the containers run as. The pods pass the
   * "restricted" Pod Security Standard, which forbids root. The images
   * must let this user run the server (read its files, write where it
   * writes): an ID above 10000 never collides with a user of the node.
   *
   * @default 10001
   */
  readonly runAsUser?: number;

  /**
   * Name of an existing Secret that holds the component's secret variables
   * (same keys as the Secret it would create). No Secret is created.
   *
   * @default - a Secret is created from the secret values given; a signing key not given is read from the Secret kept by the cluster ({@link AppComponent.keysSecret})
   */
  readonly existingSecret?: string;

  /**
   * Secrets of yours (`kubernetes.io/dockerconfigjson`) that the kubelet
   * pulls the image with, by name. The component creates none: like
   * `existingSecret`, they are external references
   * ({@link AppComponent.externalSecrets} lists them).
   *
   * @default - none
   */
  readonly imagePullSecrets?: readonly string[];

  /**
   * The ServiceAccount the pods run as, and whether its token is mounted.
   *
   * @default - none created: the namespace's default ServiceAccount, with no token mounted
   */
  readonly serviceAccount?: ServiceAccountOptions;

  /**
   * Labels of yours on every object the component creates and on its pods,
   * beside the app's own, over the labels of the cdk8s Chart the component
   * is built in (which reach its pods too; a key both hold takes this
   * prop's value). Keys the app sets (`app`, `app.kubernetes.io/*`,
   * `helm.sh/chart`, `todo-cdk8s/*`) are refused, here and in the Chart's
   * labels: names, selectors and versions come from the component.
   *
   * @default - the Chart's labels only
   */
  readonly commonLabels?: { readonly [key: string]: string };

  /**
   * More environment variables of the container, set as they are in the
   * Deployment, after the component's own (Bitnami's `extraEnvVars`). A name
   * must be valid, given once, not one the component sets itself (the
   * variables of its ConfigMap, which `env` changes, and of its Secret), and
   * must not look like a secret: the values are plain text in the
   * Deployment (name a Secret in `extraEnvVarsSecret` instead).
   *
   * @default - none
   */
  readonly extraEnvVars?: ExtraEnvVar[];

  /**
   * Name of a ConfigMap of yours whose keys become environment variables of
   * the container (`envFrom`; Bitnami's `extraEnvVarsCM`). It is not
   * created, and the checks do not look for it among the manifests. The
   * component's own variables win over its keys of the same name.
   *
   * @default - none
   */
  readonly extraEnvVarsCM?: string;

  /**
   * Name of a Secret of yours whose keys become environment variables of the
   * container (`envFrom`; Bitnami's `extraEnvVarsSecret`). It is not
   * created, and the checks do not look for it among the manifests. The
   * component's own variables win over its keys of the same name.
   *
   * @default - none
   */
  readonly extraEnvVarsSecret?: string;

  /**
   * More volumes of the pods, after the component's own (Bitnami's
   * `extraVolumes`): each of one type that the restricted Pod Security
   * Standard allows (configMap, csi, downwardAPI, emptyDir, ephemeral,
   * persistentVolumeClaim, projected, secret), with a name the component
   * does not use. The ConfigMaps, Secrets and claims they name are yours:
   * the checks do not look for them among the manifests.
   *
   * @default - none
   */
  readonly extraVolumes?: k8s.Volume[];

  /**
   * More mounts of the container, after its own (Bitnami's
   * `extraVolumeMounts`): each of a volume of the pod (the component's or
   * one of `extraVolumes`), at a path the component does not mount.
   *
   * @default - none
   */
  readonly extraVolumeMounts?: k8s.VolumeMount[];
}

/** An environment variable of {@link AppComponentOptions.extraEnvVars}. */
export interface ExtraEnvVar {
  /** The variable's name. */
  readonly name: string;
  /** Its value, in plain text in the Deployment. */
  readonly value: string;
}

/** A secret environment variable of a component. */
export interface SecretVariable {
  /** The variable (and Secret key) name. */
  readonly name: string;
  /** Whether the pod may start without it. */
  readonly optional: boolean;
  /** The value given, if any. */
  readonly value?: string;
  /** Whether it is a signing key: when no value is given, it is read from the Secret kept by the cluster (required variables only). */
  readonly generate: boolean;
  /** The prop the value comes from, for messages. */
  readonly setting: string;
  /** What the value must be. */
  readonly rule: Rule<string>;
  /** Read from this Secret and key instead of the component's Secret. */
  readonly secretRef?: { readonly name: string; readonly key: string };
}

/** A volume that keeps data across restarts: a PersistentVolumeClaim mounted into the container. */
export interface PersistentVolume {
  /** A claim of the user's to mount; none is created then. */
  readonly existingClaim?: string;
  /** Where it is mounted. */
  readonly mountPath: string;
  /** Requested size, as a quantity (`1Gi`). */
  readonly size: string;
  /** Storage class; undefined means the cluster's default class. */
  readonly storageClass?: string;
}

/**
 * What a concrete component (backend, frontend) supplies to {@link AppComponent}.
 */
export interface ComponentDefinition {
  /** `backend` or `frontend`: the `app.kubernetes.io/component` label and the prefix of settings in messages. */
  readonly role: string;
  /** Default name. */
  readonly defaultName: string;
  /** Default image. */
  readonly defaultImage: DockerImage;
  /** Default node port. */
  readonly defaultNodePort: number;
  /** Default resources. */
  readonly defaultResources: CpuMemoryQuantities;
  /** Default liveness probe. */
  readonly defaultLivenessProbe: HealthProbe;
  /** Default readiness probe. */
  readonly defaultReadinessProbe: HealthProbe;
  /** Default startup probe. */
  readonly defaultStartupProbe: HealthProbe;
  /** A persistent volume, if the component keeps data. Its pods are replaced with `Recreate` (one writer). */
  readonly persistentVolume?: PersistentVolume;
  /** Whether the container's root filesystem stays writable (the design's ephemeral SQLite file). */
  readonly writableRoot?: boolean;
  /** The component's own non-secret variables. */
  readonly env: { readonly [name: string]: string };
  /** The component's secret variables. */
  readonly secrets: readonly SecretVariable[];
  /** Directories the server writes to; each gets an `emptyDir`, as the root filesystem is read-only. */
  readonly writableDirectories: readonly string[];
  /** Where the pods may send traffic besides the cluster DNS, when egress is limited. */
  readonly egress: readonly k8s.NetworkPolicyEgressRule[];
  /** Build arguments of the image (values baked in at build time, such as the URLs the browser calls). */
  readonly buildArgs?: { readonly [name: string]: string };
  /** @internal Features of this kind of component, after the ones every component has (lib/component-feature.ts). */
  readonly features?: readonly ComponentFeature[];
}

/** How a component is reached: its Service type and nodePort, the node address, and the Ingress. */
interface Exposure {
  readonly role: string;
  readonly serviceType: ServiceType;
  readonly nodePort?: number;
  readonly nodeAddress: string;
  readonly ingressRoute?: ResolvedIngress;
}

/** Resolves how a component with these options is reached, with the component's defaults and checks. */
function resolveExposure(role: string, defaultNodePort: number, options: AppComponentOptions): Exposure {
  const s = (prop: string) => `${role}.${prop}`;
  const serviceType = check(s('serviceType'), options.serviceType ?? ServiceType.NODE_PORT, oneOf(SERVICE_TYPES));
  let nodePort: number | undefined;
  if (!testHolds(HAS_NODE_PORT, { service: { type: serviceType } })) {
    if (options.nodePort !== undefined) {
      throw new Error(`'${s('nodePort')}' needs 'serviceType' NodePort or LoadBalancer, got ${show(options.nodePort)} with ClusterIP`);
    }
  } else {
    nodePort = check(s('nodePort'), options.nodePort ?? defaultNodePort, Rules.nodePort);
  }
  const nodeAddress = check(s('nodeAddress'), options.nodeAddress ?? DEFAULT_NODE_ADDRESS, Rules.hostAddress);
  const ingressRoute = options.ingress === undefined ? undefined : resolveIngress(s('ingress'), options.ingress);
  return { role, serviceType, nodePort, nodeAddress, ingressRoute };
}

/**
 * The URL a browser reaches a component at: the Ingress URL
 * (`https://<host><path>`) when there is an Ingress, else
 * `http://<nodeAddress>:<nodePort>`. Throws for a ClusterIP Service without
 * an Ingress, which browsers cannot reach.
 */
function exposureUrl(exposure: Exposure): string {
  if (exposure.ingressRoute) {
    return ingressUrl(exposure.ingressRoute);
  }
  if (exposure.nodePort === undefined) {
    throw new Error(`'${exposure.role}.serviceType' must be NodePort or LoadBalancer for a URL that browsers reach (or set '${exposure.role}.ingress'), got ${show(exposure.serviceType)}`);
  }
  return `http://${exposure.nodeAddress}:${exposure.nodePort}`;
}

/**
 * The URL a browser will reach a component with these options at, computed
 * from the options alone (before the component is built), with the
 * component's own defaults and checks: what {@link AppComponent.url} of the
 * built component returns.
 *
 * @param role `backend` or `frontend`, for messages
 * @param defaultNodePort the component's nodePort when the options give none
 */
export function componentUrl(role: string, defaultNodePort: number, options: AppComponentOptions): string {
  return exposureUrl(resolveExposure(role, defaultNodePort, options));
}

/**
 * One containerized HTTP server of the Todo app: a Deployment, the Service in
 * front of it, a ConfigMap with its non-secret environment and a Secret with
 * the rest. {@link TodoBackend} and {@link TodoFrontend} are the two kinds.
 *
 * All names, ports and URLs are read from here: the container port comes from
 * the image, the Service targets the container port by name, probes use the
 * same name, and the URLs derive from the Service (or the Ingress).
 *
 * A component is a cdk8s-plus pod selector and network policy peer (its
 * pods, by {@link selectorLabels}, in its namespace), and its
 * {@link plusService} is its Service as cdk8s-plus takes one: a user's
 * cdk8s-plus `Ingress`, `NetworkPolicy` or workload composes with it without
 * a second object.
 *
 * @example
 * const components: AppComponent[] = new TodoApp(chart, 'todo').components;
 * for (const c of components) {
 *   console.log(c.name, c.dnsName, c.url, c.image.reference);
 * }
 */
export abstract class AppComponent extends Construct implements kplus.IPodSelector, kplus.INetworkPolicyPeer {
  /** @internal `backend` or `frontend`. */
  public readonly role: string;
  /** Name of the Deployment and the Service. */
  public readonly name: string;
  /** The namespace the objects go to (the chart's namespace, else `default`). */
  public readonly namespace: string;
  /** @internal Pod count. */
  public readonly replicas: number;
  /** @internal Image pull policy. */
  public readonly imagePullPolicy: ImagePullPolicy;
  /** @internal Service type. */
  public readonly serviceType: ServiceType;
  /** Service port. */
  public readonly port: number;
  /** Node port, for NodePort and LoadBalancer Services. */
  public readonly nodePort?: number;
  /** @internal The address users reach NodePorts at. */
  public readonly nodeAddress: string;
  /** @internal Requests and limits. */
  public readonly resources: ResourceQuantities;
  /** @internal Liveness probe. */
  public readonly livenessProbe: HealthProbe;
  /** @internal Readiness probe. */
  public readonly readinessProbe: HealthProbe;
  /** @internal Startup probe. */
  public readonly startupProbe: HealthProbe;
  /** @internal Seconds a stopping pod is given. */
  public readonly terminationGracePeriodSeconds: number;
  /** @internal The persistent volume, if any. */
  public readonly persistentVolume?: PersistentVolume;
  /** @internal The Ingress routing, if any. */
  public readonly ingressRoute?: ResolvedIngress;
  /** @internal The autoscaling, if any. */
  public readonly autoscaling?: ResolvedAutoscaling;
  /** @internal Pods kept through voluntary disruptions, if a budget is set. */
  public readonly minAvailable?: number;
  /** @internal Whether the pods are spread over nodes. */
  public readonly spreadAcrossNodes: boolean;
  /** @internal Whether the NetworkPolicy limits outgoing traffic. */
  public readonly networkPolicyEgress: boolean;
  /** @internal Where the pods may send traffic when egress is limited: the cluster DNS, then what the component needs. */
  public readonly egressRules: readonly k8s.NetworkPolicyEgressRule[];
  /** @internal The secret variables, with the values given (a key not given is read from {@link keysSecret}). */
  public readonly secretVariables: readonly SecretVariable[];
  /** @internal Name of the Secret the pods read (created here unless `existingSecret` was given). */
  public readonly secretName: string;
  /** @internal Whether the Secret is brought by the user. */
  public readonly usesExistingSecret: boolean;
  /** @internal Name of the ConfigMap. */
  public readonly configMapName: string;
  /** @internal The user and group ID of the containers. */
  public readonly runAsUser: number;
  /** @internal Directories backed by `emptyDir` volumes. */
  public readonly writableDirectories: readonly string[];
  /** @internal The pods' security context ("restricted" Pod Security). */
  public readonly podSecurityContext: k8s.PodSecurityContext;
  /** @internal The container's security context ("restricted" Pod Security, read-only root filesystem). */
  public readonly containerSecurityContext: k8s.SecurityContext;
  /** @internal The pods' ServiceAccount, resolved. */
  public readonly account: ResolvedServiceAccount;
  /** @internal Names of the Secrets the image is pulled with. */
  public readonly imagePullSecrets: readonly string[];
  /** @internal Labels of the user's on every object and pod, beside the app's own: the Chart's with the `commonLabels` prop over them. */
  public readonly commonLabels: { readonly [key: string]: string };
  /** @internal The environment the user adds: variables, a ConfigMap and a Secret of theirs. */
  public readonly extraEnv: ExtraEnv;
  /** @internal Volumes the user adds to the pods. */
  public readonly extraVolumes: readonly k8s.Volume[];
  /** @internal Mounts the user adds to the container. */
  public readonly extraVolumeMounts: readonly k8s.VolumeMount[];
  /** @internal The features, each defined once for the manifests and the chart (lib/component-feature.ts). */
  public readonly features: readonly ComponentFeature[];

  /** The Deployment. */
  public readonly deployment: k8s.KubeDeployment;
  /** The Service. */
  public readonly service: k8s.KubeService;
  /** The ConfigMap with the non-secret environment. */
  public readonly configMap: k8s.KubeConfigMap;
  /** The Secret with the secret values given, unless an existing one is used. */
  public readonly secret?: k8s.KubeSecret;
  /**
   * The Secret kept by the cluster that the pods read the signing keys from
   * that were not given (no value and no `existingSecret`): not in the
   * manifests; create it once with its `createCommand`. Undefined when every
   * key is given.
   */
  public readonly keysSecret?: KeysSecret;
  /** The PersistentVolumeClaim, if the component keeps data. */
  public readonly persistentVolumeClaim?: k8s.KubePersistentVolumeClaim;
  /** The NetworkPolicy that admits traffic on the pods' port only, unless disabled. */
  public readonly networkPolicy?: k8s.KubeNetworkPolicy;
  /** The Ingress, if one is configured. */
  public readonly ingress?: k8s.KubeIngress;
  /** The HorizontalPodAutoscaler, if autoscaling is configured. */
  public readonly autoscaler?: k8s.KubeHorizontalPodAutoscalerV2;
  /** The PodDisruptionBudget, if `minAvailable` is set. */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /** The ServiceAccount, if the component creates one (`serviceAccount.create`). */
  public readonly serviceAccount?: k8s.KubeServiceAccount;

  /** The image, with its build arguments. */
  public readonly image: DockerImage;

  /**
   * The Service as a cdk8s-plus `Service`, for what takes one:
   * `kplus.IngressBackend.fromService(c.plusService)` (see
   * {@link toIngressBackend}) or `c.plusService.exposeViaIngress('/api')`.
   * It is no second Service: its API object is {@link service}, so its
   * name, port and metadata are that Service's. Its port and selector come
   * from the props: `bind`, `select` and `selectLabel` throw.
   */
  public readonly plusService: kplus.Service;

  /** @internal Whether the chart the component is in sets a namespace (else the objects have none). */
  public readonly explicitNamespace: boolean;
  /** @internal The annotations the component puts on its Deployment and Service (its lint exceptions). */
  public readonly ownAnnotations: { readonly Deployment: { readonly [key: string]: string }; readonly Service: { readonly [key: string]: string } };
  /** @internal Where traffic to the pods' port may come from, when narrowed ({@link allowFrom}); empty: anywhere. */
  public readonly ingressPeers: k8s.NetworkPolicyPeer[] = [];

  private readonly envVars = new Map<string, string>();

  protected constructor(scope: Construct, id: string, options: AppComponentOptions, definition: ComponentDefinition) {
    super(scope, id);
    const role = definition.role;
    const s = (prop: string) => `${role}.${prop}`;
    this.role = role;
    this.name = check(s('name'), options.name ?? definition.defaultName, Rules.dnsLabel);
    this.namespace = Chart.of(this).namespace ?? 'default';
    this.explicitNamespace = Chart.of(this).namespace !== undefined;
    if (options.image !== undefined && options.imageTag !== undefined) {
      throw new Error(`'${s('imageTag')}' cannot be combined with '${s('image')}'; set the tag in the image, got ${show(options.imageTag)}`);
    }
    const baseImage = options.image ?? definition.defaultImage.with({ tag: checkOptional(s('imageTag'), options.imageTag, Rules.imageTag) }, s('image'));
    this.image = definition.buildArgs ? baseImage.with({ buildArgs: definition.buildArgs }) : baseImage;
    const replicaCount = check(s('replicas'), options.replicas ?? 1, Rules.replicas);
    this.imagePullPolicy = check(s('imagePullPolicy'), options.imagePullPolicy ?? ImagePullPolicy.IF_NOT_PRESENT, oneOf(PULL_POLICIES));
    const exposure = resolveExposure(role, definition.defaultNodePort, options);
    this.serviceType = exposure.serviceType;
    this.port = check(s('servicePort'), options.servicePort ?? this.image.port, Rules.port);
    this.nodePort = exposure.nodePort;
    this.nodeAddress = exposure.nodeAddress;
    const storage = `${(quantityValue(EMPTY_DIR_SIZE) * definition.writableDirectories.length + quantityValue(EPHEMERAL_STORAGE_BASE)
      + (definition.writableRoot ? quantityValue(WRITABLE_ROOT_STORAGE) : 0)) / 1024 ** 2}Mi`;
    this.resources = resolveResources(s('resources'), options.resources, {
      requests: { ...definition.defaultResources.requests, 'ephemeral-storage': storage },
      limits: { ...definition.defaultResources.limits, 'ephemeral-storage': storage },
    });
    this.runAsUser = check(s('runAsUser'), options.runAsUser ?? DEFAULT_RUN_AS_USER, integerBetween(1, 2147483647, 'a non-root user ID'));
    this.writableDirectories = definition.writableDirectories;
    this.podSecurityContext = {
      runAsNonRoot: true,
      runAsUser: this.runAsUser,
      runAsGroup: this.runAsUser,
      fsGroup: this.runAsUser,
      seccompProfile: { type: 'RuntimeDefault' },
    };
    this.containerSecurityContext = {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: !definition.writableRoot,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    };
    this.livenessProbe = options.livenessProbe ?? definition.defaultLivenessProbe;
    this.readinessProbe = options.readinessProbe ?? definition.defaultReadinessProbe;
    this.startupProbe = options.startupProbe ?? definition.defaultStartupProbe;
    this.terminationGracePeriodSeconds = durationSeconds(s('terminationGracePeriod'), options.terminationGracePeriod ?? Duration.seconds(30), Rules.secondsOrZero);
    this.persistentVolume = definition.persistentVolume;
    this.ingressRoute = exposure.ingressRoute;
    if (options.autoscaling !== undefined && options.replicas !== undefined) {
      throw new Error(`'${s('replicas')}' cannot be combined with '${s('autoscaling')}' (the autoscaler owns the replica count), got ${show(options.replicas)}`);
    }
    this.autoscaling = options.autoscaling === undefined ? undefined : resolveAutoscaling(s('autoscaling'), options.autoscaling);
    this.minAvailable = checkOptional(s('minAvailable'), options.minAvailable, integerBetween(1, undefined, 'a whole number'));
    // The values as the chart holds them: the replicas in effect and the budget are the chart's rules (REPLICAS_IN_EFFECT, BUDGET_LEAVES_NO_POD).
    const scaling = {
      replicaCount,
      autoscaling: { enabled: this.autoscaling !== undefined, minReplicas: this.autoscaling?.minReplicas ?? null },
      podDisruptionBudget: { enabled: this.minAvailable !== undefined, minAvailable: this.minAvailable ?? null },
    };
    this.replicas = Number(decide(REPLICAS_IN_EFFECT, scaling));
    if (testHolds(BUDGET_LEAVES_NO_POD, scaling)) {
      throw new Error(minAvailableBelow(s('minAvailable'), String(this.replicas), String(this.minAvailable)));
    }
    this.spreadAcrossNodes = Spreading.resolve(options.spreadAcrossNodes, this.replicas, this.autoscaling !== undefined);
    this.commonLabels = CommonLabels.resolve(s('commonLabels'), options.commonLabels, `labels of the cdk8s Chart ${Chart.of(this).node.path}`, Chart.of(this).labels);
    this.imagePullSecrets = ImagePullSecrets.resolve(s('imagePullSecrets'), options.imagePullSecrets);
    this.account = ServiceAccount.resolve(s('serviceAccount'), options.serviceAccount, this.name);
    const [env, secrets, service, policy, ingress, autoscaler, budget] = [new EnvConfigMap(), new Secrets(), new Service(), new NetworkPolicy(), new Ingress(), new Autoscaling(), new DisruptionBudget()];
    const account = new ServiceAccount();
    const podMetadata = new PodMetadata(PodMetadata.resolve(`${role}.`, options));
    const scheduling = new Scheduling(Scheduling.resolve(`${role}.`, options, options.spreadAcrossNodes));
    // In this order: a chart's NOTES give the Ingress' URL before the Service's, then the Service's, the image's
    // and the secrets' sections; the secrets' chart checks come first but for the Ingress' (its annotations, which the
    // construct checks before the secrets too); pod metadata after names and checksums (the pods' labels and
    // annotations follow the app's own under one key).
    // The user's envFrom sources come before the component's ConfigMap (the last source wins), their volumes after all others
    // (the extra volumes' checks read the volumes of every feature before them).
    this.features = [
      new Names(), new LintAnnotations(), ingress, service, new Image(), secrets, new ExtraEnvFeature(), env, new Replicas(), new Resources(), new Probes(), new Checksums(),
      new Spreading(options.spreadAcrossNodes), new SecurityContexts(), new Termination(), policy, autoscaler, budget, podMetadata, scheduling, new TestConnection(),
      ...(definition.features ?? []),
      new CommonLabels(), new ImagePullSecrets(), account, new ExtraVolumesFeature(),
    ];
    const networkPolicy = options.networkPolicy ?? true;
    if (!networkPolicy && options.networkPolicyEgress === true) {
      throw new Error(`'${s('networkPolicyEgress')}' needs '${s('networkPolicy')}' (the egress rules are part of the NetworkPolicy), got true with networkPolicy false`);
    }
    this.networkPolicyEgress = networkPolicy && (options.networkPolicyEgress ?? true);
    this.egressRules = [DNS_EGRESS, ...definition.egress];

    this.usesExistingSecret = options.existingSecret !== undefined;
    this.secretVariables = Secrets.resolve(definition.secrets, this.usesExistingSecret ? s('existingSecret') : undefined);
    // An empty or malformed existingSecret is refused; the component's own name (a DNS label and a suffix) is a DNS subdomain.
    this.secretName = secretNameOf(checkOptional(s('existingSecret'), options.existingSecret, Rules.dnsSubdomain), this.name);
    this.keysSecret = Secrets.keysSecret(this.name, this.namespace, this.secretVariables, this.usesExistingSecret);
    this.configMapName = configMapName(this.name);
    for (const [key, value] of Object.entries({ ...definition.env, ...options.env })) {
      this.setEnv(key, value, s('env'));
    }

    this.extraEnv = ExtraEnvFeature.check(role, options, [...Object.keys(this.env), ...this.secretVariables.map((v) => v.name)],
      this.configMapName, this.secretName, options.existingSecret);
    this.extraVolumes = plainCopy(options.extraVolumes ?? []);
    this.extraVolumeMounts = plainCopy(options.extraVolumeMounts ?? []);

    const labels = this.labels;
    this.configMap = env.object(this);

    this.secret = secrets.object(this);

    if (claimCreated(this.persistentVolume)) {
      this.persistentVolumeClaim = new k8s.KubePersistentVolumeClaim(this, 'Data', {
        metadata: { name: this.dataClaimName, labels },
        spec: claimSpec(this.persistentVolume),
      });
    }
    // What the features give the pods, in their order.
    const fields: PodFields[] = this.features.map((f) => f.pod?.(this) ?? {});
    const volumes: k8s.Volume[] = [
      ...this.writableDirectories.map((dir) => ({ name: volumeName(dir), emptyDir: { sizeLimit: k8s.Quantity.fromString(EMPTY_DIR_SIZE) } })),
      ...fields.flatMap((f) => f.volumes ?? []),
    ];
    const mounts: k8s.VolumeMount[] = [
      ...this.writableDirectories.map((dir) => ({ name: volumeName(dir), mountPath: dir })),
      ...fields.flatMap((f) => f.volumeMounts ?? []),
    ];
    ExtraVolumesFeature.check(role, {
      volumes: volumes.filter((v) => !this.extraVolumes.includes(v)),
      mounts: mounts.filter((m) => !this.extraVolumeMounts.includes(m)),
    }, this.extraVolumes, this.extraVolumeMounts);

    const container: k8s.Container = {
      name: this.name,
      ports: [{ name: HTTP_PORT_NAME, containerPort: this.image.port, protocol: 'TCP' }],
      env: fields.flatMap((f) => f.env ?? []),
      envFrom: fields.flatMap((f) => f.envFrom ?? []),
      volumeMounts: mounts,
      ...Object.assign({}, ...fields.map((f) => f.container ?? {})),
    };

    // The values the lint exceptions read, as the chart's values.yaml holds them (the features' values).
    const lint: LintValues = {
      service: { type: this.serviceType },
      image: { tag: this.image.tag, pullPolicy: this.imagePullPolicy },
      networkPolicy: { enabled: networkPolicy, egress: { enabled: this.networkPolicyEgress } },
      serviceAccount: { create: this.account.create, name: this.account.name ?? '' },
    };
    // Copies: what a user adds to the objects' annotations must not change these.
    this.ownAnnotations = { Deployment: { ...lintAnnotations('Deployment', lint).annotations }, Service: { ...lintAnnotations('Service', lint).annotations } };
    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: this.name, labels, ...lintAnnotations('Deployment', lint) },
      spec: {
        ...Object.assign({}, ...fields.map((f) => f.deployment ?? {})),
        selector: { matchLabels: this.selectorLabels },
        // Start the new pod and wait for it to be ready before stopping the old one, unless a feature says otherwise.
        strategy: fields.reduce<k8s.DeploymentStrategy>((strategy, f) => f.strategy ?? strategy, ROLLING_UPDATE),
        template: {
          metadata: { labels: Object.assign({}, labels, ...fields.map((f) => f.labels ?? {})), annotations: Object.assign({}, ...fields.map((f) => f.annotations ?? {})) },
          spec: {
            containers: [container],
            volumes,
            ...Object.assign({}, ...fields.map((f) => f.spec ?? {})),
          },
        },
      },
    });

    this.service = service.object(this, lintAnnotations('Service', lint));

    this.networkPolicy = policy.object(this, networkPolicy);
    this.ingress = ingress.object(this);
    this.autoscaler = autoscaler.object(this);
    this.disruptionBudget = budget.object(this);
    this.plusService = new ComponentService(this, 'PlusService');
    this.serviceAccount = account.object(this);
    // The checks of lib/checks run on every synth of the app (cdk8s validation, once per app).
    AppChecks.of(this).register(this);
  }

  /**
   * The Service as a cdk8s-plus Ingress backend, for a cdk8s-plus
   * `Ingress` of yours: `ingress.addHostRule('todo.example.com', '/api', todo.backend.toIngressBackend())`.
   * The Service is the component's own; no object is added.
   */
  public toIngressBackend(): kplus.IngressBackend {
    return kplus.IngressBackend.fromService(this.plusService);
  }

  /**
   * The component's pods for cdk8s-plus (`IPodSelector`): its
   * {@link selectorLabels}, in its namespace when its chart sets one. What a
   * cdk8s-plus `Service`, `NetworkPolicy` (`selector`) or pod affinity
   * (`scheduling.colocate`) takes.
   */
  public toPodSelectorConfig(): kplus.PodSelectorConfig {
    return {
      labelSelector: kplus.LabelSelector.of({ labels: this.selectorLabels }),
      namespaces: this.explicitNamespace ? { names: [this.namespace] } : undefined,
    };
  }

  /** The component's pods as a cdk8s-plus NetworkPolicy peer (`addIngressRule(todo.frontend, ...)`). */
  public toNetworkPolicyPeerConfig(): kplus.NetworkPolicyPeerConfig {
    return { podSelector: this.toPodSelectorConfig() };
  }

  /** The component itself: its pods are what it selects (`INetworkPolicyPeer`). */
  public toPodSelector(): kplus.IPodSelector {
    return this;
  }

  /**
   * Narrows the component's NetworkPolicy: its port admits traffic from
   * these peers only (with those of earlier calls), instead of from
   * anywhere. A peer is anything cdk8s-plus takes as one: another component
   * (`todo.backend.allowFrom(todo.frontend)`), a workload,
   * `kplus.Pods.select(...)`, `kplus.Namespaces.select(...)` (an Ingress
   * controller's namespace) or `kplus.NetworkPolicyIpBlock`. Browsers that
   * reach a NodePort through the node are not a peer: narrow a component
   * that they reach through an Ingress (admit the controller) or not at all.
   * The chart carries the peers as `networkPolicy.from`.
   *
   * @throws Error when the component has no NetworkPolicy (`networkPolicy: false`)
   */
  public allowFrom(...peers: kplus.INetworkPolicyPeer[]): void {
    const setting = `${this.role}.networkPolicy`;
    if (this.networkPolicy === undefined) {
      throw new Error(`'${setting}' must be true to narrow where traffic comes from (allowFrom), got false; without the component's NetworkPolicy, write one of your own`);
    }
    this.ingressPeers.push(...peers.flatMap((p) => networkPolicyPeers(p, `${this.role}.allowFrom`)));
  }

  /**
   * Secrets the pods read that the component does not create (an existing
   * Secret, the keys kept by the cluster, a PostgreSQL URL Secret, image pull
   * Secrets, `extraEnvVarsSecret`, the Secrets of `extraVolumes`).
   */
  public get externalSecrets(): string[] {
    const names = [
      ...(this.usesExistingSecret ? [this.secretName] : []),
      ...(this.keysSecret ? [this.keysSecret.name] : []),
      ...this.secretVariables.flatMap((v) => (v.secretRef ? [v.secretRef.name] : [])),
      ...this.imagePullSecrets,
      ...(this.extraEnv.secret === undefined ? [] : [this.extraEnv.secret]),
      ...this.extraVolumes.flatMap((v) => [v.secret?.secretName, ...(v.projected?.sources ?? []).map((p) => p.secret?.name)]),
    ];
    return [...new Set(names.filter((n): n is string => n !== undefined))];
  }

  /** ConfigMaps the pods read that the component does not create (`extraEnvVarsCM`, the ConfigMaps of `extraVolumes`). */
  public get externalConfigMaps(): string[] {
    const names = [
      ...(this.extraEnv.configMap === undefined ? [] : [this.extraEnv.configMap]),
      ...this.extraVolumes.flatMap((v) => [v.configMap?.name, ...(v.projected?.sources ?? []).map((p) => p.configMap?.name)]),
    ];
    return [...new Set(names.filter((n): n is string => n !== undefined))];
  }

  /** PersistentVolumeClaims the pods mount that the component does not create (`existingClaim`, the claims of `extraVolumes`). */
  public get externalClaims(): string[] {
    const names = [this.persistentVolume?.existingClaim, ...this.extraVolumes.map((v) => v.persistentVolumeClaim?.claimName)];
    return [...new Set(names.filter((n): n is string => n !== undefined))];
  }

  /** @internal The port the server listens on in the container (named `http`). */
  public get containerPort(): number {
    return this.image.port;
  }

  /** @internal Name of the PersistentVolumeClaim (`<name>-data`, or the user's `existingClaim`). */
  public get dataClaimName(): string {
    return claimNameOf(this.persistentVolume?.existingClaim, this.name);
  }

  /** The Service's DNS name inside the cluster: `<name>.<namespace>.svc.cluster.local`. */
  public get dnsName(): string {
    return serviceDnsName(this.name, this.namespace);
  }

  /** The URL other pods reach this component at: `http://<dnsName>:<port>`. */
  public get clusterUrl(): string {
    return serviceUrl(this.name, this.namespace, this.port);
  }

  /**
   * The URL a browser reaches this component at: the Ingress URL
   * (`https://<host><path>`) when there is an Ingress, else
   * `http://<nodeAddress>:<nodePort>`. Throws for a ClusterIP Service without
   * an Ingress, which browsers cannot reach.
   */
  public get url(): string {
    return exposureUrl(this);
  }

  /** The origin of {@link url} (scheme, host and port), as CORS compares it. */
  public get origin(): string {
    return new URL(this.url).origin;
  }

  /** Labels that select this component's pods: `app.kubernetes.io/name` and `app.kubernetes.io/instance`. */
  public get selectorLabels(): { [key: string]: string } {
    return selectorLabels(this);
  }

  /** @internal Labels on every object: `app=<name>` (used by `kubectl wait -l app=...`), the recommended `app.kubernetes.io/*` set, and `commonLabels`. */
  public get labels(): { [key: string]: string } {
    return componentLabels(this);
  }

  /** The non-secret environment (the ConfigMap's data), sorted by name. */
  public get env(): { [name: string]: string } {
    const result: { [name: string]: string } = {};
    for (const key of [...this.envVars.keys()].sort()) {
      result[key] = this.envVars.get(key)!;
    }
    return result;
  }

  /** Sets a non-secret environment variable of the component's ConfigMap, while it is built. */
  private setEnv(name: string, value: string, setting: string): void {
    check(setting, name, Rules.envName);
    if (this.secretVariables.some((v) => v.name === name)) {
      throw new Error(`'${setting}' must not hold the secret variable ${name}; secrets go in the Secret, got ${show(name)}`);
    }
    if (SECRET_LOOKING_KEY.test(name)) {
      throw new Error(secretLookingName(setting, SECRET_LOOKING_KEY, 'the ConfigMap', show(name)));
    }
    if (typeof value !== 'string') {
      throw new Error(`'${setting}.${name}' must be a string, got ${show(value)}`);
    }
    this.envVars.set(name, value);
  }

  /** @internal The Secret's data, base64-encoded; keys without a value are left out. */
  public secretData(): { [key: string]: string } {
    const data: { [key: string]: string } = {};
    for (const v of this.secretVariables) {
      if (v.value !== undefined) {
        data[v.name] = Buffer.from(v.value, 'utf8').toString('base64');
      }
    }
    return data;
  }
}

/**
 * A label value from free text: at most 63 characters, starting and ending
 * with a letter or digit (image tags may be 128 characters and end in `.`).
 */
export function labelValue(text: string): string {
  return text.slice(0, LABEL_VALUE_MAX).replace(LABEL_VALUE_EDGES, '');
}

/** A volume name for a directory: `/app/.next/cache` gives `app-next-cache`. */
export function volumeName(dir: string): string {
  return dir.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'root';
}
