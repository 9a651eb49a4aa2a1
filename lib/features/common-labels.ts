import type { AppComponent } from '../app-component';
import { ChartParts, ComponentFeature } from '../component-feature';
import { messageWith } from '../helm/chart-rules';
import { leaf, ValuesNode } from '../helm/values';
import { RESERVED_LABEL_KEYS, reservedLabel } from '../shared-rules';
import { checkStringMap, Rules, show } from '../validation';

/**
 * @internal
 * Labels of yours on every object the component creates and on its pods
 * (Bitnami's `commonLabels`), beside the app's own. Keys the app sets (the
 * names, selectors and versions: {@link RESERVED_LABEL_KEYS}) are refused
 * in both renderings, so a common label never changes what selects what.
 * This feature owns the value and its checks; where the labels go is the
 * labels' own code (lib/features/names.ts): `componentLabels` spreads them
 * in the manifests, the chart's `commonLabels` helper renders them after
 * the `labels` helper's table and in the `helm test` pod's labels.
 */
export class CommonLabels implements ComponentFeature {
  /** Checks the labels, naming the map as `setting`. */
  public static resolve(setting: string, labels: { readonly [key: string]: string } | undefined): { readonly [key: string]: string } {
    const checked = checkStringMap(setting, labels ?? {}, Rules.labelKey, Rules.labelValue);
    const reserved = Object.keys(checked).find((key) => RESERVED_LABEL_KEYS.test(key));
    if (reserved !== undefined) {
      throw new Error(reservedLabel(setting, show(reserved)));
    }
    return checked;
  }

  public readonly name = 'common labels';

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    return {
      // The type only: the chart checks keys and values, to refuse with the props' words.
      commonLabels: leaf('Labels added to every object of the chart and to the pods; not the app\'s own keys (app, app.kubernetes.io/*, helm.sh/chart, todo-cdk8s/*).', c.commonLabels, {
        type: 'object',
        additionalProperties: { type: 'string' },
      }),
    };
  }

  public chart(): ChartParts {
    return {
      checks: [{
        kind: 'range',
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
