import { ClusterCommands } from './cluster';
import { CommandFailed, lastLines, Runner } from './run';

/** A workload whose pods are looked at: its name and the labels that select its pods. */
export interface DiagnosticsTarget {
  readonly name: string;
  readonly selector: { readonly [key: string]: string };
}

/** How much to show. */
export interface DiagnosticsOptions {
  /**
   * The namespace's most recent events shown.
   *
   * @default 15
   */
  readonly events?: number;
  /**
   * Log lines shown per failing container.
   *
   * @default 50
   */
  readonly logLines?: number;
}

/** Waiting reasons of a container that never started, so it has no logs. */
const NEVER_STARTED = new Set(['ContainerCreating', 'PodInitializing', 'ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError']);

/** A container that is not ready, and whether and how to read its logs. */
interface FailingContainer {
  readonly pod: string;
  readonly container: string;
  /** Read the previous run (it restarted). */
  readonly previous: boolean;
  /** It never started: no logs. */
  readonly neverStarted: boolean;
}

/**
 * What went wrong with a rollout, for a person: each unready pod's phase and
 * its containers' states (waiting reason and message, last exit, restarts),
 * the namespace's last events, and the last log lines of each failing
 * container (of its previous run when it restarted). Lines are ready to print.
 * A command that fails here is reported in place; diagnostics never throw.
 */
export async function collectDiagnostics(runner: Runner, cluster: ClusterCommands, targets: readonly DiagnosticsTarget[], options: DiagnosticsOptions = {}): Promise<string[]> {
  const lines: string[] = [`Diagnostics (context ${cluster.target.context}, namespace ${cluster.target.namespace}):`];
  const failing: FailingContainer[] = [];
  for (const target of targets) {
    const pods = await readJson(runner, cluster.getPods(target.selector), lines);
    const items: any[] = pods?.items ?? [];
    const unready = items.filter((pod) => !isReady(pod));
    if (pods !== undefined && unready.length === 0) {
      lines.push(`  ${target.name}: ${items.length === 0 ? 'no pods' : `${items.length} pod(s), all ready`}`);
    }
    for (const pod of unready) {
      const { text, containers } = describePod(pod);
      lines.push(...text.map((line) => `  ${line}`));
      failing.push(...containers);
    }
  }

  const events = await readJson(runner, cluster.getEvents(), lines);
  const recent = ((events?.items ?? []) as any[]).sort((a, b) => eventTime(a).localeCompare(eventTime(b))).slice(-(options.events ?? 15));
  lines.push(recent.length === 0 ? '  No events in the namespace.' : `  Last ${recent.length} events:`);
  lines.push(...recent.map((e) => `    ${describeEvent(e)}`));

  const logLines = options.logLines ?? 50;
  for (const c of failing) {
    if (c.neverStarted) {
      lines.push(`  No logs of ${c.pod}/${c.container}: the container never started.`);
      continue;
    }
    try {
      const result = await runner.run(cluster.logs(c.pod, c.container, logLines, c.previous));
      const logs = lastLines(result.output, logLines);
      lines.push(`  Last ${logs.length} log lines of ${c.pod}/${c.container}${c.previous ? ' (previous run)' : ''}:`);
      lines.push(...logs.map((line) => `    | ${line}`));
    } catch (e) {
      lines.push(`  No logs of ${c.pod}/${c.container}: ${e instanceof CommandFailed ? lastLines(e.result.output, 1).join('') || e.message : (e as Error).message}`);
    }
  }
  return lines;
}

async function readJson(runner: Runner, command: Parameters<Runner['run']>[0], lines: string[]): Promise<any | undefined> {
  try {
    const result = await runner.run(command);
    return result.stdout.trim() === '' ? {} : JSON.parse(result.stdout);
  } catch (e) {
    lines.push(`  (${e instanceof CommandFailed ? `${e.message}: ${lastLines(e.result.output, 1).join('')}` : (e as Error).message})`);
    return undefined;
  }
}

function isReady(pod: any): boolean {
  return (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

/** A pod's phase and its containers' states, and the containers that fail. */
export function describePod(pod: any): { text: string[]; containers: FailingContainer[] } {
  const name: string = pod.metadata?.name ?? '?';
  const text = [`pod ${name}: phase ${pod.status?.phase ?? 'Unknown'}, not ready${podReason(pod)}`];
  const containers: FailingContainer[] = [];
  const statuses: any[] = [...(pod.status?.initContainerStatuses ?? []).map((s: any) => ({ ...s, init: true })), ...(pod.status?.containerStatuses ?? [])];
  if (statuses.length === 0) {
    text.push('  no container has been created yet');
  }
  for (const status of statuses) {
    const state = describeState(status.state);
    const last = status.lastState?.terminated ? `; last run ended: ${describeState({ terminated: status.lastState.terminated })}` : '';
    text.push(`  ${status.init ? 'init container' : 'container'} ${status.name}: ${state}, ready ${status.ready === true}, restarts ${status.restartCount ?? 0}${last}`);
    const done = status.init && status.state?.terminated?.exitCode === 0;
    if (!status.ready && !done) {
      const waiting: string | undefined = status.state?.waiting?.reason;
      const restarted = (status.restartCount ?? 0) > 0 && status.lastState?.terminated !== undefined;
      containers.push({
        pod: name,
        container: status.name,
        previous: restarted && status.state?.running === undefined,
        neverStarted: !restarted && waiting !== undefined && NEVER_STARTED.has(waiting),
      });
    }
  }
  return { text, containers };
}

function podReason(pod: any): string {
  const unscheduled = (pod.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled' && c.status !== 'True');
  if (unscheduled) {
    return ` (not scheduled: ${unscheduled.reason ?? ''}${unscheduled.message ? ` ${unscheduled.message}` : ''})`;
  }
  return pod.status?.reason ? ` (${pod.status.reason}${pod.status.message ? `: ${pod.status.message}` : ''})` : '';
}

function describeState(state: any): string {
  if (state?.waiting) {
    return `waiting (${state.waiting.reason ?? 'no reason'}${state.waiting.message ? `: ${state.waiting.message}` : ''})`;
  }
  if (state?.terminated) {
    const t = state.terminated;
    return `terminated (${t.reason ?? 'no reason'}, exit code ${t.exitCode}${t.message ? `: ${t.message}` : ''})`;
  }
  if (state?.running) {
    return `running since ${state.running.startedAt ?? '?'}`;
  }
  return 'unknown state';
}

function eventTime(e: any): string {
  return e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '';
}

function describeEvent(e: any): string {
  const time = eventTime(e).replace(/^.*T/, '').replace(/(\.\d+)?Z$/, '');
  const object = `${(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? '?'}`;
  const count = (e.count ?? 1) > 1 ? ` (x${e.count})` : '';
  return `${time} ${e.type ?? ''} ${e.reason ?? ''} ${object}: ${(e.message ?? '').trim()}${count}`;
}
