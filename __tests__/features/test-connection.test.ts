import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { checkPath } from '../../lib/features/probes';
import { TodoHelmChart } from '../../lib/helm/todo-helm-chart';
import { TodoApp } from '../../lib/todo-app';
import { helm } from '../support/helm';
import { find } from '../support/util';
import { parseYaml } from '../support/yaml';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'test-connection-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the helm test pod', () => {
  test('requests the URL the component\'s peers use (clusterUrl) at its check path, for the release\'s name, namespace and port', () => {
    const todo = new TodoApp(new Chart(Testing.app(), 'c', { namespace: 'shop' }), 'todo', { backend: { healthPath: '/ready' } });
    const chart = path.join(tmp, 'backend');
    new TodoHelmChart(Testing.app(), 'b', { component: todo.backend }).writeTo(chart);
    const url = (args: string[]) => {
      const r = helm(['template', ...args, chart]);
      if (r.status !== 0) {
        throw new Error(r.stderr);
      }
      return find(parseYaml(r.stdout), 'Pod', `${/--set fullnameOverride=(\S+)/.exec(args.join(' '))?.[1] ?? todo.backend.name}-test-connection`).spec.containers[0].args[3];
    };
    // The component's own name, namespace and port: exactly the constructs' clusterUrl.
    expect(url([todo.backend.name, '--namespace', 'shop'])).toBe(`${todo.backend.clusterUrl}${checkPath(todo.backend)}`);
    expect(todo.backend.clusterUrl).toBe('http://todo-backend.shop.svc.cluster.local:8000');
    expect(checkPath(todo.backend)).toBe('/ready');
    // Another name, namespace (the namespace value over the release's) and port, given at install.
    expect(url(['r', '--namespace', 'shop', '--set', 'fullnameOverride=api', '--set', 'namespace=other', '--set', 'service.port=9000']))
      .toBe('http://api.other.svc.cluster.local:9000/ready');
  });
});
