#!/usr/bin/env node
/**
 * Runs the deploy command line (`lib/deploy/cli.ts`) for `npm run deploy`
 * and `npm run destroy`, without type-checking it: esbuild bundles the
 * project's TypeScript (packages stay external) into node_modules/.cache,
 * and the bundle is reused until one of its source files changes, as
 * scripts/run-app.js does for synth. The package's `bin` runs the compiled
 * build/lib/deploy/cli.js instead.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const cacheDir = path.join(root, 'node_modules', '.cache', 'todo-cdk8s');
const bundle = path.join(cacheDir, 'deploy-cli.js');
const stampFile = path.join(cacheDir, 'deploy-cli.inputs.json');

function stamp(file) {
  const st = fs.statSync(path.join(root, file));
  return `${st.size}:${st.mtimeMs}`;
}

function upToDate() {
  try {
    const inputs = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
    return fs.existsSync(bundle) && Object.entries(inputs).every(([file, s]) => stamp(file) === s);
  } catch {
    return false;
  }
}

if (!upToDate()) {
  const esbuild = require('esbuild');
  fs.mkdirSync(cacheDir, { recursive: true });
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: ['lib/deploy/cli.ts'],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    outfile: bundle,
    metafile: true,
    logLevel: 'error',
  });
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)) {
    inputs[file] = stamp(file);
  }
  fs.writeFileSync(stampFile, JSON.stringify(inputs));
}

require(bundle).main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (e) => {
  process.stderr.write(`${e && e.stack ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
