import * as http from 'http';
import * as https from 'https';

/** The answer of one HTTP request. */
export interface HttpAnswer {
  /** The status code, or undefined when there was no answer. */
  readonly status?: number;
  /** Why there was no answer (`ECONNREFUSED`, `timed out after 5s`). */
  readonly error?: string;
  /** The first bytes of the body, for messages. */
  readonly body?: string;
}

/** The outcome of {@link smokeTest} for one URL. */
export interface SmokeResult {
  /** The URL requested. */
  readonly url: string;
  /** Whether it answered 2xx before the deadline. */
  readonly ok: boolean;
  /** How many requests were sent. */
  readonly attempts: number;
  /** The last answer. */
  readonly last: HttpAnswer;
  /** Milliseconds from the first request to the last answer. */
  readonly elapsedMs: number;
}

/** Options of {@link smokeTest}. */
export interface SmokeOptions {
  /** Stop retrying at this time (milliseconds since the epoch). */
  readonly deadline: number;
  /**
   * The first wait between attempts, doubled after each failed one.
   *
   * @default 250
   */
  readonly initialDelayMs?: number;
  /**
   * The longest wait between attempts.
   *
   * @default 5000
   */
  readonly maxDelayMs?: number;
  /**
   * The limit of one request.
   *
   * @default 5000
   */
  readonly requestTimeoutMs?: number;
  /** Called after each failed attempt, with the wait before the next one (none when the deadline comes first). */
  readonly onRetry?: (answer: HttpAnswer, attempt: number, waitMs: number | undefined) => void;
}

/** Whether a status is 2xx. */
function success(answer: HttpAnswer): boolean {
  return answer.status !== undefined && answer.status >= 200 && answer.status < 300;
}

/**
 * Requests `url` with GET until it answers 2xx or the deadline passes,
 * waiting longer after each failure (exponential backoff). Redirects to the
 * same origin are followed (a login page behind `/`); redirects elsewhere
 * are not, and count as failures.
 */
export async function smokeTest(url: string, options: SmokeOptions): Promise<SmokeResult> {
  const started = Date.now();
  let delay = options.initialDelayMs ?? 250;
  let attempts = 0;
  for (;;) {
    attempts++;
    const remaining = options.deadline - Date.now();
    const last = await get(url, Math.max(500, Math.min(options.requestTimeoutMs ?? 5000, remaining)));
    if (success(last)) {
      return { url, ok: true, attempts, last, elapsedMs: Date.now() - started };
    }
    const giveUp = Date.now() + delay >= options.deadline;
    options.onRetry?.(last, attempts, giveUp ? undefined : delay);
    if (giveUp) {
      return { url, ok: false, attempts, last, elapsedMs: Date.now() - started };
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, options.maxDelayMs ?? 5000);
  }
}

/** One GET, following up to 5 redirects within the URL's origin. */
export async function get(url: string, timeoutMs: number, redirects = 5): Promise<HttpAnswer> {
  const answer = await getOnce(url, timeoutMs);
  if (answer.location !== undefined && redirects > 0) {
    const next = new URL(answer.location, url);
    if (next.origin !== new URL(url).origin) {
      return { status: answer.status, body: `redirected to ${next.href}, outside ${new URL(url).origin}` };
    }
    return get(next.href, timeoutMs, redirects - 1);
  }
  return { status: answer.status, error: answer.error, body: answer.body };
}

function getOnce(url: string, timeoutMs: number): Promise<HttpAnswer & { location?: string }> {
  return new Promise((resolve) => {
    const client = url.startsWith('https:') ? https : http;
    const request = client.get(url, { timeout: timeoutMs, agent: false, headers: { 'user-agent': 'todo-cdk8s-deploy' } }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size < 2048) {
          chunks.push(chunk);
          size += chunk.length;
        }
      });
      response.on('end', () => {
        const status = response.statusCode;
        const redirect = status !== undefined && status >= 300 && status < 400 ? response.headers.location : undefined;
        resolve({ status, body: Buffer.concat(chunks).toString('utf8').slice(0, 200), location: redirect });
      });
      response.on('error', (error) => resolve({ status: response.statusCode, error: error.message }));
    });
    request.on('timeout', () => {
      request.destroy(new Error(`no answer within ${Math.round(timeoutMs / 100) / 10}s`));
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
  });
}

/** An answer in a few words: `200`, `503 (Service Unavailable: "db down")`, `ECONNREFUSED`. */
export function describeAnswer(answer: HttpAnswer): string {
  if (answer.status === undefined) {
    return answer.error ?? 'no answer';
  }
  const reason = http.STATUS_CODES[answer.status] ?? '';
  const body = answer.body?.trim().replace(/\s+/g, ' ');
  return `${answer.status}${reason ? ` ${reason}` : ''}${body && !success(answer) ? `: ${JSON.stringify(body.slice(0, 120))}` : ''}`;
}
