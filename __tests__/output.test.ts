import { spawn, spawnSync } from 'child_process';
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
    fs.mkdirSync(path.join(out, 'gone', 'deeper'), { recursive: true });
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
    expect(fs.readdirSync(tmp).sort()).toEqual(['.dist.gen', 'dist']);
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

  /** The pid of a process that has exited. */
  const deadPid = () => spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  /** A process that runs `script` (with `fs` and `path` in scope) and exits; its pid at once. */
  const background = (script: string) => {
    const child = spawn(process.execPath, ['-e', `const fs = require('fs'); const path = require('path'); ${script}`], { stdio: 'ignore' });
    return { pid: child.pid!, exited: new Promise<number | null>((resolve) => child.on('exit', resolve)) };
  };
  const lockFile = () => path.join(gens(), 'lock');
  const waitedTooLong = (pid: number | string) => `another synth (pid ${pid}) has been writing ${out} for more than 0 s; wait for it, or stop it (${lockFile()} holds its pid)`;

  test('fails when the lock stays held: the message names the holder, the time and the lock file', () => {
    write({ 'a.yaml': 'a' });
    fs.writeFileSync(lockFile(), `${process.ppid} 0123`);
    expect(() => writeDirectoryAtomically(out, () => undefined, { lockTimeoutMs: 100 })).toThrow(waitedTooLong(process.ppid));
    expect(() => restoreDirectory(path.join(tmp, 'gone'), { lockTimeoutMs: 100 })).not.toThrow();
    fs.rmSync(out, { recursive: true });
    expect(() => restoreDirectory(out, { lockTimeoutMs: 100 })).toThrow(waitedTooLong(process.ppid));
  });

  test('waits while a live writer holds the lock and writes once it is released', async () => {
    write({ 'a.yaml': 'a' });
    const holder = background(`setTimeout(() => fs.rmSync(${JSON.stringify(lockFile())}), 400);`);
    fs.writeFileSync(lockFile(), `${holder.pid} 0123`);
    write({ 'b.yaml': 'b' });
    expect(contents()).toEqual({ 'b.yaml': 'b' });
    expect(await holder.exited).toBe(0);
    expect(fs.existsSync(lockFile())).toBe(false);
  });

  test('restoreDirectory leaves alone a directory that the writer it waited for made meanwhile', async () => {
    write({ 'a.yaml': 'a' });
    fs.rmSync(out, { recursive: true });
    const holder = background(`setTimeout(() => { fs.mkdirSync(${JSON.stringify(out)}); fs.writeFileSync(path.join(${JSON.stringify(out)}, 'mine.yaml'), 'mine'); fs.rmSync(${JSON.stringify(lockFile())}); }, 400);`);
    fs.writeFileSync(lockFile(), `${holder.pid} 0123`);
    expect(restoreDirectory(out)).toBe(false);
    expect(await holder.exited).toBe(0);
    expect(contents()).toEqual({ 'mine.yaml': 'mine' });
  });

  type Stale = [string, () => void];
  test.each<Stale>([
    ['a lock of a process that exited', () => fs.writeFileSync(lockFile(), `${deadPid()} 0123`)],
    ['a lock without a pid', () => fs.writeFileSync(lockFile(), 'garbage')],
    ['a lock of pid 0', () => fs.writeFileSync(lockFile(), '0 0123')],
    ['an empty lock older than 5 s (its writer died before writing its pid)', () => {
      fs.writeFileSync(lockFile(), '');
      fs.utimesSync(lockFile(), new Date(Date.now() - 10_000), new Date(Date.now() - 10_000));
    }],
    ['a dead lock beside a takeover guard of a process that exited', () => {
      fs.writeFileSync(lockFile(), `${deadPid()} 0123`);
      fs.writeFileSync(`${lockFile()}.takeover`, deadPid());
    }],
    ['a dead lock beside an empty takeover guard older than 5 s', () => {
      fs.writeFileSync(lockFile(), `${deadPid()} 0123`);
      fs.writeFileSync(`${lockFile()}.takeover`, '');
      fs.utimesSync(`${lockFile()}.takeover`, new Date(Date.now() - 10_000), new Date(Date.now() - 10_000));
    }],
  ])('takes over %s', (_what, leave) => {
    write({ 'a.yaml': 'a' });
    leave();
    writeDirectoryAtomically(out, (d) => fs.writeFileSync(path.join(d, 'b.yaml'), 'b'), { lockTimeoutMs: 100 });
    expect(contents()).toEqual({ 'b.yaml': 'b' });
    expect(fs.readdirSync(gens()).sort()).toEqual(['current', fs.readlinkSync(path.join(gens(), 'current'))].sort());
  });

  test.each<[string, () => void, string]>([
    ['an empty lock younger than 5 s (its writer is about to write its pid)', () => fs.writeFileSync(lockFile(), ''), '0'],
    ['a dead lock that a live process is taking over', () => {
      fs.writeFileSync(lockFile(), `${deadPid()} 0123`);
      fs.writeFileSync(`${lockFile()}.takeover`, String(process.ppid));
    }, String(process.ppid)],
    ['a dead lock that a process is about to take over (empty guard younger than 5 s)', () => {
      fs.writeFileSync(lockFile(), `${deadPid()} 0123`);
      fs.writeFileSync(`${lockFile()}.takeover`, '');
    }, '0'],
  ])('waits, up to its timeout, for %s', (_what, leave, pid) => {
    write({ 'a.yaml': 'a' });
    leave();
    expect(() => writeDirectoryAtomically(out, () => undefined, { lockTimeoutMs: 100 })).toThrow(waitedTooLong(pid));
    expect(contents()).toEqual({ 'a.yaml': 'a' });
  });

  test('a write keeps the takeover guard of another process', () => {
    write({ 'a.yaml': 'a' });
    fs.writeFileSync(`${lockFile()}.takeover`, String(process.ppid));
    write({ 'b.yaml': 'b' });
    expect(fs.readdirSync(gens()).sort()).toEqual(['current', fs.readlinkSync(path.join(gens(), 'current')), 'lock.takeover'].sort());
  });

  test.each<[string, () => void, string]>([
    ['a file', () => fs.writeFileSync(out, 'x'), 'a file'],
    ['a symbolic link to a directory', () => {
      fs.mkdirSync(path.join(tmp, 'elsewhere'));
      fs.symlinkSync('elsewhere', out);
    }, 'a symbolic link'],
  ])('fails when the output is %s, and leaves it as it was', (_what, make, got) => {
    make();
    const before = fs.lstatSync(out);
    expect(() => write({ 'a.yaml': 'a' })).toThrow(`the output directory ${out} must be a directory (or not exist), got ${got}; move it away`);
    expect(fs.lstatSync(out).mtimeMs).toBe(before.mtimeMs);
    expect(fs.existsSync(gens())).toBe(false);
  });

  test('the staging directory is private (0700), the generation and the output readable (0755); a generations directory open to others is closed', () => {
    fs.mkdirSync(gens(), { mode: 0o755 });
    fs.chmodSync(gens(), 0o755);
    let staging = 0;
    writeDirectoryAtomically(out, (d) => {
      staging = fs.statSync(d).mode & 0o777;
      fs.writeFileSync(path.join(d, 'a.yaml'), 'a');
    });
    expect(staging).toBe(0o700);
    expect(fs.statSync(gens()).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(gens(), 'current')).mode & 0o777).toBe(0o755);
  });

  test('a link that already points the right way is left as it is', () => {
    write({ 'a.yaml': 'a', 'b.yaml': 'b' });
    const inode = fs.lstatSync(path.join(out, 'a.yaml')).ino;
    write({ 'a.yaml': 'a2', 'b.yaml': 'b2' });
    expect(fs.lstatSync(path.join(out, 'a.yaml')).ino).toBe(inode);
    expect(contents()).toEqual({ 'a.yaml': 'a2', 'b.yaml': 'b2' });
  });

  test('when linking the entries fails after the switch, current goes back to the old generation and the undo runs', () => {
    write({ 'a.yaml': 'a' });
    const previous = fs.readlinkSync(path.join(gens(), 'current'));
    const undo = jest.fn();
    // The output turns into a file while the new generation is produced: no link can go in it.
    expect(() => writeDirectoryAtomically(out, (d) => {
      fs.writeFileSync(path.join(d, 'b.yaml'), 'b');
      fs.rmSync(out, { recursive: true });
      fs.writeFileSync(out, 'not a directory');
    }, { beforeSwitch: () => undo })).toThrow(/ENOTDIR/);
    expect(undo).toHaveBeenCalledTimes(1);
    expect(fs.readlinkSync(path.join(gens(), 'current'))).toBe(previous);
    expect(fs.readdirSync(gens()).sort()).toEqual(['current', previous].sort());
  });

  test('when linking the entries of a first write fails, nothing is left of the generations', () => {
    expect(() => writeDirectoryAtomically(out, (d) => {
      fs.writeFileSync(path.join(d, 'b.yaml'), 'b');
      fs.writeFileSync(out, 'not a directory');
    })).toThrow(/ENOTDIR/);
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
  });

  test('a current link to a generation that is gone counts as no output', () => {
    write({ 'a.yaml': 'a' });
    const generation = fs.readlinkSync(path.join(gens(), 'current'));
    fs.rmSync(path.join(gens(), generation), { recursive: true });
    fs.rmSync(out, { recursive: true });
    expect(restoreDirectory(out)).toBe(false);
    expect(fs.existsSync(out)).toBe(false);
    write({ 'b.yaml': 'b' });
    expect(contents()).toEqual({ 'b.yaml': 'b' });
    expect(fs.readdirSync(gens()).sort()).toEqual(['current', fs.readlinkSync(path.join(gens(), 'current'))].sort());
  });

  test('restoreDirectory without a generation (an empty generations directory) puts nothing back', () => {
    fs.mkdirSync(gens());
    expect(restoreDirectory(out)).toBe(false);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('when beforeSwitch throws, the new generation is removed', () => {
    write({ 'a.yaml': 'a' });
    const previous = fs.readlinkSync(path.join(gens(), 'current'));
    expect(() => writeDirectoryAtomically(out, (d) => fs.writeFileSync(path.join(d, 'b.yaml'), 'b'), {
      beforeSwitch: () => {
        throw new Error('cannot save');
      },
    })).toThrow('cannot save');
    expect(fs.readdirSync(gens()).sort()).toEqual(['current', previous].sort());
  });

  test('a link that points elsewhere is replaced', () => {
    write({ 'a.yaml': 'a' });
    fs.writeFileSync(path.join(tmp, 'other.yaml'), 'other');
    fs.unlinkSync(path.join(out, 'a.yaml'));
    fs.symlinkSync(path.join('..', 'other.yaml'), path.join(out, 'a.yaml'));
    write({ 'a.yaml': 'a2' });
    expect(contents()).toEqual({ 'a.yaml': 'a2' });
  });

  test('while produce runs, the lock holds this process\'s pid', () => {
    let lock = '';
    writeDirectoryAtomically(out, () => {
      lock = fs.readFileSync(lockFile(), 'utf8');
    });
    expect(lock).toMatch(new RegExp(`^${process.pid} [0-9a-f]{16}$`));
    expect(fs.existsSync(lockFile())).toBe(false);
  });

  test('when the switch fails without beforeSwitch, its own error is thrown', () => {
    write({ 'a.yaml': 'a' });
    const current = path.join(gens(), 'current');
    const generation = path.join(gens(), fs.readlinkSync(current));
    fs.unlinkSync(current);
    fs.renameSync(generation, current);
    expect(() => write({ 'b.yaml': 'b' })).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(contents()).toEqual({ 'a.yaml': 'a' });
  });

  test('a dead lock is taken over at once, even with no time to wait', () => {
    write({ 'a.yaml': 'a' });
    fs.writeFileSync(lockFile(), `${deadPid()} 0123`);
    writeDirectoryAtomically(out, (d) => fs.writeFileSync(path.join(d, 'b.yaml'), 'b'), { lockTimeoutMs: 0 });
    expect(contents()).toEqual({ 'b.yaml': 'b' });
  });
});
