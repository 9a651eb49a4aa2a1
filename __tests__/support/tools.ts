import { spawnSync } from 'child_process';

/** The path of a command on PATH, or undefined. */
export function which(command: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/**
 * A tool from the operating system that a test needs. In CI (`CI` set) a
 * missing tool fails the test; elsewhere the test is skipped with a note on
 * how to install it (`.ci/run` installs it).
 */
export function requireTool(command: string, install: string): string | undefined {
  const found = which(command);
  if (!found && process.env.CI) {
    throw new Error(`${command} is required in CI: ${install}`);
  }
  if (!found) {
    // eslint-disable-next-line no-console
    console.warn(`${command} not found: skipping its checks (${install})`);
  }
  return found;
}
