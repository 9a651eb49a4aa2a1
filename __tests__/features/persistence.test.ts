import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Size, Testing } from 'cdk8s';
import { BackendDatabase, CLAIM_CREATED, STORAGE_CLASS_BESIDE_CLAIM } from '../../lib/backend-database';
import { runAllChecks } from '../../lib/checks';
import { claimCreated, claimNameOf } from '../../lib/features/persistence';
import { testHolds, testPipeline, ValueTest } from '../../lib/helm/value-cases';
import { TodoHelmChart } from '../../lib/helm/todo-helm-chart';
import { TodoBackend } from '../../lib/todo-backend';
import { helm, template, templateError } from '../support/helm';
import { validateObjects } from '../support/k8s-schema';
import { containerOf, find, ofKind, TEST_SECRETS } from '../support/util';
import { helmMessage, renderWith, thrown } from '../support/feature-chart';

function build(database?: BackendDatabase) {
  const app = Testing.app();
  const chart = new Chart(app, 'test');
  const backend = new TodoBackend(chart, 'backend', { jwtSecret: TEST_SECRETS.jwtSecret, database });
  return { app, objects: chart.toJson(), backend };
}

let tmp: string;
let chartDir: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'persistence-'));
  chartDir = path.join(tmp, 'backend');
  new TodoHelmChart(Testing.app(), 'chart', { component: build().backend }).writeTo(chartDir);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the claim the pods mount: one table (CLAIM_NAME) for the construct and the chart\'s dataClaimName helper', () => {
  test('on every combination of existingClaim and the full name, the chart mounts the claim claimNameOf names, as the construct does', () => {
    const seen: object[] = [];
    const want: object[] = [];
    for (const fullname of ['', 'api']) {
      for (const existingClaim of ['', 'todo-db-files']) {
        const objects = template(chartDir, { set: { 'persistence.enabled': 'true', 'persistence.existingClaim': existingClaim, fullnameOverride: fullname } });
        const volumes = find(objects, 'Deployment', fullname || 'todo-backend').spec.template.spec.volumes;
        seen.push({ fullname, existingClaim, claim: volumes.find((v: any) => v.persistentVolumeClaim).persistentVolumeClaim.claimName, created: ofKind(objects, 'PersistentVolumeClaim').map((c) => c.metadata.name) });
        const claim = claimNameOf(existingClaim || undefined, fullname || 'todo-backend');
        want.push({ fullname, existingClaim, claim, created: existingClaim ? [] : [claim] });
      }
    }
    expect(seen).toEqual(want);
    expect(want.map((w: any) => w.claim)).toEqual(['todo-backend-data', 'todo-db-files', 'api-data', 'todo-db-files']);
    // The construct reads the same table.
    for (const existingClaim of [undefined, 'todo-db-files']) {
      const { objects, backend } = build(BackendDatabase.sqlite({ existingClaim }));
      const volumes = find(objects, 'Deployment', 'todo-backend').spec.template.spec.volumes;
      expect(volumes.find((v: any) => v.persistentVolumeClaim).persistentVolumeClaim.claimName).toBe(claimNameOf(existingClaim, 'todo-backend'));
      expect(backend.dataClaimName).toBe(existingClaim ?? 'todo-backend-data');
    }
  });
});

describe('the claim the chart creates: one test (CLAIM_CREATED) for the construct and pvc.yaml, under the feature\'s condition (database.type sqlite)', () => {
  interface Seen {
    readonly at: { type: string; enabled: boolean; existingClaim: string };
    /** Whether the chart rendered a PersistentVolumeClaim; its message when it refused the values. */
    readonly chart: boolean | string;
    /** Whether the backend built with the database these values stand for created one (undefined: no props give these values). */
    readonly props: boolean | undefined;
  }
  /** The database the props give for the values, when some do: SQLite off its volume has no claim of the user's. */
  const databaseOf = (at: Seen['at']): BackendDatabase | undefined => {
    if (at.type === 'postgres') return BackendDatabase.postgresFromSecret({ secretName: 'todo-db' });
    if (at.enabled) return BackendDatabase.sqlite({ existingClaim: at.existingClaim || undefined });
    return at.existingClaim ? undefined : BackendDatabase.ephemeralSqlite();
  };
  const valuesOf = (at: Seen['at']) => ({ persistence: { enabled: at.enabled, existingClaim: at.existingClaim } });
  let seen: Seen[];
  beforeAll(() => {
    seen = [];
    for (const type of ['sqlite', 'postgres']) {
      for (const enabled of [true, false]) {
        for (const existingClaim of ['', 'todo-db-files']) {
          const at = { type, enabled, existingClaim };
          const r = renderWith(chartDir, {
            database: { type },
            ...valuesOf(at),
            // PostgreSQL from a Secret of yours; the SQLite file in the container needs a writable root.
            ...(type === 'postgres' ? { externalDatabase: { existingSecret: 'todo-db' } } : enabled ? {} : { securityContext: { readOnlyRootFilesystem: false } }),
          });
          const database = databaseOf(at);
          seen.push({
            at,
            chart: r.status === 0 ? ofKind(r.objects, 'PersistentVolumeClaim').length === 1 : helmMessage(r.stderr),
            props: database === undefined ? undefined : build(database).backend.persistentVolumeClaim !== undefined,
          });
        }
      }
    }
  });
  /** The combinations the chart renders where it and a test (under the feature's condition) disagree. */
  const disagreements = (test: ValueTest) => seen.filter((s) => typeof s.chart === 'boolean' && (s.at.type === 'sqlite' && testHolds(test, valuesOf(s.at))) !== s.chart).map((s) => s.at);

  test('on every combination of database.type, persistence.enabled and existingClaim, the chart creates the claim exactly when the construct does, as the test holds', () => {
    expect(testPipeline(CLAIM_CREATED)).toBe('and .Values.persistence.enabled (not .Values.persistence.existingClaim)');
    expect(seen).toHaveLength(8);
    // A claim of the user's with PostgreSQL is refused by a rule of its own (the value applies to SQLite only).
    expect(seen.filter((s) => typeof s.chart === 'string').map((s) => s.at)).toEqual([true, false].map((enabled) => ({ type: 'postgres', enabled, existingClaim: 'todo-db-files' })));
    expect(disagreements(CLAIM_CREATED)).toEqual([]);
    const withProps = seen.filter((s) => s.props !== undefined && typeof s.chart === 'boolean');
    expect(withProps.map((s) => [s.at, s.chart])).toEqual(withProps.map((s) => [s.at, s.props]));
    expect(withProps).toHaveLength(5);
    expect(seen.filter((s) => s.chart === true).map((s) => s.at)).toEqual([{ type: 'sqlite', enabled: true, existingClaim: '' }]);
    // The construct reads the same test.
    expect([claimCreated(undefined), claimCreated({ mountPath: '/data', size: '1Gi' }), claimCreated({ mountPath: '/data', size: '1Gi', existingClaim: 'c' })]).toEqual([false, true, false]);
  });

  describe('fails when', () => {
    test('the test leaves out the claim of the user\'s (a claim created beside it)', () => {
      expect(disagreements({ truthy: 'persistence.enabled' })).toEqual([{ type: 'sqlite', enabled: true, existingClaim: 'todo-db-files' }]);
    });

    test('the test leaves out persistence.enabled (a claim for the file in the container)', () => {
      expect(disagreements({ not: { truthy: 'persistence.existingClaim' } })).toEqual([{ type: 'sqlite', enabled: false, existingClaim: '' }]);
    });
  });
});

describe('persistence.existingClaim: SQLite on a claim of the user\'s', () => {
  test('as a prop: no claim is created, the pods mount the user\'s, and the checks do not look for it', () => {
    const { app, objects, backend } = build(BackendDatabase.sqlite({ existingClaim: 'todo-db-files' }));
    expect(ofKind(objects, 'PersistentVolumeClaim')).toEqual([]);
    const deployment = find(objects, 'Deployment', 'todo-backend');
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'todo-db-files' } });
    expect(containerOf(deployment).volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(find(objects, 'ConfigMap', 'todo-backend-config').data.DATABASE_URL).toBe('sqlite:////data/todoapp.db');
    expect(backend.persistentVolumeClaim).toBeUndefined();
    expect(backend.externalClaims).toEqual(['todo-db-files']);
    expect(runAllChecks(objects, { externalClaims: backend.externalClaims })).toEqual([]);
    expect(runAllChecks(objects).map((f) => f.message)).toEqual(['refers to PersistentVolumeClaim default/todo-db-files, which is not among the manifests']);
    expect(() => app.synthYaml()).not.toThrow();
    expect(validateObjects(objects)).toEqual([]);
  });

  test('as a prop: a name that is not a DNS subdomain, and a size or storage class beside it, are refused', () => {
    expect(thrown(() => BackendDatabase.sqlite({ existingClaim: 'My_Claim' }))).toBe(
      '\'database.existingClaim\' must be a DNS-1123 subdomain: at most 253 characters of lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, got "My_Claim"');
    expect(thrown(() => BackendDatabase.sqlite({ existingClaim: 'c', size: Size.gibibytes(5) })))
      .toBe('\'database.size\' cannot be combined with \'database.existingClaim\' (no claim is created, so the value would be ignored), got "5Gi"');
  });

  test('the same storage class conflict is refused by the chart with the same words', () => {
    const props = thrown(() => BackendDatabase.sqlite({ existingClaim: 'c', storageClass: 'fast' }));
    const chart = helmMessage(templateError(chartDir, { setString: { 'persistence.existingClaim': 'c', 'persistence.storageClass': 'fast' } }));
    expect(chart).toBe('\'persistence.storageClass\' cannot be combined with \'persistence.existingClaim\' (no claim is created, so the value would be ignored), got "fast"');
    expect(props).toBe(chart.replace(/'persistence\./g, "'database."));
  });

  test('one test (STORAGE_CLASS_BESIDE_CLAIM): on every combination of existingClaim and storageClass, the chart refuses exactly what BackendDatabase.sqlite refuses', () => {
    expect(testPipeline(STORAGE_CLASS_BESIDE_CLAIM)).toBe('and .Values.persistence.existingClaim .Values.persistence.storageClass');
    const seen: object[] = [];
    const want: object[] = [];
    for (const existingClaim of ['', 'todo-db-files']) {
      for (const storageClass of ['', 'fast']) {
        const at = { existingClaim, storageClass };
        const r = renderWith(chartDir, { persistence: { existingClaim, storageClass } });
        seen.push({ ...at, refused: r.status === 0 ? undefined : helmMessage(r.stderr).replace(/'persistence\./g, "'database.") });
        let refused: string | undefined;
        try {
          BackendDatabase.sqlite({ existingClaim: existingClaim || undefined, storageClass: storageClass || undefined });
        } catch (e) {
          refused = (e as Error).message;
        }
        want.push({ ...at, refused });
      }
    }
    expect(seen).toEqual(want);
    expect(want.filter((w: any) => w.refused !== undefined)).toEqual([{ existingClaim: 'todo-db-files', storageClass: 'fast',
      refused: '\'database.storageClass\' cannot be combined with \'database.existingClaim\' (no claim is created, so the value would be ignored), got "fast"' }]);
  });

  test('as a chart value: no claim is rendered, the pods mount the user\'s, as the props do; lint --strict passes', () => {
    const lint = helm(['lint', '--strict', chartDir, '--set-string', 'persistence.existingClaim=todo-db-files']);
    expect([lint.status, lint.stdout + lint.stderr]).toEqual([0, expect.stringContaining('0 chart(s) failed')]);
    const rendered = template(chartDir, { setString: { 'persistence.existingClaim': 'todo-db-files' } });
    expect(validateObjects(rendered)).toEqual([]);
    expect(ofKind(rendered, 'PersistentVolumeClaim')).toEqual([]);
    const { objects } = build(BackendDatabase.sqlite({ existingClaim: 'todo-db-files' }));
    const [got, want] = [find(rendered, 'Deployment', 'todo-backend'), find(objects, 'Deployment', 'todo-backend')];
    expect(got.spec.template.spec.volumes).toEqual(want.spec.template.spec.volumes);
    expect(containerOf(got).volumeMounts).toEqual(containerOf(want).volumeMounts);
    expect(runAllChecks(rendered, { externalClaims: ['todo-db-files'] })).toEqual([]);
    // Empty by default: the chart's own claim.
    expect(fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')).toMatch(/# Name of a PersistentVolumeClaim of yours to mount instead[^\n]*\n {2}existingClaim: ""\n/);
    expect(find(template(chartDir), 'PersistentVolumeClaim', 'todo-backend-data').metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
    expect(templateError(chartDir, { setString: { 'persistence.existingClaim': 'My_Claim' } })).toContain('persistence.existingClaim');
  });
});
