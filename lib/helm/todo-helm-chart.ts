import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AppComponent } from '../app-component';
import { describe } from '../checks/semantic';
import { ChartParts, ChartScope, ComponentFeature, NotesPart, POD_LISTS, PodList, variablesAtInstall } from '../component-feature';
import { metadataBindings } from '../features/names';
import { serviceBindings } from '../features/service';
import { userAnnotations } from '../lint-exceptions';
import { check, Rules } from '../validation';
import { componentValues } from './chart-values';
import { differences, fieldName, hasPatches, patchedBindings, shortShow, synthesized, whileRendering, withoutPatches } from './escape-hatches';
import { Binding, Helm, renderTemplate } from './template';
import { stringifyYaml } from '../yaml-text';
import { ChartCheck, renderChecks } from './chart-rules';
import { defaultValues, renderValuesSchema, renderValuesYaml } from './values';
import { writeFiles } from '../output';

/**
 * Properties of a {@link TodoHelmChart}.
 */
export interface TodoHelmChartProps {
  /** The component to package: a `TodoBackend` or a `TodoFrontend`. */
  readonly component: AppComponent;

  /**
   * The chart's name (`Chart.yaml` `name`, the `app.kubernetes.io/name` label,
   * and the default release name).
   *
   * @default - the component's name: `todo-backend` or `todo-frontend`
   */
  readonly chartName?: string;

  /**
   * The chart's version (SemVer 2).
   *
   * @default '0.1.0'
   */
  readonly version?: string;

  /**
   * The chart's description.
   *
   * @default - a sentence naming the component
   */
  readonly description?: string;
}

/**
 * One rendering of a chart: the scope its features render with and their
 * parts, each feature's computed once (the component's objects do not change
 * while the chart renders).
 */
interface Rendering {
  readonly scope: ChartScope;
  readonly parts: readonly ChartParts[];
}

/**
 * The chart parts of the features whose parts depend on the chart's name
 * and their own options alone ({@link ComponentFeature.chartPartsKey}), by
 * the feature's class, the chart's name and the key: rendered once per process.
 */
const PARTS_BY_NAME = new Map<Function, Map<string, ChartParts>>();

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Packages a {@link TodoBackend} or {@link TodoFrontend} as a Helm chart whose
 * values really parameterize it: the templates are the component's own
 * synthesized objects, with the fields of the design's configuration flow
 * replaced by Helm expressions. Rendered with its default values, the chart
 * gives the same Deployment, Service and ConfigMap as the plain manifests.
 *
 * The chart is written by {@link TodoHelmChart.writeTo}; it adds no objects to
 * the plain manifests.
 *
 * @example
 * const todo = new TodoApp(chart, 'todo');
 * const backendChart = new TodoHelmChart(app, 'backend-chart', { component: todo.backend });
 * app.synth();
 * backendChart.writeTo('dist/helm/backend');
 * // helm install todo-backend dist/helm/backend
 */
export class TodoHelmChart extends Construct {
  /** The component packaged. */
  public readonly component: AppComponent;
  /** The chart's name. */
  public readonly chartName: string;
  /** The chart's version. */
  public readonly version: string;
  /** The chart's description. */
  public readonly description: string;

  constructor(scope: Construct, id: string, props: TodoHelmChartProps) {
    super(scope, id);
    this.component = props.component;
    this.chartName = check('chartName', props.chartName ?? props.component.name, Rules.dnsLabel);
    this.version = props.version ?? '0.1.0';
    if (!SEMVER.test(this.version)) {
      throw new Error(`'version' must be a SemVer 2 version such as "0.1.0", got ${JSON.stringify(this.version)}`);
    }
    this.description = props.description
      ?? `The Todo app's ${props.component.role} (${props.component.image.baseImage} image ${props.component.image.name}): Deployment, ${props.component.serviceType} Service, ConfigMap and Secret.`;
    // A change to the component's objects that the chart would not render fails the synth.
    this.node.addValidation({ validate: () => this.divergences() });
  }

  /**
   * What a user changed on the component's objects (JSON patches, labels,
   * annotations) that this chart would not render with its default values,
   * one line each naming the object, the field and what to use instead;
   * empty when the chart agrees with the plain manifests. Changes the chart
   * carries are not listed: replicas, the container port, the ConfigMap's
   * data (into `replicaCount`, `image.port`, `env`), the Deployment's and
   * Service's annotations (`excuseLintFinding`), the Chart's labels
   * (in `commonLabels`) and namespace (`namespace`), and fields of the
   * Deployment the chart does not bind (a sidecar). `app.synth()` reports
   * the rest (cdk8s validation) and {@link files} refuses to write.
   */
  public divergences(): string[] {
    return whileRendering(() => this.divergencesOf(this.rendering()));
  }

  /** {@link divergences}, of one rendering of the chart. */
  private divergencesOf({ scope, parts }: Rendering): string[] {
    const c = this.component;
    const carried = new Set(['metadata.annotations', ...parts.flatMap((p) => p.carried ?? [])]);
    const service = serviceBindings(scope);
    const lines = [
      ...patchedBindings(c.deployment, this.deploymentBindings({ scope, parts }), carried),
      ...patchedBindings(c.service, service, carried),
      ...patchedBindings(c.configMap, scope.metadata(), new Set()),
    ];
    // A variable of the ConfigMap whose value the chart's values choose (the SQLite URL) is not carried by values.env.
    const [configData, builtData] = [c.configMap.toJson().data ?? {}, withoutPatches(c.configMap).data ?? {}];
    for (const v of variablesAtInstall(c).filter((x) => configData[x.name] !== builtData[x.name])) {
      lines.push(`${describe(c.configMap.toJson())} data.${v.name}: a JSON patch changed it, but the Helm chart renders it from the values that choose it (the database: database.type, persistence.*, externalDatabase.*); set it through the props instead of a patch`);
    }
    // The other objects' templates are not the synthesized objects: a patch on them would be lost
    // (on the Service, one on a field its template does not bind; labels and annotations are below).
    const bound = (field: string) => service.map((b) => (typeof b.path === 'string' ? b.path : b.path.join('.'))).some((p) => field === p || field.startsWith(`${p}.`)) || /^metadata\.(labels|annotations)(\.|$)/.test(field);
    for (const o of [c.service, c.secret, c.persistentVolumeClaim, c.networkPolicy, c.ingress, c.autoscaler, c.disruptionBudget]) {
      if (o === undefined || !hasPatches(o)) continue; // built as synthesized: no field changed
      const json = synthesized(o);
      for (const field of differences(withoutPatches(o), json)) {
        if (o === c.service && bound(field)) continue;
        lines.push(`${describe(json)} ${fieldName(field)}: a JSON patch changed it, but the Helm chart renders the ${json.kind} from the component's props and its values, not from the object; set it through the props instead of a patch`);
      }
    }
    const own: ApiObject[] = [c.deployment, c.service, c.configMap, ...[c.secret, c.persistentVolumeClaim, c.networkPolicy, c.ingress, c.autoscaler, c.disruptionBudget].filter((o): o is ApiObject => o !== undefined)];
    for (const o of own) {
      const json = synthesized(o);
      // The component's labels hold the Chart's (commonLabels), as the chart's objects do.
      const expected: { [key: string]: string } = c.labels;
      for (const [key, value] of Object.entries<string>(json.metadata?.labels ?? {})) {
        if (expected[key] !== value) {
          lines.push(`${describe(json)} metadata.labels.${key}: the label ${shortShow(value)} was added to this object alone, but the Helm chart's objects carry the component's labels and commonLabels (the cdk8s Chart's labels and the prop's); put the label in commonLabels or the Chart's labels, which reach every object and the chart`);
        }
      }
      const annotations: { [key: string]: string } = json.metadata?.annotations ?? {};
      if (json.kind === 'Deployment' || json.kind === 'Service') {
        const clashes = userAnnotations(json.kind, c.ownAnnotations[json.kind as 'Deployment' | 'Service'], annotations).clashes;
        lines.push(...clashes.map((k) => `${describe(json)} metadata.annotations.${k}: the component already records this exception under a condition of the chart's values; keep the component's reason (the chart renders it) or set the value that turns the exception off`));
      } else {
        for (const key of Object.keys(annotations)) {
          lines.push(`${describe(json)} metadata.annotations.${key}: the annotation was added to an object whose Helm template has no annotations of the user's; annotate the Deployment or Service, which the chart carries, or the object after install`);
        }
      }
    }
    return lines;
  }

  /**
   * What the chart gives its features (its name, its named helpers, the
   * other features' parts) and what the component's features add to the
   * chart (lib/component-feature.ts), in their order: the chart renders them
   * without asking what the component is. Each feature's parts are computed
   * once per rendering, on demand: a feature may read the others' (`otherParts`).
   */
  private rendering(): Rendering {
    const c = this.component;
    const computed = new Map<ComponentFeature, ChartParts>();
    const computing = new Set<ComponentFeature>();
    const partsOf = (f: ComponentFeature): ChartParts => {
      let parts = computed.get(f);
      if (parts === undefined) {
        if (computing.has(f)) {
          throw new Error(`the chart parts of the ${f.name} feature depend on themselves (ChartScope.otherParts)`);
        }
        computing.add(f);
        try {
          parts = f.chartPartsKey !== undefined ? partsByName(f, f.chartPartsKey, this.chartName, () => f.chart?.(c, scope) ?? {}) : (f.chart?.(c, scope) ?? {});
        } finally {
          computing.delete(f);
        }
        computed.set(f, parts);
      }
      return parts;
    };
    const scope: ChartScope = {
      chartName: this.chartName,
      include: (name, indent) => (indent === undefined ? `include "${this.chartName}.${name}" .` : `include "${this.chartName}.${name}" . | nindent ${indent}`),
      metadata: (name, labels) => metadataBindings(scope, name, labels),
      otherParts: (feature) => c.features.filter((f) => f !== feature).map(partsOf),
    };
    return { scope, parts: c.features.map(partsOf) };
  }

  /** The chart's files, by path relative to the chart directory. */
  public files(): { [file: string]: string } {
    return whileRendering(() => this.render());
  }

  /** {@link files}, inside {@link whileRendering}. */
  private render(): { [file: string]: string } {
    const rendering = this.rendering();
    const divergences = this.divergencesOf(rendering);
    if (divergences.length > 0) {
      throw new Error(`the Helm chart ${this.chartName} would differ from the plain manifests:\n${divergences.map((l) => `  ${l}`).join('\n')}`);
    }
    const c = this.component;
    const values = componentValues(c);
    const parts = rendering.parts;
    const title = `Values of the ${this.chartName} chart`;
    return {
      'Chart.yaml': stringifyYaml({
        apiVersion: 'v2',
        name: this.chartName,
        description: this.description,
        type: 'application',
        version: this.version,
        appVersion: c.image.tag,
        kubeVersion: '>=1.25.0-0',
      }),
      'values.yaml': renderValuesYaml(values, `Default values for ${this.chartName}, read from the todo-cdk8s constructs.\nChecked by values.schema.json; see NOTES.txt after install.`),
      'values.schema.json': `${JSON.stringify(renderValuesSchema(values, title), undefined, 2)}\n`,
      '.helmignore': HELMIGNORE,
      'templates/_helpers.tpl': this.helpers(parts),
      'templates/deployment.yaml': this.deploymentTemplate(rendering),
      ...Object.fromEntries(parts.flatMap((p) => Object.entries(p.templates ?? {})).map(([file, text]) => [`templates/${file}`, text])),
      'templates/NOTES.txt': this.notes(parts),
    };
  }

  /** The default values, as `values.yaml` holds them. */
  public defaultValues(): { [key: string]: unknown } {
    return whileRendering(() => defaultValues(componentValues(this.component))) as { [key: string]: unknown };
  }

  /** Writes the chart into `dir` (created if needed). */
  public writeTo(dir: string): void {
    writeFiles(dir, this.files());
  }

  /**
   * The Deployment: the component's own, with the bindings of every feature
   * and the pod's lists assembled from the features' parts, in their order;
   * it runs the chart's checks first.
   */
  private deploymentTemplate(rendering: Rendering): string {
    return renderTemplate(synthesized(this.component.deployment), this.deploymentBindings(rendering), {
      header: 'The pods: values.image, values.replicaCount, values.probes, values.resources',
      prelude: [`{{- include "${this.chartName}.validate" . }}`],
    });
  }

  /** The fields of the Deployment that the chart renders from its values and helpers. */
  private deploymentBindings({ scope, parts }: Rendering): Binding[] {
    return [
      ...scope.metadata(),
      ...(Object.entries(POD_LISTS) as Array<[PodList, string]>).map(([list, at]) => ({ path: at, expr: Helm.parts(parts.flatMap((p) => p[list] ?? [])) })),
      ...parts.flatMap((p) => p.deployment ?? []),
    ];
  }

  /**
   * `_helpers.tpl`: the features' named templates, and the `validate` helper:
   * the checks of the values that a schema cannot express, or that must
   * refuse with the props' words (see chart-rules.ts); `helm template` and
   * `helm install` fail with the message.
   */
  private helpers(parts: readonly ChartParts[]): string {
    const n = this.chartName;
    const checks = [...renderChecks(this.checks(parts)), ...parts.flatMap((p) => p.validate ?? [])];
    return [
      `{{/*\nHelpers of the ${n} chart, each of the feature it belongs to (lib/features/).\n*/}}`,
      ...parts.map((p) => p.helpers ?? []).filter((h) => h.length > 0).map((h) => h.join('\n')),
      `{{/* Checks of the values, generated from the constructs' rules (lib/helm/chart-rules.ts). */}}\n{{- define "${n}.validate" -}}\n${checks.join('\n')}\n{{- end }}`,
    ].join('\n\n') + '\n';
  }

  /** The checks of the values compiled from the features' rules, in feature order. */
  private checks(parts: readonly ChartParts[] = this.rendering().parts): ChartCheck[] {
    return parts.flatMap((p) => p.checks ?? []);
  }

  /**
   * NOTES.txt: how to reach the app (the first of the features' ways whose
   * condition holds), then the features' sections; `$fullname` holds the
   * full name, `$namespace` the namespace.
   */
  private notes(parts: readonly ChartParts[]): string {
    const reach = parts.flatMap((p) => p.reach ?? []);
    let number = 1;
    const section = (s: NotesPart) => {
      const lines = s.lines.map((l, i) => (i === 0 && l.startsWith('#. ') ? `${++number}${l.slice(1)}` : l));
      return s.when === undefined ? ['', ...lines] : [`{{- if ${s.when} }}`, '', ...lines, '{{- end }}'];
    };
    return [
      `{{- $fullname := include "${this.chartName}.fullname" . -}}`,
      `{{- $namespace := include "${this.chartName}.namespace" . -}}`,
      `The Todo app ${this.component.role} is installed as {{ .Release.Name }} in namespace {{ $namespace }}.`,
      '',
      '1. Get the application URL by running these commands:',
      ...reach.flatMap((r, i) => [r.when === undefined ? '{{- else }}' : `{{- ${i === 0 ? 'if' : 'else if'} ${r.when} }}`, ...r.lines]),
      ...(reach.length > 0 ? ['{{- end }}'] : []),
      ...parts.flatMap((p) => p.notes ?? []).flatMap(section),
    ].join('\n') + '\n';
  }
}

/** The parts of a feature whose parts depend on the chart's name and its options (`key`) alone: those of its class for that name and key, rendered the first time. */
function partsByName(feature: ComponentFeature, partsKey: string, chartName: string, render: () => ChartParts): ChartParts {
  let byName = PARTS_BY_NAME.get(feature.constructor);
  if (byName === undefined) {
    byName = new Map();
    PARTS_BY_NAME.set(feature.constructor, byName);
  }
  const key = `${chartName}\0${partsKey}`;
  let parts = byName.get(key);
  if (parts === undefined) {
    parts = render();
    byName.set(key, parts);
  }
  return parts;
}

const HELMIGNORE = `# Patterns to ignore when building packages.
# This supports shell glob matching, relative path matching, and
# negation (prefixed with !). Only one pattern per line.
.DS_Store
# Common VCS dirs
.git/
.gitignore
.bzr/
.bzrignore
.hg/
.hgignore
.svn/
# Common backup files
*.swp
*.bak
*.tmp
*.orig
*~
# Various IDEs
.project
.idea/
*.tmproj
.vscode/
`;
