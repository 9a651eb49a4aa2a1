import type { AppComponent } from '../app-component';
import { ChartParts, ComponentFeature } from '../component-feature';
import { messageWith } from '../helm/chart-rules';
import { leaf, ValuesNode } from '../helm/values';
import { RESERVED_LABEL_KEYS, reservedLabel } from '../shared-rules';
import { checkStringMap, Rules, show } from '../validation';

/**
 * @internal
 * Labels of yours on every object the component creates and on its pods
 * (Bitnami's `commonLabels`), beside the app's own: the labels of the cdk8s
 * Chart the component is built in, with the `commonLabels` prop over them
 * (the prop wins a key both hold, as an object's own labels win over its
 * Chart's in cdk8s). Keys the app sets (the names, selectors and versions:
 * {@link RESERVED_LABEL_KEYS}) are refused in both renderings and in the
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
    for (const [name, map] of [[chartSetting, chart], [setting, own]] as const) {
      const reserved = Object.keys(map).find((key) => RESERVED_LABEL_KEYS.test(key));
      if (reserved !== undefined) {
        throw new Error(reservedLabel(name, show(reserved)));
      }
    }
    return { ...chart, ...own };
  }

  public readonly name = 'common labels';

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    return {
      // The type only: the chart checks keys and values, to refuse with the props' words.
      commonLabels: leaf('Labels added to every object of the chart and to the pods; not the app\'s own keys (app, app.kubernetes.io/*, helm.sh/chart, todo-cdk8s/*).\nBy default the labels of the cdk8s Chart the component was built in, with the component\'s commonLabels over them.', c.commonLabels, {
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
            when: `regexMatch ${JSON.stringify(RESERVED_LABEL_KEYS.source)} ${key}`,
            ...messageWith((got) => reservedLabel('commonLabels', got), [`(toJson ${key})`]),
          },
          { kind: 'rule', value: 'commonLabels.%s', valueArgs: [key], rule: Rules.labelValue, expr: value },
        ],
      }],
    };
  }
}
