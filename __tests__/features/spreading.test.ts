import * as fs from 'fs';
import { Spreading, SPREAD_FROM } from '../../lib/features/spreading';
import { defaultFrontendChart, frontendWith, renderWith } from '../support/feature-chart';

let dir: string;
beforeAll(() => {
  dir = defaultFrontendChart();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('spreading: one table (SPREAD_CASES) for Spreading.resolve and the chart\'s helper', () => {
  test('the chart spreads exactly when Spreading.resolve does, on every combination of spreadAcrossNodes, autoscaling.enabled and replicaCount', () => {
    const seen: object[] = [];
    const want: object[] = [];
    for (const spreadAcrossNodes of [true, false, null]) {
      for (const autoscaled of [false, true]) {
        for (const replicaCount of [0, 1, SPREAD_FROM, SPREAD_FROM + 1]) {
          const r = renderWith(dir, { spreadAcrossNodes, autoscaling: { enabled: autoscaled }, replicaCount });
          if (r.status !== 0) {
            throw new Error(r.stderr);
          }
          const spec = r.objects.find((o) => o.kind === 'Deployment').spec.template.spec;
          const c = { spreadAcrossNodes, autoscaled, replicaCount };
          seen.push({ ...c, spreads: spec.topologySpreadConstraints !== undefined });
          want.push({ ...c, spreads: Spreading.resolve(spreadAcrossNodes ?? undefined, replicaCount, autoscaled) });
        }
      }
    }
    expect(seen).toEqual(want);
    // The rule itself: true spreads in all 8 combinations, false in none; null with an autoscaler in 4, without one from 2 replicas in 2.
    expect(want.filter((w: any) => w.spreads).length).toBe(8 + 0 + 4 + 2);
  });

  test('the constructs decide with the same function: automatic from 2 replicas, or an autoscaler; as asked otherwise', () => {
    expect([1, 2].map((replicas) => frontendWith({ replicas }).spreadAcrossNodes)).toEqual([false, true]);
    expect(frontendWith({ replicas: 3, spreadAcrossNodes: false }).spreadAcrossNodes).toBe(false);
    expect(frontendWith({ replicas: 1, spreadAcrossNodes: true }).spreadAcrossNodes).toBe(true);
    expect(Spreading.resolve(undefined, 1, true)).toBe(true);
  });
});
