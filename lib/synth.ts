import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import { checkAppElsewhere } from './app-checks';
import { BuildTarget, renderBuildScript } from './build-script';
import { assertChecksPass, formatFindings, Manifest } from './checks';
import { checkLint, exceptionsWithoutReason, formatLintWarnings, LintFinding } from './checks/lint';
import { buildDefaultApp } from './default-app';
import { renderHelmfile, TodoHelmChart } from './helm';
import { writeDirectoryAtomically } from './output';
import { LocalSecrets, resolveLocalSecrets } from './secret-store';
import { Environment, readSecretSettings, readSettings, Settings } from './settings';
import { Profile, TodoApp } from './todo-app';
import { holdsAmbiguousString, rewriteYamlFiles } from './yaml-text';

/** Options of {@link synthesize}. */
export interface SynthesizeOptions {
  /** Where to write; replaced as a whole on success, untouched on failure. */
  readonly outdir: string;
  /** The environment the settings and secrets are read from. */
  readonly env: Environment;
  /**
   * Adds to the default app before it is synthesized and checked (objects
   * of your own, changes to the constructs).
   *
   * @default - nothing
   */
  readonly extend?: (todo: TodoApp) => void;

  /**
   * Receives the kube-score and kube-linter findings on objects that
   * `extend` added (the app's own objects must have none, or synth fails).
   *
   * @default - printed to stderr
   */
  readonly warn?: (message: string) => void;
}

/** What {@link synthesize} wrote, relative to the output directory. */
export interface SynthesizeResult {
  readonly files: string[];
  /** kube-score and kube-linter findings on objects that `extend` added. */
  readonly lintWarnings: LintFinding[];
}

/**
 * Synthesizes the default app, all or nothing: the plain manifests
 * (`todo.k8s.yaml`), the image build plan (`build-images.sh`), and one Helm
 * chart per component (`helm/backend`, `helm/frontend`) with a
 * `helm/helmfile.yaml` declaring both releases. The output directory is
 * replaced as a whole (`writeDirectoryAtomically` in `lib/output.ts`): after a failure
 * or a kill at any moment it is as it was; newly generated secrets are saved
 * just before the new output replaces the old, and put back if it cannot.
 */
export function synthesize(options: SynthesizeOptions): SynthesizeResult {
  const { settings, local } = resolveInputs(options.env);
  let lintWarnings: LintFinding[] = [];
  writeDirectoryAtomically(options.outdir, (staging) => {
    lintWarnings = produce(staging, settings, local, options.extend);
  }, { beforeSwitch: () => local.save() });
  reportLintWarnings(lintWarnings, options.warn);
  // The list is read now and sorted when first asked for: the CLI never asks, and sorting by
  // localeCompare first loads ICU's collation data (some 20 ms of a synth's start).
  const tree = readTree(options.outdir);
  let files: string[] | undefined;
  return {
    get files() {
      files ??= sortedFiles(tree);
      return files;
    },
    lintWarnings,
  };
}

function reportLintWarnings(warnings: readonly LintFinding[], warn: ((message: string) => void) | undefined): void {
  if (warnings.length > 0) {
    (warn ?? ((m: string) => process.stderr.write(`${m}\n`)))(`warning: ${warnings.length} kube-score/kube-linter finding(s) on objects added by extend:\n${formatLintWarnings(warnings)}`);
  }
}

function objectKey(o: ApiObject | Manifest): string {
  return o instanceof ApiObject
    ? `${o.kind} ${o.metadata.namespace ?? 'default'}/${o.name}`
    : `${o.kind} ${o.metadata?.namespace ?? 'default'}/${o.metadata?.name}`;
}

/**
 * The kube-score and kube-linter rules (lib/checks/lint.ts): a finding on
 * the app's own objects (`own`, by kind, namespace and name), or an
 * exception without a reason, fails; findings on other objects are returned
 * as warnings.
 */
function assertLintPasses(objects: readonly Manifest[], own: ReadonlySet<string>): LintFinding[] {
  const isOwn = (o: { object: string }) => own.has(o.object);
  const findings = checkLint(objects);
  const failures = [...findings.filter(isOwn), ...exceptionsWithoutReason(objects.filter((o) => own.has(objectKey(o))))];
  if (failures.length > 0) {
    throw new Error(`${failures.length} kube-score/kube-linter check(s) failed on the manifests:\n${formatFindings(failures)}`);
  }
  return findings.filter((f) => !isOwn(f));
}

/** Options of {@link synthesizeManifests}. */
export interface SynthesizeManifestsOptions {
  /** The environment the settings and secrets are read from. */
  readonly env: Environment;
  /**
   * Adds to the default app before it is synthesized and checked.
   *
   * @default - nothing
   */
  readonly extend?: (todo: TodoApp) => void;

  /**
   * Receives the kube-score and kube-linter findings on objects that
   * `extend` added.
   *
   * @default - printed to stderr
   */
  readonly warn?: (message: string) => void;
}

/**
 * Synthesizes the default app as {@link synthesize} does, with the same
 * checks, and returns only the plain manifests (the objects of
 * `todo.k8s.yaml`) as one YAML stream, documents separated by `---`: what
 * `cdk8s synth --stdout` prints. No output directory is written; newly
 * generated secrets are saved, so that a later synth keeps the keys that
 * were printed.
 */
export function synthesizeManifests(options: SynthesizeManifestsOptions): string {
  const { settings, local } = resolveInputs(options.env);
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'todo-cdk8s-'));
  try {
    const lintWarnings = produce(staging, settings, local, options.extend);
    const text = plainManifests(staging).map((file) => fs.readFileSync(path.join(staging, file), 'utf8').replace(/\n*$/, '\n')).join('---\n');
    local.save();
    reportLintWarnings(lintWarnings, options.warn);
    return text;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** The plain manifests in a synthesized directory (`*.k8s.yaml` at its top), in a stable order. */
export function plainManifests(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name.endsWith('.k8s.yaml')).sort();
}

function resolveInputs(env: Environment): { settings: Settings; local: LocalSecrets } {
  const settings = readSettings(env);
  return { settings, local: resolveLocalSecrets(settings.secretsFile, readSecretSettings(env)) };
}

/** Writes the whole output into `staging`; returns the lint findings on objects that `extend` added. */
function produce(staging: string, settings: Settings, local: LocalSecrets, extend: ((todo: TodoApp) => void) | undefined): LintFinding[] {
  const app = new App({ outdir: staging });
  // The checks below read every object (those `extend` added too) and report lint findings on the
  // latter as warnings; cdk8s' validation of the same checks (lib/app-checks.ts) would run them again.
  checkAppElsewhere(app);
  const todo = buildDefaultApp(app, settings, local.secrets);
  const own = new Set(app.charts.flatMap((chart) => chart.node.findAll().filter(ApiObject.isApiObject).map(objectKey)));
  extend?.(todo);
  app.synth();
  const objects = app.charts.flatMap((chart) => chart.toJson());
  if (holdsAmbiguousString(objects)) {
    rewriteYamlFiles(staging);
  }
  assertChecksPass('the manifests', objects, {
    externalSecrets: todo.components.flatMap((c) => c.externalSecrets),
    externalConfigMaps: todo.components.flatMap((c) => c.externalConfigMaps),
    externalClaims: todo.components.flatMap((c) => c.externalClaims),
  });
  const lintWarnings = assertLintPasses(objects, own);
  fs.writeFileSync(path.join(staging, 'build-images.sh'), renderBuildScript(todo.components, todo.profile === Profile.CLUSTER ? BuildTarget.REGISTRY : BuildTarget.MINIKUBE), { mode: 0o755 });
  const releases = todo.components.map((component) => ({
    chart: new TodoHelmChart(app, `${component.role}-chart`, { component }),
    path: `./${component.role}`,
  }));
  for (const release of releases) {
    release.chart.writeTo(path.join(staging, 'helm', release.chart.component.role));
  }
  fs.writeFileSync(path.join(staging, 'helm', 'helmfile.yaml'), renderHelmfile(releases));
  return lintWarnings;
}

/** A directory's entries: a subdirectory's own entries, or null for a file. */
interface Tree {
  readonly [name: string]: Tree | null;
}

/** What is under `dir`, following links (the entries of an output directory are links into its current generation). */
function readTree(dir: string): Tree {
  return Object.fromEntries(fs.readdirSync(dir).map((name) => [name, fs.statSync(path.join(dir, name)).isDirectory() ? readTree(path.join(dir, name)) : null]));
}

/** The files of a tree, by path, each directory's entries sorted by localeCompare. */
function sortedFiles(tree: Tree, prefix = ''): string[] {
  return Object.keys(tree).sort((a, b) => a.localeCompare(b))
    .flatMap((name) => {
      const sub = tree[name];
      return sub === null ? [`${prefix}${name}`] : sortedFiles(sub, `${prefix}${name}/`);
    });
}
