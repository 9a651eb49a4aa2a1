import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generationsDir, restoreDirectory, writeDirectoryAtomically } from '../lib/output';

describe('writeDirectoryAtomically', () => {
  let tmp: string;
  let out: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'out-'));
    out = path.join(tmp, 'dist');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const write = (files: { [name: string]: string }) => writeDirectoryAtomically(out, (d) => {
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(d, name)), { recursive: true });
      fs.writeFileSync(path.join(d, name), text);
    }
  });
  /** Every file under the output, read through its links. */
  const contents = (dir = out, prefix = ''): { [name: string]: string } => Object.assign({}, ...fs.readdirSync(dir).sort().map((name) => {
    const p = path.join(dir, name);
    return fs.statSync(p).isDirectory() ? contents(p, `${prefix}${name}/`) : { [`${prefix}${name}`]: fs.readFileSync(p, 'utf8') };
  }));
  const gens = () => generationsDir(out);

  test('replaces the directory as a whole: a directory of links through the current generation', () => {
    write({ 'old.yaml': 'old', 'helm/a/Chart.yaml': 'a' });
    write({ 'new.yaml': 'new', 'helm/b/Chart.yaml': 'b' });
    expect(contents()).toEqual({ 'new.yaml': 'new', 'helm/b/Chart.yaml': 'b' });
    expect(fs.statSync(out).mode & 0o777).toBe(0o755);
    expect(fs.readlinkSync(path.join(out, 'new.yaml'))).toBe(path.join('..', '.dist.gen', 'current', 'new.yaml'));
    expect(fs.readdirSync(tmp).sort()).toEqual(['.dist.gen', 'dist']);
    // Private to the owner (the output holds Secrets); only the generation in use is kept.
    expect(fs.statSync(gens()).mode & 0o777).toBe(0o700);
    const left = fs.readdirSync(gens()).sort();
    expect(left).toEqual(['current', fs.readlinkSync(path.join(gens(), 'current'))].sort());
  });

  test('on failure keeps the old directory byte for byte and removes the partial one', () => {
    write({ 'a.yaml': 'a' });
    const links = fs.readdirSync(out).map((n) => fs.readlinkSync(path.join(out, n)));
    expect(() => writeDirectoryAtomically(out, (d) => {
      fs.writeFileSync(path.join(d, 'half.yaml'), 'half');
      throw new Error('boom');
    })).toThrow('boom');
    expect(contents()).toEqual({ 'a.yaml': 'a' });
    expect(fs.readdirSync(out).map((n) => fs.readlinkSync(path.join(out, n)))).toEqual(links);
    expect(fs.readdirSync(gens())).toHaveLength(2);
  });

  test('a failed first write leaves no directory at all', () => {
    expect(() => writeDirectoryAtomically(out, () => {
      throw new Error('boom');
    })).toThrow('boom');
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  test('beforeSwitch runs once the output is complete; when it throws, the old output stays', () => {
    write({ 'a.yaml': 'a' });
    const seen: string[] = [];
    expect(() => writeDirectoryAtomically(out, (d) => fs.writeFileSync(path.join(d, 'b.yaml'), 'b'), {
      beforeSwitch: () => {
        seen.push(...fs.readdirSync(gens()).filter((e) => e.startsWith('g-')));
        throw new Error('cannot save');
      },
    })).toThrow('cannot save');
    expect(seen).toHaveLength(2);
    expect(contents()).toEqual({ 'a.yaml': 'a' });
  });

  test('when the switch fails, what beforeSwitch did is undone and the old output stays', () => {
    write({ 'a.yaml': 'a' });
    // `current` made a real directory (same content): renaming the new link over it fails.
    const current = path.join(gens(), 'current');
    const generation = path.join(gens(), fs.readlinkSync(current));
    fs.unlinkSync(current);
    fs.renameSync(generation, current);
    const undo = jest.fn();
    expect(() => writeDirectoryAtomically(out, (d) => fs.writeFileSync(path.join(d, 'b.yaml'), 'b'), { beforeSwitch: () => undo })).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(undo).toHaveBeenCalledTimes(1);
    expect(contents()).toEqual({ 'a.yaml': 'a' });
    expect(fs.readdirSync(gens()).sort()).toEqual(['current']);
  });

  test('output of the earlier layout (real files and directories) is replaced by links', () => {
    fs.mkdirSync(path.join(out, 'helm', 'x'), { recursive: true });
    fs.writeFileSync(path.join(out, 'todo.k8s.yaml'), 'old');
    fs.writeFileSync(path.join(out, 'gone.yaml'), 'gone');
    write({ 'todo.k8s.yaml': 'new', 'helm/b.yaml': 'b' });
    expect(contents()).toEqual({ 'todo.k8s.yaml': 'new', 'helm/b.yaml': 'b' });
    expect(fs.readdirSync(out).every((n) => fs.lstatSync(path.join(out, n)).isSymbolicLink())).toBe(true);
  });

  test('leftovers of a killed write (staging directory, lock of a dead process) are cleaned by the next write', () => {
    write({ 'a.yaml': 'a' });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    fs.writeFileSync(path.join(gens(), 'lock'), `${dead} 0123`);
    fs.mkdirSync(path.join(gens(), 's-killed'), { mode: 0o700 });
    fs.writeFileSync(path.join(gens(), 's-killed', 'todo.k8s.yaml'), 'secret');
    fs.mkdirSync(path.join(gens(), 'g-unused'));
    write({ 'b.yaml': 'b' });
    expect(contents()).toEqual({ 'b.yaml': 'b' });
    expect(fs.readdirSync(gens()).sort()).toEqual(['current', fs.readlinkSync(path.join(gens(), 'current'))].sort());
  });

  test('waits for a live writer and says which one when it waits too long', () => {
    write({ 'a.yaml': 'a' });
    fs.writeFileSync(path.join(gens(), 'lock'), `${process.ppid} 0123`);
    expect(() => writeDirectoryAtomically(out, () => undefined, { lockTimeoutMs: 100 })).toThrow(`another synth (pid ${process.ppid}) has been writing ${out}`);
    expect(contents()).toEqual({ 'a.yaml': 'a' });
  });

  test('restoreDirectory puts a removed output directory back from its generation', () => {
    write({ 'a.yaml': 'a', 'helm/c.yaml': 'c' });
    fs.rmSync(out, { recursive: true });
    expect(restoreDirectory(out)).toBe(true);
    expect(contents()).toEqual({ 'a.yaml': 'a', 'helm/c.yaml': 'c' });
    expect(restoreDirectory(out)).toBe(false);
    expect(restoreDirectory(path.join(tmp, 'never'))).toBe(false);
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  });

  test('creates missing parents, and stages inside the private generations directory beside the target', () => {
    const out = path.join(tmp, 'a', 'b', 'dist');
    let staging = '';
    writeDirectoryAtomically(out, (d) => {
      staging = d;
      fs.writeFileSync(path.join(d, 'x.yaml'), 'x');
    });
    expect(path.dirname(staging)).toBe(generationsDir(out));
    expect(path.dirname(generationsDir(out))).toBe(path.join(tmp, 'a', 'b'));
    expect(fs.readdirSync(out)).toEqual(['x.yaml']);
    expect(fs.readdirSync(path.join(tmp, 'a', 'b')).sort()).toEqual([path.basename(generationsDir(out)), 'dist'].sort());
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
