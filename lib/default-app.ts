import { App, Chart, JsonPatch } from 'cdk8s';
import * as k8s from '../imports/k8s';
import { ComponentVariables } from './component-variables';
import { SecretSettings, Settings } from './settings';
import { TodoApp } from './todo-app';
import { BACKEND_VARIABLES } from './todo-backend';
import { FRONTEND_VARIABLES } from './todo-frontend';

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
    backend: { ...settings.app.backend, ...secretProps(BACKEND_VARIABLES, secrets) },
    frontend: { ...settings.app.frontend, ...secretProps(FRONTEND_VARIABLES, secrets) },
  });
}

/** The props a component's secrets are given by: each declared prop, from the secret of the variable's name. */
function secretProps<P>(variables: ComponentVariables<P>, secrets: SecretSettings): Partial<P> {
  return Object.fromEntries(variables.secrets.flatMap((d) => (d.prop === undefined ? [] : [[d.prop, secrets[d.name]]]))) as Partial<P>;
}
