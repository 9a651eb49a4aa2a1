import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as k8s from '../../imports/k8s';
import { BackendDatabase } from '../../lib/backend-database';
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
