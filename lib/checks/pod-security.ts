import { Finding, Manifest, describe, podTemplates } from './semantic';

/**
 * The "restricted" Pod Security Standard (Kubernetes 1.28), checked over the
 * pod templates of manifests: the controls of the baseline profile that a pod
 * spec can break, plus the restricted ones.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
/** The volume types the restricted profile allows (the baseline forbids hostPath and the rest). */
export const ALLOWED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const ALLOWED_ADDED_CAPABILITIES = new Set(['NET_BIND_SERVICE']);

/** Returns where each pod template breaks the restricted profile. */
export function checkRestrictedPodSecurity(objects: readonly Manifest[]): Finding[] {
  const findings: Finding[] = [];
  for (const t of podTemplates(objects)) {
    const spec = t.spec;
    const pod = spec.securityContext ?? {};
    const add = (field: string, message: string) => findings.push({ object: describe(t.owner), field: `${t.path}.${field}`, message });

    for (const hostField of ['hostNetwork', 'hostPID', 'hostIPC']) {
      if (spec[hostField] === true) add(hostField, `${hostField} must not be true`);
    }
    (spec.volumes ?? []).forEach((v: any, i: number) => {
      const type = Object.keys(v).find((k) => k !== 'name');
      if (!type || !ALLOWED_VOLUME_TYPES.has(type)) {
        add(`volumes[${i}]`, `volume type ${JSON.stringify(type)} is not allowed; allowed: ${[...ALLOWED_VOLUME_TYPES].join(', ')}`);
      }
    });
    if (pod.runAsUser === 0) add('securityContext.runAsUser', 'runAsUser must not be 0 (root)');
    if (pod.seccompProfile && !['RuntimeDefault', 'Localhost'].includes(pod.seccompProfile.type)) {
      add('securityContext.seccompProfile.type', `seccompProfile must be RuntimeDefault or Localhost, got ${JSON.stringify(pod.seccompProfile.type)}`);
    }

    const containers = [
      ...(spec.initContainers ?? []).map((c: any, i: number) => ({ c, path: `initContainers[${i}]` })),
      ...(spec.containers ?? []).map((c: any, i: number) => ({ c, path: `containers[${i}]` })),
    ];
    for (const { c, path } of containers) {
      const sc = c.securityContext ?? {};
      const at = (field: string) => `${path}.securityContext.${field}`;
      if (sc.privileged === true) add(at('privileged'), 'privileged must not be true');
      if (sc.allowPrivilegeEscalation !== false) add(at('allowPrivilegeEscalation'), `allowPrivilegeEscalation must be false, got ${JSON.stringify(sc.allowPrivilegeEscalation)}`);
      const runAsNonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
      if (runAsNonRoot !== true) add(at('runAsNonRoot'), `runAsNonRoot must be true (on the container or the pod), got ${JSON.stringify(runAsNonRoot)}`);
      if (sc.runAsUser === 0) add(at('runAsUser'), 'runAsUser must not be 0 (root)');
      // A pod-level profile was checked above; a container inherits it unless it sets its own.
      if (sc.seccompProfile || !pod.seccompProfile) {
        const seccomp = sc.seccompProfile?.type;
        if (!['RuntimeDefault', 'Localhost'].includes(seccomp)) {
          add(at('seccompProfile.type'), `seccompProfile must be RuntimeDefault or Localhost (on the container or the pod), got ${JSON.stringify(seccomp)}`);
        }
      }
      const drop: string[] = sc.capabilities?.drop ?? [];
      if (!drop.includes('ALL')) add(at('capabilities.drop'), `capabilities must drop ALL, got ${JSON.stringify(drop)}`);
      const added: string[] = sc.capabilities?.add ?? [];
      for (const cap of added.filter((x) => !ALLOWED_ADDED_CAPABILITIES.has(x))) {
        add(at('capabilities.add'), `capability ${cap} must not be added; only NET_BIND_SERVICE may be`);
      }
      // Stryker disable next-line ArrayDeclaration: a made-up element in place of no ports has no hostPort, so nothing changes
      (c.ports ?? []).forEach((p: any, i: number) => {
        if (p.hostPort) add(`${path}.ports[${i}].hostPort`, `hostPort must not be set, got ${p.hostPort}`);
      });
    }
  }
  return findings;
}
