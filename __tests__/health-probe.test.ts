import { Duration } from 'cdk8s';
import { IntOrString } from '../imports/k8s';
import { HealthProbe, ProbeType } from '../lib/health-probe';

describe('HealthProbe', () => {
  test('HTTP probes aim at the named port, with Kubernetes\' default timings', () => {
    expect(HealthProbe.httpGet('/health').toKube('http')).toEqual({ httpGet: { path: '/health', port: IntOrString.fromString('http') }, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 });
  });

  test('TCP probes and timings', () => {
    const probe = HealthProbe.tcpSocket({ initialDelay: Duration.seconds(5), period: Duration.minutes(1), timeout: Duration.seconds(2), failureThreshold: 6 });
    expect(probe.type).toBe(ProbeType.TCP);
    expect(probe.toKube('web')).toEqual({ tcpSocket: { port: IntOrString.fromString('web') }, initialDelaySeconds: 5, periodSeconds: 60, timeoutSeconds: 2, failureThreshold: 6 });
  });

  test('withPath keeps the timings', () => {
    const probe = HealthProbe.tcpSocket({ period: Duration.seconds(7) }).withPath('/x');
    expect(probe.toKube('http')).toMatchObject({ httpGet: { path: '/x' }, periodSeconds: 7 });
  });

  describe('fails when', () => {
    test('the path is relative', () => expect(() => HealthProbe.httpGet('health')).toThrow(`'probe.path' must be an absolute HTTP path starting with "/", got "health"`));
    test('the period is 0', () => expect(() => HealthProbe.tcpSocket({ period: Duration.seconds(0) })).toThrow("'probe.period' must be a whole number of seconds of at least 1, got 0"));
    test('the failure threshold is 0', () => expect(() => HealthProbe.tcpSocket({ failureThreshold: 0 })).toThrow("'probe.failureThreshold' must be a whole number of at least 1, got 0"));
    test('a timing is not whole seconds', () => expect(() => HealthProbe.tcpSocket({ timeout: Duration.millis(1500) })).toThrow("'probe.timeout' must be a whole number of seconds of at least 1, got 1 second 500 millis"));
  });
});
