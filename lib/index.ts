// The public API of todo-cdk8s, by name: the constructs, their props, the
// value types and enums they take, the Helm chart of a component, the synth
// entry and the checks. Everything else in lib/ is internal; the tests import
// it from its own module. __tests__/index.test.ts pins this list.

// Constructs and their props
export { AppComponent } from './app-component';
export type { AppComponentOptions, ExtraEnvVar } from './app-component';
export type { KeysSecret } from './keys-secret';
export { TodoBackend, BACKEND_IMAGE } from './todo-backend';
export type { TodoBackendProps } from './todo-backend';
export { TodoFrontend, FRONTEND_IMAGE } from './todo-frontend';
export type { TodoFrontendProps } from './todo-frontend';
export { TodoApp, Profile } from './todo-app';
export type { TodoAppProps, TodoAppBackendOptions, TodoAppFrontendOptions, ClusterOptions } from './todo-app';
export { TodoHelmChart } from './helm/todo-helm-chart';
export type { TodoHelmChartProps } from './helm/todo-helm-chart';

// Values the props take
export { DockerImage } from './docker-image';
export type { DockerImageProps } from './docker-image';
export { HealthProbe, ProbeType } from './health-probe';
export type { HealthProbeOptions } from './health-probe';
export { BackendDatabase, DatabaseEngine } from './backend-database';
export type { SqliteOptions, PostgresSecretOptions } from './backend-database';
export type { IngressOptions, AutoscalingOptions } from './cluster-objects';
export type { ServiceAccountOptions } from './features/service-account';
// Kubernetes types the props take as they are (the pod spec's `tolerations` and `affinity`)
export type { Affinity, Toleration } from '../imports/k8s';

// The default app, and the checks every synth runs
export { synthesize } from './synth';
export type { SynthesizeOptions, SynthesizeResult } from './synth';
export type { Environment } from './settings';
export { runAllChecks, assertChecksPass } from './checks';
export { excuseLintFinding } from './lint-exceptions';
export type { CheckOptions, Finding } from './checks/semantic';
