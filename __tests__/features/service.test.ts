import * as fs from 'fs';
import { ServiceType } from 'cdk8s-plus-28';
import { HAS_NODE_PORT, NODE_PORT_TYPES, SERVICE_TYPES } from '../../lib/app-component';
import { testHolds, testPipeline, ValueTest } from '../../lib/helm/value-cases';
import { componentsWith, defaultFrontendChart, renderWith } from '../support/feature-chart';
import { find } from '../support/util';

/**
 * The Service's nodePort: one test (HAS_NODE_PORT, over NODE_PORT_TYPES)
 * for the construct's exposure and the chart's Service template.
 */

describe('the Service\'s nodePort: one test (HAS_NODE_PORT) for the construct and the chart\'s Service', () => {
  interface Seen {
    readonly at: { type: ServiceType; nodePort: number };
    /** The nodePort of the chart's Service (undefined: none). */
    readonly chart: number | undefined;
    /** The nodePort of the construct's Service for these props (the nodePort given only to the types that have one, as the props refuse it otherwise). */
    readonly props: number | undefined;
  }
  /** The frontend with these options, reached through an Ingress (so that ClusterIP is reachable); its backend takes its origin. */
  const frontendWith = (options: object) => componentsWith({ corsOrigins: ['http://todo.example.com'] }, { ingress: { host: 'todo.example.com' }, ...options }).frontend;
  let dir: string;
  let seen: Seen[];
  beforeAll(() => {
    dir = defaultFrontendChart();
    seen = [];
    for (const type of SERVICE_TYPES) {
      for (const nodePort of [30300, 31999]) {
        const at = { type, nodePort };
        const r = renderWith(dir, { service: { type, nodePort } });
        if (r.status !== 0) {
          throw new Error(r.stderr);
        }
        const frontend = frontendWith({ serviceType: type, ...(NODE_PORT_TYPES.includes(type) ? { nodePort } : {}) });
        const own = frontend.node.findChild('Service') as unknown as { toJson(): any };
        seen.push({ at, chart: find(r.objects, 'Service', 'todo-frontend').spec.ports[0].nodePort, props: own.toJson().spec.ports[0].nodePort });
      }
    }
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  /** The combinations where the chart's Service and the test disagree on a nodePort. */
  const disagreements = (test: ValueTest) => seen.filter((s) => testHolds(test, { service: { type: s.at.type } }) !== (s.chart !== undefined)).map((s) => s.at);

  test('on every Service type, the chart gives the nodePort exactly when the construct does, as the test holds', () => {
    expect(testPipeline(HAS_NODE_PORT)).toBe('or (eq .Values.service.type "NodePort") (eq .Values.service.type "LoadBalancer")');
    expect(seen.map((s) => [s.at, s.chart])).toEqual(seen.map((s) => [s.at, s.props]));
    expect(disagreements(HAS_NODE_PORT)).toEqual([]);
    expect(seen.filter((s) => s.chart === undefined).map((s) => s.at)).toEqual([30300, 31999].map((nodePort) => ({ type: ServiceType.CLUSTER_IP, nodePort })));
    expect(seen.filter((s) => s.chart !== undefined).every((s) => s.chart === s.at.nodePort)).toBe(true);
    // The construct refuses a nodePort the test does not give one to.
    expect(() => frontendWith({ serviceType: ServiceType.CLUSTER_IP, nodePort: 30300 }))
      .toThrow('\'frontend.nodePort\' needs \'serviceType\' NodePort or LoadBalancer, got 30300 with ClusterIP');
  });

  describe('fails when', () => {
    test('the test leaves out LoadBalancer', () => {
      expect(disagreements({ equals: 'service.type', to: ServiceType.NODE_PORT })).toEqual([30300, 31999].map((nodePort) => ({ type: ServiceType.LOAD_BALANCER, nodePort })));
    });

    test('the test gives ClusterIP a nodePort', () => {
      expect(disagreements({ not: { equals: 'service.type', to: ServiceType.LOAD_BALANCER } })).toHaveLength(4);
    });
  });
});
