import { Command, Effect } from './run';

/** Where the app goes: a kubectl context and a namespace. */
export interface ClusterTarget {
  /** The kubectl context (also helm's `--kube-context`). */
  readonly context: string;
  /** The namespace. */
  readonly namespace: string;
}

/**
 * The kubectl and helm commands deploy and destroy run, each bound to an
 * explicit context and namespace (never the current context by default).
 */
export class ClusterCommands {
  constructor(public readonly target: ClusterTarget) {}

  /** `kubectl --context C --namespace N <args>`. */
  public kubectl(args: readonly string[], effect: Effect): Command {
    return { program: 'kubectl', args: ['--context', this.target.context, '--namespace', this.target.namespace, ...args], effect };
  }

  /** `helm <args> --namespace N --kube-context C`. */
  public helm(args: readonly string[], effect: Effect): Command {
    return { program: 'helm', args: [...args, '--namespace', this.target.namespace, '--kube-context', this.target.context], effect };
  }

  /** The live Deployment as JSON; empty output when there is none. */
  public getDeployment(name: string): Command {
    return this.kubectl(['get', 'deployment', name, '--ignore-not-found', '--output', 'json'], Effect.READ);
  }

  /** `kubectl apply` of a manifest file. */
  public apply(file: string): Command {
    return this.kubectl(['apply', '--filename', file], Effect.CHANGE);
  }

  /** `helm upgrade --install` of one release from a chart directory. */
  public upgradeInstall(release: string, chartDir: string): Command {
    const create = this.target.namespace === 'default' ? [] : ['--create-namespace'];
    return this.helm(['upgrade', '--install', release, chartDir, ...create], Effect.CHANGE);
  }

  /** Waits for a Deployment's rollout, up to `seconds`. Read-only, but meaningful only after an apply. */
  public rolloutStatus(name: string, seconds: number): Command {
    return this.kubectl(['rollout', 'status', `deployment/${name}`, '--watch', `--timeout=${seconds}s`], Effect.READ);
  }

  /** The pods matching a label selector, as JSON. */
  public getPods(selector: { readonly [key: string]: string }): Command {
    const labels = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
    return this.kubectl(['get', 'pods', '--selector', labels, '--output', 'json'], Effect.READ);
  }

  /** The namespace's events, as JSON. */
  public getEvents(): Command {
    return this.kubectl(['get', 'events', '--output', 'json'], Effect.READ);
  }

  /** The last lines a container wrote (of its previous run with `previous`). */
  public logs(pod: string, container: string, lines: number, previous: boolean): Command {
    return this.kubectl(['logs', pod, '--container', container, `--tail=${lines}`, ...(previous ? ['--previous'] : [])], Effect.READ);
  }

  /** Whether an object exists: its `kind/name` on standard output, else nothing. */
  public exists(kind: string, name: string): Command {
    return this.kubectl(['get', `${kind.toLowerCase()}/${name}`, '--ignore-not-found', '--output', 'name'], Effect.READ);
  }

  /** Deletes objects (`kind/name`), ignoring those already gone, and waits until they are. */
  public delete(objects: readonly string[]): Command {
    return this.kubectl(['delete', ...objects, '--ignore-not-found', '--wait=true'], Effect.CHANGE);
  }

  /** The Helm releases of the namespace, as JSON. */
  public listReleases(): Command {
    return this.helm(['list', '--output', 'json'], Effect.READ);
  }

  /** Uninstalls releases (objects with `helm.sh/resource-policy: keep` stay). */
  public uninstall(releases: readonly string[]): Command {
    return this.helm(['uninstall', ...releases], Effect.CHANGE);
  }
}
