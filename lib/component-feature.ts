import * as k8s from '../imports/k8s';
import type { AppComponent } from './app-component';
import type { ChartCheck } from './helm/chart-rules';
import type { Binding, BlockPart } from './helm/template';
import type { ValuesNode } from './helm/values';

/**
 * @internal
 * What a chart gives a feature to render itself with: the chart's name and
 * its named helpers (`fullname`, `labels`, `selectorLabels`, ...).
 */
export interface ChartScope {
  /** The chart's name: the prefix of its helpers. */
  readonly chartName: string;
  /** `include "<chart>.<name>" .`, with `| nindent <indent>` when given. */
  include(name: string, indent?: number): string;
  /** The bindings of name, namespace and labels every object of the chart shares. */
  metadata(name?: string, labels?: string): Binding[];
  /**
   * The parts of the component's features but `feature`, in their order
   * (the component's own volumes, as the other features add them). Each
   * feature's parts are computed once per rendering of the chart.
   */
  otherParts(feature: ComponentFeature): readonly ChartParts[];
}

/** @internal The fields a feature adds to the component's Deployment and its pods. */
export interface PodFields {
  /** Fields of the Deployment's spec (`replicas`). */
  readonly deployment?: Partial<k8s.DeploymentSpec>;
  /** Fields of the pod spec (`affinity`, `topologySpreadConstraints`, ...). */
  readonly spec?: Partial<k8s.PodSpec>;
  /** Fields of the component's container (its probes, ...). */
  readonly container?: Partial<k8s.Container>;
  /** Labels of the pod template, after the component's own. */
  readonly labels?: { readonly [key: string]: string };
  /** Annotations of the pod template. */
  readonly annotations?: { readonly [key: string]: string };
  /** Volumes, after the component's own `emptyDir`s. */
  readonly volumes?: readonly k8s.Volume[];
  /** Mounts of the container, after the component's own. */
  readonly volumeMounts?: readonly k8s.VolumeMount[];
  /** Variables of the container, after its secret variables. */
  readonly env?: readonly k8s.EnvVar[];
  /** Sources of the container's environment (`envFrom`), in the features' order: a later source wins. */
  readonly envFrom?: readonly k8s.EnvFromSource[];
  /** The Deployment's update strategy. */
  readonly strategy?: k8s.DeploymentStrategy;
}

/** @internal The pod's lists that features add items to ({@link ChartParts}). */
export type PodList = 'env' | 'envFrom' | 'volumes' | 'volumeMounts';

/** @internal Where each of the pod's lists is in the Deployment. */
export const POD_LISTS: { readonly [list in PodList]: string } = {
  env: 'spec.template.spec.containers.0.env',
  envFrom: 'spec.template.spec.containers.0.envFrom',
  volumes: 'spec.template.spec.volumes',
  volumeMounts: 'spec.template.spec.containers.0.volumeMounts',
};

/** @internal What a feature adds to the chart, besides its values. */
export interface ChartParts {
  /** Bindings of the Deployment's template (fields this feature sets, as Helm expressions of its values). */
  readonly deployment?: readonly Binding[];
  /** Templates of the objects this feature owns, by file name under `templates/`. */
  readonly templates?: { readonly [file: string]: string };
  /** Checks of the values, compiled from the rules the props obey (lib/helm/chart-rules.ts). */
  readonly checks?: readonly ChartCheck[];
  /** Lines of the chart's `validate` helper for rules that only a chart has (values the construct derives). */
  readonly validate?: readonly string[];
  /**
   * Items of the pod's lists, as {@link PodFields} gives them: each list is
   * rendered with `Helm.parts`, the component's own items first (its
   * `emptyDir`s and mounts, its secret variables), then the features' parts
   * in their order. A part that is a value of the constructs is one of the
   * component's own items; a part that is a template renders values a user
   * gives (`extraVolumes`).
   */
  readonly env?: readonly BlockPart[];
  readonly envFrom?: readonly BlockPart[];
  readonly volumes?: readonly BlockPart[];
  readonly volumeMounts?: readonly BlockPart[];
  /** Lines of `_helpers.tpl`: named templates of this feature (after the chart's own). */
  readonly helpers?: readonly string[];
  /**
   * Paths of its Deployment bindings whose default values the feature reads
   * from the synthesized Deployment, JSON patches included: a patch there
   * reaches the chart's values instead of being reported.
   */
  readonly carried?: readonly string[];
  /**
   * NOTES.txt, "Get the application URL": ways to reach the app, each
   * printed when its condition (a template pipeline) holds and no earlier
   * one's did, in feature order; one without a condition ends the list.
   */
  readonly reach?: readonly NotesPart[];
  /**
   * NOTES.txt: sections after the URL, in feature order, each after a blank
   * line (and only when its condition holds). A section whose first line
   * starts with `#. ` is numbered by the chart.
   */
  readonly notes?: readonly NotesPart[];
}

/** @internal Lines of NOTES.txt (template text), kept when `when` (a template pipeline) holds. */
export interface NotesPart {
  readonly when?: string;
  readonly lines: readonly string[];
}

/**
 * @internal
 * One feature of a component (spreading, checksums, persistence, ...), the
 * one place it is defined for both renderings: the Kubernetes fields it
 * gives the component's objects, the chart values it owns (default, comment
 * and schema, read from the same resolved props), and the chart parts that
 * bind those values to the same fields. A component, or its definition,
 * lists its features; `AppComponent` merges their fields into its objects,
 * and `TodoHelmChart` renders each feature's values and parts without
 * knowing which component it packages.
 *
 * Each method receives the component it is bound to (the `bind` of
 * cdk8s-plus and the AWS CDK): a feature holds only its own options.
 */
export interface ComponentFeature {
  /** What the feature is, for messages: `spreading`, `persistence`. */
  readonly name: string;
  /** Kubernetes: the fields of the Deployment and pods (called while the component is built). */
  pod?(component: AppComponent): PodFields;
  /** Helm: the values this feature owns, by top-level key, with comments and schemas; defaults read from the component. */
  values?(component: AppComponent): { readonly [key: string]: ValuesNode };
  /** Helm: the templates, bindings and checks of those values. */
  chart?(component: AppComponent, chart: ChartScope): ChartParts;
  /**
   * Given when {@link chart} depends on the chart's name (its helpers'
   * names) and on the feature's own options alone, not on the component: the
   * options it reads, as text ('' for none). A chart then reuses the parts
   * an earlier chart of the same name got from a feature of the same class
   * and key, so an app of many components renders them once. The parts are
   * shared: nothing may change them.
   *
   * @default - none: the parts are the component's own, rendered for each chart
   */
  readonly chartPartsKey?: string;
  /**
   * Helm: egress rules of the chart's NetworkPolicy kept only when a
   * condition on the values holds (`when`, a template pipeline): traffic
   * that a value set at install turns on.
   */
  egressAtInstall?(component: AppComponent, chart: ChartScope): { readonly when: string; readonly rules: readonly k8s.NetworkPolicyEgressRule[]; readonly bindings?: readonly Binding[] };
  /**
   * Helm: variables of the container whose source a value chooses at
   * install (the database URL: the ConfigMap for SQLite, a Secret for
   * PostgreSQL). The env and secrets features render them under their
   * conditions, in every chart of the component's kind, whatever the
   * component was synthesized with; they are not among `env` or `secrets.*`.
   */
  variablesAtInstall?(component: AppComponent): readonly VariableAtInstall[];
}

/**
 * @internal
 * A variable of the container that a value puts in the ConfigMap or reads
 * from a Secret ({@link ComponentFeature.variablesAtInstall}). Conditions
 * and values are template pipelines over `.Values`.
 */
export interface VariableAtInstall {
  /** The variable (and Secret key) name: the last of the component's secret variables when it is one. */
  readonly name: string;
  /** In the ConfigMap when `when` holds, with the string `value`. */
  readonly config: { readonly when: string; readonly value: string };
  /** Read from a Secret when `when` holds. */
  readonly secret: {
    readonly when: string;
    /** The user's Secret holding it (empty: the chart's Secret, or `existingSecret`) and its key there. */
    readonly userSecret: string;
    readonly userKey: string;
    /** Kept in the chart's Secret when this holds (and no `existingSecret`). */
    readonly own: string;
    /** The value's path under `.Values` (`externalDatabase.url`): the install sets it, the chart never holds a default. */
    readonly value: string;
    /** The message when the chart's Secret would hold it and no value is given or kept (upgrade). */
    readonly missing: string;
    /** When the container reads it, for the comment of `existingSecret`. */
    readonly description: string;
  };
}

/** @internal The variables whose source a value chooses at install, of every feature of the component, in feature order. */
export function variablesAtInstall(component: AppComponent): VariableAtInstall[] {
  return component.features.flatMap((f) => f.variablesAtInstall?.(component) ?? []);
}
