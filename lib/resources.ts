import { Size, SizeRoundingBehavior } from 'cdk8s';
import { ContainerResources, Cpu } from 'cdk8s-plus-28';
import { testHolds, ValueTest } from './helm/value-cases';
import { exceedsLimit, QUANTITY, QUANTITY_SUFFIXES as SUFFIX } from './shared-rules';
import { check, Rules } from './validation';

/** CPU and memory as the Kubernetes quantities a container spec and Helm values hold. */
export interface CpuMemoryQuantities {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** CPU, memory and ephemeral storage as the Kubernetes quantities a container spec and Helm values hold. */
export interface ResourceQuantities {
  readonly requests: { readonly 'cpu': string; readonly 'memory': string; readonly 'ephemeral-storage': string };
  readonly limits: { readonly 'cpu': string; readonly 'memory': string; readonly 'ephemeral-storage': string };
}

/** @internal The chart helper that gives the number a quantity stands for, as {@link quantityValue} reads it. */
export const QUANTITY_HELPER = 'quantity';

/**
 * @internal
 * A request above its limit, on the values (`resources.requests.<kind>`
 * above `resources.limits.<kind>`, both given, as numbers): refused by
 * `resolveResources` and by the chart's check, which renders this test.
 */
export function requestAboveLimit(kind: string): ValueTest {
  return { above: `resources.requests.${kind}`, than: `resources.limits.${kind}`, as: QUANTITY_HELPER };
}

/**
 * Formats a size as the largest binary unit that holds it exactly: `512Mi`, `1Gi`.
 */
export function formatSize(size: Size): string {
  const kib = size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  const units: Array<[string, number]> = [['Ti', 1024 ** 3], ['Gi', 1024 ** 2], ['Mi', 1024], ['Ki', 1]];
  for (const [unit, factor] of units) {
    if (kib >= factor && Number.isInteger(kib / factor)) {
      return `${kib / factor}${unit}`;
    }
  }
  return `${Math.round(kib * 1024)}`;
}

/**
 * Turns cdk8s-plus `ContainerResources` (CPU, memory, ephemeral storage) into request and limit quantities,
 * filling what is not given from `defaults` and checking that each request
 * fits within its limit.
 *
 * @param setting the prop name, for error messages
 */
export function resolveResources(setting: string, given: ContainerResources | undefined, defaults: ResourceQuantities): ResourceQuantities {
  const cpu = (c: Cpu | undefined, fallback: string, name: string) =>
    check(`${setting}.cpu.${name}`, c === undefined ? fallback : c.amount, Rules.cpu);
  const mem = (s: Size | undefined, fallback: string, name: string) =>
    check(`${setting}.memory.${name}`, s === undefined ? fallback : formatSize(s), Rules.memory);
  const storage = (s: Size | undefined, fallback: string, name: string) =>
    check(`${setting}.ephemeralStorage.${name}`, s === undefined ? fallback : formatSize(s), Rules.storage);
  const result: ResourceQuantities = {
    requests: {
      'cpu': cpu(given?.cpu?.request, defaults.requests.cpu, 'request'),
      'memory': mem(given?.memory?.request, defaults.requests.memory, 'request'),
      'ephemeral-storage': storage(given?.ephemeralStorage?.request, defaults.requests['ephemeral-storage'], 'request'),
    },
    limits: {
      'cpu': cpu(given?.cpu?.limit, defaults.limits.cpu, 'limit'),
      'memory': mem(given?.memory?.limit, defaults.limits.memory, 'limit'),
      'ephemeral-storage': storage(given?.ephemeralStorage?.limit, defaults.limits['ephemeral-storage'], 'limit'),
    },
  };
  for (const [kind, prop] of [['cpu', 'cpu'], ['memory', 'memory'], ['ephemeral-storage', 'ephemeralStorage']] as const) {
    const request = result.requests[kind];
    const limit = result.limits[kind];
    if (testHolds(requestAboveLimit(kind), { resources: result }, { [QUANTITY_HELPER]: (v) => quantityValue(String(v)) })) {
      throw new Error(exceedsLimit(`${setting}.${prop}.request`, `${setting}.${prop}.limit`, limit, request));
    }
  }
  return result;
}

/** The numeric value of a Kubernetes quantity (`250m`, `512Mi`, `1`). */
export function quantityValue(quantity: string): number {
  const match = QUANTITY.exec(quantity);
  if (!match) {
    return NaN;
  }
  return parseFloat(match[1]) * (match[2] ? SUFFIX[match[2]] ?? NaN : 1);
}
