#!/usr/bin/env node
/**
 * Runs the deploy command line (`lib/deploy/cli.ts`) for `npm run deploy`
 * and `npm run destroy`, without type-checking it: esbuild bundles the
 * project's TypeScript (packages stay external) into node_modules/.cache
 * (scripts/bundle-cache.js), and the bundle is reused until one of its source
 * files changes, as scripts/run-app.js does for synth. The package's `bin` runs the compiled
 * build/lib/deploy/cli.js instead.
 */
'use strict';
const { bundled } = require('./bundle-cache');

require(bundled('deploy-cli', 'lib/deploy/cli.ts', { packages: 'external' })).main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (e) => {
  process.stderr.write(`${e && e.stack ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
