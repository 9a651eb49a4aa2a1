import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { contentTag } from '../../lib/deploy/content-tag';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'content-tag-'));
  write('Dockerfile', 'FROM python:3.12-slim\nCOPY . /app\n');
  write('app/main.py', 'print("hello")\n');
  write('.dockerignore', '# local files\nnode_modules\n**/__pycache__\n*.log\n!keep.log\n');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(file: string, text: string) {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
}

describe('contentTag', () => {
  test('is src- and 16 hex digits, the same for the same content', () => {
    const tag = contentTag(dir);
    expect(tag.tag).toMatch(/^src-[0-9a-f]{16}$/);
    expect(tag.digest.startsWith(tag.tag.slice(4))).toBe(true);
    expect(tag.files).toBe(3);
    expect(contentTag(dir)).toEqual(tag);
  });

  test('does not depend on where the context is or when its files were written', () => {
    const before = contentTag(dir).tag;
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'content-tag-copy-'));
    try {
      fs.cpSync(dir, copy, { recursive: true });
      expect(contentTag(copy).tag).toBe(before);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  test('changes with a file\'s content, a new file, a renamed file, and the executable bit', () => {
    const tags = new Set([contentTag(dir).tag]);
    write('app/main.py', 'print("changed")\n');
    tags.add(contentTag(dir).tag);
    write('app/extra.py', '');
    tags.add(contentTag(dir).tag);
    fs.renameSync(path.join(dir, 'app/extra.py'), path.join(dir, 'app/other.py'));
    tags.add(contentTag(dir).tag);
    fs.chmodSync(path.join(dir, 'app/other.py'), 0o755);
    tags.add(contentTag(dir).tag);
    expect(tags.size).toBe(5);
  });

  test('ignores what .dockerignore leaves out, and counts what it re-includes', () => {
    const before = contentTag(dir);
    write('node_modules/left-pad/index.js', 'module.exports = 1;\n');
    write('app/__pycache__/main.cpython-312.pyc', 'bytecode');
    write('debug.log', 'noise');
    expect(contentTag(dir)).toEqual(before);
    write('keep.log', 'kept');
    expect(contentTag(dir).tag).not.toBe(before.tag);
    expect(contentTag(dir).files).toBe(before.files + 1);
  });

  test('changes with the build arguments, whatever their order', () => {
    const a = contentTag(dir, { NEXT_PUBLIC_API_URL: 'http://192.168.49.2:30800', NEXT_PUBLIC_APP_URL: 'http://192.168.49.2:30300' });
    const b = contentTag(dir, { NEXT_PUBLIC_APP_URL: 'http://192.168.49.2:30300', NEXT_PUBLIC_API_URL: 'http://192.168.49.2:30800' });
    const c = contentTag(dir, { NEXT_PUBLIC_API_URL: 'http://192.168.58.2:30800', NEXT_PUBLIC_APP_URL: 'http://192.168.58.2:30300' });
    expect(a.tag).toBe(b.tag);
    expect(c.tag).not.toBe(a.tag);
    expect(a.tag).not.toBe(contentTag(dir).tag);
  });

  test('a symbolic link counts by its target, not followed', () => {
    fs.symlinkSync('main.py', path.join(dir, 'app/link.py'));
    const linked = contentTag(dir).tag;
    fs.rmSync(path.join(dir, 'app/link.py'));
    fs.symlinkSync('other.py', path.join(dir, 'app/link.py'));
    expect(contentTag(dir).tag).not.toBe(linked);
  });
});
