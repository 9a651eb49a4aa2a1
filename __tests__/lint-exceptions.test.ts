import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ImagePullPolicy, ServiceType } from 'cdk8s-plus-28';
import { exceptionAnnotations, exceptionAnnotationsTemplate, exceptionsFor, excuseLintFinding, LINT_EXCEPTIONS, LintException, LintValues } from '../lib/lint-exceptions';
import { testPipeline } from '../lib/helm/value-cases';
import { helm, template } from './support/helm';
import { parseYaml } from './support/yaml';
import { Chart, Testing } from 'cdk8s';
import * as k8s from '../imports/k8s';
import { checkLint } from '../lib/checks/lint';
import { componentValues } from '../lib/helm/chart-values';
import { TodoHelmChart } from '../lib/helm/todo-helm-chart';
import { defaultValues } from '../lib/helm/values';
import { TodoApp } from '../lib/todo-app';
import { TodoBackendProps } from '../lib/todo-backend';

/** A component that needs no exception: ClusterIP, a fixed tag pulled Always, every NetworkPolicy on, no ServiceAccount of the user's. */
const STRICT: LintValues = {
  service: { type: ServiceType.CLUSTER_IP },
  image: { tag: '1.2.3', pullPolicy: ImagePullPolicy.ALWAYS },
  networkPolicy: { enabled: true, egress: { enabled: true } },
  serviceAccount: { create: false, name: '' },
};

/** STRICT with some values changed (one level deep). */
const strictWith = (change: { [K in keyof LintValues]?: Partial<LintValues[K]> }): LintValues =>
  Object.fromEntries(Object.entries(STRICT).map(([k, v]) => [k, { ...v, ...(change as any)[k] }])) as unknown as LintValues;

/** The checks an object's exceptions excuse, as `tool check`. */
const excused = (object: LintException['object'], values: LintValues) => exceptionsFor(object, values)
  .flatMap((e) => [...e.kubeScore.map((c) => `kube-score ${c}`), ...e.kubeLinter.map((c) => `kube-linter ${c}`)]);

const OBJECTS: readonly LintException['object'][] = ['Deployment', 'Service'];

describe('exceptionsFor', () => {
  test('a strict component has none, on either object', () => {
    expect(exceptionsFor('Deployment', STRICT)).toEqual([]);
    expect(exceptionsFor('Service', STRICT)).toEqual([]);
  });

  type Case = [string, Parameters<typeof strictWith>[0], LintException['object'], string[]];
  test.each<Case>([
    ['a NodePort Service', { service: { type: ServiceType.NODE_PORT } }, 'Service', ['kube-score service-type']],
    ['a LoadBalancer Service', { service: { type: ServiceType.LOAD_BALANCER } }, 'Service', []],
    ['the latest tag', { image: { tag: 'latest' } }, 'Deployment', ['kube-score container-image-tag', 'kube-linter latest-tag']],
    ['a tag that only contains latest', { image: { tag: 'latest-1' } }, 'Deployment', []],
    ['a tag that reads as a number', { image: { tag: '1.0' } }, 'Deployment', []],
    ['pull policy IfNotPresent', { image: { pullPolicy: ImagePullPolicy.IF_NOT_PRESENT } }, 'Deployment', ['kube-score container-image-pull-policy']],
    ['pull policy Never', { image: { pullPolicy: ImagePullPolicy.NEVER } }, 'Deployment', ['kube-score container-image-pull-policy']],
    ['NetworkPolicies off', { networkPolicy: { enabled: false, egress: { enabled: false } } }, 'Deployment', ['kube-score pod-networkpolicy']],
    ['egress rules off', { networkPolicy: { egress: { enabled: false } } }, 'Deployment', ['kube-score pod-networkpolicy']],
    ['a ServiceAccount of the user\'s (a name, not created)', { serviceAccount: { name: 'mine' } }, 'Deployment', ['kube-linter non-existent-service-account']],
    ['a ServiceAccount created under a name', { serviceAccount: { create: true, name: 'mine' } }, 'Deployment', []],
    ['a ServiceAccount created under the full name', { serviceAccount: { create: true } }, 'Deployment', []],
  ])('%s', (_what, change, object, checks) => {
    expect(excused(object, strictWith(change))).toEqual(checks);
    // The exception is on its own object only.
    expect(excused(object === 'Service' ? 'Deployment' : 'Service', strictWith(change))).toEqual([]);
  });

  test('the Minikube defaults (NodePort, latest, IfNotPresent, no policies) excuse all four, each with a reason', () => {
    const minikube = strictWith({ service: { type: ServiceType.NODE_PORT }, image: { tag: 'latest', pullPolicy: ImagePullPolicy.IF_NOT_PRESENT }, networkPolicy: { enabled: false, egress: { enabled: false } } });
    expect(excused('Deployment', minikube)).toEqual(['kube-score container-image-tag', 'kube-linter latest-tag', 'kube-score container-image-pull-policy', 'kube-score pod-networkpolicy']);
    expect(excused('Service', minikube)).toEqual(['kube-score service-type']);
    for (const e of LINT_EXCEPTIONS) {
      expect(e.reason.trim()).not.toBe('');
    }
  });

  test('each exception is one test on the chart\'s values, which the chart renders as its condition', () => {
    expect(LINT_EXCEPTIONS.map((e) => [e.object, [...e.kubeScore, ...e.kubeLinter].join(','), testPipeline(e.when)])).toEqual([
      ['Service', 'service-type', 'eq .Values.service.type "NodePort"'],
      ['Deployment', 'container-image-tag,latest-tag', 'eq (toString .Values.image.tag) "latest"'],
      ['Deployment', 'container-image-pull-policy', 'not (eq .Values.image.pullPolicy "Always")'],
      ['Deployment', 'pod-networkpolicy', 'not (and .Values.networkPolicy.enabled .Values.networkPolicy.egress.enabled)'],
      ['Deployment', 'non-existent-service-account', 'and (not .Values.serviceAccount.create) .Values.serviceAccount.name'],
    ]);
  });
});

describe('exceptionAnnotations', () => {
  const always = { truthy: 'service.type' };
  test('no exceptions, no annotations (not even an empty kube-score/ignore)', () => {
    expect(exceptionAnnotations([])).toEqual({});
  });

  test('the kube-score checks in one kube-score/ignore, a reason beside each, kube-linter checks each in its own annotation', () => {
    const tag: LintException = { object: 'Deployment', kubeScore: ['container-image-tag'], kubeLinter: ['latest-tag'], reason: 'tag reason', when: always };
    const pull: LintException = { object: 'Deployment', kubeScore: ['container-image-pull-policy'], kubeLinter: [], reason: 'pull reason', when: always };
    expect(exceptionAnnotations([tag, pull])).toEqual({
      'kube-score/ignore': 'container-image-tag,container-image-pull-policy',
      'kube-score.todo-cdk8s/container-image-tag': 'tag reason',
      'kube-score.todo-cdk8s/container-image-pull-policy': 'pull reason',
      'ignore-check.kube-linter.io/latest-tag': 'tag reason',
    });
  });

  test('an exception of kube-linter checks only has no kube-score/ignore', () => {
    const only: LintException = { object: 'Deployment', kubeScore: [], kubeLinter: ['latest-tag'], reason: 'r', when: always };
    expect(exceptionAnnotations([only])).toEqual({ 'ignore-check.kube-linter.io/latest-tag': 'r' });
  });
});

/**
 * Every mix of the values the exceptions read, as a values file may hold
 * them: the tag also as a number (`1.0`, which helm reads as 1), a boolean
 * and null, which the charts' schema refuses but the condition compares.
 */
const CASES: any[] = [];
for (const type of [ServiceType.NODE_PORT, ServiceType.CLUSTER_IP, ServiceType.LOAD_BALANCER]) {
  for (const tag of ['latest', '1.0', 'Latest', 'latest-1', 1.0, true, null]) {
    for (const pullPolicy of [ImagePullPolicy.ALWAYS, ImagePullPolicy.IF_NOT_PRESENT, ImagePullPolicy.NEVER]) {
      for (const [enabled, egress] of [[true, true], [true, false], [false, true], [false, false]]) {
        for (const [create, name] of [[false, ''], [false, 'mine'], [true, ''], [true, 'mine']] as const) {
          CASES.push({ service: { type }, image: { tag, pullPolicy }, networkPolicy: { enabled, egress: { enabled: egress } }, serviceAccount: { create, name } });
        }
      }
    }
  }
}

/**
 * Real helm's rendering of `exceptionAnnotationsTemplate` of `exceptions`
 * for each of `cases` (one run: a ConfigMap per case, each rendered with
 * its own `.Values`): the annotations of each object, by case.
 */
function renderedAnnotations(cases: readonly object[], exceptions: readonly LintException[]): Array<{ [object: string]: { [key: string]: string } }> {
  const chart = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-chart-'));
  try {
    fs.mkdirSync(path.join(chart, 'templates'));
    fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: lint\nversion: 0.1.0\n');
    // JSON is YAML.
    fs.writeFileSync(path.join(chart, 'values.yaml'), JSON.stringify({ cases }));
    fs.writeFileSync(path.join(chart, 'templates', '_helpers.tpl'), OBJECTS.map((o) => [`{{- define "lint.${o}" -}}`, ...exceptionAnnotationsTemplate(o, undefined, exceptions), '{{- end }}'].join('\n')).join('\n'));
    fs.writeFileSync(path.join(chart, 'templates', 'cases.yaml'), [
      '{{- range $i, $case := .Values.cases }}',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: case-{{ $i }}',
      'data:',
      ...OBJECTS.map((o) => `  ${o}: {{ include "lint.${o}" (dict "Values" $case) | quote }}`),
      '{{- end }}',
    ].join('\n'));
    const rendered = template(chart);
    expect(rendered).toHaveLength(cases.length);
    return rendered.map((cm) => Object.fromEntries(OBJECTS.map((o) => [o, cm.data[o].trim() === '' ? {} : parseYaml(cm.data[o])[0]])));
  } finally {
    fs.rmSync(chart, { recursive: true, force: true });
  }
}

/** The cases where the chart's annotations (`rendered`) differ from those the constructs give with `exceptions` (testHolds). */
function mismatches(rendered: ReturnType<typeof renderedAnnotations>, cases: readonly any[], exceptions: readonly LintException[]): string[] {
  return cases.flatMap((values, i) => OBJECTS.flatMap((o) => {
    const held = exceptionAnnotations(exceptionsFor(o, values, exceptions));
    return JSON.stringify(rendered[i][o]) === JSON.stringify(held) ? [] : [`${JSON.stringify(values)} ${o}: chart ${JSON.stringify(rendered[i][o])}, constructs ${JSON.stringify(held)}`];
  }));
}

describe('exceptionAnnotationsTemplate: the chart renders each exception\'s test, as the constructs decide it', () => {
  let rendered: ReturnType<typeof renderedAnnotations>;
  beforeAll(() => {
    rendered = renderedAnnotations(CASES, LINT_EXCEPTIONS);
  });

  test(`real helm renders, for each of ${CASES.length} mixes of values, the annotations that exceptionsFor gives the constructs`, () => {
    expect(CASES).toHaveLength(1008);
    expect(mismatches(rendered, CASES, LINT_EXCEPTIONS)).toEqual([]);
    // Every exception holds in some cases and not in others, on its own object.
    for (const e of LINT_EXCEPTIONS) {
      const key = e.kubeLinter.length > 0 ? `ignore-check.kube-linter.io/${e.kubeLinter[0]}` : `kube-score.todo-cdk8s/${e.kubeScore[0]}`;
      const holding = rendered.filter((r) => r[e.object][key] === e.reason).length;
      expect([e.reason, holding > 0 && holding < CASES.length]).toEqual([e.reason, true]);
    }
    // The tag exception: the text latest only, not a number, boolean, null or a tag that merely contains it.
    expect(new Set(CASES.filter((_c, i) => 'ignore-check.kube-linter.io/latest-tag' in rendered[i].Deployment).map((c) => c.image.tag))).toEqual(new Set(['latest']));
  });

  describe('fails when', () => {
    test.each(LINT_EXCEPTIONS.map((e, i) => [[...e.kubeScore, ...e.kubeLinter].join(','), i] as const))('the constructs read another test than the chart renders (%s negated)', (_checks, i) => {
      const changed = LINT_EXCEPTIONS.map((e, j) => (j === i ? { ...e, when: { not: e.when } } : e));
      const found = mismatches(rendered, CASES, changed);
      // Every case: the exception holds on one side only.
      expect(found).toHaveLength(CASES.length);
      expect(found.every((m) => m.includes(` ${LINT_EXCEPTIONS[i].object}: `))).toBe(true);
    });

    test('the chart renders a changed test (pull policy: not IfNotPresent instead of not Always)', () => {
      const changed = LINT_EXCEPTIONS.map((e) => (e.kubeScore.includes('container-image-pull-policy') ? { ...e, when: { not: { equals: 'image.pullPolicy', to: 'IfNotPresent' } } } : e));
      const found = mismatches(renderedAnnotations(CASES, changed), CASES, LINT_EXCEPTIONS);
      // Always and IfNotPresent swap; Never is excused either way.
      expect(found).toHaveLength(CASES.filter((c) => c.image.pullPolicy !== ImagePullPolicy.NEVER).length);
      expect(found.every((m) => /"pullPolicy":"(Always|IfNotPresent)"/.test(m))).toBe(true);
    });

    test('the tag is compared as it is, not as text: helm refuses to compare a number with "latest"', () => {
      const changed = LINT_EXCEPTIONS.map((e) => (e.kubeLinter.includes('latest-tag') ? { ...e, when: { equals: 'image.tag', to: 'latest' } } : e));
      expect(() => renderedAnnotations(CASES, changed)).toThrow(/incompatible types for comparison/);
    });
  });

  test('holds the conditions of the object\'s own exceptions only', () => {
    const service = exceptionAnnotationsTemplate('Service').join('\n');
    expect(service).toContain('eq .Values.service.type "NodePort"');
    expect(service).not.toContain('.Values.image');
    expect(exceptionAnnotationsTemplate('Deployment').join('\n')).not.toContain('.Values.service.type');
  });
});

/** Props that call for each exception and not, in turn (ClusterIP with an Ingress, as browsers must reach the backend). */
const PROPS: readonly TodoBackendProps[] = [
  {},
  { serviceType: ServiceType.CLUSTER_IP, ingress: { host: 'api.todo.example' }, imageTag: '1.0', imagePullPolicy: ImagePullPolicy.ALWAYS, networkPolicy: false },
  { serviceType: ServiceType.LOAD_BALANCER, imageTag: 'v2', imagePullPolicy: ImagePullPolicy.NEVER, networkPolicyEgress: false, serviceAccount: { name: 'mine' } },
  { imageTag: 'latest', imagePullPolicy: ImagePullPolicy.ALWAYS, serviceAccount: { create: true, name: 'mine' } },
  { serviceType: ServiceType.CLUSTER_IP, ingress: { host: 'api.todo.example' }, imageTag: 'latest-1', serviceAccount: { create: true } },
  { imagePullPolicy: ImagePullPolicy.ALWAYS, networkPolicy: false, serviceAccount: { name: 'mine' } },
];

describe('the constructs and the chart, for equivalent props', () => {
  test(`the default backend chart, rendered by real helm with the values of ${PROPS.length} backends, carries their Deployment's and Service's exceptions`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-backend-'));
    try {
      new TodoHelmChart(Testing.app(), 'chart', { component: new TodoApp(Testing.chart(), 'todo').backend }).writeTo(dir);
      const seen = new Set<string>();
      for (const props of PROPS) {
        const backend = new TodoApp(Testing.chart(), 'todo', { backend: props }).backend;
        const own = { Deployment: backend.deployment.toJson().metadata.annotations ?? {}, Service: backend.service.toJson().metadata.annotations ?? {} };
        // The values that stand for the backend: its own chart's values.yaml (the features' values).
        const values = defaultValues(componentValues(backend)) as any;
        expect(LINT_EXCEPTIONS.filter((e) => exceptionsFor(e.object, values).includes(e)).map((e) => e.reason))
          .toEqual(LINT_EXCEPTIONS.filter((e) => Object.values(own[e.object]).includes(e.reason)).map((e) => e.reason));
        const file = path.join(dir, 'case.json');
        fs.writeFileSync(file, JSON.stringify(values));
        const r = helm(['template', 'todo-backend', dir, '-f', file]);
        expect(r.stderr).toBe('');
        const objects = parseYaml(r.stdout);
        for (const o of OBJECTS) {
          const rendered = objects.find((x: any) => x.kind === o && x.metadata.name === 'todo-backend');
          expect({ props, o, annotations: rendered.metadata.annotations ?? {} }).toEqual({ props, o, annotations: own[o] });
          Object.keys(own[o]).forEach((k) => seen.add(k));
        }
      }
      // Every exception was carried by some backend.
      for (const e of LINT_EXCEPTIONS) {
        expect([...e.kubeScore.map((c) => `kube-score.todo-cdk8s/${c}`), ...e.kubeLinter.map((c) => `ignore-check.kube-linter.io/${c}`)].filter((k) => !seen.has(k))).toEqual([]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

function chartWithService(annotations?: { [key: string]: string }) {
  const chart = new Chart(Testing.app(), 'c');
  const service = new k8s.KubeService(chart, 'svc', {
    metadata: { name: 'web', ...(annotations ? { annotations } : {}) },
    spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80 }] },
  });
  return service;
}

describe('excuseLintFinding', () => {
  test('kube-score: adds the check to the list already there and writes the reason beside it', () => {
    const service = chartWithService({ 'kube-score/ignore': 'pod-probes', 'kube-score.todo-cdk8s/pod-probes': 'no pods here' });
    expect(checkLint([service.toJson()]).map((f) => f.check)).toEqual(['service-type']);
    excuseLintFinding(service, 'service-type', 'reached at the node address');
    excuseLintFinding(service, 'service-type', 'reached at the node address, once');
    expect(service.toJson().metadata.annotations).toEqual({
      'kube-score/ignore': 'pod-probes,service-type',
      'kube-score.todo-cdk8s/pod-probes': 'no pods here',
      'kube-score.todo-cdk8s/service-type': 'reached at the node address, once',
    });
    expect(checkLint([service.toJson()])).toEqual([]);
  });

  test('kube-linter: the reason is the value of its ignore annotation', () => {
    const service = chartWithService();
    excuseLintFinding(service, 'latest-tag', 'pinned by digest at deploy');
    expect(service.toJson().metadata.annotations).toEqual({ 'ignore-check.kube-linter.io/latest-tag': 'pinned by digest at deploy' });
  });

  describe('fails when', () => {
    test('the check is not one that runs', () => {
      expect(() => excuseLintFinding(chartWithService(), 'no-such-check', 'x')).toThrow(/^'check' must be one of the checks that run \(pod-networkpolicy, pod-probes, .*\), got "no-such-check"$/);
    });
    test.each([[''], ['  '], [undefined]])('the reason is %p', (reason) => {
      expect(() => excuseLintFinding(chartWithService(), 'service-type', reason as any)).toThrow(`'reason' must say why the deviation from kube-score's service-type is deliberate, got ${reason === undefined ? 'undefined' : JSON.stringify(reason)}`);
    });
  });
});
