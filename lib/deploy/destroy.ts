import { ClusterCommands } from './cluster';
import { PreflightError, readPlan, requireMinikubeRunning, requireTools, resolveContext } from './preflight';
import { findOnPath } from './run';
import { Io, StepList } from './steps';

/** Options of {@link destroy}. */
export interface DestroyOptions {
  /** The Minikube profile. */
  readonly profile: string;
  /**
   * The kubectl context, named explicitly.
   *
   * @default - the current context, which must be the Minikube profile
   */
  readonly context?: string;
  /** Delete the database's PersistentVolumeClaim (and a namespace deploy created) too. */
  readonly purge: boolean;
  /** Print the commands that would change something instead of running them. */
  readonly dryRun: boolean;
}

/** The steps of destroy, in order. */
export const DESTROY_STEPS = ['Pre-flight', 'Find what deploy created', 'Remove'] as const;

/** Kinds that hold data: kept unless purging. */
const DATA_KINDS = new Set(['PersistentVolumeClaim', 'Namespace']);

/**
 * Removes what deploy created, found as it was deployed: the Helm releases
 * (`helm uninstall`, frontend first) or the objects of the plain manifests
 * (`kubectl delete`). The database's PersistentVolumeClaim stays (and so
 * does a namespace deploy created, which holds it) unless `purge`; the lines
 * written say which.
 */
export async function destroy(options: DestroyOptions, io: Io): Promise<void> {
  const started = Date.now();
  const steps = new StepList(io, DESTROY_STEPS.length, options.dryRun);
  const { runner } = steps;
  const out = (line = '') => steps.progress.line(line);
  out(`Removing the Todo app from Minikube profile "${options.profile}"${options.purge ? ', with its data (--purge)' : ', keeping its data'}${options.dryRun ? ': DRY RUN, nothing is changed' : ''}`);

  const { plan, cluster } = await steps.run(DESTROY_STEPS[0], async (step) => {
    const found = readPlan(io.env);
    requireTools(['minikube', 'kubectl'], io.env);
    await requireMinikubeRunning(runner, options.profile);
    step.detail(`Minikube profile "${options.profile}" is running`);
    const context = await resolveContext(runner, options.profile, options.context);
    step.detail(`kubectl context "${context}", namespace "${found.namespace}"`);
    return { plan: found, cluster: new ClusterCommands({ context, namespace: found.namespace }) };
  });

  const releases = await steps.run(DESTROY_STEPS[1], async (step) => {
    const names = plan.components.map((c) => c.name);
    if (findOnPath('helm', io.env.PATH) !== undefined) {
      const listed: { name: string }[] = JSON.parse((await runner.run(cluster.listReleases())).stdout || '[]');
      const found = names.filter((name) => listed.some((r) => r.name === name));
      if (found.length > 0) {
        step.detail(`Helm releases ${found.join(', ')}`);
        return found;
      }
    } else {
      for (const name of names) {
        const live = (await runner.run(cluster.getDeployment(name))).stdout.trim();
        if (live !== '' && JSON.parse(live).metadata?.labels?.['app.kubernetes.io/managed-by'] === 'Helm') {
          throw new PreflightError(`${name} was installed with Helm, and helm is not on PATH: install it (https://helm.sh/docs/intro/install/), then run destroy again`);
        }
      }
    }
    step.detail(`the objects of the plain manifests (${plan.objects.length}, those that exist)`);
    return [];
  });

  await steps.run(DESTROY_STEPS[2], async (step) => {
    const detail = (line: string) => step.detail(line);
    if (releases.length > 0) {
      await runner.run(cluster.uninstall([...releases].reverse()), { onLine: detail });
    } else {
      const objects = plan.objects.filter((o) => !DATA_KINDS.has(o.kind)).map((o) => `${o.kind.toLowerCase()}/${o.name}`);
      await runner.run(cluster.delete(objects), { onLine: detail });
    }
    if (options.purge) {
      const data = plan.objects.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => `persistentvolumeclaim/${o.name}`);
      if (data.length > 0) {
        await runner.run(cluster.delete(data), { onLine: detail });
      }
      const namespace = plan.objects.find((o) => o.kind === 'Namespace');
      if (namespace !== undefined && releases.length === 0) {
        await runner.run(cluster.delete([`namespace/${namespace.name}`]), { onLine: detail });
      }
    }
  });

  out('');
  out(`Removed in ${((Date.now() - started) / 1000).toFixed(1)}s (context ${cluster.target.context}, namespace ${plan.namespace}${releases.length > 0 ? ', Helm releases' : ', plain manifests'}).`);
  for (const claim of plan.components.flatMap((c) => (c.dataClaim ? [c.dataClaim] : []))) {
    if (options.purge) {
      out(`${options.dryRun ? 'Would delete' : 'Deleted'} PersistentVolumeClaim ${claim} (--purge): the database is gone.`);
    } else {
      const exists = (await runner.run(cluster.exists('PersistentVolumeClaim', claim))).stdout.trim() !== '';
      out(exists
        ? `Kept PersistentVolumeClaim ${claim} in namespace ${plan.namespace}: the database; the next deploy finds it again. \`npm run destroy -- --purge\` deletes it.`
        : `No PersistentVolumeClaim ${claim} in namespace ${plan.namespace}: no database to keep.`);
    }
  }
  if (!options.purge && plan.objects.some((o) => o.kind === 'Namespace') && releases.length === 0) {
    out(`Kept namespace ${plan.namespace}, which holds the claim.`);
  }
}
