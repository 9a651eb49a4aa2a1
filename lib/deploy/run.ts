import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { shellQuote } from '../build-script';
import { Environment } from '../settings';

/** What a command does to the world, which decides whether `--dry-run` runs it. */
export enum Effect {
  /** Only reads (status, versions, `get`, `image inspect`): runs in a dry run too. */
  READ = 'read',
  /** Changes images, the cluster or files: a dry run prints it instead. */
  CHANGE = 'change',
}

/** One program with its arguments, started without a shell. */
export interface Command {
  /** The program, looked up on the PATH of the environment. */
  readonly program: string;
  /** Its arguments, passed as they are (no shell, no quoting). */
  readonly args: readonly string[];
  /** Whether it only reads or changes something. */
  readonly effect: Effect;
  /**
   * Variables added to the environment of the deploy for this command.
   *
   * @default - none
   */
  readonly env?: Environment;
}

/** What a command did. */
export interface CommandResult {
  /** The exit code; null when it was killed or did not start. */
  readonly code: number | null;
  /** Its standard output. */
  readonly stdout: string;
  /** Its standard error. */
  readonly stderr: string;
  /** Both, in the order they were written. */
  readonly output: string;
  /** Whether it was killed after its time limit. */
  readonly timedOut: boolean;
  /** Whether it was only printed (a dry run). */
  readonly skipped: boolean;
}

/** A command that exited with a code other than 0 (or did not start). */
export class CommandFailed extends Error {
  constructor(public readonly command: Command, public readonly result: CommandResult, reason?: string) {
    super(reason ?? `\`${displayCommand(command)}\` ${describeExit(result)}`);
  }
}

/** How a command ended, in words: `exited with code 1`, `timed out`, `could not start`. */
export function describeExit(result: CommandResult): string {
  if (result.timedOut) {
    return 'timed out';
  }
  return result.code === null ? 'was stopped' : `exited with code ${result.code}`;
}

/** The command as a person would type it (for display only; it is never run through a shell). */
export function displayCommand(command: Pick<Command, 'program' | 'args'>): string {
  return [command.program, ...command.args].map((word) => (/^[\w@%+=:,./{}-]+$/.test(word) ? word : shellQuote(word))).join(' ');
}

/** Options of {@link Runner.run}. */
export interface RunOptions {
  /** Called with each line the command writes (standard output and error). */
  readonly onLine?: (line: string) => void;
  /**
   * Kill the command after this many milliseconds.
   *
   * @default - no limit
   */
  readonly timeoutMs?: number;
  /**
   * Throw {@link CommandFailed} when the command exits with another code than 0.
   *
   * @default true
   */
  readonly check?: boolean;
}

/** Options of a {@link Runner}. */
export interface RunnerOptions {
  /** The environment every command starts with (PATH included). */
  readonly env: Environment;
  /** Print commands that change something instead of running them. */
  readonly dryRun: boolean;
  /** Where a dry run's "would run" lines go. */
  readonly onSkipped: (command: Command) => void;
}

/**
 * Starts programs without a shell (`child_process.spawn` with an argument
 * array), in the deploy's environment, and collects what they write. In a
 * dry run, commands whose {@link Effect} is `CHANGE` are reported, not run.
 */
export class Runner {
  constructor(private readonly options: RunnerOptions) {}

  /** Whether commands that change something are only printed. */
  public get dryRun(): boolean {
    return this.options.dryRun;
  }

  /** The environment a command runs with. */
  public envFor(command: Command): { [name: string]: string } {
    const env: { [name: string]: string } = {};
    for (const [name, value] of Object.entries({ ...this.options.env, ...command.env })) {
      if (value !== undefined) {
        env[name] = value;
      }
    }
    return env;
  }

  /** Runs a command; see {@link RunOptions}. */
  public run(command: Command, options: RunOptions = {}): Promise<CommandResult> {
    if (this.options.dryRun && command.effect === Effect.CHANGE) {
      this.options.onSkipped(command);
      return Promise.resolve({ code: 0, stdout: '', stderr: '', output: '', timedOut: false, skipped: true });
    }
    return new Promise((resolve, reject) => {
      const stdout: string[] = [];
      const stderr: string[] = [];
      const output: string[] = [];
      let timedOut = false;
      const child = spawn(command.program, [...command.args], { env: this.envFor(command), stdio: ['ignore', 'pipe', 'pipe'] });
      const lines = (sink: string[]) => {
        let partial = '';
        return (chunk: Buffer) => {
          const text = chunk.toString('utf8');
          sink.push(text);
          output.push(text);
          if (options.onLine) {
            const parts = (partial + text).split(/\r?\n|\r/);
            partial = parts.pop() ?? '';
            parts.filter((line) => line.trim() !== '').forEach((line) => options.onLine!(line));
          }
        };
      };
      child.stdout.on('data', lines(stdout));
      child.stderr.on('data', lines(stderr));
      const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      }, options.timeoutMs);
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (timer) clearTimeout(timer);
        const result = { code: null, stdout: '', stderr: error.message, output: error.message, timedOut: false, skipped: false };
        const reason = error.code === 'ENOENT' ? `${command.program} is not on PATH` : `${command.program} could not start: ${error.message}`;
        reject(new CommandFailed(command, result, reason));
      });
      child.on('close', (code) => {
        if (timer) clearTimeout(timer);
        const result: CommandResult = { code, stdout: stdout.join(''), stderr: stderr.join(''), output: output.join(''), timedOut, skipped: false };
        if ((options.check ?? true) && code !== 0) {
          reject(new CommandFailed(command, result));
        } else {
          resolve(result);
        }
      });
    });
  }
}

/**
 * The executable file a program name resolves to on a PATH, as the operating
 * system would find it, or undefined.
 */
export function findOnPath(program: string, pathVariable: string | undefined): string | undefined {
  for (const dir of (pathVariable ?? '').split(path.delimiter)) {
    if (dir === '') {
      continue;
    }
    const candidate = path.join(dir, program);
    try {
      if (fs.statSync(candidate).isFile()) {
        fs.accessSync(candidate, fs.constants.X_OK);
        return candidate;
      }
    } catch {
      // not here: try the next directory
    }
  }
  return undefined;
}

/** The last `count` lines of a text, without trailing blank lines. */
export function lastLines(text: string, count: number): string[] {
  const lines = text.replace(/\s+$/, '').split(/\r?\n/);
  return lines.length === 1 && lines[0] === '' ? [] : lines.slice(-count);
}
