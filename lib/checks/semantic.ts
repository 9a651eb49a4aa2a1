/**
 * Checks over synthesized manifests that a cluster would accept but that
 * leave the app broken: a Service that selects no pod, a probe on a port the
 * container does not have, a reference to a ConfigMap that does not exist.
 *
 * Each check reads plain objects (as written to YAML), so the same checks run
 * on the construct output at synth and on `helm template` output in tests.
 */

/** A Kubernetes object as parsed from YAML. */
export type Manifest = { readonly [key: string]: any };

/** One thing wrong with one field of one object. */
export interface Finding {
  /** `Kind namespace/name`. */
  readonly object: string;
  /** Dotted path of the field. */
  readonly field: string;
  /** What is wrong. */
  readonly message: string;
}

/** Options of the checks ({@link runAllChecks}, {@link assertChecksPass}). */
export interface CheckOptions {
  /** Secrets that exist outside the manifests (an `existingSecret`, image pull Secrets), by name. */
  readonly externalSecrets?: readonly string[];
  /** ConfigMaps that exist outside the manifests (an `extraEnvVarsCM`), by name. */
  readonly externalConfigMaps?: readonly string[];
  /** PersistentVolumeClaims that exist outside the manifests (an `existingClaim`), by name. */
  readonly externalClaims?: readonly string[];
}

const POD_CONTROLLERS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;
/** ConfigMap keys that look like they hold a secret. */
export const SECRET_LOOKING_KEY = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

/** `Kind namespace/name` of an object. */
export function describe(obj: Manifest): string {
  const ns = obj.metadata?.namespace ?? 'default';
  return `${obj.kind} ${ns}/${obj.metadata?.name}`;
}

/** A workload's pod template and where it sits. */
export interface PodTemplate {
  readonly owner: Manifest;
  readonly path: string;
  readonly labels: { [key: string]: string };
  readonly spec: any;
}

/** The pod templates of the workloads among `objects` (and bare Pods). */
export function podTemplates(objects: readonly Manifest[]): PodTemplate[] {
  const result: PodTemplate[] = [];
  for (const obj of objects) {
    if (obj.kind === 'Pod') {
      result.push({ owner: obj, path: 'spec', labels: obj.metadata?.labels ?? {}, spec: obj.spec ?? {} });
    } else if (POD_CONTROLLERS.has(obj.kind)) {
      const t = obj.spec?.template ?? {};
      result.push({ owner: obj, path: 'spec.template.spec', labels: t.metadata?.labels ?? {}, spec: t.spec ?? {} });
    }
  }
  return result;
}

function namespaceOf(obj: Manifest): string {
  return obj.metadata?.namespace ?? 'default';
}

function selects(selector: { [key: string]: string } | undefined, labels: { [key: string]: string }): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** A label selector of the Kubernetes API (`matchLabels` and `matchExpressions`). */
export interface LabelSelector {
  /** Labels that must be there with these values. */
  readonly matchLabels?: { readonly [key: string]: string };
  /** Requirements on a label: `In` or `NotIn` `values`, `Exists`, `DoesNotExist`. */
  readonly matchExpressions?: ReadonlyArray<{ readonly key: string; readonly operator: string; readonly values?: readonly string[] }>;
}

/**
 * Whether a label selector selects an object with `labels`, as the API
 * server decides: every `matchLabels` pair and every `matchExpressions`
 * requirement (`In`, `NotIn`, `Exists`, `DoesNotExist`) must hold, so an
 * empty selector (`{}`) selects everything; a missing (null) one selects
 * nothing. An unknown operator selects nothing (the API server refuses it).
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 */
export function labelSelectorMatches(selector: LabelSelector | null | undefined, labels: { readonly [key: string]: string }): boolean {
  if (selector === null || selector === undefined) {
    return false;
  }
  const has = (key: string) => Object.prototype.hasOwnProperty.call(labels, key);
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => has(k) && labels[k] === v)
    && (selector.matchExpressions ?? []).every((e) => {
      switch (e.operator) {
        // Stryker disable next-line ArrayDeclaration: a missing `values` made ["Stryker was here"] differs only for a label of that value
        case 'In': return has(e.key) && (e.values ?? []).includes(labels[e.key]);
        // Stryker disable next-line ArrayDeclaration: a missing `values` made ["Stryker was here"] differs only for a label of that value
        case 'NotIn': return !has(e.key) || !(e.values ?? []).includes(labels[e.key]);
        case 'Exists': return has(e.key);
        case 'DoesNotExist': return !has(e.key);
        // Stryker disable next-line ConditionalExpression: falling out of the switch returns undefined, which `every` reads as false too
        default: return false;
      }
    });
}

function containersOf(spec: any): Array<{ container: any; path: string }> {
  return [
    // Stryker disable next-line ArrayDeclaration: a string in place of a missing list has none of the fields read, so it reads as no item
    ...(spec.initContainers ?? []).map((c: any, i: number) => ({ container: c, path: `initContainers[${i}]` })),
    // Stryker disable next-line ArrayDeclaration: a string in place of a missing list has none of the fields read, so it reads as no item
    ...(spec.containers ?? []).map((c: any, i: number) => ({ container: c, path: `containers[${i}]` })),
  ];
}

/**
 * Whether the container has `port`: a number is a `containerPort`, a string a
 * port `name`. Anything else (a probe or Service port left out) is no port,
 * not the name of an unnamed port.
 */
function hasPort(container: any, port: unknown): boolean {
  // Stryker disable next-line ArrayDeclaration: a string in place of a missing list has none of the fields read, so it reads as no item
  return (container.ports ?? []).some((p: any) => (typeof port === 'number' ? p.containerPort === port : typeof port === 'string' && p.name === port));
}

/**
 * Runs every semantic check. Returns the findings, empty when all pass.
 */
export function checkManifests(objects: readonly Manifest[], options: CheckOptions = {}): Finding[] {
  return [
    ...checkUniqueNames(objects),
    ...checkWorkloadSelectors(objects),
    ...checkServices(objects),
    ...checkProbePorts(objects),
    ...checkReferences(objects, options),
    ...checkNodePorts(objects),
    ...checkConfigMapKeys(objects),
    ...checkNetworkPolicies(objects),
    ...checkIngresses(objects),
    ...checkAutoscalers(objects),
    ...checkDisruptionBudgets(objects),
  ];
}

/** Each Ingress path goes to a Service among the manifests, on a port that Service has. */
export function checkIngresses(objects: readonly Manifest[]): Finding[] {
  const findings: Finding[] = [];
  for (const ing of objects.filter((o) => o.kind === 'Ingress')) {
    // Stryker disable next-line ArrayDeclaration: a string in place of a missing list has none of the fields read, so it reads as no item
    (ing.spec?.rules ?? []).forEach((rule: any, i: number) => {
      // Stryker disable next-line ArrayDeclaration: a string in place of a missing list has none of the fields read, so it reads as no item
      (rule.http?.paths ?? []).forEach((p: any, j: number) => {
        const ref = p.backend?.service;
        if (!ref) return;
        const field = `spec.rules[${i}].http.paths[${j}].backend.service`;
        const svc = objects.find((o) => o.kind === 'Service' && namespaceOf(o) === namespaceOf(ing) && o.metadata?.name === ref.name);
        if (!svc) {
          findings.push({ object: describe(ing), field, message: `routes to Service ${namespaceOf(ing)}/${ref.name}, which is not among the manifests` });
        } else if (!(svc.spec?.ports ?? []).some((sp: any) => (ref.port?.name !== undefined ? sp.name === ref.port.name : sp.port === ref.port?.number))) {
          findings.push({ object: describe(ing), field: `${field}.port`, message: `port ${JSON.stringify(ref.port)} is not a port of ${describe(svc)}` });
        }
      });
    });
  }
  return findings;
}

/** Each HorizontalPodAutoscaler scales a workload among the manifests, which leaves its replica count to it. */
export function checkAutoscalers(objects: readonly Manifest[]): Finding[] {
  const findings: Finding[] = [];
  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const ref = hpa.spec?.scaleTargetRef ?? {};
    const target = objects.find((o) => o.kind === ref.kind && namespaceOf(o) === namespaceOf(hpa) && o.metadata?.name === ref.name);
    if (!target) {
      findings.push({ object: describe(hpa), field: 'spec.scaleTargetRef', message: `scales ${ref.kind} ${namespaceOf(hpa)}/${ref.name}, which is not among the manifests` });
    } else if (target.spec?.replicas !== undefined) {
      findings.push({ object: describe(target), field: 'spec.replicas', message: `is set (${target.spec.replicas}) although ${describe(hpa)} scales it; every apply would reset the autoscaler's count` });
    }
  }
  return findings;
}

/** Each PodDisruptionBudget selects some pods. */
export function checkDisruptionBudgets(objects: readonly Manifest[]): Finding[] {
  const templates = podTemplates(objects);
  return objects
    .filter((o) => o.kind === 'PodDisruptionBudget')
    .filter((pdb) => !templates.some((t) => namespaceOf(t.owner) === namespaceOf(pdb) && labelSelectorMatches(pdb.spec?.selector, t.labels)))
    .map((pdb) => ({ object: describe(pdb), field: 'spec.selector', message: `selects no pods (selector ${JSON.stringify(pdb.spec?.selector ?? null)})` }));
}

/** Each NetworkPolicy selects some pods, and the ports it admits are ports of their containers. */
export function checkNetworkPolicies(objects: readonly Manifest[]): Finding[] {
  const findings: Finding[] = [];
  const templates = podTemplates(objects);
  for (const policy of objects.filter((o) => o.kind === 'NetworkPolicy')) {
    const selector = policy.spec?.podSelector;
    const matched = templates.filter((t) => namespaceOf(t.owner) === namespaceOf(policy) && labelSelectorMatches(selector, t.labels));
    if (matched.length === 0) {
      findings.push({ object: describe(policy), field: 'spec.podSelector', message: `selects no pods (selector ${JSON.stringify(selector ?? null)})` });
      continue;
    }
    // Stryker disable next-line OptionalChaining,ArrayDeclaration: a policy that selected pods has a spec; a string in place of missing rules has no ports
    (policy.spec?.ingress ?? []).forEach((rule: any, i: number) => {
      // Stryker disable next-line ArrayDeclaration: a string in place of a missing list has none of the fields read, so it reads as no item
      (rule.ports ?? []).forEach((p: any, j: number) => {
        if (p.port === undefined) return;
        for (const t of matched) {
          if (!containersOf(t.spec).some(({ container }) => hasPort(container, p.port))) {
            findings.push({ object: describe(policy), field: `spec.ingress[${i}].ports[${j}].port`, message: `port ${JSON.stringify(p.port)} is not a port of ${describe(t.owner)}'s containers` });
          }
        }
      });
    });
  }
  return findings;
}

/** Each workload's selector matches its own pod template. */
export function checkWorkloadSelectors(objects: readonly Manifest[]): Finding[] {
  const findings: Finding[] = [];
  for (const obj of objects) {
    if (!POD_CONTROLLERS.has(obj.kind) || obj.kind === 'Job') {
      continue;
    }
    const matchLabels = obj.spec?.selector?.matchLabels;
    const labels = obj.spec?.template?.metadata?.labels ?? {};
    if (!selects(matchLabels, labels)) {
      findings.push({ object: describe(obj), field: 'spec.selector.matchLabels', message: `selector ${JSON.stringify(matchLabels ?? {})} does not match the pod template labels ${JSON.stringify(labels)}` });
    }
  }
  return findings;
}

/**
 * Each Service selects some pods, and its targetPorts exist on them. (That
 * it selects the pods of one workload only is {@link checkOneWorkloadPerSelector}'s
 * rule.)
 */
export function checkServices(objects: readonly Manifest[]): Finding[] {
  const findings: Finding[] = [];
  const templates = podTemplates(objects);
  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    if (svc.spec?.type === 'ExternalName') {
      continue;
    }
    const selector = svc.spec?.selector;
    const matched = templates.filter((t) => namespaceOf(t.owner) === namespaceOf(svc) && selects(selector, t.labels));
    if (matched.length === 0) {
      findings.push({ object: describe(svc), field: 'spec.selector', message: `selects no pods (selector ${JSON.stringify(selector ?? {})})` });
      continue;
    }
    for (const t of matched) {
      const containers = containersOf(t.spec).map((c) => c.container);
      // Stryker disable next-line OptionalChaining: a Service that selected pods has a spec
      (svc.spec?.ports ?? []).forEach((port: any, i: number) => {
        const target = port.targetPort ?? port.port;
        if (!containers.some((c) => hasPort(c, target))) {
          findings.push({ object: describe(svc), field: `spec.ports[${i}].targetPort`, message: `targetPort ${JSON.stringify(target)} is not a port of ${describe(t.owner)}'s containers` });
        }
      });
    }
  }
  return findings;
}

/** Every probe's port exists on its container. */
export function checkProbePorts(objects: readonly Manifest[]): Finding[] {
  const findings: Finding[] = [];
  for (const t of podTemplates(objects)) {
    for (const { container, path } of containersOf(t.spec)) {
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        const p = container[probe];
        const handler = p?.httpGet ? 'httpGet' : p?.tcpSocket ? 'tcpSocket' : p?.grpc ? 'grpc' : undefined;
        if (!handler) {
          continue;
        }
        const port = p[handler].port;
        if (!hasPort(container, port)) {
          findings.push({ object: describe(t.owner), field: `${t.path}.${path}.${probe}.${handler}.port`, message: `port ${JSON.stringify(port)} is not a port of container ${JSON.stringify(container.name)}` });
        }
      }
    }
  }
  return findings;
}

/** Every ConfigMap, Secret (image pull Secrets too) and PersistentVolumeClaim a pod refers to exists (and has the key asked for). */
export function checkReferences(objects: readonly Manifest[], options: CheckOptions = {}): Finding[] {
  const findings: Finding[] = [];
  const find = (kind: string, ns: string, name: string) =>
    objects.find((o) => o.kind === kind && namespaceOf(o) === ns && o.metadata?.name === name);
  const keysOf = (obj: Manifest) => new Set([...Object.keys(obj.data ?? {}), ...Object.keys(obj.stringData ?? {}), ...Object.keys(obj.binaryData ?? {})]);
  // Stryker disable next-line ArrayDeclaration: a made-up external name differs only for an object of that name
  const external = { ConfigMap: new Set(options.externalConfigMaps ?? []), Secret: new Set(options.externalSecrets ?? []) };

  for (const t of podTemplates(objects)) {
    const ns = namespaceOf(t.owner);
    const resolve = (kind: 'ConfigMap' | 'Secret', name: string, key: string | undefined, optional: boolean, field: string) => {
      if (optional || external[kind].has(name)) {
        return;
      }
      const target = find(kind, ns, name);
      if (!target) {
        findings.push({ object: describe(t.owner), field, message: `refers to ${kind} ${ns}/${name}, which is not among the manifests` });
      } else if (key !== undefined && !keysOf(target).has(key)) {
        findings.push({ object: describe(t.owner), field, message: `refers to key ${JSON.stringify(key)} of ${kind} ${ns}/${name}, which has no such key` });
      }
    };
    for (const { container, path } of containersOf(t.spec)) {
      // Stryker disable next-line ArrayDeclaration: a string in place of a missing list has none of the fields read, so it reads as no item
      (container.envFrom ?? []).forEach((e: any, i: number) => {
        if (e.configMapRef) resolve('ConfigMap', e.configMapRef.name, undefined, !!e.configMapRef.optional, `${t.path}.${path}.envFrom[${i}].configMapRef`);
        if (e.secretRef) resolve('Secret', e.secretRef.name, undefined, !!e.secretRef.optional, `${t.path}.${path}.envFrom[${i}].secretRef`);
      });
      // Stryker disable next-line ArrayDeclaration: a string in place of a missing list has none of the fields read, so it reads as no item
      (container.env ?? []).forEach((e: any, i: number) => {
        const cm = e.valueFrom?.configMapKeyRef;
        const sec = e.valueFrom?.secretKeyRef;
        if (cm) resolve('ConfigMap', cm.name, cm.key, !!cm.optional, `${t.path}.${path}.env[${i}].valueFrom.configMapKeyRef`);
        if (sec) resolve('Secret', sec.name, sec.key, !!sec.optional, `${t.path}.${path}.env[${i}].valueFrom.secretKeyRef`);
      });
      const volumes = new Set((t.spec.volumes ?? []).map((v: any) => v.name));
      (container.volumeMounts ?? []).forEach((m: any, i: number) => {
        if (!volumes.has(m.name)) {
          findings.push({ object: describe(t.owner), field: `${t.path}.${path}.volumeMounts[${i}].name`, message: `mounts volume ${JSON.stringify(m.name)}, which the pod does not declare` });
        }
      });
    }
    // Stryker disable next-line ArrayDeclaration: a string in place of a missing list has none of the fields read, so it reads as no item
    (t.spec.volumes ?? []).forEach((v: any, i: number) => {
      const field = `${t.path}.volumes[${i}]`;
      if (v.configMap) resolve('ConfigMap', v.configMap.name, undefined, !!v.configMap.optional, `${field}.configMap`);
      if (v.secret) resolve('Secret', v.secret.secretName, undefined, !!v.secret.optional, `${field}.secret`);
      // Stryker disable next-line ArrayDeclaration: a made-up external name differs only for a claim of that name
      const externalClaim = (options.externalClaims ?? []).includes(v.persistentVolumeClaim?.claimName);
      if (v.persistentVolumeClaim && !externalClaim && !find('PersistentVolumeClaim', ns, v.persistentVolumeClaim.claimName)) {
        findings.push({ object: describe(t.owner), field: `${field}.persistentVolumeClaim`, message: `refers to PersistentVolumeClaim ${ns}/${v.persistentVolumeClaim.claimName}, which is not among the manifests` });
      }
    });
    // The Secrets the image is pulled with: an external one (the user's registry credentials) must be named in the options.
    // Stryker disable next-line ArrayDeclaration: a string in place of a missing list has none of the fields read, so it reads as no item
    (t.spec.imagePullSecrets ?? []).forEach((p: any, i: number) => resolve('Secret', p.name, undefined, false, `${t.path}.imagePullSecrets[${i}]`));
  }
  return findings;
}

/**
 * No two objects have the same kind, namespace and name: the cluster keeps
 * one object per name, so each `kubectl apply` of the manifests would
 * overwrite one with the other (two `TodoApp`s with the same names in one
 * namespace, for instance). Reported once per kind, namespace and name.
 * Objects without a name (`metadata.generateName`) get one from the API
 * server and are left out.
 */
export function checkUniqueNames(objects: readonly Manifest[]): Finding[] {
  const counts = new Map<string, number>();
  for (const obj of objects.filter((o) => o.metadata?.name !== undefined)) {
    const key = describe(obj);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].filter(([, n]) => n > 1).map(([key, n]) => ({
    object: key,
    field: 'metadata.name',
    message: `${n} objects have this kind, namespace and name; the cluster keeps one, so each apply would overwrite the others (give each a name of its own)`,
  }));
}

/** NodePorts are in Kubernetes' default range and each is used once. */
export function checkNodePorts(objects: readonly Manifest[]): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<number, string>();
  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    // Stryker disable next-line ArrayDeclaration: a string in place of a missing list has none of the fields read, so it reads as no item
    (svc.spec?.ports ?? []).forEach((port: any, i: number) => {
      if (port.nodePort === undefined) {
        return;
      }
      const field = `spec.ports[${i}].nodePort`;
      if (!Number.isInteger(port.nodePort) || port.nodePort < NODE_PORT_MIN || port.nodePort > NODE_PORT_MAX) {
        findings.push({ object: describe(svc), field, message: `nodePort must be between ${NODE_PORT_MIN} and ${NODE_PORT_MAX}, got ${JSON.stringify(port.nodePort)}` });
      }
      // Stryker disable next-line OptionalChaining: a Service with ports has a spec
      if (!['NodePort', 'LoadBalancer'].includes(svc.spec?.type)) {
        // Stryker disable next-line OptionalChaining: a Service with ports has a spec
        findings.push({ object: describe(svc), field, message: `nodePort needs type NodePort or LoadBalancer, got ${JSON.stringify(svc.spec?.type ?? 'ClusterIP')}` });
      }
      const other = seen.get(port.nodePort);
      if (other) {
        findings.push({ object: describe(svc), field, message: `nodePort ${port.nodePort} is also used by ${other}` });
      } else {
        seen.set(port.nodePort, describe(svc));
      }
    });
  }
  return findings;
}

/** No ConfigMap key looks like it holds a secret. */
export function checkConfigMapKeys(objects: readonly Manifest[]): Finding[] {
  return objects
    .filter((o) => o.kind === 'ConfigMap')
    .flatMap((cm) => Object.keys(cm.data ?? {})
      .filter((key) => SECRET_LOOKING_KEY.test(key))
      .map((key) => ({ object: describe(cm), field: `data.${key}`, message: `key ${JSON.stringify(key)} looks like a secret; secrets belong in a Secret` })));
}

/** Formats findings as a report, one line each. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `  - ${f.object} ${f.field}: ${f.message}`).join('\n');
}
