import * as path from 'path';
import * as ts from 'typescript';
import * as api from '../lib';

/**
 * The public API is what lib/index.ts exports, by name. A change to this list
 * is a change to the package's API: update CHANGELOG.md and API.md with it.
 */
const ROOT = path.join(__dirname, '..');

/** Values: classes, enums, functions and constants. */
const VALUES = [
  'AppComponent', 'assertChecksPass', 'BACKEND_IMAGE', 'BackendDatabase', 'DatabaseEngine', 'DockerImage', 'excuseLintFinding', 'FRONTEND_IMAGE',
  'HealthProbe', 'ProbeType', 'Profile', 'runAllChecks', 'synthesize', 'TodoApp', 'TodoBackend', 'TodoFrontend', 'TodoHelmChart',
];

/** Types only: props and the value types they take. */
const TYPES = [
  'Affinity', 'Toleration',
  'AppComponentOptions', 'AutoscalingOptions', 'CheckOptions', 'ClusterOptions', 'DockerImageProps', 'Environment', 'ExtraEnvVar', 'Finding',
  'HealthProbeOptions', 'IngressOptions', 'KeysSecret', 'PostgresSecretOptions', 'ServiceAccountOptions', 'SqliteOptions', 'SynthesizeOptions', 'SynthesizeResult',
  'TodoAppBackendOptions', 'TodoAppFrontendOptions', 'TodoAppProps', 'TodoBackendProps', 'TodoFrontendProps', 'TodoHelmChartProps',
];

const sorted = (names: readonly string[]) => [...names].sort((a, b) => a.localeCompare(b));

/** One program over lib/index.ts with the build's compiler options (stripInternal on). */
function buildProgram(): ts.Program {
  const file = path.join(ROOT, 'tsconfig.build.json');
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(file, ts.sys.readFile).config, ts.sys, ROOT);
  return ts.createProgram([path.join(ROOT, 'lib', 'index.ts')], { ...config.options, incremental: false, tsBuildInfoFile: undefined });
}

let program: ts.Program;
beforeAll(() => {
  program = buildProgram();
});

/** The declaration (.d.ts) the build writes for a file of lib/. */
function declarationOf(file: string): string {
  let text = '';
  const result = program.emit(program.getSourceFile(path.join(ROOT, 'lib', file)), (name, data) => {
    if (name.endsWith('.d.ts')) text = data;
  }, undefined, true);
  expect(result.diagnostics).toEqual([]);
  return text;
}

/** Public members of a declared class, in declaration order. */
function membersOf(declaration: string, className: string): string[] {
  const source = ts.createSourceFile('x.d.ts', declaration, ts.ScriptTarget.ES2020, true);
  const cls = source.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === className);
  if (!cls) throw new Error(`no class ${className} in the declaration`);
  return cls.members
    .filter((m) => m.name !== undefined && !(ts.getCombinedModifierFlags(m as ts.Declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)))
    .map((m) => (m.name as ts.Identifier).text);
}

describe('the public API (lib/index.ts)', () => {
  test('exports exactly these names: constructs, props, value types, enums, the synth entry and the checks', () => {
    const checker = program.getTypeChecker();
    const index = checker.getSymbolAtLocation(program.getSourceFile(path.join(ROOT, 'lib', 'index.ts'))!)!;
    expect(sorted(checker.getExportsOfModule(index).map((s) => s.name))).toEqual(sorted([...VALUES, ...TYPES]));
  });

  test('at run time, the values and nothing else', () => {
    expect(sorted(Object.keys(api))).toEqual(sorted(VALUES));
  });

  test('helpers and internals are not exported (they clash with other packages, or are not meant for users)', () => {
    for (const name of ['Helm', 'describe', 'check', 'show', 'sha256', 'randomSecret', 'leaf', 'group', 'RECREATE', 'ROLLING_UPDATE', 'Rules', 'SETTINGS', 'readSettings', 'buildDefaultApp']) {
      expect(Object.keys(api)).not.toContain(name);
    }
  });

  test('the exported constants are frozen, down to their build arguments', () => {
    for (const image of [api.BACKEND_IMAGE, api.FRONTEND_IMAGE]) {
      expect(Object.isFrozen(image)).toBe(true);
      expect(Object.isFrozen(image.buildArgs)).toBe(true);
      expect(() => {
        (image as { tag: string }).tag = 'changed';
      }).toThrow(TypeError);
    }
    expect(api.BACKEND_IMAGE.with({ tag: 'v2' }).reference).toBe('todo-backend:v2');
    expect(api.BACKEND_IMAGE.reference).toBe('todo-backend:latest');
  });

  test('the declarations users compile against hold only the documented members of AppComponent (@internal ones are stripped)', () => {
    expect(membersOf(declarationOf('app-component.ts'), 'AppComponent')).toEqual([
      'name', 'namespace', 'port', 'nodePort',
      'deployment', 'service', 'configMap', 'secret', 'keysSecret', 'persistentVolumeClaim', 'networkPolicy', 'ingress', 'autoscaler', 'disruptionBudget', 'serviceAccount',
      'image', 'plusService', 'toIngressBackend', 'toPodSelectorConfig', 'toNetworkPolicyPeerConfig', 'toPodSelector', 'allowFrom', 'externalSecrets', 'externalConfigMaps', 'externalClaims', 'dnsName', 'clusterUrl', 'url', 'origin', 'selectorLabels', 'env',
    ]);
  });

  test('the value types keep their factories and readable values; their internals are stripped', () => {
    expect(membersOf(declarationOf('backend-database.ts'), 'BackendDatabase')).toEqual(['engine', 'sqlite', 'ephemeralSqlite', 'postgres', 'postgresFromSecret']);
    expect(membersOf(declarationOf('health-probe.ts'), 'HealthProbe')).toEqual([
      'httpGet', 'tcpSocket', 'type', 'path', 'initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold', 'withPath',
    ]);
    expect(membersOf(declarationOf('todo-backend.ts'), 'TodoBackend')).toEqual(['database', 'corsOrigins']);
    expect(membersOf(declarationOf('todo-frontend.ts'), 'TodoFrontend')).toEqual(['backend', 'urlOf', 'originOf']);
  });
});
