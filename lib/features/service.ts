import { ServiceType } from 'cdk8s-plus-28';
import * as k8s from '../../imports/k8s';
import { AppComponent, HAS_NODE_PORT, HTTP_PORT_NAME, SERVICE_TYPES } from '../app-component';
import { ChartParts, ChartScope, ComponentFeature } from '../component-feature';
import { Binding, Helm, renderTemplate } from '../helm/template';
import { testPipeline } from '../helm/value-cases';
import { group, leaf, ValuesNode } from '../helm/values';
import { oneOf, Rules } from '../validation';
import { lintAnnotationsBinding } from './lint-annotations';
import { APP_LABEL } from './names';

/** @internal A Service's DNS name inside the cluster: `<name>.<namespace>.svc.cluster.local`. */
export function serviceDnsName(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.cluster.local`;
}

/** @internal The URL other pods reach a Service at: `http://<dnsName>:<port>`. */
export function serviceUrl(name: string, namespace: string, port: number | string): string {
  return `http://${serviceDnsName(name, namespace)}:${port}`;
}

/** @internal The Service's spec: its port to the container port named `http`, and the nodePort when it has one. */
export function serviceSpec(type: ServiceType, selector: { [key: string]: string }, port: number, nodePort?: number): k8s.ServiceSpec {
  return {
    type,
    selector,
    ports: [
      {
        name: HTTP_PORT_NAME,
        port,
        targetPort: k8s.IntOrString.fromString(HTTP_PORT_NAME),
        protocol: 'TCP',
        ...(nodePort === undefined ? {} : { nodePort }),
      },
    ],
  };
}

/** @internal The fields of the chart's Service that it renders from its values and helpers. */
export function serviceBindings(chart: ChartScope): Binding[] {
  const type = '.Values.service.type';
  return [
    ...chart.metadata(),
    lintAnnotationsBinding(chart, 'Service'),
    { path: 'spec.type', expr: Helm.scalar(`{{ ${type} | quote }}`) },
    { path: 'spec.selector', expr: Helm.nindent(chart.include('selectorLabels')) },
    { path: 'spec.ports.0.port', expr: Helm.scalar('{{ .Values.service.port | int }}') },
    { path: 'spec.ports.0.nodePort', expr: Helm.optional(testPipeline({ all: [HAS_NODE_PORT, { truthy: 'service.nodePort' }] }), '{{ .Values.service.nodePort | int }}') },
  ];
}

/**
 * @internal
 * The Service in front of the pods (`serviceSpec`): type, port and
 * nodePort; the chart's `service` values and template (the nodePort only for
 * the types that have one), and the NOTES that say how to reach it.
 */
export class Service implements ComponentFeature {
  public readonly name = 'service';
  /** Its chart parts depend on the chart's name alone (no option). */
  public readonly chartPartsKey = '';

  /** The component's Service, with the lint annotations it carries. */
  public object(c: AppComponent, annotations: { annotations?: { [key: string]: string } }): k8s.KubeService {
    return new k8s.KubeService(c, 'Service', {
      metadata: { name: c.name, labels: c.labels, ...annotations },
      spec: serviceSpec(c.serviceType, c.selectorLabels, c.port, c.nodePort),
    });
  }

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    return {
      service: group('The Service in front of the pods.', {
        type: leaf('NodePort (reachable at <node IP>:<nodePort>), ClusterIP or LoadBalancer.', c.serviceType, oneOf(SERVICE_TYPES).schema),
        port: leaf('The Service port.', c.port, Rules.port.schema),
        nodePort: leaf('The node port (NodePort and LoadBalancer); null lets Kubernetes pick one.', c.nodePort ?? null, { anyOf: [Rules.nodePort.schema, { type: 'null' }] }),
      }),
    };
  }

  public chart(_c: AppComponent, chart: ChartScope): ChartParts {
    const type = '.Values.service.type';
    const skeleton = k8s.KubeService.manifest({ metadata: { labels: {}, name: '' }, spec: serviceSpec(ServiceType.NODE_PORT, {}, 0, 0) });
    const ns = '{{ $namespace }}';
    return {
      templates: {
        'service.yaml': renderTemplate(skeleton, serviceBindings(chart), { header: 'The Service: values.service' }),
      },
      // helm create's words, for each Service type.
      reach: [
        {
          when: `contains "${ServiceType.NODE_PORT}" ${type}`,
          lines: [
            `  export NODE_PORT=$(kubectl get --namespace ${ns} -o jsonpath="{.spec.ports[0].nodePort}" services {{ $fullname }})`,
            `  export NODE_IP=$(kubectl get nodes --namespace ${ns} -o jsonpath="{.items[0].status.addresses[0].address}")`,
            '  echo http://$NODE_IP:$NODE_PORT',
            `  On Minikube: minikube service {{ $fullname }} --namespace ${ns} --url`,
          ],
        },
        {
          when: `contains "${ServiceType.LOAD_BALANCER}" ${type}`,
          lines: [
            '     NOTE: It may take a few minutes for the LoadBalancer IP to be available.',
            `           You can watch its status by running 'kubectl get --namespace ${ns} svc -w {{ $fullname }}'`,
            `  export SERVICE_IP=$(kubectl get svc --namespace ${ns} {{ $fullname }} --template "{{"{{ range (index .status.loadBalancer.ingress 0) }}{{.}}{{ end }}"}}")`,
            '  echo http://$SERVICE_IP:{{ .Values.service.port }}',
          ],
        },
        {
          lines: [
            `  kubectl --namespace ${ns} port-forward service/{{ $fullname }} 8080:{{ .Values.service.port }}`,
            '  echo "Visit http://127.0.0.1:8080"',
          ],
        },
      ],
      notes: [{
        lines: [
          `#. Inside the cluster it is ${serviceUrl('{{ $fullname }}', ns, '{{ .Values.service.port }}')}`,
          `   Pods: kubectl get pods --namespace ${ns} -l ${APP_LABEL}={{ $fullname }}`,
        ],
      }],
    };
  }
}
