import { spawnSync } from 'child_process';

/** The path of a command on the PATH of `env`, or undefined. */
export function which(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const result = spawnSync('sh', ['-c', 'command -v "$1"', 'which', command], { encoding: 'utf8', env });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** A tool from the operating system that some tests need; see {@link requireTool}. */
export interface Tool {
  /** The command's name. */
  readonly command: string;
  /** Whether it was found on PATH when the test file was collected. */
  readonly found: boolean;
  /**
   * `test` when the tool is there (or in CI, where its absence fails the
   * test); else `test.skip`, so that Jest reports the test as skipped, with
   * the reason in its name.
   */
  readonly test: (name: string, fn: jest.ProvidesCallback, timeout?: number) => void;
  /** The tool's path. Throws, failing the test, when it is missing (only reachable in CI). */
  path(): string;
}

/**
 * A tool from the operating system that a test needs, decided when the test
 * file is collected: where the tool is missing, its tests are reported by
 * Jest as skipped (not passed), with how to install it in their names. In CI
 * (`CI` set) they run and fail, so CI always checks with the tool (`.ci/run`
 * installs it).
 *
 * @example
 * const shellcheck = requireTool('shellcheck', 'apt-get install shellcheck');
 * shellcheck.test('passes shellcheck', () => { spawnSync(shellcheck.path(), ...) });
 */
export function requireTool(command: string, install: string, env: NodeJS.ProcessEnv = process.env): Tool {
  const found = which(command, env);
  const required = !!env.CI;
  const missing = `${command} is not on PATH (${install})`;
  return {
    command,
    found: found !== undefined,
    test: (name, fn, timeout) => (found !== undefined || required
      ? test(name, fn, timeout)
      : test.skip(`${name} [skipped: ${missing}]`, fn, timeout)),
    path: () => {
      if (found === undefined) {
        throw new Error(`${missing}; CI requires it`);
      }
      return found;
    },
  };
}
