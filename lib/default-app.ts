import { App, Chart, JsonPatch } from 'cdk8s';
import * as k8s from '../imports/k8s';
import { SecretSettings, Settings } from './settings';
import { TodoApp } from './todo-app';

/** Labels that make a namespace enforce the "restricted" Pod Security Standard. */
export const RESTRICTED_POD_SECURITY_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'v1.28',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
};

/**
 * Builds the default app from settings: one chart `todo` (written as
 * `todo.k8s.yaml`) in the settings' namespace, holding the namespace itself
 * (unless it is `default`) and a {@link TodoApp}.
 */
export function buildDefaultApp(app: App, settings: Settings, secrets: SecretSettings): TodoApp {
  const chart = new Chart(app, 'todo', { namespace: settings.namespace, disableResourceNameHashes: true });
  if (settings.namespace !== 'default') {
    const namespace = new k8s.KubeNamespace(chart, 'Namespace', {
      metadata: { name: settings.namespace, labels: { ...RESTRICTED_POD_SECURITY_LABELS } },
    });
    // Namespaces are cluster-scoped: drop the namespace the chart gives every object.
    namespace.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
  return new TodoApp(chart, 'todo', {
    ...settings.app,
    backend: { ...settings.app.backend, jwtSecret: secrets.jwtSecret, anthropicApiKey: secrets.anthropicApiKey },
    frontend: { ...settings.app.frontend, betterAuthSecret: secrets.betterAuthSecret },
  });
}
