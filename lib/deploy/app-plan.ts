import { App } from 'cdk8s';
import { AppComponent } from '../app-component';
import { buildDefaultApp } from '../default-app';
import { checkPath } from '../features/probes';
import { Environment, readSettings } from '../settings';
import { Profile } from '../todo-app';

/** What deploy needs to know about an image: how to build it and what to call it. */
export interface ImagePlan {
  /** Repository, without tag. */
  readonly name: string;
  /** Tag. */
  readonly tag: string;
  /** `name:tag`. */
  readonly reference: string;
  /** Build context, relative to the Todo app's repository (`backend/`). */
  readonly buildContext: string;
  /** Build arguments, sorted by name. */
  readonly buildArgs: { readonly [name: string]: string };
}

/** One component of the default app, as deploy sees it. */
export interface ComponentPlan {
  /** `backend` or `frontend`: the chart under `helm/` and the `TODO_<ROLE>_*` settings. */
  readonly role: string;
  /** Name of the Deployment, the Service and the Helm release. */
  readonly name: string;
  /** The image. */
  readonly image: ImagePlan;
  /** The URL browsers reach the component at. */
  readonly url: string;
  /** The path the smoke test requests (`checkPath`, as the chart's `helm test`): the readiness probe's HTTP path, else the liveness probe's, else `/`. */
  readonly smokePath: string;
  /** The PersistentVolumeClaim holding the component's data, if it keeps any. */
  readonly dataClaim?: string;
}

/** A Kubernetes object of the plain manifests. */
export interface ObjectRef {
  readonly kind: string;
  readonly name: string;
}

/** The default app as deploy sees it, read from the settings without writing anything. */
export interface AppPlan {
  /** The namespace of every object. */
  readonly namespace: string;
  /** The node address the URLs are built for. */
  readonly nodeAddress: string;
  /** The components, backend first (the order they are applied in). */
  readonly components: readonly ComponentPlan[];
  /** The objects of the plain manifests, in their order. */
  readonly objects: readonly ObjectRef[];
}

/** The build and deploy facts of one component, read from the component itself. */
export function componentPlan(component: AppComponent): ComponentPlan {
  const image = component.image;
  return {
    role: component.role,
    name: component.name,
    image: {
      name: image.name,
      tag: image.tag,
      reference: image.reference,
      buildContext: image.buildContext,
      buildArgs: { ...image.buildArgs },
    },
    url: component.url,
    smokePath: checkPath(component),
    dataClaim: component.persistentVolumeClaim ? component.dataClaimName : undefined,
  };
}

/**
 * The default app that `synthesize({ env })` would write, as data: builds
 * the same construct tree from the same settings in memory (secrets are not
 * read nor saved, nothing is written), and reads names, images, build
 * contexts and URLs from the components. Deploy refuses the cluster profile:
 * it deploys to Minikube.
 *
 * @throws Error for a bad setting (as synth does), or with `TODO_PROFILE=cluster`
 */
export function planApp(env: Environment): AppPlan {
  const settings = readSettings(env);
  if (settings.app.profile === Profile.CLUSTER) {
    throw new Error(`'TODO_PROFILE' must be "minikube" for deploy (it builds into Minikube and smoke-tests NodePorts), got "cluster"; deploy a cluster with npm run synth, docker push and kubectl apply (README, "From Minikube to a cluster")`);
  }
  const app = new App();
  const todo = buildDefaultApp(app, settings, {});
  return {
    namespace: settings.namespace,
    nodeAddress: todo.nodeAddress,
    components: todo.components.map(componentPlan),
    objects: app.charts.flatMap((chart) => chart.toJson()).map((o) => ({ kind: o.kind, name: o.metadata.name })),
  };
}

/** The setting that holds a component's image tag: `TODO_BACKEND_IMAGE_TAG`. */
export function tagSetting(role: string): string {
  return `TODO_${role.toUpperCase()}_IMAGE_TAG`;
}
