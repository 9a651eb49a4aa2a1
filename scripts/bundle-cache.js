/**
 * The bundles of scripts/run-app.js, scripts/run-cli.js and scripts/synth.js:
 * esbuild bundles a TypeScript entry point into one file in
 * node_modules/.cache/todo-cdk8s, reused until one of its inputs changes
 * (its size or mtime; the inputs are those esbuild read, listed in
 * `<name>.inputs.json`). No type checking: that runs in `npm test` and
 * `npm run build`.
 *
 * Synths run at once may rebuild a bundle at once, so the bundle and its
 * list of inputs are each written to a file of their own and renamed into
 * place, the bundle first: a reader finds the old bundle or the new one,
 * whole, never a file esbuild is still writing.
 */
'use strict';
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');

const root = path.resolve(__dirname, '..');
const cacheDir = path.join(root, 'node_modules', '.cache', 'todo-cdk8s');

function stamp(file) {
  const st = fs.statSync(path.join(root, file));
  return `${st.size}:${st.mtimeMs}`;
}

function upToDate(bundle, stampFile) {
  try {
    const inputs = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
    return fs.existsSync(bundle) && Object.entries(inputs).every(([file, s]) => stamp(file) === s);
  } catch {
    return false;
  }
}

/** Writes `file` by rename of a file of this process beside it. */
function writeAtomically(file, contents) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, contents);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * The path of an up-to-date bundle `<name>.js` of `entry` (relative to the
 * project), built first when it is missing or one of its inputs changed.
 *
 * @param {string} name the bundle's name in the cache directory
 * @param {string} entry the entry point, relative to the project
 * @param {object} [options] more esbuild options (`packages: 'external'`)
 */
function bundled(name, entry, options = {}) {
  const bundle = path.join(cacheDir, `${name}.js`);
  const stampFile = path.join(cacheDir, `${name}.inputs.json`);
  if (!upToDate(bundle, stampFile)) {
    const esbuild = require('esbuild');
    fs.mkdirSync(cacheDir, { recursive: true });
    const result = esbuild.buildSync({
      absWorkingDir: root,
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      outfile: bundle,
      write: false,
      metafile: true,
      logLevel: 'error',
      ...options,
    });
    const inputs = {};
    for (const file of Object.keys(result.metafile.inputs)) {
      inputs[file] = stamp(file);
    }
    writeAtomically(bundle, result.outputFiles[0].contents);
    writeAtomically(stampFile, JSON.stringify(inputs));
  }
  return bundle;
}

/**
 * Runs a bundle as `require` would, and returns its exports, with V8's code
 * cache: the bytecode V8 compiled for the bundle (the functions the run
 * called, not only the top level) is kept in `<bundle>.v8` after the first
 * run and given back to V8 by the next ones, which then skip compiling. The
 * cache names the bundle file it was made from (its inode, size and mtime:
 * a rebuilt bundle is a new file, renamed into place), and V8 itself refuses
 * a cache made by another Node version or with other flags; a cache that
 * does not fit is ignored and made again when the run ends.
 *
 * @param {string} bundle the bundle's path
 */
function runBundle(bundle) {
  // The stamp and the text from one open file: a bundle renamed into place between a stat and a read would
  // otherwise pair the new text with the old bundle's cache.
  const fd = fs.openSync(bundle, 'r');
  let st;
  let source;
  try {
    st = fs.fstatSync(fd);
    source = fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
  const key = Buffer.from(`${st.ino}:${st.size}:${st.mtimeMs}\n`);
  const cacheFile = `${bundle}.v8`;
  let cachedData;
  try {
    const data = fs.readFileSync(cacheFile);
    if (data.subarray(0, key.length).equals(key)) {
      cachedData = data.subarray(key.length);
    }
  } catch {
    // No cache yet.
  }
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once('exit', () => {
      try {
        writeAtomically(cacheFile, Buffer.concat([key, script.createCachedData()]));
      } catch {
        // A cache that cannot be written costs the next run its compile time, nothing else.
      }
    });
  }
  const mod = new Module(bundle, module);
  mod.filename = bundle;
  mod.paths = Module._nodeModulePaths(path.dirname(bundle));
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(bundle), mod, bundle, path.dirname(bundle));
  mod.loaded = true;
  return mod.exports;
}

module.exports = { bundled, cacheDir, root, runBundle };
