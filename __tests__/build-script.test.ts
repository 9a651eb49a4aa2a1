import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BuildTarget, renderBuildScript, shellQuote } from '../lib/build-script';
import { TodoApp } from '../lib/todo-app';
import { requireTool, which } from './support/tools';
import { synth, TEST_SECRETS } from './support/util';

function script(props: ConstructorParameters<typeof TodoApp>[2] = {}, target = BuildTarget.MINIKUBE) {
  let app!: TodoApp;
  synth((chart) => {
    app = new TodoApp(chart, 'todo', { ...props, backend: { jwtSecret: TEST_SECRETS.jwtSecret, ...props.backend }, frontend: { betterAuthSecret: TEST_SECRETS.betterAuthSecret, ...props.frontend } });
  });
  return renderBuildScript(app.components, target);
}

const BASH = which('bash')!;

/** What the stand-in `minikube` does when asked for `docker-env`. */
type MinikubeStandIn = 'running' | 'stopped' | 'silent' | 'absent';

const MINIKUBE: { [kind in Exclude<MinikubeStandIn, 'absent'>]: string } = {
  // What `minikube docker-env --shell bash` prints for a running profile.
  running: [
    'export DOCKER_TLS_VERIFY="1"',
    'export DOCKER_HOST="tcp://192.168.49.2:2376"',
    'export DOCKER_CERT_PATH="/home/u/.minikube/certs"',
    'export MINIKUBE_ACTIVE_DOCKERD="minikube"',
    '',
    '# To point your shell to minikube\'s docker-daemon, run:',
    '# eval $(minikube -p minikube docker-env)',
  ].map((line) => `echo ${shellQuote(line)}`).join('\n'),
  // A stopped profile: minikube says so on stderr and exits 85 (its "host not running" code).
  stopped: 'echo "X The control-plane node $2 host is not running: state=Stopped" >&2\nexit 85',
  // Succeeds without pointing anywhere.
  silent: 'exit 0',
};

/**
 * Runs the script with stand-ins for `docker` and `minikube` that record
 * their arguments; PATH holds only the stand-ins, so no real tool is reached.
 */
function run(text: string, args: string[] = [], env: { [k: string]: string } = {}, minikube: MinikubeStandIn = 'running') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'build-images-'));
  try {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    const log = path.join(dir, 'calls.log');
    fs.writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\nprintf 'docker' >> "${log}"\nfor a in "$@"; do printf ' [%s]' "$a" >> "${log}"; done\necho " DOCKER_HOST=$DOCKER_HOST DOCKER_TLS_VERIFY=$DOCKER_TLS_VERIFY DOCKER_CERT_PATH=$DOCKER_CERT_PATH" >> "${log}"\n`, { mode: 0o755 });
    if (minikube !== 'absent') {
      fs.writeFileSync(path.join(bin, 'minikube'), `#!/bin/sh\necho "minikube $*" >> "${log}"\n${MINIKUBE[minikube]}\n`, { mode: 0o755 });
    }
    fs.writeFileSync(path.join(dir, 'build-images.sh'), text);
    const result = spawnSync(BASH, [path.join(dir, 'build-images.sh'), ...args], { encoding: 'utf8', env: { PATH: bin, ...env } });
    return { status: result.status, stderr: result.stderr, calls: fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [] };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const shellcheck = requireTool('shellcheck', 'apt-get install shellcheck');

describe('build-images.sh', () => {
  test('snapshot', () => {
    expect(script()).toMatchSnapshot();
  });

  test('points docker at Minikube, then builds both images with tags, contexts and derived build args', () => {
    const { status, calls } = run(script(), ['/src/todo']);
    expect(status).toBe(0);
    const env = 'DOCKER_HOST=tcp://192.168.49.2:2376 DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=/home/u/.minikube/certs';
    expect(calls).toEqual([
      'minikube -p minikube docker-env --shell bash',
      `docker [build] [--tag] [todo-backend:latest] [/src/todo/backend/] ${env}`,
      `docker [build] [--tag] [todo-frontend:latest] [--build-arg] [NEXT_PUBLIC_API_URL=http://192.168.49.2:30800] [--build-arg] [NEXT_PUBLIC_APP_URL=http://192.168.49.2:30300] [/src/todo/frontend/] ${env}`,
    ]);
  });

  test('MINIKUBE_PROFILE picks the profile whose daemon is used', () => {
    const { status, calls } = run(script(), [], { MINIKUBE_PROFILE: 'dev' });
    expect(status).toBe(0);
    expect(calls[0]).toBe('minikube -p dev docker-env --shell bash');
    expect(calls.slice(1).every((c) => c.startsWith('docker [build]') && c.includes('DOCKER_HOST=tcp://192.168.49.2:2376'))).toBe(true);
  });

  describe('fails when it cannot reach Minikube\'s Docker daemon, saying what to run, and builds nothing', () => {
    test('fails when minikube is not on PATH', () => {
      const { status, stderr, calls } = run(script(), [], { DOCKER_HOST: 'tcp://other:2376' }, 'absent');
      expect(status).toBe(1);
      expect(stderr).toContain('build-images.sh: minikube is not on PATH');
      expect(stderr).toContain('Run: minikube start ');
      expect(stderr).toContain('USE_CURRENT_DOCKER=1');
      expect(calls).toEqual([]);
    });

    test('fails when Minikube is stopped (minikube docker-env exits 85)', () => {
      const { status, stderr, calls } = run(script(), [], { DOCKER_HOST: 'tcp://other:2376' }, 'stopped');
      expect(status).toBe(1);
      expect(stderr).toContain('host is not running'); // minikube's own words stay visible
      expect(stderr).toContain("cannot reach the Docker daemon of Minikube profile 'minikube' (minikube docker-env failed; is it running?)");
      expect(stderr).toContain('Run: minikube start ');
      expect(calls).toEqual(['minikube -p minikube docker-env --shell bash']);
    });

    test('fails when a stopped profile is not the default: the command names it', () => {
      const { status, stderr, calls } = run(script(), [], { MINIKUBE_PROFILE: 'dev' }, 'stopped');
      expect(status).toBe(1);
      expect(stderr).toContain('Run: minikube start -p dev ');
      expect(calls).toEqual(['minikube -p dev docker-env --shell bash']);
    });

    test('fails when minikube docker-env succeeds but points nowhere', () => {
      const { status, stderr, calls } = run(script(), [], {}, 'silent');
      expect(status).toBe(1);
      expect(stderr).toContain("minikube docker-env printed no DOCKER_HOST for profile 'minikube'");
      expect(calls).toEqual(['minikube -p minikube docker-env --shell bash']);
    });
  });

  test('USE_CURRENT_DOCKER=1 builds with the current daemon and does not need minikube', () => {
    const { status, calls } = run(script(), [], { USE_CURRENT_DOCKER: '1', DOCKER_HOST: 'tcp://other:2376' }, 'absent');
    expect(status).toBe(0);
    expect(calls.map((c) => c.replace(/ \[--build-arg\] \[[^\]]*\]/g, ''))).toEqual([
      'docker [build] [--tag] [todo-backend:latest] [./backend/] DOCKER_HOST=tcp://other:2376 DOCKER_TLS_VERIFY= DOCKER_CERT_PATH=',
      'docker [build] [--tag] [todo-frontend:latest] [./frontend/] DOCKER_HOST=tcp://other:2376 DOCKER_TLS_VERIFY= DOCKER_CERT_PATH=',
    ]);
  });

  test('follows settings: tags, nodePorts and node address', () => {
    const text = script({ nodeAddress: '10.1.2.3', backend: { imageTag: 'v7', nodePort: 31000 }, frontend: { imageTag: 'v8' } });
    const { calls } = run(text, [], { USE_CURRENT_DOCKER: '1', MINIKUBE_PROFILE: 'x' });
    expect(calls).toEqual([
      'docker [build] [--tag] [todo-backend:v7] [./backend/] DOCKER_HOST= DOCKER_TLS_VERIFY= DOCKER_CERT_PATH=',
      'docker [build] [--tag] [todo-frontend:v8] [--build-arg] [NEXT_PUBLIC_API_URL=http://10.1.2.3:31000] [--build-arg] [NEXT_PUBLIC_APP_URL=http://10.1.2.3:30300] [./frontend/] DOCKER_HOST= DOCKER_TLS_VERIFY= DOCKER_CERT_PATH=',
    ]);
  });

  test('stops at the first failed build', () => {
    const failing = script().replace('set -euo pipefail', 'set -euo pipefail\ndocker() { echo "docker failed" >&2; return 1; }');
    const { status, stderr } = run(failing);
    expect(status).not.toBe(0);
    expect(stderr).toContain('docker failed');
  });

  shellcheck.test('passes shellcheck (both targets)', () => {
    for (const target of [BuildTarget.MINIKUBE, BuildTarget.REGISTRY]) {
      const result = spawnSync(shellcheck.path(), ['--shell=bash', '-'], { input: script({}, target), encoding: 'utf8' });
      expect([target, result.stdout + result.stderr]).toEqual([target, '']);
      expect(result.status).toBe(0);
    }
  });

  test('shellQuote survives quotes', () => {
    const { stdout } = spawnSync('sh', ['-c', `printf %s ${shellQuote("it's a \"test\" $HOME")}`], { encoding: 'utf8' });
    expect(stdout).toBe("it's a \"test\" $HOME");
  });
});
