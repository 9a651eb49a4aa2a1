import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command, CommandFailed, displayCommand, Effect, findOnPath, lastLines, Runner } from '../../lib/deploy/run';

const skipped: Command[] = [];
const runner = (dryRun = false, env: { [k: string]: string } = {}) => new Runner({ env: { PATH: process.env.PATH, ...env }, dryRun, onSkipped: (c) => skipped.push(c) });

describe('Runner', () => {
  test('passes arguments as they are, without a shell', async () => {
    const tricky = ['$(echo injected)', 'a b', '"quoted"', ';', '*'];
    const result = await runner().run({ program: process.execPath, args: ['-e', 'console.log(JSON.stringify(process.argv.slice(1)))', ...tricky], effect: Effect.READ });
    expect(JSON.parse(result.stdout)).toEqual(tricky);
  });

  test('runs with the given environment plus the command\'s own variables', async () => {
    const result = await runner(false, { ONE: '1' }).run({ program: process.execPath, args: ['-e', 'console.log(process.env.ONE + process.env.TWO)'], effect: Effect.READ, env: { TWO: '2' } });
    expect(result.stdout.trim()).toBe('12');
  });

  test('fails when the command exits with another code than 0, with its output', async () => {
    const command = { program: process.execPath, args: ['-e', 'console.error("bad thing"); process.exit(3)'], effect: Effect.READ };
    const error = await runner().run(command).catch((e) => e);
    expect(error).toBeInstanceOf(CommandFailed);
    expect(error.message).toMatch(/` exited with code 3$/);
    expect(error.result.output).toBe('bad thing\n');
    expect((await runner().run(command, { check: false })).code).toBe(3);
  });

  test('fails when the program is not on PATH, saying so', async () => {
    const error = await runner(false, { PATH: '/nonexistent' }).run({ program: 'kubectl', args: [], effect: Effect.READ }).catch((e) => e);
    expect(error.message).toBe('kubectl is not on PATH');
  });

  test('kills a command after its time limit', async () => {
    const error = await runner().run({ program: process.execPath, args: ['-e', 'setTimeout(() => {}, 10000)'], effect: Effect.READ }, { timeoutMs: 200 }).catch((e) => e);
    expect(error.result.timedOut).toBe(true);
    expect(error.message).toMatch(/timed out$/);
  });

  test('hands each line to onLine, across chunks and carriage returns', async () => {
    const lines: string[] = [];
    await runner().run({ program: process.execPath, args: ['-e', 'process.stdout.write("one\\ntw"); setTimeout(() => process.stdout.write("o\\rthree\\n"), 50)'], effect: Effect.READ }, { onLine: (l) => lines.push(l) });
    expect(lines).toEqual(['one', 'two', 'three']);
  });

  test('in a dry run, reports commands that change something instead of running them, and runs the others', async () => {
    skipped.length = 0;
    const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'run-')), 'marker');
    const change = { program: process.execPath, args: ['-e', `require("fs").writeFileSync(${JSON.stringify(marker)}, "")`], effect: Effect.CHANGE };
    expect((await runner(true).run(change)).skipped).toBe(true);
    expect(fs.existsSync(marker)).toBe(false);
    expect(skipped).toEqual([change]);
    expect((await runner(true).run({ ...change, effect: Effect.READ })).skipped).toBe(false);
    expect(fs.existsSync(marker)).toBe(true);
  });
});

describe('helpers', () => {
  test('displayCommand quotes only what needs quoting', () => {
    expect(displayCommand({ program: 'docker', args: ['build', '--build-arg', 'URL=http://x:1/a', 'a b', "it's"] })).toBe("docker build --build-arg URL=http://x:1/a 'a b' 'it'\\''s'");
  });

  test('findOnPath finds executables only', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'path-'));
    fs.writeFileSync(path.join(dir, 'tool'), '', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'data'), '', { mode: 0o644 });
    expect(findOnPath('tool', `/nonexistent${path.delimiter}${dir}`)).toBe(path.join(dir, 'tool'));
    expect(findOnPath('data', dir)).toBeUndefined();
    expect(findOnPath('tool', undefined)).toBeUndefined();
  });

  test('lastLines', () => {
    expect(lastLines('a\nb\nc\n\n', 2)).toEqual(['b', 'c']);
    expect(lastLines('', 5)).toEqual([]);
  });
});
