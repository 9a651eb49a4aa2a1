import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * Every TSDoc `@example` in lib/ is compiled (strict, against the library and
 * its internal modules) and run. A statement whose line ends in a comment
 * holding a value (`image.reference; // 'todo-backend:v1.2.0'`) must give
 * that value; a comment line after a statement that is a value
 * (`// "'backend.port' must be..."`) or `// Error: <message>` says what the
 * statement returns or throws, and is checked too. After an example, the app
 * it built is synthesized, so every check of `app.synth()` passes on it.
 */
const ROOT = path.join(__dirname, '..');
const LIB = path.join(ROOT, 'lib');

interface Example {
  readonly file: string;
  readonly line: number;
  readonly code: string[];
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory()
    ? sourceFiles(path.join(dir, e.name))
    : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** The `@example` blocks of a file: the lines after the tag, to the next tag or the comment's end. */
function examplesOf(file: string): Example[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const examples: Example[] = [];
  lines.forEach((line, i) => {
    if (!/^\s*\* @example\s*$/.test(line)) return;
    const code: string[] = [];
    for (let j = i + 1; j < lines.length && !/^\s*\*\//.test(lines[j]) && !/^\s*\* @/.test(lines[j]); j++) {
      code.push(lines[j].replace(/^\s*\* ?/, ''));
    }
    examples.push({ file: path.relative(ROOT, file), line: i + 1, code });
  });
  return examples;
}

const VALUE = /^(['"{[]|-?\d|true\b|false\b|undefined\b)/;

/** The example as a program: values in comments become assertions. */
function program(example: Example): string {
  const out: string[] = [];
  const code = example.code;
  for (let i = 0; i < code.length; i++) {
    const line = code[i];
    const next = code[i + 1] ?? '';
    const inline = /^(\S.*?);\s*\/\/\s*(.*)$/.exec(line);
    const after = /^\/\/\s*(.*)$/.exec(next.trim());
    if (after && /^Error: /.test(after[1]) && line.trim().endsWith(';')) {
      out.push(`expectThrow(() => { ${line} }, ${JSON.stringify(after[1].slice('Error: '.length))});`);
      i++;
    } else if (after && VALUE.test(after[1]) && /^\S.*;$/.test(line)) {
      out.push(`expectValue(${line.slice(0, -1)}, ${after[1]});`);
      i++;
    } else if (inline && VALUE.test(inline[2]) && !/^(const|let|for|if|new) /.test(inline[1])) {
      out.push(`expectValue(${inline[1]}, ${inline[2]});`);
    } else {
      out.push(line);
    }
  }
  return [
    "import { App, Chart, Duration, JsonPatch, Size, Testing } from 'cdk8s';",
    "import { ServiceType } from 'cdk8s-plus-28';",
    `import { AppComponent, BackendDatabase, DockerImage, excuseLintFinding, HealthProbe, Profile, TodoApp, TodoBackend, TodoFrontend, TodoHelmChart } from ${JSON.stringify(path.join(LIB, 'index'))};`,
    `import { atLeast, check, Rules, violation } from ${JSON.stringify(path.join(LIB, 'validation'))};`,
    `import { appliesOnlyTo, conflict, ownedByComponent } from ${JSON.stringify(path.join(LIB, 'shared-rules'))};`,
    'declare function expectValue(actual: unknown, expected: unknown): void;',
    'declare function expectThrow(run: () => unknown, message: string): void;',
    'export function run(): App {',
    '  const app = new App();',
    "  const chart = new Chart(app, 'example');",
    '  {',
    ...out.map((l) => `    ${l}`),
    '  }',
    '  return app;',
    '}',
    'void [App, Chart, Duration, JsonPatch, Size, Testing, ServiceType, AppComponent, BackendDatabase, DockerImage, excuseLintFinding, HealthProbe, Profile, TodoApp, TodoBackend, TodoFrontend, TodoHelmChart, atLeast, check, conflict, ownedByComponent, Rules, violation];',
  ].join('\n');
}

const examples = sourceFiles(LIB).flatMap(examplesOf);

describe('the @example blocks of lib/', () => {
  test('there are examples, in the files of the public API', () => {
    expect(examples.length).toBeGreaterThanOrEqual(12);
    expect(examples.map((e) => e.file)).toEqual(expect.arrayContaining(['lib/todo-app.ts', 'lib/todo-backend.ts', 'lib/todo-frontend.ts', 'lib/app-component.ts', 'lib/lint-exceptions.ts']));
  });

  test('all compile with strict TypeScript', () => {
    const files = new Map(examples.map((e, i) => [path.join(ROOT, '__tests__', `__example${i}.ts`), program(e)]));
    const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, esModuleInterop: true, skipLibCheck: true, types: ['node'] };
    const host = ts.createCompilerHost(options);
    const read = host.readFile;
    host.readFile = (name) => files.get(path.resolve(name)) ?? read(name);
    host.fileExists = ((exists) => (name: string) => files.has(path.resolve(name)) || exists(name))(host.fileExists);
    // Only the examples' own diagnostics: the library's types are read as far as the examples use them.
    const compiled = ts.createProgram([...files.keys()], options, host);
    const diagnostics = [...files.keys()].flatMap((file, index) => [...compiled.getSyntacticDiagnostics(compiled.getSourceFile(file)), ...compiled.getSemanticDiagnostics(compiled.getSourceFile(file))]
      .map((d) => `${examples[index].file}:${examples[index].line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`));
    expect(diagnostics).toEqual([]);
  });

  test.each(examples.map((e) => [`${e.file}:${e.line}`, e] as const))('%s runs, gives the values its comments state, and its app synthesizes', (_name, example) => {
    const js = ts.transpileModule(program(example), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true } }).outputText;
    const module = { exports: {} as { run: () => { synthYaml(): string } } };
    const checked: string[] = [];
    const expectValue = (actual: unknown, expected: unknown) => {
      expect(actual).toEqual(expected);
      checked.push(JSON.stringify(expected));
    };
    const expectThrow = (run: () => unknown, message: string) => {
      expect(run).toThrow(message);
      checked.push(message);
    };
    new Function('require', 'module', 'exports', 'expectValue', 'expectThrow', js)(require, module, module.exports, expectValue, expectThrow);
    // An example may write files (a chart's writeTo): in a directory of its own.
    const cwd = process.cwd();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-'));
    try {
      process.chdir(dir);
      const app = module.exports.run();
      expect(() => app.synthYaml()).not.toThrow();
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const stated = example.code.filter((l) => /\/\/\s*(['"{[]|-?\d|Error: )/.test(l) && !/^\s+/.test(l)).length;
    expect(checked).toHaveLength(stated);
  });
});
