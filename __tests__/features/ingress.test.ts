import { Chart, Testing } from 'cdk8s';
import { CLASS_ANNOTATION_BESIDE_CLASS_NAME, IngressOptions } from '../../lib/cluster-objects';
import { testPipeline } from '../../lib/helm/value-cases';
import { helmMessage, renderWith } from '../support/feature-chart';
import { TodoBackend } from '../../lib/todo-backend';
import { FeatureCharts, thrown } from '../support/feature-charts';
import { comparable } from '../support/helm';
import { find, TEST_SECRETS } from '../support/util';

let charts: FeatureCharts;
beforeAll(() => {
  charts = new FeatureCharts();
});
afterAll(() => charts.cleanup());

const ingressOf = (ingress: IngressOptions) => {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'default' });
  new TodoBackend(chart, 'b', { ingress, serviceType: undefined, jwtSecret: TEST_SECRETS.jwtSecret, corsOrigins: ['https://app.example.com'] });
  return find(chart.toJson(), 'Ingress', 'todo-backend');
};
const ANNOTATIONS = { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m', 'cert-manager.io/cluster-issuer': 'letsencrypt' };

describe('ingress.annotations', () => {
  test('props: on the Ingress, none by default', () => {
    expect(ingressOf({ host: 'api.example.com' }).metadata.annotations).toBeUndefined();
    expect(ingressOf({ host: 'api.example.com', annotations: ANNOTATIONS }).metadata.annotations).toEqual(ANNOTATIONS);
  });

  test('values: the chart renders the same Ingress', () => {
    const plain = ingressOf({ host: 'api.example.com', className: 'nginx', annotations: ANNOTATIONS });
    const rendered = charts.render(charts.backend, { ingress: { enabled: true, host: 'api.example.com', className: 'nginx', annotations: ANNOTATIONS } });
    expect(comparable(rendered.find((o) => o.kind === 'Ingress'))).toEqual(comparable(plain));
  });

  test.each<[string, IngressOptions, string]>([
    ['the class annotation beside className (the API server refuses the pair)', { host: 'api.example.com', className: 'nginx', annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
      `'ingress.annotations' cannot be combined with 'ingress.className' (the API server refuses the annotation beside the class field), got "kubernetes.io/ingress.class"`],
    ['a key with a space', { host: 'api.example.com', annotations: { 'body size': '8m' } },
      `'ingress.annotations' must be an annotation key: a name of at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit, optionally after a DNS subdomain prefix and "/" (at most 253 characters in all), got "body size"`],
  ])('refused in both renderings with the same words: %s', (_what, props, chartMessage) => {
    const { host, ...rest } = props;
    expect(charts.refusal(charts.backend, { ingress: { enabled: true, host, ...rest } })).toBe(chartMessage);
    expect(thrown(() => ingressOf(props)).replace(/'backend\./g, "'")).toBe(chartMessage);
  });

  test('one test (CLASS_ANNOTATION_BESIDE_CLASS_NAME): on every combination of className and annotations, the chart refuses exactly what the props refuse', () => {
    expect(testPipeline(CLASS_ANNOTATION_BESIDE_CLASS_NAME)).toBe('and .Values.ingress.className (hasKey (.Values.ingress.annotations | default dict) "kubernetes.io/ingress.class")');
    const seen: object[] = [];
    const want: object[] = [];
    for (const className of ['', 'nginx']) {
      for (const annotations of [{}, ANNOTATIONS, { 'kubernetes.io/ingress.class': 'nginx' }, { ...ANNOTATIONS, 'kubernetes.io/ingress.class': 'traefik' }] as Array<{ [key: string]: string }>) {
        const at = { className, annotations: Object.keys(annotations) };
        const r = renderWith(charts.backend, { ingress: { enabled: true, host: 'api.example.com', className, annotations } });
        seen.push({ ...at, refused: r.status === 0 ? undefined : helmMessage(r.stderr) });
        let refused: string | undefined;
        try {
          ingressOf({ host: 'api.example.com', className: className || undefined, annotations });
        } catch (e) {
          refused = (e as Error).message.replace(/'backend\./g, "'");
        }
        want.push({ ...at, refused });
      }
    }
    expect(seen).toEqual(want);
    expect(want.filter((w: any) => w.refused !== undefined).map((w: any) => [w.className, w.annotations.length, w.refused])).toEqual([1, 3].map((n) => ['nginx', n,
      '\'ingress.annotations\' cannot be combined with \'ingress.className\' (the API server refuses the annotation beside the class field), got "kubernetes.io/ingress.class"']));
  });

  test('the class annotation alone is kept (older controllers read it)', () => {
    expect(ingressOf({ host: 'api.example.com', annotations: { 'kubernetes.io/ingress.class': 'nginx' } }).metadata.annotations).toEqual({ 'kubernetes.io/ingress.class': 'nginx' });
  });
});
