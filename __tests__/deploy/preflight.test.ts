import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseEnvLines, PreflightError, readPlan, requireBuildContexts, requireTools } from '../../lib/deploy/preflight';

describe('pre-flight checks', () => {
  test('parseEnvLines reads `minikube docker-env --shell none` without evaluating anything', () => {
    const text = 'DOCKER_TLS_VERIFY=1\nDOCKER_HOST=tcp://192.168.49.2:2376\nDOCKER_CERT_PATH=/home/me/.minikube/certs\nMINIKUBE_ACTIVE_DOCKERD=minikube\n\n# a comment\nnot a variable\nEVIL=$(rm -rf ~)\n';
    expect(parseEnvLines(text)).toEqual({
      DOCKER_TLS_VERIFY: '1',
      DOCKER_HOST: 'tcp://192.168.49.2:2376',
      DOCKER_CERT_PATH: '/home/me/.minikube/certs',
      MINIKUBE_ACTIVE_DOCKERD: 'minikube',
      EVIL: '$(rm -rf ~)',
    });
  });

  test('fails when a tool is missing, one line per tool with where to get it', () => {
    expect(() => requireTools(['minikube', 'kubectl'], { PATH: '/nonexistent' })).toThrow(new PreflightError([
      'minikube is not on PATH: install it (https://minikube.sigs.k8s.io/docs/start/), then run deploy again',
      'kubectl is not on PATH: install it (https://kubernetes.io/docs/tasks/tools/), then run deploy again',
    ].join('\n')));
  });

  test('fails when APP_DIR is missing, lacks a context, or a context has no Dockerfile', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-'));
    try {
      expect(() => requireBuildContexts(path.join(dir, 'nope'), ['backend/', 'frontend/'])).toThrow(/is not a directory: pass the Todo app's repository \(holding backend\/ and frontend\/\), e\.g\. npm run deploy -- ~\/src\/todo-app/);
      fs.mkdirSync(path.join(dir, 'backend'));
      expect(() => requireBuildContexts(dir, ['backend/', 'frontend/'])).toThrow(/has no Dockerfile: docker build needs one in the build context/);
      fs.writeFileSync(path.join(dir, 'backend', 'Dockerfile'), 'FROM scratch\n');
      expect(() => requireBuildContexts(dir, ['backend/', 'frontend/'])).toThrow(`APP_DIR ${dir} has no frontend/`);
      fs.mkdirSync(path.join(dir, 'frontend'));
      fs.writeFileSync(path.join(dir, 'frontend', 'Dockerfile'), 'FROM scratch\n');
      expect(() => requireBuildContexts(dir, ['backend/', 'frontend/'])).not.toThrow();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('fails when a setting is bad, with synth\'s message', () => {
    expect(() => readPlan({ TODO_BACKEND_NODE_PORT: '80' })).toThrow(/^settings: 'TODO_BACKEND_NODE_PORT' must be/);
  });
});
