import * as fs from 'fs';
import * as path from 'path';
import { randomSecret } from './app-component';
import { SecretSettings } from './settings';
import { APP_SECRETS } from './todo-app';
import { check } from './validation';

/** The signing keys kept between synths: the secret variables the components declare as generated. */
const KEPT = APP_SECRETS.filter((d) => d.generate);

/** Options of {@link resolveLocalSecrets}. */
export interface LocalSecretsOptions {
  /**
   * Receives warnings (a secrets file readable by others, made private).
   *
   * @default - written to stderr
   */
  readonly warn?: (message: string) => void;
}

/** What a rotation does to users, for messages that mention one. */
const ROTATION = 'deleting the file makes the next synth generate NEW keys, which signs every user out';

/** The default app's secrets, and how to keep newly generated ones. */
export interface LocalSecrets {
  /** The secrets to give the constructs. */
  readonly secrets: SecretSettings;
  /** Whether keys were generated that the file does not hold yet. */
  readonly generated: boolean;
  /**
   * Saves generated keys to the file (mode 0600); call it once the output is
   * complete, just before it replaces the old one.
   *
   * @returns a function that puts the file back as it was, for when the output could not replace the old one after all
   */
  save(): () => void;
}

/**
 * Resolves the default app's secrets: a value from the environment wins;
 * otherwise a signing key comes from `file`, where it was generated
 * (crypto-random, 256 bits) and saved on the first successful synth, so
 * users' sessions survive a redeploy. The file must stay out of git (it is in
 * `.gitignore`) and private to its owner: a file that its group or others
 * may read is made private (mode 0600), with a warning.
 *
 * @throws Error when the file exists but cannot be read, or does not hold valid secrets
 */
export function resolveLocalSecrets(file: string, fromEnv: SecretSettings, options: LocalSecretsOptions = {}): LocalSecrets {
  const stored = readStore(file, options.warn ?? ((message) => process.stderr.write(`warning: ${message}\n`)));
  const wanted: { [key: string]: string | undefined } = { ...fromEnv };
  let changed = false;
  for (const { name: key } of KEPT) {
    if (wanted[key] === undefined) {
      if (stored[key] === undefined) {
        stored[key] = randomSecret();
        changed = true;
      }
      wanted[key] = stored[key];
    }
  }
  return {
    secrets: wanted,
    generated: changed,
    save: () => {
      if (!changed) {
        return () => undefined;
      }
      const before = readBytes(file);
      writeStore(file, JSON.stringify(stored, undefined, 2) + '\n');
      return () => {
        if (before === undefined) {
          fs.rmSync(file, { force: true });
        } else {
          writeStore(file, before);
        }
      };
    },
  };
}

function readStore(file: string, warn: (message: string) => void): { [key: string]: string } {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return {};
    }
    throw unreadable(file, e as NodeJS.ErrnoException);
  }
  if (!stat.isFile()) {
    // Stryker disable next-line StringLiteral: the error always has a code, which is shown instead of the message
    throw unreadable(file, Object.assign(new Error('not a regular file'), { code: stat.isDirectory() ? 'EISDIR' : 'not a regular file' }));
  }
  const mode = stat.mode;
  // Stryker disable next-line ConditionalExpression,StringLiteral: the tests run on POSIX, where the mode is enforced; Windows does not enforce it
  const modeEnforced = process.platform !== 'win32';
  if ((mode & 0o077) !== 0 && modeEnforced) {
    const was = (mode & 0o777).toString(8).padStart(4, '0');
    try {
      fs.chmodSync(file, 0o600);
    } catch (e) {
      throw new Error(`'TODO_SECRETS_FILE' (${file}) must be readable by its owner only (mode 0600: it holds the keys that sign users' sessions), got mode ${was}, and it could not be changed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); run chmod 600 ${JSON.stringify(file)} as its owner`);
    }
    warn(`TODO_SECRETS_FILE (${file}) was readable by ${mode & 0o007 ? 'every user' : 'its group'} (mode ${was}); it holds the keys that sign users' sessions, so its mode is now 0600. The keys are unchanged; if others may have read them, rotate them on purpose (this signs every user out).`);
  }
  let text: string;
  try {
    // Stryker disable next-line StringLiteral: without an encoding the file is read as a Buffer, which JSON.parse reads as UTF-8 text as well
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw unreadable(file, e as NodeJS.ErrnoException);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text, which holds secrets: it is not shown.
    throw new Error(`'TODO_SECRETS_FILE' (${file}) must hold a JSON object of secrets, got text that is not JSON; repair it, or restore it from a backup, to keep the keys in use (${ROTATION})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`'TODO_SECRETS_FILE' (${file}) must hold a JSON object of secrets, got ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : typeof parsed}; repair it, or restore it from a backup, to keep the keys in use (${ROTATION})`);
  }
  const result: { [key: string]: string } = {};
  for (const { name: key, rule } of KEPT) {
    const value = (parsed as { [key: string]: unknown })[key];
    if (value !== undefined) {
      result[key] = check(`${key} in ${file}`, value, rule);
    }
  }
  return result;
}

/** The error for a secrets file that exists but cannot be read: fix its permissions, do not delete it. */
function unreadable(file: string, e: NodeJS.ErrnoException): Error {
  const fix = e.code === 'EISDIR'
    ? 'point TODO_SECRETS_FILE at the file, not a directory'
    : 'fix its permissions or ownership so that the user who runs the synth can read and write it (chmod 600, owned by that user)';
  return new Error(`'TODO_SECRETS_FILE' (${file}) must be a file the synth can read (it holds the keys that sign users' sessions), got ${e.code ?? e.message}; ${fix}. Do not delete it to get past this: ${ROTATION}`);
}

function readBytes(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Writes the file by rename from `<file>.<pid>.tmp` (mode 0600), first
 * removing the temporary files of synths that were killed while writing.
 */
function writeStore(file: string, content: string | Buffer): void {
  const dir = path.dirname(path.resolve(file));
  fs.mkdirSync(dir, { recursive: true });
  const prefix = `${path.basename(file)}.`;
  for (const entry of fs.readdirSync(dir)) {
    const pid = entry.startsWith(prefix) && entry.endsWith('.tmp') ? Number(entry.slice(prefix.length, -'.tmp'.length)) : NaN;
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !running(pid)) {
      fs.rmSync(path.join(dir, entry), { force: true });
    }
  }
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
