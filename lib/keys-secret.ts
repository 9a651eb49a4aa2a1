import { SECRET_BYTES } from './shared-rules';

/**
 * The Secret a component reads its signing keys from when none is given:
 * kept by the cluster, created once, never written by a synth.
 *
 * A component given no `jwtSecret` / `betterAuthSecret` and no
 * `existingSecret` puts no key into its manifests: its pods read the key
 * from the Secret `<name>-keys`, which `createCommand` creates once with a
 * random key. So every synth of the same props gives the same output
 * (snapshot tests are stable), and a deploy never rotates the keys (users
 * stay signed in). Until the Secret exists the pods do not start
 * (`CreateContainerConfigError`, naming the Secret).
 *
 * @example
 * const todo = new TodoApp(chart, 'todo');
 * todo.frontend.keysSecret?.keys; // ['BETTER_AUTH_SECRET']
 * todo.backend.keysSecret?.createCommand; // "kubectl create secret generic todo-backend-keys --namespace default --from-literal=JWT_SECRET=\"$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=')\""
 */
export interface KeysSecret {
  /** The Secret's name: the component's name and `-keys` (`todo-backend-keys`). */
  readonly name: string;
  /** The namespace it must be in: the component's. */
  readonly namespace: string;
  /** The keys the pods read from it (`JWT_SECRET`, `BETTER_AUTH_SECRET`). */
  readonly keys: readonly string[];
  /**
   * The one-time shell command (POSIX shell, `kubectl` and `openssl`) that
   * creates the Secret with a random key of 256 bits each, base64url without
   * padding (the form the charts generate). It fails when the Secret exists,
   * so it never replaces keys in use.
   */
  readonly createCommand: string;
}

/** @internal The shell expression that prints a random key in the constructs' form (base64url, no padding). */
export const RANDOM_KEY_SHELL = `"$(openssl rand -base64 ${SECRET_BYTES} | tr '+/' '-_' | tr -d '=')"`;

/** @internal The {@link KeysSecret} of a component, or undefined when it generates no key. */
export function keysSecretOf(componentName: string, namespace: string, keys: readonly string[]): KeysSecret | undefined {
  if (keys.length === 0) {
    return undefined;
  }
  const name = `${componentName}-keys`;
  const literals = keys.map((key) => `--from-literal=${key}=${RANDOM_KEY_SHELL}`);
  return {
    name,
    namespace,
    keys: [...keys],
    createCommand: ['kubectl create secret generic', name, '--namespace', namespace, ...literals].join(' '),
  };
}
