import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { dockerBuildCommand } from '../docker-image';
import { Environment } from '../settings';
import { synthesize } from '../synth';
import { AppPlan, ComponentPlan, tagSetting } from './app-plan';
import { ClusterCommands } from './cluster';
import { contentTag } from './content-tag';
import { collectDiagnostics, DiagnosticsTarget } from './diagnostics';
import { minikubeDockerEnv, PreflightError, readPlan, requireBuildContexts, requireMinikubeRunning, requireTools, resolveContext, resolveNodeAddress } from './preflight';
import { seconds } from './progress';
import { CommandFailed, displayCommand, Effect, lastLines } from './run';
import { describeAnswer, smokeTest } from './smoke';
import { commandFailure, commandOutput, Io, StepFailed, StepList } from './steps';

/** Options of {@link deploy}. */
export interface DeployOptions {
  /** The Todo app's repository, holding the build contexts (`backend/`, `frontend/`). */
  readonly appDir: string;
  /** Where the manifests and charts are written (`dist/`). */
  readonly outdir: string;
  /** The Minikube profile. */
  readonly profile: string;
  /**
   * The kubectl context, named explicitly.
   *
   * @default - the current context, which must be the Minikube profile
   */
  readonly context?: string;
  /** Install the two Helm charts instead of applying the plain manifests. */
  readonly helm: boolean;
  /** Print the commands that would change something instead of running them. */
  readonly dryRun: boolean;
  /** The limit of the wait for the rollouts, and of the smoke test, in seconds. */
  readonly timeoutSeconds: number;
}

/** What happened to one component. */
export interface DeployedComponent {
  readonly role: string;
  readonly name: string;
  readonly url: string;
  readonly image: string;
  /** Whether its image was built now (false: it was already in Minikube's Docker daemon). */
  readonly built: boolean;
  /** Whether its pods were replaced (its pod template changed); undefined in a dry run. */
  readonly rolled?: boolean;
}

/** The outcome of a deploy. */
export interface DeployResult {
  readonly components: readonly DeployedComponent[];
  readonly context: string;
  readonly namespace: string;
  readonly elapsedMs: number;
}

/** The steps of a deploy, in order (the README lists the same). */
export const DEPLOY_STEPS = ['Pre-flight', 'Content tags', 'Synthesize', 'Build images', 'Apply', 'Wait for rollouts', 'Smoke test', 'Report'] as const;

/** Image pull policies that work for images that exist only in Minikube's Docker daemon. */
const LOCAL_PULL_POLICIES = ['IfNotPresent', 'Never'];

/**
 * Deploys the default app to Minikube, step by step: pre-flight checks,
 * content tags, synthesis, image builds into Minikube's Docker daemon,
 * apply (kubectl or Helm, backend first), the wait for the rollouts, a
 * smoke test of the NodePort URLs, and a report.
 *
 * @throws StepFailed naming the step, the command and its output (after a failed rollout, diagnostics)
 */
export async function deploy(options: DeployOptions, io: Io): Promise<DeployResult> {
  const started = Date.now();
  const steps = new StepList(io, DEPLOY_STEPS.length, options.dryRun);
  const { runner } = steps;
  const out = (line = '') => steps.progress.line(line);
  out(`Deploying ${options.appDir} to Minikube profile "${options.profile}" with ${options.helm ? 'Helm (helm upgrade --install, backend first)' : 'the plain manifests (kubectl apply)'}${options.dryRun ? ': DRY RUN, nothing is built, applied or changed' : ''}`);

  // 1. Pre-flight: settings, tools, Minikube, context, node address, build contexts, Docker daemon.
  const target = await steps.run(DEPLOY_STEPS[0], async (step) => {
    checkDeploySettings(io.env);
    const contexts = readPlan(io.env).components.map((c) => c.image.buildContext);
    requireTools(['minikube', 'docker', 'kubectl', ...(options.helm ? ['helm'] : [])], io.env);
    step.detail(`tools on PATH: minikube, docker, kubectl${options.helm ? ', helm' : ''}`);
    await requireMinikubeRunning(runner, options.profile);
    step.detail(`Minikube profile "${options.profile}" is running`);
    const context = await resolveContext(runner, options.profile, options.context);
    step.detail(`kubectl context "${context}"${context === options.profile ? '' : ' (named with --context)'}`);
    const nodeAddress = await resolveNodeAddress(runner, options.profile, io.env);
    step.detail(`node address ${nodeAddress} (minikube ip)`);
    requireBuildContexts(options.appDir, contexts);
    step.detail(`build contexts ${contexts.join(', ')} in ${options.appDir}`);
    const dockerEnv = await minikubeDockerEnv(runner, options.profile);
    step.detail(`Minikube's Docker daemon answers at ${dockerEnv.DOCKER_HOST}`);
    return { context, nodeAddress, dockerEnv };
  });

  // 2. A tag per content.
  const { plan, synthEnv } = await steps.run(DEPLOY_STEPS[1], async (step) => {
    const base: Environment = {
      ...io.env,
      TODO_NODE_ADDRESS: target.nodeAddress,
      TODO_IMAGE_PULL_POLICY: io.env.TODO_IMAGE_PULL_POLICY ?? 'IfNotPresent',
    };
    const tags: { [variable: string]: string } = {};
    for (const component of readPlan(base).components) {
      const tag = contentTag(path.join(options.appDir, component.image.buildContext), component.image.buildArgs);
      tags[tagSetting(component.role)] = tag.tag;
      const args = Object.keys(component.image.buildArgs);
      step.detail(`${component.role.padEnd(9)} ${component.image.name}:${tag.tag}  (${tag.files} files${args.length ? `, build args ${args.join(', ')}` : ''})`);
    }
    const env = { ...base, ...tags };
    return { plan: readPlan(env), synthEnv: env };
  });
  const cluster = new ClusterCommands({ context: target.context, namespace: plan.namespace });

  // 3. Synthesize with those tags and the node address.
  await steps.run(DEPLOY_STEPS[2], async (step) => {
    if (options.dryRun) {
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'todo-deploy-dry-run-'));
      try {
        synthesizeChecked({ ...synthEnv, TODO_SECRETS_FILE: scratchSecrets(io, synthEnv, scratch) }, path.join(scratch, 'out'), plan);
        step.detail(`synthesized and checked in a scratch directory; ${relative(io, options.outdir)}/ is untouched`);
      } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
      }
    } else {
      synthesizeChecked(synthEnv, options.outdir, plan);
      step.detail(`${relative(io, options.outdir)}/todo.k8s.yaml, ${relative(io, options.outdir)}/helm/{${plan.components.map((c) => c.role).join(',')}}`);
    }
  });

  // 4. Build into Minikube's Docker daemon, skipping images already there.
  const built = await steps.run(DEPLOY_STEPS[3], async (step) => {
    const result: { [role: string]: boolean } = {};
    for (const component of plan.components) {
      const image = component.image.reference;
      const inspect = await runner.run({ program: 'docker', args: ['image', 'inspect', '--format', '{{.Id}}', image], effect: Effect.READ, env: target.dockerEnv }, { check: false });
      if (inspect.code === 0) {
        step.detail(`${component.role.padEnd(9)} ${image} is in Minikube's Docker daemon: not rebuilt`);
        result[component.role] = false;
        continue;
      }
      if (!/no such (image|object)/i.test(inspect.output)) {
        throw new CommandFailed({ program: 'docker', args: ['image', 'inspect', '--format', '{{.Id}}', image], effect: Effect.READ }, inspect);
      }
      const buildStarted = Date.now();
      const [, ...args] = dockerBuildCommand(image, Object.entries(component.image.buildArgs), path.join(options.appDir, component.image.buildContext)).flat();
      const command = { program: 'docker', args, effect: Effect.CHANGE, env: target.dockerEnv };
      try {
        const run = await runner.run(command, { onLine: (line) => step.update(`${component.role}: ${line}`) });
        if (!run.skipped) {
          step.detail(`${component.role.padEnd(9)} ${image} built (${seconds(Date.now() - buildStarted)})`);
        }
      } catch (e) {
        if (e instanceof CommandFailed) {
          throw new StepFailed(steps.name(DEPLOY_STEPS[3]), `the ${component.role} image did not build (${commandFailure(e)}): nothing was applied, the cluster is as it was`, command, commandOutput(e));
        }
        throw e;
      }
      result[component.role] = true;
    }
    return result;
  });

  // 5. Apply: the plain manifests, or the two releases in order (backend first).
  const rolled = await steps.run(DEPLOY_STEPS[4], async (step) => {
    const before = await liveTemplates(steps, cluster, plan);
    if (options.helm) {
      for (const component of plan.components) {
        const result = await runner.run(cluster.upgradeInstall(component.name, path.join(options.outdir, 'helm', component.role)));
        if (!result.skipped) {
          const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(result.stdout)?.[1];
          step.detail(`release ${component.name}: ${field('STATUS') ?? 'installed'}, revision ${field('REVISION') ?? '?'}`);
        }
      }
    } else {
      await runner.run(cluster.apply(path.join(options.outdir, 'todo.k8s.yaml')), { onLine: (line) => step.detail(line) });
    }
    if (options.dryRun) {
      for (const component of plan.components) {
        const live = before.get(component.name);
        const image = live?.spec?.containers?.[0]?.image;
        step.detail(`${component.name}: ${live === undefined ? 'would be created' : image === component.image.reference ? `runs ${image} already` : `would roll from ${image} to ${component.image.reference}`}`);
      }
      return new Map<string, boolean>();
    }
    const after = await liveTemplates(steps, cluster, plan);
    const changed = new Map<string, boolean>();
    for (const component of plan.components) {
      const was = before.get(component.name);
      const is = after.get(component.name);
      changed.set(component.name, JSON.stringify(was) !== JSON.stringify(is));
      step.detail(`${component.name}: ${was === undefined ? 'created' : changed.get(component.name) ? 'pod template changed: its pods roll' : 'unchanged: its pods keep running'}`);
    }
    return changed;
  });

  // 6. Wait for both rollouts, within the timeout.
  await steps.run(DEPLOY_STEPS[5], async (step) => {
    const deadline = Date.now() + options.timeoutSeconds * 1000;
    if (options.dryRun) {
      plan.components.forEach((c) => step.detail(`would run: ${displayCommand(cluster.rolloutStatus(c.name, options.timeoutSeconds))}`));
      return;
    }
    for (const [i, component] of plan.components.entries()) {
      const remaining = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
      const waitStarted = Date.now();
      const command = cluster.rolloutStatus(component.name, remaining);
      try {
        await runner.run(command, { onLine: (line) => step.update(`${component.name}: ${line}`), timeoutMs: remaining * 1000 + 15_000 });
        step.detail(`${component.name}: ${rolled.get(component.name) ? 'rolled out' : 'up to date'} (${seconds(Date.now() - waitStarted)})`);
      } catch (e) {
        if (!(e instanceof CommandFailed)) throw e;
        step.update(`${component.name}: collecting diagnostics`);
        const targets = await diagnosticsTargets(steps, cluster, plan.components.slice(i));
        const diagnostics = await collectDiagnostics(runner, cluster, targets);
        throw new StepFailed(steps.name(DEPLOY_STEPS[5]), `${component.name} did not roll out within the ${options.timeoutSeconds}s timeout (--timeout)`, command, [...commandOutput(e, 10), ...diagnostics]);
      }
    }
  });

  // 7. Smoke test: each component's URL answers 2xx.
  await steps.run(DEPLOY_STEPS[6], async (step) => {
    const targets = plan.components.map((c) => ({ component: c, url: new URL(c.smokePath, c.url).href }));
    if (options.dryRun) {
      targets.forEach((t) => step.detail(`would GET ${t.url} until it answers 2xx (up to ${options.timeoutSeconds}s)`));
      return;
    }
    const deadline = Date.now() + options.timeoutSeconds * 1000;
    const results = await Promise.all(targets.map((t) => smokeTest(t.url, {
      deadline,
      onRetry: (answer, attempt) => step.update(`GET ${t.url}: ${describeAnswer(answer)} (attempt ${attempt}, retrying)`),
    })));
    for (const r of results) {
      step.detail(`GET ${r.url}: ${describeAnswer(r.last)} (${r.attempts} attempt${r.attempts === 1 ? '' : 's'}, ${seconds(r.elapsedMs)})`);
    }
    const failed = results.filter((r) => !r.ok);
    if (failed.length > 0) {
      throw new StepFailed(steps.name(DEPLOY_STEPS[6]), failed.map((r) => `${r.url} did not answer 2xx within ${options.timeoutSeconds}s: last answer ${describeAnswer(r.last)} after ${r.attempts} attempts`).join('\n'), undefined, [
        `The pods are ready, but the URL does not answer from this machine: check \`minikube -p ${options.profile} service list\`, and \`kubectl --context ${target.context} --namespace ${plan.namespace} logs deployment/<name>\`.`,
      ]);
    }
  });

  // 8. Report.
  const components: DeployedComponent[] = plan.components.map((c) => ({
    role: c.role,
    name: c.name,
    url: c.url,
    image: c.image.reference,
    built: built[c.role],
    rolled: options.dryRun ? undefined : rolled.get(c.name),
  }));
  const result = { components, context: target.context, namespace: plan.namespace, elapsedMs: Date.now() - started };
  steps.heading(DEPLOY_STEPS[7]);
  for (const line of report(result, options)) {
    out(line);
  }
  return result;
}

/** The closing lines: what to open, what runs, how long it took. */
export function report(result: DeployResult, options: Pick<DeployOptions, 'dryRun' | 'helm'>): string[] {
  const front = result.components.find((c) => c.role === 'frontend') ?? result.components[result.components.length - 1];
  const width = Math.max(...result.components.map((c) => c.image.length));
  const rows = result.components.map((c) => {
    const what = options.dryRun
      ? (c.built ? 'would be built' : 'already built')
      : `${c.built ? 'built' : 'already built'}, ${c.rolled ? 'rolled out' : 'unchanged (no restart)'}`;
    return `  ${c.role.padEnd(9)} ${c.url.padEnd(28)} ${c.image.padEnd(width)}  ${what}`;
  });
  const where = `context ${result.context}, namespace ${result.namespace}, ${options.helm ? 'Helm releases' : 'plain manifests'}`;
  if (options.dryRun) {
    return [`Dry run done in ${seconds(result.elapsedMs)} (${where}): nothing was built, applied or changed.`, ...rows];
  }
  return [`Deployed in ${seconds(result.elapsedMs)} (${where}). Open ${front.url}`, ...rows];
}

/**
 * Settings deploy decides itself: the image tags (from content) and a pull
 * policy that works for local images.
 *
 * @throws PreflightError
 */
function checkDeploySettings(env: Environment): void {
  const tags = Object.keys(env).filter((k) => /^TODO_[A-Z]+_IMAGE_TAG$/.test(k) && env[k] !== undefined).sort();
  if (tags.length > 0) {
    throw new PreflightError(`${tags.map((k) => `${k}=${env[k]}`).join(', ')}: deploy derives each image tag from the image's content; unset ${tags.join(' and ')} (to deploy a tag of your own, use npm run synth and kubectl apply)`);
  }
  const policy = env.TODO_IMAGE_PULL_POLICY;
  if (policy !== undefined && !LOCAL_PULL_POLICIES.includes(policy)) {
    throw new PreflightError(`TODO_IMAGE_PULL_POLICY is ${JSON.stringify(policy)}: the images exist only in Minikube's Docker daemon, so the kubelet must not pull them; unset it (deploy uses IfNotPresent) or set it to Never`);
  }
}

/**
 * Synthesizes (the same synth, checks and all-or-nothing output as
 * `npm run synth`) and checks that the written Deployments run the planned
 * images, so that what is built is what is applied.
 */
function synthesizeChecked(env: Environment, outdir: string, plan: AppPlan): void {
  synthesize({ outdir, env });
  // The real path: dist/ holds links, and Yaml.load reads only regular files.
  const objects: any[] = Yaml.load(fs.realpathSync(path.join(outdir, 'todo.k8s.yaml')));
  for (const component of plan.components) {
    const deployment = objects.find((o) => o?.kind === 'Deployment' && o.metadata?.name === component.name);
    const image = deployment?.spec?.template?.spec?.containers?.[0]?.image;
    if (image !== component.image.reference) {
      throw new Error(`the synthesized Deployment ${component.name} runs image ${image ?? '(none)'}, but deploy builds ${component.image.reference}`);
    }
  }
}

/** A copy of the secrets file in a scratch directory, so a dry-run synth saves nothing where the real one lives. */
function scratchSecrets(io: Io, env: Environment, scratch: string): string {
  const file = path.resolve(io.cwd, env.TODO_SECRETS_FILE ?? '.todo-secrets.json');
  const copy = path.join(scratch, 'secrets.json');
  if (fs.existsSync(file)) {
    fs.copyFileSync(file, copy);
  }
  return copy;
}

/** The pod template of each component's live Deployment (undefined when there is none). */
async function liveTemplates(steps: StepList, cluster: ClusterCommands, plan: AppPlan): Promise<Map<string, any>> {
  const templates = new Map<string, any>();
  for (const component of plan.components) {
    const live = await liveDeployment(steps, cluster, component.name);
    if (live !== undefined) {
      templates.set(component.name, live.spec?.template);
    }
  }
  return templates;
}

async function liveDeployment(steps: StepList, cluster: ClusterCommands, name: string): Promise<any | undefined> {
  const result = await steps.runner.run(cluster.getDeployment(name));
  return result.stdout.trim() === '' ? undefined : JSON.parse(result.stdout);
}

/** The components' pod selectors, read from their live Deployments. */
async function diagnosticsTargets(steps: StepList, cluster: ClusterCommands, components: readonly ComponentPlan[]): Promise<DiagnosticsTarget[]> {
  const targets: DiagnosticsTarget[] = [];
  for (const component of components) {
    let selector: { [key: string]: string } | undefined;
    try {
      selector = (await liveDeployment(steps, cluster, component.name))?.spec?.selector?.matchLabels;
    } catch (e) {
      steps.detail(`could not read deployment ${component.name}: ${e instanceof CommandFailed ? lastLines(e.result.output, 1).join('') : (e as Error).message}`);
    }
    targets.push({ name: component.name, selector: selector ?? { app: component.name } });
  }
  return targets;
}

function relative(io: Io, file: string): string {
  const rel = path.relative(io.cwd, file);
  return rel === '' ? '.' : rel.startsWith('..') ? file : rel;
}
