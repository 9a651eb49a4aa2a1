import * as k8s from '../../imports/k8s';
import type { AppComponent } from '../app-component';
import type { GivenSecret } from '../component-variables';
import { BackendDatabase, DATABASE_URL, DatabaseEngine, engineTest, sqliteUrl } from '../backend-database';
import { egressToPorts } from '../cluster-objects';
import { ChartParts, ChartScope, ComponentFeature, VariableAtInstall } from '../component-feature';
import { ChartCheck, messageWith, ruleTest } from '../helm/chart-rules';
import { Binding, Helm } from '../helm/template';
import { testHolds, testPipeline, ValueTest } from '../helm/value-cases';
import { group, leaf, ValuesNode } from '../helm/values';
import { appliesOnlyTo, conflict, IGNORED_BESIDE_EXISTING_SECRET, lengthOnly, setByDatabase, violationText } from '../shared-rules';
import { orEmpty, Rules } from '../validation';
import { sortedJson } from './secret-egress';
import { valueBesideExistingSecret } from './secrets';

/** PostgreSQL's port, when the URL is in a Secret of the user's (not known at synth) or names none in {@link PORT_RANGE}. */
export const POSTGRES_PORT = 5432;

/** The ports a URL's port is read as, the project's port rule (`Rules.port`): others (0, 99999) give {@link POSTGRES_PORT}. */
const PORT_RANGE = { min: Number(Rules.port.schema.minimum), max: Number(Rules.port.schema.maximum) } as const;

/**
 * How a URL's port is read, in the regular expressions that both
 * {@link databasePort} and the chart's `databasePort` helper run (JavaScript's
 * and Go's RE2 read them alike): the authority after `scheme://` (up to `/`,
 * `?` or `#`), the host after any `user:password@` (up to the last `@`), and
 * the digits after its last `:` (`[::1]:5433` gives 5433, `[::1]` none).
 */
const URL_PORT = { authority: '^[^:/?#]+://[^/?#]*', scheme: '^[^:/?#]+://', userinfo: '^.*@', port: ':[0-9]+$' } as const;

/**
 * @internal PostgreSQL's port of a URL: its port in {@link PORT_RANGE}, else
 * {@link POSTGRES_PORT} (none given, 0, 99999, not a number, or no URL).
 */
export function databasePort(url: string | undefined): number {
  const authority = new RegExp(URL_PORT.authority).exec(url ?? '')?.[0] ?? '';
  const host = authority.replace(new RegExp(URL_PORT.scheme), '').replace(new RegExp(URL_PORT.userinfo), '');
  // Leading zeros are read, as Go's atoi reads them; digits beyond an int64 (0 in Go) are out of range in both.
  const port = Number(new RegExp(URL_PORT.port).exec(host)?.[0].slice(1) ?? '0');
  return Rules.port.test(port) ? port : POSTGRES_PORT;
}

/** @internal A chart's condition (a template pipeline): the backend runs on `engine` ({@link engineTest}). */
export function engineIs(engine: DatabaseEngine): string {
  return testPipeline(engineTest(engine));
}

/** @internal The chart's condition: SQLite. */
export const SQLITE_CHART = engineIs(DatabaseEngine.SQLITE);
/** The chart's condition: PostgreSQL. */
const POSTGRES_CHART = engineIs(DatabaseEngine.POSTGRES);

/**
 * @internal `DATABASE_URL` among the plain variables (`env`), which the
 * database sets: refused by {@link Database.checkEnv} and the chart's check.
 */
export const DATABASE_URL_IN_ENV: ValueTest = { hasKey: 'env', key: DATABASE_URL };

/** How a construct chooses the database, for messages. */
const PROPS_HOW = 'the database prop: BackendDatabase.sqlite, .ephemeralSqlite, .postgres or .postgresFromSecret';
/** How a chart chooses the database, for messages. */
const VALUES_HOW = 'database.type, persistence.* and externalDatabase.*';

/** What a chart user sets for a URL that is missing. */
const URL_HINT = 'set it with --set-string externalDatabase.url=..., or externalDatabase.existingSecret naming a Secret of yours that holds it';

/**
 * @internal
 * The backend's database, one unit for both renderings. The construct's
 * `BackendDatabase` gives the manifests' `DATABASE_URL` (in the ConfigMap
 * for SQLite, in a Secret for PostgreSQL: the backend's own, or one of the
 * user's) and the egress to PostgreSQL; the chart's `database.type` and
 * `externalDatabase.*` values (defaults read from the same
 * `BackendDatabase`) choose the same at install, so one chart runs SQLite on
 * its volume (`persistence.enabled`), the ephemeral SQLite file, or
 * PostgreSQL from a URL or from a Secret of the user's. SQLite's rules
 * ({@link SqliteRules}) and the volume ({@link Persistence}) follow
 * `database.type`.
 */
export class Database implements ComponentFeature {
  /** The variables of the construct's ConfigMap for this database: the SQLite URL. */
  public static configEnv(database: BackendDatabase): { [name: string]: string } {
    return database.configUrl === undefined ? {} : { [DATABASE_URL]: database.configUrl };
  }

  /** The construct's secret `DATABASE_URL` for this database: PostgreSQL's URL (given, or in a Secret of the user's); none for SQLite. */
  public static urlSecret(database: BackendDatabase): GivenSecret | undefined {
    return database.engine === DatabaseEngine.POSTGRES
      ? { value: database.secretUrl, secretRef: database.secretRef, setting: 'backend.database' }
      : undefined;
  }

  /** The construct's egress: PostgreSQL's port (of the URL, else 5432), to any address (the server may be outside the cluster). */
  public static egress(database: BackendDatabase): k8s.NetworkPolicyEgressRule[] {
    if (database.engine !== DatabaseEngine.POSTGRES) {
      return [];
    }
    return [egressToPorts([databasePort(database.secretUrl ?? database.configUrl)])];
  }

  /** Refuses `DATABASE_URL` among the plain variables of the props: the database sets it. */
  public static checkEnv(setting: string, env: { readonly [name: string]: string } | undefined): void {
    // The values as the chart holds them: no variables is an empty map.
    if (testHolds(DATABASE_URL_IN_ENV, { env: env ?? {} })) {
      throw new Error(setByDatabase(setting, PROPS_HOW, JSON.stringify(DATABASE_URL)));
    }
  }

  public readonly name = 'database';

  constructor(private readonly database: BackendDatabase) {}

  public values(_c: AppComponent): { [key: string]: ValuesNode } {
    const ref = this.database.secretRef;
    return {
      database: group('The database the backend runs on (DATABASE_URL).', {
        type: leaf(
          `sqlite: a SQLite file, on the volume of persistence when persistence.enabled (${sqliteUrl('<mountPath>')}), else in the container
(${sqliteUrl('.')}: lost on every restart; needs securityContext.readOnlyRootFilesystem=false). SQLite has one writer:
replicaCount 0 or 1, no autoscaling. postgres: the PostgreSQL server of externalDatabase (no volume), any number of pods.`,
          this.database.engine,
          { type: 'string', enum: Object.values(DatabaseEngine) },
        ),
      }),
      externalDatabase: group('PostgreSQL (database.type=postgres): its URL, or a Secret of yours that holds it.', {
        url: leaf(
          'The URL, such as postgresql://user:password@host:5432/todo: kept in the chart\'s Secret (DATABASE_URL), never in the ConfigMap.\nPass it at install (--set-string externalDatabase.url=...); on upgrade it is kept from the Secret when empty.',
          '',
          // The type only: the rule is checked by the chart, with the props' words (the URL holds a password: its length only).
          { type: 'string' },
        ),
        existingSecret: leaf('Name of a Secret of yours holding the URL (no URL here, and no DATABASE_URL in the chart\'s Secret).', ref?.name ?? '', orEmpty(Rules.dnsSubdomain).schema),
        existingSecretKey: leaf('The key of existingSecret that holds the URL.', ref?.key ?? DATABASE_URL, Rules.secretKey.schema),
      }),
    };
  }

  public variablesAtInstall(_c: AppComponent): VariableAtInstall[] {
    const [onVolume, inContainer] = [sqliteUrl('%s'), sqliteUrl('.')];
    return [{
      name: DATABASE_URL,
      config: {
        when: SQLITE_CHART,
        value: `ternary (printf ${JSON.stringify(onVolume)} (toString .Values.persistence.mountPath)) ${JSON.stringify(inContainer)} (eq .Values.persistence.enabled true)`,
      },
      secret: {
        when: POSTGRES_CHART,
        userSecret: '.Values.externalDatabase.existingSecret',
        userKey: '.Values.externalDatabase.existingSecretKey',
        own: `and (${POSTGRES_CHART}) (not .Values.externalDatabase.existingSecret)`,
        value: 'externalDatabase.url',
        missing: violationText('externalDatabase.url', Rules.postgresUrl, URL_HINT).join(lengthOnly(0)),
        description: 'with database.type=postgres and no externalDatabase.existingSecret',
      },
    }];
  }

  /**
   * PostgreSQL's port when it is chosen at install and the egress rules of
   * the values lack it (a chart synthesized from another database): the
   * URL's port, else 5432, as {@link Database.egress} reads it.
   */
  public egressAtInstall(_c: AppComponent, chart: ChartScope): { when: string; rules: k8s.NetworkPolicyEgressRule[]; bindings: Binding[] } {
    const mark = 65536;
    // Helm's toJson writes a map's keys sorted: the rule, written the same way, is found in the rules' JSON.
    const rule = sortedJson(k8s.toJson_NetworkPolicyEgressRule(egressToPorts([mark]))).replace(String(mark), '%s');
    const port = `(${chart.include('databasePort')})`;
    return {
      when: `and (${POSTGRES_CHART}) (not (contains (printf ${JSON.stringify(rule.replace(/%(?!s)/g, '%%'))} ${port}) (toJson .Values.networkPolicy.egress.rules)))`,
      rules: [egressToPorts([POSTGRES_PORT])],
      bindings: [{ path: '0.ports.0.port', expr: Helm.scalar(`{{ ${chart.include('databasePort')} }}`) }],
    };
  }

  public chart(_c: AppComponent, chart: ChartScope): ChartParts {
    const url = '.Values.externalDatabase.url';
    const urlLength = `(len (splitList "" (toString ${url})))`;
    const checks: ChartCheck[] = [
      {
        kind: 'message',
        when: testPipeline(DATABASE_URL_IN_ENV),
        message: setByDatabase('env', VALUES_HOW, JSON.stringify(DATABASE_URL)),
      },
      {
        kind: 'message',
        when: `and (${SQLITE_CHART}) ${url}`,
        ...messageWith((got) => appliesOnlyTo('externalDatabase.url', 'database.type=postgres', lengthOnly(got), 'database.type=sqlite', 'unset it or set database.type=postgres'), [urlLength]),
      },
      {
        kind: 'message',
        when: `and (${SQLITE_CHART}) .Values.externalDatabase.existingSecret`,
        ...messageWith((got) => appliesOnlyTo('externalDatabase.existingSecret', 'database.type=postgres', got, 'database.type=sqlite', 'unset it or set database.type=postgres'), ['(toJson .Values.externalDatabase.existingSecret)']),
      },
      {
        kind: 'message',
        when: `and (${POSTGRES_CHART}) .Values.persistence.existingClaim`,
        ...messageWith((got) => appliesOnlyTo('persistence.existingClaim', 'database.type=sqlite', got, 'database.type=postgres', 'unset it or set database.type=sqlite'), ['(toJson .Values.persistence.existingClaim)']),
      },
      {
        kind: 'message',
        when: `and ${url} .Values.externalDatabase.existingSecret`,
        message: conflict('externalDatabase.url', 'externalDatabase.existingSecret', IGNORED_BESIDE_EXISTING_SECRET, `a value for ${DATABASE_URL}`),
      },
      {
        kind: 'message',
        when: testPipeline(valueBesideExistingSecret('externalDatabase.url')),
        message: conflict('externalDatabase.url', 'existingSecret', IGNORED_BESIDE_EXISTING_SECRET, `a value for ${DATABASE_URL}`),
      },
      { kind: 'rule', value: 'externalDatabase.url', rule: Rules.postgresUrl, when: url },
      {
        kind: 'message',
        when: `and (${SQLITE_CHART}) (not .Values.persistence.enabled) .Values.securityContext.readOnlyRootFilesystem`,
        message: `'securityContext.readOnlyRootFilesystem' must be false with the SQLite file in the container (database.type=sqlite, persistence.enabled=false: ${sqliteUrl('.')}), got true; set it to false, or persistence.enabled=true`,
      },
    ];
    return {
      checks,
      helpers: `
{{/* PostgreSQL's port: of externalDatabase.url, else ${POSTGRES_PORT} (a URL in a Secret of yours, or without a port in ${PORT_RANGE.min}-${PORT_RANGE.max}): databasePort's URL_PORT and PORT_RANGE. */}}
{{- define "${chart.chartName}.databasePort" -}}
{{- $authority := regexFind ${JSON.stringify(URL_PORT.authority)} (toString .Values.externalDatabase.url) }}
{{- $host := regexReplaceAll ${JSON.stringify(URL_PORT.userinfo)} (regexReplaceAll ${JSON.stringify(URL_PORT.scheme)} $authority "") "" }}
{{- $port := regexFind ${JSON.stringify(URL_PORT.port)} $host | trimPrefix ":" | default "0" | atoi }}
{{- if ${ruleTest(Rules.port, '$port', 'databasePort')} }}{{ $port }}{{ else }}${POSTGRES_PORT}{{ end }}
{{- end }}`.split('\n').slice(1),
    };
  }
}
