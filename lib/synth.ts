import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { BuildTarget, renderBuildScript } from './build-script';
import { assertChecksPass } from './checks';
import { buildDefaultApp } from './default-app';
import { renderHelmfile, TodoHelmChart } from './helm';
import { writeDirectoryAtomically } from './output';
import { resolveLocalSecrets } from './secret-store';
import { Environment, readSecretSettings, readSettings } from './settings';
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
 * `helm/helmfile.yaml` declaring both releases.
 */
export function synthesize(options: SynthesizeOptions): SynthesizeResult {
  const settings = readSettings(options.env);
  const local = resolveLocalSecrets(settings.secretsFile, readSecretSettings(options.env));
  writeDirectoryAtomically(options.outdir, (staging) => {
    const app = new App({ outdir: staging });
    const todo = buildDefaultApp(app, settings, local.secrets);
    options.extend?.(todo);
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
  });
  local.save();
  return { files: listFiles(options.outdir) };
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}
