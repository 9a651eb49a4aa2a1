#!/usr/bin/env node
/**
 * Regenerates `imports/k8s.ts` offline.
 *
 * `cdk8s import k8s@1.28.0` downloads the Kubernetes schema from GitHub. This
 * script runs the same importer from cdk8s-cli but answers its download with
 * the schema vendored in `schemas/k8s/v<version>/_definitions.json`, so the
 * output is byte-for-byte what the CLI writes, without network access.
 *
 * Usage: npm run import            (version from cdk8s.yaml `imports: [k8s@x.y.z]`)
 */
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const config = fs.readFileSync(path.join(root, 'cdk8s.yaml'), 'utf8');
const match = /-\s*k8s@(\d+\.\d+\.\d+)/.exec(config);
if (!match) {
  console.error('cdk8s.yaml must list the Kubernetes import as "imports: [k8s@<x.y.z>]"');
  process.exit(1);
}
const version = match[1];
const schemaFile = path.join(root, 'schemas', 'k8s', `v${version}`, '_definitions.json');
if (!fs.existsSync(schemaFile)) {
  console.error(`no vendored schema for k8s ${version}: expected ${path.relative(root, schemaFile)}`);
  process.exit(1);
}

// cdk8s-cli exports no public API for its importer; load its modules by file.
const cli = path.dirname(require.resolve('cdk8s-cli/package.json'));
const util = require(path.join(cli, 'lib', 'util.js'));
util.download = async (url) => {
  if (!url.endsWith(`/v${version}/_definitions.json`)) {
    throw new Error(`unexpected download during offline import: ${url}`);
  }
  return fs.readFileSync(schemaFile, 'utf8');
};
const { ImportKubernetesApi } = require(path.join(cli, 'lib', 'import', 'k8s.js'));
const { Language } = require(path.join(cli, 'lib', 'import', 'base.js'));

new ImportKubernetesApi({ apiVersion: version })
  .import({ outdir: path.join(root, 'imports'), targetLanguage: Language.TYPESCRIPT })
  .then(() => console.log(`imports/k8s.ts regenerated from ${path.relative(root, schemaFile)}`))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
