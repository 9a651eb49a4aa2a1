#!/usr/bin/env node
/**
 * Runs `main.ts` for `cdk8s synth` (the `app` of cdk8s.yaml) without
 * type-checking it: esbuild bundles the project's TypeScript and the packages
 * it imports into one file in node_modules/.cache, and the bundle is reused
 * until one of its inputs changes (a source file, or a package file after
 * `npm ci`). One file starts faster than the 200-odd modules Node would
 * otherwise resolve and load one by one (`yaml` alone twice: the project's
 * and cdk8s' bundled copy). Type checking runs in `npm test` and `npm run build`.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const cacheDir = path.join(root, 'node_modules', '.cache', 'todo-cdk8s');
const bundle = path.join(cacheDir, 'main.js');
const stampFile = path.join(cacheDir, 'main.inputs.json');

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
    entryPoints: ['main.ts'],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
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

require(bundle);
