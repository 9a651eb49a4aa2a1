import * as k8s from '../../imports/k8s';
import type { AppComponent, ExtraEnvVar } from '../app-component';
import { SECRET_LOOKING_KEY } from '../checks/semantic';
import { ChartParts, ChartScope, ComponentFeature, PodFields, variablesAtInstall } from '../component-feature';
import { chartSecretVariables } from './secrets';
import { ChartCheck, messageWith } from '../helm/chart-rules';
import { Helm, valueLines } from '../helm/template';
import { testHolds, testPipeline, ValueTest } from '../helm/value-cases';
import { leaf, ValuesNode } from '../helm/values';
import { namedTwice, ownedByComponent, secretLookingName } from '../shared-rules';
import { check, checkOptional, orEmpty, Rules, show } from '../validation';

/** Why a variable is given once. */
const ONE_VALUE = 'a container has one value per variable';
/** What the Deployment's plain-text variables are not for. */
const IN_PLAIN_TEXT = 'the Deployment';
/** Where secrets go instead. */
const SECRET_HINT = (setting: string) => `name it in '${setting}'`;
/** How a variable the component sets itself is changed. */
const OWN_HINT = (envSetting: string) => `plain ones are changed with '${envSetting}', secret ones with their own settings`;

/** The component's own ConfigMap named as extra input (its variables would be read twice): refused by `ExtraEnvFeature.check` and the chart. */
const OWN_CONFIG_MAP: ValueTest = { all: [{ truthy: 'extraEnvVarsCM' }, { equalsHelper: 'extraEnvVarsCM', helper: 'configMapName' }] };

/** The Secret the component creates named as extra input (none is created with existingSecret): refused by `ExtraEnvFeature.check` and the chart. */
const OWN_SECRET: ValueTest = { all: [{ truthy: 'extraEnvVarsSecret' }, { not: { truthy: 'existingSecret' } }, { equalsHelper: 'extraEnvVarsSecret', helper: 'secretName' }] };

/** The chart's template variables that the checks of each extra variable read: the component's own names, and those of the entries before. */
const OWN_ENV = 'ownEnv';
const SEEN_ENV = 'seenEnv';

/**
 * @internal
 * The checks of each extra variable (an entry of `extraEnvVars`), in order:
 * a name the component sets itself, a name an entry before gave, a name that
 * looks like a secret. `ExtraEnvFeature.check` tests each entry, the chart's
 * checks render them over the range's entry.
 */
export const EXTRA_VARIABLE: { readonly own: ValueTest; readonly twice: ValueTest; readonly secretLooking: ValueTest } = {
  own: { inList: 'name', list: OWN_ENV },
  twice: { inMap: 'name', map: SEEN_ENV },
  secretLooking: { matches: 'name', pattern: SECRET_LOOKING_KEY },
};

/** The user's variables of a component, checked: the words of the chart's checks below. */
export interface ExtraEnv {
  readonly vars: readonly ExtraEnvVar[];
  readonly configMap?: string;
  readonly secret?: string;
}

/**
 * @internal
 * The environment a user adds, named as Bitnami's charts name it:
 * `extraEnvVars` (a list of `{name, value}`, in the Deployment after the
 * component's secret variables), `extraEnvVarsCM` and `extraEnvVarsSecret`
 * (a ConfigMap and a Secret of the user's, read with `envFrom` before the
 * component's own ConfigMap, so the component's variables win). A variable
 * the component sets itself, a name given twice, a name that is not valid or
 * looks like a secret (the values are plain text in the Deployment), and the
 * component's own ConfigMap or Secret are refused, by the construct and by
 * the chart with the same words.
 */
export class ExtraEnvFeature implements ComponentFeature {
  /**
   * Checks the user's variables against the component's own (`own`: the
   * names of its ConfigMap's and its Secret's variables).
   *
   * @param role the component's role, the prefix of its props in messages
   * @param ownConfigMap the component's ConfigMap
   * @param secretName the Secret the pods read: the component's own, or the user's (`existingSecret`)
   * @param existingSecret the user's Secret, when the component reads it instead of creating its own
   */
  public static check(role: string, options: { extraEnvVars?: readonly ExtraEnvVar[]; extraEnvVarsCM?: string; extraEnvVarsSecret?: string },
    own: readonly string[], ownConfigMap: string, secretName: string, existingSecret: string | undefined): ExtraEnv {
    const s = (prop: string) => `${role}.${prop}`;
    const taken = [...new Set(own)].sort().join(', ');
    const vars = options.extraEnvVars ?? [];
    if (!Array.isArray(vars)) {
      throw new Error(`'${s('extraEnvVars')}' must be a list of { name, value }, got ${show(vars)}`);
    }
    // The names of the entries before, and the index of each (as the chart's $seenEnv).
    const seen: { [name: string]: number } = Object.create(null);
    vars.forEach((v, i) => {
      const setting = s(`extraEnvVars[${i}].name`);
      const name = check(setting, v?.name, Rules.envName);
      const lists = { [OWN_ENV]: own, [SEEN_ENV]: seen };
      if (testHolds(EXTRA_VARIABLE.own, v, lists)) {
        throw new Error(ownedByComponent(setting, 'a variable', taken, show(name), OWN_HINT(s('env'))));
      }
      if (testHolds(EXTRA_VARIABLE.twice, v, lists)) {
        throw new Error(namedTwice(setting, s(`extraEnvVars[${seen[name]}].name`), ONE_VALUE, show(name)));
      }
      if (testHolds(EXTRA_VARIABLE.secretLooking, v, lists)) {
        throw new Error(secretLookingName(setting, SECRET_LOOKING_KEY, IN_PLAIN_TEXT, show(name), SECRET_HINT(s('extraEnvVarsSecret'))));
      }
      check(s(`extraEnvVars[${i}].value`), v.value, { allowed: 'a string', schema: { type: 'string' }, test: (x: unknown): x is string => typeof x === 'string' });
      seen[name] = i;
    });
    const configMap = checkOptional(s('extraEnvVarsCM'), options.extraEnvVarsCM, Rules.dnsSubdomain);
    const secret = checkOptional(s('extraEnvVarsSecret'), options.extraEnvVarsSecret, Rules.dnsSubdomain);
    // The values as the chart holds them (none: ""), and its helpers' text.
    const values = { extraEnvVarsCM: configMap ?? '', extraEnvVarsSecret: secret ?? '', existingSecret: existingSecret ?? '' };
    const helpers = { configMapName: ownConfigMap, secretName };
    if (testHolds(OWN_CONFIG_MAP, values, helpers)) {
      throw new Error(ownedByComponent(s('extraEnvVarsCM'), 'the ConfigMap', ownConfigMap, show(configMap)));
    }
    if (testHolds(OWN_SECRET, values, helpers)) {
      throw new Error(ownedByComponent(s('extraEnvVarsSecret'), 'the Secret', secretName, show(secret)));
    }
    return { vars: vars.map((v) => ({ name: v.name, value: v.value })), configMap, secret };
  }

  public readonly name = 'extra env';

  public pod(c: AppComponent): PodFields {
    const extra = c.extraEnv;
    return {
      env: extra.vars.map((v) => ({ name: v.name, value: v.value })),
      envFrom: [
        ...(extra.configMap === undefined ? [] : [{ configMapRef: { name: extra.configMap } }]),
        ...(extra.secret === undefined ? [] : [{ secretRef: { name: extra.secret } }]),
      ],
    };
  }

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    const extra = c.extraEnv;
    return {
      extraEnvVars: leaf(
        'More environment variables of the container, as a list of {name, value}, after the component\'s own.\nNot a variable the component sets itself (env and secrets are for those), nor a name that looks like a secret: use extraEnvVarsSecret.',
        extra.vars.map((v) => ({ name: v.name, value: v.value })),
        // The names' rules are the chart's checks, in the props' words.
        { type: 'array', items: { type: 'object', required: ['name', 'value'], properties: { name: { type: 'string' }, value: { type: 'string' } }, additionalProperties: false } },
      ),
      extraEnvVarsCM: leaf('Name of a ConfigMap of yours whose keys become environment variables (envFrom); the component\'s own variables win over its keys.', extra.configMap ?? '', orEmpty(Rules.dnsSubdomain).schema),
      extraEnvVarsSecret: leaf('Name of a Secret of yours whose keys become environment variables (envFrom); the component\'s own variables win over its keys.', extra.secret ?? '', orEmpty(Rules.dnsSubdomain).schema),
    };
  }

  public chart(c: AppComponent, chart: ChartScope): ChartParts {
    const setting = (i: string) => `extraEnvVars[${i}].name`;
    // The component's own variables besides values.env: its secret ones, and those a value chooses at install (the database URL).
    const secrets = [...new Set([...chartSecretVariables(c), ...variablesAtInstall(c)].map((v) => v.name))].map((n) => JSON.stringify(n)).join(' ');
    const ref = (kind: 'configMapRef' | 'secretRef', value: string): { when: string; value: k8s.EnvFromSource[]; bindings: { path: string; expr: ReturnType<typeof Helm.scalar> }[] } => ({
      when: `.Values.${value}`,
      value: [{ [kind]: { name: '' } }],
      bindings: [{ path: `0.${kind}.name`, expr: Helm.scalar(`{{ .Values.${value} | quote }}`) }],
    });
    const variable = valueLines([{ name: '', value: '' }], [
      { path: '0.name', expr: Helm.scalar('{{ .name | quote }}') },
      { path: '0.value', expr: Helm.scalar('{{ .value | quote }}') },
    ]);
    const checks: ChartCheck[] = [
      {
        kind: 'each',
        value: 'extraEnvVars',
        before: [
          `{{- $${OWN_ENV} := concat (keys (.Values.env | default dict)) (list ${secrets}) | uniq | sortAlpha }}`,
          `{{- $${SEEN_ENV} := dict }}`,
        ],
        checks: (index, item) => [
          { kind: 'rule', value: setting('%s'), valueArgs: [index], rule: Rules.envName, expr: `${item}.name` },
          {
            kind: 'message',
            when: testPipeline(EXTRA_VARIABLE.own, item),
            ...messageWith((i, own, got) => ownedByComponent(setting(i), 'a variable', own, got, OWN_HINT('env')), [index, `(join ", " $${OWN_ENV})`, `(toJson ${item}.name)`]),
          },
          {
            kind: 'message',
            when: testPipeline(EXTRA_VARIABLE.twice, item),
            ...messageWith((i, earlier, got) => namedTwice(setting(i), setting(earlier), ONE_VALUE, got), [index, `(index $${SEEN_ENV} ${item}.name)`, `(toJson ${item}.name)`]),
          },
          {
            kind: 'message',
            when: testPipeline(EXTRA_VARIABLE.secretLooking, item),
            ...messageWith((i, got) => secretLookingName(setting(i), SECRET_LOOKING_KEY, IN_PLAIN_TEXT, got, SECRET_HINT('extraEnvVarsSecret')), [index, `(toJson ${item}.name)`]),
          },
        ],
        after: (index, item) => [`{{- $_ := set $${SEEN_ENV} ${item}.name ${index} }}`],
      },
      {
        kind: 'message',
        when: testPipeline(OWN_CONFIG_MAP, '.Values', (helper) => chart.include(helper)),
        ...messageWith((own, got) => ownedByComponent('extraEnvVarsCM', 'the ConfigMap', own, got), [`(${chart.include('configMapName')})`, '(toJson .Values.extraEnvVarsCM)']),
      },
      {
        kind: 'message',
        when: testPipeline(OWN_SECRET, '.Values', (helper) => chart.include(helper)),
        ...messageWith((own, got) => ownedByComponent('extraEnvVarsSecret', 'the Secret', own, got), [`(${chart.include('secretName')})`, '(toJson .Values.extraEnvVarsSecret)']),
      },
    ];
    return {
      env: [{ template: () => ['{{- range .Values.extraEnvVars }}', ...variable, '{{- end }}'] }],
      envFrom: [ref('configMapRef', 'extraEnvVarsCM'), ref('secretRef', 'extraEnvVarsSecret')],
      checks,
    };
  }
}
