#!/usr/bin/env node
/**
 * Runs `main.ts` for `cdk8s synth` (the `app` of cdk8s.yaml) without
 * type-checking it: esbuild bundles the project's TypeScript and the packages
 * it imports into one file in node_modules/.cache (scripts/bundle-cache.js),
 * and the bundle is reused until one of its inputs changes (a source file, or
 * a package file after `npm ci`). One file starts faster than the 200-odd
 * modules Node would otherwise resolve and load one by one (`yaml` alone
 * twice: the project's and cdk8s' bundled copy), and V8's code cache of the
 * bundle (`runBundle`) spares the later runs compiling it. Type checking runs
 * in `npm test` and `npm run build`.
 */
'use strict';
const { bundled, runBundle } = require('./bundle-cache');

runBundle(bundled('main', 'main.ts'));
