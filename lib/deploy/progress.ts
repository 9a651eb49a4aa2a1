/** Where progress is written: a terminal or a log. */
export interface Output {
  write(text: string): unknown;
}

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** Where to write. */
  readonly out: Output;
  /** Whether `out` is a terminal: a spinner line that rewrites itself, else plain lines. */
  readonly tty: boolean;
  /**
   * Without a terminal, at most one status line per this many milliseconds
   * for a running step (the first one is written at once).
   *
   * @default 10000
   */
  readonly plainIntervalMs?: number;
  /**
   * The clock.
   *
   * @default Date.now
   */
  readonly now?: () => number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR_LINE = '\r\x1b[2K';

/** Seconds with one decimal: `12.3s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/**
 * The visible progress of a deploy: numbered steps, each with its elapsed
 * time. Each step writes its title, its detail lines, and a closing line
 * with the time it took. While it runs, on a terminal its latest status is
 * one line with a spinner under the details, rewritten in place; otherwise (a
 * pipe, CI) the status is a plain line at most every few seconds.
 */
export class Progress {
  private readonly now: () => number;
  private readonly plainIntervalMs: number;
  private current?: StepProgress;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? Date.now;
    this.plainIntervalMs = options.plainIntervalMs ?? 10_000;
  }

  /** Writes a line outside any step. */
  public line(text = ''): void {
    this.current?.clear();
    this.options.out.write(`${text}\n`);
    this.current?.render();
  }

  /** Starts step `index` of `total`. The previous step must have ended. */
  public step(index: number, total: number, title: string): StepProgress {
    const step = new StepProgress(this.options.out, this.options.tty, `[${index}/${total}] ${title}`, this.now, this.plainIntervalMs, () => {
      this.current = undefined;
    });
    this.current = step;
    return step;
  }
}

/** One running step of a {@link Progress}. */
export class StepProgress {
  private readonly started: number;
  private status = '';
  private lastPlainStatus = 0;
  private pendingStatus = false;
  private frame = 0;
  private readonly timer?: NodeJS.Timeout;
  private ended = false;

  constructor(
    private readonly out: Output,
    private readonly tty: boolean,
    private readonly title: string,
    private readonly now: () => number,
    private readonly plainIntervalMs: number,
    private readonly onEnd: () => void,
  ) {
    this.started = now();
    this.out.write(`${this.title}\n`);
    if (tty) {
      this.timer = setInterval(() => {
        this.frame = (this.frame + 1) % FRAMES.length;
        this.render();
      }, 100);
      this.timer.unref();
      this.render();
    } else {
      this.timer = setInterval(() => this.flushPlainStatus(), Math.max(250, Math.floor(plainIntervalMs / 4)));
      this.timer.unref();
    }
  }

  /** Milliseconds since the step started. */
  public get elapsedMs(): number {
    return this.now() - this.started;
  }

  /** Sets the step's live status (the spinner's text; a throttled line without a terminal). */
  public update(status: string): void {
    if (this.ended) return;
    this.status = status.trim();
    if (this.tty) {
      this.render();
      return;
    }
    this.pendingStatus = true;
    this.flushPlainStatus();
  }

  /** Writes a line that stays, under the step. */
  public detail(text: string): void {
    if (this.ended) return;
    this.clear();
    this.out.write(`      ${text}\n`);
    this.render();
  }

  /** Ends the step as done. */
  public done(note?: string): void {
    this.end(this.tty ? `      ✓ ${note ?? 'done'} (${seconds(this.elapsedMs)})` : `${this.title}: ${note ?? 'done'} (${seconds(this.elapsedMs)})`);
  }

  /** Ends the step as failed. */
  public fail(note = 'failed'): void {
    this.end(this.tty ? `      ✗ ${note} (${seconds(this.elapsedMs)})` : `${this.title}: ${note} (${seconds(this.elapsedMs)})`);
  }

  /** Clears the spinner line (terminal only). */
  public clear(): void {
    if (this.tty && !this.ended) {
      this.out.write(CLEAR_LINE);
    }
  }

  /** Draws the spinner line (terminal only). */
  public render(): void {
    if (!this.tty || this.ended) return;
    const columns = (process.stdout.columns ?? 100) - 1;
    const line = `    ${FRAMES[this.frame]} ${this.status === '' ? 'working' : this.status} (${Math.floor(this.elapsedMs / 1000)}s)`;
    this.out.write(`${CLEAR_LINE}${line.length > columns ? `${line.slice(0, columns - 1)}…` : line}`);
  }

  private flushPlainStatus(): void {
    if (this.ended || !this.pendingStatus) return;
    const now = this.now();
    if (this.lastPlainStatus !== 0 && now - this.lastPlainStatus < this.plainIntervalMs) return;
    this.lastPlainStatus = now;
    this.pendingStatus = false;
    this.out.write(`      ${this.status} (${Math.floor(this.elapsedMs / 1000)}s)\n`);
  }

  private end(line: string): void {
    if (this.ended) return;
    if (this.timer) clearInterval(this.timer);
    this.clear();
    this.ended = true;
    this.out.write(`${line}\n`);
    this.onEnd();
  }
}
