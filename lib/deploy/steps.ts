import { Environment } from '../settings';
import { PreflightError } from './preflight';
import { Output, Progress, StepProgress } from './progress';
import { Command, CommandFailed, describeExit, displayCommand, lastLines, Runner } from './run';

/** What deploy and destroy run in: the environment, the working directory and the terminal. */
export interface Io {
  /** The environment: settings (`TODO_*`) and the PATH the tools are found on. */
  readonly env: Environment;
  /** The directory relative paths are resolved against. */
  readonly cwd: string;
  /** Where progress and reports go. */
  readonly stdout: Output;
  /** Whether stdout is a terminal (a spinner) or not (plain lines). */
  readonly tty: boolean;
  /**
   * Without a terminal, the least time between two status lines of a step.
   *
   * @default 10000
   */
  readonly plainIntervalMs?: number;
}

/** A step failed: what it was, and what a person needs to see to fix it. */
export class StepFailed extends Error {
  constructor(
    /** `[4/8] Build images`. */
    public readonly step: string,
    message: string,
    /** The command that failed, if one did. */
    public readonly command?: Command,
    /** Lines to print under the message (command output, diagnostics). */
    public readonly details: readonly string[] = [],
  ) {
    super(message);
  }

  /** The failure as lines to print. */
  public report(): string[] {
    const lines = [`Failed at ${this.step}:`, ...this.message.split('\n').map((line) => `  ${line}`)];
    if (this.command) {
      lines.push(`  command: ${displayCommand(this.command)}`);
    }
    lines.push(...this.details.map((line) => `  ${line}`));
    return lines;
  }
}

/** Lines showing a failed command's output (the last `count` lines). */
export function commandOutput(error: CommandFailed, count = 40): string[] {
  const lines = lastLines(error.result.output, count);
  if (lines.length === 0) {
    return ['no output'];
  }
  return [`its output${lines.length === count ? ` (last ${count} lines)` : ''}:`, ...lines.map((line) => `  | ${line}`)];
}

/** A failed command in a few words, without the command line (shown beside it): `kubectl exited with code 1`. */
export function commandFailure(error: CommandFailed): string {
  return error.result.code === null && !error.result.timedOut ? error.message : `${error.command.program} ${describeExit(error.result)}`;
}

/**
 * A numbered list of steps, each shown with its elapsed time while it runs,
 * and a runner whose dry-run lines appear under the running step.
 */
export class StepList {
  public readonly progress: Progress;
  public readonly runner: Runner;
  private index = 0;
  private current?: StepProgress;

  constructor(io: Io, private readonly total: number, dryRun: boolean) {
    this.progress = new Progress({ out: io.stdout, tty: io.tty, plainIntervalMs: io.plainIntervalMs });
    this.runner = new Runner({ env: io.env, dryRun, onSkipped: (command) => this.detail(`would run: ${displayCommand(command)}`) });
  }

  /** Writes a line under the running step, or on its own. */
  public detail(text: string): void {
    if (this.current) {
      this.current.detail(text);
    } else {
      this.progress.line(text);
    }
  }

  /**
   * Runs the next step. Its errors end it as failed and come out as
   * {@link StepFailed}: a pre-flight message as it is, a failed command with
   * its output.
   */
  public async run<T>(title: string, body: (step: StepProgress) => Promise<T>, note?: (result: T) => string | undefined): Promise<T> {
    this.index++;
    const name = `[${this.index}/${this.total}] ${title}`;
    const step = this.progress.step(this.index, this.total, title);
    this.current = step;
    try {
      const result = await body(step);
      step.done(note?.(result));
      return result;
    } catch (e) {
      step.fail();
      if (e instanceof StepFailed) {
        throw e;
      }
      if (e instanceof CommandFailed) {
        throw new StepFailed(name, commandFailure(e), e.command, commandOutput(e));
      }
      if (e instanceof PreflightError) {
        throw new StepFailed(name, e.message);
      }
      throw new StepFailed(name, (e as Error).message ?? String(e));
    } finally {
      this.current = undefined;
    }
  }

  /** Starts the next step as a heading only (no timing): the last step, whose lines follow. */
  public heading(title: string): void {
    this.index++;
    this.progress.line(this.name(title));
  }

  /** The name of the step that is running or ran last: `[4/8] Build images`. */
  public name(title: string): string {
    return `[${this.index}/${this.total}] ${title}`;
  }
}
