import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderBuildScript, shellQuote, TodoApp } from '../lib';
import { requireTool } from './support/tools';
import { synth, TEST_SECRETS } from './support/util';

function script(props: ConstructorParameters<typeof TodoApp>[2] = {}) {
  let app!: TodoApp;
  synth((chart) => {
    app = new TodoApp(chart, 'todo', { ...props, backend: { jwtSecret: TEST_SECRETS.jwtSecret, ...props.backend }, frontend: { betterAuthSecret: TEST_SECRETS.betterAuthSecret, ...props.frontend } });
  });
  return renderBuildScript(app.components);
}

/** Runs the script with stand-ins for `docker` and `minikube` that record their arguments. */
function run(text: string, args: string[] = [], env: { [k: string]: string } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'build-images-'));
  try {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    const log = path.join(dir, 'calls.log');
    fs.writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\nprintf 'docker' >> "${log}"\nfor a in "$@"; do printf ' [%s]' "$a" >> "${log}"; done\necho " DOCKER_HOST=$DOCKER_HOST" >> "${log}"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'minikube'), `#!/bin/sh\necho "minikube $*" >> "${log}"\necho 'export DOCKER_HOST="tcp://192.168.49.2:2376"'\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'build-images.sh'), text);
    const result = spawnSync('bash', [path.join(dir, 'build-images.sh'), ...args], { encoding: 'utf8', env: { PATH: `${bin}:${process.env.PATH}`, ...env } });
    return { status: result.status, stderr: result.stderr, calls: fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [] };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('build-images.sh', () => {
  test('snapshot', () => {
    expect(script()).toMatchSnapshot();
  });

  test('points docker at Minikube, then builds both images with tags, contexts and derived build args', () => {
    const { status, calls } = run(script(), ['/src/todo']);
    expect(status).toBe(0);
    expect(calls).toEqual([
      'minikube -p minikube docker-env',
      'docker [build] [--tag] [todo-backend:latest] [/src/todo/backend/] DOCKER_HOST=tcp://192.168.49.2:2376',
      'docker [build] [--tag] [todo-frontend:latest] [--build-arg] [NEXT_PUBLIC_API_URL=http://192.168.49.2:30800] [--build-arg] [NEXT_PUBLIC_APP_URL=http://192.168.49.2:30300] [/src/todo/frontend/] DOCKER_HOST=tcp://192.168.49.2:2376',
    ]);
  });

  test('follows settings: tags, nodePorts and node address', () => {
    const text = script({ nodeAddress: '10.1.2.3', backend: { imageTag: 'v7', nodePort: 31000 }, frontend: { imageTag: 'v8' } });
    const { calls } = run(text, [], { USE_CURRENT_DOCKER: '1', MINIKUBE_PROFILE: 'x' });
    expect(calls).toEqual([
      'docker [build] [--tag] [todo-backend:v7] [./backend/] DOCKER_HOST=',
      'docker [build] [--tag] [todo-frontend:v8] [--build-arg] [NEXT_PUBLIC_API_URL=http://10.1.2.3:31000] [--build-arg] [NEXT_PUBLIC_APP_URL=http://10.1.2.3:30300] [./frontend/] DOCKER_HOST=',
    ]);
  });

  test('stops at the first failed build', () => {
    const failing = script().replace('set -euo pipefail', 'set -euo pipefail\ndocker() { echo "docker failed" >&2; return 1; }');
    const { status, stderr } = run(failing);
    expect(status).not.toBe(0);
    expect(stderr).toContain('docker failed');
  });

  test('passes shellcheck', () => {
    const shellcheck = requireTool('shellcheck', 'apt-get install shellcheck');
    if (!shellcheck) return;
    const result = spawnSync(shellcheck, ['--shell=bash', '-'], { input: script(), encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('shellQuote survives quotes', () => {
    const { stdout } = spawnSync('sh', ['-c', `printf %s ${shellQuote("it's a \"test\" $HOME")}`], { encoding: 'utf8' });
    expect(stdout).toBe("it's a \"test\" $HOME");
  });
});
