import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { keysSecretOf } from '../lib/keys-secret';
import { Rules } from '../lib/validation';

/**
 * The one-time command runs as a user runs it: in `sh`, with `openssl`, and a
 * stand-in `kubectl` first on PATH that records its arguments.
 */
describe('keysSecretOf', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keys-secret-'));
    fs.writeFileSync(path.join(dir, 'kubectl'), '#!/usr/bin/env node\nprocess.stdout.write(JSON.stringify(process.argv.slice(2)));\n', { mode: 0o755 });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (command: string): string[] => {
    const r = spawnSync('sh', ['-c', command], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH}` } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return JSON.parse(r.stdout);
  };

  test('the command creates the Secret in the namespace with a random key of 256 bits per key, in the constructs\' form', () => {
    const secret = keysSecretOf('todo-backend', 'shop', ['JWT_SECRET', 'OTHER_KEY'])!;
    expect(secret).toMatchObject({ name: 'todo-backend-keys', namespace: 'shop', keys: ['JWT_SECRET', 'OTHER_KEY'] });
    const first = run(secret.createCommand);
    const second = run(secret.createCommand);
    expect(first.slice(0, 6)).toEqual(['create', 'secret', 'generic', 'todo-backend-keys', '--namespace', 'shop']);
    const values = (args: string[]) => args.slice(6).map((arg) => /^--from-literal=([A-Z_]+)=(.*)$/.exec(arg)!.slice(1));
    expect(values(first).map(([key]) => key)).toEqual(['JWT_SECRET', 'OTHER_KEY']);
    for (const [, value] of [...values(first), ...values(second)]) {
      expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(value, 'base64url')).toHaveLength(32);
      expect(Rules.secret.test(value)).toBe(true);
    }
    expect(new Set([...values(first), ...values(second)].map(([, v]) => v)).size).toBe(4);
  });

  test('no keys, no Secret', () => {
    expect(keysSecretOf('todo-frontend', 'default', [])).toBeUndefined();
  });
});
