import { checkManifests, checkRestrictedPodSecurity, Finding, formatFindings, runAllChecks } from '../lib/checks';
import { assertChecksPass } from '../lib/checks';
import { BackendDatabase } from '../lib/backend-database';
import { Profile, TodoApp } from '../lib/todo-app';
import { synth, TEST_SECRETS } from './support/util';

/** The default app's objects, deep-copied so each test can break one thing. */
function objects(): any[] {
  return JSON.parse(JSON.stringify(synth((chart) => new TodoApp(chart, 'todo', { backend: { jwtSecret: TEST_SECRETS.jwtSecret }, frontend: { betterAuthSecret: TEST_SECRETS.betterAuthSecret } }))));
}
const get = (objs: any[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);
const deployment = (objs: any[]) => get(objs, 'Deployment', 'todo-backend');
const container = (objs: any[]) => deployment(objs).spec.template.spec.containers[0];

function only(findings: Finding[]): Finding {
  expect(findings).toHaveLength(1);
  return findings[0];
}

describe('checks over manifests', () => {
  test('the default app passes every check', () => {
    expect(runAllChecks(objects())).toEqual([]);
  });

  describe('semantic checks fail when', () => {
    test('a Service selects no pods', () => {
      const o = objects();
      get(o, 'Service', 'todo-backend').spec.selector = { 'app.kubernetes.io/name': 'nothing' };
      expect(only(checkManifests(o))).toEqual({ object: 'Service default/todo-backend', field: 'spec.selector', message: 'selects no pods (selector {"app.kubernetes.io/name":"nothing"})' });
    });

    test('a targetPort is not a container port', () => {
      const o = objects();
      get(o, 'Service', 'todo-frontend').spec.ports[0].targetPort = 'web';
      expect(only(checkManifests(o))).toMatchObject({ object: 'Service default/todo-frontend', field: 'spec.ports[0].targetPort', message: `targetPort "web" is not a port of Deployment default/todo-frontend's containers` });
    });

    test('a probe port is not a container port', () => {
      const o = objects();
      container(o).readinessProbe.httpGet.port = 9000;
      expect(only(checkManifests(o))).toMatchObject({ field: 'spec.template.spec.containers[0].readinessProbe.httpGet.port', message: 'port 9000 is not a port of container "todo-backend"' });
    });

    test('a ConfigMap reference does not resolve', () => {
      const o = objects().filter((x) => !(x.kind === 'ConfigMap' && x.metadata.name === 'todo-backend-config'));
      expect(only(checkManifests(o))).toMatchObject({ field: 'spec.template.spec.containers[0].envFrom[0].configMapRef', message: 'refers to ConfigMap default/todo-backend-config, which is not among the manifests' });
    });

    test('a required Secret key is missing (an optional one may be)', () => {
      const o = objects();
      delete get(o, 'Secret', 'todo-backend-secret').data.JWT_SECRET;
      expect(only(checkManifests(o))).toMatchObject({ field: 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef', message: 'refers to key "JWT_SECRET" of Secret default/todo-backend-secret, which has no such key' });
    });

    test('a volume mount names no volume', () => {
      const o = objects();
      container(o).volumeMounts[0].name = 'ghost';
      expect(only(checkManifests(o)).message).toBe('mounts volume "ghost", which the pod does not declare');
    });

    test('a nodePort is out of range', () => {
      const o = objects();
      get(o, 'Service', 'todo-backend').spec.ports[0].nodePort = 80;
      expect(only(checkManifests(o)).message).toBe('nodePort must be between 30000 and 32767, got 80');
    });

    test('a nodePort is used twice', () => {
      const o = objects();
      get(o, 'Service', 'todo-backend').spec.ports[0].nodePort = 30300;
      expect(only(checkManifests(o))).toMatchObject({ object: 'Service default/todo-frontend', message: 'nodePort 30300 is also used by Service default/todo-backend' });
    });

    test('a ConfigMap key looks like a secret', () => {
      const o = objects();
      get(o, 'ConfigMap', 'todo-frontend-config').data.BETTER_AUTH_SECRET = 'x';
      expect(only(checkManifests(o))).toEqual({ object: 'ConfigMap default/todo-frontend-config', field: 'data.BETTER_AUTH_SECRET', message: 'key "BETTER_AUTH_SECRET" looks like a secret; secrets belong in a Secret' });
    });

    test('a NetworkPolicy selects no pods', () => {
      const o = objects();
      get(o, 'NetworkPolicy', 'todo-backend').spec.podSelector.matchLabels = { app: 'none' };
      expect(only(checkManifests(o))).toEqual({ object: 'NetworkPolicy default/todo-backend', field: 'spec.podSelector', message: 'selects no pods (selector {"matchLabels":{"app":"none"}})' });
    });

    test('a NetworkPolicy selects its pods by matchExpressions (and passes)', () => {
      const o = objects();
      get(o, 'NetworkPolicy', 'todo-backend').spec.podSelector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['todo-backend'] }] };
      expect(checkManifests(o)).toEqual([]);
      get(o, 'NetworkPolicy', 'todo-backend').spec.podSelector.matchExpressions[0].operator = 'NotIn';
      get(o, 'NetworkPolicy', 'todo-backend').spec.ingress[0].ports[0].port = 8000;
      expect(only(checkManifests(o))).toMatchObject({ object: 'NetworkPolicy default/todo-backend', message: `port 8000 is not a port of Deployment default/todo-frontend's containers` });
    });

    test('a NetworkPolicy admits a port the pods do not have', () => {
      const o = objects();
      get(o, 'NetworkPolicy', 'todo-frontend').spec.ingress[0].ports[0].port = 'metrics';
      expect(only(checkManifests(o)).message).toBe(`port "metrics" is not a port of Deployment default/todo-frontend's containers`);
    });

    test('a PersistentVolumeClaim reference does not resolve', () => {
      const o = objects().filter((x) => x.kind !== 'PersistentVolumeClaim');
      expect(only(checkManifests(o)).message).toBe('refers to PersistentVolumeClaim default/todo-backend-data, which is not among the manifests');
    });

    describe('over the cluster profile', () => {
      const clusterObjects = (): any[] => JSON.parse(JSON.stringify(synth((chart) => new TodoApp(chart, 'todo', {
        profile: Profile.CLUSTER,
        cluster: { host: 'todo.example.com' },
        backend: { database: BackendDatabase.postgres('postgresql://u:p@db:5432/todo'), jwtSecret: TEST_SECRETS.jwtSecret },
        frontend: { betterAuthSecret: TEST_SECRETS.betterAuthSecret },
      }))));

      test('the cluster profile passes every check', () => {
        expect(runAllChecks(clusterObjects())).toEqual([]);
      });

      test('an Ingress routes to a Service that does not exist', () => {
        const o = clusterObjects();
        get(o, 'Ingress', 'todo-backend').spec.rules[0].http.paths[0].backend.service.name = 'ghost';
        expect(only(checkManifests(o))).toEqual({ object: 'Ingress default/todo-backend', field: 'spec.rules[0].http.paths[0].backend.service', message: 'routes to Service default/ghost, which is not among the manifests' });
      });

      test('an Ingress routes to a port the Service does not have', () => {
        const o = clusterObjects();
        get(o, 'Ingress', 'todo-frontend').spec.rules[0].http.paths[0].backend.service.port = { name: 'web' };
        expect(only(checkManifests(o)).message).toBe('port {"name":"web"} is not a port of Service default/todo-frontend');
      });

      test('an autoscaler scales a Deployment that does not exist', () => {
        const o = clusterObjects();
        get(o, 'HorizontalPodAutoscaler', 'todo-backend').spec.scaleTargetRef.name = 'ghost';
        expect(only(checkManifests(o)).message).toBe('scales Deployment default/ghost, which is not among the manifests');
      });

      test('a Deployment sets replicas beside its autoscaler', () => {
        const o = clusterObjects();
        get(o, 'Deployment', 'todo-frontend').spec.replicas = 2;
        expect(only(checkManifests(o))).toMatchObject({ object: 'Deployment default/todo-frontend', field: 'spec.replicas' });
      });

      test('a disruption budget selects no pods', () => {
        const o = clusterObjects();
        get(o, 'PodDisruptionBudget', 'todo-backend').spec.selector.matchLabels = { app: 'none' };
        expect(only(checkManifests(o))).toMatchObject({ object: 'PodDisruptionBudget default/todo-backend', field: 'spec.selector' });
      });
    });

    test('a Deployment selector does not match its pods', () => {
      const o = objects();
      deployment(o).spec.selector.matchLabels.app = 'other';
      expect(checkManifests(o).map((f) => f.field)).toContain('spec.selector.matchLabels');
    });
  });

  describe('restricted Pod Security fails when', () => {
    const cases: Array<[string, (o: any[]) => void, string]> = [
      ['privilege escalation is allowed', (o) => { container(o).securityContext.allowPrivilegeEscalation = true; }, 'containers[0].securityContext.allowPrivilegeEscalation'],
      ['the pod may run as root', (o) => { delete deployment(o).spec.template.spec.securityContext.runAsNonRoot; delete container(o).securityContext.runAsNonRoot; }, 'containers[0].securityContext.runAsNonRoot'],
      ['capabilities are not dropped', (o) => { container(o).securityContext.capabilities.drop = []; }, 'containers[0].securityContext.capabilities.drop'],
      ['a capability is added', (o) => { container(o).securityContext.capabilities.add = ['SYS_ADMIN']; }, 'containers[0].securityContext.capabilities.add'],
      ['seccomp is unconfined', (o) => { deployment(o).spec.template.spec.securityContext.seccompProfile.type = 'Unconfined'; }, 'spec.template.spec.securityContext.seccompProfile.type'],
      ['the container is privileged', (o) => { container(o).securityContext.privileged = true; }, 'containers[0].securityContext.privileged'],
      ['a hostPath volume is used', (o) => { deployment(o).spec.template.spec.volumes.push({ name: 'h', hostPath: { path: '/' } }); }, 'spec.template.spec.volumes['],
      ['the host network is used', (o) => { deployment(o).spec.template.spec.hostNetwork = true; }, 'spec.template.spec.hostNetwork'],
      ['runAsUser is 0', (o) => { deployment(o).spec.template.spec.securityContext.runAsUser = 0; }, 'spec.template.spec.securityContext.runAsUser'],
    ];
    test.each(cases)('%s', (_name, breakIt, field) => {
      const o = objects();
      breakIt(o);
      const f = only(checkRestrictedPodSecurity(o));
      expect(f.object).toBe('Deployment default/todo-backend');
      expect(f.field).toContain(field);
    });
  });

  test('assertChecksPass throws a report naming object and field', () => {
    const o = objects();
    get(o, 'Service', 'todo-backend').spec.ports[0].nodePort = 80;
    container(o).securityContext.allowPrivilegeEscalation = true;
    expect(() => assertChecksPass('the manifests', o)).toThrow(
      '2 check(s) failed on the manifests:\n' +
      '  - Service default/todo-backend spec.ports[0].nodePort: nodePort must be between 30000 and 32767, got 80\n' +
      '  - Deployment default/todo-backend spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation: allowPrivilegeEscalation must be false, got true');
    expect(formatFindings([])).toBe('');
  });
});
