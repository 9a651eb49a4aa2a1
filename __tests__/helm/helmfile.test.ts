import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthesize } from '../../lib/synth';
import { template } from '../support/helm';
import { TEST_SECRETS } from '../support/util';
import { readYaml } from '../support/yaml';

describe('helmfile.yaml', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'helmfile-'));
    synthesize({ outdir: path.join(tmp, 'dist'), env: { TODO_NAMESPACE: 'todo', TODO_BACKEND_IMAGE_TAG: 'v2', JWT_SECRET: TEST_SECRETS.jwtSecret, BETTER_AUTH_SECRET: TEST_SECRETS.betterAuthSecret } });
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('declares one release per service: name, chart path, namespace, values; the frontend after the backend', () => {
    const [helmfile] = readYaml(path.join(tmp, 'dist', 'helm', 'helmfile.yaml'));
    expect(helmfile.releases).toEqual([
      { name: 'todo-backend', namespace: 'todo', chart: './backend', createNamespace: true, values: [{ image: { tag: 'v2' }, replicaCount: 1 }] },
      { name: 'todo-frontend', namespace: 'todo', chart: './frontend', createNamespace: true, needs: ['todo/todo-backend'], values: [{ image: { tag: 'latest' }, replicaCount: 1 }] },
    ]);
  });

  test('each release renders with helm as declared', () => {
    const [helmfile] = readYaml(path.join(tmp, 'dist', 'helm', 'helmfile.yaml'));
    for (const r of helmfile.releases) {
      const objects = template(path.join(tmp, 'dist', 'helm', r.chart), { release: r.name, namespace: r.namespace, set: { 'image.tag': r.values[0].image.tag } });
      const deployment = objects.find((o) => o.kind === 'Deployment');
      expect(deployment.metadata).toMatchObject({ name: r.name, namespace: r.namespace });
      expect(deployment.spec.template.spec.containers[0].image).toBe(`${r.name}:${r.values[0].image.tag}`);
    }
  });
});
