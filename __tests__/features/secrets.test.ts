import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { secretNameOf } from '../../lib/features/secrets';
import { TodoHelmChart } from '../../lib/helm/todo-helm-chart';
import { TodoBackend } from '../../lib/todo-backend';
import { template } from '../support/helm';
import { thrown } from '../support/feature-chart';
import { find, ofKind, TEST_SECRETS } from '../support/util';

const build = (existingSecret?: string) => {
  const chart = new Chart(Testing.app(), 'test');
  const backend = new TodoBackend(chart, 'backend', existingSecret === undefined ? { jwtSecret: TEST_SECRETS.jwtSecret } : { existingSecret });
  return { objects: chart.toJson(), backend };
};
/** The Secret the server's JWT_SECRET is read from. */
const jwtSecretOf = (objects: any[], deployment: string) =>
  find(objects, 'Deployment', deployment).spec.template.spec.containers[0].env.find((e: any) => e.name === 'JWT_SECRET').valueFrom.secretKeyRef.name;

let tmp: string;
let chartDir: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-'));
  chartDir = path.join(tmp, 'backend');
  new TodoHelmChart(Testing.app(), 'chart', { component: build().backend }).writeTo(chartDir);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the Secret the pods read: one table (SECRET_NAME) for the construct and the chart\'s secretName helper', () => {
  test('on every combination of existingSecret and the full name, the chart reads and creates the Secret secretNameOf names', () => {
    const seen: object[] = [];
    const want: object[] = [];
    for (const fullname of ['', 'api']) {
      for (const existingSecret of ['', 'todo-keys']) {
        const objects = template(chartDir, { set: { existingSecret, fullnameOverride: fullname }, setString: existingSecret ? {} : { 'secrets.JWT_SECRET': TEST_SECRETS.jwtSecret } });
        seen.push({ fullname, existingSecret, readFrom: jwtSecretOf(objects, fullname || 'todo-backend'), created: ofKind(objects, 'Secret').map((o) => o.metadata.name) });
        const name = secretNameOf(existingSecret || undefined, fullname || 'todo-backend');
        want.push({ fullname, existingSecret, readFrom: name, created: existingSecret ? [] : [name] });
      }
    }
    expect(seen).toEqual(want);
    expect(want.map((w: any) => w.readFrom)).toEqual(['todo-backend-secret', 'todo-keys', 'api-secret', 'todo-keys']);
  });

  test('the construct reads the same table; an empty or malformed existingSecret is still refused', () => {
    for (const existingSecret of [undefined, 'todo-keys']) {
      const { objects, backend } = build(existingSecret);
      expect(backend.secretName).toBe(secretNameOf(existingSecret, 'todo-backend'));
      expect(jwtSecretOf(objects, 'todo-backend')).toBe(existingSecret ?? 'todo-backend-secret');
      expect(ofKind(objects, 'Secret').map((o) => o.metadata.name)).toEqual(existingSecret === undefined ? ['todo-backend-secret'] : []);
    }
    expect(thrown(() => build(''))).toMatch(/^'backend\.existingSecret' must be a DNS-1123 subdomain: .*, got ""$/);
    expect(thrown(() => build('Keys_1'))).toMatch(/^'backend\.existingSecret' must be a DNS-1123 subdomain: .*, got "Keys_1"$/);
  });
});
