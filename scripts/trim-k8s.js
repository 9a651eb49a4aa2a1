#!/usr/bin/env node
/**
 * Trims the packaged Kubernetes classes to what the library uses.
 *
 * `imports/k8s.ts` stays as `npm run import` writes it: the complete
 * generated Kubernetes 1.28 library (about 1,000 declarations). The library
 * uses a few of them; shipping all of them made 1.5 MB of the package. After
 * `tsc -p tsconfig.build.json`, this script replaces `build/imports/k8s.js`
 * and `build/imports/k8s.d.ts` (the `todo-cdk8s/k8s` export) with the same
 * file compiled from a subset of its declarations:
 *
 * - the roots: every declaration of imports/k8s.ts that a file of the build
 *   (lib/, main.ts) refers to, found by the type checker (types and values);
 * - and, closed over, every declaration a kept one names (the props of a
 *   kept class, the structs and `toJson_` functions of a kept struct...).
 *
 * Kept declarations are copied as written, with their documentation, in
 * their order. The subset compiles on its own, and the build's declarations
 * are type-checked against it: a missing declaration fails the build.
 *
 * Usage: node scripts/trim-k8s.js          (run by `npm run build`)
 *        node scripts/trim-k8s.js --report (prints the kept names, changes nothing)
 */
'use strict';
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..');
const SOURCE = path.join(ROOT, 'imports', 'k8s.ts');
const OUT = path.join(ROOT, 'build', 'imports');

/** The build's compiler options and files (tsconfig.build.json). */
function buildConfig() {
  const file = path.join(ROOT, 'tsconfig.build.json');
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(file, ts.sys.readFile).config, ts.sys, ROOT);
  return { options: { ...config.options, incremental: false, tsBuildInfoFile: undefined }, fileNames: config.fileNames };
}

/** The name of a top-level declaration of the generated file. */
function nameOf(statement) {
  return statement.name && ts.isIdentifier(statement.name) ? statement.name.text : undefined;
}

/**
 * The declarations to keep: the ones the build refers to, and every
 * declaration a kept one names, transitively.
 *
 * @returns {{ kept: Set<string>, roots: Set<string>, total: number, file: ts.SourceFile }}
 */
function subset() {
  const { options, fileNames } = buildConfig();
  const program = ts.createProgram(fileNames, options);
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(SOURCE);
  if (!file) throw new Error(`${path.relative(ROOT, SOURCE)} is not part of the build (tsconfig.build.json)`);
  const declarations = new Map();
  for (const statement of file.statements) {
    const name = nameOf(statement);
    if (name !== undefined) declarations.set(name, statement);
  }
  const topLevel = (node) => {
    while (node.parent && node.parent !== file) node = node.parent;
    return nameOf(node);
  };

  // The roots: what the build's own files refer to, by symbol.
  const roots = new Set();
  for (const source of program.getSourceFiles()) {
    if (source === file || source.isDeclarationFile || !fileNames.includes(source.fileName)) continue;
    const visit = (node) => {
      if (ts.isIdentifier(node)) {
        let symbol = checker.getSymbolAtLocation(node);
        if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
        for (const d of symbol?.declarations ?? []) {
          if (d.getSourceFile() === file) {
            const name = topLevel(d);
            if (name !== undefined) roots.add(name);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }

  // Closed over the names the kept declarations mention (a superset: any identifier with a declaration's name).
  const kept = new Set();
  const pending = [...roots];
  while (pending.length > 0) {
    const name = pending.pop();
    if (kept.has(name)) continue;
    kept.add(name);
    const visit = (node) => {
      if (ts.isIdentifier(node) && declarations.has(node.text) && !kept.has(node.text)) pending.push(node.text);
      ts.forEachChild(node, visit);
    };
    visit(declarations.get(name));
  }
  return { kept, roots, total: declarations.size, file };
}

/** The generated file with only the kept declarations: its header (imports) and each kept statement as written. */
function subsetText(file, kept) {
  const parts = [];
  for (const statement of file.statements) {
    const name = nameOf(statement);
    if (name === undefined || kept.has(name)) parts.push(statement.getFullText(file));
  }
  return `${parts.join('')}\n`;
}

/** Compiles the subset with the build's options; returns the emitted JavaScript and declarations. */
function compile(text, options) {
  const dir = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.cache', 'trim-k8s-'));
  try {
    const file = path.join(dir, 'k8s.ts');
    fs.writeFileSync(file, text);
    const program = ts.createProgram([file], { ...options, rootDir: dir, outDir: dir, noUnusedLocals: false });
    const out = {};
    const emitted = program.emit(undefined, (name, data) => {
      out[path.basename(name)] = data;
    });
    const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
    if (diagnostics.length > 0) throw new Error(`the trimmed Kubernetes classes do not compile:\n${format(diagnostics)}`);
    return { js: out['k8s.js'], dts: out['k8s.d.ts'] };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Type-checks the build's declarations (build/lib, build/main) against the trimmed declarations. */
function verify(options) {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.d.ts')) files.push(p);
    }
  };
  walk(path.join(ROOT, 'build', 'lib'));
  const program = ts.createProgram(files, { ...options, noEmit: true, skipLibCheck: false, incremental: false, tsBuildInfoFile: undefined });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length > 0) throw new Error(`the build's declarations do not compile against the trimmed Kubernetes classes:\n${format(diagnostics)}`);
}

function format(diagnostics) {
  return ts.formatDiagnostics(diagnostics.slice(0, 20), { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' });
}

function main() {
  const { options } = buildConfig();
  const { kept, roots, total, file } = subset();
  if (process.argv.includes('--report')) {
    console.log(JSON.stringify({ total, roots: [...roots].sort(), kept: [...kept].sort() }, undefined, 2));
    return;
  }
  for (const name of ['k8s.js', 'k8s.d.ts']) {
    if (!fs.existsSync(path.join(OUT, name))) throw new Error(`no ${path.relative(ROOT, path.join(OUT, name))}: run tsc -p tsconfig.build.json first`);
  }
  const { js, dts } = compile(subsetText(file, kept), options);
  fs.writeFileSync(path.join(OUT, 'k8s.js'), js);
  fs.writeFileSync(path.join(OUT, 'k8s.d.ts'), dts);
  verify(options);
  const after = Buffer.byteLength(js) + Buffer.byteLength(dts);
  // On stderr: `npm pack --json` runs the build (prepack) and its stdout must stay JSON.
  console.error(`build/imports/k8s: kept ${kept.size} of ${total} declarations (${roots.size} used by the library, the rest what they name): ${after} bytes of JavaScript and declarations`);
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    console.error(`trim-k8s: ${e.message}`);
    process.exit(1);
  }
}

module.exports = { subset, subsetText };
