import * as k8s from '../../imports/k8s';
import { AppComponent, HTTP_PORT_NAME } from '../app-component';
import { ChartParts, ChartScope, ComponentFeature, PodFields } from '../component-feature';
import { HealthProbe, ProbeType } from '../health-probe';
import { Binding, Helm, valueLines } from '../helm/template';
import { caseLines, decide, ValueCase } from '../helm/value-cases';
import { defaultValues, group, leaf, ValueGroup, ValuesNode } from '../helm/values';
import { oneOf, Rules } from '../validation';

/** The probes of a component, by their key under the chart's `probes` value. */
const KINDS = [
  { key: 'startup', field: 'startupProbe', comment: 'Holds off the other probes until the server has started (a slow first start).', of: (c: AppComponent) => c.startupProbe },
  { key: 'liveness', field: 'livenessProbe', comment: 'Restarts the container when it fails.', of: (c: AppComponent) => c.livenessProbe },
  { key: 'readiness', field: 'readinessProbe', comment: 'Sends traffic to the pod only while it passes.', of: (c: AppComponent) => c.readinessProbe },
] as const;

function probeValues(comment: string, probe: HealthProbe): ValueGroup {
  return group(comment, {
    type: leaf('"http": GET `path` on the container port; "tcp": open the port.', probe.type, oneOf([ProbeType.HTTP, ProbeType.TCP]).schema),
    path: leaf('HTTP path (http probes).', probe.path ?? '', { type: 'string' }),
    initialDelaySeconds: leaf('Seconds before the first probe.', probe.initialDelaySeconds, Rules.secondsOrZero.schema),
    periodSeconds: leaf('Seconds between probes.', probe.periodSeconds, Rules.seconds.schema),
    timeoutSeconds: leaf('Seconds one probe may take.', probe.timeoutSeconds, Rules.seconds.schema),
    failureThreshold: leaf('Consecutive failures before the probe fails.', probe.failureThreshold, Rules.threshold.schema),
  }, {
    required: ['type'],
    if: { properties: { type: { const: ProbeType.HTTP } } },
    then: { required: ['path'], properties: { path: Rules.httpPath.schema } },
  });
}

/** The probes whose HTTP path a check from outside the pod requests, in this order. */
const CHECKED = ['readiness', 'liveness'] as const;

/**
 * @internal
 * The path a check from outside the pod requests (the chart's `helm test`
 * pod, deploy's smoke test), decided on the chart's `probes` values: the
 * readiness probe's path when it is an HTTP probe, else the liveness
 * probe's, else "/". The path of a probe is one the server answers while
 * it is healthy; the frontend's readiness probe is a TCP probe, so its
 * liveness path is the one to check.
 */
export const CHECK_PATH: readonly ValueCase[] = [
  ...CHECKED.map((kind): ValueCase => ({ when: { equals: `probes.${kind}.type`, to: ProbeType.HTTP }, then: { value: `probes.${kind}.path` } })),
  { then: { text: '/' } },
];

/** The chart's `probes` values of a component. */
function probesGroup(c: AppComponent): ValueGroup {
  return group(`Probes, on the container port named "${HTTP_PORT_NAME}".`, Object.fromEntries(KINDS.map((k) => [k.key, probeValues(k.comment, k.of(c))])));
}

/** @internal The path a check from outside the pod requests ({@link CHECK_PATH}), for the component's probes. */
export function checkPath(c: AppComponent): string {
  return decide(CHECK_PATH, { probes: defaultValues(probesGroup(c)) });
}

/** A probe as the manifests hold it, with its port name as a plain string. */
function plain(probe: HealthProbe): any {
  return JSON.parse(JSON.stringify(probe.toKube(HTTP_PORT_NAME), (_k, v) => (v instanceof k8s.IntOrString ? v.value : v)));
}

/**
 * The lines of the chart's `probe` helper, rendered from the probes
 * themselves: each kind's Kubernetes probe (`HealthProbe.toKube`) with its
 * fields bound to the fields of a `values.probes.<kind>` value; the lines
 * the kinds share come once, after the kind's own under `if eq .type`.
 */
function probeHelper(): string[] {
  const timing = (p: HealthProbe): Binding[] => Object.keys(plain(p)).filter((k) => typeof plain(p)[k] === 'number')
    .map((k) => ({ path: k, expr: Helm.scalar(`{{ .${k} | int }}`) }));
  const http = HealthProbe.httpGet('/');
  const tcp = HealthProbe.tcpSocket();
  const httpLines = valueLines(plain(http), [...timing(http), { path: 'httpGet.path', expr: Helm.scalar('{{ .path | quote }}') }]);
  const tcpLines = valueLines(plain(tcp), timing(tcp));
  let shared = 0;
  while (shared < Math.min(httpLines.length, tcpLines.length) && httpLines[httpLines.length - 1 - shared] === tcpLines[tcpLines.length - 1 - shared]) {
    shared++;
  }
  // Share whole top-level fields only: a nested line belongs to its kind's handler.
  while (shared > 0 && httpLines[httpLines.length - shared].startsWith(' ')) {
    shared--;
  }
  return [
    `{{- if eq .type "${ProbeType.HTTP}" -}}`,
    ...httpLines.slice(0, httpLines.length - shared),
    '{{- else -}}',
    ...tcpLines.slice(0, tcpLines.length - shared),
    '{{- end }}',
    ...httpLines.slice(httpLines.length - shared),
  ];
}

/**
 * @internal
 * The startup, liveness and readiness probes, aimed at the container port by
 * name. The chart's `probes` values hold each probe's type, path and timings;
 * its `probe` helper is rendered from `HealthProbe.toKube`, so both
 * renderings give the same probe. Its `testPath` helper is the table
 * {@link CHECK_PATH}, which {@link checkPath} decides for deploy.
 */
export class Probes implements ComponentFeature {
  public readonly name = 'probes';
  /** Its chart parts depend on the chart's name alone (no option). */
  public readonly chartPartsKey = '';

  public pod(c: AppComponent): PodFields {
    return { container: Object.fromEntries(KINDS.map((k) => [k.field, k.of(c).toKube(HTTP_PORT_NAME)])) };
  }

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    return { probes: probesGroup(c) };
  }

  public chart(_c: AppComponent, chart: ChartScope): ChartParts {
    const n = chart.chartName;
    return {
      deployment: KINDS.map((k) => ({ path: `spec.template.spec.containers.0.${k.field}`, expr: Helm.nindent(`include "${n}.probe" .Values.probes.${k.key}`) })),
      helpers: [
        `{{/* A probe from values.probes.<kind>, on the container port named "${HTTP_PORT_NAME}". */}}`,
        `{{- define "${n}.probe" -}}`,
        ...probeHelper(),
        '{{- end }}',
        '',
        '{{/* The path helm test requests: the readiness path, else the liveness path, else "/" (CHECK_PATH). */}}',
        `{{- define "${n}.testPath" -}}`,
        ...caseLines(CHECK_PATH, (helper) => chart.include(helper)),
        '{{- end }}',
      ],
    };
  }
}
