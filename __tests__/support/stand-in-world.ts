import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../lib/deploy/cli';
import { BACKEND_NODE_PORT } from '../../lib/todo-backend';
import { FRONTEND_NODE_PORT } from '../../lib/todo-frontend';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { helmPath } = require('../../scripts/helm.js');

/** The tools deploy runs, each replaced by a stand-in. */
export const TOOLS = ['minikube', 'docker', 'kubectl', 'helm'] as const;

const STAND_IN = path.join(__dirname, 'stand-ins', 'tools.js');

/** The node address every stand-in Minikube profile has (`minikube ip`): loopback, where the NodePortServers listen. */
export const NODE_ADDRESS = '127.0.0.1';

/**
 * Writes one executable per tool into `bin` that runs its stand-in
 * (__tests__/support/stand-ins/tools.js, which reads $STAND_IN_DIR).
 */
export function writeStandIns(bin: string, tools: readonly string[]): void {
  for (const tool of tools) {
    fs.writeFileSync(path.join(bin, tool), `#!${process.execPath}\nrequire(${JSON.stringify(STAND_IN)}).main(${JSON.stringify(tool)});\n`, { mode: 0o755 });
  }
}

/** One recorded call of a stand-in. */
export interface Call {
  readonly tool: string;
  readonly args: string[];
  readonly dockerHost: string | null;
}

/** What a stand-in NodePort answers: a status per path (404 for others). */
export type Routes = { [path: string]: number };

/** A stand-in NodePort: an HTTP server on 127.0.0.1 that records the paths requested. */
export class NodePortServer {
  public readonly requests: string[] = [];
  public routes: Routes;

  private constructor(private readonly server: http.Server, public readonly port: number, routes: Routes) {
    this.routes = routes;
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.requests.push(req.url ?? '');
      const status = this.routes[req.url ?? ''] ?? 404;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status < 300 ? 'ok' : 'database is not ready');
    });
  }

  /**
   * Listens on 127.0.0.1 at a free port in the NodePort range 30000-32767,
   * other than the default nodePorts (which `NodePortServer.at` serves).
   */
  public static async start(routes: Routes, avoid: number[] = [], preferred?: number): Promise<NodePortServer> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = attempt === 0 && preferred !== undefined ? preferred : 30000 + Math.floor(Math.random() * 2768);
      if (avoid.includes(port) || (port !== preferred && (port === BACKEND_NODE_PORT || port === FRONTEND_NODE_PORT))) continue;
      const server = await NodePortServer.listen(port);
      if (server) {
        return new NodePortServer(server, port, routes);
      }
    }
    throw new Error('no free port in 30000-32767 on 127.0.0.1');
  }

  /**
   * Listens on 127.0.0.1 at exactly `port` (a Service's nodePort), waiting
   * up to `waitMs` while another process holds it.
   */
  public static async at(port: number, routes: Routes, waitMs = 60_000): Promise<NodePortServer> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const server = await NodePortServer.listen(port);
      if (server) return new NodePortServer(server, port, routes);
      if (Date.now() > deadline) throw new Error(`port ${port} on 127.0.0.1 stayed in use for ${waitMs / 1000}s: the stand-in NodePort cannot listen there`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  private static async listen(port: number): Promise<http.Server | undefined> {
    const server = http.createServer();
    const listening = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    return listening ? server : undefined;
  }

  public close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The scenario the stand-ins play. */
export interface Scenario {
  /** Minikube profiles: running or not, and `minikube ip` (`minikube start` adds and starts one). */
  minikube?: { [profile: string]: { status: 'Running' | 'Stopped'; ip: string } };
  /** kubectl's current context and the contexts it knows. */
  currentContext?: string;
  contexts?: string[];
  /** Images (repositories) whose `docker build` fails. */
  failBuild?: string[];
  /** Deployments whose rollout never finishes (crash loop), with their container's log. */
  stuck?: { [deployment: string]: { log: string } };
  /** The real helm, used by the helm stand-in to render charts and for commands that need no cluster. */
  realHelm?: string;
  /** The real npm, for `npm run SCRIPT`. */
  realNpm?: string;
  /** Whether `docker` with DOCKER_HOST unset reaches a local daemon (else only Minikube's answers). */
  localDocker?: boolean;
}

/**
 * A temporary world for one deploy test: stand-in executables first (and
 * alone, with node and sh) on PATH, a Todo app repository with both build
 * contexts, two stand-in NodePorts on 127.0.0.1, and the scenario.
 */
export class StandInWorld {
  public readonly dir: string;
  public readonly bin: string;
  public readonly appDir: string;
  public readonly outdir: string;
  public readonly secretsFile: string;

  private constructor(public readonly backend: NodePortServer, public readonly frontend: NodePortServer) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-'));
    this.bin = path.join(this.dir, 'bin');
    this.appDir = path.join(this.dir, 'todo-app');
    this.outdir = path.join(this.dir, 'dist');
    this.secretsFile = path.join(this.dir, 'secrets.json');
    fs.mkdirSync(this.bin);
    writeStandIns(this.bin, TOOLS);
    fs.symlinkSync(process.execPath, path.join(this.bin, 'node'));
    fs.symlinkSync('/bin/sh', path.join(this.bin, 'sh'));
    fs.mkdirSync(path.join(this.appDir, 'backend'), { recursive: true });
    fs.mkdirSync(path.join(this.appDir, 'frontend'), { recursive: true });
    this.writeApp('backend/Dockerfile', 'FROM python:3.12-slim\nCOPY . /app\nCMD ["uvicorn", "main:app", "--host", "0.0.0.0"]\n');
    this.writeApp('backend/main.py', 'from fastapi import FastAPI\napp = FastAPI()\n');
    this.writeApp('frontend/Dockerfile', 'FROM node:20-alpine\nARG NEXT_PUBLIC_API_URL\nCOPY . /app\nRUN npm run build\n');
    this.writeApp('frontend/.dockerignore', 'node_modules\n.next\n');
    this.writeApp('frontend/package.json', '{"name":"todo-frontend"}\n');
    this.writeApp('frontend/node_modules/next/index.js', 'module.exports = {};\n');
    this.scenario({ minikube: { minikube: { status: 'Running', ip: NODE_ADDRESS } }, currentContext: 'minikube', contexts: ['minikube'], realHelm: helmPath() });
  }

  /**
   * A world whose NodePorts answer 200 at the backend's `/health` and the
   * frontend's `/`, on the preferred ports when they are free.
   */
  public static async create(preferredPorts?: { backend: number; frontend: number }): Promise<StandInWorld> {
    const backend = await NodePortServer.start({ '/health': 200 }, [], preferredPorts?.backend);
    const frontend = await NodePortServer.start({ '/': 200 }, [backend.port], preferredPorts?.frontend);
    return new StandInWorld(backend, frontend);
  }

  /** Writes a file of the Todo app repository. */
  public writeApp(file: string, text: string): void {
    fs.mkdirSync(path.dirname(path.join(this.appDir, file)), { recursive: true });
    fs.writeFileSync(path.join(this.appDir, file), text);
  }

  /** Changes the scenario (shallow merge). */
  public scenario(changes: Scenario): void {
    const file = path.join(this.dir, 'scenario.json');
    const current = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
    fs.writeFileSync(file, JSON.stringify({ ...current, ...changes }, null, 2));
  }

  /** The environment of a deploy in this world: nothing from the test's own environment but HOME. */
  public env(extra: { [name: string]: string } = {}): { [name: string]: string } {
    return {
      HOME: process.env.HOME ?? this.dir,
      PATH: this.bin,
      STAND_IN_DIR: this.dir,
      KUBECONFIG: path.join(this.dir, 'no-kubeconfig'),
      TODO_SECRETS_FILE: this.secretsFile,
      TODO_BACKEND_NODE_PORT: String(this.backend.port),
      TODO_FRONTEND_NODE_PORT: String(this.frontend.port),
      ...extra,
    };
  }

  /** Runs the command line in this process, as `todo-cdk8s <argv>`, with plain (non-terminal) output. */
  public async run(argv: string[], extraEnv: { [name: string]: string } = {}): Promise<{ code: number; output: string }> {
    let output = '';
    const code = await main(argv, { env: this.env(extraEnv), cwd: this.dir, stdout: { write: (text: string) => (output += text) }, tty: false, plainIntervalMs: 0 });
    return { code, output };
  }

  /** Every call the stand-ins recorded, in order. */
  public calls(): Call[] {
    const file = path.join(this.dir, 'calls.jsonl');
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line)) : [];
  }

  /** Forgets the recorded calls. */
  public clearCalls(): void {
    fs.rmSync(path.join(this.dir, 'calls.jsonl'), { force: true });
  }

  /** The stand-in cluster and Docker daemon. */
  public state(): { objects: { [key: string]: { applied: any } }; rollouts: { [key: string]: number }; images: { [ref: string]: string }; releases: { [key: string]: any } } {
    const file = path.join(this.dir, 'state.json');
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : { objects: {}, rollouts: {}, images: {}, releases: {} };
  }

  public async close(): Promise<void> {
    await this.backend.close();
    await this.frontend.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A call as one line: `docker build --tag ...`. */
export function line(call: Call): string {
  return [call.tool, ...call.args].join(' ');
}
