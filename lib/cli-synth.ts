import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { restoreDirectory } from './output';
import { Environment } from './settings';
import { plainManifests, synthesize, synthesizeManifests } from './synth';

/** Where the default app writes when `cdk8s synth` runs it with the `output:` of cdk8s.yaml. */
export const DEFAULT_OUTDIR = 'dist';

/** How the app was started, read from `CDK8S_OUTDIR` (see {@link cliMode}). */
export enum CliMode {
  /** Not by the cdk8s CLI (no `CDK8S_OUTDIR`): write {@link DEFAULT_OUTDIR}. */
  DIRECT = 'direct',
  /** `cdk8s synth`: the CLI's outdir is the scratch directory of cdk8s.yaml; write {@link DEFAULT_OUTDIR}. */
  SCRATCH = 'scratch',
  /** `cdk8s synth --stdout`: the CLI's outdir is a fresh temporary directory whose files it prints. */
  STDOUT = 'stdout',
  /** `cdk8s synth --output DIR`: write DIR (which the CLI has just removed). */
  OUTPUT_DIR = 'output-dir',
}

/** What the app should do for the CLI. */
export interface CliTarget {
  readonly mode: CliMode;
  /** The directory the CLI reads (`CDK8S_OUTDIR`), when it runs the app. */
  readonly cliOutdir?: string;
  /** Where the full output goes; undefined for {@link CliMode.STDOUT}. */
  readonly outdir?: string;
}

/**
 * Tells how `cdk8s synth` runs the app. The CLI removes its output directory
 * before it runs the app and lists (or, with `--stdout`, prints) every
 * `.yaml` file the app leaves there, so the app does not write its real
 * output there: cdk8s.yaml's `output:` names a scratch directory that the
 * CLI owns, and the app writes `dist/` itself. With `--stdout` the CLI passes
 * a directory it has just created in the system's temporary directory
 * (`cdk8s-XXXXXX`, empty); with `--output DIR` it passes DIR.
 *
 * @param env the app's environment (`CDK8S_OUTDIR`)
 * @param cwd the project directory, where cdk8s.yaml is
 */
export function cliMode(env: Environment, cwd: string = process.cwd()): CliTarget {
  const cliOutdir = env.CDK8S_OUTDIR;
  if (cliOutdir === undefined || cliOutdir === '') {
    return { mode: CliMode.DIRECT, outdir: path.resolve(cwd, DEFAULT_OUTDIR) };
  }
  const resolved = path.resolve(cwd, cliOutdir);
  const scratch = configuredOutput(cwd);
  if (scratch !== undefined && path.resolve(cwd, scratch) === resolved) {
    return { mode: CliMode.SCRATCH, cliOutdir: resolved, outdir: path.resolve(cwd, DEFAULT_OUTDIR) };
  }
  if (isCliTempDir(resolved)) {
    return { mode: CliMode.STDOUT, cliOutdir: resolved };
  }
  return { mode: CliMode.OUTPUT_DIR, cliOutdir: resolved, outdir: resolved };
}

/**
 * Runs the default app for the cdk8s CLI (or directly), as {@link cliMode}
 * tells:
 *
 * - `cdk8s synth`: {@link synthesize} into `dist/`, then links to the plain
 *   manifests (`dist/*.k8s.yaml`) in the CLI's scratch directory, so the CLI
 *   lists the Kubernetes manifests and nothing else;
 * - `cdk8s synth --stdout`: the plain manifests as one YAML stream
 *   ({@link synthesizeManifests}) in the CLI's directory; `dist/` is not
 *   touched;
 * - `cdk8s synth --output DIR`: {@link synthesize} into DIR; on failure DIR
 *   is put back from its last generation ({@link restoreDirectory}).
 *
 * @throws Error when the synth fails (the message names the setting, the value and what is allowed)
 */
export function synthesizeForCli(env: Environment, cwd: string = process.cwd()): CliTarget {
  const target = cliMode(env, cwd);
  switch (target.mode) {
    case CliMode.STDOUT:
      fs.writeFileSync(path.join(target.cliOutdir!, 'todo.k8s.yaml'), synthesizeManifests({ env }));
      break;
    case CliMode.OUTPUT_DIR:
      try {
        synthesize({ outdir: target.outdir!, env });
      } catch (e) {
        try {
          restoreDirectory(target.outdir!);
        } catch {
          // The synth's own error says more than a failed restore.
        }
        throw e;
      }
      break;
    case CliMode.SCRATCH:
      synthesize({ outdir: target.outdir!, env });
      publishManifests(target.cliOutdir!, target.outdir!);
      break;
    default:
      synthesize({ outdir: target.outdir!, env });
  }
  return target;
}

/** cdk8s.yaml's `output:`, if any. */
function configuredOutput(cwd: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(cwd, 'cdk8s.yaml'), 'utf8');
  } catch {
    return undefined;
  }
  const match = /^output:[ \t]*['"]?([^'"\s#]+)['"]?[ \t]*(#.*)?$/m.exec(text);
  return match?.[1];
}

/** A directory that cdk8s-cli's `mkdtemp` just made for `--stdout`: `<tmpdir>/cdk8s-XXXXXX`, empty. */
function isCliTempDir(dir: string): boolean {
  if (!/^cdk8s-[A-Za-z0-9]{6}$/.test(path.basename(dir))) {
    return false;
  }
  try {
    return fs.realpathSync(path.dirname(dir)) === fs.realpathSync(os.tmpdir()) && fs.statSync(dir).isDirectory() && fs.readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

/**
 * Points the CLI's scratch directory at a fresh directory of links to the
 * plain manifests of `outdir`. The scratch path itself is a link, switched
 * by rename: the CLI of a concurrent synth removes it with one unlink, never
 * half-way through a directory this synth is filling.
 */
function publishManifests(scratch: string, outdir: string): void {
  const runs = `${scratch}.runs`;
  fs.mkdirSync(runs, { recursive: true });
  for (const entry of fs.readdirSync(runs)) {
    const stale = path.join(runs, entry);
    try {
      if (Date.now() - fs.lstatSync(stale).mtimeMs > 60_000) {
        fs.rmSync(stale, { recursive: true, force: true });
      }
    } catch {
      // Removed by a concurrent synth.
    }
  }
  const id = `${Date.now().toString(36)}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const run = path.join(runs, id);
  fs.mkdirSync(run);
  for (const name of plainManifests(outdir)) {
    fs.symlinkSync(path.relative(run, path.join(outdir, name)), path.join(run, name));
  }
  const link = `${scratch}.${id}.tmp`;
  fs.symlinkSync(path.relative(path.dirname(scratch), run), link);
  try {
    if (fs.lstatSync(scratch).isDirectory()) {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  } catch {
    // Not there: the CLI removed it.
  }
  fs.renameSync(link, scratch);
}
