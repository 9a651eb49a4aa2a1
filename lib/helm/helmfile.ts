import { stringifyYaml } from '../yaml-text';
import { TodoHelmChart } from './todo-helm-chart';

/** A chart and where it sits relative to the helmfile. */
export interface HelmfileRelease {
  readonly chart: TodoHelmChart;
  /** The chart directory relative to the helmfile (`./backend`). */
  readonly path: string;
}

/**
 * The design's Helm Release entity (release name, chart path, namespace,
 * values) for each chart, as a `helmfile.yaml` that `helmfile apply` reads.
 * Releases are named after their component (so objects keep the plain
 * manifests' names) and installed in order: each release needs the ones
 * before it (the frontend is built against the backend's URL).
 */
export function renderHelmfile(releases: readonly HelmfileRelease[]): string {
  const entries = releases.map((r, i) => {
    const c = r.chart.component;
    return {
      name: c.name,
      namespace: c.namespace,
      chart: r.path,
      ...(c.namespace === 'default' ? {} : { createNamespace: true }),
      ...(i > 0 ? { needs: [`${releases[i - 1].chart.component.namespace}/${releases[i - 1].chart.component.name}`] } : {}),
      values: [{ image: { tag: c.image.tag }, replicaCount: c.replicas }],
    };
  });
  return [
    '# The Todo app\'s Helm releases, one per service (the design\'s Helm Release entity).',
    '# `helmfile apply` installs or upgrades both; the plain commands are in the README.',
    '# Every value not listed keeps the chart default (values.yaml beside each chart).',
    stringifyYaml({ releases: entries }),
  ].join('\n');
}
