import { Construct } from 'constructs';
import { AppComponent, DEFAULT_NODE_ADDRESS } from './app-component';
import { TodoBackend, TodoBackendProps } from './todo-backend';
import { TodoFrontend, TodoFrontendProps } from './todo-frontend';
import { check, Rules } from './validation';

/** Options of the backend inside a {@link TodoApp}. */
export type TodoAppBackendOptions = Omit<TodoBackendProps, 'nodeAddress'>;

/** Options of the frontend inside a {@link TodoApp}; its backend is the app's. */
export type TodoAppFrontendOptions = Omit<TodoFrontendProps, 'backend' | 'nodeAddress'>;

/**
 * Properties of a {@link TodoApp}.
 */
export interface TodoAppProps {
  /**
   * The address users reach NodePorts at: the Minikube node's IP (`minikube ip`).
   * Every URL of the app (`CORS_ORIGINS`, `NEXT_PUBLIC_API_URL`,
   * `NEXT_PUBLIC_APP_URL`) is derived from it and the Services' nodePorts.
   *
   * @default '192.168.49.2'
   */
  readonly nodeAddress?: string;

  /**
   * Backend options.
   *
   * @default - the design's backend
   */
  readonly backend?: TodoAppBackendOptions;

  /**
   * Frontend options.
   *
   * @default - the design's frontend
   */
  readonly frontend?: TodoAppFrontendOptions;
}

/**
 * The whole Todo app: a {@link TodoBackend} and a {@link TodoFrontend} wired
 * together. The frontend's image is built against the backend's NodePort URL,
 * and the backend accepts browser calls from the frontend's URL; both follow
 * the Services' nodePorts and the one `nodeAddress`.
 *
 * @example
 * const chart = new Chart(app, 'todo', { namespace: 'todo' });
 * const todo = new TodoApp(chart, 'todo', {
 *   nodeAddress: '192.168.58.2',
 *   backend: { nodePort: 31000 },
 * });
 * todo.frontend.image.buildArgs.NEXT_PUBLIC_API_URL; // 'http://192.168.58.2:31000'
 */
export class TodoApp extends Construct {
  /** The backend. */
  public readonly backend: TodoBackend;
  /** The frontend. */
  public readonly frontend: TodoFrontend;
  /** The address users reach NodePorts at. */
  public readonly nodeAddress: string;

  constructor(scope: Construct, id: string, props: TodoAppProps = {}) {
    super(scope, id);
    this.nodeAddress = check('nodeAddress', props.nodeAddress ?? DEFAULT_NODE_ADDRESS, Rules.hostAddress);
    this.backend = new TodoBackend(this, 'backend', { ...props.backend, nodeAddress: this.nodeAddress });
    this.frontend = new TodoFrontend(this, 'frontend', { ...props.frontend, backend: this.backend, nodeAddress: this.nodeAddress });
    if (this.frontend.name === this.backend.name) {
      throw new Error(`'frontend.name' must differ from 'backend.name' (they name Deployments and Services in one namespace), got ${JSON.stringify(this.frontend.name)} for both`);
    }
    if (this.frontend.nodePort !== undefined && this.frontend.nodePort === this.backend.nodePort) {
      throw new Error(`'frontend.nodePort' must differ from 'backend.nodePort' (a nodePort serves one Service per cluster), got ${this.frontend.nodePort} for both`);
    }
  }

  /** The components, backend first. */
  public get components(): AppComponent[] {
    return [this.backend, this.frontend];
  }
}
