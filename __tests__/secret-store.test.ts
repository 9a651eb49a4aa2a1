import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveLocalSecrets } from '../lib/secret-store';
import { SECRET_SETTINGS } from '../lib/settings';
import { synthesize } from '../lib/synth';
import { TEST_SECRETS } from './support/util';

// readFileSync, statSync and chmodSync can be made to fail for one call: permissions do not stop root, who may run the tests.
jest.mock('fs', () => {
  const actual = jest.requireActual('fs');
  return { ...actual, readFileSync: jest.fn(actual.readFileSync), statSync: jest.fn(actual.statSync), chmodSync: jest.fn(actual.chmodSync) };
});

/** The signing keys the components declare as generated (JWT_SECRET first), which the file keeps. */
const KEYS = SECRET_SETTINGS.filter((s) => s.generated).map((s) => s.variable);
/** Every signing key, each with the value `fill` gives it, leaving out those named in `except`. */
const keysOf = (fill: (key: string) => string, except: readonly string[] = []) => Object.fromEntries(KEYS.filter((k) => !except.includes(k)).map((k) => [k, fill(k)]));

describe('resolveLocalSecrets', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-'));
    file = path.join(dir, 'nested', '.todo-secrets.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('generates 256-bit keys once, saves them with mode 0600 when asked, and reuses them', () => {
    const plan = resolveLocalSecrets(file, {});
    expect(plan.generated).toBe(true);
    expect(fs.existsSync(file)).toBe(false);
    plan.save();
    const first = plan.secrets;
    expect(KEYS).toEqual(expect.arrayContaining(['JWT_SECRET', 'BETTER_AUTH_SECRET']));
    for (const key of KEYS) {
      expect([key, Buffer.from(first[key]!, 'base64url')]).toEqual([key, expect.objectContaining({ length: 32 })]);
    }
    expect(new Set(KEYS.map((k) => first[k])).size).toBe(KEYS.length);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(resolveLocalSecrets(file, {}).secrets).toEqual(first);
    expect(resolveLocalSecrets(file, {}).generated).toBe(false);
  });

  test('values from the environment win and are not written to the file', () => {
    const jwt = 'e'.repeat(40);
    const plan = resolveLocalSecrets(file, { JWT_SECRET: jwt, ANTHROPIC_API_KEY: 'sk-x' });
    plan.save();
    const result = plan.secrets;
    expect(result.JWT_SECRET).toBe(jwt);
    expect(result.ANTHROPIC_API_KEY).toBe('sk-x');
    expect(fs.readFileSync(file, 'utf8')).not.toContain(jwt);
    expect(Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')))).toEqual(KEYS.filter((k) => k !== 'JWT_SECRET'));
  });

  test('nothing is written when the environment gives every key', () => {
    resolveLocalSecrets(file, keysOf(() => 'e'.repeat(40))).save();
    expect(fs.existsSync(file)).toBe(false);
  });

  const ROTATION = 'deleting the file makes the next synth generate NEW keys, which signs every user out';
  const store = (content: string, mode = 0o600) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content, { mode });
    fs.chmodSync(file, mode);
  };

  test('fails when the file is not JSON, naming the file; the advice keeps the keys and says what deleting does', () => {
    const unprinted = 'must-not-be-printed-'.padEnd(43, 'a'); // built here: no secret-shaped literal in the source
    store(`{"JWT_SECRET": "${unprinted}", oops`);
    const attempt = () => resolveLocalSecrets(file, {});
    expect(attempt).toThrow(`'TODO_SECRETS_FILE' (${file}) must hold a JSON object of secrets, got text that is not JSON; repair it, or restore it from a backup, to keep the keys in use (${ROTATION})`);
    expect(attempt).not.toThrow(/must-not-be-printed/);
  });

  test('fails when the file holds JSON that is not an object', () => {
    store('["x"]');
    expect(() => resolveLocalSecrets(file, {})).toThrow(`'TODO_SECRETS_FILE' (${file}) must hold a JSON object of secrets, got an array; repair it, or restore it from a backup, to keep the keys in use (${ROTATION})`);
  });

  test('fails when a stored key is too short', () => {
    store(JSON.stringify({ JWT_SECRET: 'short' }));
    expect(() => resolveLocalSecrets(file, {})).toThrow(`'JWT_SECRET in ${file}' must be a secret of at least 32 characters without whitespace, got a value of 5 characters`);
  });

  test('fails when the file cannot be read: fix permissions or ownership, never "delete it" without saying it rotates the keys', () => {
    store(JSON.stringify({ JWT_SECRET: 'k'.repeat(40) }));
    const denied = Object.assign(new Error(`EACCES: permission denied, open '${file}'`), { code: 'EACCES' });
    const read = fs.readFileSync as jest.Mock;
    const deny = () => read.mockImplementationOnce(() => { throw denied; });
    deny();
    expect(() => resolveLocalSecrets(file, {})).toThrow(`'TODO_SECRETS_FILE' (${file}) must be a file the synth can read (it holds the keys that sign users' sessions), got EACCES; fix its permissions or ownership so that the user who runs the synth can read and write it (chmod 600, owned by that user). Do not delete it to get past this: ${ROTATION}`);
    deny();
    expect(() => resolveLocalSecrets(file, {})).not.toThrow(/delete it to generate/);
    expect(resolveLocalSecrets(file, {}).secrets.JWT_SECRET).toBe('k'.repeat(40));
  });

  test('fails when the path is a directory, and leaves the directory\'s mode alone', () => {
    fs.mkdirSync(file, { recursive: true, mode: 0o755 });
    fs.chmodSync(file, 0o755);
    expect(() => resolveLocalSecrets(file, {})).toThrow(`'TODO_SECRETS_FILE' (${file}) must be a file the synth can read (it holds the keys that sign users' sessions), got EISDIR; point TODO_SECRETS_FILE at the file, not a directory. Do not delete it to get past this: ${ROTATION}`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o755);
  });

  test.each([[0o644, 'every user', '0644'], [0o640, 'its group', '0640'], [0o604, 'every user', '0604']])(
    'a secrets file of mode %o is made private (0600) with a warning; the keys are kept', (mode, who, shown) => {
      const keys = keysOf((k) => k[0].toLowerCase().repeat(40));
      store(JSON.stringify(keys), mode);
      const warnings: string[] = [];
      const plan = resolveLocalSecrets(file, {}, { warn: (m) => warnings.push(m) });
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(warnings).toEqual([`TODO_SECRETS_FILE (${file}) was readable by ${who} (mode ${shown}); it holds the keys that sign users' sessions, so its mode is now 0600. The keys are unchanged; if others may have read them, rotate them on purpose (this signs every user out).`]);
      expect(plan.secrets).toMatchObject(keys);
      expect(plan.generated).toBe(false);
    });

  test('a private secrets file gets no warning', () => {
    store(JSON.stringify({ JWT_SECRET: 'j'.repeat(40) }), 0o600);
    const warnings: string[] = [];
    resolveLocalSecrets(file, {}, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
  });

  test('a synth warns on stderr about a world-readable secrets file and makes it private', () => {
    store(JSON.stringify({ JWT_SECRET: 'j'.repeat(40), BETTER_AUTH_SECRET: 'b'.repeat(40) }), 0o644);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      synthesize({ outdir: path.join(dir, 'dist'), env: { TODO_SECRETS_FILE: file, ANTHROPIC_API_KEY: TEST_SECRETS.anthropicApiKey } });
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain(`warning: TODO_SECRETS_FILE (${file}) was readable by every user (mode 0644)`);
    } finally {
      stderr.mockRestore();
    }
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  describe('fails when', () => {
    test.each([
      ['null', 'null', 'null'],
      ['a string', '"k"', 'string'],
      ['a number', '42', 'number'],
      ['true', 'true', 'boolean'],
    ])('the file holds JSON %s', (_name, content, got) => {
      store(content);
      expect(() => resolveLocalSecrets(file, {})).toThrow(`'TODO_SECRETS_FILE' (${file}) must hold a JSON object of secrets, got ${got}; repair it`);
    });

    test('a stored BETTER_AUTH_SECRET is not a valid key (a JWT_SECRET from the environment does not hide it)', () => {
      store(JSON.stringify({ BETTER_AUTH_SECRET: 'has a space but is long enough to be a key' }));
      expect(() => resolveLocalSecrets(file, { JWT_SECRET: 'e'.repeat(40) })).toThrow(`'BETTER_AUTH_SECRET in ${file}' must be a secret of at least 32 characters without whitespace, got a value of 42 characters`);
    });

    test('the path cannot be examined (a parent is a file): the error gives the code', () => {
      fs.mkdirSync(dir, { recursive: true });
      const parentFile = path.join(dir, 'plain');
      fs.writeFileSync(parentFile, '');
      const under = path.join(parentFile, 'secrets.json');
      expect(() => resolveLocalSecrets(under, {})).toThrow(`'TODO_SECRETS_FILE' (${under}) must be a file the synth can read (it holds the keys that sign users' sessions), got ENOTDIR; fix its permissions or ownership`);
    });

    test('an error without a code is shown by its message', () => {
      (fs.statSync as unknown as jest.Mock).mockImplementationOnce(() => { throw new Error('disk on fire'); });
      expect(() => resolveLocalSecrets(file, {})).toThrow(`(${file}) must be a file the synth can read (it holds the keys that sign users' sessions), got disk on fire; fix its permissions`);
    });

    test('the path is neither a file nor a directory', () => {
      expect(() => resolveLocalSecrets('/dev/null', {})).toThrow(`'TODO_SECRETS_FILE' (/dev/null) must be a file the synth can read (it holds the keys that sign users' sessions), got not a regular file; fix its permissions or ownership`);
    });

    test.each([
      ['with a code', Object.assign(new Error('EPERM: operation not permitted'), { code: 'EPERM' }), 'EPERM'],
      ['without a code', new Error('read-only file system'), 'read-only file system'],
    ])('a readable-by-others file cannot be made private (%s), naming the mode and the fix; nothing is read', (_name, error, shown) => {
      store(JSON.stringify({ JWT_SECRET: 'j'.repeat(40) }), 0o644);
      (fs.chmodSync as unknown as jest.Mock).mockImplementationOnce(() => { throw error; });
      const warnings: string[] = [];
      expect(() => resolveLocalSecrets(file, {}, { warn: (m) => warnings.push(m) })).toThrow(
        `'TODO_SECRETS_FILE' (${file}) must be readable by its owner only (mode 0600: it holds the keys that sign users' sessions), got mode 0644, and it could not be changed (${shown}); run chmod 600 ${JSON.stringify(file)} as its owner`);
      expect(warnings).toEqual([]);
    });
  });

  test('a key missing from the file is generated and saved beside the kept one; the file then holds every key, as JSON with a final newline', () => {
    const jwt = 'j'.repeat(40);
    store(JSON.stringify({ JWT_SECRET: jwt }));
    const plan = resolveLocalSecrets(file, {});
    expect(plan.generated).toBe(true);
    expect(plan.secrets.JWT_SECRET).toBe(jwt);
    plan.save();
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toBe(`${JSON.stringify({ JWT_SECRET: jwt, ...keysOf((k) => plan.secrets[k]!, ['JWT_SECRET']) }, undefined, 2)}\n`);
    expect(fs.readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
  });

  test('keys from the file, with the rest from the environment, need no save: the file is left as it was', () => {
    const content = JSON.stringify({ JWT_SECRET: 'j'.repeat(40), OTHER: 'x' });
    store(content, 0o600);
    const plan = resolveLocalSecrets(file, keysOf(() => 'b'.repeat(40), ['JWT_SECRET']));
    expect(plan.generated).toBe(false);
    expect(plan.secrets).toEqual({ JWT_SECRET: 'j'.repeat(40), ...keysOf(() => 'b'.repeat(40), ['JWT_SECRET']), ANTHROPIC_API_KEY: undefined });
    plan.save();
    expect(fs.readFileSync(file, 'utf8')).toBe(content);
  });

  test('without a warn option, a warning goes to stderr', () => {
    store(JSON.stringify({ JWT_SECRET: 'j'.repeat(40) }), 0o640);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      resolveLocalSecrets(file, {});
      expect(stderr.mock.calls.map((c) => String(c[0]))).toEqual([`warning: TODO_SECRETS_FILE (${file}) was readable by its group (mode 0640); it holds the keys that sign users' sessions, so its mode is now 0600. The keys are unchanged; if others may have read them, rotate them on purpose (this signs every user out).\n`]);
    } finally {
      stderr.mockRestore();
    }
  });

  test('the undo of save removes a file that save created, and puts back the one it replaced byte for byte', () => {
    const undoFirst = resolveLocalSecrets(file, {}).save();
    expect(fs.existsSync(file)).toBe(true);
    undoFirst();
    expect(fs.existsSync(file)).toBe(false);
    resolveLocalSecrets(file, { JWT_SECRET: 'e'.repeat(40) }).save();
    const before = fs.readFileSync(file);
    const undo = resolveLocalSecrets(file, {}).save();
    expect(fs.readFileSync(file)).not.toEqual(before);
    undo();
    expect(fs.readFileSync(file)).toEqual(before);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // Nothing to save: nothing to undo.
    const none = resolveLocalSecrets(file, keysOf(() => 'g'.repeat(40))).save();
    none();
    expect(fs.readFileSync(file)).toEqual(before);
  });

  test('a save removes the temporary files of killed synths and keeps those of running ones', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const { spawnSync } = jest.requireActual('child_process');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const names = [`.todo-secrets.json.${dead}.tmp`, `.todo-secrets.json.${process.ppid}.tmp`, '.todo-secrets.json.0.tmp', `.todo-secrets.json.${dead}.bak`, `other.${dead}.tmp`];
    for (const name of names) fs.writeFileSync(path.join(path.dirname(file), name), 'x');
    resolveLocalSecrets(file, {}).save();
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['.todo-secrets.json', ...names.slice(1)].sort());
  });
});

