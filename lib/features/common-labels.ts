import type { AppComponent } from '../app-component';
import { ChartParts, ComponentFeature } from '../component-feature';
import { messageWith, ownedKeyTest } from '../helm/chart-rules';
import { leaf, ValuesNode } from '../helm/values';
import { isOwnedKey, reservedLabel } from '../shared-rules';
import { checkStringMap, Rules, show } from '../validation';
import { ownedLabelKeys } from './names';

/** The project's own labels (the `helm test` pod's `todo-cdk8s/test-of`), as an owned prefix. */
const PROJECT_LABELS = 'todo-cdk8s/*';

/**
 * @internal
 * Label keys the app sets itself, which `commonLabels` may not hold (`*`
 * ends a prefix), sorted: those of the one table of labels
 * (`ownedLabelKeys` of lib/features/names.ts: `app`, the recommended
 * `app.kubernetes.io/*` with the selector labels among them, Helm's
 * `helm.sh/chart`) and the project's own `todo-cdk8s/*`.
 */
export function reservedLabelKeys(): readonly string[] {
  return [...ownedLabelKeys(), PROJECT_LABELS].sort();
}

/**
 * @internal
 * Labels of yours on every object the component creates and on its pods
 * (Bitnami's `commonLabels`), beside the app's own: the labels of the cdk8s
 * Chart the component is built in, with the `commonLabels` prop over them
 * (the prop wins a key both hold, as an object's own labels win over its
 * Chart's in cdk8s). Keys the app sets (the names, selectors and versions:
 * {@link reservedLabelKeys}) are refused in both renderings and in the
 * Chart's labels, so a common label never changes what selects what.
 * This feature owns the value (one value, `commonLabels`, whose default is
 * that merge) and its checks; where the labels go is the labels' own code
 * (lib/features/names.ts): `componentLabels` spreads them in the manifests,
 * the chart's `commonLabels` helper renders them after the `labels`
 * helper's table and in the `helm test` pod's labels.
 */
export class CommonLabels implements ComponentFeature {
  /**
   * The labels of the Chart (`chartLabels`, named `chartSetting`) with the
   * prop's (named `setting`) over them, each checked.
   */
  public static resolve(
    setting: string,
    labels: { readonly [key: string]: string } | undefined,
    chartSetting = 'labels of the cdk8s Chart',
    chartLabels: { readonly [key: string]: string } = {},
  ): { readonly [key: string]: string } {
    const own = checkStringMap(setting, labels ?? {}, Rules.labelKey, Rules.labelValue);
    const chart = checkStringMap(chartSetting, chartLabels, Rules.labelKey, Rules.labelValue);
    const reservedKeys = reservedLabelKeys();
    for (const [name, map] of [[chartSetting, chart], [setting, own]] as const) {
      const reserved = Object.keys(map).find((key) => isOwnedKey(reservedKeys, key));
      if (reserved !== undefined) {
        throw new Error(reservedLabel(name, reservedKeys, show(reserved)));
      }
    }
    return { ...chart, ...own };
  }

  public readonly name = 'common labels';

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    return {
      // The type only: the chart checks keys and values, to refuse with the props' words.
      commonLabels: leaf(`Labels added to every object of the chart and to the pods; not the app's own keys (${reservedLabelKeys().join(', ')}).\nBy default the labels of the cdk8s Chart the component was built in, with the component's commonLabels over them.`, c.commonLabels, {
        type: 'object',
        additionalProperties: { type: 'string' },
      }),
    };
  }

  public chart(): ChartParts {
    return {
      checks: [{
        kind: 'each',
        value: 'commonLabels',
        checks: (key, value) => [
          { kind: 'rule', value: 'commonLabels', rule: Rules.labelKey, expr: key },
          {
            kind: 'message',
            when: ownedKeyTest(reservedLabelKeys(), key),
            ...messageWith((got) => reservedLabel('commonLabels', reservedLabelKeys(), got), [`(toJson ${key})`]),
          },
          { kind: 'rule', value: 'commonLabels.%s', valueArgs: [key], rule: Rules.labelValue, expr: value },
        ],
      }],
    };
  }
}
