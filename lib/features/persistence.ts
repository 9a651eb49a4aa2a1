import * as k8s from '../../imports/k8s';
import type { AppComponent, PersistentVolume } from '../app-component';
import { CLAIM_CREATED, DATA_MOUNT_PATH, DEFAULT_SQLITE_SIZE, SQLITE_SIZE, STORAGE_CLASS_BESIDE_CLAIM } from '../backend-database';
import { ChartParts, ChartScope, ComponentFeature, PodFields } from '../component-feature';
import { messageWith } from '../helm/chart-rules';
import { Helm, renderTemplate } from '../helm/template';
import { conflict, IGNORED_BESIDE_EXISTING_CLAIM } from '../shared-rules';
import { caseLines, decide, testHolds, testPipeline, ValueCase } from '../helm/value-cases';
import { group, leaf, ValuesNode } from '../helm/values';
import { formatSize } from '../resources';
import { orEmpty, Rules } from '../validation';

/** Stop the old pod before starting the new one: one writer on a ReadWriteOnce volume. */
export const RECREATE: k8s.DeploymentStrategy = { type: 'Recreate' };

/** Start a new pod and wait until it is ready before stopping an old one. */
export const ROLLING_UPDATE: k8s.DeploymentStrategy = {
  type: 'RollingUpdate',
  rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) },
};

/** The name of the persistent data volume in the pod. */
export const DATA_VOLUME = 'data';

/** @internal The name of a component's PersistentVolumeClaim. */
export function dataClaimName(componentName: string): string {
  return `${componentName}-data`;
}

/**
 * The claim of the database volume, from the values:
 * `persistence.existingClaim`, else the component's own (its name, the
 * chart's full name, as `dataClaimName` names it). {@link claimNameOf} and
 * the chart's `dataClaimName` helper both read it.
 */
const CLAIM_NAME: readonly ValueCase[] = [
  { when: { truthy: 'persistence.existingClaim' }, then: { value: 'persistence.existingClaim' } },
  { then: { helper: 'fullname', named: dataClaimName } },
];

/** @internal The claim of a component's database volume: `existingClaim` (checked), else the component's own (CLAIM_NAME). */
export function claimNameOf(existingClaim: string | undefined, componentName: string): string {
  return decide(CLAIM_NAME, { persistence: { existingClaim: existingClaim ?? '' } }, { fullname: componentName });
}

/**
 * @internal
 * Whether the component creates the claim of its volume (CLAIM_CREATED, on
 * the values as the chart holds them: none is "").
 */
export function claimCreated(volume: PersistentVolume | undefined): volume is PersistentVolume {
  return testHolds(CLAIM_CREATED, { persistence: { enabled: volume !== undefined, existingClaim: volume?.existingClaim ?? '' } });
}

/** @internal The pod's volume of the claim `claimName`. */
export function dataVolume(claimName: string): k8s.Volume {
  return { name: DATA_VOLUME, persistentVolumeClaim: { claimName } };
}

/** @internal The container's mount of the data volume. */
export function dataMount(mountPath: string): k8s.VolumeMount {
  return { mountPath, name: DATA_VOLUME };
}

/** @internal The claim of a persistent volume: one node reads and writes it. */
export function claimSpec(volume: PersistentVolume): k8s.PersistentVolumeClaimSpec {
  return {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: k8s.Quantity.fromString(volume.size) } },
    ...(volume.storageClass === undefined ? {} : { storageClassName: volume.storageClass }),
  };
}

/** The volume a chart claims when `persistence.enabled` is set at install and the component had none. */
const CHART_DEFAULT_VOLUME: PersistentVolume = { mountPath: DATA_MOUNT_PATH, size: formatSize(DEFAULT_SQLITE_SIZE) };

/**
 * @internal
 * The database's persistent volume: a PersistentVolumeClaim mounted into the
 * container, and the `Recreate` strategy while it is mounted (one writer on
 * a ReadWriteOnce volume; `RollingUpdate` otherwise). The chart's
 * `persistence` values switch and size it; a component whose definition
 * lists this feature offers them even when it was synthesized without a
 * volume (PostgreSQL, the ephemeral SQLite file).
 */
export class Persistence implements ComponentFeature {
  public readonly name = 'persistence';
  /** Its chart parts depend on the chart's name and its condition alone: charts share them only under the same condition. */
  public readonly chartPartsKey: string;

  /**
   * @param when a chart's condition (a template pipeline) besides
   * `persistence.enabled` for the volume: the backend's, SQLite (`database.type`)
   */
  constructor(private readonly when?: string) {
    this.chartPartsKey = when ?? '';
  }

  public pod(c: AppComponent): PodFields {
    const volume = c.persistentVolume;
    return volume === undefined
      ? { strategy: ROLLING_UPDATE }
      : { strategy: RECREATE, volumes: [dataVolume(c.dataClaimName)], volumeMounts: [dataMount(volume.mountPath)] };
  }

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    const volume = c.persistentVolume;
    return {
      persistence: group('SQLite on a PersistentVolumeClaim, kept on `helm uninstall` (helm.sh/resource-policy: keep).\nDelete it with: kubectl delete pvc <release>-data (when the release name contains the chart name).', {
        enabled: leaf('Keep the SQLite file on a volume (database.type=sqlite; not used with postgres). false: the file is in the container, lost on every restart.', volume !== undefined, { type: 'boolean' }),
        mountPath: leaf('Where the volume is mounted.', volume?.mountPath ?? CHART_DEFAULT_VOLUME.mountPath, { type: 'string', pattern: '^/[^\\s]*[^/\\s]$' }),
        size: leaf(`Size of the volume: ${SQLITE_SIZE.allowed}.`, volume?.size ?? CHART_DEFAULT_VOLUME.size, Rules.storage.schema),
        storageClass: leaf('Storage class; empty uses the cluster default (standard on Minikube).', volume?.storageClass ?? '', orEmpty(Rules.dnsSubdomain).schema),
        existingClaim: leaf('Name of a PersistentVolumeClaim of yours to mount instead; no claim is created (size is not used, storageClass must be empty).', volume?.existingClaim ?? '', orEmpty(Rules.dnsSubdomain).schema),
      }),
    };
  }

  public chart(_c: AppComponent, chart: ChartScope): ChartParts {
    const enabled = this.when === undefined ? '.Values.persistence.enabled' : `and (${this.when}) .Values.persistence.enabled`;
    const claim = k8s.KubePersistentVolumeClaim.manifest({ metadata: { labels: {}, name: '' }, spec: claimSpec(CHART_DEFAULT_VOLUME) });
    return {
      deployment: [
        { path: 'spec.strategy', expr: Helm.parts([{ when: enabled, value: k8s.toJson_DeploymentStrategy(RECREATE), otherwise: k8s.toJson_DeploymentStrategy(ROLLING_UPDATE) }]) },
      ],
      // The data volume and its mount, after the component's own (emptyDirs), when enabled.
      volumes: [{ when: enabled, value: [dataVolume('')], bindings: [{ path: '0.persistentVolumeClaim.claimName', expr: Helm.scalar(`{{ ${chart.include('dataClaimName')} }}`) }] }],
      volumeMounts: [{ when: enabled, value: [dataMount('')], bindings: [{ path: '0.mountPath', expr: Helm.scalar('{{ .Values.persistence.mountPath | quote }}') }] }],
      templates: {
        'pvc.yaml': renderTemplate(claim, [
          ...chart.metadata(chart.include('dataClaimName')),
          { path: 'metadata.annotations', expr: Helm.lines(['helm.sh/resource-policy: keep']) },
          { path: 'spec.resources.requests.storage', expr: Helm.scalar('{{ .Values.persistence.size | quote }}') },
          { path: 'spec.storageClassName', expr: Helm.optional('.Values.persistence.storageClass', '{{ .Values.persistence.storageClass | quote }}') },
        ], {
          condition: this.when === undefined ? testPipeline(CLAIM_CREATED) : `and (${this.when}) (${testPipeline(CLAIM_CREATED)})`,
          header: 'The database volume: values.persistence, unless persistence.existingClaim names one of yours; kept on helm uninstall',
        }),
      },
      helpers: [
        '{{/* The database volume\'s claim: persistence.existingClaim, else the chart\'s own (CLAIM_NAME). */}}',
        `{{- define "${chart.chartName}.dataClaimName" -}}`,
        ...caseLines(CLAIM_NAME, (helper) => chart.include(helper)),
        '{{- end }}',
      ],
      // The schema holds Rules.storage (above zero); the bound of SQLite's size is refused with the props' words.
      checks: [
        { kind: 'rule', value: 'persistence.size', rule: SQLITE_SIZE, when: enabled },
        {
          kind: 'message',
          when: testPipeline(STORAGE_CLASS_BESIDE_CLAIM),
          ...messageWith((got) => conflict('persistence.storageClass', 'persistence.existingClaim', IGNORED_BESIDE_EXISTING_CLAIM, got), ['(toJson .Values.persistence.storageClass)']),
        },
      ],
    };
  }
}
