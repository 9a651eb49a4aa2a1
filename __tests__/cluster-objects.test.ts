import * as fs from 'fs';
import * as path from 'path';
import { INGRESS_AT_ROOT, ingressUrl, MAX_BELOW_MIN, resolveAutoscaling, resolveIngress } from '../lib/cluster-objects';
import { testHolds, testPipeline, ValueTest } from '../lib/helm/value-cases';
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

describe('the Ingress URL at the root path: one test (INGRESS_AT_ROOT) for ingressUrl and the chart\'s NOTES', () => {
  interface Seen {
    readonly at: { path: string; tls: string };
    /** The URL the chart's NOTES print. */
    readonly chart: string;
    /** ingressUrl of the props these values stand for. */
    readonly props: string;
  }
  let seen: Seen[];
  beforeAll(() => {
    const dir = defaultFrontendChart();
    try {
      // The NOTES' URL line, rendered in a ConfigMap (helm template leaves NOTES out).
      const line = fs.readFileSync(path.join(dir, 'templates', 'NOTES.txt'), 'utf8').split('\n').find((l) => l.includes('.Values.ingress.tls.secretName'))!.trim();
      fs.writeFileSync(path.join(dir, 'templates', 'notes-url.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes-url\ndata:\n  url: |-\n    ${line}\n`);
      seen = [];
      for (const p of ['/', '/api', '/a/b']) {
        for (const tls of ['', 'todo-tls']) {
          const r = renderWith(dir, { ingress: { enabled: true, host: 'todo.example.com', path: p, tls: { secretName: tls } } });
          if (r.status !== 0) {
            throw new Error(r.stderr);
          }
          const chart = r.objects.find((o) => o.metadata.name === 'notes-url').data.url;
          seen.push({ at: { path: p, tls }, chart, props: ingressUrl(resolveIngress('ingress', { host: 'todo.example.com', path: p, tlsSecret: tls || undefined })) });
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  /** The combinations where the chart's URL and the test disagree on the root path (no path after the host). */
  const disagreements = (test: ValueTest) => seen.filter((s) => testHolds(test, { ingress: { path: s.at.path } }) !== /^https?:\/\/todo\.example\.com$/.test(s.chart)).map((s) => s.at);

  test('on every combination of ingress.path and TLS, the chart\'s NOTES print ingressUrl\'s URL, as the test holds', () => {
    expect(testPipeline(INGRESS_AT_ROOT)).toBe('eq .Values.ingress.path "/"');
    expect(seen.map((s) => [s.at, s.chart])).toEqual(seen.map((s) => [s.at, s.props]));
    expect(disagreements(INGRESS_AT_ROOT)).toEqual([]);
    expect(seen.map((s) => s.chart)).toEqual(['http://todo.example.com', 'https://todo.example.com', 'http://todo.example.com/api', 'https://todo.example.com/api',
      'http://todo.example.com/a/b', 'https://todo.example.com/a/b']);
  });

  describe('fails when', () => {
    test('the test compares with another path', () => {
      expect(disagreements({ equals: 'ingress.path', to: '' })).toEqual([{ path: '/', tls: '' }, { path: '/', tls: 'todo-tls' }]);
    });

    test('the test reads the path\'s presence', () => {
      expect(disagreements({ not: { truthy: 'ingress.path' } })).toHaveLength(2);
    });
  });
});
