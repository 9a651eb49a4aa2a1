#!/usr/bin/env node
/**
 * `npm run synth`: runs `cdk8s --check-upgrade=false synth`, with the
 * arguments given after `--`, one at a time per project. cdk8s-cli removes
 * its output directory (cdk8s.yaml's `output:`, a scratch directory) when it
 * starts and reads it once the app has exited, so the CLI of a second synth
 * starting in between would remove what the first one's app left there, and
 * the first would fail ("app expected to create ..."). The lock
 * (`withLock` of lib/output.ts, in node_modules/.cache/todo-cdk8s/cli-lock)
 * is held from before the CLI starts until it has exited; a synth killed
 * while holding it leaves a lock the next one takes over.
 */
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');
const { bundled, cacheDir, root } = require('./bundle-cache');

const { withLock } = require(bundled('synth-lock', 'lib/output.ts'));
const cli = path.join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');

let result;
try {
  withLock(path.join(cacheDir, 'cli-lock'), path.join(cacheDir, 'cdk8s.out'), 120_000, () => {
    result = spawnSync(process.execPath, [cli, '--check-upgrade=false', 'synth', ...process.argv.slice(2)], { stdio: 'inherit' });
  });
} catch (e) {
  process.stderr.write(`synth failed: ${e.message}\n`);
  process.exit(1);
}
if (result.error) {
  process.stderr.write(`synth failed: could not run ${cli}: ${result.error.message}\n`);
  process.exit(1);
}
if (result.signal) {
  // Killed: end the same way, so that npm and the shell tell what happened.
  process.kill(process.pid, result.signal);
}
process.exitCode = result.status;
