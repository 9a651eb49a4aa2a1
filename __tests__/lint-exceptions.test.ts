import { Chart, Testing } from 'cdk8s';
import * as k8s from '../imports/k8s';
import { checkLint } from '../lib/checks/lint';
import { excuseLintFinding } from '../lib/lint-exceptions';

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
