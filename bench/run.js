#!/usr/bin/env node
/**
 * Performance benchmark of todo-cdk8s: `node bench/run.js` (see bench/README.md).
 *
 *   (a) `cdk8s synth` of the default app against the FLOOR: the same CLI on a
 *       hello-world cdk8s-plus-28 app (one Deployment, one Service).
 *   (b) synthesis (plain manifests and Helm charts) of 1, 10 and 100 TodoApp
 *       instances: each sample a fresh process that loads the library and
 *       synthesizes (end to end, the budget), alternating sizes; and, for
 *       information, the warm in-process time per size.
 *   (c) `helm template` of our two charts against the `helm create` scaffold.
 *
 * Commands of one part alternate (the order rotates every round); every part
 * starts with a warm-up and reports the median of its timed runs. Budgets are
 * checked and printed; bench/report.json holds every sample. Exit code 0 when
 * every budget holds, 1 otherwise (or when the benchmark itself fails).
 *
 * Environment: BENCH_RUNS_A, BENCH_RUNS_B, BENCH_RUNS_C (timed runs, >= 5),
 * BENCH_KEEP=1 keeps the temp directory, BENCH_TMPDIR sets its parent.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { performance } = require('perf_hooks');
const { median, summary, round } = require('./stats');

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
const CDK8S = path.join(BIN, 'cdk8s');
const NODE_MODULES = path.join(ROOT, 'node_modules');
const BUNDLE_STAMP = path.join(NODE_MODULES, '.cache', 'todo-cdk8s', 'main.inputs.json');

const runs = (name, dflt) => {
  const n = Number(process.env[name] ?? dflt);
  if (!Number.isInteger(n) || n < 5) throw new Error(`${name} must be an integer >= 5, got ${process.env[name]}`);
  return n;
};
const RUNS_A = runs('BENCH_RUNS_A', 11);
const RUNS_B = runs('BENCH_RUNS_B', 7);
const RUNS_C = runs('BENCH_RUNS_C', 9);
const SIZES = [1, 10, 100];

/** Fixed 40-character test secrets (never used outside the benchmark). */
const JWT_SECRET = 'bench-jwt-'.padEnd(40, 'j');
const BETTER_AUTH_SECRET = 'bench-auth-'.padEnd(40, 'a');

const BUDGETS = {
  synthVsFloor: 1.15,         // (a) ours / floor
  scale100vs1: 10,            // (b) time(100 apps) / time(1 app)
  rss100MB: 300,              // (b) peak RSS of the 100-app child, MB (10^6 bytes)
  helmVsScaffold: 1.5,        // (c) helm template of each chart / scaffold
};

// ---------------------------------------------------------------------------

function log(msg) {
  process.stderr.write(`${msg}\n`);
}

/** The environment of every child: the inherited one without TODO_* and CDK8S_OUTDIR, plus fixed settings. */
function baseEnv(tmp) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('TODO_') && k !== 'CDK8S_OUTDIR' && k !== 'JWT_SECRET' && k !== 'BETTER_AUTH_SECRET' && k !== 'ANTHROPIC_API_KEY') env[k] = v;
  }
  return {
    ...env,
    CDK8S_CHECK_UPGRADE: 'false',
    JWT_SECRET,
    BETTER_AUTH_SECRET,
    TODO_SECRETS_FILE: path.join(tmp, 'todo-secrets.json'),
    NODE_PATH: NODE_MODULES,
  };
}

/** Runs a command to completion; returns its wall time in ms. Throws when it fails. */
function timed(label, cmd, args, opts) {
  const start = performance.now();
  const res = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  const ms = performance.now() - start;
  if (res.error || res.status !== 0) {
    const detail = res.error ? res.error.message : `exit ${res.status}${res.signal ? ` (${res.signal})` : ''}`;
    throw new Error(`${label} failed: ${cmd} ${args.join(' ')}: ${detail}\n${res.stderr || ''}${res.stdout ? `\n${res.stdout.slice(-2000)}` : ''}`);
  }
  return { ms, stdout: res.stdout, stderr: res.stderr };
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Runs each command once per round, the order rotating every round; round 0 is the warm-up. */
function alternate(commands, timedRuns, check) {
  const samples = Object.fromEntries(commands.map((c) => [c.name, []]));
  const warmup = {};
  for (let round = 0; round <= timedRuns; round++) {
    const order = commands.map((_, i) => commands[(i + round) % commands.length]);
    for (const c of order) {
      const r = c.run();
      if (round === 0) {
        warmup[c.name] = r.ms;
        check?.(c, r);
      } else {
        samples[c.name].push(r);
      }
    }
    log(`  round ${round === 0 ? 'warm-up' : round}/${timedRuns}: ${order.map((c) => `${c.name} ${Math.round(round === 0 ? warmup[c.name] : samples[c.name].at(-1).ms)}`).join(', ')} ms`);
  }
  return { warmup, samples };
}

function assertFile(file, contains) {
  if (!fs.existsSync(file)) throw new Error(`expected ${file} to exist`);
  if (contains) {
    const text = fs.readFileSync(file, 'utf8');
    for (const c of contains) {
      if (!text.includes(c)) throw new Error(`expected ${file} to contain ${JSON.stringify(c)}`);
    }
  }
}

// --- (a) ---------------------------------------------------------------------

function createHelloApp(tmp) {
  const dir = path.join(tmp, 'hello');
  fs.mkdirSync(dir);
  fs.copyFileSync(path.join(__dirname, 'hello-main.js'), path.join(dir, 'main.js'));
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'app: node main.js\n');
  return dir;
}

function benchSynth(tmp, env) {
  const hello = createHelloApp(tmp);
  const out = (name) => path.join(tmp, `out-${name}`);
  const withStamp = (fn) => () => {
    const before = mtime(BUNDLE_STAMP);
    const r = fn();
    return { ...r, bundleRebuilt: mtime(BUNDLE_STAMP) !== before };
  };
  const commands = [
    { name: 'floor', run: () => timed('floor synth', CDK8S, ['synth', '--output', out('floor')], { cwd: hello, env }) },
    { name: 'ours', run: withStamp(() => timed('our synth', CDK8S, ['synth', '--output', out('ours')], { cwd: ROOT, env })) },
    { name: 'npmRunSynth', run: withStamp(() => timed('npm run synth', 'npm', ['run', '--silent', 'synth', '--', '--output', out('npm')], { cwd: ROOT, env })) },
    // Diagnostics: the apps alone, without the cdk8s CLI around them.
    { name: 'floorAppOnly', run: () => timed('floor app', process.execPath, ['main.js'], { cwd: hello, env: { ...env, CDK8S_OUTDIR: out('floor-app') } }) },
    { name: 'oursAppOnly', run: withStamp(() => timed('our app', process.execPath, ['scripts/run-app.js'], { cwd: ROOT, env: { ...env, CDK8S_OUTDIR: out('ours-app') } })) },
  ];
  const check = (c) => {
    if (c.name === 'floor') assertFile(path.join(out('floor'), 'hello.k8s.yaml'), ['kind: Deployment', 'kind: Service']);
    if (c.name === 'floorAppOnly') assertFile(path.join(out('floor-app'), 'hello.k8s.yaml'), ['kind: Deployment', 'kind: Service']);
    const ours = { ours: 'ours', npmRunSynth: 'npm', oursAppOnly: 'ours-app' }[c.name];
    if (ours) {
      assertFile(path.join(out(ours), 'todo.k8s.yaml'), ['kind: Deployment', 'kind: Service', 'kind: Secret']);
      for (const f of ['build-images.sh', 'helm/helmfile.yaml', 'helm/backend/Chart.yaml', 'helm/frontend/Chart.yaml']) assertFile(path.join(out(ours), f));
    }
  };
  log(`(a) cdk8s synth: ${RUNS_A} rounds after a warm-up, commands alternating`);
  const { warmup, samples } = alternate(commands, RUNS_A, check);
  const ms = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map((s) => round(s.ms))]));
  const med = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, round(median(v))]));
  const rebuilt = Object.values(samples).flat().filter((s) => s.bundleRebuilt).length;
  const ratio = med.ours / med.floor;
  // Ratios of the two commands within each round (they ran back to back, under the same load).
  const paired = samples.ours.map((s, i) => s.ms / samples.floor[i].ms);
  return {
    description: 'cdk8s synth --output <tmp> with node_modules/.bin/cdk8s: cwd=the project (ours) vs a hello-world cdk8s-plus-28 app (floor); npm run synth and the apps alone for information',
    warmupMs: Object.fromEntries(Object.entries(warmup).map(([k, v]) => [k, round(v)])),
    samplesMs: ms,
    summary: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, summary(v)])),
    medianMs: med,
    samplesWithBundleRebuild: rebuilt,
    ratio: round(ratio, 3),
    pairedRatios: paired.map((x) => round(x, 3)),
    pairedRatioMedian: round(median(paired), 3),
    npmRatio: round(med.npmRunSynth / med.floor, 3),
    cliOverheadMs: { ours: round(med.ours - med.oursAppOnly), floor: round(med.floor - med.floorAppOnly) },
    appOnlyRatio: round(med.oursAppOnly / med.floorAppOnly, 3),
    budget: BUDGETS.synthVsFloor,
    pass: ratio <= BUDGETS.synthVsFloor,
  };
}

// --- (b) ---------------------------------------------------------------------

function bundleLibrary(tmp) {
  const outfile = path.join(tmp, 'lib.js');
  const start = performance.now();
  require(path.join(NODE_MODULES, 'esbuild')).buildSync({
    absWorkingDir: ROOT,
    entryPoints: ['lib/index.ts'],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    outfile,
    logLevel: 'error',
  });
  return { outfile, ms: performance.now() - start };
}

function benchScale(tmp, env, lib) {
  log(`(b) in-process synthesis of ${SIZES.join(', ')} TodoApps: one child per size, ${RUNS_B} runs after a warm-up`);
  const results = {};
  for (const apps of SIZES) {
    const { ms, stdout } = timed(`synth of ${apps} apps`, process.execPath, [path.join(__dirname, 'synth-child.js'), lib, String(apps), String(RUNS_B), tmp], { cwd: ROOT, env });
    const r = JSON.parse(stdout.trim().split('\n').at(-1));
    const phase = (k) => round(median(r.phaseSamples.map((p) => p[k])));
    results[apps] = {
      apps,
      warmupRuns: r.warmupRuns,
      warmupMs: r.warmupMs.map((x) => round(x)),
      samplesMs: r.samples.map((x) => round(x)),
      summary: summary(r.samples),
      medianMs: round(median(r.samples)),
      medianExclFsMs: round(median(r.samples.map((ms, i) => ms - r.phaseSamples[i].fs))),
      perAppMs: round(median(r.samples) / apps),
      phasesMedianMs: { construct: phase('construct'), synth: phase('synth'), helm: phase('helm'), fsWrites: phase('fs') },
      phaseSamples: r.phaseSamples.map((p) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, round(v)]))),
      filesWritten: r.files,
      requireMs: round(r.requireMs),
      maxRSSKB: r.maxRSSKB,
      maxRSSMB: round(r.maxRSSKB * 1024 / 1e6, 1),
      rssAfterRequireMB: round(r.rssAfterRequireKB * 1024 / 1e6, 1),
      childWallMs: round(ms),
    };
    log(`  ${apps} app(s): median ${results[apps].medianMs} ms (${results[apps].samplesMs.join(', ')}), peak RSS ${results[apps].maxRSSMB} MB`);
  }
  // End to end: a fresh process per sample (Node start, library load, synthesis, writes), sizes alternating.
  log(`(b) end to end: a fresh process per sample, sizes alternating, ${RUNS_B} rounds after a warm-up`);
  // Each sample's output stays until the last round: removing thousands of
  // files is no part of synthesis, and inside a sample (or just before the
  // next one) it would be timed with it.
  const coldRoot = fs.mkdtempSync(path.join(tmp, 'cold-'));
  const cold = alternate(SIZES.map((apps) => ({
    name: String(apps),
    run: () => {
      const { ms, stdout } = timed(`cold synth of ${apps} apps`, process.execPath, [path.join(__dirname, 'synth-child.js'), lib, String(apps), 'cold', coldRoot], { cwd: ROOT, env });
      const r = JSON.parse(stdout.trim().split('\n').at(-1));
      return { ms, synthMs: r.samples[0], requireMs: r.requireMs, maxRSSKB: r.maxRSSKB, cpuMs: r.cpuMs, files: r.files };
    },
  })), RUNS_B);
  const removeStart = performance.now();
  fs.rmSync(coldRoot, { recursive: true, force: true });
  const removeColdOutputsMs = performance.now() - removeStart;
  const endToEnd = Object.fromEntries(SIZES.map((apps) => {
    const xs = cold.samples[String(apps)];
    return [apps, {
      samplesMs: xs.map((x) => round(x.ms)),
      medianMs: round(median(xs.map((x) => x.ms))),
      summary: summary(xs.map((x) => x.ms)),
      medianLoadMs: round(median(xs.map((x) => x.requireMs))),
      medianSynthMs: round(median(xs.map((x) => x.synthMs))),
      cpuMs: xs.map((x) => round(x.cpuMs)),
      medianCpuMs: round(median(xs.map((x) => x.cpuMs))),
      files: xs[0].files,
      maxRSSMB: round(Math.max(...xs.map((x) => x.maxRSSKB)) * 1024 / 1e6, 1),
    }];
  }));
  const ratio = endToEnd[100].medianMs / endToEnd[1].medianMs;
  // Ratios of the two sizes within each round (they ran back to back, under the same load).
  const paired = cold.samples['100'].map((s, i) => s.ms / cold.samples['1'][i].ms);
  const peakMB = Math.max(results[100].maxRSSMB, endToEnd[100].maxRSSMB);
  return {
    endToEnd,
    warmRatio100vs1: round(results[100].medianMs / results[1].medianMs, 2),
    description: 'new App; per app a Chart (namespace todo-<i>) with a TodoApp (nodePorts 30000+2i, 30001+2i); app.synth(); TodoHelmChart.writeTo per component',
    sizes: results,
    ratio100vs1: round(ratio, 2),
    pairedRatios100vs1: paired.map((x) => round(x, 2)),
    pairedRatio100vs1Median: round(median(paired), 2),
    cpuRatio100vs1: round(endToEnd[100].medianCpuMs / endToEnd[1].medianCpuMs, 2),
    removeColdOutputsMs: round(removeColdOutputsMs),
    ratio10vs1: round(results[10].medianMs / results[1].medianMs, 2),
    ratio100vs10: round(results[100].medianMs / results[10].medianMs, 2),
    ratio100vs1ExclFs: round(results[100].medianExclFsMs / results[1].medianExclFsMs, 2),
    perAppCost100vs1: round(results[100].perAppMs / results[1].perAppMs, 2),
    budgetRatio: BUDGETS.scale100vs1,
    budgetRSSMB: BUDGETS.rss100MB,
    peak100MB: peakMB,
    passTime: ratio <= BUDGETS.scale100vs1,
    passMemory: peakMB < BUDGETS.rss100MB,
  };
}

// --- (c) ---------------------------------------------------------------------

function benchHelm(tmp, env) {
  const helm = require(path.join(ROOT, 'scripts', 'helm.js')).helmPath();
  const helmVersion = timed('helm version', helm, ['version', '--short'], { env }).stdout.trim();
  const charts = path.join(tmp, 'charts-out');
  timed('default app synth (charts)', process.execPath, ['scripts/run-app.js'], { cwd: ROOT, env: { ...env, CDK8S_OUTDIR: charts } });
  const scaffold = path.join(tmp, 'scaffold');
  timed('helm create', helm, ['create', scaffold], { env });
  const targets = [
    { name: 'scaffold', release: 'scaffold', chart: scaffold },
    { name: 'backend', release: 'todo-backend', chart: path.join(charts, 'helm', 'backend') },
    { name: 'frontend', release: 'todo-frontend', chart: path.join(charts, 'helm', 'frontend') },
  ];
  for (const t of targets) assertFile(path.join(t.chart, 'Chart.yaml'));
  const commands = targets.map((t) => ({ name: t.name, run: () => timed(`helm template ${t.release}`, helm, ['template', t.release, t.chart], { env }) }));
  const check = (c, r) => {
    if (!r.stdout.includes('kind: Deployment') || !r.stdout.includes('kind: Service')) throw new Error(`helm template of ${c.name} rendered no Deployment or Service`);
  };
  log(`(c) helm template: ${RUNS_C} rounds after a warm-up, charts alternating (${helmVersion})`);
  const { warmup, samples } = alternate(commands, RUNS_C, check);
  const ms = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map((s) => round(s.ms))]));
  const med = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, round(median(v))]));
  const ratios = { backend: round(med.backend / med.scaffold, 3), frontend: round(med.frontend / med.scaffold, 3) };
  return {
    description: 'helm template <release> <chart>: dist/helm/backend and dist/helm/frontend (fresh synth) vs helm create scaffold',
    helm,
    helmVersion,
    warmupMs: Object.fromEntries(Object.entries(warmup).map(([k, v]) => [k, round(v)])),
    samplesMs: ms,
    summary: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, summary(v)])),
    medianMs: med,
    ratios,
    budget: BUDGETS.helmVsScaffold,
    pass: { backend: ratios.backend <= BUDGETS.helmVsScaffold, frontend: ratios.frontend <= BUDGETS.helmVsScaffold },
  };
}

// --- report ------------------------------------------------------------------

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ')).join('\n');
}

const verdict = (ok) => (ok ? 'PASS' : 'FAIL');

function print(report) {
  const { a, b, c } = report;
  const out = [];
  out.push(`todo-cdk8s benchmark — node ${report.node}, ${report.cpus} CPUs (${report.cpuModel}), ${report.date}, load average ${report.loadavg.start[0]} -> ${report.loadavg.end[0]}`);
  out.push('');
  out.push('(a) cdk8s synth (same CLI binary, --output <tmp>)');
  out.push(table([
    ['command', 'median ms', 'min', 'max'],
    ['floor: hello-world cdk8s-plus-28 app', a.medianMs.floor, a.summary.floor.min, a.summary.floor.max],
    ['ours: default app (cwd=project)', a.medianMs.ours, a.summary.ours.min, a.summary.ours.max],
    ['npm run synth (info)', a.medianMs.npmRunSynth, a.summary.npmRunSynth.min, a.summary.npmRunSynth.max],
    ['floor app alone: node main.js (info)', a.medianMs.floorAppOnly, a.summary.floorAppOnly.min, a.summary.floorAppOnly.max],
    ['our app alone: node scripts/run-app.js (info)', a.medianMs.oursAppOnly, a.summary.oursAppOnly.min, a.summary.oursAppOnly.max],
  ]));
  out.push(`ratio ours/floor ${a.ratio} (budget <= ${a.budget}) ${verdict(a.pass)};  median of per-round ratios ${a.pairedRatioMedian} (info)`);
  out.push(`info: npm run synth/floor CLI ${a.npmRatio} (npm's startup on one side only); apps alone ${a.appOnlyRatio}; CLI around the app ${a.cliOverheadMs.ours} ms (ours) / ${a.cliOverheadMs.floor} ms (floor)`);
  if (a.samplesWithBundleRebuild) out.push(`WARNING: ${a.samplesWithBundleRebuild} sample(s) rebuilt the esbuild bundle of main.ts (sources changed during the run)`);
  out.push('');
  out.push('(b) synthesis of N TodoApps (plain manifests + Helm charts), end to end: a fresh process per sample');
  out.push(table([
    ['apps', 'median ms', 'min', 'max', 'load library', 'synthesis', 'CPU ms', 'files', 'peak RSS MB'],
    ...SIZES.map((n) => {
      const e = b.endToEnd[n];
      return [n, e.medianMs, e.summary.min, e.summary.max, e.medianLoadMs, e.medianSynthMs, e.medianCpuMs, e.files, e.maxRSSMB];
    }),
  ]));
  out.push(`ratio time(100)/time(1) ${b.ratio100vs1} (budget <= ${b.budgetRatio}) ${verdict(b.passTime)};  median of per-round ratios ${b.pairedRatio100vs1Median}, of CPU time ${b.cpuRatio100vs1} (info)`);
  out.push(`info: removing the samples' outputs after the last round took ${b.removeColdOutputsMs} ms (not part of any sample)`);
  out.push(`peak RSS with 100 apps ${b.peak100MB} MB (budget < ${b.budgetRSSMB} MB) ${verdict(b.passMemory)}`);
  out.push('');
  out.push('(b, info) the same synthesis warm, in one process per size after a warm-up: cost per app');
  out.push(table([
    ['apps', 'median ms', 'ms/app', 'construct', 'app.synth', 'helm charts', '(fs writes)', 'excl. fs', 'files', 'peak RSS MB'],
    ...SIZES.map((n) => {
      const s = b.sizes[n];
      return [n, s.medianMs, s.perAppMs, s.phasesMedianMs.construct, s.phasesMedianMs.synth, s.phasesMedianMs.helm, s.phasesMedianMs.fsWrites, s.medianExclFsMs, s.filesWritten, s.maxRSSMB];
    }),
  ]));
  out.push(`info: warm 100/1 ${b.warmRatio100vs1} (linear: no fixed cost inside a warm process), 10/1 ${b.ratio10vs1}, 100/10 ${b.ratio100vs10}; excluding fs writes 100/1 ${b.ratio100vs1ExclFs}; cost per app at 100 vs at 1: ${b.perAppCost100vs1}x`);
  out.push('');
  out.push(`(c) helm template (${c.helmVersion})`);
  out.push(table([
    ['chart', 'median ms', 'min', 'max', 'ratio', 'budget'],
    ['helm create scaffold', c.medianMs.scaffold, c.summary.scaffold.min, c.summary.scaffold.max, '', ''],
    ['todo-backend', c.medianMs.backend, c.summary.backend.min, c.summary.backend.max, c.ratios.backend, `<= ${c.budget} ${verdict(c.pass.backend)}`],
    ['todo-frontend', c.medianMs.frontend, c.summary.frontend.min, c.summary.frontend.max, c.ratios.frontend, `<= ${c.budget} ${verdict(c.pass.frontend)}`],
  ]));
  out.push('');
  const failed = report.budgets.filter((x) => !x.pass);
  out.push(failed.length === 0 ? 'All budgets hold.' : `FAILED budgets: ${failed.map((x) => `${x.name} (${x.value} vs ${x.limit})`).join('; ')}`);
  out.push(`Total ${round(report.totalMs / 1000, 1)} s; report: ${path.relative(process.cwd(), report.file) || report.file}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

function main() {
  const started = performance.now();
  const loadStart = os.loadavg();
  const tmpParent = process.env.BENCH_TMPDIR || os.tmpdir();
  const tmp = fs.mkdtempSync(path.join(tmpParent, 'todo-cdk8s-bench-'));
  const env = baseEnv(tmp);
  const file = path.join(__dirname, 'report.json');
  let exitCode = 1;
  try {
    const lib = bundleLibrary(tmp);
    log(`bundled lib/index.ts in ${Math.round(lib.ms)} ms; temp dir ${tmp}`);
    const a = benchSynth(tmp, env);
    const b = benchScale(tmp, env, lib.outfile);
    const c = benchHelm(tmp, env);
    const budgets = [
      { name: '(a) ours/floor', value: a.ratio, limit: `<= ${BUDGETS.synthVsFloor}`, pass: a.pass },
      { name: '(b) time(100 apps)/time(1 app), end to end', value: b.ratio100vs1, limit: `<= ${BUDGETS.scale100vs1}`, pass: b.passTime },
      { name: '(b) peak RSS with 100 apps (MB)', value: b.peak100MB, limit: `< ${BUDGETS.rss100MB}`, pass: b.passMemory },
      { name: '(c) helm template backend/scaffold', value: c.ratios.backend, limit: `<= ${BUDGETS.helmVsScaffold}`, pass: c.pass.backend },
      { name: '(c) helm template frontend/scaffold', value: c.ratios.frontend, limit: `<= ${BUDGETS.helmVsScaffold}`, pass: c.pass.frontend },
    ];
    const cpus = os.cpus();
    const version = (p) => JSON.parse(fs.readFileSync(path.join(NODE_MODULES, p, 'package.json'), 'utf8')).version;
    const report = {
      date: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform} ${os.release()} ${process.arch}`,
      cpus: cpus.length,
      availableParallelism: os.availableParallelism?.(),
      cpuModel: cpus[0]?.model,
      totalMemMB: Math.round(os.totalmem() / 1e6),
      loadavg: { start: loadStart.map((x) => round(x)), end: os.loadavg().map((x) => round(x)) },
      versions: { cdk8s: version('cdk8s'), 'cdk8s-plus-28': version('cdk8s-plus-28'), 'cdk8s-cli': version('cdk8s-cli'), esbuild: version('esbuild'), helm: c.helmVersion },
      runs: { a: RUNS_A, b: RUNS_B, c: RUNS_C, warmup: 'a, c: one warm-up round; b: see sizes[n].warmupRuns' },
      tmpParent,
      bundleLibMs: round(lib.ms),
      a,
      b,
      c,
      budgets,
      pass: budgets.every((x) => x.pass),
      totalMs: round(performance.now() - started),
      file,
    };
    fs.writeFileSync(file, `${JSON.stringify(report, undefined, 2)}\n`);
    print(report);
    exitCode = report.pass ? 0 : 1;
  } catch (e) {
    process.stderr.write(`benchmark failed: ${e.stack || e.message}\n`);
    exitCode = 1;
  } finally {
    if (process.env.BENCH_KEEP === '1') log(`kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
  process.exitCode = exitCode;
}

main();
