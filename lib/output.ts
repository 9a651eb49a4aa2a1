import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** Options of {@link writeDirectoryAtomically}. */
export interface WriteDirectoryOptions {
  /**
   * Called once the new output is complete, just before it replaces the old
   * one (for instance to save newly generated secrets). When it returns a
   * function, that function is called if the replacement then fails, to undo
   * what it did. When it throws, the old output stays.
   *
   * @default - nothing
   */
  readonly beforeSwitch?: () => (() => void) | void;
  /**
   * How long to wait, in milliseconds, for another synth that is writing the
   * same directory.
   *
   * @default 120000
   */
  readonly lockTimeoutMs?: number;
}

/**
 * Writes files into `dir`: contents by path relative to `dir` (`/`-separated).
 * Each directory is created once (with its parents, if needed), not once per
 * file: a Helm chart has a dozen files in three directories.
 */
export function writeFiles(dir: string, files: { readonly [file: string]: string }): void {
  const made = new Set<string>();
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(dir, file);
    const parent = path.dirname(target);
    if (!made.has(parent)) {
      fs.mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    fs.writeFileSync(target, content);
  }
}

/** The link, in the generations directory, to the generation in use. */
const CURRENT = 'current';
/** The lock file, in the generations directory: the pid of the synth holding it. */
const LOCK = 'lock';

/**
 * Where the generations of `outdir` are kept: `.<name>.gen` beside it
 * (`dist` -> `.dist.gen`). Readable by its owner only, as the output holds
 * the values of Secrets.
 */
export function generationsDir(outdir: string): string {
  const target = path.resolve(outdir);
  return path.join(path.dirname(target), `.${path.basename(target)}.gen`);
}

/**
 * Writes a directory all at once, so that readers only ever see the old
 * output or the new, complete one, and a failure or a kill at any moment
 * leaves the old output as it was (or, when there was none, no directory).
 *
 * `produce` fills a fresh staging directory (mode 0700) inside the
 * generations directory ({@link generationsDir}, mode 0700). The finished
 * staging directory becomes a generation `g-<id>`, and the link
 * `current` is switched to it by one rename. `outdir` itself is a real
 * directory whose entries are links through `current`
 * (`dist/todo.k8s.yaml -> ../.dist.gen/current/todo.k8s.yaml`), so the
 * switch changes all of them at once. A lock file holding the pid serializes
 * concurrent writers of the same directory (the lock of a process that no
 * longer runs is taken over); each write removes the generations and
 * staging directories that earlier writes left behind (killed ones too).
 *
 * @throws Error when `produce` or `beforeSwitch` throws (the old output is kept), or when the lock stays held longer than `lockTimeoutMs`
 */
export function writeDirectoryAtomically(outdir: string, produce: (staging: string) => void, options: WriteDirectoryOptions = {}): void {
  const target = path.resolve(outdir);
  const gens = openGenerations(target);
  try {
    withLock(gens, target, options.lockTimeoutMs ?? 120_000, () => write(target, gens, produce, options));
  } catch (e) {
    removeIfUnused(gens);
    throw e;
  }
}

function write(target: string, gens: string, produce: (staging: string) => void, options: WriteDirectoryOptions): void {
  {
    checkTarget(target);
    const previous = currentGeneration(gens);
    clean(gens, previous);
    const id = newId();
    const staging = path.join(gens, `s-${id}`);
    fs.mkdirSync(staging, { mode: 0o700 });
    try {
      produce(staging);
    } catch (e) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw e;
    }
    const generation = `g-${id}`;
    fs.renameSync(staging, path.join(gens, generation));
    fs.chmodSync(path.join(gens, generation), 0o755);
    let undo: (() => void) | void;
    try {
      undo = options.beforeSwitch?.();
    } catch (e) {
      // Stryker disable next-line BooleanLiteral: the generation was made above, so force changes nothing
      fs.rmSync(path.join(gens, generation), { recursive: true, force: true });
      throw e;
    }
    try {
      switchCurrent(gens, generation);
      try {
        // Stryker disable next-line MethodExpression: the links are the same in any order; sorting only fixes the order of the work
        linkEntries(target, gens, fs.readdirSync(path.join(gens, generation)).sort());
      } catch (e) {
        if (previous) {
          switchCurrent(gens, previous);
        } else {
          // Stryker disable next-line ObjectLiteral,BooleanLiteral: current was switched just above, so force changes nothing
          fs.rmSync(path.join(gens, CURRENT), { force: true });
        }
        throw e;
      }
    } catch (e) {
      undo?.();
      // Stryker disable next-line BooleanLiteral: the generation was made above, so force changes nothing
      fs.rmSync(path.join(gens, generation), { recursive: true, force: true });
      throw e;
    }
    if (previous) {
      // Stryker disable next-line BooleanLiteral: the previous generation exists (currentGeneration checked it), so force changes nothing
      fs.rmSync(path.join(gens, previous), { recursive: true, force: true });
    }
  }
}

/** After a failed first write: no generation, no lock, nothing else, so no directory either. */
function removeIfUnused(gens: string): void {
  try {
    // Stryker disable next-line ConditionalExpression: rmdir of a directory in use fails and is ignored below; the check only saves the throw
    if (fs.readdirSync(gens).length === 0) {
      fs.rmdirSync(gens);
    }
  } catch {
    // In use by another synth, or already gone.
  }
}

/**
 * Puts `outdir` back from its current generation when the directory is
 * missing (`cdk8s synth --output DIR` removes DIR before the app runs; the
 * generations beside it survive). Does nothing when `outdir` exists or was
 * never written.
 *
 * @returns whether the directory was put back
 */
export function restoreDirectory(outdir: string, options: Pick<WriteDirectoryOptions, 'lockTimeoutMs'> = {}): boolean {
  const target = path.resolve(outdir);
  const gens = generationsDir(target);
  if (fs.existsSync(target) || !fs.existsSync(gens)) {
    return false;
  }
  let restored = false;
  withLock(gens, target, options.lockTimeoutMs ?? 120_000, () => {
    const current = currentGeneration(gens);
    if (current && !fs.existsSync(target)) {
      // Stryker disable next-line MethodExpression: the links are the same in any order; sorting only fixes the order of the work
      linkEntries(target, gens, fs.readdirSync(path.join(gens, current)).sort());
      restored = true;
    }
  });
  return restored;
}

function openGenerations(target: string): string {
  const gens = generationsDir(target);
  fs.mkdirSync(gens, { recursive: true, mode: 0o700 });
  // Stryker disable next-line ConditionalExpression: chmod 0700 of a directory already 0700 changes nothing (the check only saves a call)
  if ((fs.statSync(gens).mode & 0o077) !== 0) {
    fs.chmodSync(gens, 0o700);
  }
  return gens;
}

function checkTarget(target: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(target);
  } catch (e) {
    // Stryker disable next-line ConditionalExpression: any other error of lstat (ENOTDIR, ELOOP, ENAMETOOLONG, EACCES) has already failed openGenerations beside the target
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return;
    }
    throw e;
  }
  if (!stat.isDirectory()) {
    throw new Error(`the output directory ${target} must be a directory (or not exist), got ${stat.isSymbolicLink() ? 'a symbolic link' : 'a file'}; move it away`);
  }
}

/** The generation `current` links to, if any. */
function currentGeneration(gens: string): string | undefined {
  try {
    const name = fs.readlinkSync(path.join(gens, CURRENT));
    return fs.existsSync(path.join(gens, name)) ? name : undefined;
  } catch {
    // No link: no generation.
  }
  return undefined;
}

/** Removes everything in the generations directory but the current generation and the lock. */
function clean(gens: string, keep: string | undefined): void {
  for (const entry of fs.readdirSync(gens)) {
    if (entry !== CURRENT && entry !== keep && entry !== LOCK && !entry.startsWith(`${LOCK}.`)) {
      // Stryker disable next-line BooleanLiteral: readdir just listed the entry, so force changes nothing
      fs.rmSync(path.join(gens, entry), { recursive: true, force: true });
    }
  }
}

function switchCurrent(gens: string, generation: string): void {
  const link = path.join(gens, `c-${newId()}`);
  fs.symlinkSync(generation, link);
  try {
    fs.renameSync(link, path.join(gens, CURRENT));
  } catch (e) {
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: the link was made just above, so force changes nothing
    fs.rmSync(link, { force: true });
    throw e;
  }
}

/**
 * Makes `target` a directory of links `name -> <gens>/current/name`, one per
 * name, and nothing else. A missing `target` is built aside and renamed into
 * place; in an existing one, a link that is already right is left alone, the
 * others are replaced one by one by rename.
 */
function linkEntries(target: string, gens: string, names: readonly string[]): void {
  const via = path.join(path.relative(path.dirname(target), gens), CURRENT);
  const linkTarget = (name: string) => path.join('..', via, name);
  if (!fs.existsSync(target)) {
    const built = path.join(gens, `l-${newId()}`);
    // Stryker disable next-line ObjectLiteral: chmodSync below sets the mode whatever the umask
    fs.mkdirSync(built, { mode: 0o755 });
    fs.chmodSync(built, 0o755);
    for (const name of names) {
      fs.symlinkSync(linkTarget(name), path.join(built, name));
    }
    fs.renameSync(built, target);
    return;
  }
  for (const name of names) {
    const entry = path.join(target, name);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.lstatSync(entry);
    } catch {
      // No entry of that name yet: stat stays undefined.
    }
    if (stat?.isSymbolicLink() && fs.readlinkSync(entry) === linkTarget(name)) {
      continue;
    }
    const link = path.join(gens, `t-${newId()}`);
    fs.symlinkSync(linkTarget(name), link);
    try {
      if (stat?.isDirectory()) {
        // A real directory (output of an earlier version) cannot be replaced by rename.
        fs.renameSync(entry, path.join(gens, `x-${newId()}`));
      }
      fs.renameSync(link, entry);
    } catch (e) {
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: the link was made just above, so force changes nothing
      fs.rmSync(link, { force: true });
      throw e;
    }
  }
  const wanted = new Set(names);
  for (const entry of fs.readdirSync(target)) {
    if (!wanted.has(entry)) {
      const aside = path.join(gens, `x-${newId()}`);
      fs.renameSync(path.join(target, entry), aside);
      // Stryker disable next-line BooleanLiteral: the entry was just renamed to aside, so force changes nothing
      fs.rmSync(aside, { recursive: true, force: true });
    }
  }
}

function newId(): string {
  return `${Date.now().toString(36)}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

// --- the lock ----------------------------------------------------------------

/**
 * Runs `action` holding the lock file `<dir>/lock` (made with `dir` when
 * missing): the pid of the holder and a token. A lock whose holder no longer
 * runs is taken over; a live holder is waited for, up to `timeoutMs`.
 * Besides the generations of an output directory, scripts/synth.js locks
 * whole `cdk8s synth` runs with it.
 *
 * @param dir the directory of the lock file
 * @param target what the lock guards, as the timeout's error names it
 * @throws Error when the lock stays held longer than `timeoutMs`, or what `action` throws
 */
export function withLock(dir: string, target: string, timeoutMs: number, action: () => void): void {
  const file = path.join(dir, LOCK);
  const token = `${process.pid} ${randomBytes(8).toString('hex')}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(file, token, { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        // A failed first write removed the generations directory meanwhile (or it was never made).
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        continue;
      }
      if (code !== 'EEXIST') {
        throw e;
      }
    }
    const holder = readText(file);
    if (holder === undefined) {
      continue;
    }
    let pid = Number(holder.split(' ')[0]);
    if (holder === '' ? olderThan(file, 5000) : !alive(pid)) {
      const taker = takeOver(file, holder);
      if (taker === undefined) {
        continue;
      }
      // Another process is taking the lock over: wait for it, as for a holder.
      pid = taker;
    }
    if (Date.now() > deadline) {
      throw new Error(`another synth (pid ${pid}) has been writing ${target} for more than ${Math.round(timeoutMs / 1000)} s; wait for it, or stop it (${file} holds its pid)`);
    }
    sleep(25);
  }
  try {
    action();
  } finally {
    if (readText(file) === token) {
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: the lock holds our token (read just above), so force changes nothing
      fs.rmSync(file, { force: true });
    }
  }
}

/**
 * Removes a lock whose holder no longer runs, unless another process took it
 * over first.
 *
 * @returns the pid of a live process that is taking the lock over (the caller waits for it, up to its timeout), or undefined when the caller may try again at once
 */
function takeOver(file: string, holder: string): number | undefined {
  const guard = `${file}.takeover`;
  try {
    fs.writeFileSync(guard, String(process.pid), { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw e;
    }
    const other = readText(guard);
    if (other === undefined) {
      return undefined;
    }
    if (other === '' ? olderThan(guard, 5000) : !alive(Number(other))) {
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: the guard was read just above, so force changes nothing
      fs.rmSync(guard, { force: true });
      return undefined;
    }
    return Number(other);
  }
  try {
    if (readText(file) === holder) {
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: the lock was read just above, so force changes nothing
      fs.rmSync(file, { force: true });
    }
  } finally {
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: the guard was made above by this process, so force changes nothing
    fs.rmSync(guard, { force: true });
  }
  return undefined;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    // Gone meanwhile: no text.
  }
  return undefined;
}

function olderThan(file: string, ms: number): boolean {
  try {
    return Date.now() - fs.statSync(file).mtimeMs > ms;
  } catch {
    // Gone meanwhile: not older.
  }
  return false;
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Stryker disable next-line BlockStatement: without it the loops wait busily, with the same outcome
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
