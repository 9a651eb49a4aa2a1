import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { copyProject, ProjectCopy, startSynth, treeHash } from './support/project';
import { find, secretValues } from './support/util';
import { readYaml } from './support/yaml';

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `npm run synth` killed (SIGKILL, the whole process group) at many moments
 * of its run, and run twice at once: dist/ is always the old output or the
 * new one, complete; the secrets file agrees with it; nothing readable by
 * others is left behind, and the next synth cleans up.
 */
describe('a killed or concurrent synth never breaks dist/', () => {
  let project: ProjectCopy;
  let dist: string;
  let gens: string;
  let secretsFile: string;
  const A = { TODO_BACKEND_IMAGE_TAG: 'kill-a' };
  const B = { TODO_BACKEND_IMAGE_TAG: 'kill-b' };
  const hashes: { [name: string]: string } = {};
  let duration = 0;

  const synth = async (env: NodeJS.ProcessEnv) => {
    const start = Date.now();
    const code = await exited(startSynth(project, env));
    expect(code).toBe(0);
    return Date.now() - start;
  };
  /** dist's secret signing key, read through its links. */
  const distJwt = () => secretValues(find(readYaml(path.join(dist, 'todo.k8s.yaml')), 'Secret', 'todo-backend-secret')).JWT_SECRET;
  const fileJwt = () => JSON.parse(fs.readFileSync(secretsFile, 'utf8')).JWT_SECRET;
  /** What a kill may leave: only the private generations directory, and secrets files private to their owner. */
  const checkLeftovers = () => {
    for (const entry of fs.readdirSync(project.dir)) {
      expect(entry).not.toMatch(/^\.dist\.(staging|new|old)/);
      if (entry.startsWith('.todo-secrets.json')) {
        expect(fs.statSync(path.join(project.dir, entry)).mode & 0o077).toBe(0);
      }
    }
    if (fs.existsSync(gens)) {
      expect(fs.statSync(gens).mode & 0o777).toBe(0o700);
    }
  };

  beforeAll(async () => {
    project = copyProject();
    dist = path.join(project.dir, 'dist');
    gens = path.join(project.dir, '.dist.gen');
    secretsFile = path.join(project.dir, '.todo-secrets.json');
    await synth(A); // bundles main.ts
    duration = await synth(A);
    hashes.A = treeHash(dist)!;
    await synth(B);
    hashes.B = treeHash(dist)!;
    expect(hashes.A).not.toBe(hashes.B);
  }, 300_000);
  afterAll(() => project.remove());

  test('killed at 24 moments spread over the synth: dist/ old or new and complete, secrets agreeing', async () => {
    const outcomes: string[] = [];
    /** One synth towards the other output, killed after `delay` ms; dist/ must be one of the two, complete. */
    const killAfter = async (delay: number) => {
      const before = treeHash(dist) === hashes.A ? 'A' : 'B';
      const target = before === 'A' ? 'B' : 'A';
      const child = startSynth(project, target === 'A' ? A : B);
      const done = exited(child);
      await sleep(Math.round(delay));
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already finished.
      }
      await done;
      const after = treeHash(dist);
      expect([hashes.A, hashes.B]).toContain(after);
      outcomes.push(after === hashes[before] ? 'old' : 'new');
      expect(distJwt()).toBe(fileJwt());
      checkLeftovers();
    };
    const kills = 24;
    for (let i = 0; i < kills; i++) {
      await killAfter((duration * 1.15 * (i + 0.5)) / kills);
    }
    // A loaded machine can stretch a synth past the measured duration, so that
    // every kill lands before the switch: kill later and later (each kill is
    // checked like the others) until one lands after it.
    for (let late = 1; !outcomes.includes('new') && late <= 10; late++) {
      await killAfter(duration * 1.15 * 1.3 ** late);
    }
    // Both outcomes happened: the kills reached into the switch's neighbourhood from both sides.
    expect(outcomes).toContain('old');
    expect(outcomes).toContain('new');
    process.stderr.write(`kill test: ${outcomes.length} kills, outcomes ${outcomes.filter((o) => o === 'old').length} old / ${outcomes.filter((o) => o === 'new').length} new\n`);
    // The next synth cleans whatever the kills left.
    await synth(A);
    expect(treeHash(dist)).toBe(hashes.A);
    expect(fs.readdirSync(gens).sort()).toEqual(['current', fs.readlinkSync(path.join(gens, 'current'))].sort());
    expect(fs.readdirSync(project.dir).filter((e) => /\.tmp$/.test(e))).toEqual([]);
  }, 600_000);

  test('a first synth killed late: no dist/, or a complete one whose secrets the file holds', async () => {
    const outcomes: string[] = [];
    for (const fraction of [0.7, 0.85, 0.95, 1.05]) {
      fs.rmSync(dist, { recursive: true, force: true });
      fs.rmSync(gens, { recursive: true, force: true });
      fs.rmSync(secretsFile, { force: true });
      const child = startSynth(project, A);
      const done = exited(child);
      await sleep(Math.round(duration * fraction));
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already finished.
      }
      await done;
      checkLeftovers();
      if (fs.existsSync(dist)) {
        expect(fs.readdirSync(dist).sort()).toEqual(['build-images.sh', 'helm', 'todo.k8s.yaml']);
        expect(fs.existsSync(path.join(dist, 'helm', 'frontend', 'Chart.yaml'))).toBe(true);
        expect(distJwt()).toBe(fileJwt());
        outcomes.push('new');
      } else {
        outcomes.push('none');
      }
    }
    process.stderr.write(`first-synth kills: ${outcomes.join(', ')}\n`);
    await synth(A);
    expect(distJwt()).toBe(fileJwt());
    hashes.A = treeHash(dist)!; // new keys: a new output for A
  }, 300_000);

  test('two synths at once, 4 trials: both succeed, no error, dist/ one of the two outputs', async () => {
    await synth(B);
    hashes.B = treeHash(dist)!;
    for (let trial = 0; trial < 4; trial++) {
      const runs = [A, B].map((env) => {
        const child = spawn('npm', ['run', '--silent', 'synth'], { cwd: project.dir, env: { ...project.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout!.on('data', (d) => (output += d));
        child.stderr!.on('data', (d) => (output += d));
        return exited(child).then((code) => ({ code, output }));
      });
      for (const { code, output } of await Promise.all(runs)) {
        expect(output).not.toMatch(/ENOTEMPTY|EEXIST|ENOENT|synth failed|synthesis failed|Error|ERROR/);
        if (code !== 0) {
          throw new Error(`a synth exited ${code}, printing:\n${output}`); // what it printed, so that a failure shows it
        }
        expect(code).toBe(0);
      }
      expect([hashes.A, hashes.B]).toContain(treeHash(dist));
      expect(fs.readdirSync(gens).sort()).toEqual(['current', fs.readlinkSync(path.join(gens, 'current'))].sort());
    }
  }, 300_000);
});

/**
 * cdk8s-cli removes its output directory (cdk8s.yaml's `output:`, the
 * scratch directory) when it starts, and reads it once its app has exited.
 * A second `npm run synth` whose CLI starts between the first one's app
 * publishing the scratch directory and the first CLI reading it used to
 * remove it from under the first, which then failed with the CLI's
 * `ERROR: synthesis failed, app expected to create ...` (exit 1; dist/ was
 * fine). Here the app command of the copy's cdk8s.yaml holds the first
 * synth in that window (after the app, before the CLI reads) until the
 * second has had time to start.
 */
describe('a synth started while another one is between its app and its CLI reading the output', () => {
  let project: ProjectCopy;
  beforeAll(() => {
    project = copyProject();
    const first = project.run('npm', ['run', 'synth']);
    expect(first.status).toBe(0);
  }, 120_000);
  afterAll(() => project.remove());

  test('both succeed, the first lists its manifest, the second starts only once the first is done', async () => {
    const scratch = path.join(project.dir, 'node_modules', '.cache', 'todo-cdk8s', 'cdk8s.out');
    const gate = path.join(project.dir, 'gate');
    const waiting = path.join(project.dir, 'waiting');
    // After the app: say so, then wait (at most 60 s) for the gate.
    const hold = `node -e "require('fs').appendFileSync('waiting', process.ppid + '\\\\n'); const end = Date.now() + 60000; while (!require('fs').existsSync('gate') && Date.now() < end) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20)"`;
    const config = fs.readFileSync(path.join(project.dir, 'cdk8s.yaml'), 'utf8');
    fs.writeFileSync(path.join(project.dir, 'cdk8s.yaml'), config.replace(/^app: (.*)$/m, (_, app) => `app: ${app} && ${hold}`));
    const start = (env: NodeJS.ProcessEnv) => {
      const child = spawn('npm', ['run', '--silent', 'synth'], { cwd: project.dir, env: { ...project.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout!.on('data', (d) => (output += d));
      child.stderr!.on('data', (d) => (output += d));
      return exited(child).then((code) => ({ code, output }));
    };
    const until = async (condition: () => boolean, ms: number) => {
      const end = Date.now() + ms;
      while (!condition() && Date.now() < end) {
        await sleep(20);
      }
      return condition();
    };
    const first = start({ TODO_BACKEND_IMAGE_TAG: 'held-a' });
    // The first synth's app has written dist/ and published the scratch directory.
    expect(await until(() => fs.existsSync(waiting), 60_000)).toBe(true);
    const published = fs.readlinkSync(scratch);
    const second = start({ TODO_BACKEND_IMAGE_TAG: 'held-b' });
    // Time for the second CLI to start and (unless it waits) remove the scratch directory.
    const removed = await until(() => !fs.existsSync(scratch), 8_000);
    fs.writeFileSync(gate, '');
    const [a, b] = await Promise.all([first, second]);
    expect({ removed, code: a.code, output: a.output }).toEqual({ removed: false, code: 0, output: expect.stringContaining('  - node_modules/.cache/todo-cdk8s/cdk8s.out/todo.k8s.yaml') });
    expect(a.output).not.toMatch(/ERROR|Error|synth failed/);
    expect({ code: b.code, output: b.output }).toEqual({ code: 0, output: expect.stringContaining('  - node_modules/.cache/todo-cdk8s/cdk8s.out/todo.k8s.yaml') });
    expect(fs.readlinkSync(scratch)).not.toBe(published);
    expect(readYaml(path.join(project.dir, 'dist', 'todo.k8s.yaml')).some((o) => JSON.stringify(o).includes(':held-b'))).toBe(true);
  }, 180_000);
});
