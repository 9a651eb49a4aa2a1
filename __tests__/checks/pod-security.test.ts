import { checkRestrictedPodSecurity } from '../../lib/checks/pod-security';
import { container, deployment, pod } from '../support/manifests';

const ALLOWED_VOLUMES = 'configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret';

/** The findings over one Deployment whose pod spec `change` edits, as `field: message` lines. */
function findingsAfter(change: (spec: any) => void): string[] {
  const d = deployment('web', { namespace: 'prod' });
  change(d.spec.template.spec);
  return checkRestrictedPodSecurity([d]).map((f) => {
    expect(f.object).toBe('Deployment prod/web');
    return `${f.field}: ${f.message}`;
  });
}

const P = 'spec.template.spec';
const C = `${P}.containers[0].securityContext`;

describe('checkRestrictedPodSecurity', () => {
  test('a pod whose containers set every control passes; so does one with allowed volumes, NET_BIND_SERVICE and Localhost profiles', () => {
    expect(findingsAfter(() => undefined)).toEqual([]);
    expect(findingsAfter((spec) => {
      spec.hostNetwork = false;
      spec.hostPID = false;
      spec.hostIPC = false;
      spec.volumes = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'].map((type, i) => ({ name: `v${i}`, [type]: {} }));
      spec.securityContext = { runAsUser: 1000, runAsNonRoot: true, seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } };
      const sc = spec.containers[0].securityContext;
      sc.privileged = false;
      sc.runAsUser = 1000;
      sc.capabilities.add = ['NET_BIND_SERVICE'];
      sc.seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' };
      spec.containers[0].ports = [{ containerPort: 8000, hostPort: 0 }];
    })).toEqual([]);
  });

  test('controls set on the pod only hold for every container (runAsNonRoot, seccomp), and no container context at all breaks the rest', () => {
    expect(findingsAfter((spec) => {
      spec.securityContext = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
      delete spec.containers[0].securityContext.runAsNonRoot;
      delete spec.containers[0].securityContext.seccompProfile;
    })).toEqual([]);
    expect(findingsAfter((spec) => {
      spec.securityContext = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
      delete spec.containers[0].securityContext;
      delete spec.containers[0].ports;
    })).toEqual([
      `${C}.allowPrivilegeEscalation: allowPrivilegeEscalation must be false, got undefined`,
      `${C}.capabilities.drop: capabilities must drop ALL, got []`,
    ]);
  });

  describe('fails when', () => {
    const cases: Array<[string, (spec: any) => void, string[]]> = [
      ['the pod uses the host network', (s) => { s.hostNetwork = true; }, [`${P}.hostNetwork: hostNetwork must not be true`]],
      ['the pod uses the host PID namespace', (s) => { s.hostPID = true; }, [`${P}.hostPID: hostPID must not be true`]],
      ['the pod uses the host IPC namespace', (s) => { s.hostIPC = true; }, [`${P}.hostIPC: hostIPC must not be true`]],
      ['a volume is a hostPath (after an allowed one)', (s) => { s.volumes = [{ name: 'ok', emptyDir: {} }, { name: 'h', hostPath: { path: '/' } }]; },
        [`${P}.volumes[1]: volume type "hostPath" is not allowed; allowed: ${ALLOWED_VOLUMES}`]],
      ['a volume has no type at all', (s) => { s.volumes = [{ name: 'bare' }]; }, [`${P}.volumes[0]: volume type undefined is not allowed; allowed: ${ALLOWED_VOLUMES}`]],
      ['the pod runs as user 0', (s) => { s.securityContext = { runAsUser: 0 }; }, [`${P}.securityContext.runAsUser: runAsUser must not be 0 (root)`]],
      ['the pod\'s seccomp profile is Unconfined (reported once: the container inherits it)', (s) => {
        s.securityContext = { seccompProfile: { type: 'Unconfined' } };
        delete s.containers[0].securityContext.seccompProfile;
      }, [`${P}.securityContext.seccompProfile.type: seccompProfile must be RuntimeDefault or Localhost, got "Unconfined"`]],
      ['the pod\'s seccomp profile is Unconfined although the container sets RuntimeDefault', (s) => { s.securityContext = { seccompProfile: { type: 'Unconfined' } }; },
        [`${P}.securityContext.seccompProfile.type: seccompProfile must be RuntimeDefault or Localhost, got "Unconfined"`]],
      ['a container is privileged', (s) => { s.containers[0].securityContext.privileged = true; }, [`${C}.privileged: privileged must not be true`]],
      ['a container allows privilege escalation', (s) => { s.containers[0].securityContext.allowPrivilegeEscalation = true; },
        [`${C}.allowPrivilegeEscalation: allowPrivilegeEscalation must be false, got true`]],
      ['a container leaves privilege escalation unset', (s) => { delete s.containers[0].securityContext.allowPrivilegeEscalation; },
        [`${C}.allowPrivilegeEscalation: allowPrivilegeEscalation must be false, got undefined`]],
      ['neither the container nor the pod sets runAsNonRoot', (s) => { delete s.containers[0].securityContext.runAsNonRoot; },
        [`${C}.runAsNonRoot: runAsNonRoot must be true (on the container or the pod), got undefined`]],
      ['the container sets runAsNonRoot false over the pod\'s true', (s) => {
        s.securityContext = { runAsNonRoot: true };
        s.containers[0].securityContext.runAsNonRoot = false;
      }, [`${C}.runAsNonRoot: runAsNonRoot must be true (on the container or the pod), got false`]],
      ['the pod sets runAsNonRoot false and the container does not set it', (s) => {
        s.securityContext = { runAsNonRoot: false };
        delete s.containers[0].securityContext.runAsNonRoot;
      }, [`${C}.runAsNonRoot: runAsNonRoot must be true (on the container or the pod), got false`]],
      ['a container runs as user 0', (s) => { s.containers[0].securityContext.runAsUser = 0; }, [`${C}.runAsUser: runAsUser must not be 0 (root)`]],
      ['neither the container nor the pod sets a seccomp profile', (s) => { delete s.containers[0].securityContext.seccompProfile; },
        [`${C}.seccompProfile.type: seccompProfile must be RuntimeDefault or Localhost (on the container or the pod), got undefined`]],
      ['a container sets Unconfined over the pod\'s RuntimeDefault', (s) => {
        s.securityContext = { seccompProfile: { type: 'RuntimeDefault' } };
        s.containers[0].securityContext.seccompProfile = { type: 'Unconfined' };
      }, [`${C}.seccompProfile.type: seccompProfile must be RuntimeDefault or Localhost (on the container or the pod), got "Unconfined"`]],
      ['a container drops some capabilities but not ALL', (s) => { s.containers[0].securityContext.capabilities.drop = ['NET_RAW']; },
        [`${C}.capabilities.drop: capabilities must drop ALL, got ["NET_RAW"]`]],
      ['a container has no capabilities entry', (s) => { delete s.containers[0].securityContext.capabilities; }, [`${C}.capabilities.drop: capabilities must drop ALL, got []`]],
      ['a container adds capabilities other than NET_BIND_SERVICE (each reported)', (s) => { s.containers[0].securityContext.capabilities.add = ['SYS_ADMIN', 'NET_BIND_SERVICE', 'NET_RAW']; }, [
        `${C}.capabilities.add: capability SYS_ADMIN must not be added; only NET_BIND_SERVICE may be`,
        `${C}.capabilities.add: capability NET_RAW must not be added; only NET_BIND_SERVICE may be`,
      ]],
      ['a container port sets a hostPort', (s) => { s.containers[0].ports = [{ containerPort: 80 }, { containerPort: 8000, hostPort: 8000 }]; },
        [`${P}.containers[0].ports[1].hostPort: hostPort must not be set, got 8000`]],
      ['an init container breaks a control, at its own path', (s) => {
        s.initContainers = [container('migrate')];
        s.initContainers[0].securityContext.privileged = true;
      }, [`${P}.initContainers[0].securityContext.privileged: privileged must not be true`]],
      ['the second container breaks a control, at its own path', (s) => {
        s.containers.push(container('sidecar'));
        s.containers[1].securityContext.runAsUser = 0;
      }, [`${P}.containers[1].securityContext.runAsUser: runAsUser must not be 0 (root)`]],
    ];
    test.each(cases)('%s', (_name, change, expected) => {
      expect(findingsAfter(change)).toEqual(expected);
    });
  });

  test('a container without any security context breaks every container control, each once', () => {
    expect(findingsAfter((spec) => { delete spec.containers[0].securityContext; })).toEqual([
      `${C}.allowPrivilegeEscalation: allowPrivilegeEscalation must be false, got undefined`,
      `${C}.runAsNonRoot: runAsNonRoot must be true (on the container or the pod), got undefined`,
      `${C}.seccompProfile.type: seccompProfile must be RuntimeDefault or Localhost (on the container or the pod), got undefined`,
      `${C}.capabilities.drop: capabilities must drop ALL, got []`,
    ]);
  });

  test('reads the pod templates of every workload kind and bare Pods, at their own paths; other objects are not pods', () => {
    const bare = pod('debug', { app: 'debug' }, { containers: [container()], hostPID: true });
    const job = deployment('migrate', { kind: 'Job', pod: { hostIPC: true } });
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, spec: { hostNetwork: true } };
    expect(checkRestrictedPodSecurity([bare, job, configMap])).toEqual([
      { object: 'Pod default/debug', field: 'spec.hostPID', message: 'hostPID must not be true' },
      { object: 'Job default/migrate', field: 'spec.template.spec.hostIPC', message: 'hostIPC must not be true' },
    ]);
    expect(checkRestrictedPodSecurity([pod('empty', {}, {})])).toEqual([]);
  });
});
