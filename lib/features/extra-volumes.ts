import * as k8s from '../../imports/k8s';
import type { AppComponent } from '../app-component';
import { ALLOWED_VOLUME_TYPES } from '../checks/pod-security';
import { ChartParts, ChartScope, ComponentFeature, PodFields } from '../component-feature';
import { messageWith } from '../helm/chart-rules';
import { Helm } from '../helm/template';
import { leaf, ValuesNode } from '../helm/values';
import { namedTwice, notAmong, ownedByComponent, volumeType } from '../shared-rules';
import { check, JsonSchema, Rule, Rules, show, stringMatching } from '../validation';

/** Where a volume is mounted: an absolute path, without whitespace or a trailing "/". */
export const MOUNT_PATH: Rule<string> = stringMatching(/^\/[^\s]*[^/\s]$/, 'an absolute path such as "/etc/certs" (no whitespace, no trailing "/")', 4096);

/** The volume types allowed, in the words of messages. */
const ALLOWED = [...ALLOWED_VOLUME_TYPES].join(', ');
const ONE_VOLUME = 'a pod has one volume per name';
const ONE_MOUNT = 'a container has one mount per path';
const POD_VOLUME = 'a volume of the pod';

/** The volume's types: its keys but `name` (the API allows one). */
function typesOf(volume: k8s.Volume): string[] {
  return Object.keys(k8s.toJson_Volume(volume) ?? {}).filter((k) => k !== 'name').sort();
}

/**
 * A copy of the user's value made of plain objects and arrays (class
 * instances, such as a `Quantity`, kept): later changes to the user's
 * objects do not reach the component, and objects without a prototype
 * (`Object.create(null)`) serialize.
 */
export function plainCopy<T>(value: T): T {
  if (Array.isArray(value)) {
    return value.map(plainCopy) as unknown as T;
  }
  if (value !== null && typeof value === 'object' && [null, Object.prototype].includes(Object.getPrototypeOf(value))) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainCopy(v)])) as T;
  }
  return value;
}

/** The fields of a mount a chart value may hold (those of the API's VolumeMount). */
const MOUNT_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['name', 'mountPath'],
  // The name and path's rules are the chart's checks, in the props' words.
  properties: {
    name: { type: 'string' },
    mountPath: { type: 'string' },
    readOnly: { type: 'boolean' },
    subPath: { type: 'string' },
    subPathExpr: { type: 'string' },
    mountPropagation: { type: 'string', enum: ['None', 'HostToContainer', 'Bidirectional'] },
  },
  additionalProperties: false,
};

/**
 * @internal
 * Volumes and mounts a user adds, named as Bitnami's charts name them:
 * `extraVolumes` (pod volumes, after the component's own) and
 * `extraVolumeMounts` (mounts of the container, after its own). A volume
 * named as one of the component's, a mount at one of its paths, a name or
 * path given twice, a mount of a volume the pod does not have and a volume
 * type that the restricted Pod Security Standard forbids (`hostPath`...)
 * are refused, by the construct and by the chart with the same words.
 */
export class ExtraVolumesFeature implements ComponentFeature {
  /**
   * Checks the user's volumes and mounts against the component's own.
   *
   * @param role the component's role, the prefix of its props in messages
   */
  public static check(role: string, own: { volumes: readonly k8s.Volume[]; mounts: readonly k8s.VolumeMount[] },
    volumes: readonly k8s.Volume[], mounts: readonly k8s.VolumeMount[]): void {
    const s = (prop: string) => `${role}.${prop}`;
    const ownNames = own.volumes.map((v) => v.name);
    volumes.forEach((v, i) => {
      const setting = s(`extraVolumes[${i}].name`);
      const name = check(setting, v?.name, Rules.dnsLabel);
      const types = typesOf(v);
      if (types.length !== 1 || !ALLOWED_VOLUME_TYPES.has(types[0])) {
        throw new Error(volumeType(s(`extraVolumes[${i}]`), ALLOWED, show(types)));
      }
      if (ownNames.includes(name)) {
        throw new Error(ownedByComponent(setting, 'a volume', ownNames.join(', '), show(name)));
      }
      const earlier = volumes.findIndex((e) => e.name === name);
      if (earlier < i) {
        throw new Error(namedTwice(setting, s(`extraVolumes[${earlier}].name`), ONE_VOLUME, show(name)));
      }
    });
    const podVolumes = [...ownNames, ...volumes.map((v) => v.name)];
    const ownPaths = own.mounts.map((m) => m.mountPath);
    mounts.forEach((m, i) => {
      const setting = (field: string) => s(`extraVolumeMounts[${i}].${field}`);
      if (!podVolumes.includes(m?.name)) {
        throw new Error(notAmong(setting('name'), POD_VOLUME, podVolumes.join(', '), show(m?.name)));
      }
      const path = check(setting('mountPath'), m.mountPath, MOUNT_PATH);
      if (ownPaths.includes(path)) {
        throw new Error(ownedByComponent(setting('mountPath'), 'a mount path', ownPaths.join(', '), show(path)));
      }
      const earlier = mounts.findIndex((e) => e.mountPath === path);
      if (earlier < i) {
        throw new Error(namedTwice(setting('mountPath'), s(`extraVolumeMounts[${earlier}].mountPath`), ONE_MOUNT, show(path)));
      }
    });
  }

  public readonly name = 'extra volumes';

  public pod(c: AppComponent): PodFields {
    return { volumes: c.extraVolumes, volumeMounts: c.extraVolumeMounts };
  }

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    return {
      extraVolumes: leaf(
        `More volumes of the pods (Volume objects), after the component's own. Not a name the component has;\none volume type each, of those the restricted Pod Security Standard allows: ${ALLOWED}.`,
        c.extraVolumes.map((v) => k8s.toJson_Volume(v)),
        { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } }, additionalProperties: { type: 'object' } } },
      ),
      extraVolumeMounts: leaf(
        'More mounts of the container (VolumeMount objects), after its own: of a volume of the pod, not at a path the component mounts.',
        c.extraVolumeMounts.map((m) => k8s.toJson_VolumeMount(m)),
        { type: 'array', items: MOUNT_SCHEMA },
      ),
    };
  }

  public chart(_c: AppComponent, chart: ChartScope): ChartParts {
    const n = chart.chartName;
    // The component's own volumes or mounts as the chart renders them: the items of the other features that are
    // values of the constructs, each under its condition; a YAML list the checks of the user's items read.
    const ownItems = (list: 'volumes' | 'volumeMounts') => {
      const parts = chart.otherParts(this).flatMap((p) => p[list] ?? []).filter((p) => p.template === undefined);
      return (Helm.parts(parts) as { template: (indent: number) => string[] }).template(0);
    };
    const name = (list: string, field: string) => (i: string) => `${list}[${i}].${field}`;
    const types = (item: string) => `(without (keys ${item}) "name" | sortAlpha)`;
    const own = (helper: string, variable: string, field: string) =>
      `{{- ${variable} := list }}{{- range (fromYamlArray (${chart.include(helper)})) }}{{- ${variable} = append ${variable} .${field} }}{{- end }}`;
    const items = (value: string) => (n: number) => [`{{- with .Values.${value} }}`, `{{- toYaml . | nindent ${n} }}`, '{{- end }}'];
    return {
      helpers: [
        '{{/* The component\'s own volumes, as the Deployment has them (the user\'s extraVolumes are checked against them). */}}',
        `{{- define "${n}.ownVolumes" -}}`,
        ...ownItems('volumes'),
        '{{- end }}',
        '',
        '{{/* The component\'s own volume mounts, as the Deployment has them. */}}',
        `{{- define "${n}.ownVolumeMounts" -}}`,
        ...ownItems('volumeMounts'),
        '{{- end }}',
      ],
      volumes: [{ template: items('extraVolumes') }],
      volumeMounts: [{ template: items('extraVolumeMounts') }],
      checks: [
        {
          kind: 'each',
          value: 'extraVolumes',
          before: [own('ownVolumes', '$ownVolumes', 'name'), '{{- $seenVolumes := dict }}'],
          checks: (index, item) => [
            { kind: 'rule', value: name('extraVolumes', 'name')('%s'), valueArgs: [index], rule: Rules.dnsLabel, expr: `${item}.name` },
            {
              kind: 'message',
              when: `or (ne (len ${types(item)}) 1) (not (has (first ${types(item)}) (list ${[...ALLOWED_VOLUME_TYPES].map((t) => JSON.stringify(t)).join(' ')})))`,
              ...messageWith((i, got) => volumeType(`extraVolumes[${i}]`, ALLOWED, got), [index, `(toJson ${types(item)})`]),
            },
            {
              kind: 'message',
              when: `has ${item}.name $ownVolumes`,
              ...messageWith((i, names, got) => ownedByComponent(name('extraVolumes', 'name')(i), 'a volume', names, got), [index, '(join ", " $ownVolumes)', `(toJson ${item}.name)`]),
            },
            {
              kind: 'message',
              when: `hasKey $seenVolumes ${item}.name`,
              ...messageWith((i, earlier, got) => namedTwice(name('extraVolumes', 'name')(i), name('extraVolumes', 'name')(earlier), ONE_VOLUME, got), [index, `(index $seenVolumes ${item}.name)`, `(toJson ${item}.name)`]),
            },
          ],
          after: (index, item) => [`{{- $_ := set $seenVolumes ${item}.name ${index} }}`],
        },
        {
          kind: 'each',
          value: 'extraVolumeMounts',
          before: [
            '{{- $podVolumes := $ownVolumes }}{{- range (index .Values "extraVolumes") }}{{- $podVolumes = append $podVolumes .name }}{{- end }}',
            own('ownVolumeMounts', '$ownPaths', 'mountPath'),
            '{{- $seenPaths := dict }}',
          ],
          checks: (index, item) => [
            {
              kind: 'message',
              when: `not (has ${item}.name $podVolumes)`,
              ...messageWith((i, names, got) => notAmong(name('extraVolumeMounts', 'name')(i), POD_VOLUME, names, got), [index, '(join ", " $podVolumes)', `(toJson ${item}.name)`]),
            },
            { kind: 'rule', value: name('extraVolumeMounts', 'mountPath')('%s'), valueArgs: [index], rule: MOUNT_PATH, expr: `${item}.mountPath` },
            {
              kind: 'message',
              when: `has ${item}.mountPath $ownPaths`,
              ...messageWith((i, paths, got) => ownedByComponent(name('extraVolumeMounts', 'mountPath')(i), 'a mount path', paths, got), [index, '(join ", " $ownPaths)', `(toJson ${item}.mountPath)`]),
            },
            {
              kind: 'message',
              when: `hasKey $seenPaths ${item}.mountPath`,
              ...messageWith((i, earlier, got) => namedTwice(name('extraVolumeMounts', 'mountPath')(i), name('extraVolumeMounts', 'mountPath')(earlier), ONE_MOUNT, got), [index, `(index $seenPaths ${item}.mountPath)`, `(toJson ${item}.mountPath)`]),
            },
          ],
          after: (index, item) => [`{{- $_ := set $seenPaths ${item}.mountPath ${index} }}`],
        },
      ],
    };
  }
}
