#!/usr/bin/env node
/**
 * Stand-ins for the tools the README's commands need a cluster or Docker for,
 * used by __tests__/readme.test.ts: `node readme-standins.js <tool> <args...>`
 * (the test puts one small `<tool>` script per tool first on PATH).
 *
 * They do what the real tool would check before touching a cluster, and keep a
 * pretend cluster in a JSON file (README_STANDIN_STATE): the objects applied,
 * the Helm releases with the objects the real `helm template` rendered for
 * them, and the images built. A command on something that is not there fails
 * as the real one would (exit 1, a message on stderr), so the README's
 * commands are checked against what `npm run synth` really wrote:
 *
 * - `kubectl apply -f PATH`: PATH exists; its YAML files (not subdirectories,
 *   as kubectl) parse into objects with apiVersion, kind and name.
 *   `kubectl wait ... pod -l SELECTOR`: a workload's pods (not Helm hooks)
 *   carry the labels. `kubectl delete KIND NAME`: the object exists.
 * - `helm upgrade [--install]` / `helm install`: the chart is rendered by the
 *   real `helm template` with the same release, namespace and values
 *   (`--reuse-values` reuses the release's earlier ones); `helm test`, `helm
 *   uninstall` need the release (uninstall leaves `helm.sh/resource-policy:
 *   keep` objects behind, as Helm does); `helm list` lists. Every other helm
 *   command (`template`, `lint`, ...) runs the real helm (README_REAL_HELM).
 * - `minikube start`, `minikube ip` (192.168.49.2), `minikube docker-env`
 *   (a loopback DOCKER_HOST that nothing contacts), `minikube service NAME`:
 *   the Service exists and has a nodePort; prints its URL.
 * - `docker build`: the build context exists and holds a Dockerfile;
 *   `docker push`: the image was built.
 * - `npm ci`: not run (it takes about a minute; the test runs in an installed
 *   tree); package-lock.json must agree with package.json, as `npm ci`
 *   requires. `npm test`, `npm run test:consumer`, `npm run bench`: not run
 *   (the first is the run this test belongs to, the others take minutes and
 *   CI runs `npm run test:consumer`); the script must exist. `npm install
 *   PKG...`: not run (it needs the registry; `npm run test:consumer` installs
 *   the packed library with its peers for real); each name must be this
 *   package or one of its peer dependencies. Every other npm command runs the
 *   real npm (README_REAL_NPM), for a `run SCRIPT` after checking the script
 *   exists.
 *
 * A subcommand or flag a stand-in does not know fails, naming itself, so a
 * new README command is taught here rather than passing unchecked. Every call
 * is appended to README_STANDIN_CALLS (one JSON line) for the test's messages.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const YAML = require('yaml');

const NODE_ADDRESS = '192.168.49.2';
const [tool, ...args] = process.argv.slice(2);
const stateFile = process.env.README_STANDIN_STATE;

if (process.env.README_STANDIN_CALLS) {
  fs.appendFileSync(process.env.README_STANDIN_CALLS, `${JSON.stringify({ tool, args, cwd: process.cwd() })}\n`);
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function unknown(what) {
  fail(`${tool} (README stand-in, __tests__/support/readme-standins.js): does not know ${what}; teach it there`);
}

function loadState() {
  try {
    return JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  } catch {
    return { objects: [], releases: {}, images: [] };
  }
}

function saveState(state) {
  fs.writeFileSync(stateFile, JSON.stringify(state));
}

/**
 * Splits arguments into flags and positional arguments. `spec` maps each known
 * flag (and its aliases) to whether it takes a value.
 */
function parseArgs(list, spec) {
  const flags = {};
  const positional = [];
  for (let i = 0; i < list.length; i++) {
    const arg = list[i];
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!(name in spec)) {
      unknown(`the flag ${name}`);
    }
    const takesValue = spec[name];
    let value = true;
    if (takesValue) {
      if (eq > 0) {
        value = arg.slice(eq + 1);
      } else if (i + 1 < list.length) {
        value = list[++i];
      } else {
        fail(`${tool}: flag needs an argument: ${name}`);
      }
    }
    (flags[name] ??= []).push(value);
  }
  return { flags, positional };
}

function parseObjects(text, where) {
  return YAML.parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) {
      fail(`error: error parsing ${where}: ${doc.errors[0].message}`);
    }
    return doc.toJSON();
  }).filter((o) => o !== null && o !== undefined);
}

function checkObject(o, where) {
  if (typeof o !== 'object' || !o.apiVersion || !o.kind || !o.metadata?.name) {
    fail(`error: error validating "${where}": an object lacks apiVersion, kind or metadata.name`);
  }
}

function key(o) {
  return `${o.kind}/${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
}

/** Every object in the pretend cluster: applied ones and those of the releases. */
function allObjects(state) {
  return [...state.objects, ...Object.values(state.releases).flatMap((r) => r.objects)];
}

function isHook(o) {
  return o.metadata?.annotations?.['helm.sh/hook'] !== undefined;
}

/** The labels of the pods a workload or bare Pod runs. */
function podLabels(o) {
  if (o.kind === 'Pod') return o.metadata.labels ?? {};
  return o.spec?.template?.metadata?.labels;
}

const KINDS = {
  pvc: 'PersistentVolumeClaim', persistentvolumeclaim: 'PersistentVolumeClaim', persistentvolumeclaims: 'PersistentVolumeClaim',
  deployment: 'Deployment', deployments: 'Deployment', deploy: 'Deployment',
  service: 'Service', services: 'Service', svc: 'Service',
  secret: 'Secret', secrets: 'Secret', configmap: 'ConfigMap', configmaps: 'ConfigMap', cm: 'ConfigMap',
  pod: 'Pod', pods: 'Pod', namespace: 'Namespace', ns: 'Namespace',
};

function kubectl() {
  const [verb, ...rest] = args;
  const state = loadState();
  if (verb === 'apply') {
    const { flags, positional } = parseArgs(rest, { '-f': true, '--filename': true, '-n': true, '--namespace': true });
    const files = [...(flags['-f'] ?? []), ...(flags['--filename'] ?? [])];
    if (files.length === 0 || positional.length > 0) fail('error: must specify one of -f and -k');
    for (const target of files) {
      if (!fs.existsSync(target)) fail(`error: the path "${target}" does not exist`);
      const list = fs.statSync(target).isDirectory()
        ? fs.readdirSync(target).filter((f) => /\.(ya?ml|json)$/.test(f)).sort().map((f) => path.join(target, f))
        : [target];
      const objects = list.flatMap((file) => parseObjects(fs.readFileSync(file, 'utf8'), file).map((o) => { checkObject(o, file); return o; }));
      if (objects.length === 0) fail(`error: no objects passed to apply`);
      for (const o of objects) {
        state.objects = state.objects.filter((x) => key(x) !== key(o));
        state.objects.push(o);
        process.stdout.write(`${o.kind.toLowerCase()}/${o.metadata.name} configured\n`);
      }
    }
    saveState(state);
  } else if (verb === 'wait') {
    const { flags, positional } = parseArgs(rest, { '--for': true, '-l': true, '--selector': true, '--timeout': true, '-n': true, '--namespace': true });
    const selector = (flags['-l'] ?? flags['--selector'] ?? [])[0];
    if (!['pod', 'pods'].includes(positional[0]) || positional.length !== 1 || !selector) unknown(`kubectl wait ${rest.join(' ')} (only: wait --for=... pod -l SELECTOR)`);
    if (flags['--for']?.[0] !== 'condition=ready') unknown(`kubectl wait --for=${flags['--for']?.[0]}`);
    const namespace = (flags['-n'] ?? flags['--namespace'] ?? ['default'])[0];
    const wanted = Object.fromEntries(selector.split(',').map((kv) => kv.split('=')));
    const matching = allObjects(state).filter((o) => !isHook(o) && (o.metadata.namespace ?? 'default') === namespace
      && podLabels(o) && Object.entries(wanted).every(([k, v]) => podLabels(o)[k] === v));
    if (matching.length === 0) fail('error: no matching resources found');
    for (const o of matching) process.stdout.write(`pod of ${o.kind.toLowerCase()}/${o.metadata.name} condition met\n`);
  } else if (verb === 'delete') {
    const { flags, positional } = parseArgs(rest, { '-n': true, '--namespace': true });
    const [kindName, ...names] = positional;
    const kind = KINDS[kindName];
    if (!kind || names.length === 0) unknown(`kubectl delete ${positional.join(' ')}`);
    const namespace = (flags['-n'] ?? flags['--namespace'] ?? ['default'])[0];
    for (const name of names) {
      const k = `${kind}/${namespace}/${name}`;
      if (!state.objects.some((o) => key(o) === k)) {
        fail(`Error from server (NotFound): ${kindName} "${name}" not found${Object.values(state.releases).some((r) => r.objects.some((o) => key(o) === k)) ? ' (it belongs to a Helm release)' : ''}`);
      }
      state.objects = state.objects.filter((o) => key(o) !== k);
      process.stdout.write(`${kind.toLowerCase()} "${name}" deleted\n`);
    }
    saveState(state);
  } else {
    unknown(`kubectl ${verb}`);
  }
}

const HELM_VALUE_FLAGS = ['--set', '--set-string', '--set-json', '--set-file', '-f', '--values'];

function helmRender(release, chart, namespace, valueArgs) {
  if (!fs.existsSync(path.join(chart, 'Chart.yaml'))) fail(`Error: path "${chart}" not found, or it is not a chart`);
  const r = spawnSync(process.env.README_REAL_HELM, ['template', release, chart, '--namespace', namespace, ...valueArgs], { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    process.exit(r.status ?? 1);
  }
  return parseObjects(r.stdout, `helm template ${release} ${chart}`).map((o) => { checkObject(o, chart); return o; });
}

function helm() {
  const [verb, ...rest] = args;
  const state = loadState();
  if (verb === 'upgrade' || verb === 'install') {
    const spec = { '--install': false, '-i': false, '--reuse-values': false, '--namespace': true, '-n': true, '--wait': false, '--atomic': false, '--timeout': true, '--create-namespace': false };
    for (const f of HELM_VALUE_FLAGS) spec[f] = true;
    const { flags, positional } = parseArgs(rest, spec);
    if (positional.length !== 2) fail(`Error: "helm ${verb}" requires 2 arguments`);
    const [release, chart] = positional;
    const install = verb === 'install' || flags['--install'] || flags['-i'];
    const existing = state.releases[release];
    if (verb === 'install' && existing) fail(`Error: INSTALLATION FAILED: cannot re-use a name that is still in use`);
    if (!existing && !install) fail(`Error: UPGRADE FAILED: "${release}" has no deployed releases`);
    const namespace = (flags['--namespace'] ?? flags['-n'] ?? ['default'])[0];
    const valueArgs = [];
    for (let i = 0; i < rest.length; i++) {
      const [name] = rest[i].split('=');
      if (HELM_VALUE_FLAGS.includes(name)) valueArgs.push(...(rest[i].includes('=') && name.startsWith('--') ? [rest[i]] : [rest[i], rest[++i]]));
    }
    const values = flags['--reuse-values'] && existing ? [...existing.valueArgs, ...valueArgs] : valueArgs;
    const objects = helmRender(release, chart, namespace, values);
    state.releases[release] = { chart, namespace, valueArgs: values, objects, revision: (existing?.revision ?? 0) + 1 };
    saveState(state);
    process.stdout.write(`Release "${release}" has been ${existing ? 'upgraded' : 'installed'}. Revision ${state.releases[release].revision}. (README stand-in: ${objects.length} objects rendered by helm template)\n`);
  } else if (verb === 'uninstall') {
    const { positional } = parseArgs(rest, { '--namespace': true, '-n': true, '--wait': false });
    if (positional.length === 0) fail('Error: "helm uninstall" requires at least 1 argument');
    for (const release of positional) {
      const r = state.releases[release];
      if (!r) fail(`Error: uninstall: Release not loaded: ${release}: release: not found`);
      const kept = r.objects.filter((o) => !isHook(o) && o.metadata.annotations?.['helm.sh/resource-policy'] === 'keep');
      state.objects.push(...kept);
      delete state.releases[release];
      for (const o of kept) process.stdout.write(`These resources were kept due to the resource policy:\n[${o.kind}] ${o.metadata.name}\n`);
      process.stdout.write(`release "${release}" uninstalled\n`);
    }
    saveState(state);
  } else if (verb === 'test') {
    const { positional } = parseArgs(rest, { '--namespace': true, '-n': true, '--logs': false, '--timeout': true });
    const r = state.releases[positional[0]];
    if (positional.length !== 1 || !r) fail(`Error: release: not found`);
    const tests = r.objects.filter((o) => o.kind === 'Pod' && String(o.metadata.annotations?.['helm.sh/hook'] ?? '').split(',').includes('test'));
    if (tests.length === 0) fail(`Error: no test hooks in release ${positional[0]}`);
    process.stdout.write(tests.map((t) => `TEST SUITE:     ${t.metadata.name}\nPhase:          (README stand-in: not run)\n`).join(''));
  } else if (verb === 'list' || verb === 'ls') {
    parseArgs(rest, { '--namespace': true, '-n': true, '-A': false, '--all-namespaces': false });
    process.stdout.write(`NAME\tNAMESPACE\tREVISION\tCHART\n${Object.entries(state.releases).map(([n, r]) => `${n}\t${r.namespace}\t${r.revision}\t${r.chart}\n`).join('')}`);
  } else {
    const r = spawnSync(process.env.README_REAL_HELM, args, { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
}

function minikube() {
  const { flags, positional } = parseArgs(args, { '-p': true, '--profile': true, '--driver': true, '--cni': true, '--shell': true, '-n': true, '--namespace': true, '--url': false });
  const [verb, ...rest] = positional;
  const state = loadState();
  if (verb === 'start') {
    process.stdout.write('Done! kubectl is now configured to use "minikube" (README stand-in)\n');
  } else if (verb === 'ip') {
    process.stdout.write(`${NODE_ADDRESS}\n`);
  } else if (verb === 'docker-env') {
    const shell = (flags['--shell'] ?? ['bash'])[0];
    if (shell !== 'bash') unknown(`minikube docker-env --shell ${shell}`);
    process.stdout.write('export DOCKER_TLS_VERIFY="1"\nexport DOCKER_HOST="tcp://127.0.0.1:2376"\nexport MINIKUBE_ACTIVE_DOCKERD="minikube"\n');
  } else if (verb === 'service') {
    const namespace = (flags['-n'] ?? flags['--namespace'] ?? ['default'])[0];
    const service = allObjects(state).find((o) => o.kind === 'Service' && o.metadata.name === rest[0] && (o.metadata.namespace ?? 'default') === namespace);
    if (rest.length !== 1 || !service) fail(`Exiting due to SVC_NOT_FOUND: Service '${rest[0]}' was not found in '${namespace}' namespace.`);
    const nodePort = service.spec?.ports?.find((p) => p.nodePort !== undefined)?.nodePort;
    if (service.spec?.type !== 'NodePort' || nodePort === undefined) fail(`Exiting due to SVC_UNREACHABLE: service not available: no node port`);
    process.stdout.write(`http://${NODE_ADDRESS}:${nodePort}\n`);
  } else {
    unknown(`minikube ${verb}`);
  }
}

function docker() {
  const [verb, ...rest] = args;
  const state = loadState();
  if (verb === 'build') {
    const { flags, positional } = parseArgs(rest, { '--tag': true, '-t': true, '--build-arg': true, '-f': true, '--file': true });
    const tags = [...(flags['--tag'] ?? []), ...(flags['-t'] ?? [])];
    if (positional.length !== 1) fail('ERROR: "docker buildx build" requires exactly 1 argument.');
    const context = positional[0];
    const dockerfile = (flags['-f'] ?? flags['--file'] ?? [path.join(context, 'Dockerfile')])[0];
    if (!fs.existsSync(context) || !fs.statSync(context).isDirectory()) fail(`ERROR: unable to prepare context: path "${context}" not found`);
    if (!fs.existsSync(dockerfile)) fail(`ERROR: failed to solve: failed to read dockerfile: open ${dockerfile}: no such file or directory`);
    state.images.push(...tags.map((tag) => ({ tag, buildArgs: flags['--build-arg'] ?? [], dockerHost: process.env.DOCKER_HOST ?? null })));
    saveState(state);
    process.stdout.write(tags.map((t) => `Successfully tagged ${t} (README stand-in)\n`).join(''));
  } else if (verb === 'push') {
    const { positional } = parseArgs(rest, {});
    if (positional.length !== 1 || !state.images.some((i) => i.tag === positional[0])) fail(`An image does not exist locally with the tag: ${positional[0]}`);
    process.stdout.write(`${positional[0]}: pushed (README stand-in)\n`);
  } else {
    unknown(`docker ${verb}`);
  }
}

/** npm commands that are not run, and why; the script must exist. */
const NOT_RUN = {
  test: 'the run this test belongs to',
  'test:consumer': 'packs, installs and compiles: minutes; CI runs it',
  bench: 'about 2 minutes',
};

function npm() {
  const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
  const [verb, ...rest] = args.filter((a) => a !== '--silent');
  const realNpm = () => {
    const r = spawnSync(process.env.README_REAL_NPM, args, { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  };
  const needScript = (name) => {
    if (!pkg.scripts?.[name]) fail(`npm error Missing script: "${name}"`);
  };
  if (verb === 'ci') {
    const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'));
    const root = lock.packages?.[''] ?? {};
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
      if (JSON.stringify(root[field] ?? {}) !== JSON.stringify(pkg[field] ?? {})) {
        fail(`npm error \`npm ci\` can only install packages when your package.json and package-lock.json are in sync (${field} differ)`);
      }
    }
    process.stdout.write('npm ci: not run (README stand-in: it takes about a minute; package-lock.json agrees with package.json)\n');
  } else if (verb === 'test' || verb === 't' || ((verb === 'run' || verb === 'run-script') && rest[0] in NOT_RUN)) {
    const script = verb === 'test' || verb === 't' ? 'test' : rest[0];
    needScript(script);
    process.stdout.write(`npm run ${script}: not run (README stand-in: ${NOT_RUN[script]}); the script exists\n`);
  } else if (verb === 'install' || verb === 'i') {
    const names = rest.filter((a) => !a.startsWith('-'));
    const allowed = [pkg.name, ...Object.keys(pkg.peerDependencies ?? {})];
    if (names.length === 0) unknown('npm install without package names');
    for (const name of names) {
      if (!allowed.includes(name)) fail(`npm install ${name}: not ${pkg.name} or one of its peer dependencies (${allowed.join(', ')}) (README stand-in)`);
    }
    process.stdout.write(`npm install ${names.join(' ')}: not run (README stand-in: needs the registry; npm run test:consumer installs the packed library with its peers)\n`);
  } else if (verb === 'run' || verb === 'run-script') {
    needScript(rest[0]);
    realNpm();
  } else {
    unknown(`npm ${verb}`);
  }
}

const TOOLS = { kubectl, helm, minikube, docker, npm };
if (!(tool in TOOLS)) {
  fail(`readme-standins.js: no stand-in for ${tool}`);
}
TOOLS[tool]();
