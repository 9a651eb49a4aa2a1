/**
 * Stand-ins for `minikube`, `docker`, `kubectl`, `helm` and `npm`: no
 * cluster, no Docker and no registry here. The deploy tests
 * (__tests__/support/stand-in-world.ts) and the README test
 * (__tests__/readme.test.ts) write small executables that call
 * `main(tool)`, first on PATH. Each call is recorded, with its arguments and
 * the DOCKER_HOST it saw, in $STAND_IN_DIR/calls.jsonl. They play the
 * scenario in $STAND_IN_DIR/scenario.json (the machine: Minikube profiles,
 * kubectl contexts, what fails) and keep a tiny cluster and Docker daemon in
 * state.json. They check what the real tool would check before touching a
 * cluster, so a command on something that is not there fails as the real one
 * would (exit code, message on stderr):
 *
 * - `minikube start` starts the profile (node address 127.0.0.1) and makes it
 *   kubectl's current context; `status --output json`, `ip`, `docker-env
 *   --shell none|bash` answer for a running profile; `service NAME` needs a
 *   NodePort Service and prints its URL (`http://127.0.0.1:<nodePort>`).
 * - `kubectl` (the current context unless --context names one) `apply -f
 *   FILE|DIR` checks and stores objects (a directory: its YAML files, not
 *   subdirectories, as kubectl) and says created/configured/unchanged; a
 *   Deployment whose pod template changed counts a rollout. `rollout status`
 *   and `wait --for=condition=ready pod -l SELECTOR` succeed, or for a
 *   deployment listed in `scenario.stuck` wait until their --timeout and fail
 *   as kubectl does; its pods, events and logs (`get`, `logs`) then tell why.
 *   `delete KIND NAME` / `delete kind/name` need the object (unless
 *   --ignore-not-found).
 * - `helm upgrade [--install]` / `install` render the chart with the real helm
 *   (`helm template`, scenario.realHelm) with the same release, namespace and
 *   values (`--reuse-values` reuses the release's earlier ones) and store its
 *   objects as `kubectl apply` does (hooks are kept with the release, not
 *   created); `test` needs the release's test hooks (they are not run);
 *   `uninstall` leaves `helm.sh/resource-policy: keep` objects behind, as Helm
 *   does; `list` lists (a table, or `--output json`). The commands that need
 *   no cluster (`template`, `lint`, ...) run the real helm.
 * - `docker build` adds the image to the daemon DOCKER_HOST names (or fails as
 *   told); `docker image inspect` finds it, `docker push` needs it (nothing is
 *   sent). Minikube's daemon is the DOCKER_HOST of `minikube docker-env`; with
 *   DOCKER_HOST unset there is a local daemon only when scenario.localDocker.
 * - `npm ci`: not run (it takes about a minute; the tests run in an installed
 *   tree); package-lock.json must agree with package.json, as `npm ci`
 *   requires. `npm test`, `npm run test:consumer`, `npm run bench`: not run
 *   (the first is the run the test belongs to, the others take minutes and CI
 *   runs `npm run test:consumer`); the script must exist. `npm install
 *   PKG...`: not run (it needs the registry; `npm run test:consumer` installs
 *   the packed library with its peers for real); each name must be this
 *   package or one of its peer dependencies. `npm run SCRIPT` runs the real
 *   npm (scenario.realNpm) after checking the script exists.
 *
 * A subcommand or flag a stand-in does not know fails, naming itself, so a
 * new command is taught here rather than passing unchecked. Nothing here opens
 * a network connection; every address it hands out is 127.0.0.1.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { spawnSync } = require('child_process');

const DIR = process.env.STAND_IN_DIR;
/** Minikube's Docker daemon, as `minikube docker-env` names it (never contacted). */
const DOCKER_HOST = 'tcp://127.0.0.1:32771';
/** The node address of every profile `minikube start` starts: loopback, where the tests' NodePort servers listen. */
const NODE_ADDRESS = '127.0.0.1';

let tool = '';

function read(name, fallback) {
  const file = path.join(DIR, name);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : fallback;
}

function write(name, value) {
  fs.writeFileSync(path.join(DIR, name), JSON.stringify(value, null, 2));
}

function emptyState() {
  return { objects: {}, rollouts: {}, images: {}, localImages: {}, releases: {} };
}

function readState() {
  return { ...emptyState(), ...read('state.json', {}) };
}

function out(text) {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function fail(text, code = 1) {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  process.exit(code);
}

/** A command or flag this file does not know: fails, naming the file to teach. */
function unknown(what) {
  fail(`${tool} stand-in (__tests__/support/stand-ins/tools.js): does not know ${what}; teach it there`);
}

function hash(text) {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/**
 * Splits `--flag value`, `--flag=value` and bare flags from positional
 * arguments. `spec` maps each flag the tool knows to whether it takes a
 * value; any other flag fails. `flags` holds the last value of each flag,
 * `lists` all of them, in order.
 */
function parse(args, spec) {
  const flags = {};
  const lists = {};
  const positional = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('-') || a === '-') {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (!(name in spec)) unknown(`the flag ${name} (in ${tool} ${args.join(' ')})`);
    let value = true;
    if (eq > 0) {
      value = a.slice(eq + 1);
    } else if (spec[name]) {
      if (i + 1 >= args.length) fail(`${tool}: flag needs an argument: ${name}`);
      value = args[++i];
    }
    flags[name] = value;
    (lists[name] ??= []).push(value);
  }
  return { flags, lists, positional };
}

/** Fails unless every flag given is one of `allowed` (for `what`). */
function only(flags, allowed, what) {
  for (const name of Object.keys(flags)) {
    if (!allowed.includes(name)) unknown(`the flag ${name} of ${what}`);
  }
}

function parseYamlObjects(text, where) {
  return require('yaml').parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) fail(`error: error parsing ${where}: ${doc.errors[0].message}`);
    return doc.toJS();
  }).filter((o) => o !== null && o !== undefined);
}

function checkObject(o, where) {
  if (typeof o !== 'object' || !o.apiVersion || !o.kind || !o.metadata?.name) {
    fail(`error: error validating "${where}": an object lacks apiVersion, kind or metadata.name`);
  }
}

// ---------------------------------------------------------------- minikube

const MINIKUBE_FLAGS = { '-p': true, '--profile': true, '--output': true, '-o': true, '--shell': true, '--driver': true, '--cni': true, '--container-runtime': true, '-n': true, '--namespace': true, '--url': false };

function minikube(args) {
  const scenario = read('scenario.json', {});
  const { flags, positional } = parse(args, MINIKUBE_FLAGS);
  const name = flags['-p'] ?? flags['--profile'] ?? 'minikube';
  const [verb, ...rest] = positional;
  const common = ['-p', '--profile'];
  if (verb === 'start') {
    only(flags, [...common, '--driver', '--cni', '--container-runtime'], 'minikube start');
    scenario.minikube = { ...scenario.minikube, [name]: { status: 'Running', ip: NODE_ADDRESS } };
    scenario.currentContext = name;
    scenario.contexts = [...new Set([...(scenario.contexts ?? []), name])];
    write('scenario.json', scenario);
    return out(`🏄  Done! kubectl is now configured to use "${name}" cluster and "default" namespace by default`);
  }
  const profile = (scenario.minikube ?? {})[name];
  if (!profile) {
    fail(`🤷  Profile "${name}" not found. Run "minikube profile list" to view all profiles.`, 85);
  }
  const running = profile.status === 'Running';
  switch (verb) {
    case 'status': {
      only(flags, [...common, '--output', '-o'], 'minikube status');
      if ((flags['--output'] ?? flags['-o']) !== 'json') unknown('minikube status without --output json');
      const state = running ? 'Running' : 'Stopped';
      out(JSON.stringify({ Name: name, Host: state, Kubelet: state, APIServer: state, Kubeconfig: running ? 'Configured' : 'Stopped', Worker: false }));
      return process.exit(running ? 0 : 7);
    }
    case 'ip':
      only(flags, common, 'minikube ip');
      if (!running) fail(`❌  Exiting due to GUEST_STATUS: state: unknown state "${name}"`, 80);
      return out(profile.ip);
    case 'docker-env': {
      only(flags, [...common, '--shell'], 'minikube docker-env');
      if (!running) fail(`❌  Exiting due to GUEST_STATUS: The control plane node must be running for this command`, 80);
      const vars = { DOCKER_TLS_VERIFY: '1', DOCKER_HOST, DOCKER_CERT_PATH: path.join(DIR, 'certs'), MINIKUBE_ACTIVE_DOCKERD: name };
      const shell = flags['--shell'];
      if (shell === 'none') return out(Object.entries(vars).map(([k, v]) => `${k}=${v}`).join('\n'));
      if (shell === 'bash') return out(Object.entries(vars).map(([k, v]) => `export ${k}="${v}"`).join('\n'));
      return unknown(`minikube docker-env --shell ${shell} (only none and bash)`);
    }
    case 'service': {
      only(flags, [...common, '-n', '--namespace', '--url'], 'minikube service');
      if (!running) fail(`❌  Exiting due to GUEST_STATUS: state: unknown state "${name}"`, 80);
      const namespace = flags['-n'] ?? flags['--namespace'] ?? 'default';
      const service = readState().objects[`Service/${namespace}/${rest[0]}`]?.applied;
      if (rest.length !== 1 || !service) fail(`❌  Exiting due to SVC_NOT_FOUND: Service '${rest[0]}' was not found in '${namespace}' namespace.`);
      const nodePort = service.spec?.ports?.find((p) => p.nodePort !== undefined)?.nodePort;
      if (service.spec?.type !== 'NodePort' || nodePort === undefined) fail(`❌  Exiting due to SVC_UNREACHABLE: service not available: no node port`);
      return out(`http://${profile.ip}:${nodePort}`);
    }
    default:
      return unknown(`minikube ${verb}`);
  }
}

// ---------------------------------------------------------------- docker

function docker(args) {
  const scenario = read('scenario.json', {});
  const { flags, lists, positional } = parse(args, { '--format': true, '--tag': true, '-t': true, '--build-arg': true, '--file': true, '-f': true });
  const minikubeDaemon = process.env.DOCKER_HOST === DOCKER_HOST;
  if (!minikubeDaemon && !(scenario.localDocker && !process.env.DOCKER_HOST)) {
    fail(`Cannot connect to the Docker daemon at ${process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'}. Is the docker daemon running?`);
  }
  const state = readState();
  const images = minikubeDaemon ? state.images : state.localImages;
  const [verb, ...rest] = positional;
  if (verb === 'version') {
    only(flags, ['--format'], 'docker version');
    out('27.4.0');
  } else if (verb === 'image' && rest[0] === 'inspect') {
    only(flags, ['--format'], 'docker image inspect');
    const ref = rest[1];
    if (!images[ref]) fail(`Error response from daemon: No such image: ${ref}`);
    out(images[ref]);
  } else if (verb === 'build') {
    const tags = [...(lists['--tag'] ?? []), ...(lists['-t'] ?? [])];
    if (rest.length !== 1) fail('ERROR: "docker buildx build" requires exactly 1 argument.');
    const context = rest[0];
    const dockerfile = flags['--file'] ?? flags['-f'] ?? path.join(context, 'Dockerfile');
    if (!fs.existsSync(context) || !fs.statSync(context).isDirectory()) fail(`ERROR: unable to prepare context: path "${context}" not found`);
    if (!fs.existsSync(dockerfile)) fail(`ERROR: failed to solve: failed to read dockerfile: open Dockerfile: no such file or directory`);
    const buildArgs = lists['--build-arg'] ?? [];
    out('#0 building with "default" instance using docker driver');
    out(`#1 [internal] load build definition from Dockerfile`);
    if (tags.some((ref) => (scenario.failBuild ?? []).includes(ref.split(':')[0]))) {
      out('#6 [3/4] RUN npm run build');
      out('#6 0.912 Error: Cannot find module \'next\'');
      fail('ERROR: failed to solve: process "/bin/sh -c npm run build" did not complete successfully: exit code: 1');
    }
    for (const ref of tags) {
      out(`#7 naming to docker.io/library/${ref} done`);
      images[ref] = `sha256:${hash(`${ref} ${buildArgs.join(' ')}`)}`;
    }
    write('state.json', state);
  } else if (verb === 'push') {
    only(flags, [], 'docker push');
    if (rest.length !== 1 || !images[rest[0]]) fail(`An image does not exist locally with the tag: ${rest[0]}`);
    out(`${rest[0]}: pushed (stand-in: nothing was sent)`);
  } else {
    unknown(`docker ${args.join(' ')}`);
  }
}

// ---------------------------------------------------------------- the cluster

const CLUSTER_SCOPED = new Set(['Namespace']);

/** kubectl's names for kinds (`pvc`, `deployments`, ...). */
const KINDS = {
  pvc: 'PersistentVolumeClaim', persistentvolumeclaim: 'PersistentVolumeClaim', persistentvolumeclaims: 'PersistentVolumeClaim',
  deployment: 'Deployment', deployments: 'Deployment', deploy: 'Deployment',
  service: 'Service', services: 'Service', svc: 'Service',
  secret: 'Secret', secrets: 'Secret', configmap: 'ConfigMap', configmaps: 'ConfigMap', cm: 'ConfigMap',
  pod: 'Pod', pods: 'Pod', namespace: 'Namespace', namespaces: 'Namespace', ns: 'Namespace',
  networkpolicy: 'NetworkPolicy', networkpolicies: 'NetworkPolicy', netpol: 'NetworkPolicy',
  serviceaccount: 'ServiceAccount', serviceaccounts: 'ServiceAccount', sa: 'ServiceAccount',
  poddisruptionbudget: 'PodDisruptionBudget', pdb: 'PodDisruptionBudget',
  horizontalpodautoscaler: 'HorizontalPodAutoscaler', hpa: 'HorizontalPodAutoscaler',
  ingress: 'Ingress', ingresses: 'Ingress', ing: 'Ingress',
};

/** The Kind a kubectl word names: a short or plural name above, or the kind itself in lower case. */
function kindOf(word, state) {
  const lower = word.toLowerCase();
  const known = [...Object.values(KINDS), ...Object.values(state.objects).map((o) => o.applied.kind)];
  return KINDS[lower] ?? known.find((k) => k.toLowerCase() === lower) ?? unknown(`the kind ${word}`);
}

function keyOf(obj, namespace) {
  const ns = CLUSTER_SCOPED.has(obj.kind) ? '' : obj.metadata.namespace ?? namespace ?? 'default';
  return `${obj.kind}/${ns}/${obj.metadata.name}`;
}

function resourceName(obj) {
  const group = obj.apiVersion.includes('/') ? `.${obj.apiVersion.split('/')[0]}` : '';
  return `${obj.kind.toLowerCase()}${group}/${obj.metadata.name}`;
}

function isHook(obj) {
  return obj.metadata?.annotations?.['helm.sh/hook'] !== undefined;
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

/** Waits `seconds` (a --timeout such as `120s`) and fails as kubectl does when a wait times out. */
function timeOut(timeout) {
  const seconds = Number(String(timeout ?? '0s').replace(/s$/, ''));
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
  fail('error: timed out waiting for the condition');
}

/** The context a cluster command uses: the one named, else the current one; it must exist. */
function contextOf(scenario, named, flag) {
  const contexts = scenario.contexts ?? ['minikube'];
  const context = named ?? scenario.currentContext;
  if (context === undefined) fail(tool === 'helm' ? 'Error: kubernetes cluster unreachable: current-context is not set' : 'error: current-context is not set');
  if (!contexts.includes(context)) {
    fail(tool === 'helm' ? `Error: kubernetes cluster unreachable: context "${context}" does not exist` : `error: context "${context}" does not exist`);
  }
  return context;
}

const KUBECTL_FLAGS = {
  '--context': true, '--namespace': true, '-n': true, '--filename': true, '-f': true, '--output': true, '-o': true, '--selector': true, '-l': true,
  '--container': true, '-c': true, '--for': true, '--timeout': true, '--tail': true,
  '--ignore-not-found': false, '--watch': false, '--previous': false, '--wait': false,
};

function kubectl(args) {
  const scenario = read('scenario.json', {});
  const state = readState();
  const { flags, lists, positional } = parse(args, KUBECTL_FLAGS);
  const namespace = flags['--namespace'] ?? flags['-n'] ?? 'default';
  const [verb, ...rest] = positional;
  const common = ['--context', '--namespace', '-n'];
  const allow = (extra) => only(flags, [...common, ...extra], `kubectl ${verb}`);
  if (verb === 'config') {
    allow(['--output', '-o']);
    if (rest[0] === 'current-context') {
      if (!scenario.currentContext) fail('error: current-context is not set');
      return out(scenario.currentContext);
    }
    if (rest[0] === 'get-contexts') {
      if (!(scenario.contexts ?? ['minikube']).includes(rest[1])) fail(`error: context ${rest[1]} not found`);
      return out(rest[1]);
    }
    return unknown(`kubectl config ${rest.join(' ')}`);
  }
  contextOf(scenario, flags['--context']);
  const save = () => write('state.json', state);
  switch (verb) {
    case 'apply': {
      allow(['--filename', '-f']);
      const targets = [...(lists['--filename'] ?? []), ...(lists['-f'] ?? [])];
      if (targets.length === 0 || rest.length > 0) fail('error: must specify one of -f and -k');
      for (const target of targets) {
        if (!fs.existsSync(target)) fail(`error: the path "${target}" does not exist`);
        const files = fs.statSync(target).isDirectory()
          ? fs.readdirSync(target).filter((f) => /\.(ya?ml|json)$/.test(f)).sort().map((f) => path.join(target, f))
          : [target];
        const objects = files.flatMap((file) => parseYamlObjects(fs.readFileSync(file, 'utf8'), file).map((o) => { checkObject(o, file); return o; }));
        if (objects.length === 0) fail('error: no objects passed to apply');
        store(state, objects, namespace).forEach((line) => out(line));
      }
      return save();
    }
    case 'wait': {
      allow(['--for', '--selector', '-l', '--timeout']);
      const selector = flags['--selector'] ?? flags['-l'];
      if (!['pod', 'pods'].includes(rest[0]) || rest.length !== 1 || !selector) unknown(`kubectl wait ${rest.join(' ')} (only: wait --for=condition=ready pod -l SELECTOR)`);
      if (flags['--for'] !== 'condition=ready') unknown(`kubectl wait --for=${flags['--for']}`);
      const wanted = Object.fromEntries(selector.split(',').map((kv) => kv.split('=')));
      const pods = podsOf(state, scenario, namespace).filter((p) => Object.entries(wanted).every(([k, v]) => p.metadata.labels?.[k] === v));
      if (pods.length === 0) fail('error: no matching resources found');
      if (pods.some((p) => (scenario.stuck ?? {})[p.deployment])) timeOut(flags['--timeout'] ?? '30s');
      return pods.forEach((p) => out(`pod/${p.metadata.name} condition met`));
    }
    case 'get': {
      allow(['--output', '-o', '--selector', '-l', '--ignore-not-found']);
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
      const [word, name] = rest[0].includes('/') ? rest[0].split('/') : [rest[0], rest[1]];
      const kind = kindOf(word, state);
      const entry = state.objects[`${kind}/${CLUSTER_SCOPED.has(kind) ? '' : namespace}/${name}`];
      if (!entry) {
        if (flags['--ignore-not-found']) return undefined;
        fail(`Error from server (NotFound): ${word} "${name}" not found`);
      }
      if (output === 'name') return out(resourceName(entry.applied));
      if (output !== 'json') unknown(`kubectl get --output ${output}`);
      return out(JSON.stringify({ ...entry.applied, metadata: { ...entry.applied.metadata, generation: entry.generation } }));
    }
    case 'rollout': {
      allow(['--watch', '--timeout']);
      if (rest[0] !== 'status') unknown(`kubectl rollout ${rest[0]}`);
      const name = rest[1].replace(/^deployment\//, '');
      const key = `Deployment/${namespace}/${name}`;
      if (!state.objects[key]) fail(`Error from server (NotFound): deployments.apps "${name}" not found`);
      out(`Waiting for deployment "${name}" rollout to finish: 0 of 1 updated replicas are available...`);
      if ((scenario.stuck ?? {})[name]) timeOut(flags['--timeout']);
      return out(`deployment "${name}" successfully rolled out`);
    }
    case 'logs': {
      allow(['--container', '-c', '--tail', '--previous']);
      const pod = rest[0];
      const deployment = podsOf(state, scenario, namespace).find((p) => p.metadata.name === pod)?.deployment;
      const log = (scenario.stuck ?? {})[deployment]?.log ?? '';
      const tail = Number(flags['--tail'] ?? -1);
      const lines = log.split('\n');
      return out((tail >= 0 ? lines.slice(-tail) : lines).join('\n'));
    }
    case 'delete': {
      allow(['--ignore-not-found', '--wait']);
      // `delete kind/name ...` or `delete KIND NAME ...`.
      const refs = rest.every((r) => r.includes('/'))
        ? rest.map((r) => r.split('/'))
        : rest.slice(1).map((name) => [rest[0], name]);
      if (refs.length === 0) fail('error: resource(s) were provided, but no name was specified');
      for (const [word, name] of refs) {
        const kind = kindOf(word, state);
        const key = `${kind}/${CLUSTER_SCOPED.has(kind) ? '' : namespace}/${name}`;
        if (!state.objects[key]) {
          if (!flags['--ignore-not-found']) fail(`Error from server (NotFound): ${word} "${name}" not found`);
          continue;
        }
        out(`${resourceName(state.objects[key].applied).split('/')[0]} "${name}" deleted`);
        delete state.objects[key];
      }
      return save();
    }
    default:
      return unknown(`kubectl ${verb}`);
  }
}

// ---------------------------------------------------------------- helm

/** Helm commands that need no cluster: the real helm runs them. */
const HELM_OFFLINE = ['template', 'lint', 'package', 'show', 'dependency', 'create', 'version'];
const HELM_VALUE_FLAGS = ['--set', '--set-string', '--set-json', '--set-file', '-f', '--values'];
const HELM_FLAGS = {
  '--namespace': true, '-n': true, '--kube-context': true, '--output': true, '-o': true, '--timeout': true,
  '--install': false, '-i': false, '--reuse-values': false, '--wait': false, '--atomic': false, '--create-namespace': false,
  '--logs': false, '-A': false, '--all-namespaces': false,
  ...Object.fromEntries(HELM_VALUE_FLAGS.map((f) => [f, true])),
};

/** The value flags of `args`, in order, as given. */
function valueArgs(args) {
  const values = [];
  for (let i = 0; i < args.length; i++) {
    const [name] = args[i].split('=');
    if (HELM_VALUE_FLAGS.includes(name)) values.push(...(args[i].includes('=') && name.startsWith('--') ? [args[i]] : [args[i], args[++i]]));
  }
  return values;
}

function helm(args) {
  const scenario = read('scenario.json', {});
  if (HELM_OFFLINE.includes(args[0])) {
    const r = spawnSync(scenario.realHelm, args, { stdio: 'inherit' });
    return process.exit(r.status ?? 1);
  }
  const state = readState();
  const { flags, positional } = parse(args, HELM_FLAGS);
  const namespace = flags['--namespace'] ?? flags['-n'] ?? 'default';
  const [verb, ...rest] = positional;
  const common = ['--namespace', '-n', '--kube-context'];
  const allow = (extra) => only(flags, [...common, ...extra], `helm ${verb}`);
  contextOf(scenario, flags['--kube-context']);
  if (verb === 'upgrade' || verb === 'install') {
    allow(['--install', '-i', '--reuse-values', '--wait', '--atomic', '--timeout', '--create-namespace', ...HELM_VALUE_FLAGS]);
    if (rest.length !== 2) fail(`Error: "helm ${verb}" requires 2 arguments`);
    const [release, chart] = rest;
    const key = `${namespace}/${release}`;
    const previous = state.releases[key];
    if (verb === 'install' && previous) fail('Error: INSTALLATION FAILED: cannot re-use a name that is still in use');
    if (!previous && verb === 'upgrade' && !flags['--install'] && !flags['-i']) fail(`Error: UPGRADE FAILED: "${release}" has no deployed releases`);
    if (!fs.existsSync(path.join(chart, 'Chart.yaml'))) fail(`Error: path "${chart}" not found, or it is not a chart`);
    const values = flags['--reuse-values'] && previous ? [...previous.valueArgs, ...valueArgs(args)] : valueArgs(args);
    const rendered = spawnSync(scenario.realHelm, ['template', release, chart, '--namespace', namespace, ...values], { encoding: 'utf8' });
    if (rendered.status !== 0) fail(rendered.stderr);
    const docs = parseYamlObjects(rendered.stdout, `helm template ${release} ${chart}`).map((o) => { checkObject(o, chart); return o; });
    const hooks = docs.filter(isHook);
    const objects = docs.filter((d) => !isHook(d));
    store(state, objects, namespace);
    state.releases[key] = { name: release, namespace, chart, valueArgs: values, revision: (previous?.revision ?? 0) + 1, objects: objects.map((d) => keyOf(d, namespace)), hooks };
    write('state.json', state);
    if (!previous && verb === 'upgrade') out(`Release "${release}" does not exist. Installing it now.`);
    return out(`NAME: ${release}\nLAST DEPLOYED: Wed Jan  1 12:00:00 2025\nNAMESPACE: ${namespace}\nSTATUS: deployed\nREVISION: ${state.releases[key].revision}`);
  }
  if (verb === 'list' || verb === 'ls') {
    allow(['--output', '-o', '-A', '--all-namespaces']);
    const all = flags['-A'] || flags['--all-namespaces'];
    const releases = Object.values(state.releases).filter((r) => all || r.namespace === namespace);
    const output = flags['--output'] ?? flags['-o'];
    if (output === 'json') {
      return out(JSON.stringify(releases.map((r) => ({ name: r.name, namespace: r.namespace, revision: String(r.revision), status: 'deployed' }))));
    }
    if (output !== undefined) unknown(`helm list --output ${output}`);
    return out(['NAME\tNAMESPACE\tREVISION\tSTATUS\tCHART', ...releases.map((r) => `${r.name}\t${r.namespace}\t${r.revision}\tdeployed\t${path.basename(r.chart)}`)].join('\n'));
  }
  if (verb === 'test') {
    allow(['--logs', '--timeout']);
    const entry = state.releases[`${namespace}/${rest[0]}`];
    if (rest.length !== 1 || !entry) fail('Error: release: not found');
    const tests = entry.hooks.filter((o) => o.kind === 'Pod' && String(o.metadata.annotations['helm.sh/hook']).split(',').includes('test'));
    if (tests.length === 0) fail(`Error: no test hooks in release ${rest[0]}`);
    return out(`NAME: ${rest[0]}\n${tests.map((t) => `TEST SUITE:     ${t.metadata.name}\nPhase:          (stand-in: not run)`).join('\n')}`);
  }
  if (verb === 'uninstall') {
    allow(['--wait', '--timeout']);
    if (rest.length === 0) fail('Error: "helm uninstall" requires at least 1 argument');
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
  return unknown(`helm ${args.join(' ')}`);
}

// ---------------------------------------------------------------- npm

/** npm scripts that are not run, and why; the script must exist. */
const NPM_NOT_RUN = {
  test: 'the run this test belongs to',
  'test:consumer': 'packs, installs and compiles: minutes; CI runs it',
  bench: 'about 2 minutes',
};

function npm(args) {
  const scenario = read('scenario.json', {});
  const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
  const [verb, ...rest] = args.filter((a) => a !== '--silent');
  const needScript = (name) => {
    if (!pkg.scripts?.[name]) fail(`npm error Missing script: "${name}"`);
  };
  if (verb === 'ci') {
    if (rest.length > 0) unknown(`npm ci ${rest.join(' ')}`);
    const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'));
    const root = lock.packages?.[''] ?? {};
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
      if (JSON.stringify(root[field] ?? {}) !== JSON.stringify(pkg[field] ?? {})) {
        fail(`npm error \`npm ci\` can only install packages when your package.json and package-lock.json are in sync (${field} differ)`);
      }
    }
    out('npm ci: not run (stand-in: it takes about a minute; package-lock.json agrees with package.json)');
  } else if (verb === 'test' || verb === 't' || ((verb === 'run' || verb === 'run-script') && rest[0] in NPM_NOT_RUN)) {
    const script = verb === 'test' || verb === 't' ? 'test' : rest[0];
    needScript(script);
    out(`npm run ${script}: not run (stand-in: ${NPM_NOT_RUN[script]}); the script exists`);
  } else if (verb === 'install' || verb === 'i') {
    const names = rest.filter((a) => !a.startsWith('-'));
    const allowed = [pkg.name, ...Object.keys(pkg.peerDependencies ?? {})];
    if (names.length === 0) unknown('npm install without package names');
    for (const name of names) {
      if (!allowed.includes(name)) fail(`npm install ${name}: not ${pkg.name} or one of its peer dependencies (${allowed.join(', ')}) (stand-in)`);
    }
    out(`npm install ${names.join(' ')}: not run (stand-in: needs the registry; npm run test:consumer installs the packed library with its peers)`);
  } else if (verb === 'run' || verb === 'run-script') {
    needScript(rest[0]);
    const r = spawnSync(scenario.realNpm, args, { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  } else {
    unknown(`npm ${verb}`);
  }
}

/** The tools there are stand-ins for. */
const TOOLS = { minikube, docker, kubectl, helm, npm };

/** Runs the stand-in for `name` with the process's arguments, recording the call. */
function main(name) {
  tool = name;
  const args = process.argv.slice(2);
  fs.appendFileSync(path.join(DIR, 'calls.jsonl'), `${JSON.stringify({ tool, args, dockerHost: process.env.DOCKER_HOST ?? null })}\n`);
  TOOLS[tool](args);
}

module.exports = { main, TOOLS: Object.keys(TOOLS), NODE_ADDRESS };
