import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeDirectoryAtomically } from '../lib';

describe('writeDirectoryAtomically', () => {
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'out-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('replaces the directory as a whole', () => {
    const out = path.join(tmp, 'dist');
    writeDirectoryAtomically(out, (d) => fs.writeFileSync(path.join(d, 'old.yaml'), 'old'));
    writeDirectoryAtomically(out, (d) => fs.writeFileSync(path.join(d, 'new.yaml'), 'new'));
    expect(fs.readdirSync(out)).toEqual(['new.yaml']);
    expect(fs.statSync(out).mode & 0o777).toBe(0o755);
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
  });

  test('on failure keeps the old directory and removes the partial one', () => {
    const out = path.join(tmp, 'dist');
    writeDirectoryAtomically(out, (d) => fs.writeFileSync(path.join(d, 'a.yaml'), 'a'));
    expect(() => writeDirectoryAtomically(out, (d) => {
      fs.writeFileSync(path.join(d, 'half.yaml'), 'half');
      throw new Error('boom');
    })).toThrow('boom');
    expect(fs.readdirSync(out)).toEqual(['a.yaml']);
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
  });

  test('creates missing parents, and stages beside the target under the gitignored .<name>.staging-* name', () => {
    const out = path.join(tmp, 'a', 'b', 'dist');
    let staging = '';
    writeDirectoryAtomically(out, (d) => {
      staging = d;
      fs.writeFileSync(path.join(d, 'x.yaml'), 'x');
    });
    expect(path.dirname(staging)).toBe(path.join(tmp, 'a', 'b'));
    expect(path.basename(staging)).toMatch(/^\.dist\.staging-.{6}$/);
    expect(fs.readdirSync(out)).toEqual(['x.yaml']);
    expect(fs.readdirSync(path.join(tmp, 'a', 'b'))).toEqual(['dist']);
  });

  test('a failure on the first write leaves no directory at all', () => {
    const out = path.join(tmp, 'dist');
    expect(() => writeDirectoryAtomically(out, () => { throw new Error('boom'); })).toThrow('boom');
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  test('the error of produce is the one thrown, also when produce removed the staging directory itself', () => {
    const out = path.join(tmp, 'dist');
    expect(() => writeDirectoryAtomically(out, (d) => {
      fs.rmSync(d, { recursive: true });
      throw new Error('boom');
    })).toThrow('boom');
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});
