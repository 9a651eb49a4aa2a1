import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, JsonPatch, Testing } from 'cdk8s';
import * as k8s from '../imports/k8s';
import { APP_CHECKS_ID, AppChecks, checkAppElsewhere } from '../lib/app-checks';
import { excuseLintFinding } from '../lib/lint-exceptions';
import { TodoApp, TodoAppProps } from '../lib/todo-app';
import { TodoBackend } from '../lib/todo-backend';
import { TodoFrontend } from '../lib/todo-frontend';
import { TEST_SECRETS } from './support/util';

const secrets = (props: TodoAppProps = {}): TodoAppProps => ({
  ...props,
  backend: { jwtSecret: TEST_SECRETS.jwtSecret, ...props.backend },
  frontend: { betterAuthSecret: TEST_SECRETS.betterAuthSecret, ...props.frontend },
});

/** The error lines cdk8s' validation throws with (after its first line), or [] when it passes. */
function validationErrors(run: () => unknown): string[] {
  try {
    run();
    return [];
  } catch (e) {
    const [first, ...rest] = (e as Error).message.split('\n');
    expect(first).toBe('Validation failed with the following errors:');
    return rest.map((line) => line.trim());
  }
}

const at = (line: string) => `[${APP_CHECKS_ID}] ${line}`;

/** A container that passes the restricted Pod Security Standard, without resources. */
const SIDECAR = {
  name: 'sidecar',
  image: 'registry.example.com/proxy:1.2',
  securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
};

describe('AppChecks', () => {
  test('one construct per app, at its root, whatever the number of components and charts', () => {
    const app = Testing.app();
    new TodoApp(new Chart(app, 'a', { namespace: 'a' }), 'todo', secrets());
    new TodoApp(new Chart(app, 'b', { namespace: 'b' }), 'todo', secrets({ backend: { nodePort: 31800 }, frontend: { nodePort: 31300 } }));
    expect(app.node.children.filter((c) => c instanceof AppChecks).map((c) => c.node.path)).toEqual([APP_CHECKS_ID]);
    expect(AppChecks.of(app.node.findChild('a'))).toBe(app.node.findChild(APP_CHECKS_ID));
    expect(() => app.synth()).not.toThrow();
  });

  test('a construct of that id that is not the checks is an error, not a silent second set', () => {
    const app = Testing.app();
    new Chart(app, APP_CHECKS_ID);
    expect(() => new TodoBackend(new Chart(app, 'c'), 'backend')).toThrow(`the app already has a construct with id '${APP_CHECKS_ID}' that is not todo-cdk8s' checks (two copies of todo-cdk8s in one app?); use one copy of the package`);
  });

  describe('at construction, naming the prop', () => {
    test('two TodoApps in one chart: the same names in one namespace', () => {
      const chart = new Chart(Testing.app(), 'c');
      new TodoApp(chart, 'one', secrets());
      expect(() => new TodoApp(chart, 'two', secrets())).toThrow(
        `'backend.name' must differ from 'backend.name' of the backend at 'c/one/backend' (they name Deployments, Services, ConfigMaps and Secrets in one namespace, "default"), got "todo-backend" for both; give one another name, or put it in a Chart with another namespace`);
    });

    test('a frontend named as another app\'s backend', () => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
      new TodoApp(chart, 'one', secrets());
      expect(() => new TodoApp(chart, 'two', secrets({ backend: { name: 'api', nodePort: 31800 }, frontend: { name: 'todo-backend', nodePort: 31300 } })))
        .toThrow(`'frontend.name' must differ from 'backend.name' of the backend at 'c/one/backend' (they name Deployments, Services, ConfigMaps and Secrets in one namespace, "shop"), got "todo-backend" for both`);
    });

    test('two TodoApps in two namespaces: the same nodePort, cluster-wide', () => {
      const app = Testing.app();
      new TodoApp(new Chart(app, 'a', { namespace: 'a' }), 'todo', secrets());
      expect(() => new TodoApp(new Chart(app, 'b', { namespace: 'b' }), 'todo', secrets())).toThrow(
        `'backend.nodePort' must be different from 'backend.nodePort' of the backend at 'a/todo/backend' (30800: a nodePort serves one Service per cluster), got 30800`);
      expect(() => new TodoApp(new Chart(app, 'c', { namespace: 'c' }), 'todo', secrets({ backend: { nodePort: 31800 } }))).toThrow(
        `'frontend.nodePort' must be different from 'frontend.nodePort' of the frontend at 'a/todo/frontend' (30300: a nodePort serves one Service per cluster), got 30300`);
    });

    test('the two components of one TodoApp are named by their props alone', () => {
      const chart = new Chart(Testing.app(), 'c');
      expect(() => new TodoApp(chart, 'todo', secrets({ backend: { nodePort: 30500 }, frontend: { nodePort: 30500 } }))).toThrow(
        "'frontend.nodePort' must be different from 'backend.nodePort' (30500: a nodePort serves one Service per cluster), got 30500");
    });

    test('the same names in other namespaces, and ClusterIP Services, pass', () => {
      const app = Testing.app();
      new TodoApp(new Chart(app, 'a', { namespace: 'a' }), 'todo', secrets());
      const b = new Chart(app, 'b', { namespace: 'b' });
      const backend = new TodoBackend(b, 'backend', { jwtSecret: TEST_SECRETS.jwtSecret, nodePort: 31800, corsOrigins: [TodoFrontend.originOf({ nodePort: 31300 })] });
      new TodoFrontend(b, 'frontend', { backend, nodePort: 31300, betterAuthSecret: TEST_SECRETS.betterAuthSecret });
      expect(validationErrors(() => app.synth())).toEqual([]);
    });
  });

  describe('on app.synth(), naming the object, the field and the rule', () => {
    test('a Service of the user on a component\'s nodePort, in another chart; nothing is written', () => {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-checks-'));
      try {
        const app = new App({ outdir });
        new TodoApp(new Chart(app, 'todo', { namespace: 'todo' }), 'todo', secrets());
        new k8s.KubeService(new Chart(app, 'mine', { namespace: 'mine' }), 'svc', {
          metadata: { name: 'web' },
          spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30300 }] },
        });
        expect(validationErrors(() => app.synth())).toEqual([
          at('Service mine/web spec.ports[0].nodePort: nodePort 30300 is also used by Service todo/todo-frontend'),
        ]);
        expect(fs.readdirSync(outdir)).toEqual([]);
      } finally {
        fs.rmSync(outdir, { recursive: true, force: true });
      }
    });

    test('an object of the user with a component object\'s kind, namespace and name', () => {
      const chart = new Chart(Testing.app(), 'c');
      new TodoApp(chart, 'todo', secrets());
      new k8s.KubeConfigMap(chart, 'mine', { metadata: { name: 'todo-backend-config' }, data: { A: 'b' } });
      expect(validationErrors(() => Testing.synth(chart))).toEqual([
        at('ConfigMap default/todo-backend-config metadata.name: 2 objects have this kind, namespace and name; the cluster keeps one, so each apply would overwrite the others (give each a name of its own)'),
      ]);
    });

    test('a sidecar patched in that breaks the restricted Pod Security Standard', () => {
      const chart = new Chart(Testing.app(), 'c');
      const todo = new TodoApp(chart, 'todo', secrets());
      todo.backend.deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/-', { name: 'shell', image: 'busybox:1.36', securityContext: { privileged: true } }));
      const errors = validationErrors(() => Testing.synth(chart));
      expect(errors).toEqual(expect.arrayContaining([
        at('Deployment default/todo-backend spec.template.spec.containers[1].securityContext.privileged: privileged must not be true'),
        at('Deployment default/todo-backend spec.template.spec.containers[1].securityContext.allowPrivilegeEscalation: allowPrivilegeEscalation must be false, got undefined'),
        at('Deployment default/todo-backend spec.template.spec.containers[1].securityContext.capabilities.drop: capabilities must drop ALL, got []'),
      ]));
      expect(errors.every((e) => e.startsWith(at('Deployment default/todo-backend spec.template.spec.containers[1].')) || e.includes('containers[shell]'))).toBe(true);
    });

    test('a secret-looking key patched into a component\'s ConfigMap (the prop `env` refuses it at construction)', () => {
      const chart = new Chart(Testing.app(), 'c');
      const todo = new TodoApp(chart, 'todo', secrets());
      todo.backend.configMap.addJsonPatch(JsonPatch.add('/data/API_TOKEN', 'abc'));
      expect(validationErrors(() => Testing.synth(chart))).toEqual([
        at('ConfigMap default/todo-backend-config data.API_TOKEN: key "API_TOKEN" looks like a secret; secrets belong in a Secret'),
      ]);
    });

    test('a user Service that selects the pods of a component and of the user\'s own workload', () => {
      const chart = new Chart(Testing.app(), 'c');
      new TodoApp(chart, 'todo', secrets());
      const labels = { 'app.kubernetes.io/part-of': 'todo' };
      new k8s.KubeService(chart, 'all', { metadata: { name: 'all' }, spec: { selector: labels, ports: [{ port: 80, targetPort: k8s.IntOrString.fromString('http') }] } });
      expect(validationErrors(() => Testing.synth(chart))).toEqual([
        at('Service default/all spec.selector: selector {"app.kubernetes.io/part-of":"todo"} selects the pods of 2 workloads (Deployment default/todo-backend, Deployment default/todo-frontend); a Service must send traffic to the pods of one workload only'),
      ]);
    });

    test('a kube-score finding on a component object, excused by the annotation with a reason', () => {
      const chart = new Chart(Testing.app(), 'c');
      const todo = new TodoApp(chart, 'todo', secrets());
      todo.backend.deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/-', SIDECAR));
      const finding = at("Deployment default/todo-backend spec.template.spec.containers[sidecar].resources: kube-score container-ephemeral-storage-request-and-limit: container sidecar has no ephemeral-storage limit (if deliberate: excuseLintFinding(<the object>, 'container-ephemeral-storage-request-and-limit', '<reason>'))");
      expect(validationErrors(() => Testing.synth(chart))).toContain(finding);

      excuseLintFinding(todo.backend.deployment, 'container-ephemeral-storage-request-and-limit', 'the proxy writes nothing to disk');
      excuseLintFinding(todo.backend.deployment, 'container-image-pull-policy', 'the proxy comes from a mirror on the node');
      expect(validationErrors(() => Testing.synth(chart))).toEqual([]);
      expect(todo.backend.deployment.toJson().metadata.annotations).toMatchObject({
        'kube-score/ignore': 'container-image-tag,container-image-pull-policy,container-ephemeral-storage-request-and-limit',
        'kube-score.todo-cdk8s/container-ephemeral-storage-request-and-limit': 'the proxy writes nothing to disk',
      });
    });

    test('an annotation that lists a check without a reason does not excuse it', () => {
      const chart = new Chart(Testing.app(), 'c');
      const todo = new TodoApp(chart, 'todo', secrets());
      todo.backend.configMap.metadata.addAnnotation('kube-score/ignore', 'pod-probes');
      expect(validationErrors(() => Testing.synth(chart))).toEqual([
        at('ConfigMap default/todo-backend-config metadata.annotations.kube-score.todo-cdk8s/pod-probes: kube-score/ignore lists pod-probes without a reason'),
      ]);
    });

    test('the user\'s own objects meet only the rules between objects: their pods, references and lint are theirs', () => {
      const chart = new Chart(Testing.app(), 'c');
      new TodoApp(chart, 'todo', secrets());
      new k8s.KubeDeployment(chart, 'root', {
        metadata: { name: 'legacy' },
        spec: {
          selector: { matchLabels: { app: 'legacy' } },
          template: {
            metadata: { labels: { app: 'legacy' } },
            spec: { containers: [{ name: 'legacy', image: 'legacy:latest', envFrom: [{ secretRef: { name: 'made-by-hand' } }], securityContext: { runAsUser: 0 } }] },
          },
        },
      });
      new k8s.KubeConfigMap(chart, 'cfg', { metadata: { name: 'legacy' }, data: { DB_PASSWORD: 'not ours to judge' } });
      expect(validationErrors(() => Testing.synth(chart))).toEqual([]);
    });

    test('a component reading an existing Secret passes: its name is known to the reference check', () => {
      const chart = new Chart(Testing.app(), 'c');
      new TodoApp(chart, 'todo', { backend: { existingSecret: 'backend-keys' }, frontend: { existingSecret: 'frontend-keys' } });
      expect(validationErrors(() => Testing.synth(chart))).toEqual([]);
    });

    test('each finding once, however many components and synths', () => {
      const app = Testing.app();
      const a = new Chart(app, 'a', { namespace: 'a' });
      const b = new Chart(app, 'b', { namespace: 'b' });
      new TodoApp(a, 'todo', secrets());
      new TodoApp(b, 'todo', secrets({ backend: { nodePort: 31800 }, frontend: { nodePort: 31300 } }));
      new k8s.KubeService(b, 'svc', { metadata: { name: 'web' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 31800 }] } });
      const expected = [at('Service b/web spec.ports[0].nodePort: nodePort 31800 is also used by Service b/todo-backend')];
      expect(validationErrors(() => app.synth())).toEqual(expected);
      expect(validationErrors(() => Testing.synth(a))).toEqual(expected);
      expect(validationErrors(() => app.synthYaml())).toEqual(expected);
    });

    test('once per app.synth(), although cdk8s validates the app again for every chart it writes; every Testing.synth() checks anew', () => {
      const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'app-checks-')) });
      try {
        const charts = ['a', 'b', 'c'].map((ns) => new Chart(app, ns, { namespace: ns }));
        charts.forEach((chart, i) => new TodoApp(chart, 'todo', secrets({ backend: { nodePort: 31000 + i }, frontend: { nodePort: 32000 + i } })));
        const findings = jest.spyOn(AppChecks.prototype, 'findings');
        app.synth();
        expect(findings).toHaveBeenCalledTimes(1);
        app.synthYaml();
        expect(findings).toHaveBeenCalledTimes(2);
        Testing.synth(charts[0]);
        Testing.synth(charts[0]);
        expect(findings).toHaveBeenCalledTimes(4);
        // A change between two synths is seen by the second.
        (charts[1].node.findChild('todo') as TodoApp).backend.configMap.addJsonPatch(JsonPatch.add('/data/DB_PASSWORD', 'x'));
        expect(validationErrors(() => app.synth())).toEqual([at('ConfigMap b/todo-backend-config data.DB_PASSWORD: key "DB_PASSWORD" looks like a secret; secrets belong in a Secret')]);
        findings.mockRestore();
      } finally {
        fs.rmSync(app.outdir, { recursive: true, force: true });
      }
    });

    test('an app whose synth runs the checks itself (synthesize) is left to it', () => {
      const chart = new Chart(Testing.app(), 'c');
      new TodoApp(chart, 'todo', secrets()).backend.configMap.addJsonPatch(JsonPatch.add('/data/API_TOKEN', 'abc'));
      checkAppElsewhere(chart);
      expect(validationErrors(() => Testing.synth(chart))).toEqual([]);
      expect(AppChecks.of(chart).findings().map((f) => f.field)).toEqual(['data.API_TOKEN']);
    });
  });
});
