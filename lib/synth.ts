import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { BuildTarget, renderBuildScript } from './build-script';
import { assertChecksPass } from './checks';
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
}

/** What {@link synthesize} wrote, relative to the output directory. */
export interface SynthesizeResult {
  readonly files: string[];
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
  writeDirectoryAtomically(options.outdir, (staging) => produce(staging, settings, local, options.extend), { beforeSwitch: () => local.save() });
  return { files: listFiles(options.outdir) };
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
    produce(staging, settings, local, options.extend);
    const text = plainManifests(staging).map((file) => fs.readFileSync(path.join(staging, file), 'utf8').replace(/\n*$/, '\n')).join('---\n');
    local.save();
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

function produce(staging: string, settings: Settings, local: LocalSecrets, extend: ((todo: TodoApp) => void) | undefined): void {
  const app = new App({ outdir: staging });
  const todo = buildDefaultApp(app, settings, local.secrets);
  extend?.(todo);
  app.synth();
  const objects = app.charts.flatMap((chart) => chart.toJson());
  if (holdsAmbiguousString(objects)) {
    rewriteYamlFiles(staging);
  }
  assertChecksPass('the manifests', objects, { externalSecrets: todo.components.flatMap((c) => c.externalSecrets) });
  fs.writeFileSync(path.join(staging, 'build-images.sh'), renderBuildScript(todo.components, todo.profile === Profile.CLUSTER ? BuildTarget.REGISTRY : BuildTarget.MINIKUBE), { mode: 0o755 });
  const releases = todo.components.map((component) => ({
    chart: new TodoHelmChart(app, `${component.role}-chart`, { component }),
    path: `./${component.role}`,
  }));
  for (const release of releases) {
    release.chart.writeTo(path.join(staging, 'helm', release.chart.component.role));
  }
  fs.writeFileSync(path.join(staging, 'helm', 'helmfile.yaml'), renderHelmfile(releases));
}

/** Files under `dir`, following links (the entries of an output directory are links into its current generation). */
function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir).sort((a, b) => a.localeCompare(b))
    .flatMap((name) => (fs.statSync(path.join(dir, name)).isDirectory() ? listFiles(path.join(dir, name), `${prefix}${name}/`) : [`${prefix}${name}`]));
}
