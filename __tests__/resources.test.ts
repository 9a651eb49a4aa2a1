import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { formatSize, quantityValue, resolveResources } from '../lib/resources';

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
