/**
 * Small hand-written manifests for the rule tests of lib/checks: each test
 * starts from objects that pass every rule and breaks one thing, so a test
 * reads as the rule it proves can fail (and runs without a synth).
 */

/** A container that passes the restricted Pod Security Standard, with a port named `http` (8000). */
export function container(name = 'app', extra: { [key: string]: any } = {}): any {
  return {
    name,
    image: 'registry.example.com/app:1',
    ports: [{ name: 'http', containerPort: 8000 }],
    securityContext: {
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
      capabilities: { drop: ['ALL'] },
    },
    ...extra,
  };
}

/** Props of {@link deployment}. */
export interface WorkloadOptions {
  readonly namespace?: string;
  readonly labels?: { [key: string]: string };
  readonly kind?: string;
  /** Merged over the pod spec (one container from {@link container}). */
  readonly pod?: { [key: string]: any };
}

/** A workload (a Deployment unless `kind` says otherwise) whose selector matches its pods. */
export function deployment(name = 'app', options: WorkloadOptions = {}): any {
  const labels = options.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: options.kind ?? 'Deployment',
    metadata: { name, ...(options.namespace === undefined ? {} : { namespace: options.namespace }) },
    spec: {
      selector: { matchLabels: { ...labels } },
      template: {
        metadata: { labels: { ...labels } },
        spec: { containers: [container()], ...options.pod },
      },
    },
  };
}

/** A bare Pod with `labels`, whose spec is `spec` (one container from {@link container} by default). */
export function pod(name: string, labels: { [key: string]: string } = { app: name }, spec: { [key: string]: any } = { containers: [container()] }, namespace?: string): any {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels, ...(namespace === undefined ? {} : { namespace }) }, spec };
}

/** A Service selecting `selector` (none when null), with `ports` (port 80 to the `http` port by default). */
export function service(name: string, selector: { [key: string]: string } | null = { app: name }, ports: any[] = [{ port: 80, targetPort: 'http' }], extra: { [key: string]: any } = {}, namespace?: string): any {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
    spec: { ...(selector === null ? {} : { selector }), ports, ...extra },
  };
}

/** An object of `kind` named `name` with `body` merged in (a ConfigMap's `data`, a Secret's `stringData`...). */
export function object(kind: string, name: string, body: { [key: string]: any } = {}, namespace?: string): any {
  return { apiVersion: 'v1', kind, metadata: { name, ...(namespace === undefined ? {} : { namespace }) }, ...body };
}
