import * as fs from 'fs';
import * as path from 'path';
import { randomSecret } from './app-component';
import { SecretSettings } from './settings';
import { check, Rules } from './validation';

/** The signing keys kept between synths. */
const KEPT = ['JWT_SECRET', 'BETTER_AUTH_SECRET'] as const;

/** The default app's secrets, and how to keep newly generated ones. */
export interface LocalSecrets {
  /** The secrets to give the constructs. */
  readonly secrets: SecretSettings;
  /** Whether keys were generated that the file does not hold yet. */
  readonly generated: boolean;
  /** Saves generated keys to the file (mode 0600); call it once the synth has succeeded. */
  save(): void;
}

/**
 * Resolves the default app's secrets: a value from the environment wins;
 * otherwise a signing key comes from `file`, where it was generated
 * (crypto-random, 256 bits) and saved on the first successful synth, so
 * users' sessions survive a redeploy. The file must stay out of git (it is in
 * `.gitignore`).
 *
 * @throws Error when the file exists but does not hold valid secrets
 */
export function resolveLocalSecrets(file: string, fromEnv: SecretSettings): LocalSecrets {
  const stored = readStore(file);
  const wanted: { [key: string]: string | undefined } = {
    JWT_SECRET: fromEnv.jwtSecret,
    BETTER_AUTH_SECRET: fromEnv.betterAuthSecret,
  };
  let changed = false;
  for (const key of KEPT) {
    if (wanted[key] === undefined) {
      if (stored[key] === undefined) {
        stored[key] = randomSecret();
        changed = true;
      }
      wanted[key] = stored[key];
    }
  }
  return {
    secrets: { jwtSecret: wanted.JWT_SECRET, betterAuthSecret: wanted.BETTER_AUTH_SECRET, anthropicApiKey: fromEnv.anthropicApiKey },
    generated: changed,
    save: () => {
      if (changed) {
        writeStore(file, stored);
      }
    },
  };
}

function readStore(file: string): { [key: string]: string } {
  if (!fs.existsSync(file)) {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`'TODO_SECRETS_FILE' (${file}) must hold a JSON object of secrets; delete it to generate new ones: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`'TODO_SECRETS_FILE' (${file}) must hold a JSON object of secrets; delete it to generate new ones`);
  }
  const result: { [key: string]: string } = {};
  for (const key of KEPT) {
    const value = (parsed as { [key: string]: unknown })[key];
    if (value !== undefined) {
      result[key] = check(`${key} in ${file}`, value, Rules.secret);
    }
  }
  return result;
}

function writeStore(file: string, secrets: { [key: string]: string }): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(secrets, undefined, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}
