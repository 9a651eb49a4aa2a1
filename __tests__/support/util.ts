import { Chart, Testing } from 'cdk8s';
import { Manifest } from '../../lib/checks';
import { APP_SECRETS } from '../../lib/todo-app';

/**
 * Fixed secret values for deterministic output. They are built, not written
 * out, and they are test values only.
 */
export const TEST_SECRETS = {
  jwtSecret: 'test-jwt-'.padEnd(40, 'j'),
  betterAuthSecret: 'test-auth-'.padEnd(40, 'a'),
  anthropicApiKey: 'test-api-key',
};

/**
 * A value for each secret the default app reads from the environment, by
 * variable name (`SecretSettings`): {@link TEST_SECRETS}' for the design's,
 * a test value of the same form for any other a component declares.
 */
export const TEST_SECRET_ENV: { readonly [variable: string]: string } = Object.fromEntries(APP_SECRETS.flatMap((d) => (d.prop === undefined ? [] : [[d.name, ({
  JWT_SECRET: TEST_SECRETS.jwtSecret,
  BETTER_AUTH_SECRET: TEST_SECRETS.betterAuthSecret,
  ANTHROPIC_API_KEY: TEST_SECRETS.anthropicApiKey,
} as { [variable: string]: string })[d.name] ?? `test-${d.name.toLowerCase()}-`.padEnd(40, 'x')]])));

/** Synthesizes what `build` adds to a fresh chart and returns the objects. */
export function synth(build: (chart: Chart) => void, namespace?: string): Manifest[] {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { namespace });
  build(chart);
  return chart.toJson();
}

/** The one object of this kind and name; throws when there is not exactly one. */
export function find(objects: readonly Manifest[], kind: string, name: string): any {
  const found = objects.filter((o) => o.kind === kind && o.metadata?.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one ${kind} ${name}, found ${found.length} among ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  }
  return found[0];
}

/** The objects of one kind. */
export function ofKind(objects: readonly Manifest[], kind: string): any[] {
  return objects.filter((o) => o.kind === kind);
}

/** The first container of a workload. */
export function containerOf(workload: any): any {
  return workload.spec.template.spec.containers[0];
}

/** Decodes a Secret's data. */
export function secretValues(secret: any): { [key: string]: string } {
  return Object.fromEntries(Object.entries<string>(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

/**
 * Objects with Secret values and their checksums replaced by placeholders, for
 * snapshots: snapshots are committed, and secret values never are.
 */
export function redactSecrets(objects: readonly Manifest[]): Manifest[] {
  return objects.map((o) => {
    const copy = JSON.parse(JSON.stringify(o));
    if (copy.kind === 'Secret') {
      for (const field of ['data', 'stringData']) {
        for (const key of Object.keys(copy[field] ?? {})) {
          copy[field][key] = '<redacted>';
        }
      }
    }
    const annotations = copy.spec?.template?.metadata?.annotations;
    if (annotations?.['checksum/secret']) {
      annotations['checksum/secret'] = '<redacted>';
    }
    return copy;
  });
}
