import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { checkUniqueNames, runAllChecks } from '../lib/checks';
import { TodoHelmChart } from '../lib/helm/todo-helm-chart';
import { TodoApp } from '../lib/todo-app';
import { comparable, helm, template } from './support/helm';
import { validateObjects } from './support/k8s-schema';
import { find, ofKind } from './support/util';

const KEYS = { backend: { existingSecret: 'b' }, frontend: { existingSecret: 'f' } };
const EXTERNAL = { externalSecrets: ['b', 'f'] };

function build(namespace?: string): { app: App; chart: Chart; todo: TodoApp } {
  const app = Testing.app();
  const chart = new Chart(app, 'c', { namespace });
  return { app, chart, todo: new TodoApp(chart, 'todo', KEYS) };
}

describe('a cdk8s-plus Ingress routed to the components', () => {
  test('reaches the components\' own Services by name and port, and adds no Service', () => {
    const { chart, todo } = build('shop');
    const ingress = new kplus.Ingress(chart, 'web');
    ingress.addHostRule('todo.example.com', '/api', todo.backend.toIngressBackend());
    ingress.addHostRule('todo.example.com', '/', kplus.IngressBackend.fromService(todo.frontend.plusService));
    const objects = Testing.synth(chart);
    expect(ofKind(objects, 'Service').map((s) => s.metadata.name)).toEqual(['todo-backend', 'todo-frontend']);
    expect(checkUniqueNames(objects)).toEqual([]);
    const paths = ofKind(objects, 'Ingress')[0].spec.rules[0].http.paths;
    expect(paths.map((p: any) => [p.path, p.backend.service])).toEqual([
      ['/', { name: 'todo-frontend', port: { number: todo.frontend.port } }],
      ['/api', { name: 'todo-backend', port: { number: todo.backend.port } }],
    ]);
    expect(validateObjects(objects)).toEqual([]);
    expect(runAllChecks(objects, EXTERNAL)).toEqual([]);
  });

  test('plusService is the component\'s Service: its name, port and metadata; exposeViaIngress adds only the Ingress', () => {
    const { chart, todo } = build();
    expect(todo.backend.plusService.name).toBe('todo-backend');
    expect(todo.backend.plusService.ports).toEqual([{ name: 'http', nodePort: 30800, protocol: 'TCP', port: 8000 }]);
    todo.backend.plusService.metadata.addAnnotation('example.com/owner', 'web-team');
    todo.backend.plusService.exposeViaIngress('/api');
    const objects = Testing.synth(chart);
    expect(ofKind(objects, 'Service')).toHaveLength(2);
    expect(find(objects, 'Service', 'todo-backend').metadata.annotations['example.com/owner']).toBe('web-team');
    expect(ofKind(objects, 'Ingress')[0].spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'todo-backend', port: { number: 8000 } });
  });

  test('plusService refuses another port or selector, which the component\'s Service would not follow', () => {
    const { todo } = build();
    expect(() => todo.backend.plusService.bind(9000)).toThrow(`the backend's Service has the one port its props give ('backend.servicePort', 'backend.nodePort'), got a request to bind port 9000; create a Service of your own for another port`);
    expect(() => todo.backend.plusService.select(todo.frontend)).toThrow('the backend\'s Service selects the backend\'s pods only');
    expect(() => todo.backend.plusService.selectLabel('tier', 'api')).toThrow('select by the label "tier"');
  });
});

describe('the components as cdk8s-plus pod selectors and NetworkPolicy peers', () => {
  test('a cdk8s-plus NetworkPolicy selects the backend\'s pods in its namespace and admits the frontend\'s', () => {
    const { chart, todo } = build('shop');
    const policy = new kplus.NetworkPolicy(chart, 'api-from-web', { selector: todo.backend });
    policy.addIngressRule(todo.frontend, [kplus.NetworkPolicyPort.tcp(todo.backend.image.port)]);
    const objects = Testing.synth(chart);
    const mine = ofKind(objects, 'NetworkPolicy').find((p) => p.metadata.name.startsWith('c-api-from-web'));
    expect(mine.metadata.namespace).toBe('shop');
    expect(mine.spec.podSelector).toEqual({ matchLabels: todo.backend.selectorLabels });
    expect(mine.spec.ingress[0].from).toEqual([{
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } },
      podSelector: { matchLabels: todo.frontend.selectorLabels },
    }]);
    expect(checkUniqueNames(objects)).toEqual([]);
    expect(validateObjects(objects)).toEqual([]);
  });

  test('cdk8s-plus selects the components\' pods: a Service of its own, a colocated workload, Pods.select', () => {
    const { chart, todo } = build('shop');
    new kplus.Service(chart, 'debug', { selector: todo.backend, ports: [{ port: 9000, targetPort: 8000 }] });
    const cache = new kplus.Deployment(chart, 'cache', { containers: [{ image: 'redis:7', portNumber: 6379, securityContext: { user: 10001, group: 10001 } }] });
    cache.scheduling.colocate(todo.backend);
    const same = kplus.Pods.select(chart, 'backend-pods', { labels: todo.backend.selectorLabels });
    const objects = Testing.synth(chart);
    expect(ofKind(objects, 'Service').find((s) => s.metadata.name.startsWith('c-debug')).spec.selector).toEqual(todo.backend.selectorLabels);
    const affinity = ofKind(objects, 'Deployment').find((d) => d.metadata.name.startsWith('c-cache')).spec.template.spec.affinity.podAffinity;
    expect(affinity.requiredDuringSchedulingIgnoredDuringExecution[0]).toMatchObject({ labelSelector: { matchLabels: todo.backend.selectorLabels }, namespaces: ['shop'] });
    expect(same.toPodSelectorConfig().labelSelector._toKube()).toEqual(todo.backend.toPodSelectorConfig().labelSelector._toKube());
    expect(todo.backend.toPodSelector()).toBe(todo.backend);
    expect(checkUniqueNames(objects)).toEqual([]);
  });

  test('without a namespace on the chart, a component selects pods of the policy\'s own namespace', () => {
    const { todo } = build();
    expect(todo.backend.toNetworkPolicyPeerConfig().podSelector!.namespaces).toBeUndefined();
  });
});

describe('allowFrom narrows the component\'s NetworkPolicy', () => {
  let tmp: string;
  beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'allow-from-')); });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('by default the port admits traffic from anywhere', () => {
    const { chart } = build('shop');
    const policy = find(Testing.synth(chart), 'NetworkPolicy', 'todo-backend');
    expect(policy.spec.ingress).toEqual([{ ports: [{ port: 'http', protocol: 'TCP' }] }]);
  });

  test('to the peers given, in the manifests and in the chart\'s defaults (helm template, helm lint --strict)', () => {
    const { app, chart, todo } = build('shop');
    const controller = kplus.Namespaces.select(chart, 'ingress-controller', { names: ['ingress-nginx'] });
    todo.backend.allowFrom(todo.frontend);
    todo.backend.allowFrom(controller, kplus.NetworkPolicyIpBlock.ipv4(chart, 'office', '10.1.0.0/16'));
    const objects = Testing.synth(chart);
    const policy = find(objects, 'NetworkPolicy', 'todo-backend');
    expect(policy.spec.ingress).toEqual([{
      ports: [{ port: 'http', protocol: 'TCP' }],
      from: [
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: todo.frontend.selectorLabels } },
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: {} },
        { ipBlock: { cidr: '10.1.0.0/16' } },
      ],
    }]);
    expect(validateObjects(objects)).toEqual([]);
    expect(runAllChecks(objects, EXTERNAL)).toEqual([]);
    // The frontend's own policy is not narrowed.
    expect(find(objects, 'NetworkPolicy', 'todo-frontend').spec.ingress).toEqual([{ ports: [{ port: 'http', protocol: 'TCP' }] }]);

    const dir = path.join(tmp, 'backend');
    new TodoHelmChart(app, 'chart', { component: todo.backend }).writeTo(dir);
    const lint = helm(['lint', '--strict', dir]);
    expect(lint.stdout).toContain('0 chart(s) failed');
    const rendered = template(dir, { namespace: 'shop', skipTests: true });
    expect(comparable(find(rendered, 'NetworkPolicy', 'todo-backend'))).toEqual(comparable(policy));
    expect(validateObjects(rendered)).toEqual([]);
    // A value set at install widens it again.
    const open = template(dir, { namespace: 'shop', skipTests: true, set: { 'networkPolicy.from': 'null' } });
    expect(find(open, 'NetworkPolicy', 'todo-backend').spec.ingress[0].from).toBeUndefined();
  });

  test('is refused, naming the prop, when the component has no NetworkPolicy', () => {
    const chart = new Chart(Testing.app(), 'c');
    const todo = new TodoApp(chart, 'todo', { backend: { existingSecret: 'b', networkPolicy: false, networkPolicyEgress: false }, frontend: { existingSecret: 'f' } });
    expect(() => todo.backend.allowFrom(todo.frontend)).toThrow(`'backend.networkPolicy' must be true to narrow where traffic comes from (allowFrom), got false; without the component's NetworkPolicy, write one of your own`);
  });
});
