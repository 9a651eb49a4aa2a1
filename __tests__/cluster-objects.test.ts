import { ingressUrl, resolveAutoscaling, resolveIngress } from '../lib/cluster-objects';

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
