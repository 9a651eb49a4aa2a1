/**
 * The README is tested: its tables against the code, and every fenced code
 * block by what the block is.
 *
 * Each code block needs a classification: an HTML comment on the line right
 * before its opening fence (invisible on GitHub). A block without one, or with
 * one that does not fit its language, fails "every code block is classified",
 * naming its line, so a new block cannot slip in untested.
 *
 *   <!-- readme: run -->
 *     `sh`: the block runs, line by line in one bash, in the sandbox (below);
 *     every command line must exit 0, and the project paths it names (such
 *     as `dist/helm/backend`, in commands or comments) must exist after it.
 *     The cluster starts empty.
 *     `ts`: a complete program: type-checked against the library (`todo-cdk8s`
 *     is lib/index.ts) and run (below).
 *   <!-- readme: run, continued -->
 *     `sh`: as `run`, on the pretend cluster the block before left (a Helm
 *     release to upgrade, a kept claim to delete).
 *   <!-- readme: run with prelude NAME, ... -->
 *     `ts` fragment: the PRELUDES of this file (declared here, not in the
 *     README) go around it, then as `run`.
 *   <!-- readme: transcript -->
 *     Lines `$ COMMAND` run in the sandbox; the lines after each must be
 *     exactly what it printed (stdout and stderr).
 *   <!-- readme: output of `COMMAND` -->
 *     COMMAND runs in the sandbox; its output (stdout and stderr) must contain
 *     the block.
 *   <!-- readme: output of `COMMAND`, where addresses, tags and times vary -->
 *     As `output of`, for an example of output that varies from run to run:
 *     in the block, an IPv4 address, an image tag (`src-` and 16 hex digits)
 *     and a time (`48.3s`) each stand for any other; a run of spaces for any
 *     run of spaces; a line `...` for any lines.
 *   <!-- readme: output of producer NAME -->
 *     PRODUCERS[NAME] below makes the output (for output that no README
 *     command makes); it must equal the block.
 *   <!-- readme: excerpt of PATH -->
 *     The file PATH of the project contains the block.
 *   <!-- readme: illustration, because REASON -->
 *     Not a command or program, and not checked: keep these rare, with the
 *     reason.
 *
 * The sandbox: one temporary copy of the project (node_modules linked
 * package by package, with a cache of its own), shared by the blocks in
 * document order, as a reader would run them (a block may use the dist/ an
 * earlier one wrote). Its PATH starts with stand-ins for what needs a
 * cluster, Docker or the registry (`minikube`, `kubectl`, `docker`, the
 * cluster commands of `helm`, `npm ci`/`install`/`test`); they check what the
 * real tools would check, against a pretend cluster, and run the real `helm`
 * and `npm run` for the rest. They are the deploy tests' stand-ins (see
 * __tests__/support/stand-ins/tools.js for what each does and what is not
 * run, and why); the machine starts with no Minikube profile, and `minikube
 * start` starts one whose node address (`minikube ip`) is 127.0.0.1. While
 * a block or command with `npm run deploy` runs, this process serves that
 * node's default NodePorts (30800 with `/health`, 30300 with `/`) on
 * 127.0.0.1, so the deploy's smoke test is answered there; it must reach
 * both. HOME is a directory of the sandbox holding `~/src/todo-app` with
 * `backend/` and `frontend/` Dockerfiles, the Todo app's repository for
 * `dist/build-images.sh`. No TODO_* variable of the caller leaks in;
 * ANTHROPIC_API_KEY is set to a test value, as the
 * reader of the Helm section has it. Nothing leaves loopback: the stand-ins
 * are first on PATH, KUBECONFIG names no cluster and cdk8s' upgrade check is off.
 *
 * TypeScript blocks: all are type-checked in one program with the project's
 * compiler options (unused names allowed, for the preludes), bundled with
 * esbuild (the library from source) and run with node in an empty directory,
 * with JWT_SECRET, BETTER_AUTH_SECRET and ANTHROPIC_API_KEY set to test
 * values; a block that reads `process.env` or records a snapshot runs a
 * second time without them. A line `EXPR; // EXPECTED`, where EXPR is a
 * property path, asserts that EXPR deep-equals the expression EXPECTED
 * (type-checked too). `expect(value).toMatchSnapshot()` records the value,
 * which must be the same in both runs (deterministic output is what such a
 * README example claims).
 *
 * A failing command names its README line; to see one block alone, run the
 * file (blocks depend on the dist/ of earlier ones): `npx jest readme`.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, JsonPatch, Testing } from 'cdk8s';
import * as ts from 'typescript';
import { buildDefaultApp } from '../lib/default-app';
import { Environment, readSettings, readSettingsFile, SECRET_SETTINGS, SettingDefinition, SETTINGS } from '../lib/settings';
import { synthesize } from '../lib/synth';
import { Profile, TodoApp } from '../lib/todo-app';
import { KubeService } from '../imports/k8s';
import { BACKEND_NODE_PORT } from '../lib/todo-backend';
import { FRONTEND_NODE_PORT } from '../lib/todo-frontend';
import { NodePortServer, writeStandIns } from './support/stand-in-world';
import { which } from './support/tools';
import { TEST_SECRET_ENV, TEST_SECRETS } from './support/util';
import { parseYaml } from './support/yaml';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { helmPath } = require('../scripts/helm.js');

const ROOT = path.resolve(__dirname, '..');
const README = path.join(ROOT, 'README.md');
const readme = fs.readFileSync(README, 'utf8');
/** Under load (2 CPUs shared) a block that synthesizes takes several seconds. */
const TIMEOUT = 180_000;

// ---------------------------------------------------------------------------
// Blocks and their classification

interface Block {
  /** README line of the opening fence (1-based). */
  readonly line: number;
  readonly lang: string;
  readonly lines: string[];
  /** The text of `<!-- readme: ... -->` on the line before the fence. */
  readonly classification?: string;
}

type Kind =
  | { kind: 'run-sh'; continued: boolean }
  | { kind: 'run-ts'; preludes: string[] }
  | { kind: 'transcript' }
  | { kind: 'output'; command: string; varying: boolean }
  | { kind: 'producer'; name: string }
  | { kind: 'excerpt'; file: string }
  | { kind: 'illustration'; reason: string };

function readBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^\s*(`{3,}|~{3,})\s*([\w+-]*)/.exec(lines[i]);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && !lines[end].trim().startsWith(open[1])) end++;
    const comment = i > 0 ? /^<!--\s*readme:\s*(.*?)\s*-->$/.exec(lines[i - 1].trim()) : null;
    blocks.push({ line: i + 1, lang: open[2], lines: lines.slice(i + 1, end), classification: comment?.[1] });
    i = end;
  }
  return blocks;
}

const SH = ['sh', 'bash', 'shell'];
const TS = ['ts', 'typescript'];
const TEXT = ['', 'text', 'console'];

/** The classification of a block, or why it has none. */
function classify(block: Block): Kind | string {
  const c = block.classification;
  if (c === undefined) return 'no <!-- readme: ... --> comment on the line before the fence';
  let m: RegExpExecArray | null;
  if ((c === 'run' || c === 'run, continued') && SH.includes(block.lang)) return { kind: 'run-sh', continued: c !== 'run' };
  if (c === 'run' && TS.includes(block.lang)) return { kind: 'run-ts', preludes: [] };
  if ((m = /^run with prelude (.+)$/.exec(c)) && TS.includes(block.lang)) {
    const names = m[1].split(',').map((n) => n.trim());
    const missing = names.filter((n) => !(n in PRELUDES));
    return missing.length > 0 ? `no prelude ${missing.join(', ')} (preludes: ${Object.keys(PRELUDES).join(', ')})` : { kind: 'run-ts', preludes: names };
  }
  if (c === 'transcript' && TEXT.includes(block.lang)) return { kind: 'transcript' };
  if ((m = /^output of producer (\S+)$/.exec(c)) && TEXT.includes(block.lang)) {
    return m[1] in PRODUCERS ? { kind: 'producer', name: m[1] } : `no producer ${m[1]} (producers: ${Object.keys(PRODUCERS).join(', ')})`;
  }
  if ((m = /^output of `([^`]+)`(, where addresses, tags and times vary)?$/.exec(c)) && TEXT.includes(block.lang)) return { kind: 'output', command: m[1], varying: m[2] !== undefined };
  if ((m = /^excerpt of (\S+)$/.exec(c))) return { kind: 'excerpt', file: m[1] };
  if ((m = /^illustration, because (.{10,})$/.exec(c))) return { kind: 'illustration', reason: m[1] };
  return `"${c}" is not a classification for a ${block.lang || 'plain'} block (see the top of __tests__/readme.test.ts)`;
}

// ---------------------------------------------------------------------------
// TypeScript: preludes for fragments, and the harness

const LIBRARY_IMPORTS = [
  "import { App, Chart, Duration, JsonPatch, Testing } from 'cdk8s';",
  "import { AppComponent, assertChecksPass, BACKEND_IMAGE, BackendDatabase, excuseLintFinding, HealthProbe, Profile, TodoApp, TodoBackend, TodoFrontend } from 'todo-cdk8s';",
];

/**
 * What goes around a `ts` fragment. `chart` gives the `chart` the fragments
 * add to and, after them, synthesizes it and runs the checks every synth
 * runs; `backend` adds the `backend` the TodoFrontend example refers to.
 */
const PRELUDES: { [name: string]: { needs: string[]; before: string[]; after: string[] } } = {
  imports: { needs: [], before: LIBRARY_IMPORTS, after: [] },
  chart: {
    needs: ['imports'],
    before: ['const app = new App();', "const chart = new Chart(app, 'readme');"],
    after: [
      'app.synth();',
      'const components = chart.node.findAll().flatMap((c) => (c instanceof AppComponent ? [c] : []));',
      "assertChecksPass('the README example', chart.toJson(), { externalSecrets: components.flatMap((c) => c.externalSecrets), externalConfigMaps: components.flatMap((c) => c.externalConfigMaps), externalClaims: components.flatMap((c) => c.externalClaims) });",
    ],
  },
  backend: { needs: ['chart'], before: ["const backend = new TodoBackend(chart, 'backend');"], after: [] },
};

function preludeChain(names: string[]): string[] {
  const out: string[] = [];
  const add = (n: string) => {
    if (out.includes(n)) return;
    PRELUDES[n].needs.forEach(add);
    out.push(n);
  };
  names.forEach(add);
  return out;
}

/** Declared for the type check; defined at run time by HARNESS. */
const HARNESS_DECLARATION = 'declare function __readmeExpect(actual: unknown, expected: unknown, line: number): void;';

/** Prepended to every bundle: the assertion of `EXPR; // EXPECTED` lines and a recording `expect`. */
const HARNESS = `
globalThis.__readmeExpect = (actual, expected, line) => {
  if (!require('util').isDeepStrictEqual(actual, expected)) {
    throw new Error('README.md:' + line + ': expected ' + JSON.stringify(expected) + ', got ' + JSON.stringify(actual));
  }
};
globalThis.expect = (value) => ({
  toMatchSnapshot: () => require('fs').appendFileSync(process.env.README_SNAPSHOTS, JSON.stringify(value) + '\\n'),
});
`;

const ASSERTION_LINE = /^(\s*)([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+);\s*\/\/\s*(.+?)\s*$/;

interface TsSource {
  readonly block: Block;
  readonly file: string;
  readonly text: string;
  /** README line of each source line (0 for prelude lines). */
  readonly readmeLines: number[];
  readonly assertions: number;
}

function tsSource(block: Block, preludes: string[], dir: string): TsSource {
  const chain = preludeChain(preludes).map((n) => PRELUDES[n]);
  const lines: string[] = [];
  const readmeLines: number[] = [];
  const push = (text: string, line = 0) => { lines.push(text); readmeLines.push(line); };
  push(HARNESS_DECLARATION);
  chain.forEach((p) => p.before.forEach((l) => push(l)));
  let assertions = 0;
  block.lines.forEach((l, i) => {
    const line = block.line + 1 + i;
    const m = ASSERTION_LINE.exec(l);
    if (m) assertions++;
    push(m ? `${m[1]}__readmeExpect(${m[2]}, (${m[3]}), ${line});` : l, line);
  });
  [...chain].reverse().forEach((p) => p.after.forEach((l) => push(l)));
  push('export {};');
  return { block, file: path.join(dir, `readme-${block.line}.ts`), text: lines.join('\n'), readmeLines, assertions };
}

/** Type-checks the blocks in one program; the diagnostics per file, with README lines. */
function typeCheck(sources: TsSource[]): Map<string, string[]> {
  for (const s of sources) fs.writeFileSync(s.file, s.text);
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile).config, ts.sys, ROOT);
  const options: ts.CompilerOptions = {
    ...config.options,
    noEmit: true,
    incremental: false,
    tsBuildInfoFile: undefined,
    declaration: false,
    noUnusedLocals: false,
    noUnusedParameters: false,
    skipLibCheck: true,
    baseUrl: ROOT,
    paths: { 'todo-cdk8s': ['lib/index.ts'] },
  };
  const program = ts.createProgram(sources.map((s) => s.file), options);
  const general = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  // Only the blocks' files are checked (lib/ is checked by tsc in npm test):
  // the checker then resolves only the library types the blocks use.
  return new Map(sources.map((source) => {
    const file = program.getSourceFile(source.file)!;
    const diagnostics = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => {
      const { line } = file.getLineAndCharacterOfPosition(d.start ?? 0);
      const at = source.readmeLines[line] ? `README.md:${source.readmeLines[line]}` : `prelude line ${line + 1}`;
      return `${at}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    return [source.file, [...general, ...diagnostics]];
  }));
}

async function bundle(sources: TsSource[], outdir: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild: typeof import('esbuild') = require('esbuild');
  try {
    await esbuild.build({
      entryPoints: sources.map((s) => s.file),
      outdir,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      banner: { js: HARNESS },
      logLevel: 'error',
      plugins: [{
        name: 'todo-cdk8s',
        setup(build) {
          // The library from source; every other package as installed.
          build.onResolve({ filter: /^[^./]/ }, (args) => (args.path === 'todo-cdk8s'
            ? { path: path.join(ROOT, 'lib', 'index.ts') }
            : { path: args.path, external: true }));
        },
      }],
    });
  } finally {
    // The build service is a child process: stop it, or the Jest worker cannot exit.
    await esbuild.stop();
  }
}

// ---------------------------------------------------------------------------
// The sandbox for shell blocks and commands

interface Sandbox {
  readonly dir: string;
  readonly project: string;
  readonly env: NodeJS.ProcessEnv;
  /** The stand-ins' pretend cluster and Docker daemons (STAND_IN_DIR/state.json). */
  readonly state: string;
  readonly calls: string;
}

function makeSandbox(): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
  const project = path.join(dir, 'project');
  const skip = new Set(['node_modules', '.git', 'dist', 'build', 'coverage', path.join('bench', 'report.json')]);
  fs.cpSync(ROOT, project, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(ROOT, src);
      return !skip.has(rel) && !/^(\.todo-secrets\.json|\.dist\.staging-)/.test(rel);
    },
  });
  // Linked package by package: the sandbox's synth bundles main.ts into its
  // own node_modules/.cache, not over the project's.
  fs.mkdirSync(path.join(project, 'node_modules'));
  for (const entry of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    if (entry !== '.cache') fs.symlinkSync(path.join(ROOT, 'node_modules', entry), path.join(project, 'node_modules', entry));
  }
  const home = path.join(dir, 'home');
  for (const component of ['backend', 'frontend']) {
    fs.mkdirSync(path.join(home, 'src', 'todo-app', component), { recursive: true });
    fs.writeFileSync(path.join(home, 'src', 'todo-app', component, 'Dockerfile'), 'FROM scratch\n');
  }
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  writeStandIns(bin, ['minikube', 'kubectl', 'docker', 'helm', 'npm']);
  const inherited = (process.env.PATH ?? '').split(path.delimiter).filter((p) => p && !p.endsWith(path.join('node_modules', '.bin')));
  // The machine: no Minikube profile until `minikube start`, no kubectl
  // context until then, a local Docker daemon (for the cluster profile's
  // build and push).
  const standIns = path.join(dir, 'stand-ins');
  fs.mkdirSync(standIns);
  fs.writeFileSync(path.join(standIns, 'scenario.json'), JSON.stringify({ contexts: [], realHelm: helmPath(), realNpm: which('npm'), localDocker: true }));
  const state = path.join(standIns, 'state.json');
  const calls = path.join(standIns, 'calls.jsonl');
  const env: NodeJS.ProcessEnv = {
    PATH: [bin, ...inherited].join(path.delimiter),
    HOME: home,
    LANG: 'C.UTF-8',
    KUBECONFIG: path.join(home, 'no-cluster'),
    CDK8S_CHECK_UPGRADE: 'false',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    ANTHROPIC_API_KEY: TEST_SECRETS.anthropicApiKey,
    STAND_IN_DIR: standIns,
  };
  return { dir, project, env, state, calls };
}

let sandboxMemo: Sandbox | undefined;
const sandbox = () => (sandboxMemo ??= makeSandbox());

/**
 * Runs a bash script in the sandbox; stdout and stderr together when
 * `merged`. Asynchronous, so that the stand-in NodePorts of this process
 * answer the deploy's smoke test while the script runs.
 */
function bash(script: string, merged = false): Promise<{ status: number | null; out: string; err: string }> {
  const s = sandbox();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', merged ? `exec 2>&1\n${script}` : script], { cwd: s.project, env: s.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    // The whole process group: the block's commands and their children,
    // a little before Jest gives up on the test, so the output is reported.
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), TIMEOUT - 10_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, out, err: signal ? `${err}\n(killed by ${signal} after ${(TIMEOUT - 10_000) / 1000}s)` : err });
    });
  });
}

/** A command line that deploys to the stand-in Minikube, whose smoke test needs the node's NodePorts. */
const DEPLOYS = /npm run deploy\b/;

/**
 * Runs `fn` while this process serves the stand-in node's default NodePorts
 * on 127.0.0.1 (`minikube ip` is 127.0.0.1, and the Services keep the
 * default nodePorts), as the deploy's smoke test reaches them; it must have
 * reached both. Served only meanwhile, so that other test runs on the
 * machine can have the ports the rest of the time.
 */
async function withNodePorts<T>(fn: () => Promise<T>): Promise<T> {
  const wait = TIMEOUT / 3;
  const backend = await NodePortServer.at(BACKEND_NODE_PORT, { '/health': 200 }, wait);
  try {
    const frontend = await NodePortServer.at(FRONTEND_NODE_PORT, { '/': 200 }, wait);
    try {
      const result = await fn();
      expect([...new Set(backend.requests)]).toEqual(['/health']);
      expect([...new Set(frontend.requests)]).toEqual(['/']);
      return result;
    } finally {
      await frontend.close();
    }
  } finally {
    await backend.close();
  }
}

function standinCalls(): string {
  const file = sandbox().calls;
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').slice(-20).map((l) => {
    const c = JSON.parse(l);
    return `  ${c.tool} ${c.args.join(' ')}`;
  }).join('\n') : '  (none)';
}

/** The command lines of a shell block: continuations joined, comments and blank lines left out. */
function commandLines(block: Block): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let pending: { line: number; text: string } | undefined;
  block.lines.forEach((l, i) => {
    const line = block.line + 1 + i;
    if (/<</.test(l)) throw new Error(`README.md:${line}: a here-document cannot be split into command lines; teach __tests__/readme.test.ts`);
    if (!pending && (l.trim() === '' || l.trim().startsWith('#'))) return;
    pending = pending ? { line: pending.line, text: `${pending.text}\n${l}` } : { line, text: l };
    if (!l.endsWith('\\')) {
      out.push(pending);
      pending = undefined;
    }
  });
  if (pending) out.push(pending);
  return out;
}

async function runShellBlock(block: Block, continued: boolean): Promise<void> {
  const s = sandbox();
  if (!continued) fs.rmSync(s.state, { force: true });
  const commands = commandLines(block);
  expect(commands.length).toBeGreaterThan(0);
  const script = commands.map((c) => `${c.text}\n__s=$?; if [ "$__s" -ne 0 ]; then echo "README.md:${c.line}: exit status $__s" >&2; exit 1; fi`).join('\n');
  const r = await bash(script);
  if (r.status !== 0) {
    throw new Error(`README.md:${block.line}: the block failed\n--- stdout\n${r.out}\n--- stderr\n${r.err}\n--- last stand-in calls\n${standinCalls()}`);
  }
  // Project paths the block names, in commands or comments, exist after it ran.
  const top = new Set(fs.readdirSync(s.project));
  const named = [...new Set([...block.lines.join('\n').matchAll(/(?<![\w./~-])([\w.-]+(?:\/[\w.-]*)+)/g)].map((m) => m[1]))]
    .filter((p) => top.has(p.split('/')[0]));
  expect(named.filter((p) => !fs.existsSync(path.join(s.project, p)))).toEqual([]);
}

/** What varies in example output: an IPv4 address, an image's content tag, a time. */
const VARYING = /\d{1,3}(?:\.\d{1,3}){3}|src-[0-9a-f]{16}|\d+(?:\.\d+)?s\b/g;

/** The pattern of an `output of ..., where addresses, tags and times vary` block (see the top of this file). */
function varyingOutputPattern(text: string): RegExp {
  const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const word = (w: string) => {
    let out = '';
    let last = 0;
    for (const m of w.matchAll(VARYING)) {
      out += escape(w.slice(last, m.index));
      out += m[0].startsWith('src-') ? 'src-[0-9a-f]{16}' : m[0].endsWith('s') ? '\\d+(?:\\.\\d+)?s' : '\\d{1,3}(?:\\.\\d{1,3}){3}';
      last = m.index! + m[0].length;
    }
    return out + escape(w.slice(last));
  };
  const lines = text.split('\n').map((l) => (l.trim() === '...'
    ? '(?:[^\\n]*\\n)*?'
    : `[ \\t]*${l.trim().split(/\s+/).map(word).join('[ \\t]+')}[ \\t]*\\n`));
  return new RegExp(`(?:^|\\n)${lines.join('')}`);
}

// ---------------------------------------------------------------------------
// Producers: output no README command makes

function tempOutput<T>(fn: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-producer-'));
  try {
    return fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const PRODUCERS: { [name: string]: () => string } = {
  /** A library user's app whose own Service takes the frontend's nodePort, in another chart: what app.synth() throws. */
  'user-service-on-a-nodeport': () => {
    const app = Testing.app();
    new TodoApp(new Chart(app, 'todo', { namespace: 'todo' }), 'todo', { backend: { existingSecret: 'keys' }, frontend: { existingSecret: 'keys' } });
    new KubeService(new Chart(app, 'mine', { namespace: 'mine' }), 'web', {
      metadata: { name: 'web' },
      spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30300 }] },
    });
    try {
      app.synthYaml();
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('the synth did not fail');
  },
  /** A synth of the default app (main.ts: `synth failed: ` and the message) whose backend Service selects nothing. */
  'service-selects-nothing': () => tempOutput((dir) => {
    try {
      synthesize({
        outdir: path.join(dir, 'dist'),
        env: { TODO_SECRETS_FILE: path.join(dir, 'secrets.json') },
        extend: (todo) => todo.backend.service.addJsonPatch(JsonPatch.replace('/spec/selector', { app: 'nothing' })),
      });
    } catch (e) {
      return `synth failed: ${(e as Error).message}`;
    }
    throw new Error('the synth did not fail');
  }),
};

// ---------------------------------------------------------------------------

const blocks = readBlocks(readme);
const classified = blocks.map((block) => ({ block, kind: classify(block) }));

describe('README code blocks', () => {
  test('every code block is classified by a <!-- readme: ... --> comment right before it', () => {
    expect(blocks.length).toBeGreaterThan(10);
    const problems = classified.filter((c) => typeof c.kind === 'string').map((c) => `README.md:${c.block.line} (${c.block.lang || 'plain'}): ${c.kind}`);
    expect(problems).toEqual([]);
  });

  let tsResults: Promise<{ sources: Map<number, TsSource>; diagnostics: Map<string, string[]>; outdir: string }> | undefined;
  const tsDir = path.join(ROOT, 'node_modules', '.cache', 'todo-cdk8s', `readme-${process.pid}`);
  /** Type-checks and bundles every ts block once, on first use. */
  const tsBlocks = () => (tsResults ??= (async () => {
    fs.mkdirSync(tsDir, { recursive: true });
    const sources = classified.flatMap(({ block, kind }) => (typeof kind !== 'string' && kind.kind === 'run-ts' ? [tsSource(block, kind.preludes, tsDir)] : []));
    const diagnostics = typeCheck(sources);
    const outdir = path.join(tsDir, 'out');
    await bundle(sources, outdir);
    return { sources: new Map(sources.map((s) => [s.block.line, s])), diagnostics, outdir };
  })());

  afterAll(() => {
    fs.rmSync(tsDir, { recursive: true, force: true });
    if (sandboxMemo) fs.rmSync(sandboxMemo.dir, { recursive: true, force: true });
  });

  for (const { block, kind } of classified) {
    if (typeof kind === 'string') continue;
    const name = `README.md:${block.line} ${block.lang || 'plain'} block, ${block.classification}`;
    const text = block.lines.join('\n').trimEnd();
    switch (kind.kind) {
      case 'run-sh':
        test(name, () => (DEPLOYS.test(text) ? withNodePorts(() => runShellBlock(block, kind.continued)) : runShellBlock(block, kind.continued)), TIMEOUT);
        break;
      case 'run-ts':
        test(name, async () => {
          const { sources, diagnostics, outdir } = await tsBlocks();
          const source = sources.get(block.line)!;
          expect(diagnostics.get(source.file)).toEqual([]);
          const js = path.join(outdir, `readme-${block.line}.js`);
          const snapshots: string[] = [];
          const secrets = TEST_SECRET_ENV;
          // Twice where the example reads the environment or records a
          // snapshot (which must not change); else once, with the secrets set.
          const runs = /process\.env|toMatchSnapshot\(/.test(text) ? [secrets, {}] : [secrets];
          for (const env of runs) {
            const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-ts-'));
            try {
              const record = path.join(cwd, 'snapshots.jsonl');
              const r = spawnSync(process.execPath, [js], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH, ...env, README_SNAPSHOTS: record }, timeout: TIMEOUT });
              if (r.status !== 0) {
                throw new Error(`README.md:${block.line}: the example failed with ${Object.keys(env).length > 0 ? Object.keys(env).join(', ') : 'no secret variables'} set:\n${r.stderr}`);
              }
              snapshots.push(fs.existsSync(record) ? fs.readFileSync(record, 'utf8') : '');
            } finally {
              fs.rmSync(cwd, { recursive: true, force: true });
            }
          }
          expect(new Set(snapshots).size).toBe(1);
          if (/toMatchSnapshot\(/.test(text)) {
            expect(snapshots[0].split('\n').filter(Boolean).length).toBe((text.match(/toMatchSnapshot\(/g) ?? []).length);
          }
        }, TIMEOUT);
        break;
      case 'transcript':
        test(name, async () => {
          const parts = text.split('\n').reduce<{ command: string; expected: string[] }[]>((acc, l) => {
            if (l.startsWith('$ ')) acc.push({ command: l.slice(2), expected: [] });
            else if (acc.length === 0) throw new Error(`README.md:${block.line}: a transcript starts with "$ COMMAND"`);
            else acc[acc.length - 1].expected.push(l);
            return acc;
          }, []);
          for (const part of parts) {
            const r = await bash(part.command, true);
            expect({ command: part.command, output: r.out.split('\n').map((l) => l.trimEnd()).join('\n').trimEnd() })
              .toEqual({ command: part.command, output: part.expected.join('\n').trimEnd() });
          }
        }, TIMEOUT);
        break;
      case 'output':
        test(name, async () => {
          const { out } = DEPLOYS.test(kind.command) ? await withNodePorts(() => bash(kind.command, true)) : await bash(kind.command, true);
          if (kind.varying) expect(`${out}\n`).toMatch(varyingOutputPattern(text));
          else expect(out).toContain(text);
        }, TIMEOUT);
        break;
      case 'producer':
        test(name, () => {
          expect(PRODUCERS[kind.name]().trimEnd()).toBe(text);
        }, TIMEOUT);
        break;
      case 'excerpt':
        test(name, () => {
          expect(fs.readFileSync(path.join(ROOT, kind.file), 'utf8')).toContain(text);
        });
        break;
      case 'illustration':
        test.todo(`${name} (not run)`);
        break;
    }
  }
});

// ---------------------------------------------------------------------------
// Tables

describe('README tables', () => {
  // Where each setting's default is read: the profile and database it applies to, everything else unset.
  const contextOf = (def: SettingDefinition): Environment => {
    const postgres = { TODO_DATABASE: 'postgres', DATABASE_URL: 'postgresql://u:p@db:5432/todo' };
    const context: Environment = def.profile === Profile.CLUSTER
      ? { TODO_PROFILE: 'cluster', TODO_HOST: 'todo.example.com', ...postgres }
      : def.databases?.includes('postgres') ? postgres : {};
    return Object.fromEntries(Object.entries(context).filter(([k]) => k !== def.variable));
  };

  test('the settings table lists every setting with its description, and the default the constructs really apply', () => {
    const table = readme.slice(readme.indexOf('<!-- settings-table:'));
    const rows = table.slice(0, table.indexOf('\n\n')).split('\n').filter((l) => l.startsWith('| `TODO_'));
    expect(rows.map((r) => r.split('`')[1])).toEqual(SETTINGS.map((s) => s.variable));
    for (const def of SETTINGS) {
      const row = rows.find((r) => r.startsWith(`| \`${def.variable}\``))!;
      const cells = row.split('|').map((c) => c.trim());
      expect([def.variable, cells[4]]).toEqual([def.variable, def.description]);
      // The Default cell starts with the value in effect when the variable is unset: `value`, (empty) or (required).
      const documented = /^(`[^`]*`|\(empty\)|\(required\))/.exec(cells[2])?.[1];
      const env = contextOf(def);
      if (documented === '(required)') {
        expect(() => readSettings(env)).toThrow(`'${def.variable}' must be set`);
        continue;
      }
      const settings = readSettings(env);
      const value = def.inEffect(buildDefaultApp(new App(), settings, TEST_SECRET_ENV), settings);
      expect([def.variable, documented]).toEqual([def.variable, value === undefined ? '(empty)' : `\`${value}\``]);
    }
  });

  test('the dev and prod settings files are shown side by side as they are', () => {
    const section = readme.slice(readme.indexOf('### Settings per environment'));
    const rows = section.slice(0, section.indexOf('\n\n', section.indexOf('| Variable | `config/dev.env`'))).split('\n').filter((l) => l.startsWith('| `TODO_'));
    const dev = readSettingsFile('dev', path.join(__dirname, '..', 'config'));
    const prod = readSettingsFile('prod', path.join(__dirname, '..', 'config'));
    const shown = (v?: { value: string }) => (v === undefined ? '–' : `\`${v.value}\``);
    const expected = SETTINGS.map((d) => d.variable).filter((v) => dev.has(v) || prod.has(v))
      .map((v) => `| \`${v}\` | ${shown(dev.get(v))} | ${shown(prod.get(v))} |`);
    expect(rows).toEqual(expected);
  });

  test('the secrets table lists every secret variable the components declare; a signing key is generated once into TODO_SECRETS_FILE', () => {
    const section = readme.slice(readme.indexOf('| Variable | When unset |'));
    const rows = section.slice(0, section.indexOf('\n\n')).split('\n').slice(2);
    const cells = new Map(rows.map((r) => r.split('|').map((c) => c.trim())).map(([, variable, unset]) => [variable, unset]));
    expect([...cells.keys()].sort()).toEqual(SECRET_SETTINGS.map((s) => `\`${s.variable}\``).sort());
    for (const s of SECRET_SETTINGS) {
      expect([s.variable, cells.get(`\`${s.variable}\``)!.startsWith('generated once (32 random bytes) and kept in `TODO_SECRETS_FILE`')]).toEqual([s.variable, s.generated]);
    }
  });

  describe('"What is deployed" is what `npm run synth` writes with default settings', () => {
    let objects: any[];
    beforeAll(() => {
      objects = tempOutput((dir) => {
        synthesize({ outdir: path.join(dir, 'dist'), env: { TODO_SECRETS_FILE: path.join(dir, 'secrets.json') } });
        return parseYaml(fs.readFileSync(path.join(dir, 'dist', 'todo.k8s.yaml'), 'utf8'));
      });
    });
    const section = readme.split('\n## What is deployed\n')[1].split('\n## ')[0];
    /** The backend and frontend cells of the row whose first cell starts with `label`. */
    const row = (label: string) => {
      const line = section.split('\n').find((l) => l.startsWith(`| ${label}`));
      if (!line) throw new Error(`no row "${label}" in "What is deployed"`);
      return line.split('|').slice(2, 4).map((c) => c.trim());
    };
    const find = (kind: string, name: string) => {
      const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
      if (!found) throw new Error(`no ${kind} ${name} in the output`);
      return found;
    };
    const container = (name: string) => find('Deployment', name).spec.template.spec.containers[0];

    test('Deployments and Services: names, ports and nodePorts', () => {
      for (const cell of row('Deployment, Service')) {
        const [, name, port, nodePort] = /^`([^`]+)`, port (\d+), nodePort (\d+)$/.exec(cell)!;
        const service = find('Service', name);
        expect(find('Deployment', name).metadata.name).toBe(name);
        expect(service.spec.ports.map((p: any) => [p.port, p.nodePort])).toEqual([[Number(port), Number(nodePort)]]);
      }
    });

    test('ConfigMaps: names, keys and values (`<...>` stands for any value)', () => {
      for (const cell of row('ConfigMap')) {
        const [, name, rest] = /^`([^`]+)`: (.*)$/.exec(cell)!;
        const pairs = [...rest.matchAll(/`([A-Z_]+)=([^`]*)`/g)].map((m) => [m[1], m[2]]);
        const data = find('ConfigMap', name).data;
        expect(pairs.map(([k]) => k).sort()).toEqual(Object.keys(data).sort());
        for (const [k, v] of pairs) {
          expect([k, data[k]]).toEqual([k, v.startsWith('<') ? expect.stringMatching(/./) : v]);
        }
      }
    });

    test('Secrets: names and the keys the pods read from them', () => {
      const [backend, frontend] = row('Secret').map((cell) => /^`([^`]+)`: (.*)$/.exec(cell)!);
      for (const [m, deployment] of [[backend, 'todo-backend'], [frontend, 'todo-frontend']] as const) {
        const keys = [...m[2].matchAll(/`([A-Z_]+)`/g)].map((k) => k[1]);
        const refs = container(deployment).env.filter((e: any) => e.valueFrom?.secretKeyRef?.name === m[1]).map((e: any) => e.valueFrom.secretKeyRef.key);
        expect(refs.sort()).toEqual(keys.sort());
        find('Secret', m[1]);
      }
    });

    test('requests and limits', () => {
      const cells = row('Requests / limits');
      for (const [cell, deployment] of [[cells[0], 'todo-backend'], [cells[1], 'todo-frontend']]) {
        const { requests, limits } = container(deployment).resources;
        expect(cell).toBe(`${requests.cpu}, ${requests.memory} / ${limits.cpu}, ${limits.memory}`);
      }
    });
  });
});
