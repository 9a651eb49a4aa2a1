import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import * as fs from 'fs';
import { testHolds, testPipeline, ValueTest } from '../lib/helm/value-cases';
import { formatSize, QUANTITY_HELPER, quantityValue, requestAboveLimit, resolveResources } from '../lib/resources';
import { defaultFrontendChart, helmMessage, renderWith } from './support/feature-chart';

const defaults = { requests: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '512Mi' }, limits: { 'cpu': '500m', 'memory': '512Mi', 'ephemeral-storage': '512Mi' } };

describe('resources', () => {
  test('formatSize picks the largest exact binary unit', () => {
    expect(formatSize(Size.mebibytes(512))).toBe('512Mi');
    expect(formatSize(Size.mebibytes(1024))).toBe('1Gi');
    expect(formatSize(Size.mebibytes(1536))).toBe('1536Mi');
    expect(formatSize(Size.kibibytes(3))).toBe('3Ki');
  });

  test('quantityValue', () => {
    expect(quantityValue('250m')).toBeCloseTo(0.25);
    expect(quantityValue('1Gi')).toBe(1024 ** 3);
    expect(quantityValue('2')).toBe(2);
  });

  test('parts not given keep their default', () => {
    expect(resolveResources('r', { memory: { request: Size.mebibytes(256) } }, defaults)).toEqual({ requests: { ...defaults.requests, memory: '256Mi' }, limits: defaults.limits });
    expect(resolveResources('r', { ephemeralStorage: { request: Size.gibibytes(1), limit: Size.gibibytes(1) } }, defaults)).toEqual({
      requests: { ...defaults.requests, 'ephemeral-storage': '1Gi' },
      limits: { ...defaults.limits, 'ephemeral-storage': '1Gi' },
    });
    expect(resolveResources('r', { cpu: { request: Cpu.units(0.25), limit: Cpu.units(2) } }, defaults).limits.cpu).toBe('2');
  });

  test('fails when a request exceeds its limit', () => {
    expect(() => resolveResources('backend.resources', { ephemeralStorage: { request: Size.gibibytes(1) } }, defaults)).toThrow("'backend.resources.ephemeralStorage.request' must not exceed 'backend.resources.ephemeralStorage.limit' (512Mi), got 1Gi");
    expect(() => resolveResources('backend.resources', { memory: { request: Size.gibibytes(1) } }, defaults)).toThrow("'backend.resources.memory.request' must not exceed 'backend.resources.memory.limit' (512Mi), got 1Gi");
  });
});

describe('a request above its limit: one test per kind (requestAboveLimit) for resolveResources and the chart\'s check', () => {
  const PROPS = { 'cpu': 'cpu', 'memory': 'memory', 'ephemeral-storage': 'ephemeralStorage' } as const;
  const QUANTITIES = { 'cpu': ['250m', '1', '1500m', '2'], 'memory': ['512Mi', '1G', '1Gi'], 'ephemeral-storage': ['1Gi', '1073741824', '2Gi'] } as const;
  const helpers = { [QUANTITY_HELPER]: (v: unknown) => quantityValue(String(v)) };

  test('on every combination of a request and its limit, the chart refuses exactly what resolveResources refuses, with the same words', () => {
    expect(testPipeline(requestAboveLimit('ephemeral-storage'), '.Values', (h) => `include "c.${h}" .`)).toBe('and (kindIs "map" .Values.resources.requests) (kindIs "map" .Values.resources.limits) '
      + '(ne (toString (index .Values "resources" "requests" "ephemeral-storage")) "<nil>") (ne (toString (index .Values "resources" "limits" "ephemeral-storage")) "<nil>") '
      + '(gt (float64 (include "c.quantity" (index .Values "resources" "requests" "ephemeral-storage"))) (float64 (include "c.quantity" (index .Values "resources" "limits" "ephemeral-storage"))))');
    const dir = defaultFrontendChart();
    try {
      const seen: object[] = [];
      const want: object[] = [];
      const mutated: object[] = [];
      for (const kind of Object.keys(QUANTITIES) as (keyof typeof QUANTITIES)[]) {
        for (const request of QUANTITIES[kind]) {
          for (const limit of QUANTITIES[kind]) {
            const resources = { requests: { ...defaults.requests, [kind]: request }, limits: { ...defaults.limits, [kind]: limit } };
            const at = { kind, request, limit };
            const r = renderWith(dir, { resources });
            seen.push({ ...at, refused: r.status === 0 ? undefined : helmMessage(r.stderr) });
            let refused: string | undefined;
            try {
              resolveResources('resources', undefined, resources);
            } catch (e) {
              // The props' names (resources.cpu.request) as the values name them (resources.requests.cpu).
              refused = (e as Error).message.replace(`'resources.${PROPS[kind]}.request'`, `'resources.requests.${kind}'`).replace(`'resources.${PROPS[kind]}.limit'`, `'resources.limits.${kind}'`);
            }
            want.push({ ...at, refused });
            // A changed definition (the limit above the request) refuses other combinations.
            const swapped: ValueTest = { above: `resources.limits.${kind}`, than: `resources.requests.${kind}`, as: QUANTITY_HELPER };
            mutated.push({ ...at, refused: testHolds(swapped, { resources }, helpers) });
          }
        }
      }
      expect(seen).toEqual(want);
      expect(want.filter((w: any) => w.refused !== undefined).map((w: any) => w.refused)).toEqual([
        '\'resources.requests.cpu\' must not exceed \'resources.limits.cpu\' (250m), got 1',
        '\'resources.requests.cpu\' must not exceed \'resources.limits.cpu\' (250m), got 1500m',
        '\'resources.requests.cpu\' must not exceed \'resources.limits.cpu\' (1), got 1500m',
        '\'resources.requests.cpu\' must not exceed \'resources.limits.cpu\' (250m), got 2',
        '\'resources.requests.cpu\' must not exceed \'resources.limits.cpu\' (1), got 2',
        '\'resources.requests.cpu\' must not exceed \'resources.limits.cpu\' (1500m), got 2',
        '\'resources.requests.memory\' must not exceed \'resources.limits.memory\' (512Mi), got 1G',
        '\'resources.requests.memory\' must not exceed \'resources.limits.memory\' (512Mi), got 1Gi',
        '\'resources.requests.memory\' must not exceed \'resources.limits.memory\' (1G), got 1Gi',
        '\'resources.requests.ephemeral-storage\' must not exceed \'resources.limits.ephemeral-storage\' (1Gi), got 2Gi',
        '\'resources.requests.ephemeral-storage\' must not exceed \'resources.limits.ephemeral-storage\' (1073741824), got 2Gi',
      ]);
      // Fails when the definition changes: the swapped test disagrees with the chart wherever request and limit differ.
      const disagree = seen.filter((s: any, i) => (s.refused !== undefined) !== (mutated[i] as any).refused);
      expect(disagree).toHaveLength(seen.filter((s: any) => quantityValue(s.request) !== quantityValue(s.limit)).length);
      expect(disagree.length).toBeGreaterThan(10);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a request or limit not given (null in the values) is not compared, in both: testHolds as the chart\'s pipeline', () => {
    const dir = defaultFrontendChart();
    try {
      for (const [requests, limits] of [[{ cpu: null }, { cpu: '1m' }], [{ cpu: '2' }, { cpu: null }]]) {
        const resources = { requests: { ...defaults.requests, ...requests }, limits: { ...defaults.limits, ...limits } };
        expect(renderWith(dir, { resources }).status).toBe(0);
        expect(testHolds(requestAboveLimit('cpu'), { resources }, helpers)).toBe(false);
      }
      expect(testHolds(requestAboveLimit('cpu'), { resources: { requests: 'x', limits: { cpu: '1' } } }, helpers)).toBe(false);
      expect(() => testHolds(requestAboveLimit('cpu'), { resources: defaults }, {})).toThrow('a decision reads values through the helper quantity, which was not given as a function');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
