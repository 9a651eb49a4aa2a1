#!/usr/bin/env node
import * as path from 'path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { deploy, DEPLOY_STEPS } from './deploy';
import { destroy } from './destroy';
import { Io, StepFailed } from './steps';

/** The default limit of the wait for the rollouts and of the smoke test. */
export const DEFAULT_TIMEOUT_SECONDS = 180;

function positiveSeconds(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new InvalidArgumentError(`must be a whole number of seconds, at least 1, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** The program's commands, writing to `io`; `done` receives each command's exit code. */
function program(io: Io, done: (code: number) => void): Command {
  const defaultProfile = io.env.MINIKUBE_PROFILE ?? 'minikube';
  const root = new Command('todo-cdk8s')
    .description('Deploys the Todo app to Minikube, and removes it. Settings come from TODO_* variables (README, "Settings").')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stdout.write(text) });

  root.command('deploy')
    .description(`Builds the images into Minikube's Docker daemon and deploys the app, step by step: ${DEPLOY_STEPS.join(', ')}.`)
    .argument('[app-dir]', 'the Todo app repository, holding backend/ and frontend/', '.')
    .option('--helm', 'install the two Helm charts (helm upgrade --install, backend first) instead of applying the plain manifests')
    .option('--dry-run', 'run the read-only checks and print every command that would change something, without running it')
    .option('--timeout <seconds>', 'limit of the wait for the rollouts, and of the smoke test', positiveSeconds, DEFAULT_TIMEOUT_SECONDS)
    .option('--context <name>', 'deploy with this kubectl context (needed when it is not the Minikube profile)')
    .option('--profile <name>', 'the Minikube profile (MINIKUBE_PROFILE)', defaultProfile)
    .option('--outdir <dir>', 'where the manifests and charts are written', 'dist')
    .action(async (appDir: string, opts: { helm?: boolean; dryRun?: boolean; timeout: number; context?: string; profile: string; outdir: string }) => {
      done(await report(io, () => deploy({
        // npm runs scripts in the package's directory; INIT_CWD is where the user ran npm.
        appDir: path.resolve(io.env.INIT_CWD ?? io.cwd, appDir),
        outdir: path.resolve(io.cwd, opts.outdir),
        profile: opts.profile,
        context: opts.context,
        helm: opts.helm === true,
        dryRun: opts.dryRun === true,
        timeoutSeconds: opts.timeout,
      }, io)));
    });

  root.command('destroy')
    .description('Removes what deploy created (Helm releases or plain manifests); keeps the database\'s PersistentVolumeClaim unless --purge.')
    .option('--purge', 'also delete the database\'s PersistentVolumeClaim (all users and tasks)')
    .option('--dry-run', 'print the commands that would delete something, without running them')
    .option('--context <name>', 'use this kubectl context (needed when it is not the Minikube profile)')
    .option('--profile <name>', 'the Minikube profile (MINIKUBE_PROFILE)', defaultProfile)
    .action(async (opts: { purge?: boolean; dryRun?: boolean; context?: string; profile: string }) => {
      done(await report(io, () => destroy({ profile: opts.profile, context: opts.context, purge: opts.purge === true, dryRun: opts.dryRun === true }, io)));
    });
  return root;
}

/** Runs a command; a failure is printed with its step, command and output, and gives exit code 1. */
async function report(io: Io, body: () => Promise<unknown>): Promise<number> {
  try {
    await body();
    return 0;
  } catch (e) {
    const lines = e instanceof StepFailed ? e.report() : [`Failed: ${(e as Error).stack ?? String(e)}`];
    io.stdout.write(`\n${lines.join('\n')}\n`);
    return 1;
  }
}

/**
 * Runs the command line (`deploy [APP_DIR]`, `destroy`) and resolves to the
 * exit code: 0 when it succeeded, 1 when a step failed, 2 for a usage error.
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let code = 0;
  try {
    await program(io, (c) => {
      code = c;
    }).parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit with 0; usage errors were printed by commander.
      return e.exitCode === 0 ? 0 : 2;
    }
    throw e;
  }
  return code;
}

/** The process's own environment, directory and standard output. */
export function processIo(): Io {
  return { env: process.env, cwd: process.cwd(), stdout: process.stdout, tty: process.stdout.isTTY === true };
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  }, (e) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
