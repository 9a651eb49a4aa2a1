import { Duration } from 'cdk8s';
import * as k8s from '../imports/k8s';
import { check, durationSeconds, Rules } from './validation';

/** How a {@link HealthProbe} checks the container. */
export enum ProbeType {
  /** An HTTP GET on a path; any status from 200 to 399 is healthy. */
  HTTP = 'http',
  /** A TCP connection to the port; healthy when it opens. */
  TCP = 'tcp',
}

/**
 * Timings of a {@link HealthProbe}.
 *
 * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#configure-probes
 */
export interface HealthProbeOptions {
  /**
   * Wait before the first probe.
   *
   * @default Duration.seconds(0)
   */
  readonly initialDelay?: Duration;

  /**
   * How often to probe.
   *
   * @default Duration.seconds(10)
   */
  readonly period?: Duration;

  /**
   * How long one probe may take.
   *
   * @default Duration.seconds(1)
   */
  readonly timeout?: Duration;

  /**
   * Consecutive failures before the probe counts as failed.
   *
   * @default 3
   */
  readonly failureThreshold?: number;
}

/**
 * A liveness, readiness or startup probe, always aimed at the container's
 * named port so that it follows the port wherever it is defined.
 *
 * @example
 * HealthProbe.httpGet('/health', { period: Duration.seconds(5) });
 * HealthProbe.tcpSocket();
 */
export class HealthProbe {
  /** Probes with an HTTP GET of `path` on the container's port. */
  public static httpGet(path: string, options: HealthProbeOptions = {}): HealthProbe {
    return new HealthProbe(ProbeType.HTTP, path, options);
  }

  /** Probes by opening a TCP connection to the container's port. */
  public static tcpSocket(options: HealthProbeOptions = {}): HealthProbe {
    return new HealthProbe(ProbeType.TCP, undefined, options);
  }

  /** HTTP or TCP. */
  public readonly type: ProbeType;
  /** The HTTP path, for HTTP probes. */
  public readonly path?: string;
  /** Seconds before the first probe. */
  public readonly initialDelaySeconds: number;
  /** Seconds between probes. */
  public readonly periodSeconds: number;
  /** Seconds one probe may take. */
  public readonly timeoutSeconds: number;
  /** Consecutive failures before the probe counts as failed. */
  public readonly failureThreshold: number;

  private constructor(type: ProbeType, path: string | undefined, options: HealthProbeOptions) {
    this.type = type;
    this.path = path === undefined ? undefined : check('probe.path', path, Rules.httpPath);
    this.initialDelaySeconds = durationSeconds('probe.initialDelay', options.initialDelay ?? Duration.seconds(0), Rules.secondsOrZero);
    this.periodSeconds = durationSeconds('probe.period', options.period ?? Duration.seconds(10), Rules.seconds);
    this.timeoutSeconds = durationSeconds('probe.timeout', options.timeout ?? Duration.seconds(1), Rules.seconds);
    this.failureThreshold = check('probe.failureThreshold', options.failureThreshold ?? 3, Rules.threshold);
  }

  /** A copy with another HTTP path (an HTTP probe even when this one is TCP). */
  public withPath(path: string): HealthProbe {
    return new HealthProbe(ProbeType.HTTP, path, this.options());
  }

  /** @internal The Kubernetes probe, aimed at the container port named `portName`. */
  public toKube(portName: string): k8s.Probe {
    const port = k8s.IntOrString.fromString(portName);
    return {
      ...(this.type === ProbeType.HTTP ? { httpGet: { path: this.path, port } } : { tcpSocket: { port } }),
      initialDelaySeconds: this.initialDelaySeconds,
      periodSeconds: this.periodSeconds,
      timeoutSeconds: this.timeoutSeconds,
      failureThreshold: this.failureThreshold,
    };
  }

  private options(): HealthProbeOptions {
    return {
      initialDelay: Duration.seconds(this.initialDelaySeconds),
      period: Duration.seconds(this.periodSeconds),
      timeout: Duration.seconds(this.timeoutSeconds),
      failureThreshold: this.failureThreshold,
    };
  }
}
