import type { AppComponent } from '../app-component';
import { KUBE_LINTER_IGNORE_ALL, KUBE_LINTER_IGNORE_PREFIX, KUBE_SCORE_IGNORE, KUBE_SCORE_REASON } from '../checks/lint';
import { ChartParts, ComponentFeature, PodFields } from '../component-feature';
import { messageWith, ownedKeyTest } from '../helm/chart-rules';
import { Helm } from '../helm/template';
import { leaf, ValuesNode } from '../helm/values';
import { isOwnedKey, ownedKey } from '../shared-rules';
import { ANNOTATIONS, check, LABELS, Rule, show } from '../validation';
import { CHECKSUM_ANNOTATIONS } from './checksums';
import { ownedLabelKeys } from './names';

/**
 * @internal
 * The pod annotations the app sets or reads: the checksums and build
 * arguments, and the lint tools' exception annotations (kube-score reads
 * them on pods; the app records its exceptions with their reasons itself).
 */
export const OWNED_POD_ANNOTATIONS: readonly string[] = [
  ...CHECKSUM_ANNOTATIONS, KUBE_SCORE_IGNORE, `${KUBE_SCORE_REASON}*`, `${KUBE_LINTER_IGNORE_PREFIX}*`, KUBE_LINTER_IGNORE_ALL,
];

/**
 * The two values, with the rule of their form and the keys the app keeps:
 * for the labels, those of the one table of labels (`ownedLabelKeys`:
 * `app`, the recommended `app.kubernetes.io/*` set with the selector labels
 * among them, Helm's `helm.sh/chart`). Read when used: names.ts and this
 * module import each other through the component.
 */
const VALUES = {
  podAnnotations: { rule: ANNOTATIONS, owned: () => OWNED_POD_ANNOTATIONS },
  podLabels: { rule: LABELS, owned: ownedLabelKeys },
} as const;

/** Labels and annotations of the pods, as given and checked. */
export interface ResolvedPodMetadata {
  readonly podAnnotations: { readonly [key: string]: string };
  readonly podLabels: { readonly [key: string]: string };
}

/** Checks a map of the pods' metadata: its form, then (in key order, as the chart ranges) no key the app sets. */
function checkMap(setting: string, value: unknown, rule: Rule<{ [key: string]: string }>, owned: readonly string[]): { [key: string]: string } {
  const map = check(setting, value ?? {}, rule);
  const taken = Object.keys(map).sort().find((k) => isOwnedKey(owned, k));
  if (taken !== undefined) {
    throw new Error(ownedKey(setting, owned, show(taken)));
  }
  return { ...map };
}

/**
 * @internal
 * Labels and annotations of the pods (`podLabels`, `podAnnotations`, as
 * `helm create` names them): added to the pod template's own, after them.
 * Keys the app sets are refused in both renderings with the same words
 * (`ownedLabelKeys` of names.ts, `OWNED_POD_ANNOTATIONS`).
 */
export class PodMetadata implements ComponentFeature {
  /** Checks the props; `prefix` names them in messages (`backend.`). */
  public static resolve(prefix: string, options: { readonly podAnnotations?: unknown; readonly podLabels?: unknown }): ResolvedPodMetadata {
    return {
      podAnnotations: checkMap(`${prefix}podAnnotations`, options.podAnnotations, VALUES.podAnnotations.rule, VALUES.podAnnotations.owned()),
      podLabels: checkMap(`${prefix}podLabels`, options.podLabels, VALUES.podLabels.rule, VALUES.podLabels.owned()),
    };
  }

  public readonly name = 'pod metadata';

  constructor(private readonly metadata: ResolvedPodMetadata) {}

  public pod(): PodFields {
    return { labels: this.metadata.podLabels, annotations: this.metadata.podAnnotations };
  }

  public values(_c: AppComponent): { [key: string]: ValuesNode } {
    const owned = (keys: readonly string[]) => keys.join(', ');
    return {
      podAnnotations: leaf(`Annotations of the pods, after the chart's own (not ${owned(OWNED_POD_ANNOTATIONS)}).`, this.metadata.podAnnotations, ANNOTATIONS.schema),
      podLabels: leaf(`Labels of the pods, after the chart's labels (not ${owned(ownedLabelKeys())}).`, this.metadata.podLabels, LABELS.schema),
    };
  }

  public chart(): ChartParts {
    const meta = 'spec.template.metadata';
    return {
      deployment: [
        { path: `${meta}.annotations`, expr: Helm.entriesOf('.Values.podAnnotations') },
        { path: `${meta}.labels`, expr: Helm.entriesOf('.Values.podLabels') },
      ],
      checks: (Object.entries(VALUES) as Array<[keyof typeof VALUES, (typeof VALUES)[keyof typeof VALUES]]>).map(([value, { owned }]) => ({
        kind: 'each' as const,
        value,
        checks: (key: string) => [{
          kind: 'message' as const,
          when: ownedKeyTest(owned(), key),
          ...messageWith((got) => ownedKey(value, owned(), got), [`(toJson ${key})`]),
        }],
      })),
    };
  }
}
