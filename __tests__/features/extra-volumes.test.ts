import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as k8s from '../../imports/k8s';
import { BackendDatabase } from '../../lib/backend-database';
import { EXTRA_MOUNT, EXTRA_VOLUME } from '../../lib/features/extra-volumes';
import { testHolds, testPipeline, ValueTest } from '../../lib/helm/value-cases';
import { runAllChecks } from '../../lib/checks';
import { TodoHelmChart } from '../../lib/helm/todo-helm-chart';
import { helm } from '../support/helm';
import { validateObjects } from '../support/k8s-schema';
import { containerOf, find } from '../support/util';
import { parseYaml } from '../support/yaml';
import { componentsWith, helmMessage, thrown } from '../support/feature-chart';

/** The chart's message as the props say it: each value a prop of the backend. */
const asProps = (message: string) => message.replace(/'(extraVolume[^']*)'/g, "'backend.$1'");

let tmp: string;
const CHARTS = { backend: '', frontend: '' };
/** Writes a values file (lists of objects do not go well through --set). */
const valuesFile = (values: unknown) => {
  const file = path.join(tmp, `values-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(values));
  return file;
};
const render = (dir: string, values: unknown) => helm(['template', path.basename(dir) === 'backend' ? 'todo-backend' : 'todo-frontend', dir, '--values', valuesFile(values)]);

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'extra-volumes-'));
  const { backend, frontend } = componentsWith();
  for (const c of [backend, frontend]) {
    const dir = path.join(tmp, c.role);
    new TodoHelmChart(Testing.app(), 'chart', { component: c }).writeTo(dir);
    CHARTS[c.role as 'backend' | 'frontend'] = dir;
  }
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const certs: k8s.Volume = { name: 'certs', secret: { secretName: 'tls-certs' } };
const settings: k8s.Volume = { name: 'settings', configMap: { name: 'app-settings' } };
const cache: k8s.Volume = { name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('64Mi') } };
const shared: k8s.Volume = { name: 'shared', persistentVolumeClaim: { claimName: 'shared-files', readOnly: true } };
const mounts: k8s.VolumeMount[] = [
  { name: 'certs', mountPath: '/etc/certs', readOnly: true },
  { name: 'settings', mountPath: '/etc/app', subPath: 'app' },
  { name: 'cache', mountPath: '/var/cache/app' },
  { name: 'tmp', mountPath: '/scratch' },
];

describe('extraVolumes and extraVolumeMounts as props', () => {
  test('after the component\'s own volumes and mounts; the user\'s ConfigMaps, Secrets and claims are external to the checks', () => {
    const { objects, backend } = componentsWith({ extraVolumes: [certs, settings, cache, shared], extraVolumeMounts: mounts });
    const deployment = find(objects, 'Deployment', 'todo-backend');
    expect(deployment.spec.template.spec.volumes.map((v: any) => v.name)).toEqual(['tmp', 'data', 'certs', 'settings', 'cache', 'shared']);
    expect(deployment.spec.template.spec.volumes.slice(2)).toEqual([certs, settings, { name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }, shared]);
    expect(containerOf(deployment).volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, { name: 'data', mountPath: '/data' }, ...mounts]);
    expect(backend.externalSecrets).toEqual(['tls-certs']);
    expect(backend.externalConfigMaps).toEqual(['app-settings']);
    expect(backend.externalClaims).toEqual(['shared-files']);
    const options = { externalSecrets: backend.externalSecrets, externalConfigMaps: backend.externalConfigMaps, externalClaims: backend.externalClaims };
    expect(runAllChecks(objects, options)).toEqual([]);
    expect(runAllChecks(objects).map((f) => f.message)).toEqual([
      'refers to Secret default/tls-certs, which is not among the manifests',
      'refers to ConfigMap default/app-settings, which is not among the manifests',
      'refers to PersistentVolumeClaim default/shared-files, which is not among the manifests',
    ]);
    expect(validateObjects(objects)).toEqual([]);
  });

  test('a mount may use a volume of the component, and the frontend takes them too', () => {
    const { objects } = componentsWith({}, { extraVolumes: [cache], extraVolumeMounts: [{ name: 'app-next-cache', mountPath: '/srv/cache' }, { name: 'cache', mountPath: '/var/cache/app' }] });
    expect(containerOf(find(objects, 'Deployment', 'todo-frontend')).volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp', '/app/.next/cache', '/srv/cache', '/var/cache/app']);
  });
});

describe('extraVolumes and extraVolumeMounts as chart values', () => {
  test('values.yaml documents them, empty; the schema is strict', () => {
    const values = fs.readFileSync(path.join(CHARTS.frontend, 'values.yaml'), 'utf8');
    expect(values).toMatch(/# More volumes of the pods \(Volume objects\)[^\n]*\n# one volume type each[^\n]*\nextraVolumes: \[\]\n/);
    expect(values).toMatch(/# More mounts of the container \(VolumeMount objects\)[^\n]*\nextraVolumeMounts: \[\]\n/);
    expect(render(CHARTS.frontend, { extraVolumeMounts: [{ name: 'tmp', mountPath: '/x', recursiveReadOnly: 'Enabled' }] }).stderr).toContain('Additional property recursiveReadOnly is not allowed');
    expect(render(CHARTS.frontend, { extraVolumes: [{ secret: { secretName: 'x' } }] }).stderr).toContain('extraVolumes.0: name is required');
    expect(render(CHARTS.frontend, { extraVolumes: [{ name: 'x', emptyDir: 'yes' }] }).stderr).toMatch(/extraVolumes.0.emptyDir: Invalid type. Expected: object/);
  });

  test.each(['backend', 'frontend'] as const)('the %s chart renders them where the props put them, passing lint --strict and the strict schema', (role) => {
    const values = { extraVolumes: [certs, settings, cache, shared].map((v) => k8s.toJson_Volume(v)), extraVolumeMounts: mounts };
    const file = valuesFile(values);
    const lint = helm(['lint', '--strict', CHARTS[role], '--values', file]);
    expect([lint.status, lint.stdout + lint.stderr]).toEqual([0, expect.stringContaining('0 chart(s) failed')]);
    const r = render(CHARTS[role], values);
    expect([r.status, r.stderr]).toEqual([0, '']);
    const objects = parseYaml(r.stdout);
    expect(validateObjects(objects)).toEqual([]);
    const props = { extraVolumes: [certs, settings, cache, shared], extraVolumeMounts: mounts };
    const { objects: plain } = role === 'backend' ? componentsWith(props) : componentsWith({}, props);
    const name = `todo-${role}`;
    const [got, want] = [find(objects, 'Deployment', name), find(plain, 'Deployment', name)];
    expect(got.spec.template.spec.volumes).toEqual(want.spec.template.spec.volumes);
    expect(containerOf(got).volumeMounts).toEqual(containerOf(want).volumeMounts);
    expect(got.spec.template.spec.volumes.slice(-4).map((v: any) => v.name)).toEqual(['certs', 'settings', 'cache', 'shared']);
    expect(runAllChecks(objects, { externalSecrets: ['tls-certs'], externalConfigMaps: ['app-settings'], externalClaims: ['shared-files'] })).toEqual([]);
  });
});

describe('conflicts with the component\'s own volumes are refused by the props and the chart, with the same words', () => {
  const allowed = 'configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret';
  test.each<[string, { extraVolumes?: any[]; extraVolumeMounts?: any[] }, string]>([
    ['a volume named as the component\'s', { extraVolumes: [certs, { name: 'data', emptyDir: {} }] },
      '\'extraVolumes[1].name\' must not be a volume the component has itself (tmp, data), got "data"'],
    ['a volume named twice', { extraVolumes: [certs, { name: 'certs', emptyDir: {} }] },
      '\'extraVolumes[1].name\' must differ from \'extraVolumes[0].name\' (a pod has one volume per name), got "certs" for both'],
    ['a volume name that is not a DNS label', { extraVolumes: [{ name: 'My_Volume', emptyDir: {} }] },
      '\'extraVolumes[0].name\' must be a DNS-1123 label: at most 63 characters of lowercase letters, digits and "-", starting and ending with a letter or digit, got "My_Volume"'],
    ['a hostPath volume (restricted Pod Security)', { extraVolumes: [{ name: 'host', hostPath: { path: '/var/run' } }] },
      `'extraVolumes[0]' must have exactly one volume type, one that the restricted Pod Security Standard allows (${allowed}), got ["hostPath"]`],
    ['a volume of two types', { extraVolumes: [{ name: 'two', emptyDir: {}, secret: { secretName: 's' } }] },
      `'extraVolumes[0]' must have exactly one volume type, one that the restricted Pod Security Standard allows (${allowed}), got ["emptyDir","secret"]`],
    ['a volume of no type', { extraVolumes: [{ name: 'none' }] },
      `'extraVolumes[0]' must have exactly one volume type, one that the restricted Pod Security Standard allows (${allowed}), got []`],
    ['a mount of a volume the pod does not have', { extraVolumes: [certs], extraVolumeMounts: [{ name: 'cert', mountPath: '/etc/certs' }] },
      '\'extraVolumeMounts[0].name\' must be a volume of the pod (tmp, data, certs), got "cert"'],
    ['a mount at the component\'s own path', { extraVolumes: [certs], extraVolumeMounts: [{ name: 'certs', mountPath: '/data' }] },
      '\'extraVolumeMounts[0].mountPath\' must not be a mount path the component has itself (/tmp, /data), got "/data"'],
    ['two mounts at one path', { extraVolumes: [certs], extraVolumeMounts: [{ name: 'certs', mountPath: '/etc/certs' }, { name: 'tmp', mountPath: '/etc/certs' }] },
      '\'extraVolumeMounts[1].mountPath\' must differ from \'extraVolumeMounts[0].mountPath\' (a container has one mount per path), got "/etc/certs" for both'],
    ['a relative mount path', { extraVolumeMounts: [{ name: 'tmp', mountPath: 'certs' }] },
      '\'extraVolumeMounts[0].mountPath\' must be an absolute path such as "/etc/certs" (no whitespace, no trailing "/"), got "certs"'],
  ])('%s', (_what, extra, message) => {
    const values = { extraVolumes: (extra.extraVolumes ?? []).map((v) => k8s.toJson_Volume(v)), extraVolumeMounts: extra.extraVolumeMounts ?? [] };
    expect(helmMessage(render(CHARTS.backend, values).stderr)).toBe(message);
    expect(thrown(() => componentsWith(extra))).toBe(asProps(message));
  });

  test('the data volume is the component\'s while persistence is on: without it, its name and path are free (in both)', () => {
    const extra = { extraVolumes: [{ name: 'data', emptyDir: {} }], extraVolumeMounts: [{ name: 'data', mountPath: '/data' }] };
    const { objects } = componentsWith({ ...extra, database: BackendDatabase.postgresFromSecret({ secretName: 'todo-db' }) });
    expect(find(objects, 'Deployment', 'todo-backend').spec.template.spec.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }, { name: 'data', emptyDir: {} }]);
    const r = render(CHARTS.backend, { ...extra, persistence: { enabled: false }, securityContext: { readOnlyRootFilesystem: false } });
    expect([r.status, r.stderr]).toEqual([0, '']);
  });
});

describe('the checks of each extra volume and mount: one test each (EXTRA_VOLUME, EXTRA_MOUNT) over the entry, for the props and the chart\'s checks in the range', () => {
  /** The first check of the entries that holds, as the definitions say (`lists`: the chart's variables): [index, check]. */
  const firstFailing = (defs: { [check: string]: ValueTest }, entries: readonly any[], lists: { [name: string]: unknown }, field: string, seen: string) => {
    const earlier: { [key: string]: number } = {};
    for (const [i, entry] of entries.entries()) {
      const failed = Object.keys(defs).find((check) => testHolds(defs[check], entry, { ...lists, [seen]: earlier } as any));
      if (failed !== undefined) return [i, failed];
      earlier[entry[field]] = i;
    }
    return undefined;
  };
  /** The entry and check a message is of. */
  const checkOf = (message: string) => [Number(/\[(\d)\]/.exec(message)![1]),
    message.includes('exactly one volume type') ? 'type' : message.includes('must differ from') ? 'twice' : message.includes('must be a volume of the pod') ? 'notOfPod' : 'own'];
  const refusal = (extra: { extraVolumes: k8s.Volume[]; extraVolumeMounts: k8s.VolumeMount[] }) => {
    const r = render(CHARTS.backend, { extraVolumes: extra.extraVolumes.map((v) => k8s.toJson_Volume(v)), extraVolumeMounts: extra.extraVolumeMounts });
    let props: string | undefined;
    try {
      componentsWith(extra);
    } catch (e) {
      props = (e as Error).message;
    }
    return { chart: r.status === 0 ? undefined : helmMessage(r.stderr), props };
  };

  test('the tests render as the range\'s checks, on the entry\'s variable', () => {
    expect(testPipeline(EXTRA_VOLUME.type, '$e1')).toBe('not (and (eq (len (without (keys $e1) "name" | sortAlpha)) 1) (has (first (without (keys $e1) "name" | sortAlpha)) '
      + '(list "configMap" "csi" "downwardAPI" "emptyDir" "ephemeral" "persistentVolumeClaim" "projected" "secret")))');
    expect([EXTRA_VOLUME.own, EXTRA_VOLUME.twice, EXTRA_MOUNT.notOfPod, EXTRA_MOUNT.own, EXTRA_MOUNT.twice].map((t) => testPipeline(t, '$e1'))).toEqual([
      'has $e1.name $ownVolumes', 'hasKey $seenVolumes $e1.name', 'not (has $e1.name $podVolumes)', 'has $e1.mountPath $ownPaths', 'hasKey $seenPaths $e1.mountPath',
    ]);
  });

  test('on every pair of volumes, the chart refuses exactly what the props refuse, with the same words, at the check the definitions choose', () => {
    const VOLUMES: k8s.Volume[] = [certs, settings, { name: 'data', emptyDir: {} }, { name: 'host', hostPath: { path: '/var/run' } }, { name: 'certs', emptyDir: {} }, { name: 'two', emptyDir: {}, secret: { secretName: 's' } }];
    const lists = { ownVolumes: ['tmp', 'data'] };
    // A changed definition: emptyDir left out of the allowed types.
    const mutatedDefs = { ...EXTRA_VOLUME, type: { not: { oneKeyOf: '', besides: ['name'], among: ['configMap', 'secret'] } } };
    const seen: object[] = [];
    const want: object[] = [];
    let disagreements = 0;
    for (const a of VOLUMES) {
      for (const b of VOLUMES) {
        const extra = { extraVolumes: [a, b], extraVolumeMounts: [] };
        const { chart, props } = refusal(extra);
        const at = [a.name, b.name, Object.keys(k8s.toJson_Volume(b) ?? {})];
        seen.push({ at, refused: chart === undefined ? undefined : asProps(chart) });
        want.push({ at, refused: props });
        const entries = extra.extraVolumes.map((v) => k8s.toJson_Volume(v));
        expect([at, chart === undefined ? undefined : checkOf(chart)]).toEqual([at, firstFailing(EXTRA_VOLUME, entries, lists, 'name', 'seenVolumes')]);
        if (JSON.stringify(firstFailing(mutatedDefs, entries, lists, 'name', 'seenVolumes')) !== JSON.stringify(chart === undefined ? undefined : checkOf(chart))) disagreements++;
      }
    }
    expect(seen).toEqual(want);
    expect(new Set(seen.map((x: any) => x.refused === undefined ? 'none' : checkOf(x.refused)[1]))).toEqual(new Set(['none', 'type', 'own', 'twice']));
    // Fails when the definition changes: the emptyDir volumes (data, the second certs) are refused by their type, at once:
    // the 12 pairs they come first in, and the 4 they follow certs or settings in.
    expect(disagreements).toBe(16);
  });

  test('on every pair of mounts, the chart refuses exactly what the props refuse, with the same words, at the check the definitions choose', () => {
    const MOUNTS: k8s.VolumeMount[] = [{ name: 'certs', mountPath: '/etc/certs' }, { name: 'cert', mountPath: '/x' }, { name: 'certs', mountPath: '/data' }, { name: 'tmp', mountPath: '/etc/certs' }, { name: 'tmp', mountPath: '/scratch' }];
    const lists = { podVolumes: ['tmp', 'data', 'certs'], ownPaths: ['/tmp', '/data'] };
    // A changed definition: a mount of the component's volumes only.
    const mutatedDefs = { ...EXTRA_MOUNT, notOfPod: { not: { inList: 'name', list: 'ownVolumes' } } };
    const seen: object[] = [];
    const want: object[] = [];
    let disagreements = 0;
    for (const a of MOUNTS) {
      for (const b of MOUNTS) {
        const extra = { extraVolumes: [certs], extraVolumeMounts: [a, b] };
        const { chart, props } = refusal(extra);
        const at = [a, b];
        seen.push({ at, refused: chart === undefined ? undefined : asProps(chart) });
        want.push({ at, refused: props });
        expect([at, chart === undefined ? undefined : checkOf(chart)]).toEqual([at, firstFailing(EXTRA_MOUNT, [a, b], lists, 'mountPath', 'seenPaths')]);
        if (JSON.stringify(firstFailing(mutatedDefs, [a, b], { ...lists, ownVolumes: ['tmp', 'data'] }, 'mountPath', 'seenPaths')) !== JSON.stringify(chart === undefined ? undefined : checkOf(chart))) disagreements++;
      }
    }
    expect(seen).toEqual(want);
    expect(new Set(seen.map((x: any) => x.refused === undefined ? 'none' : checkOf(x.refused)[1]))).toEqual(new Set(['none', 'notOfPod', 'own', 'twice']));
    // Fails when the definition changes: a mount of the user's volume (certs) is refused: the 10 pairs one comes first in,
    // and the 4 it follows a mount of tmp in.
    expect(disagreements).toBe(14);
  });

  test('oneKeyOf: a map of one key besides those left out, among those allowed; none is an empty map; not a map is refused plainly', () => {
    const t: ValueTest = { oneKeyOf: 'v', besides: ['name'], among: ['a'] };
    expect([{ v: { name: 'x', a: 1 } }, { v: { a: 1, b: 2 } }, { v: { b: 1 } }, { v: null }, {}].map((x) => testHolds(t, x))).toEqual([true, false, false, false, false]);
    expect(testPipeline(t)).toBe('and (eq (len (without (keys (.Values.v | default dict)) "name" | sortAlpha)) 1) (has (first (without (keys (.Values.v | default dict)) "name" | sortAlpha)) (list "a"))');
    expect(() => testHolds(t, { v: 'x' })).toThrow('\'v\' must be a map for this decision, got "x"');
  });
});
