import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { secretNameOf } from '../../lib/features/secrets';
import { TodoHelmChart } from '../../lib/helm/todo-helm-chart';
import { TodoBackend } from '../../lib/todo-backend';
import { template } from '../support/helm';
import { helmMessage, renderWith, thrown } from '../support/feature-chart';
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

describe('a secret value beside existingSecret: one test per variable (valueBesideExistingSecret) for the props and the chart\'s checks', () => {
  test('on every combination of existingSecret, JWT_SECRET and ANTHROPIC_API_KEY, the chart refuses exactly what the props refuse, with the same words', () => {
    const props: { [name: string]: string } = { JWT_SECRET: 'jwtSecret', ANTHROPIC_API_KEY: 'anthropicApiKey' };
    const seen: object[] = [];
    const want: object[] = [];
    for (const existingSecret of ['', 'todo-keys']) {
      for (const jwt of ['', TEST_SECRETS.jwtSecret]) {
        for (const key of ['', 'sk-ant-test']) {
          const at = { existingSecret, jwt: jwt !== '', key: key !== '' };
          const r = renderWith(chartDir, { existingSecret, secrets: { JWT_SECRET: jwt, ANTHROPIC_API_KEY: key } });
          const message = helmMessage(r.stderr);
          seen.push({ ...at, refused: r.status === 0 ? undefined : message.replace(/^'secrets\.(\w+)' cannot be combined with 'existingSecret'/, (_m, name: string) => `${name} beside existingSecret:`) });
          let refused: string | undefined;
          try {
            new TodoBackend(new Chart(Testing.app(), 'test'), 'backend', { existingSecret: existingSecret || undefined, jwtSecret: jwt || undefined, anthropicApiKey: key || undefined });
          } catch (e) {
            refused = (e as Error).message.replace(/^'backend\.(\w+)' cannot be combined with 'backend\.existingSecret'/, (_m, prop: string) => `${Object.keys(props).find((n) => props[n] === prop)} beside existingSecret:`);
          }
          want.push({ ...at, refused });
        }
      }
    }
    expect(seen).toEqual(want);
    // With existingSecret: the key alone, then JWT_SECRET alone and with the key (JWT_SECRET is checked first).
    expect(want.map((w: any) => w.refused).filter((r) => r !== undefined)).toEqual([
      'ANTHROPIC_API_KEY beside existingSecret: (the value would be ignored), got a value for ANTHROPIC_API_KEY',
      ...Array(2).fill('JWT_SECRET beside existingSecret: (the value would be ignored), got a value for JWT_SECRET'),
    ]);
  });
});
