import { Chart, Testing } from 'cdk8s';
import { Manifest } from '../../lib/checks';
import type { AppComponent } from '../../lib/app-component';
import type { ComponentVariables } from '../../lib/component-variables';
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

/** The signing keys (the secrets the components declare as generated), by variable name, with their test values: what a secrets file gives the default app. */
export const TEST_SIGNING_KEYS: { readonly [variable: string]: string } = Object.fromEntries(APP_SECRETS.filter((d) => d.generate).map((d) => [d.name, TEST_SECRET_ENV[d.name]]));

/** The props that give a component each of its signing keys, with their test values: a component built with them needs no Secret kept by the cluster. */
export function signingKeyProps<P>(variables: ComponentVariables<P>): Partial<P> {
  return Object.fromEntries(variables.secrets.flatMap((d) => (d.generate && d.prop !== undefined ? [[d.prop, TEST_SIGNING_KEYS[d.name]]] : []))) as Partial<P>;
}

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
/** What stands for a component's own environment in a snapshot of a whole app ({@link withoutComponentEnv}). */
export const COMPONENT_ENV = '<the component\'s own environment: pinned by its own suite>';

/**
 * A whole app's objects with each component's own environment left out:
 * its ConfigMap's data, its container's `env` (the Secret references), its
 * Secret's data and the `checksum/*` annotations over them. Those are the
 * component's, pinned by its own suite's snapshot (todo-backend.test.ts,
 * todo-frontend.test.ts) and by targeted asserts of the app's suites
 * (`expectComponentEnv`, the variables the app wires by value), so that a
 * variable added to one component changes that component's snapshots only.
 */
export function withoutComponentEnv(objects: readonly Manifest[]): Manifest[] {
  return objects.map((o) => {
    const copy = JSON.parse(JSON.stringify(o));
    if ((copy.kind === 'ConfigMap' || copy.kind === 'Secret') && copy.data !== undefined) {
      copy.data = COMPONENT_ENV;
    }
    const template = copy.kind === 'Deployment' ? copy.spec.template : undefined;
    for (const container of template?.spec?.containers ?? []) {
      if (container.env !== undefined) {
        container.env = COMPONENT_ENV;
      }
    }
    for (const key of Object.keys(template?.metadata?.annotations ?? {}).filter((k) => k.startsWith('checksum/'))) {
      template.metadata.annotations[key] = COMPONENT_ENV;
    }
    return copy;
  });
}

/**
 * The part of a whole app's objects that {@link withoutComponentEnv} leaves
 * out, asserted against the components: each ConfigMap holds its
 * component's environment, each container reads its component's secret
 * variables in order, from the Secret and key each names (the component's
 * Secret, the keys kept by the cluster, or a Secret of the user's), and the
 * checksums are of the ConfigMap's and Secret's data (sha256 hex).
 */
export function expectComponentEnv(objects: readonly Manifest[], components: readonly AppComponent[]): void {
  for (const c of components) {
    expect([c.name, find(objects, 'ConfigMap', c.configMapName).data]).toEqual([c.name, c.env]);
    const deployment = find(objects, 'Deployment', c.name);
    const refs = containerOf(deployment).env.map((e: any) => [e.name, e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key, e.valueFrom.secretKeyRef.optional === true]);
    const secretOf = (name: string) => (c.keysSecret?.keys.includes(name) ? c.keysSecret.name : c.secretName);
    expect([c.name, refs]).toEqual([c.name, c.secretVariables.map((v) => [v.name, v.secretRef?.name ?? secretOf(v.name), v.secretRef?.key ?? v.name, v.optional])]);
    const annotations = deployment.spec.template.metadata.annotations;
    expect([c.name, annotations['checksum/config']]).toEqual([c.name, expect.stringMatching(/^[0-9a-f]{64}$/)]);
  }
}

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
