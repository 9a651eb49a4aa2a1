import * as fs from 'fs';
import { ingressUrl, MAX_BELOW_MIN, resolveAutoscaling, resolveIngress } from '../lib/cluster-objects';
import { testPipeline } from '../lib/helm/value-cases';
import { defaultFrontendChart, helmMessage, renderWith } from './support/feature-chart';

describe('cluster objects', () => {
  test('ingress defaults and URLs', () => {
    expect(resolveIngress('i', { host: 'todo.example.com' })).toEqual({ host: 'todo.example.com', path: '/', tlsSecret: undefined, className: undefined, annotations: {} });
    expect(ingressUrl(resolveIngress('i', { host: 'todo.example.com' }))).toBe('http://todo.example.com');
    expect(ingressUrl(resolveIngress('i', { host: 'todo.example.com', path: '/api', tlsSecret: 'tls' }))).toBe('https://todo.example.com/api');
  });

  test('autoscaling defaults: 2 to 5 pods at 70% CPU; the maximum follows a larger minimum', () => {
    expect(resolveAutoscaling('a', {})).toEqual({ minReplicas: 2, maxReplicas: 5, targetCpuUtilization: 70 });
    expect(resolveAutoscaling('a', { minReplicas: 8 })).toEqual({ minReplicas: 8, maxReplicas: 8, targetCpuUtilization: 70 });
  });

  describe('fails when', () => {
    test.each([
      ['the host has no dot', () => resolveIngress('ingress', { host: 'localhost' }), `'ingress.host' must be a host name such as "todo.example.com" (lowercase, at least one dot, the last label starting with a letter), got "localhost"`],
      ['the path has a trailing slash', () => resolveIngress('ingress', { host: 'a.b', path: '/api/' }), `'ingress.path' must be a path prefix such as "/" or "/api" (no trailing "/"), got "/api/"`],
      ['the TLS secret name is invalid', () => resolveIngress('ingress', { host: 'a.b', tlsSecret: 'TLS' }), `'ingress.tlsSecret' must be a DNS-1123 subdomain`],
      ['fewer than 2 pods', () => resolveAutoscaling('autoscaling', { minReplicas: 1 }), `'autoscaling.minReplicas' must be a whole number between 2 and 100, got 1`],
      ['the maximum is below the minimum', () => resolveAutoscaling('autoscaling', { minReplicas: 4, maxReplicas: 3 }), `'autoscaling.maxReplicas' must be at least 'autoscaling.minReplicas' (4), got 3`],
      ['the CPU target is over 100', () => resolveAutoscaling('autoscaling', { targetCpuUtilization: 150 }), `'autoscaling.targetCpuUtilization' must be a percentage between 1 and 100, got 150`],
    ])('%s', (_n, run, message) => expect(run).toThrow(message));
  });
});

describe('the autoscaler\'s maximum below its minimum: one test (MAX_BELOW_MIN) for the props and the chart\'s check', () => {
  test('on every combination of minReplicas and maxReplicas, the chart refuses exactly what resolveAutoscaling refuses, with the same words', () => {
    expect(testPipeline(MAX_BELOW_MIN)).toBe('and .Values.autoscaling.enabled (lt (float64 .Values.autoscaling.maxReplicas) (float64 .Values.autoscaling.minReplicas))');
    const dir = defaultFrontendChart();
    try {
      const seen: object[] = [];
      const want: object[] = [];
      for (const minReplicas of [2, 3, 5]) {
        for (const maxReplicas of [2, 3, 5, 8]) {
          const at = { minReplicas, maxReplicas };
          const r = renderWith(dir, { autoscaling: { enabled: true, minReplicas, maxReplicas }, podDisruptionBudget: { enabled: false } });
          seen.push({ ...at, refused: r.status === 0 ? undefined : helmMessage(r.stderr) });
          let refused: string | undefined;
          try {
            resolveAutoscaling('autoscaling', { minReplicas, maxReplicas });
          } catch (e) {
            refused = (e as Error).message;
          }
          want.push({ ...at, refused });
        }
      }
      expect(seen).toEqual(want);
      expect(want.filter((w: any) => w.refused !== undefined).map((w: any) => w.refused)).toEqual([
        '\'autoscaling.maxReplicas\' must be at least \'autoscaling.minReplicas\' (3), got 2',
        '\'autoscaling.maxReplicas\' must be at least \'autoscaling.minReplicas\' (5), got 2',
        '\'autoscaling.maxReplicas\' must be at least \'autoscaling.minReplicas\' (5), got 3',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
