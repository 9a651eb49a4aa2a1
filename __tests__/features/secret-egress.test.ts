import { Chart, Testing } from 'cdk8s';
import { testHolds, testPipeline, ValueTest } from '../../lib/helm/value-cases';
import { TodoBackend } from '../../lib/todo-backend';
import { renderWith } from '../support/feature-chart';
import { FeatureCharts } from '../support/feature-charts';
import { TEST_SECRETS } from '../support/util';

/**
 * The egress that a secret turns on (the Anthropic API over HTTPS): one test
 * (SecretEgress.keyed) for the construct's rules and the chart's.
 */

const HTTPS = { ports: [{ port: 443, protocol: 'TCP' }] };

/** The backend's SecretEgress (the chart's features hold it). */
function anthropicEgress(): { keyed: ValueTest } {
  const backend = new TodoBackend(new Chart(Testing.app(), 'c'), 'backend', { jwtSecret: TEST_SECRETS.jwtSecret });
  return backend.features.find((f) => f.name === 'secret egress') as unknown as { keyed: ValueTest };
}

describe('HTTPS to the Anthropic API: one test (SecretEgress.keyed) for the construct\'s egress and the chart\'s', () => {
  interface Seen {
    readonly at: { key: string; existingSecret: string };
    /** Whether the chart's NetworkPolicy has the HTTPS rule; its message when it refuses the values. */
    readonly chart: boolean | string;
    /** The same, of the construct built with these props. */
    readonly props: boolean | string;
  }
  let charts: FeatureCharts;
  let seen: Seen[];
  beforeAll(() => {
    // The chart of the default app: SQLite, no key, so the values' egress rules lack HTTPS.
    charts = new FeatureCharts();
    seen = [];
    for (const key of ['', TEST_SECRETS.anthropicApiKey]) {
      for (const existingSecret of ['', 'todo-keys']) {
        const r = renderWith(charts.backend, { secrets: { ANTHROPIC_API_KEY: key }, existingSecret });
        const chart = r.status !== 0 ? 'refused' : r.objects.find((o) => o.kind === 'NetworkPolicy').spec.egress.some((e: object) => JSON.stringify(e) === JSON.stringify(HTTPS));
        let props: boolean | string;
        try {
          const c = new Chart(Testing.app(), 'c');
          new TodoBackend(c, 'backend', { jwtSecret: existingSecret ? undefined : TEST_SECRETS.jwtSecret, anthropicApiKey: key || undefined, existingSecret: existingSecret || undefined });
          props = c.toJson().find((o) => o.kind === 'NetworkPolicy').spec.egress.some((e: object) => JSON.stringify(e) === JSON.stringify(HTTPS));
        } catch {
          props = 'refused';
        }
        seen.push({ at: { key, existingSecret }, chart, props });
      }
    }
  });
  afterAll(() => charts.cleanup());
  /** The combinations the chart renders where it and the test disagree on the rule. */
  const disagreements = (test: ValueTest) => seen.filter((s) => typeof s.chart === 'boolean'
    && testHolds(test, { secrets: { ANTHROPIC_API_KEY: s.at.key }, existingSecret: s.at.existingSecret }) !== s.chart).map((s) => s.at);

  test('on every combination of the key and existingSecret, the chart has the rule exactly when the construct does, as the test holds', () => {
    const { keyed } = anthropicEgress();
    expect(testPipeline(keyed)).toBe('or .Values.secrets.ANTHROPIC_API_KEY .Values.existingSecret');
    expect(seen.map((s) => [s.at, s.chart])).toEqual(seen.map((s) => [s.at, s.props]));
    expect(disagreements(keyed)).toEqual([]);
    expect(seen.map((s) => s.chart)).toEqual([false, true, true, 'refused']); // the key beside existingSecret: refused (valueBesideExistingSecret)
  });

  describe('fails when', () => {
    test('the test leaves out existingSecret (a Secret of the user\'s may hold the key)', () => {
      expect(disagreements({ truthy: 'secrets.ANTHROPIC_API_KEY' })).toEqual([{ key: '', existingSecret: 'todo-keys' }]);
    });

    test('the test needs both', () => {
      expect(disagreements({ all: [{ truthy: 'secrets.ANTHROPIC_API_KEY' }, { truthy: 'existingSecret' }] })).toHaveLength(2);
    });
  });
});
