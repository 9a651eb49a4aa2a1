import * as k8s from '../../imports/k8s';
import type { AppComponent } from '../app-component';
import { ChartParts, ChartScope, ComponentFeature, PodFields } from '../component-feature';
import { messageWith, valueExpr } from '../helm/chart-rules';
import { Binding, Helm, renderTemplate } from '../helm/template';
import { caseLines, decide, testHolds, testPipeline, ValueCase, ValueTest } from '../helm/value-cases';
import { group, leaf, ValuesNode } from '../helm/values';
import { automountNeedsAccount, needsCreatedAccount } from '../shared-rules';
import { check, checkOptional, checkStringMap, Rules, show } from '../validation';

/**
 * The ServiceAccount a component's pods run as, named as `helm create`
 * names its values (`serviceAccount.create`, `.name`, `.annotations`,
 * `.automount`).
 */
export interface ServiceAccountOptions {
  /**
   * Create a ServiceAccount for the pods, named `name` (else the
   * component's name). Without it, the pods run as the ServiceAccount
   * `name` of yours, or the namespace's `default` when no name is given.
   *
   * @default false
   */
  readonly create?: boolean;

  /**
   * The ServiceAccount's name: the one created (with `create`), or one of
   * yours that the pods run as. One of yours is not in the output, so it is
   * an external reference, as `existingSecret` is: the Deployment records
   * kube-linter's `non-existent-service-account` as a deliberate exception.
   *
   * @default - with `create`, the component's name; else none: the namespace's default ServiceAccount
   */
  readonly name?: string;

  /**
   * Annotations of the ServiceAccount created (`eks.amazonaws.com/role-arn`,
   * `iam.gke.io/gcp-service-account`). Only with `create`: a ServiceAccount
   * of yours carries its own.
   *
   * @default - none
   */
  readonly annotations?: { readonly [key: string]: string };

  /**
   * Mount the ServiceAccount's API token into the pods (the pods' own
   * `automountServiceAccountToken`, which decides whatever the
   * ServiceAccount says; the created ServiceAccount carries the same). The
   * servers never call the Kubernetes API, so no token is mounted by
   * default. `true` needs `create` or `name`: it would otherwise mount the
   * namespace's default ServiceAccount's token.
   *
   * @default false
   */
  readonly automount?: boolean;
}

/** @internal ServiceAccount options with their defaults applied and checked. */
export interface ResolvedServiceAccount {
  readonly create: boolean;
  /** The name given, if any. */
  readonly name?: string;
  readonly annotations: { readonly [key: string]: string };
  readonly automount: boolean;
  /** The ServiceAccount the pods run as: none means the namespace's default. */
  readonly accountName?: string;
}

const V = '.Values.serviceAccount';

/**
 * The ServiceAccount the pods run as, from the `serviceAccount` values: the
 * name given; else, when one is created, the component's name (the chart's
 * full name); else none (""), the namespace's default. `resolve` and the
 * chart's `serviceAccountName` helper both read it.
 */
const ACCOUNT_NAME: readonly ValueCase[] = [
  { when: { truthy: 'serviceAccount.name' }, then: { value: 'serviceAccount.name' } },
  { when: { truthy: 'serviceAccount.create' }, then: { helper: 'fullname' } },
];

/** Annotations without a ServiceAccount the component creates (nothing would carry them): refused by `resolve` and the chart. */
const ANNOTATIONS_WITHOUT_CREATE: ValueTest = { all: [{ truthy: 'serviceAccount.annotations' }, { not: { truthy: 'serviceAccount.create' } }] };

/** The token mounted without a ServiceAccount of the component's or the user's (the namespace's default's): refused by `resolve` and the chart. */
const AUTOMOUNT_WITHOUT_ACCOUNT: ValueTest = {
  all: [{ truthy: 'serviceAccount.automount' }, { not: { truthy: 'serviceAccount.create' } }, { not: { truthy: 'serviceAccount.name' } }],
};

/** A boolean prop (users of plain JavaScript can pass anything). */
const BOOLEAN = { allowed: 'true or false', schema: { type: 'boolean' }, test: (v: unknown): v is boolean => typeof v === 'boolean' };

/**
 * @internal
 * The pods' ServiceAccount: `serviceAccountName` and
 * `automountServiceAccountToken` on the pods, the ServiceAccount when the
 * component creates it, the chart's `serviceAccount` values, its template
 * and the rules between the values.
 */
export class ServiceAccount implements ComponentFeature {
  /** Applies the defaults and checks, naming the props under `setting`. */
  public static resolve(setting: string, options: ServiceAccountOptions | undefined, componentName: string): ResolvedServiceAccount {
    const o = options ?? {};
    const create = check(`${setting}.create`, o.create ?? false, BOOLEAN);
    const automount = check(`${setting}.automount`, o.automount ?? false, BOOLEAN);
    const name = checkOptional(`${setting}.name`, o.name, Rules.dnsSubdomain);
    const annotations = checkStringMap(`${setting}.annotations`, o.annotations ?? {}, Rules.annotationKey);
    // The values as the chart holds them (no name: "").
    const values = { serviceAccount: { create, automount, annotations, name: name ?? '' } };
    if (testHolds(ANNOTATIONS_WITHOUT_CREATE, values)) {
      throw new Error(needsCreatedAccount(`${setting}.annotations`, `${setting}.create`, show(annotations)));
    }
    if (testHolds(AUTOMOUNT_WITHOUT_ACCOUNT, values)) {
      throw new Error(automountNeedsAccount(`${setting}.automount`, `${setting}.create`, `${setting}.name`));
    }
    const accountName = decide(ACCOUNT_NAME, values, { fullname: componentName });
    return { create, name, annotations, automount, accountName: accountName === '' ? undefined : accountName };
  }

  public readonly name = 'service account';
  /** Its chart parts depend on the chart's name alone (no option). */
  public readonly chartPartsKey = '';

  /** The component's ServiceAccount, when it creates one. */
  public object(c: AppComponent): k8s.KubeServiceAccount | undefined {
    const sa = c.account;
    return !sa.create ? undefined : new k8s.KubeServiceAccount(c, 'ServiceAccount', {
      metadata: { name: sa.accountName, labels: c.labels, ...(Object.keys(sa.annotations).length > 0 ? { annotations: { ...sa.annotations } } : {}) },
      automountServiceAccountToken: sa.automount,
    });
  }

  public pod(c: AppComponent): PodFields {
    const sa = c.account;
    return { spec: { automountServiceAccountToken: sa.automount, ...(sa.accountName === undefined ? {} : { serviceAccountName: sa.accountName }) } };
  }

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    const sa = c.account;
    return {
      serviceAccount: group('The ServiceAccount the pods run as (helm create\'s values).', {
        create: leaf('Create a ServiceAccount for the pods.', sa.create, { type: 'boolean' }),
        automount: leaf('Mount its API token into the pods (their automountServiceAccountToken). The servers do not call the Kubernetes API.\ntrue needs create or name (else the namespace\'s default ServiceAccount\'s token would be mounted).', sa.automount, { type: 'boolean' }),
        // The type only: the chart checks the name and the keys, to refuse with the props' words.
        annotations: leaf('Annotations of the ServiceAccount created (create only), such as eks.amazonaws.com/role-arn.', sa.annotations, { type: 'object', additionalProperties: { type: 'string' } }),
        name: leaf('With create: its name (empty: the full name). Without: a ServiceAccount of yours (empty: the namespace\'s default).', sa.name ?? '', { type: 'string' }),
      }),
    };
  }

  public chart(_c: AppComponent, chart: ChartScope): ChartParts {
    const n = chart.chartName;
    const name = `include "${n}.serviceAccountName" .`;
    const annotations: Binding = {
      path: 'metadata.annotations',
      expr: { kind: 'optionalBlock', condition: `${V}.annotations`, template: (i) => [`${' '.repeat(i)}{{- toYaml ${V}.annotations | nindent ${i} }}`] },
    };
    const skeleton = k8s.KubeServiceAccount.manifest({ metadata: { labels: {}, name: '' }, automountServiceAccountToken: false });
    return {
      deployment: [
        { path: 'spec.template.spec.automountServiceAccountToken', expr: Helm.scalar(`{{ ${V}.automount }}`) },
        { path: 'spec.template.spec.serviceAccountName', expr: Helm.optional(name, `{{ ${name} | quote }}`) },
      ],
      templates: {
        'serviceaccount.yaml': renderTemplate(skeleton, [
          ...chart.metadata(name),
          annotations,
          { path: 'automountServiceAccountToken', expr: Helm.scalar(`{{ ${V}.automount }}`) },
        ], { condition: `${V}.create`, header: 'The pods\' ServiceAccount: values.serviceAccount' }),
      },
      checks: [
        { kind: 'rule', value: 'serviceAccount.name', rule: Rules.dnsSubdomain, when: valueExpr('serviceAccount.name') },
        { kind: 'each', value: 'serviceAccount.annotations', checks: (key) => [{ kind: 'rule', value: 'serviceAccount.annotations', rule: Rules.annotationKey, expr: key }] },
        {
          kind: 'message',
          when: testPipeline(ANNOTATIONS_WITHOUT_CREATE),
          ...messageWith((got) => needsCreatedAccount('serviceAccount.annotations', 'serviceAccount.create', got), [`(toJson ${V}.annotations)`]),
        },
        {
          kind: 'message',
          when: testPipeline(AUTOMOUNT_WITHOUT_ACCOUNT),
          message: automountNeedsAccount('serviceAccount.automount', 'serviceAccount.create', 'serviceAccount.name'),
        },
      ],
      helpers: [
        '{{/* The ServiceAccount the pods run as: values.serviceAccount (ACCOUNT_NAME); empty: none named (the namespace\'s default). */}}',
        `{{- define "${n}.serviceAccountName" -}}`,
        ...caseLines(ACCOUNT_NAME, (helper) => chart.include(helper)),
        '{{- end }}',
      ],
    };
  }
}

