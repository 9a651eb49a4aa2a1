import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { which } from './tools';

const ROOT = path.join(__dirname, '..', '..');

/**
 * Runs Jest for real on the build script's shellcheck test, with a PATH that
 * holds node, sh and bash but no shellcheck, and returns how Jest reported
 * that test.
 */
function runWithoutShellcheck(ci: boolean): { status: string; title: string; failureMessages: string[]; exitCode: number | null } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'no-shellcheck-'));
  try {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    for (const command of ['sh', 'bash']) fs.symlinkSync(which(command)!, path.join(bin, command));
    const env: NodeJS.ProcessEnv = { PATH: bin, HOME: process.env.HOME ?? dir, ...(ci ? { CI: 'true' } : {}) };
    const out = path.join(dir, 'result.json');
    const r = spawnSync(process.execPath, [
      path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
      '--runInBand', '--ci', '--json', `--outputFile=${out}`, '--testNamePattern', 'passes shellcheck',
      path.join('__tests__', 'build-script.test.ts'),
    ], { cwd: ROOT, env, encoding: 'utf8' });
    expect(spawnSync('sh', ['-c', 'command -v shellcheck'], { env }).status).not.toBe(0); // really not on that PATH
    const result = JSON.parse(fs.readFileSync(out, 'utf8'));
    const assertion = result.testResults[0].assertionResults.find((a: any) => a.title.startsWith('passes shellcheck'));
    return { ...assertion, exitCode: r.status };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('a test whose tool is missing', () => {
  test('is reported by Jest as skipped, not passed, with the reason in its name', () => {
    const { status, title, exitCode } = runWithoutShellcheck(false);
    expect(status).toBe('pending');
    expect(title).toBe('passes shellcheck (both targets) [skipped: shellcheck is not on PATH (apt-get install shellcheck)]');
    expect(exitCode).toBe(0);
  }, 60_000);

  test('fails when CI is set: CI requires the tool', () => {
    const { status, failureMessages, exitCode } = runWithoutShellcheck(true);
    expect(status).toBe('failed');
    expect(failureMessages.join('\n')).toContain('shellcheck is not on PATH (apt-get install shellcheck); CI requires it');
    expect(exitCode).toBe(1);
  }, 60_000);
});
