import { spawn, spawnSync, SpawnSyncReturns } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

/** A copy of the project where `npm run synth` and `cdk8s synth` run as a user runs them. */
export interface ProjectCopy {
  readonly dir: string;
  /** The environment of its commands: no TODO_* or secrets of the caller, a private HOME. */
  readonly env: NodeJS.ProcessEnv;
  run(command: string, args: string[], extraEnv?: NodeJS.ProcessEnv): SpawnSyncReturns<string>;
  remove(): void;
}

/**
 * Copies what the synth needs (sources, cdk8s.yaml, package.json) into a
 * temporary directory; node_modules is linked package by package, so the
 * copy's synth bundles main.ts into, and uses as its scratch directory, its
 * own node_modules/.cache.
 */
export function copyProject(): ProjectCopy {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'project-'));
  for (const entry of ['cdk8s.yaml', 'package.json', 'main.ts', 'tsconfig.json', 'lib', 'imports', 'scripts', 'config']) {
    if (fs.existsSync(path.join(ROOT, entry))) {
      fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
    }
  }
  fs.mkdirSync(path.join(dir, 'node_modules'));
  for (const entry of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    if (entry !== '.cache') {
      fs.symlinkSync(path.join(ROOT, 'node_modules', entry), path.join(dir, 'node_modules', entry));
    }
  }
  const home = path.join(dir, '.home');
  fs.mkdirSync(home);
  // cdk8s-cli's upgrade check reads this cache before it would go to the
  // network: a check that runs says so on stderr, offline.
  fs.writeFileSync(path.join(home, '.cdk8s-cli.version'), '99.0.0');
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(TODO_|CDK8S_|JWT_SECRET$|BETTER_AUTH_SECRET$|ANTHROPIC_API_KEY$|DATABASE_URL$|npm_)/.test(k)) {
      env[k] = v;
    }
  }
  Object.assign(env, { HOME: home, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' });
  return {
    dir,
    env,
    run: (command, args, extraEnv = {}) => spawnSync(command, args, { cwd: dir, encoding: 'utf8', env: { ...env, ...extraEnv }, maxBuffer: 64 * 1024 * 1024 }),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Starts `npm run synth` in its own process group (to be killed as a whole). */
export function startSynth(project: ProjectCopy, extraEnv: NodeJS.ProcessEnv = {}) {
  return spawn('npm', ['run', '--silent', 'synth'], { cwd: project.dir, env: { ...project.env, ...extraEnv }, detached: true, stdio: 'ignore' });
}

/**
 * A hash of a directory tree as a reader sees it: every path, and every
 * file's content, read through links (the links' own targets count too).
 * Undefined when the directory does not exist.
 */
export function treeHash(dir: string): string | undefined {
  if (!fs.existsSync(dir)) {
    return undefined;
  }
  const hash = createHash('sha256');
  const walk = (d: string, prefix: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const lstat = fs.lstatSync(p);
      hash.update(`${prefix}${name}${lstat.isSymbolicLink() ? ` -> ${fs.readlinkSync(p)}` : ''}\n`);
      if (fs.statSync(p).isDirectory()) {
        walk(p, `${prefix}${name}/`);
      } else {
        hash.update(fs.readFileSync(p));
      }
    }
  };
  walk(dir, '');
  return hash.digest('hex');
}

/** Stack-trace lines that point at the project's own code (main.ts, lib/, scripts/, its bundle). */
export function ownStackLines(output: string): string[] {
  return output.split('\n').filter((line) => /^\s+at /.test(line) && /(main\.[tj]s|[/\\]lib[/\\](?!util\.js)|[/\\]scripts[/\\]|todo-cdk8s[/\\]main\.js)/.test(line) && !line.includes('node_modules/cdk8s-cli'));
}
