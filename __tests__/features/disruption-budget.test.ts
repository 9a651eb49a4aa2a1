import * as fs from 'fs';
import { decide, testHolds, testOnDecided, testPipeline, ValueTest } from '../../lib/helm/value-cases';
import { BUDGET_LEAVES_NO_POD, REPLICAS_IN_EFFECT } from '../../lib/shared-rules';
import { defaultFrontendChart, frontendWith, helmMessage, renderWith } from '../support/feature-chart';

/** What one combination of the values gave: the chart's refusal (or its budget) and the component's refusal. */
interface Seen {
  readonly values: { replicaCount: number; autoscaling: { enabled: boolean; minReplicas: number }; podDisruptionBudget: { enabled: boolean; minAvailable: number } };
  /** The chart's message, undefined when it rendered. */
  readonly chart: string | undefined;
  /** The budget's minAvailable the chart rendered, when it did. */
  readonly rendered: number | undefined;
  /** The component's message for the same props (setting named as the chart's value), undefined when it was built. */
  readonly props: string | undefined;
}

/** The component's message for the props the values stand for, with its setting named as the chart names it. */
function propsRefusal(values: Seen['values']): string | undefined {
  const minAvailable = values.podDisruptionBudget.enabled ? values.podDisruptionBudget.minAvailable : undefined;
  try {
    frontendWith(values.autoscaling.enabled ? { autoscaling: { minReplicas: values.autoscaling.minReplicas }, minAvailable } : { replicas: values.replicaCount, minAvailable });
    return undefined;
  } catch (e) {
    return (e as Error).message.replace("'frontend.minAvailable'", "'podDisruptionBudget.minAvailable'");
  }
}

let seen: Seen[];
beforeAll(() => {
  // minAvailable 1..4 over replicaCount 0..3, the autoscaler off and on (minReplicas 2..4: the schema's and the props' least is 2);
  // with the autoscaler on, replicaCount varies too (the chart holds it, the budget must not read it); and two budgets turned off.
  const sets: Seen['values'][] = [];
  for (const enabled of [false, true]) {
    for (const minReplicas of enabled ? [2, 3, 4] : [2]) {
      for (const replicaCount of [0, 1, 2, 3]) {
        for (const minAvailable of [1, 2, 3, 4]) {
          sets.push({ replicaCount, autoscaling: { enabled, minReplicas }, podDisruptionBudget: { enabled: true, minAvailable } });
        }
      }
    }
    sets.push({ replicaCount: 0, autoscaling: { enabled, minReplicas: 2 }, podDisruptionBudget: { enabled: false, minAvailable: 4 } });
  }
  const dir = defaultFrontendChart();
  try {
    seen = sets.map((values) => {
      const r = renderWith(dir, values);
      const chart = r.status === 0 ? undefined : helmMessage(r.stderr);
      const budget = r.status === 0 ? r.objects.find((o) => o.kind === 'PodDisruptionBudget') : undefined;
      return { values, chart, rendered: budget?.spec.minAvailable, props: propsRefusal(values) };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** The combinations where the chart's refusal and a test disagree. */
function disagreements(test: ValueTest): Seen['values'][] {
  return seen.filter((s) => testHolds(test, s.values) !== (s.chart !== undefined)).map((s) => s.values);
}

describe('a budget that leaves no pod to drain: one test (BUDGET_LEAVES_NO_POD) over the replicas in effect (REPLICAS_IN_EFFECT), for the props and the chart', () => {
  test('the chart\'s check is the test\'s pipeline; the replicas in effect are a helper of the table', () => {
    expect(testPipeline(BUDGET_LEAVES_NO_POD)).toBe('and .Values.podDisruptionBudget.enabled (ge (int .Values.podDisruptionBudget.minAvailable) 1) (not (or '
      + '(and .Values.autoscaling.enabled (lt (float64 .Values.podDisruptionBudget.minAvailable) (float64 .Values.autoscaling.minReplicas))) '
      + '(and (not .Values.autoscaling.enabled) (lt (float64 .Values.podDisruptionBudget.minAvailable) (float64 .Values.replicaCount)))))');
    expect(decide(REPLICAS_IN_EFFECT, { replicaCount: 1, autoscaling: { enabled: true, minReplicas: 3 } })).toBe('3');
    expect(decide(REPLICAS_IN_EFFECT, { replicaCount: 1, autoscaling: { enabled: false, minReplicas: 3 } })).toBe('1');
  });

  test('on every combination, the chart refuses exactly what the component refuses, with the same words, and as the test holds', () => {
    expect(seen).toHaveLength(66);
    expect(seen.map((s) => [s.values, s.chart])).toEqual(seen.map((s) => [s.values, s.props]));
    expect(disagreements(BUDGET_LEAVES_NO_POD)).toEqual([]);
    // The message names the replicas in effect, as the table decides them (the autoscaler's minimum, whatever replicaCount holds).
    for (const s of seen.filter((x) => x.chart !== undefined)) {
      expect(s.chart).toBe(`'podDisruptionBudget.minAvailable' must be below the replica count (${decide(REPLICAS_IN_EFFECT, s.values)}) so that a node can be drained, got ${s.values.podDisruptionBudget.minAvailable}`);
    }
    // A budget below the replicas in effect renders as given; none with no pods, or when turned off.
    for (const s of seen.filter((x) => x.chart === undefined)) {
      expect(s.rendered).toBe(s.values.podDisruptionBudget.enabled ? s.values.podDisruptionBudget.minAvailable : undefined);
    }
    const refused = (autoscaled: boolean) => seen.filter((s) => s.values.autoscaling.enabled === autoscaled && s.chart !== undefined).length;
    // Off: minAvailable >= max(replicaCount, 1) is 4 + 4 + 3 + 2 of 16; on: minAvailable >= minReplicas is 3 + 2 + 1 of 4, for each of 4 replicaCounts.
    expect([refused(false), refused(true)]).toEqual([13, 24]);
  });

  describe('fails when', () => {
    // The same shape as BUDGET_LEAVES_NO_POD, with one part changed: the comparison finds each.
    const budget = (atLeast: number, replicas: ValueTest): ValueTest => ({
      all: [{ truthy: 'podDisruptionBudget.enabled' }, { atLeast: 'podDisruptionBudget.minAvailable', n: atLeast }, { not: replicas }],
    });
    const below = (path: string): ValueTest => ({ below: 'podDisruptionBudget.minAvailable', than: path });

    test('the mutations are of the test itself: unchanged, the shape is BUDGET_LEAVES_NO_POD', () => {
      expect(budget(1, testOnDecided(REPLICAS_IN_EFFECT, below))).toEqual(BUDGET_LEAVES_NO_POD);
    });

    test('the test reads replicaCount while the autoscaler is on', () => {
      const wrong = disagreements(budget(1, below('replicaCount')));
      expect(wrong.length).toBeGreaterThan(0);
      expect(wrong.every((v) => v.autoscaling.enabled)).toBe(true);
    });

    test('the test reads the autoscaler\'s minimum while it is off', () => {
      const wrong = disagreements(budget(1, below('autoscaling.minReplicas')));
      expect(wrong.length).toBeGreaterThan(0);
      expect(wrong.every((v) => !v.autoscaling.enabled)).toBe(true);
    });

    test('a budget of 1 is let through with 0 or 1 pods (minAvailable at least 2 instead of 1)', () => {
      expect(disagreements(budget(2, testOnDecided(REPLICAS_IN_EFFECT, below)))).toEqual([0, 1].map((replicaCount) => (
        { replicaCount, autoscaling: { enabled: false, minReplicas: 2 }, podDisruptionBudget: { enabled: true, minAvailable: 1 } })));
    });

    test('a budget equal to the replicas is let through (above instead of at least)', () => {
      const wrong = disagreements(budget(1, testOnDecided(REPLICAS_IN_EFFECT, (path) => ({ not: { below: path, than: 'podDisruptionBudget.minAvailable' } }))));
      expect(wrong.length).toBeGreaterThan(0);
      expect(wrong.every((v) => v.podDisruptionBudget.minAvailable === Number(decide(REPLICAS_IN_EFFECT, v)))).toBe(true);
    });
  });
});
