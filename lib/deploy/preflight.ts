import * as fs from 'fs';
import * as path from 'path';
import { Environment } from '../settings';
import { AppPlan, planApp } from './app-plan';
import { CommandFailed, Effect, findOnPath, lastLines, Runner } from './run';

/** A check before anything is changed failed; the message says what to run. */
export class PreflightError extends Error {}

/** Where to install each tool deploy uses. */
const INSTALL: { readonly [tool: string]: string } = {
  minikube: 'https://minikube.sigs.k8s.io/docs/start/',
  docker: 'https://docs.docker.com/engine/install/',
  kubectl: 'https://kubernetes.io/docs/tasks/tools/',
  helm: 'https://helm.sh/docs/intro/install/',
};

/**
 * Checks that the tools are on PATH; names every missing one with where to get it.
 *
 * @throws PreflightError
 */
export function requireTools(tools: readonly string[], env: Environment): void {
  const missing = tools.filter((tool) => findOnPath(tool, env.PATH) === undefined);
  if (missing.length > 0) {
    throw new PreflightError(missing.map((tool) => `${tool} is not on PATH: install it (${INSTALL[tool] ?? 'see its documentation'}), then run deploy again`).join('\n'));
  }
}

/** The state of a Minikube profile, from `minikube status --output json`. */
interface MinikubeStatus {
  readonly Host?: string;
  readonly Kubelet?: string;
  readonly APIServer?: string;
}

/**
 * Checks that the Minikube profile is running (host, kubelet and API server).
 *
 * @throws PreflightError saying to run `minikube start -p <profile>`
 */
export async function requireMinikubeRunning(runner: Runner, profile: string): Promise<void> {
  const result = await runner.run({ program: 'minikube', args: ['-p', profile, 'status', '--output', 'json'], effect: Effect.READ }, { check: false });
  const start = `run \`minikube start -p ${profile}\``;
  if (/not found/i.test(result.output) && /profile/i.test(result.output)) {
    throw new PreflightError(`Minikube profile "${profile}" does not exist: ${start} (or pass --profile NAME; \`minikube profile list\` lists them)`);
  }
  let statuses: MinikubeStatus[];
  try {
    const parsed = JSON.parse(result.stdout);
    statuses = Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    throw new PreflightError(`\`minikube -p ${profile} status\` ${result.code === 0 ? 'answered' : `exited with code ${result.code} and`} no status (${lastLines(result.output, 1).join('') || 'no output'}): ${start}`);
  }
  const first = statuses[0] ?? {};
  const parts = ['Host', 'Kubelet', 'APIServer'] as const;
  if (!parts.every((part) => first[part] === 'Running')) {
    throw new PreflightError(`Minikube profile "${profile}" is not running (${parts.map((part) => `${part.toLowerCase()} ${first[part] ?? 'unknown'}`).join(', ')}): ${start}`);
  }
}

/**
 * The kubectl context to deploy to: the current one when it is the Minikube
 * profile; with `--context NAME`, that context (which must exist). Any other
 * current context is refused, so a deploy never lands in a cluster by accident.
 *
 * @throws PreflightError
 */
export async function resolveContext(runner: Runner, profile: string, explicit: string | undefined): Promise<string> {
  if (explicit !== undefined) {
    const found = await runner.run({ program: 'kubectl', args: ['config', 'get-contexts', explicit, '--output', 'name'], effect: Effect.READ }, { check: false });
    if (found.code !== 0 || found.stdout.trim() !== explicit) {
      throw new PreflightError(`kubectl has no context "${explicit}" (named with --context): \`kubectl config get-contexts\` lists them`);
    }
    return explicit;
  }
  const current = await runner.run({ program: 'kubectl', args: ['config', 'current-context'], effect: Effect.READ }, { check: false });
  const name = current.stdout.trim();
  if (current.code !== 0 || name === '') {
    throw new PreflightError(`kubectl has no current context: run \`kubectl config use-context ${profile}\` (minikube start sets it)`);
  }
  if (name !== profile) {
    throw new PreflightError(`the current kubectl context is "${name}", not the Minikube profile "${profile}": run \`kubectl config use-context ${profile}\`, or pass --context ${name} to deploy there on purpose`);
  }
  return name;
}

/**
 * The node address to build the URLs for: `minikube ip`. When
 * `TODO_NODE_ADDRESS` is set it must be the same (the frontend bundle has
 * the backend's URL baked in).
 *
 * @throws PreflightError showing both addresses
 */
export async function resolveNodeAddress(runner: Runner, profile: string, env: Environment): Promise<string> {
  const result = await runner.run({ program: 'minikube', args: ['-p', profile, 'ip'], effect: Effect.READ }, { check: false });
  const ip = result.stdout.trim().split(/\s+/)[0] ?? '';
  if (result.code !== 0 || ip === '') {
    throw new PreflightError(`\`minikube -p ${profile} ip\` gave no address (${lastLines(result.output, 1).join('') || `exit code ${result.code}`}): run \`minikube start -p ${profile}\``);
  }
  const setting = env.TODO_NODE_ADDRESS;
  if (setting !== undefined && setting !== ip) {
    throw new PreflightError(`TODO_NODE_ADDRESS is ${setting} but \`minikube -p ${profile} ip\` is ${ip}: the frontend would call the backend at a dead address; unset TODO_NODE_ADDRESS (deploy then uses ${ip}) or set it to ${ip}`);
  }
  return ip;
}

/**
 * Checks that the Todo app's repository has each build context with a Dockerfile.
 *
 * @throws PreflightError naming what is missing
 */
export function requireBuildContexts(appDir: string, contexts: readonly string[]): void {
  if (!fs.existsSync(appDir) || !fs.statSync(appDir).isDirectory()) {
    throw new PreflightError(`APP_DIR ${appDir} is not a directory: pass the Todo app's repository (holding ${contexts.join(' and ')}), e.g. npm run deploy -- ~/src/todo-app`);
  }
  for (const context of contexts) {
    const dir = path.join(appDir, context);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw new PreflightError(`APP_DIR ${appDir} has no ${context}: pass the Todo app's repository (holding ${contexts.join(' and ')})`);
    }
    if (!['Dockerfile', 'dockerfile'].some((name) => fs.existsSync(path.join(dir, name)))) {
      throw new PreflightError(`${path.join(appDir, context)} has no Dockerfile: docker build needs one in the build context`);
    }
  }
}

/**
 * The environment that points `docker` at Minikube's Docker daemon, parsed
 * from `minikube docker-env --shell none` (`NAME=value` lines; nothing is
 * evaluated), after checking that the daemon answers.
 *
 * @throws PreflightError
 */
export async function minikubeDockerEnv(runner: Runner, profile: string): Promise<{ [name: string]: string }> {
  let output: string;
  try {
    output = (await runner.run({ program: 'minikube', args: ['-p', profile, 'docker-env', '--shell', 'none'], effect: Effect.READ })).stdout;
  } catch (e) {
    const detail = e instanceof CommandFailed ? lastLines(e.result.output, 1).join('') : (e as Error).message;
    throw new PreflightError(`\`minikube -p ${profile} docker-env\` failed (${detail}): deploy builds into Minikube's Docker daemon, which needs the docker container runtime (\`minikube start -p ${profile} --container-runtime=docker\`)`);
  }
  const env = parseEnvLines(output);
  if (env.DOCKER_HOST === undefined) {
    throw new PreflightError(`\`minikube -p ${profile} docker-env --shell none\` gave no DOCKER_HOST: update minikube`);
  }
  const version = await runner.run({ program: 'docker', args: ['version', '--format', '{{.Server.Version}}'], effect: Effect.READ, env }, { check: false });
  if (version.code !== 0) {
    throw new PreflightError(`Minikube's Docker daemon at ${env.DOCKER_HOST} does not answer (${lastLines(version.output, 1).join('') || `exit code ${version.code}`}): run \`minikube start -p ${profile}\``);
  }
  return env;
}

/** `NAME=value` lines into variables; other lines (comments, blanks) are skipped. */
export function parseEnvLines(text: string): { [name: string]: string } {
  const env: { [name: string]: string } = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) {
      env[match[1]] = match[2].replace(/^"(.*)"$/, '$1');
    }
  }
  return env;
}

/**
 * The default app as deploy sees it, from the settings; a bad setting is a
 * pre-flight failure with synth's own message.
 *
 * @throws PreflightError
 */
export function readPlan(env: Environment): AppPlan {
  try {
    return planApp(env);
  } catch (e) {
    throw new PreflightError(`settings: ${(e as Error).message}`);
  }
}
