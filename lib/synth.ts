import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { BuildTarget, renderBuildScript } from './build-script';
import { ApiObject } from 'cdk8s';
import { assertChecksPass, formatFindings, Manifest } from './checks';
import { checkLint, exceptionsWithoutReason, formatLintWarnings, LintFinding } from './checks/lint';
import { buildDefaultApp } from './default-app';
import { renderHelmfile, TodoHelmChart } from './helm';
import { writeDirectoryAtomically } from './output';
import { resolveLocalSecrets } from './secret-store';
import { Environment, readSecretSettings, readSettings } from './settings';
import { Profile, TodoApp } from './todo-app';

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
 * `helm/helmfile.yaml` declaring both releases.
 */
export function synthesize(options: SynthesizeOptions): SynthesizeResult {
  const settings = readSettings(options.env);
  const local = resolveLocalSecrets(settings.secretsFile, readSecretSettings(options.env));
  let lintWarnings: LintFinding[] = [];
  writeDirectoryAtomically(options.outdir, (staging) => {
    const app = new App({ outdir: staging });
    const todo = buildDefaultApp(app, settings, local.secrets);
    const own = new Set(app.charts.flatMap((chart) => chart.node.findAll().filter(ApiObject.isApiObject).map(objectKey)));
    options.extend?.(todo);
    app.synth();
    const objects = app.charts.flatMap((chart) => chart.toJson());
    assertChecksPass('the manifests', objects, { externalSecrets: todo.components.flatMap((c) => c.externalSecrets) });
    lintWarnings = assertLintPasses(objects, own);
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
  if (lintWarnings.length > 0) {
    (options.warn ?? ((m: string) => process.stderr.write(`${m}\n`)))(`warning: ${lintWarnings.length} kube-score/kube-linter finding(s) on objects added by extend:\n${formatLintWarnings(lintWarnings)}`);
  }
  return { files: listFiles(options.outdir), lintWarnings };
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

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}
