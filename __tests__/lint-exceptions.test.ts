import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ImagePullPolicy, ServiceType } from 'cdk8s-plus-28';
import { exceptionAnnotations, exceptionAnnotationsTemplate, exceptionsFor, excuseLintFinding, LINT_EXCEPTIONS, LintException, LintSubject } from '../lib/lint-exceptions';
import { template } from './support/helm';
import { parseYaml } from './support/yaml';
import { Chart, Testing } from 'cdk8s';
import * as k8s from '../imports/k8s';
import { checkLint } from '../lib/checks/lint';

/** A component that needs no exception: ClusterIP, a fixed tag pulled Always, every NetworkPolicy on. */
const STRICT: LintSubject = {
  serviceType: ServiceType.CLUSTER_IP,
  imageTag: '1.2.3',
  imagePullPolicy: ImagePullPolicy.ALWAYS,
  networkPolicy: true,
  egressPolicy: true,
};

/** The checks an object's exceptions excuse, as `tool check`. */
const excused = (object: LintException['object'], subject: LintSubject) => exceptionsFor(object, subject)
  .flatMap((e) => [...e.kubeScore.map((c) => `kube-score ${c}`), ...e.kubeLinter.map((c) => `kube-linter ${c}`)]);

describe('exceptionsFor', () => {
  test('a strict component has none, on either object', () => {
    expect(exceptionsFor('Deployment', STRICT)).toEqual([]);
    expect(exceptionsFor('Service', STRICT)).toEqual([]);
  });

  type Case = [string, Partial<LintSubject>, LintException['object'], string[]];
  test.each<Case>([
    ['a NodePort Service', { serviceType: ServiceType.NODE_PORT }, 'Service', ['kube-score service-type']],
    ['a LoadBalancer Service', { serviceType: ServiceType.LOAD_BALANCER }, 'Service', []],
    ['the latest tag', { imageTag: 'latest' }, 'Deployment', ['kube-score container-image-tag', 'kube-linter latest-tag']],
    ['a tag that only contains latest', { imageTag: 'latest-1' }, 'Deployment', []],
    ['pull policy IfNotPresent', { imagePullPolicy: ImagePullPolicy.IF_NOT_PRESENT }, 'Deployment', ['kube-score container-image-pull-policy']],
    ['pull policy Never', { imagePullPolicy: ImagePullPolicy.NEVER }, 'Deployment', ['kube-score container-image-pull-policy']],
    ['NetworkPolicies off', { networkPolicy: false }, 'Deployment', ['kube-score pod-networkpolicy']],
    ['egress rules off', { egressPolicy: false }, 'Deployment', ['kube-score pod-networkpolicy']],
    ['both off', { networkPolicy: false, egressPolicy: false }, 'Deployment', ['kube-score pod-networkpolicy']],
  ])('%s', (_what, change, object, checks) => {
    expect(excused(object, { ...STRICT, ...change })).toEqual(checks);
    // The exception is on its own object only.
    expect(excused(object === 'Service' ? 'Deployment' : 'Service', { ...STRICT, ...change })).toEqual([]);
  });

  test('the Minikube defaults (NodePort, latest, IfNotPresent, no policies) excuse all four, each with a reason', () => {
    const minikube: LintSubject = { serviceType: ServiceType.NODE_PORT, imageTag: 'latest', imagePullPolicy: ImagePullPolicy.IF_NOT_PRESENT, networkPolicy: false, egressPolicy: false };
    expect(excused('Deployment', minikube)).toEqual(['kube-score container-image-tag', 'kube-linter latest-tag', 'kube-score container-image-pull-policy', 'kube-score pod-networkpolicy']);
    expect(excused('Service', minikube)).toEqual(['kube-score service-type']);
    for (const e of LINT_EXCEPTIONS) {
      expect(e.reason.trim()).not.toBe('');
    }
  });
});

describe('exceptionAnnotations', () => {
  test('no exceptions, no annotations (not even an empty kube-score/ignore)', () => {
    expect(exceptionAnnotations([])).toEqual({});
  });

  test('the kube-score checks in one kube-score/ignore, a reason beside each, kube-linter checks each in its own annotation', () => {
    const tag: LintException = { object: 'Deployment', kubeScore: ['container-image-tag'], kubeLinter: ['latest-tag'], reason: 'tag reason', applies: () => true, helmCondition: 'true' };
    const pull: LintException = { object: 'Deployment', kubeScore: ['container-image-pull-policy'], kubeLinter: [], reason: 'pull reason', applies: () => true, helmCondition: 'true' };
    expect(exceptionAnnotations([tag, pull])).toEqual({
      'kube-score/ignore': 'container-image-tag,container-image-pull-policy',
      'kube-score.todo-cdk8s/container-image-tag': 'tag reason',
      'kube-score.todo-cdk8s/container-image-pull-policy': 'pull reason',
      'ignore-check.kube-linter.io/latest-tag': 'tag reason',
    });
  });

  test('an exception of kube-linter checks only has no kube-score/ignore', () => {
    const only: LintException = { object: 'Deployment', kubeScore: [], kubeLinter: ['latest-tag'], reason: 'r', applies: () => true, helmCondition: 'true' };
    expect(exceptionAnnotations([only])).toEqual({ 'ignore-check.kube-linter.io/latest-tag': 'r' });
  });
});

describe('exceptionAnnotationsTemplate', () => {
  /** Every mix of the values the exceptions read. */
  const subjects: LintSubject[] = [];
  for (const serviceType of [ServiceType.NODE_PORT, ServiceType.CLUSTER_IP]) {
    for (const imageTag of ['latest', '1.2.3']) {
      for (const imagePullPolicy of [ImagePullPolicy.ALWAYS, ImagePullPolicy.IF_NOT_PRESENT, ImagePullPolicy.NEVER]) {
        for (const networkPolicy of [true, false]) {
          for (const egressPolicy of [true, false]) {
            for (const externalServiceAccount of [true, false]) {
              subjects.push({ serviceType, imageTag, imagePullPolicy, networkPolicy, egressPolicy, externalServiceAccount });
            }
          }
        }
      }
    }
  }
  const valuesOf = (s: LintSubject) => ({
    service: { type: s.serviceType },
    image: { tag: s.imageTag, pullPolicy: s.imagePullPolicy },
    networkPolicy: { enabled: s.networkPolicy, egress: { enabled: s.egressPolicy } },
    // create: false with a name is the user's own; created, or no name, is not.
    serviceAccount: s.externalServiceAccount ? { create: false, name: 'mine' } : { create: true, name: 'mine' },
  });

  test('real helm renders, for every mix of values, the annotations that exceptionAnnotations gives the constructs', () => {
    const chart = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-chart-'));
    try {
      fs.mkdirSync(path.join(chart, 'templates'));
      fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: lint\nversion: 0.1.0\n');
      // JSON is YAML: one case per mix, each rendered with its own .Values.
      fs.writeFileSync(path.join(chart, 'values.yaml'), JSON.stringify({ cases: subjects.map(valuesOf) }));
      const objects: LintException['object'][] = ['Deployment', 'Service'];
      fs.writeFileSync(path.join(chart, 'templates', '_helpers.tpl'), objects.map((o) => [`{{- define "lint.${o}" -}}`, ...exceptionAnnotationsTemplate(o), '{{- end }}'].join('\n')).join('\n'));
      fs.writeFileSync(path.join(chart, 'templates', 'cases.yaml'), [
        '{{- range $i, $case := .Values.cases }}',
        '---',
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: case-{{ $i }}',
        'data:',
        ...objects.map((o) => `  ${o}: {{ include "lint.${o}" (dict "Values" $case) | quote }}`),
        '{{- end }}',
      ].join('\n'));
      const rendered = template(chart);
      expect(rendered).toHaveLength(subjects.length);
      rendered.forEach((cm, i) => {
        for (const o of objects) {
          const text = cm.data[o];
          const annotations = text.trim() === '' ? {} : parseYaml(text)[0];
          expect({ case: valuesOf(subjects[i]), object: o, annotations }).toEqual({ case: valuesOf(subjects[i]), object: o, annotations: exceptionAnnotations(exceptionsFor(o, subjects[i])) });
        }
      });
    } finally {
      fs.rmSync(chart, { recursive: true, force: true });
    }
  });

  test('holds the conditions of the object\'s own exceptions only', () => {
    const service = exceptionAnnotationsTemplate('Service').join('\n');
    expect(service).toContain('eq .Values.service.type "NodePort"');
    expect(service).not.toContain('.Values.image');
    expect(exceptionAnnotationsTemplate('Deployment').join('\n')).not.toContain('.Values.service.type');
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
