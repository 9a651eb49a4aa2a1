import * as k8s from '../../imports/k8s';
import type { AppComponent } from '../app-component';
import { ALLOWED_VOLUME_TYPES } from '../checks/pod-security';
import { ChartParts, ChartScope, ComponentFeature, PodFields } from '../component-feature';
import { messageWith } from '../helm/chart-rules';
import { Helm } from '../helm/template';
import { testHolds, testPipeline, ValueTest } from '../helm/value-cases';
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

/** The chart's template variables that the checks of each entry read: the component's own names and paths, the pod's volumes, and those of the entries before. */
const OWN_VOLUMES = 'ownVolumes';
const SEEN_VOLUMES = 'seenVolumes';
const POD_VOLUMES = 'podVolumes';
const OWN_PATHS = 'ownPaths';
const SEEN_PATHS = 'seenPaths';

/**
 * @internal
 * The checks of each extra volume (an entry of `extraVolumes`, as the API's
 * JSON), in order: a type that is not one allowed type, a name of the
 * component's, a name an entry before gave. `ExtraVolumesFeature.check`
 * tests each entry, the chart's checks render them over the range's entry.
 */
export const EXTRA_VOLUME: { readonly type: ValueTest; readonly own: ValueTest; readonly twice: ValueTest } = {
  type: { not: { oneKeyOf: '', besides: ['name'], among: [...ALLOWED_VOLUME_TYPES] } },
  own: { inList: 'name', list: OWN_VOLUMES },
  twice: { inMap: 'name', map: SEEN_VOLUMES },
};

/**
 * @internal
 * The checks of each extra mount (an entry of `extraVolumeMounts`), in
 * order: a volume the pod does not have, a path of the component's, a path
 * an entry before gave (the path's rule is checked between the first two).
 */
export const EXTRA_MOUNT: { readonly notOfPod: ValueTest; readonly own: ValueTest; readonly twice: ValueTest } = {
  notOfPod: { not: { inList: 'name', list: POD_VOLUMES } },
  own: { inList: 'mountPath', list: OWN_PATHS },
  twice: { inMap: 'mountPath', map: SEEN_PATHS },
};

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
    // The names (and below, paths) of the entries before, and the index of each (as the chart's $seenVolumes, $seenPaths).
    const seenVolumes: { [name: string]: number } = Object.create(null);
    volumes.forEach((v, i) => {
      const setting = s(`extraVolumes[${i}].name`);
      const name = check(setting, v?.name, Rules.dnsLabel);
      const entry = k8s.toJson_Volume(v);
      const lists = { [OWN_VOLUMES]: ownNames, [SEEN_VOLUMES]: seenVolumes };
      if (testHolds(EXTRA_VOLUME.type, entry, lists)) {
        throw new Error(volumeType(s(`extraVolumes[${i}]`), ALLOWED, show(typesOf(v))));
      }
      if (testHolds(EXTRA_VOLUME.own, entry, lists)) {
        throw new Error(ownedByComponent(setting, 'a volume', ownNames.join(', '), show(name)));
      }
      if (testHolds(EXTRA_VOLUME.twice, entry, lists)) {
        throw new Error(namedTwice(setting, s(`extraVolumes[${seenVolumes[name]}].name`), ONE_VOLUME, show(name)));
      }
      seenVolumes[name] = i;
    });
    const podVolumes = [...ownNames, ...volumes.map((v) => v.name)];
    const ownPaths = own.mounts.map((m) => m.mountPath);
    const seenPaths: { [path: string]: number } = Object.create(null);
    mounts.forEach((m, i) => {
      const setting = (field: string) => s(`extraVolumeMounts[${i}].${field}`);
      const lists = { [POD_VOLUMES]: podVolumes, [OWN_PATHS]: ownPaths, [SEEN_PATHS]: seenPaths };
      if (testHolds(EXTRA_MOUNT.notOfPod, m, lists)) {
        throw new Error(notAmong(setting('name'), POD_VOLUME, podVolumes.join(', '), show(m?.name)));
      }
      const path = check(setting('mountPath'), m.mountPath, MOUNT_PATH);
      if (testHolds(EXTRA_MOUNT.own, m, lists)) {
        throw new Error(ownedByComponent(setting('mountPath'), 'a mount path', ownPaths.join(', '), show(path)));
      }
      if (testHolds(EXTRA_MOUNT.twice, m, lists)) {
        throw new Error(namedTwice(setting('mountPath'), s(`extraVolumeMounts[${seenPaths[path]}].mountPath`), ONE_MOUNT, show(path)));
      }
      seenPaths[path] = i;
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
          before: [own('ownVolumes', `$${OWN_VOLUMES}`, 'name'), `{{- $${SEEN_VOLUMES} := dict }}`],
          checks: (index, item) => [
            { kind: 'rule', value: name('extraVolumes', 'name')('%s'), valueArgs: [index], rule: Rules.dnsLabel, expr: `${item}.name` },
            {
              kind: 'message',
              when: testPipeline(EXTRA_VOLUME.type, item),
              ...messageWith((i, got) => volumeType(`extraVolumes[${i}]`, ALLOWED, got), [index, `(toJson ${types(item)})`]),
            },
            {
              kind: 'message',
              when: testPipeline(EXTRA_VOLUME.own, item),
              ...messageWith((i, names, got) => ownedByComponent(name('extraVolumes', 'name')(i), 'a volume', names, got), [index, `(join ", " $${OWN_VOLUMES})`, `(toJson ${item}.name)`]),
            },
            {
              kind: 'message',
              when: testPipeline(EXTRA_VOLUME.twice, item),
              ...messageWith((i, earlier, got) => namedTwice(name('extraVolumes', 'name')(i), name('extraVolumes', 'name')(earlier), ONE_VOLUME, got), [index, `(index $${SEEN_VOLUMES} ${item}.name)`, `(toJson ${item}.name)`]),
            },
          ],
          after: (index, item) => [`{{- $_ := set $${SEEN_VOLUMES} ${item}.name ${index} }}`],
        },
        {
          kind: 'each',
          value: 'extraVolumeMounts',
          before: [
            `{{- $${POD_VOLUMES} := $${OWN_VOLUMES} }}{{- range (index .Values "extraVolumes") }}{{- $${POD_VOLUMES} = append $${POD_VOLUMES} .name }}{{- end }}`,
            own('ownVolumeMounts', `$${OWN_PATHS}`, 'mountPath'),
            `{{- $${SEEN_PATHS} := dict }}`,
          ],
          checks: (index, item) => [
            {
              kind: 'message',
              when: testPipeline(EXTRA_MOUNT.notOfPod, item),
              ...messageWith((i, names, got) => notAmong(name('extraVolumeMounts', 'name')(i), POD_VOLUME, names, got), [index, `(join ", " $${POD_VOLUMES})`, `(toJson ${item}.name)`]),
            },
            { kind: 'rule', value: name('extraVolumeMounts', 'mountPath')('%s'), valueArgs: [index], rule: MOUNT_PATH, expr: `${item}.mountPath` },
            {
              kind: 'message',
              when: testPipeline(EXTRA_MOUNT.own, item),
              ...messageWith((i, paths, got) => ownedByComponent(name('extraVolumeMounts', 'mountPath')(i), 'a mount path', paths, got), [index, `(join ", " $${OWN_PATHS})`, `(toJson ${item}.mountPath)`]),
            },
            {
              kind: 'message',
              when: testPipeline(EXTRA_MOUNT.twice, item),
              ...messageWith((i, earlier, got) => namedTwice(name('extraVolumeMounts', 'mountPath')(i), name('extraVolumeMounts', 'mountPath')(earlier), ONE_MOUNT, got), [index, `(index $${SEEN_PATHS} ${item}.mountPath)`, `(toJson ${item}.mountPath)`]),
            },
          ],
          after: (index, item) => [`{{- $_ := set $${SEEN_PATHS} ${item}.mountPath ${index} }}`],
        },
      ],
    };
  }
}
