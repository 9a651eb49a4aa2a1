import * as k8s from '../../imports/k8s';
import { KUBE_SCORE_IGNORE, KUBE_SCORE_REASON } from '../checks/lint';
import { ChartParts, ChartScope, ComponentFeature } from '../component-feature';
import { Helm, renderTemplate, valueLines } from '../helm/template';
import { serviceUrl } from './service';

/**
 * The `helm test` pod's deliberate exceptions: it makes one request and
 * exits. The component's NetworkPolicy admits it by its labels.
 */
const TEST_POD_EXCEPTIONS = {
  [KUBE_SCORE_IGNORE]: 'pod-networkpolicy,container-image-pull-policy',
  [`${KUBE_SCORE_REASON}pod-networkpolicy`]: 'the helm test pod makes one request to the Service and exits; the component\'s NetworkPolicy admits it',
  [`${KUBE_SCORE_REASON}container-image-pull-policy`]: 'busybox:1.36 is a fixed tag; IfNotPresent spares a registry round trip on every helm test',
};

/** The label that names the release a test pod belongs to (its value: the release's full name). */
const TEST_OF = 'todo-cdk8s/test-of';

/**
 * @internal
 * A chart's `helm test` pod: it requests the Service at the URL the
 * component's peers use (`serviceUrl`, the `clusterUrl` of the constructs),
 * on the path a check from outside requests (the `testPath` helper of the
 * probes: `CHECK_PATH`).
 * Its labels (`testLabels`) are none of those the release selects its pods
 * by, so that no Service, NetworkPolicy, Deployment or budget of the
 * release selects it; the NetworkPolicy admits it by them. The pod carries
 * them and values.commonLabels (`testPodLabels`). Charts only: the
 * manifests have no test.
 */
export class TestConnection implements ComponentFeature {
  public readonly name = 'helm test';
  /** Its chart parts depend on the chart's name alone (no option). */
  public readonly chartPartsKey = '';

  public chart(_c: unknown, chart: ChartScope): ChartParts {
    const pod = k8s.KubePod.manifest({
      metadata: { annotations: { 'helm.sh/hook': 'test', 'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded', ...TEST_POD_EXCEPTIONS } },
      spec: {
        automountServiceAccountToken: false,
        restartPolicy: 'Never',
        securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [{
          name: 'wget',
          image: 'busybox:1.36',
          imagePullPolicy: 'IfNotPresent',
          command: ['wget'],
          args: ['-q', '-O', '/dev/null', 'URL'],
          resources: {
            'requests': { 'cpu': k8s.Quantity.fromString('10m'), 'memory': k8s.Quantity.fromString('16Mi'), 'ephemeral-storage': k8s.Quantity.fromString('16Mi') },
            'limits': { 'cpu': k8s.Quantity.fromString('100m'), 'memory': k8s.Quantity.fromString('32Mi'), 'ephemeral-storage': k8s.Quantity.fromString('16Mi') },
          },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
        }],
      },
    });
    const fullname = chart.include('fullname');
    // The Service's URL with printf's placeholders for the name, the namespace and the port, then the path.
    const url = `${serviceUrl('%s', '%s', '%d')}%s`;
    return {
      templates: {
        'tests/test-connection.yaml': renderTemplate(pod, [
          ...chart.metadata(`printf "%s-test-connection" (${fullname})`, 'testPodLabels'),
          { path: 'spec.containers.0.args.3', expr: Helm.scalar(`{{ printf ${JSON.stringify(url)} (${fullname}) (${chart.include('namespace')}) (.Values.service.port | int) (${chart.include('testPath')}) | quote }}`) },
        ], { header: '`helm test <release>`: requests the Service from inside the cluster' }),
      },
      helpers: [
        '{{/*',
        'Labels of the helm test pod: none of the labels the release selects its pods',
        'by (app.kubernetes.io/name and instance, app), so that no Service,',
        'NetworkPolicy, Deployment or budget of the release selects it; the',
        'NetworkPolicy admits it by these.',
        '*/}}',
        `{{- define "${chart.chartName}.testLabels" -}}`,
        ...valueLines({ 'app.kubernetes.io/component': 'test', [TEST_OF]: '' }, [{ path: [TEST_OF], expr: Helm.scalar(`{{ ${fullname} }}`) }]),
        '{{- end }}',
        '',
        '{{/* The helm test pod\'s own labels: testLabels (what the NetworkPolicy admits it by) and values.commonLabels. */}}',
        `{{- define "${chart.chartName}.testPodLabels" -}}`,
        `{{ ${chart.include('testLabels')} }}`,
        `{{- ${chart.include('commonLabels')} }}`,
        '{{- end }}',
      ],
    };
  }
}
