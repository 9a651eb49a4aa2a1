import * as fs from 'fs';
import * as path from 'path';
import { HELM } from './support/helm';
import { validateObjects } from './support/k8s-schema';
import { copyProject, ownStackLines, ProjectCopy, treeHash } from './support/project';
import { parseYaml, readYaml } from './support/yaml';

/**
 * The synth the way a user runs it: the real cdk8s binary, through
 * `npm run synth` and `npx cdk8s synth`, in a copy of the project.
 */
describe('cdk8s synth, as users run it', () => {
  let project: ProjectCopy;
  let dist: string;
  let good: string | undefined;
  beforeAll(() => {
    project = copyProject();
    dist = path.join(project.dir, 'dist');
    const first = project.run('npm', ['run', 'synth']);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    good = treeHash(dist);
  }, 120_000);
  afterAll(() => project.remove());

  test('npm run synth writes dist/ (links through the current generation), lists only the plain manifests, no upgrade check', () => {
    const result = project.run('npm', ['run', 'synth']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).not.toMatch(/new version/i);
    const listed = result.stdout.split('\n').filter((l) => l.startsWith('  - '));
    expect(listed).toEqual(['  - node_modules/.cache/todo-cdk8s/cdk8s.out/todo.k8s.yaml']);
    expect(fs.readdirSync(dist).sort()).toEqual(['build-images.sh', 'helm', 'todo.k8s.yaml']);
    expect(fs.readlinkSync(path.join(dist, 'todo.k8s.yaml'))).toBe(path.join('..', '.dist.gen', 'current', 'todo.k8s.yaml'));
    expect(treeHash(dist)).toBe(good);
    // What the CLI listed is dist's manifest.
    expect(fs.readFileSync(path.join(project.dir, 'node_modules/.cache/todo-cdk8s/cdk8s.out/todo.k8s.yaml'), 'utf8')).toBe(fs.readFileSync(path.join(dist, 'todo.k8s.yaml'), 'utf8'));
  }, 60_000);

  test.each([
    ['TODO_BACKEND_NODE_PORT', '80', "'TODO_BACKEND_NODE_PORT' must be an integer between 30000 and 32767, got 80"],
    ['TODO_FOO', '1', 'unknown setting TODO_FOO; the settings are TODO_ENV'],
    ['JWT_SECRET', 'short', "'JWT_SECRET' must be"],
    ['TODO_HOST', 'bad host', "'TODO_HOST' must be empty or a host name"],
  ])('%s=%s: npm run synth fails with the setting named, dist/ byte for byte as it was, no stack trace of ours', (name, value, message) => {
    const result = project.run('npm', ['run', 'synth'], { [name]: value, ...(name === 'TODO_HOST' ? { TODO_PROFILE: 'cluster' } : {}) });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`synth failed: ${message}`);
    if (name !== 'JWT_SECRET') {
      expect(result.stderr).toContain(value);
    } else {
      expect(result.stderr).not.toContain(`got ${value}`);
    }
    expect(ownStackLines(result.stderr)).toEqual([]);
    expect(result.stderr).not.toMatch(/new version/i);
    expect(treeHash(dist)).toBe(good);
  }, 60_000);

  test('a bare `cdk8s synth` that fails keeps dist/ too', () => {
    const result = project.run('npx', ['cdk8s', 'synth'], { CDK8S_CHECK_UPGRADE: 'false', TODO_BACKEND_REPLICAS: '2' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("synth failed: 'TODO_BACKEND_REPLICAS' must be 0 or 1 with SQLite");
    expect(ownStackLines(result.stderr)).toEqual([]);
    expect(treeHash(dist)).toBe(good);
  }, 60_000);

  test('--stdout prints exactly the plain manifests: dist/todo.k8s.yaml as YAML documents, stable, strictly valid, dist/ untouched', () => {
    const runs = [1, 2].map(() => project.run('npx', ['cdk8s', 'synth', '--stdout'], { CDK8S_CHECK_UPGRADE: 'false' }));
    for (const r of runs) {
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('');
    }
    const text = runs[0].stdout;
    expect(runs[1].stdout).toBe(text);
    expect(text).toBe(fs.readFileSync(path.join(dist, 'todo.k8s.yaml'), 'utf8'));
    const objects = parseYaml(text);
    expect(objects).toEqual(readYaml(path.join(dist, 'todo.k8s.yaml')));
    expect(objects.length).toBe(text.split('\n').filter((l) => l === '---').length + 1);
    expect(objects.every((o) => typeof o.apiVersion === 'string' && typeof o.kind === 'string')).toBe(true);
    expect(validateObjects(objects)).toEqual([]);
    expect(text).not.toMatch(/\{\{|^apiVersion: v2$|^releases:|^replicaCount:|docker build/m);
    expect(treeHash(dist)).toBe(good);
  }, 60_000);

  test('--stdout with a bad setting prints nothing and fails', () => {
    const r = project.run('npx', ['cdk8s', 'synth', '--stdout'], { CDK8S_CHECK_UPGRADE: 'false', TODO_FOO: '1' });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('synth failed: unknown setting TODO_FOO');
    expect(treeHash(dist)).toBe(good);
  }, 60_000);

  test('kubectl and helm read dist/ through its links', () => {
    const kubectl = project.run('kubectl', ['label', '--local', '-f', 'dist/', 'checked=yes', '-o', 'name']);
    if (kubectl.error) {
      throw new Error(`kubectl is required for this test: ${kubectl.error.message}`);
    }
    expect(kubectl.status).toBe(0);
    expect(kubectl.stdout.trim().split('\n')).toEqual(readYaml(path.join(dist, 'todo.k8s.yaml')).map((o) => expect.stringMatching(new RegExp(`^${o.kind.toLowerCase()}[^/]*/${o.metadata.name}$`))));
    for (const chart of ['backend', 'frontend']) {
      const helmEnv = { HOME: path.join(project.dir, '.home'), KUBECONFIG: path.join(project.dir, '.home', 'none') };
      const lint = project.run(HELM, ['lint', '--strict', `dist/helm/${chart}`], helmEnv);
      expect(lint.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
      const rendered = project.run(HELM, ['template', `todo-${chart}`, `dist/helm/${chart}`], helmEnv);
      expect(rendered.status).toBe(0);
      expect(validateObjects(parseYaml(rendered.stdout))).toEqual([]);
    }
  }, 60_000);
});
