import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { shellQuote } from '../lib/build-script';
import { dockerBuildCommand, DockerImage } from '../lib/docker-image';
import { synthesize } from '../lib/synth';
import { FakeApiServer } from './support/helm';
import { which } from './support/tools';
import { TEST_SECRETS } from './support/util';

const props = { name: 'todo-backend', baseImage: 'python:3.12-slim', port: 8000, buildContext: 'backend/' };

describe('DockerImage', () => {
  test('reference is name:tag, tag defaults to latest', () => {
    expect(new DockerImage(props).reference).toBe('todo-backend:latest');
    expect(new DockerImage({ ...props, tag: 'v1' }).reference).toBe('todo-backend:v1');
  });

  test('with() copies and changes; build args are sorted', () => {
    const image = new DockerImage(props).with({ tag: 'v2', buildArgs: { B: '2', A: '1' } });
    expect(image.reference).toBe('todo-backend:v2');
    expect(Object.keys(image.buildArgs)).toEqual(['A', 'B']);
    expect(image.port).toBe(8000);
  });

  describe('fails when', () => {
    test.each([
      ['the name has a tag', { name: 'a:b' }, "'image.name' must be an image repository"],
      ['the tag is malformed', { tag: 'a b' }, "'image.tag' must be an image tag"],
      ['the port is 0', { port: 0 }, "'image.port' must be an integer between 1 and 65535, got 0"],
      ['the build context is empty', { buildContext: '' }, "'image.buildContext' must be a non-empty string, got \"\""],
      ['the base image is empty', { baseImage: '' }, "'image.baseImage' must be a non-empty string"],
      ['a build arg name is invalid', { buildArgs: { 'A-B': 'x' } }, "'image.buildArgs' must be an environment variable name"],
      ['a build arg is empty', { buildArgs: { A: '' } }, "'image.buildArgs.A' must be a non-empty string"],
    ])('%s', (_n, change, message) => {
      expect(() => new DockerImage({ ...props, ...change })).toThrow(message);
    });
  });
});

describe('dockerBuildCommand: one form of `docker build` for the build script, the deploy flow and NOTES.txt', () => {
  test('docker build, the tag, one --build-arg KEY=value per argument in order, the context last; spell quotes the tag and the arguments only', () => {
    const args: Array<[string, string]> = [['B', "it's"], ['A', '1']];
    expect(dockerBuildCommand('x:1', args, 'ctx/')).toEqual([['docker', 'build'], ['--tag', 'x:1'], ['--build-arg', "B=it's"], ['--build-arg', 'A=1'], ['ctx/']]);
    expect(dockerBuildCommand('x:1', [], '"$dir"', shellQuote)).toEqual([['docker', 'build'], ['--tag', "'x:1'"], ['"$dir"']]);
    expect(dockerBuildCommand('x:1', args, 'c', shellQuote)[2]).toEqual(['--build-arg', "'B=it'\\''s'"]);
  });

  describe('the frontend chart\'s NOTES.txt and the build script, written by one synth', () => {
    const api = new FakeApiServer();
    let tmp: string;
    beforeAll(async () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'build-command-'));
      synthesize({ outdir: path.join(tmp, 'dist'), env: { JWT_SECRET: TEST_SECRETS.jwtSecret, BETTER_AUTH_SECRET: TEST_SECRETS.betterAuthSecret, TODO_SECRETS_FILE: path.join(tmp, 's.json') } });
      await api.start();
    });
    afterAll(async () => {
      await api.stop();
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    /** Runs a shell command with a stand-in `docker` first on PATH, in `cwd`: the argument lists of each docker call. */
    function dockerCalls(shell: string, command: string[], cwd: string, env: { [k: string]: string } = {}): string[][] {
      const bin = fs.mkdtempSync(path.join(tmp, 'bin-'));
      const log = path.join(bin, 'calls');
      fs.writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a" >> "${log}"; done\nprintf '\\n' >> "${log}"\n`, { mode: 0o755 });
      const r = spawnSync(shell, command, { cwd, encoding: 'utf8', env: { PATH: bin, ...env } });
      expect([r.status, r.stderr]).toEqual([0, '']);
      return fs.readFileSync(log, 'utf8').split('\n').filter((l) => l !== '').map((l) => l.split('\0').slice(0, -1));
    }

    test('give docker the same arguments for the same image (the context: the same directory)', async () => {
      const appDir = fs.mkdtempSync(path.join(tmp, 'app-'));
      // The build script, as a user runs it: the app's repository as its argument, with the current Docker daemon.
      const script = dockerCalls(which('bash')!, [path.join(tmp, 'dist', 'build-images.sh'), appDir], tmp, { USE_CURRENT_DOCKER: '1' });
      const fromScript = script.find((args) => args.includes('--tag') && args[args.indexOf('--tag') + 1].startsWith('todo-frontend:'))!;
      expect(fromScript).toBeDefined();
      // NOTES.txt, rendered by helm, then its command run as a user copies it, in the app's repository.
      const notes = await api.helm(['install', 'todo-frontend', path.join(tmp, 'dist', 'helm', 'frontend'), '--dry-run=client', '--disable-openapi-validation']);
      expect(notes.stderr).toBe('');
      const line = notes.stdout.split('\n').find((l) => l.trim().startsWith('docker build'))!;
      expect(line).toBeDefined();
      const [fromNotes] = dockerCalls('/bin/sh', ['-c', line], appDir);
      const resolved = (args: string[], cwd: string) => [...args.slice(0, -1), path.resolve(cwd, args[args.length - 1])];
      expect(resolved(fromNotes, appDir)).toEqual(resolved(fromScript, tmp));
      // Targeted: the tag, and both URLs the frontend's bundle is built with.
      expect(fromNotes.slice(0, 3)).toEqual(['build', '--tag', 'todo-frontend:latest']);
      expect(fromNotes.filter((_a, i) => fromNotes[i - 1] === '--build-arg').map((a) => a.split('=')[0])).toEqual(['NEXT_PUBLIC_API_URL', 'NEXT_PUBLIC_APP_URL']);
      expect(path.resolve(appDir, fromNotes[fromNotes.length - 1])).toBe(path.join(appDir, 'frontend'));
    }, 60_000);
  });
});
