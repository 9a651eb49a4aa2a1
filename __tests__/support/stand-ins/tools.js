/**
 * Stand-ins for `minikube`, `docker`, `kubectl` and `helm`, for the deploy
 * tests (no cluster, no Docker here). The tests write small executables that
 * call `main(tool)`; each call is recorded, with its arguments and the
 * DOCKER_HOST it saw, in $STAND_IN_DIR/calls.jsonl. They play the scenario in
 * $STAND_IN_DIR/scenario.json and keep a tiny cluster in state.json:
 *
 * - `kubectl apply` stores objects and says created/configured/unchanged;
 *   a Deployment whose pod template changed counts a rollout.
 * - `helm upgrade --install` renders the chart with the real helm
 *   (`helm template`) and stores its objects the same way.
 * - `kubectl rollout status` succeeds, or for a deployment listed in
 *   `scenario.stuck` waits until its --timeout and fails as kubectl does; its
 *   pods, events and logs then tell why.
 * - `docker build` adds the image (or fails as told); `docker image inspect`
 *   finds it. Both refuse to work unless DOCKER_HOST is Minikube's.
 *
 * Nothing here opens a network connection.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { spawnSync } = require('child_process');

const DIR = process.env.STAND_IN_DIR;
const DOCKER_HOST = 'tcp://127.0.0.1:32771';

function read(name, fallback) {
  const file = path.join(DIR, name);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : fallback;
}

function write(name, value) {
  fs.writeFileSync(path.join(DIR, name), JSON.stringify(value, null, 2));
}

function emptyState() {
  return { objects: {}, rollouts: {}, images: {}, releases: {} };
}

function out(text) {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function fail(text, code = 1) {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  process.exit(code);
}

function hash(text) {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** Splits `--flag value`, `--flag=value` and bare flags from positional arguments. */
function parse(args, valued) {
  const flags = {};
  const positional = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    if (a.startsWith('-') && eq > 0) {
      flags[a.slice(0, eq)] = a.slice(eq + 1);
    } else if (valued.includes(a)) {
      flags[a] = args[++i];
    } else if (a.startsWith('-')) {
      flags[a] = true;
    } else {
      positional.push(a);
    }
  }
  return { flags, positional };
}

// ---------------------------------------------------------------- minikube

function minikube(args) {
  const scenario = read('scenario.json', {});
  const { flags, positional } = parse(args, ['-p', '--profile', '--output', '-o', '--shell']);
  const name = flags['-p'] ?? flags['--profile'] ?? 'minikube';
  const profile = (scenario.minikube ?? {})[name];
  if (!profile) {
    fail(`🤷  Profile "${name}" not found. Run "minikube profile list" to view all profiles.`, 85);
  }
  const running = profile.status === 'Running';
  switch (positional[0]) {
    case 'status': {
      const state = running ? 'Running' : 'Stopped';
      out(JSON.stringify({ Name: name, Host: state, Kubelet: state, APIServer: state, Kubeconfig: running ? 'Configured' : 'Stopped', Worker: false }));
      process.exit(running ? 0 : 7);
      break;
    }
    case 'ip':
      if (!running) fail(`❌  Exiting due to GUEST_STATUS: state: unknown state "${name}"`, 80);
      out(profile.ip);
      break;
    case 'docker-env':
      if (!running) fail(`❌  Exiting due to GUEST_STATUS: The control plane node must be running for this command`, 80);
      if (flags['--shell'] !== 'none') fail('this stand-in answers --shell none only');
      out(`DOCKER_TLS_VERIFY=1\nDOCKER_HOST=${DOCKER_HOST}\nDOCKER_CERT_PATH=${path.join(DIR, 'certs')}\nMINIKUBE_ACTIVE_DOCKERD=${name}`);
      break;
    default:
      fail(`minikube stand-in: unknown command ${args.join(' ')}`);
  }
}

// ---------------------------------------------------------------- docker

function docker(args) {
  const scenario = read('scenario.json', {});
  if (process.env.DOCKER_HOST !== DOCKER_HOST) {
    fail('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?');
  }
  const state = read('state.json', emptyState());
  const { flags, positional } = parse(args, ['--format', '--tag', '-t']);
  if (positional[0] === 'version') {
    out('27.4.0');
  } else if (positional[0] === 'image' && positional[1] === 'inspect') {
    const ref = positional[2];
    if (!state.images[ref]) fail(`Error response from daemon: No such image: ${ref}`);
    out(state.images[ref]);
  } else if (positional[0] === 'build') {
    const ref = flags['--tag'] ?? flags['-t'];
    const buildArgs = [];
    for (let i = 0; i < args.length; i++) if (args[i] === '--build-arg') buildArgs.push(args[i + 1]);
    const context = positional[positional.length - 1];
    if (!fs.existsSync(path.join(context, 'Dockerfile'))) fail(`ERROR: failed to solve: failed to read dockerfile: open Dockerfile: no such file or directory`);
    out('#0 building with "default" instance using docker driver');
    out(`#1 [internal] load build definition from Dockerfile`);
    if ((scenario.failBuild ?? []).includes(ref.split(':')[0])) {
      out('#6 [3/4] RUN npm run build');
      out('#6 0.912 Error: Cannot find module \'next\'');
      fail('ERROR: failed to solve: process "/bin/sh -c npm run build" did not complete successfully: exit code: 1');
    }
    out(`#7 naming to docker.io/library/${ref} done`);
    state.images[ref] = `sha256:${hash(`${ref} ${buildArgs.join(' ')}`)}`;
    write('state.json', state);
  } else {
    fail(`docker stand-in: unknown command ${args.join(' ')}`);
  }
}

// ---------------------------------------------------------------- the cluster

const CLUSTER_SCOPED = new Set(['Namespace']);

function keyOf(obj, namespace) {
  const ns = CLUSTER_SCOPED.has(obj.kind) ? '' : obj.metadata.namespace ?? namespace ?? 'default';
  return `${obj.kind}/${ns}/${obj.metadata.name}`;
}

function resourceName(obj) {
  const group = obj.apiVersion.includes('/') ? `.${obj.apiVersion.split('/')[0]}` : '';
  return `${obj.kind.toLowerCase()}${group}/${obj.metadata.name}`;
}

/** Stores objects as `kubectl apply` would; returns the lines kubectl prints. */
function store(state, objects, namespace) {
  const lines = [];
  for (const obj of objects) {
    const key = keyOf(obj, namespace);
    if (!CLUSTER_SCOPED.has(obj.kind)) obj.metadata.namespace = key.split('/')[1];
    const previous = state.objects[key];
    const text = JSON.stringify(obj);
    let verb = 'created';
    if (previous) verb = JSON.stringify(previous.applied) === text ? 'unchanged' : 'configured';
    if (obj.kind === 'Deployment') {
      const templateChanged = !previous || JSON.stringify(previous.applied.spec.template) !== JSON.stringify(obj.spec.template);
      if (templateChanged) state.rollouts[key] = (state.rollouts[key] ?? 0) + 1;
    }
    state.objects[key] = { applied: obj, generation: (previous?.generation ?? 0) + (verb === 'unchanged' ? 0 : 1) };
    lines.push(`${resourceName(obj)} ${verb}`);
  }
  return lines;
}

function podsOf(state, scenario, namespace) {
  const pods = [];
  for (const [key, entry] of Object.entries(state.objects)) {
    const [kind, ns, name] = key.split('/');
    if (kind !== 'Deployment' || ns !== namespace) continue;
    const template = entry.applied.spec.template;
    const container = template.spec.containers[0].name;
    const stuck = (scenario.stuck ?? {})[name];
    const pod = `${name}-${hash(JSON.stringify(template)).slice(0, 10)}-x7k2p`;
    const status = stuck
      ? {
        phase: 'Running',
        conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False', reason: 'ContainersNotReady' }],
        containerStatuses: [{
          name: container, ready: false, restartCount: 4, image: template.spec.containers[0].image,
          state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 1m20s restarting failed container=${container} pod=${pod}_${ns}` } },
          lastState: { terminated: { reason: 'Error', exitCode: 1, startedAt: '2025-01-01T12:00:10Z', finishedAt: '2025-01-01T12:00:12Z' } },
        }],
      }
      : {
        phase: 'Running',
        conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: container, ready: true, restartCount: 0, image: template.spec.containers[0].image, state: { running: { startedAt: '2025-01-01T12:00:00Z' } } }],
      };
    pods.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: pod, namespace: ns, labels: template.metadata.labels }, status, deployment: name });
  }
  return pods;
}

function kubectl(args) {
  const scenario = read('scenario.json', {});
  const state = read('state.json', emptyState());
  const { flags, positional } = parse(args, ['--context', '--namespace', '-n', '--filename', '-f', '--output', '-o', '--selector', '-l', '--container', '-c']);
  const namespace = flags['--namespace'] ?? flags['-n'] ?? 'default';
  const contexts = scenario.contexts ?? ['minikube'];
  const [verb, ...rest] = positional;
  if (verb === 'config') {
    if (rest[0] === 'current-context') {
      if (!scenario.currentContext) fail('error: current-context is not set');
      return out(scenario.currentContext);
    }
    if (rest[0] === 'get-contexts') {
      if (!contexts.includes(rest[1])) fail(`error: context ${rest[1]} not found`);
      return out(rest[1]);
    }
  }
  const context = flags['--context'];
  if (!contexts.includes(context)) fail(`error: context "${context}" does not exist`);
  const save = () => write('state.json', state);
  switch (verb) {
    case 'apply': {
      const docs = require('yaml').parseAllDocuments(fs.readFileSync(flags['--filename'] ?? flags['-f'], 'utf8')).map((d) => d.toJS()).filter(Boolean);
      store(state, docs, namespace).forEach((line) => out(line));
      return save();
    }
    case 'get': {
      const output = flags['--output'] ?? flags['-o'];
      if (rest[0] === 'pods') {
        const selector = Object.fromEntries((flags['--selector'] ?? flags['-l'] ?? '').split(',').filter(Boolean).map((kv) => kv.split('=')));
        const items = podsOf(state, scenario, namespace).filter((p) => Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v));
        return out(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: items.map(({ deployment, ...pod }) => pod) }));
      }
      if (rest[0] === 'events') {
        const items = podsOf(state, scenario, namespace).filter((p) => (scenario.stuck ?? {})[p.deployment]).flatMap((p, i) => [
          { type: 'Normal', reason: 'Scheduled', message: `Successfully assigned ${namespace}/${p.metadata.name} to minikube`, involvedObject: { kind: 'Pod', name: p.metadata.name }, lastTimestamp: `2025-01-01T12:00:0${i}Z` },
          { type: 'Normal', reason: 'Pulled', message: `Container image "${p.status.containerStatuses[0].image}" already present on machine`, involvedObject: { kind: 'Pod', name: p.metadata.name }, lastTimestamp: `2025-01-01T12:00:1${i}Z`, count: 5 },
          { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', involvedObject: { kind: 'Pod', name: p.metadata.name }, lastTimestamp: `2025-01-01T12:01:2${i}Z`, count: 7 },
        ]);
        return out(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
      }
      const [kind, name] = rest[0].includes('/') ? rest[0].split('/') : [rest[0], rest[1]];
      const wanted = { deployment: 'Deployment', persistentvolumeclaim: 'PersistentVolumeClaim', pvc: 'PersistentVolumeClaim' }[kind.toLowerCase()];
      const entry = state.objects[`${wanted}/${namespace}/${name}`];
      if (!entry) {
        if (flags['--ignore-not-found']) return undefined;
        fail(`Error from server (NotFound): ${kind} "${name}" not found`);
      }
      if (output === 'name') return out(resourceName(entry.applied));
      return out(JSON.stringify({ ...entry.applied, metadata: { ...entry.applied.metadata, generation: entry.generation } }));
    }
    case 'rollout': {
      const name = rest[1].replace(/^deployment\//, '');
      const key = `Deployment/${namespace}/${name}`;
      if (!state.objects[key]) fail(`Error from server (NotFound): deployments.apps "${name}" not found`);
      const timeout = Number(String(flags['--timeout'] ?? '0s').replace(/s$/, ''));
      if ((scenario.stuck ?? {})[name]) {
        out(`Waiting for deployment "${name}" rollout to finish: 0 of 1 updated replicas are available...`);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, timeout * 1000);
        fail('error: timed out waiting for the condition');
      }
      out(`Waiting for deployment "${name}" rollout to finish: 0 of 1 updated replicas are available...`);
      return out(`deployment "${name}" successfully rolled out`);
    }
    case 'logs': {
      const pod = rest[0];
      const deployment = podsOf(state, scenario, namespace).find((p) => p.metadata.name === pod)?.deployment;
      const log = (scenario.stuck ?? {})[deployment]?.log ?? '';
      const tail = Number(flags['--tail'] ?? -1);
      const lines = log.split('\n');
      return out((tail >= 0 ? lines.slice(-tail) : lines).join('\n'));
    }
    case 'delete': {
      for (const ref of rest) {
        const [kind, name] = ref.split('/');
        const key = Object.keys(state.objects).find((k) => {
          const [objKind, ns, objName] = k.split('/');
          return objKind.toLowerCase() === kind && objName === name && (ns === namespace || ns === '');
        });
        if (!key) {
          if (!flags['--ignore-not-found']) fail(`Error from server (NotFound): ${kind} "${name}" not found`);
          continue;
        }
        out(`${resourceName(state.objects[key].applied).split('/')[0]} "${name}" deleted`);
        delete state.objects[key];
      }
      return save();
    }
    default:
      fail(`kubectl stand-in: unknown command ${args.join(' ')}`);
  }
}

// ---------------------------------------------------------------- helm

function helm(args) {
  const scenario = read('scenario.json', {});
  const state = read('state.json', emptyState());
  const { flags, positional } = parse(args, ['--namespace', '-n', '--kube-context', '--output', '-o']);
  const namespace = flags['--namespace'] ?? 'default';
  const contexts = scenario.contexts ?? ['minikube'];
  if (!contexts.includes(flags['--kube-context'])) fail(`Error: kubernetes cluster unreachable: context "${flags['--kube-context']}" does not exist`);
  const [verb, ...rest] = positional;
  if (verb === 'upgrade' && flags['--install']) {
    const [release, chart] = rest;
    const rendered = spawnSync(scenario.realHelm, ['template', release, chart, '--namespace', namespace], { encoding: 'utf8' });
    if (rendered.status !== 0) fail(rendered.stderr);
    const docs = require('yaml').parseAllDocuments(rendered.stdout).map((d) => d.toJS()).filter(Boolean);
    const key = `${namespace}/${release}`;
    const previous = state.releases[key];
    store(state, docs, namespace);
    state.releases[key] = { name: release, namespace, chart, revision: (previous?.revision ?? 0) + 1, objects: docs.map((d) => keyOf(d, namespace)) };
    write('state.json', state);
    if (!previous) out(`Release "${release}" does not exist. Installing it now.`);
    return out(`NAME: ${release}\nLAST DEPLOYED: Wed Jan  1 12:00:00 2025\nNAMESPACE: ${namespace}\nSTATUS: deployed\nREVISION: ${state.releases[key].revision}`);
  }
  if (verb === 'list') {
    return out(JSON.stringify(Object.values(state.releases).filter((r) => r.namespace === namespace).map((r) => ({ name: r.name, namespace: r.namespace, revision: String(r.revision), status: 'deployed' }))));
  }
  if (verb === 'uninstall') {
    for (const release of rest) {
      const entry = state.releases[`${namespace}/${release}`];
      if (!entry) fail(`Error: uninstall: Release not loaded: ${release}: release: not found`);
      const kept = [];
      for (const key of entry.objects) {
        const obj = state.objects[key]?.applied;
        if (obj?.metadata?.annotations?.['helm.sh/resource-policy'] === 'keep') {
          kept.push(resourceName(obj));
        } else {
          delete state.objects[key];
        }
      }
      delete state.releases[`${namespace}/${release}`];
      if (kept.length > 0) out(`These resources were kept due to the resource policy:\n[${kept.join(', ')}]`);
      out(`release "${release}" uninstalled`);
    }
    return write('state.json', state);
  }
  fail(`helm stand-in: unknown command ${args.join(' ')}`);
}

/** Runs the stand-in for `tool` with the process's arguments, recording the call. */
function main(tool) {
  const args = process.argv.slice(2);
  fs.appendFileSync(path.join(DIR, 'calls.jsonl'), `${JSON.stringify({ tool, args, dockerHost: process.env.DOCKER_HOST ?? null })}\n`);
  ({ minikube, docker, kubectl, helm })[tool](args);
}

module.exports = { main };
