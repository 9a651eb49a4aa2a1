import * as k8s from '../../imports/k8s';
import { AppComponent, HTTP_PORT_NAME } from '../app-component';
import { CLASS_ANNOTATION_BESIDE_CLASS_NAME, ClusterRules, INGRESS_AT_ROOT, ingressSpec, ingressUrl, ResolvedIngress } from '../cluster-objects';
import { ChartParts, ChartScope, ComponentFeature } from '../component-feature';
import { Helm, renderTemplate } from '../helm/template';
import { testPipeline } from '../helm/value-cases';
import { group, leaf, ValuesNode } from '../helm/values';
import { conflict, INGRESS_CLASS_ANNOTATION, REFUSED_BESIDE_CLASS_NAME } from '../shared-rules';
import { orEmpty, Rules, show } from '../validation';

/** The route of a chart's Ingress before its values are bound: the host is a value without a default. */
const CHART_DEFAULT: ResolvedIngress = { host: '', path: '/', annotations: {} };

/** The URL of a chart's Ingress (template text): {@link ingressUrl} of each case, chosen by the values. */
function urlTemplate(): string {
  const [host, path, tls] = ['.Values.ingress.host', '.Values.ingress.path', '.Values.ingress.tls.secretName'];
  const url = (secure: boolean, root: boolean) => ingressUrl({ host: `{{ ${host} }}`, path: root ? '/' : `{{ ${path} }}`, ...(secure ? { tlsSecret: '-' } : {}) });
  const byPath = (secure: boolean) => `{{ if ${testPipeline(INGRESS_AT_ROOT)} }}${url(secure, true)}{{ else }}${url(secure, false)}{{ end }}`;
  return `{{ if ${tls} }}${byPath(true)}{{ else }}${byPath(false)}{{ end }}`;
}

/**
 * @internal
 * An Ingress that routes a host and path to the Service (`ingressSpec`):
 * the object, the chart's `ingress` values and its template, with the TLS
 * entry rendered from the same spec.
 */
export class Ingress implements ComponentFeature {
  public readonly name = 'ingress';
  /** Its chart parts depend on the chart's name alone (no option). */
  public readonly chartPartsKey = '';

  /** The component's Ingress, when it has a route. */
  public object(c: AppComponent): k8s.KubeIngress | undefined {
    return c.ingressRoute === undefined ? undefined : new k8s.KubeIngress(c, 'Ingress', {
      metadata: { name: c.name, labels: c.labels, ...(Object.keys(c.ingressRoute.annotations).length > 0 ? { annotations: { ...c.ingressRoute.annotations } } : {}) },
      spec: ingressSpec(c.ingressRoute, c.name, HTTP_PORT_NAME),
    });
  }

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    const route = c.ingressRoute;
    return {
      ingress: group('An Ingress that routes host and path to the Service (the cluster profile). Browsers then use its URL.', {
        enabled: leaf('Create the Ingress.', route !== undefined, { type: 'boolean' }),
        className: leaf('IngressClass; empty uses the cluster default.', route?.className ?? '', orEmpty(Rules.dnsSubdomain).schema),
        // The type only: the chart checks the keys, to refuse with the props' words.
        annotations: leaf(`Annotations of the Ingress (the controller's settings); not ${INGRESS_CLASS_ANNOTATION} beside className.`, route?.annotations ?? {}, { type: 'object', additionalProperties: { type: 'string' } }),
        host: leaf('The host users reach the app at.', route?.host ?? CHART_DEFAULT.host, orEmpty(ClusterRules.host).schema),
        path: leaf('The path prefix routed to this component (passed on as it is).', route?.path ?? CHART_DEFAULT.path, ClusterRules.pathPrefix.schema),
        tls: group('TLS for the host.', {
          secretName: leaf('A kubernetes.io/tls Secret; empty: no TLS.', route?.tlsSecret ?? '', orEmpty(Rules.dnsSubdomain).schema),
        }),
      }, { if: { properties: { enabled: { const: true } } }, then: { properties: { host: ClusterRules.host.schema } } }),
    };
  }

  public chart(_c: AppComponent, chart: ChartScope): ChartParts {
    const host = '{{ .Values.ingress.host | quote }}';
    const spec = ingressSpec(CHART_DEFAULT, '', HTTP_PORT_NAME);
    const tls = ingressSpec({ ...CHART_DEFAULT, tlsSecret: '-' }, '', HTTP_PORT_NAME).tls;
    const rule = 'spec.rules.0';
    return {
      templates: {
        'ingress.yaml': renderTemplate(k8s.KubeIngress.manifest({ metadata: { labels: {}, name: '' }, spec }), [
          ...chart.metadata(),
          {
            path: 'metadata.annotations',
            expr: { kind: 'optionalBlock', condition: '.Values.ingress.annotations', template: (n) => [`${' '.repeat(n)}{{- toYaml .Values.ingress.annotations | nindent ${n} }}`] },
          },
          { path: 'spec.ingressClassName', expr: Helm.optional('.Values.ingress.className', '{{ .Values.ingress.className | quote }}') },
          {
            path: 'spec.tls',
            expr: Helm.optionalValue('.Values.ingress.tls.secretName', tls, [
              { path: '0.hosts.0', expr: Helm.scalar(host) },
              { path: '0.secretName', expr: Helm.scalar('{{ .Values.ingress.tls.secretName | quote }}') },
            ]),
          },
          { path: `${rule}.host`, expr: Helm.scalar(host) },
          { path: `${rule}.http.paths.0.path`, expr: Helm.scalar('{{ .Values.ingress.path | quote }}') },
          { path: `${rule}.http.paths.0.backend.service.name`, expr: Helm.scalar(`{{ ${chart.include('fullname')} }}`) },
        ], { condition: '.Values.ingress.enabled', header: 'Host and path to the Service: values.ingress' }),
      },
      checks: [
        { kind: 'each', value: 'ingress.annotations', checks: (key) => [{ kind: 'rule', value: 'ingress.annotations', rule: Rules.annotationKey, expr: key }] },
        {
          kind: 'message',
          when: testPipeline(CLASS_ANNOTATION_BESIDE_CLASS_NAME),
          message: conflict('ingress.annotations', 'ingress.className', REFUSED_BESIDE_CLASS_NAME, show(INGRESS_CLASS_ANNOTATION)),
        },
      ],
      // ingressUrl, for each of its cases: with TLS or not, at the root or under a path.
      reach: [{ when: '.Values.ingress.enabled', lines: [`  ${urlTemplate()}`] }],
    };
  }
}
