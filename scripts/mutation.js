#!/usr/bin/env node
/**
 * `npm run test:mutation`: Stryker over the rules and the writer, one file at
 * a time, then a table of each file's mutants and score; fails when any file
 * scores below the break threshold of stryker.config.mjs (Stryker's own
 * `break` applies to a run as a whole, this applies it per file).
 *
 *   npm run test:mutation                                  every file of `mutate` in stryker.config.mjs
 *   npm run test:mutation -- lib/checks/semantic.ts        some files only
 *   npm run test:mutation -- --report                      the table of the last runs, running nothing
 *
 * Each file keeps its own incremental cache and reports (JSON, and HTML that
 * shows each surviving mutant) under reports/mutation/ (gitignored), so a rerun tests only the mutants whose code
 * or tests changed since that file's last run. Other arguments starting with
 * "--" go to Stryker (`--concurrency 1`, `--force` to ignore the cache).
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
// The property-based tests run a quarter of their cases (75 mixes of settings
// instead of 300) for each mutant: each mutant's covering tests run again, and
// the rule tests, not the random mixes, are what must notice a broken rule.
const FUZZ_RUNS = '0.25';
const reports = path.join(root, 'reports', 'mutation');

/** `lib/checks/semantic.ts` -> `lib-checks-semantic`. */
const slug = (file) => file.replace(/\.ts$/, '').replace(/[/\\]/g, '-');
const fileReport = (file) => path.join(reports, 'files', `${slug(file)}.json`);

/** Counts and score of one file's mutants, as Stryker scores them (errors and ignored mutants do not count). */
function summarize(file) {
  const report = JSON.parse(fs.readFileSync(fileReport(file), 'utf8'));
  const result = report.files[file];
  if (result === undefined) {
    throw new Error(`${path.relative(root, fileReport(file))} holds no results for ${file}`);
  }
  const count = (status) => result.mutants.filter((m) => m.status === status).length;
  const row = { file, killed: count('Killed'), survived: count('Survived'), timeout: count('Timeout'), noCoverage: count('NoCoverage'), ignored: count('Ignored'), errors: count('CompileError') + count('RuntimeError') };
  const valid = row.killed + row.timeout + row.survived + row.noCoverage;
  return { ...row, score: valid === 0 ? 100 : (100 * (row.killed + row.timeout)) / valid };
}

function table(rows, threshold) {
  const header = ['File', 'Killed', 'Survived', 'Timeout', 'No coverage', 'Ignored', 'Errors', 'Score', ''];
  const body = rows.map((r) => [r.file, r.killed, r.survived, r.timeout, r.noCoverage, r.ignored, r.errors, `${r.score.toFixed(1)} %`, r.score < threshold ? `< ${threshold} %` : 'ok'].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? ':' : '') + '-'.repeat(w + 1) + (i === 0 ? '' : ':')).join('|')}|`, ...body.map(line)].join('\n');
}

async function main() {
  const args = process.argv.slice(2);
  const config = (await import(path.join(root, 'stryker.config.mjs'))).default;
  const threshold = config.thresholds.break;
  const reportOnly = args.includes('--report');
  // Files to mutate, and Stryker options with their values (`--concurrency 1`, `--force`).
  const files = [];
  const passOn = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) {
      files.push(a);
    } else if (a !== '--report') {
      passOn.push(a);
      if (i + 1 < args.length && !args[i + 1].startsWith('--') && !args[i + 1].endsWith('.ts')) {
        passOn.push(args[++i]);
      }
    }
  }
  const unknown = files.filter((f) => !config.mutate.includes(f));
  if (unknown.length > 0) {
    throw new Error(`not a file that stryker.config.mjs mutates: ${unknown.join(', ')}; the files are ${config.mutate.join(', ')}`);
  }
  const chosen = files.length > 0 ? files : config.mutate;

  const failedRuns = [];
  const timings = new Map();
  if (!reportOnly) {
    fs.mkdirSync(path.join(reports, 'files'), { recursive: true });
    fs.mkdirSync(path.join(reports, 'incremental'), { recursive: true });
    for (const file of chosen) {
      process.stdout.write(`\n== stryker run --mutate ${file}\n`);
      const started = Date.now();
      const run = spawnSync(process.execPath, [
        path.join(path.dirname(require.resolve('@stryker-mutator/core/package.json')), 'bin', 'stryker.js'), 'run',
        '--mutate', file,
        '--incrementalFile', path.relative(root, path.join(reports, 'incremental', `${slug(file)}.json`)),
        ...passOn,
      ], { cwd: root, stdio: 'inherit', env: { ...process.env, MUTATION_FILE: file, FUZZ_RUNS: process.env.FUZZ_RUNS ?? FUZZ_RUNS } });
      timings.set(file, (Date.now() - started) / 1000);
      // Stryker exits 1 when the score is below `break`: the table says which; anything else is a failed run.
      if (run.status !== 0 && run.status !== 1) {
        failedRuns.push(`${file}: stryker exited with ${run.status ?? run.signal}`);
      }
    }
  }

  const rows = [];
  for (const file of chosen) {
    if (!fs.existsSync(fileReport(file))) {
      failedRuns.push(`${file}: no report (run npm run test:mutation -- ${file})`);
      continue;
    }
    rows.push(summarize(file));
  }
  if (rows.length > 0) {
    const total = rows.reduce((t, r) => ({ ...t, killed: t.killed + r.killed, survived: t.survived + r.survived, timeout: t.timeout + r.timeout, noCoverage: t.noCoverage + r.noCoverage, ignored: t.ignored + r.ignored, errors: t.errors + r.errors }),
      { file: 'all', killed: 0, survived: 0, timeout: 0, noCoverage: 0, ignored: 0, errors: 0 });
    const valid = total.killed + total.timeout + total.survived + total.noCoverage;
    total.score = valid === 0 ? 100 : (100 * (total.killed + total.timeout)) / valid;
    process.stdout.write(`\nMutation score per file (break: ${threshold} %)\n${table([...rows, total], threshold)}\n`);
    if (timings.size > 0) {
      process.stdout.write(`Run time: ${[...timings].map(([f, s]) => `${f} ${s.toFixed(0)} s`).join(', ')}; total ${[...timings.values()].reduce((a, b) => a + b, 0).toFixed(0)} s\n`);
    }
  }
  const low = rows.filter((r) => r.score < threshold);
  for (const r of low) {
    process.stderr.write(`${r.file}: mutation score ${r.score.toFixed(1)} % is below ${threshold} %; see ${path.relative(root, fileReport(r.file).replace(/json$/, 'html'))} for the surviving mutants\n`);
  }
  for (const f of failedRuns) {
    process.stderr.write(`${f}\n`);
  }
  process.exitCode = low.length > 0 || failedRuns.length > 0 ? 1 : 0;
}

main().catch((e) => {
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 1;
});
