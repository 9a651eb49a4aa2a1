import * as fs from 'fs';
import Ajv from 'ajv';
import * as fc from 'fast-check';
import { runAllChecks } from '../../lib/checks';
import { checkLint } from '../../lib/checks/lint';
import { AFFINITY, AFFINITY_SET, SPREADING_PART_FROM, TOLERATIONS } from '../../lib/features/scheduling';
import { decide, testHolds } from '../../lib/helm/value-cases';
import { comparable } from '../support/helm';
import { asValues, defaultFrontendChart, frontendWith, helmMessage, lintWith, renderWith, thrown, valuesFor } from '../support/feature-chart';
import { validateObjects } from '../support/k8s-schema';

let dir: string;
beforeAll(() => {
  dir = defaultFrontendChart();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const deploymentOf = (objects: any[]) => objects.find((o) => o.kind === 'Deployment');
const podSpec = (objects: any[]) => deploymentOf(objects).spec.template.spec;

const NODE_SELECTOR = { 'kubernetes.io/os': 'linux', 'example.com/disk': 'ssd' };
const TOLERATIONS_GIVEN = [
  { key: 'dedicated', operator: 'Equal', value: 'todo', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
];
const NODE_AFFINITY = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['a', 'b'] }] }],
    },
  },
};
const OWN_ANTI_AFFINITY = {
  podAntiAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: [{
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'todo-frontend', 'app.kubernetes.io/instance': 'todo-frontend' } },
    }],
  },
};

/** The plain manifests and the chart (default frontend's, with the component's values) give the same Deployment, strictly valid, passing the checks. */
function bothRenderings(props: Parameters<typeof frontendWith>[0]): { plain: any[]; chart: any[] } {
  const component = frontendWith(props);
  const plain = component.node.findAll().map((c: any) => c).filter((c: any) => typeof c.toJson === 'function' && c.kind !== undefined).map((o: any) => o.toJson());
  const r = renderWith(dir, valuesFor(component));
  expect([r.status, r.stderr]).toEqual([0, '']);
  expect(comparable(deploymentOf(r.objects))).toEqual(comparable(deploymentOf(plain)));
  for (const objects of [plain, r.objects]) {
    expect(validateObjects(objects)).toEqual([]);
    expect(runAllChecks(objects, { externalSecrets: [] })).toEqual([]);
    expect(checkLint(objects)).toEqual([]);
  }
  const lint = lintWith(dir, valuesFor(component));
  expect([lint.status, lint.output]).toEqual([0, expect.stringContaining('0 chart(s) failed')]);
  return { plain, chart: r.objects };
}

describe('scheduling: nodeSelector, tolerations, affinity, priorityClassName', () => {
  test('none by default: the pod spec has none of the four fields, and the chart\'s defaults are empty', () => {
    const spec = podSpec(bothRenderings({}).plain);
    for (const field of ['nodeSelector', 'tolerations', 'priorityClassName', 'affinity']) {
      expect([field, spec[field]]).toEqual([field, undefined]);
    }
    const values = fs.readFileSync(`${dir}/values.yaml`, 'utf8');
    expect(values).toMatch(/^nodeSelector: \{\}$/m);
    expect(values).toMatch(/^tolerations: \[\]$/m);
    expect(values).toMatch(/^affinity: \{\}$/m);
    expect(values).toMatch(/^priorityClassName: ""$/m);
    expect(values).toMatch(/^# Taints the pods tolerate/m);
  });

  test('props → pod spec fields, and the same values → the same fields in the chart', () => {
    const { plain, chart } = bothRenderings({ nodeSelector: NODE_SELECTOR, tolerations: TOLERATIONS_GIVEN, affinity: NODE_AFFINITY, priorityClassName: 'todo-high', spreadAcrossNodes: false });
    for (const spec of [podSpec(plain), podSpec(chart)]) {
      expect(spec.nodeSelector).toEqual(NODE_SELECTOR);
      expect(spec.tolerations).toEqual(TOLERATIONS_GIVEN);
      expect(spec.affinity).toEqual(NODE_AFFINITY);
      expect(spec.priorityClassName).toBe('todo-high');
      expect(spec.topologySpreadConstraints).toBeUndefined();
    }
  });

  test('values set directly (as a user would) render where helm create renders them', () => {
    const r = renderWith(dir, { nodeSelector: NODE_SELECTOR, tolerations: TOLERATIONS_GIVEN, affinity: NODE_AFFINITY, priorityClassName: 'todo-high' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    const spec = podSpec(r.objects);
    expect(spec.nodeSelector).toEqual(NODE_SELECTOR);
    expect(spec.tolerations).toEqual(TOLERATIONS_GIVEN);
    expect(spec.affinity).toEqual(NODE_AFFINITY);
    expect(spec.priorityClassName).toBe('todo-high');
    expect(validateObjects(r.objects)).toEqual([]);
  });

  describe('affinity and spreading', () => {
    test('automatic spreading (2 pods, spreadAcrossNodes unset) with a node affinity: the constraints stay, the app\'s anti-affinity is kept beside it', () => {
      const { plain, chart } = bothRenderings({ replicas: 2, affinity: NODE_AFFINITY });
      for (const spec of [podSpec(plain), podSpec(chart)]) {
        expect(spec.affinity.nodeAffinity).toEqual(NODE_AFFINITY.nodeAffinity);
        expect(spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
        expect(spec.topologySpreadConstraints).toHaveLength(1);
      }
    });

    test('automatic spreading with a podAntiAffinity of the user\'s: it replaces the app\'s, the constraints stay', () => {
      const { plain, chart } = bothRenderings({ replicas: 3, affinity: OWN_ANTI_AFFINITY });
      for (const spec of [podSpec(plain), podSpec(chart)]) {
        expect(spec.affinity).toEqual(OWN_ANTI_AFFINITY);
        expect(spec.topologySpreadConstraints[0].topologyKey).toBe('kubernetes.io/hostname');
      }
    });

    test('the chart spreads when spreadAcrossNodes is null and 2 or more pods run, as the constructs do', () => {
      expect(fs.readFileSync(`${dir}/values.yaml`, 'utf8')).toMatch(/^spreadAcrossNodes: null$/m);
      const two = renderWith(dir, { replicaCount: 2 });
      expect(podSpec(two.objects).topologySpreadConstraints).toHaveLength(1);
      expect(podSpec(two.objects).affinity.podAntiAffinity).toBeDefined();
      const scaled = renderWith(dir, { autoscaling: { enabled: true } });
      expect(podSpec(scaled.objects).topologySpreadConstraints).toHaveLength(1);
      const off = renderWith(dir, { replicaCount: 2, spreadAcrossNodes: false });
      expect(podSpec(off.objects).topologySpreadConstraints).toBeUndefined();
      expect(podSpec(off.objects).affinity).toBeUndefined();
      const one = renderWith(dir, {});
      expect(podSpec(one.objects).topologySpreadConstraints).toBeUndefined();
    });

    test('an affinity beside spreadAcrossNodes: true is refused in both renderings, with the same words', () => {
      const props = thrown(() => frontendWith({ spreadAcrossNodes: true, affinity: NODE_AFFINITY }));
      const r = renderWith(dir, { spreadAcrossNodes: true, affinity: NODE_AFFINITY });
      expect(r.status).not.toBe(0);
      expect(props).toBe("'frontend.affinity' cannot be combined with 'frontend.spreadAcrossNodes' (spreading sets the pods' anti-affinity; leave spreadAcrossNodes unset to keep its topology spread constraints beside this affinity, or set it to false), got spreadAcrossNodes true");
      expect(helmMessage(r.stderr)).toBe(asValues(props));
      // An empty affinity is none, in both; so is one whose parts are undefined.
      expect(() => frontendWith({ spreadAcrossNodes: true, affinity: { nodeAffinity: undefined } })).not.toThrow();
      expect(() => frontendWith({ spreadAcrossNodes: true, affinity: {} })).not.toThrow();
      expect(renderWith(dir, { spreadAcrossNodes: true, affinity: {} }).status).toBe(0);
    });

    test('on every combination of spreadAcrossNodes and affinity, the chart refuses exactly what the props refuse (one test, AFFINITY_BESIDE_SPREAD)', () => {
      const seen: object[] = [];
      const want: object[] = [];
      for (const spreadAcrossNodes of [true, false, null]) {
        for (const [what, affinity] of [['none', {}], ['a node affinity', NODE_AFFINITY], ['an anti-affinity', OWN_ANTI_AFFINITY]] as const) {
          // Two pods, so that automatic spreading (null) spreads.
          const refused = renderWith(dir, { replicaCount: 2, spreadAcrossNodes, affinity }).status !== 0;
          seen.push({ spreadAcrossNodes, what, refused });
          let thrownByProps = false;
          try {
            frontendWith({ replicas: 2, spreadAcrossNodes: spreadAcrossNodes ?? undefined, affinity });
          } catch {
            thrownByProps = true;
          }
          want.push({ spreadAcrossNodes, what, refused: thrownByProps });
        }
      }
      expect(seen).toEqual(want);
      expect(want.filter((w: any) => w.refused)).toEqual([
        { spreadAcrossNodes: true, what: 'a node affinity', refused: true },
        { spreadAcrossNodes: true, what: 'an anti-affinity', refused: true },
      ]);
    });
  });

  describe('the affinity merge: one test (AFFINITY_SET) and one table (SPREADING_PART_FROM) for Scheduling.pod and the chart', () => {
    const AFFINITIES = { 'none': {}, 'a node affinity': NODE_AFFINITY, 'an anti-affinity': OWN_ANTI_AFFINITY, 'both': { ...NODE_AFFINITY, ...OWN_ANTI_AFFINITY } };
    /** spreadAcrossNodes and the replicas: spreading off, automatic with 1 and 2 pods, asked. */
    const SPREADS = [[false, 2], [null, 1], [null, 2], [true, 1]] as const;
    /** Where the pods' anti-affinity came from, as the table names it (the user's is required, the app's preferred). */
    const source = (spec: any) => (spec.affinity?.podAntiAffinity === undefined ? ''
      : spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution !== undefined ? 'given' : 'spreading');

    test('on every combination of affinity and spreading, the chart renders the affinity the props render, and both follow the table', () => {
      const seen: object[] = [];
      const decided: object[] = [];
      const mutated: object[] = [];
      const swapped = [...SPREADING_PART_FROM].reverse();
      for (const [what, affinity] of Object.entries(AFFINITIES)) {
        for (const [spreadAcrossNodes, replicas] of SPREADS) {
          if (spreadAcrossNodes === true && what !== 'none') continue; // refused (AFFINITY_BESIDE_SPREAD)
          const component = frontendWith({ replicas, spreadAcrossNodes: spreadAcrossNodes ?? undefined, affinity });
          const plain = podSpec(component.node.findAll().filter((c: any) => c.kind === 'Deployment').map((o: any) => o.toJson()));
          const r = renderWith(dir, valuesFor(component));
          expect([r.status, r.stderr]).toEqual([0, '']);
          const chart = podSpec(r.objects);
          const at = { what, spreadAcrossNodes, replicas };
          expect([at, chart.affinity]).toEqual([at, plain.affinity]);
          const values = { affinity };
          const helpers = { spreadAcrossNodes: component.spreadAcrossNodes ? 'true' : '' };
          seen.push({ ...at, set: chart.affinity !== undefined, part: source(chart) });
          decided.push({ ...at, set: testHolds(AFFINITY_SET, values, helpers), part: decide(SPREADING_PART_FROM, values, helpers) });
          mutated.push({ ...at, set: testHolds(AFFINITY_SET, values, helpers), part: decide(swapped, values, helpers) });
        }
      }
      expect(seen).toEqual(decided);
      expect(seen).toHaveLength(13);
      // Each outcome is reached: no affinity, the given part kept, the app's added.
      expect(new Set(decided.map((d: any) => `${d.set} ${d.part}`))).toEqual(new Set(['false ', 'true ', 'true given', 'true spreading']));
      // Fails when the definition changes: with the cases swapped, the spreading pods' own anti-affinity is lost.
      expect(seen.filter((s, i) => JSON.stringify(s) !== JSON.stringify(mutated[i])).map((s: any) => [s.what, s.spreadAcrossNodes, s.replicas])).toEqual([
        ['an anti-affinity', null, 2], ['both', null, 2],
      ]);
    });
  });

  describe('bad values are refused: the props by their rule, the chart by the same rule in values.schema.json', () => {
    test.each([
      ['nodeSelector', { nodeSelector: { 'bad key!': 'x' } }],
      ['nodeSelector', { nodeSelector: { disk: 'not a label value' } }],
      ['tolerations', { tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }] }],
      ['tolerations', { tolerations: [{ operator: 'Equal', value: 'v' }] }],
      ['tolerations', { tolerations: [{ key: 'k', effect: 'NoSchedule', tolerationSeconds: 5 }] }],
      ['tolerations', { tolerations: [{ key: 'k', effect: 'Sometimes' }] }],
      ['tolerations', { tolerations: [{ key: 'k', colour: 'red' }] }],
      ['affinity', { affinity: { nodeAfinity: {} } }],
      ['affinity', { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} } } }],
      ['priorityClassName', { priorityClassName: 'High_Priority' }],
    ])('%s %j', (prop, given) => {
      expect(thrown(() => frontendWith(given as any))).toMatch(new RegExp(`^'frontend\\.${prop}' must be `));
      const r = renderWith(dir, given);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('values don\'t meet the specifications of the schema');
      expect(r.stderr).toContain(prop);
    });
  });

  test('the tolerations and affinity rules: the props\' test and the values\' schema agree on drawn values', () => {
    const ajv = new Ajv({ strict: false });
    const [tolerations, affinity] = [ajv.compile(TOLERATIONS.schema), ajv.compile(AFFINITY.schema)];
    // Mostly values the API accepts, each field sometimes wrong, sometimes missing.
    const wrongAtTimes = <T>(good: T[], bad: T[]) => fc.oneof({ arbitrary: fc.constantFrom(...good), weight: 5 }, { arbitrary: fc.constantFrom(...bad), weight: 1 });
    const toleration = fc.record({
      key: wrongAtTimes(['k', 'example.com/k', ''], ['Bad Key', '-k']),
      operator: wrongAtTimes(['Exists', 'Equal'], ['In']),
      value: wrongAtTimes(['', 'v'], ['a b', 'x'.repeat(64)]),
      effect: wrongAtTimes(['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'], ['Never']),
      tolerationSeconds: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.constant(1.5)),
      other: fc.constant(1),
    }, { requiredKeys: [] }).map((t) => (t.other !== undefined && t.key === '' ? t : { ...t, other: undefined })).map((t) => JSON.parse(JSON.stringify(t)));
    const affinityArb = fc.dictionary(fc.constantFrom('nodeAffinity', 'podAffinity', 'podAntiAffinity', 'nodeAfinity'),
      fc.dictionary(fc.constantFrom('requiredDuringSchedulingIgnoredDuringExecution', 'preferredDuringSchedulingIgnoredDuringExecution', 'required'),
        fc.constantFrom([], {}, [{ weight: 1 }], 'x'), { maxKeys: 2 }), { maxKeys: 3 });
    let valid = 0;
    fc.assert(fc.property(fc.array(toleration, { maxLength: 2 }), affinityArb, (t, a) => {
      expect([JSON.stringify(t), TOLERATIONS.test(t)]).toEqual([JSON.stringify(t), tolerations(t)]);
      expect([JSON.stringify(a), AFFINITY.test(a)]).toEqual([JSON.stringify(a), affinity(a)]);
      if (TOLERATIONS.test(t) && t.length > 0) valid++;
    }), { seed: 20261127, numRuns: 2000 });
    expect(valid).toBeGreaterThan(40);
  });
});
