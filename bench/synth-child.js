'use strict';
/**
 * Child process of budget (b): synthesizes N TodoApp instances in process,
 * each in its own cdk8s Chart with its own namespace and nodePorts, plain
 * manifests and one Helm chart per component; warm-up runs, then RUNS timed runs.
 *
 *   node bench/synth-child.js <bundled lib.js> <apps> <runs> <tmpdir>
 *   node bench/synth-child.js <bundled lib.js> <apps> cold <tmpdir>
 *
 * "cold": one run in this fresh process, no warm-up (the parent times the
 * whole process: Node start, loading the library, synthesis, writes). Its
 * output is left for the parent to remove after its last round.
 *
 * Warm-up: at least one run, and enough runs to synthesize 20 apps (the JIT
 * then has seen the code as often for 1 app as for 100).
 * Every run writes into a fresh directory; all are removed after the last run
 * (not in "cold": see above).
 * Prints one JSON line on stdout: samples (ms), phases, maxRSS (KB), cpuMs
 * (user and system CPU time of the whole process, Node's start included).
 * NODE_PATH must hold the project's node_modules (the bundle keeps packages external).
 */
const fs = require('fs');
const path = require('path');
const { performance } = require('perf_hooks');

const [libFile, appsArg, runsArg, tmpRoot] = process.argv.slice(2);
const apps = Number(appsArg);
const cold = runsArg === 'cold';
const runs = cold ? 1 : Number(runsArg);
const warmupRuns = cold ? 0 : Math.max(1, Math.ceil(20 / apps));

const rssBeforeRequire = process.resourceUsage().maxRSS;
const t0 = performance.now();
const { App, Chart } = require('cdk8s');
const lib = require(libFile);
const requireMs = performance.now() - t0;
const rssAfterRequire = process.resourceUsage().maxRSS;

// Time spent in file-system writes (cdk8s' YAML files and TodoHelmChart.writeTo), for the phase table.
let fsMs = 0;
for (const name of ['writeFileSync', 'mkdirSync']) {
  const original = fs[name];
  fs[name] = function timedFs(...args) {
    const t = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      fsMs += performance.now() - t;
    }
  };
}

const JWT_SECRET = 'bench-jwt-'.padEnd(40, 'j');          // 40 characters
const BETTER_AUTH_SECRET = 'bench-auth-'.padEnd(40, 'a');  // 40 characters
const FIRST_NODE_PORT = 30000;                                           // app i: 30000+2i, 30001+2i

function synthOnce(outdir) {
  const phases = {};
  fsMs = 0;
  let t = performance.now();
  const app = new App({ outdir });
  const todos = [];
  for (let i = 0; i < apps; i++) {
    const chart = new Chart(app, `todo-${i}`, { namespace: `todo-${i}`, disableResourceNameHashes: true });
    todos.push(new lib.TodoApp(chart, 'todo', {
      backend: { nodePort: FIRST_NODE_PORT + 2 * i, jwtSecret: JWT_SECRET },
      frontend: { nodePort: FIRST_NODE_PORT + 2 * i + 1, betterAuthSecret: BETTER_AUTH_SECRET },
    }));
  }
  let now = performance.now();
  phases.construct = now - t;
  t = now;
  app.synth();
  now = performance.now();
  phases.synth = now - t;
  t = now;
  todos.forEach((todo, i) => {
    for (const component of todo.components) {
      new lib.TodoHelmChart(app, `helm-${i}-${component.name}`, { component })
        .writeTo(path.join(outdir, 'helm', String(i), component.name));
    }
  });
  now = performance.now();
  phases.helm = now - t;
  phases.fs = fsMs;
  return phases;
}

function countFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true })
    .reduce((n, e) => n + (e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1), 0);
}

const warmupMs = [];
const samples = [];
const phaseSamples = [];
let files = 0;
const outdirs = [];
for (let r = 0; r < warmupRuns + runs; r++) {
  const outdir = fs.mkdtempSync(path.join(tmpRoot, `synth-${apps}-`));
  const start = performance.now();
  const phases = synthOnce(outdir);
  const ms = performance.now() - start;
  if (r < warmupRuns) {
    warmupMs.push(ms);
    if (r === 0) files = countFiles(outdir);
  } else if (cold) {
    samples.push(ms);
    phaseSamples.push(phases);
    files = countFiles(outdir);
  } else {
    samples.push(ms);
    phaseSamples.push(phases);
  }
  outdirs.push(outdir);
}
// Removed only now: deleting thousands of files between runs made the next
// run's writes wait for the file system (ext4 with discard), which is not synthesis.
const maxRSSKB = process.resourceUsage().maxRSS;
if (!cold) {
  for (const dir of outdirs) fs.rmSync(dir, { recursive: true, force: true });
}
const cpu = process.cpuUsage();

process.stdout.write(`${JSON.stringify({
  apps,
  warmupRuns,
  warmupMs,
  samples,
  phaseSamples,
  requireMs,
  files,
  maxRSSKB,
  cpuMs: (cpu.user + cpu.system) / 1000,
  rssBeforeRequireKB: rssBeforeRequire,
  rssAfterRequireKB: rssAfterRequire,
})}\n`);
