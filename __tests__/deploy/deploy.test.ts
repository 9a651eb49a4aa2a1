import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseYaml } from '../support/yaml';
import { Call, line, StandInWorld } from '../support/stand-in-world';
import { which } from '../support/tools';

/**
 * Deploy scenarios against stand-in minikube, docker, kubectl and helm (see
 * __tests__/support/stand-ins/tools.js) and stand-in NodePorts on 127.0.0.1.
 * No test contacts any other address: `minikube ip` answers 127.0.0.1.
 */
jest.setTimeout(90_000);

const ROOT = path.join(__dirname, '..', '..');

let world: StandInWorld;
beforeEach(async () => {
  world = await StandInWorld.create();
});
afterEach(async () => {
  await world.close();
});

const deployArgs = (...extra: string[]) => ['deploy', world.appDir, '--outdir', world.outdir, ...extra];

/** The images `docker build` built, in order. */
function built(calls: Call[]): string[] {
  return calls.filter((c) => c.tool === 'docker' && c.args[0] === 'build').map((c) => c.args[c.args.indexOf('--tag') + 1]);
}

/** Calls that change images or the cluster. */
function changing(calls: Call[]): string[] {
  const changes: { [tool: string]: string[] } = { docker: ['build', 'push', 'rmi'], kubectl: ['apply', 'delete', 'create', 'replace', 'patch', 'rollout'], helm: ['upgrade', 'install', 'uninstall'] };
  return calls.filter((c) => c.args.some((a) => (changes[c.tool] ?? []).includes(a)) && !(c.tool === 'kubectl' && c.args.includes('status'))).map(line);
}

/** The tag of a component's image in the report. */
function tagOf(output: string, repository: string): string {
  const match = new RegExp(`${repository}:(src-[0-9a-f]{16})`).exec(output);
  if (!match) throw new Error(`no ${repository} tag in:\n${output}`);
  return match[1];
}

/** The Deployment the stand-in cluster holds. */
function deployment(name: string): any {
  return world.state().objects[`Deployment/default/${name}`]?.applied;
}

function rollouts(name: string): number {
  return world.state().rollouts[`Deployment/default/${name}`] ?? 0;
}

describe('npm run deploy', () => {
  test('happy path: `npm run deploy -- APP_DIR` builds content-tagged images into Minikube, applies, waits, smoke-tests and reports', async () => {
    // As a user runs it: npm, the package's script, the TypeScript entry point.
    const npm = fs.realpathSync(which('npm')!);
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [npm, 'run', 'deploy', '--', world.appDir, '--outdir', world.outdir], { cwd: ROOT, env: world.env() });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('close', (code) => resolve({ code, output }));
    });
    expect(result.output).toContain('Deployed in');
    expect(result.code).toBe(0);

    // The steps a person can follow, in order.
    const steps = ['[1/8] Pre-flight', '[2/8] Content tags', '[3/8] Synthesize', '[4/8] Build images', '[5/8] Apply', '[6/8] Wait for rollouts', '[7/8] Smoke test', '[8/8] Report'];
    const positions = steps.map((s) => result.output.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);

    const backendTag = tagOf(result.output, 'todo-backend');
    const frontendTag = tagOf(result.output, 'todo-frontend');
    const calls = world.calls();
    // Built into Minikube's Docker daemon (the DOCKER_HOST of `minikube docker-env`), with the frontend's URLs.
    const builds = calls.filter((c) => c.tool === 'docker' && c.args[0] === 'build');
    expect(builds.map((c) => c.dockerHost)).toEqual(['tcp://127.0.0.1:32771', 'tcp://127.0.0.1:32771']);
    expect(builds.map((c) => c.args)).toEqual([
      ['build', '--tag', `todo-backend:${backendTag}`, path.join(world.appDir, 'backend/')],
      ['build', '--tag', `todo-frontend:${frontendTag}`,
        '--build-arg', `NEXT_PUBLIC_API_URL=http://127.0.0.1:${world.backend.port}`,
        '--build-arg', `NEXT_PUBLIC_APP_URL=http://127.0.0.1:${world.frontend.port}`,
        path.join(world.appDir, 'frontend/')],
    ]);
    // Applied after the builds, to the Minikube context, then both rollouts awaited, backend first.
    const lines = calls.map(line);
    const apply = lines.indexOf(`kubectl --context minikube --namespace default apply --filename ${path.join(world.outdir, 'todo.k8s.yaml')}`);
    expect(apply).toBeGreaterThan(lines.findIndex((l) => l.includes('docker build --tag todo-frontend')));
    expect(lines.filter((l) => l.includes('rollout status'))).toEqual([
      'kubectl --context minikube --namespace default rollout status deployment/todo-backend --watch --timeout=180s',
      expect.stringMatching(/rollout status deployment\/todo-frontend --watch --timeout=1[78]\ds$/),
    ]);
    expect(calls.some((c) => c.tool === 'helm')).toBe(false);

    // The manifests were synthesized with the tags, the node address and a pull policy for local images.
    const manifests = parseYaml(fs.readFileSync(path.join(world.outdir, 'todo.k8s.yaml'), 'utf8'));
    const container = (name: string) => manifests.find((o) => o.kind === 'Deployment' && o.metadata.name === name).spec.template.spec.containers[0];
    expect(container('todo-backend').image).toBe(`todo-backend:${backendTag}`);
    expect(container('todo-frontend').image).toBe(`todo-frontend:${frontendTag}`);
    expect(container('todo-frontend').imagePullPolicy).toBe('IfNotPresent');
    expect(manifests.map((o) => JSON.stringify(o)).join('\n')).not.toContain(':latest');
    expect(deployment('todo-backend').spec.template.spec.containers[0].image).toBe(`todo-backend:${backendTag}`);
    expect(rollouts('todo-backend')).toBe(1);
    expect(rollouts('todo-frontend')).toBe(1);

    // Smoke-tested on the NodePorts, and reported.
    expect(world.backend.requests).toContain('/health');
    expect(world.frontend.requests).toContain('/');
    expect(result.output).toContain(`Open http://127.0.0.1:${world.frontend.port}`);
    expect(result.output).toMatch(new RegExp(`backend +http://127\\.0\\.0\\.1:${world.backend.port} +todo-backend:${backendTag} +built, rolled out`));
    expect(result.output).toMatch(/Deployed in \d+\.\ds/);
  });

  test('happy path with --helm: installs the backend release, then the frontend release, into the namespace', async () => {
    const { code, output } = await world.run(deployArgs('--helm'));
    expect(output).toContain('Deployed in');
    expect(code).toBe(0);
    const lines = world.calls().map(line);
    expect(lines.filter((l) => l.startsWith('helm upgrade'))).toEqual([
      `helm upgrade --install todo-backend ${path.join(world.outdir, 'helm', 'backend')} --namespace default --kube-context minikube`,
      `helm upgrade --install todo-frontend ${path.join(world.outdir, 'helm', 'frontend')} --namespace default --kube-context minikube`,
    ]);
    expect(lines.some((l) => l.includes(' apply '))).toBe(false);
    // The charts' default values carry the content tags.
    const tag = tagOf(output, 'todo-frontend');
    expect(deployment('todo-frontend').spec.template.spec.containers[0].image).toBe(`todo-frontend:${tag}`);
    expect(deployment('todo-frontend').metadata.labels['app.kubernetes.io/managed-by']).toBe('Helm');
    expect(output).toContain('release todo-backend: deployed, revision 1');
    expect(world.frontend.requests).toContain('/');
  });

  test('a second deploy with no change builds nothing and restarts nothing', async () => {
    const first = await world.run(deployArgs());
    expect(first.code).toBe(0);
    world.clearCalls();
    const second = await world.run(deployArgs());
    expect(second.code).toBe(0);
    expect(built(world.calls())).toEqual([]);
    expect(rollouts('todo-backend')).toBe(1);
    expect(rollouts('todo-frontend')).toBe(1);
    expect(tagOf(second.output, 'todo-backend')).toBe(tagOf(first.output, 'todo-backend'));
    expect(second.output).toContain('not rebuilt');
    expect(second.output).toMatch(/frontend +\S+ +todo-frontend:src-[0-9a-f]+ +already built, unchanged \(no restart\)/);
  });

  test('a changed backend only: only the backend is rebuilt, with a new tag, and rolled', async () => {
    const first = await world.run(deployArgs());
    expect(first.code).toBe(0);
    world.clearCalls();
    world.writeApp('backend/main.py', 'from fastapi import FastAPI\napp = FastAPI(title="changed")\n');
    // A file the frontend's .dockerignore leaves out changes nothing either.
    world.writeApp('frontend/node_modules/next/index.js', 'module.exports = { changed: true };\n');
    const second = await world.run(deployArgs());
    expect(second.code).toBe(0);
    const backendTag = tagOf(second.output, 'todo-backend');
    expect(backendTag).not.toBe(tagOf(first.output, 'todo-backend'));
    expect(tagOf(second.output, 'todo-frontend')).toBe(tagOf(first.output, 'todo-frontend'));
    expect(built(world.calls())).toEqual([`todo-backend:${backendTag}`]);
    expect(rollouts('todo-backend')).toBe(2);
    expect(rollouts('todo-frontend')).toBe(1);
    expect(second.output).toContain('todo-backend: pod template changed: its pods roll');
    expect(second.output).toContain('todo-frontend: unchanged: its pods keep running');
  });

  test('fails when Minikube is stopped, saying to start it, before anything else runs', async () => {
    world.scenario({ minikube: { minikube: { status: 'Stopped', ip: '127.0.0.1' } } });
    const { code, output } = await world.run(deployArgs());
    expect(code).toBe(1);
    expect(output).toContain('Failed at [1/8] Pre-flight:');
    expect(output).toContain('Minikube profile "minikube" is not running (host Stopped, kubelet Stopped, apiserver Stopped): run `minikube start -p minikube`');
    expect(world.calls().map(line)).toEqual(['minikube -p minikube status --output json']);
  });

  test('fails when a tool is missing from PATH, naming each one', async () => {
    fs.rmSync(path.join(world.bin, 'docker'));
    fs.rmSync(path.join(world.bin, 'helm'));
    const { code, output } = await world.run(deployArgs('--helm'));
    expect(code).toBe(1);
    expect(output).toContain('docker is not on PATH: install it (https://docs.docker.com/engine/install/)');
    expect(output).toContain('helm is not on PATH: install it (https://helm.sh/docs/intro/install/)');
    expect(world.calls()).toEqual([]);
  });

  test('fails when the current kubectl context is not the Minikube profile', async () => {
    world.scenario({ currentContext: 'prod-cluster', contexts: ['minikube', 'prod-cluster'] });
    const { code, output } = await world.run(deployArgs());
    expect(code).toBe(1);
    expect(output).toContain('the current kubectl context is "prod-cluster", not the Minikube profile "minikube": run `kubectl config use-context minikube`, or pass --context prod-cluster to deploy there on purpose');
    expect(changing(world.calls())).toEqual([]);
    expect(world.calls().filter((c) => c.tool === 'docker')).toEqual([]);
  });

  test('deploys to another context only when --context names it, and then uses it for every kubectl call', async () => {
    world.scenario({ currentContext: 'prod-cluster', contexts: ['minikube', 'staging'] });
    const { code, output } = await world.run(deployArgs('--context', 'staging'));
    expect(output).toContain('kubectl context "staging" (named with --context)');
    expect(code).toBe(0);
    const kubectl = world.calls().filter((c) => c.tool === 'kubectl' && c.args[0] !== 'config');
    expect(kubectl.length).toBeGreaterThan(0);
    expect(kubectl.every((c) => c.args[0] === '--context' && c.args[1] === 'staging')).toBe(true);
  });

  test('fails when TODO_NODE_ADDRESS differs from `minikube ip`, showing both', async () => {
    const { code, output } = await world.run(deployArgs(), { TODO_NODE_ADDRESS: '192.168.49.2' });
    expect(code).toBe(1);
    expect(output).toContain('TODO_NODE_ADDRESS is 192.168.49.2 but `minikube -p minikube ip` is 127.0.0.1');
    expect(output).toContain('unset TODO_NODE_ADDRESS (deploy then uses 127.0.0.1) or set it to 127.0.0.1');
    expect(changing(world.calls())).toEqual([]);
  });

  test('fails when a build fails, showing the command and its output, and applies nothing', async () => {
    world.scenario({ failBuild: ['todo-frontend'] });
    const { code, output } = await world.run(deployArgs());
    expect(code).toBe(1);
    expect(output).toContain('Failed at [4/8] Build images:');
    expect(output).toContain('the frontend image did not build (docker exited with code 1): nothing was applied, the cluster is as it was');
    expect(output).toMatch(/ {2}command: docker build --tag todo-frontend:src-[0-9a-f]{16} --build-arg NEXT_PUBLIC_API_URL=http:\/\/127\.0\.0\.1:\d+ /);
    expect(output).toContain('| ERROR: failed to solve: process "/bin/sh -c npm run build" did not complete successfully: exit code: 1');
    expect(changing(world.calls())).toEqual([expect.stringContaining('docker build --tag todo-backend'), expect.stringContaining('docker build --tag todo-frontend')]);
    expect(world.state().objects).toEqual({});
  });

  test('fails when a rollout times out, printing the unready pods, the events and the last 50 log lines', async () => {
    const log = Array.from({ length: 80 }, (_, i) => `log line ${i + 1}`).join('\n');
    world.scenario({ stuck: { 'todo-backend': { log: `${log}\nsqlite3.OperationalError: unable to open database file` } } });
    const started = Date.now();
    const { code, output } = await world.run(deployArgs('--timeout', '2'));
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(output).toContain('Failed at [6/8] Wait for rollouts:');
    expect(output).toContain('todo-backend did not roll out within the 2s timeout (--timeout)');
    expect(output).toContain('command: kubectl --context minikube --namespace default rollout status deployment/todo-backend --watch --timeout=2s');
    expect(output).toContain('its output:\n    | Waiting for deployment "todo-backend" rollout to finish: 0 of 1 updated replicas are available...\n    | error: timed out waiting for the condition');
    expect(output).toMatch(/pod todo-backend-[0-9a-f]{10}-x7k2p: phase Running, not ready/);
    expect(output).toContain('container todo-backend: waiting (CrashLoopBackOff: back-off 1m20s restarting failed container=todo-backend');
    expect(output).toContain('restarts 4; last run ended: terminated (Error, exit code 1)');
    expect(output).toContain('Last 3 events:');
    expect(output).toMatch(/Warning BackOff pod\/todo-backend-\S+: Back-off restarting failed container \(x7\)/);
    expect(output).toMatch(/Last 50 log lines of todo-backend-\S+\/todo-backend \(previous run\):/);
    expect(output).toContain('| sqlite3.OperationalError: unable to open database file');
    expect(output).toContain('| log line 32\n');
    expect(output).not.toContain('| log line 31\n');
    expect(world.calls().map(line)).toContainEqual(expect.stringMatching(/logs todo-backend-\S+ --container todo-backend --tail=50 --previous$/));
    // The frontend's rollout is not awaited after the backend's failed.
    expect(world.calls().map(line).filter((l) => l.includes('rollout status deployment/todo-frontend'))).toEqual([]);
  });

  test('fails when the smoke test gets no 2xx, after retries with backoff', async () => {
    world.backend.routes = { '/health': 503 };
    const { code, output } = await world.run(deployArgs('--timeout', '2'));
    expect(code).toBe(1);
    expect(output).toContain('Failed at [7/8] Smoke test:');
    expect(output).toMatch(new RegExp(`http://127\\.0\\.0\\.1:${world.backend.port}/health did not answer 2xx within 2s: last answer 503 Service Unavailable: "database is not ready" after \\d+ attempts`));
    expect(world.backend.requests.length).toBeGreaterThanOrEqual(3);
    expect(world.backend.requests.length).toBeLessThan(10);
    expect(output).toContain(`GET http://127.0.0.1:${world.frontend.port}/: 200 OK`);
  });

  test('--dry-run runs only commands that read, prints the others, and writes nothing', async () => {
    const { code, output } = await world.run(deployArgs('--dry-run'));
    expect(code).toBe(0);
    expect(changing(world.calls())).toEqual([]);
    const readOnly = /^(minikube -p minikube (status|ip|docker-env)|kubectl config (current-context|get-contexts)|kubectl --context minikube --namespace default get |docker (version|image inspect))/;
    expect(world.calls().map(line).filter((l) => !readOnly.test(l))).toEqual([]);
    expect(output).toMatch(/would run: docker build --tag todo-backend:src-[0-9a-f]{16} /);
    expect(output).toContain(`would run: kubectl --context minikube --namespace default apply --filename ${path.join(world.outdir, 'todo.k8s.yaml')}`);
    expect(output).toContain('would run: kubectl --context minikube --namespace default rollout status deployment/todo-backend --watch --timeout=180s');
    expect(output).toContain(`would GET http://127.0.0.1:${world.backend.port}/health`);
    expect(output).toContain('Dry run done in');
    expect(fs.existsSync(world.outdir)).toBe(false);
    expect(fs.existsSync(world.secretsFile)).toBe(false);
    expect(world.state().images).toEqual({});
    expect(world.backend.requests).toEqual([]);
  });

  test('fails when an image tag is set: deploy derives tags from content', async () => {
    const { code, output } = await world.run(deployArgs(), { TODO_BACKEND_IMAGE_TAG: 'latest' });
    expect(code).toBe(1);
    expect(output).toContain('TODO_BACKEND_IMAGE_TAG=latest: deploy derives each image tag from the image\'s content; unset TODO_BACKEND_IMAGE_TAG');
    expect(world.calls()).toEqual([]);
  });

  test('fails when APP_DIR lacks a build context', async () => {
    fs.rmSync(path.join(world.appDir, 'frontend'), { recursive: true });
    const { code, output } = await world.run(deployArgs());
    expect(code).toBe(1);
    expect(output).toContain(`APP_DIR ${world.appDir} has no frontend/: pass the Todo app's repository (holding backend/ and frontend/)`);
    expect(changing(world.calls())).toEqual([]);
  });
});
