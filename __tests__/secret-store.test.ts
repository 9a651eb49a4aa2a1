import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveLocalSecrets } from '../lib';

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
    expect(Buffer.from(first.jwtSecret!, 'base64url')).toHaveLength(32);
    expect(Buffer.from(first.betterAuthSecret!, 'base64url')).toHaveLength(32);
    expect(first.jwtSecret).not.toEqual(first.betterAuthSecret);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(resolveLocalSecrets(file, {}).secrets).toEqual(first);
    expect(resolveLocalSecrets(file, {}).generated).toBe(false);
  });

  test('values from the environment win and are not written to the file', () => {
    const jwt = 'e'.repeat(40);
    const plan = resolveLocalSecrets(file, { jwtSecret: jwt, anthropicApiKey: 'sk-x' });
    plan.save();
    const result = plan.secrets;
    expect(result.jwtSecret).toBe(jwt);
    expect(result.anthropicApiKey).toBe('sk-x');
    expect(fs.readFileSync(file, 'utf8')).not.toContain(jwt);
    expect(Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')))).toEqual(['BETTER_AUTH_SECRET']);
  });

  test('nothing is written when the environment gives both keys', () => {
    resolveLocalSecrets(file, { jwtSecret: 'e'.repeat(40), betterAuthSecret: 'f'.repeat(40) }).save();
    expect(fs.existsSync(file)).toBe(false);
  });

  test('fails when the file is not JSON, naming the file', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'not json');
    expect(() => resolveLocalSecrets(file, {})).toThrow(`'TODO_SECRETS_FILE' (${file}) must hold a JSON object of secrets; delete it to generate new ones`);
  });

  test('fails when a stored key is too short', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ JWT_SECRET: 'short' }));
    expect(() => resolveLocalSecrets(file, {})).toThrow(`'JWT_SECRET in ${file}' must be a secret of at least 32 characters without whitespace, got a value of 5 characters`);
  });
});
