import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { buildDefaultApp } from '../../lib/default-app';
import { renderChecks, RULE_TEXT } from '../../lib/helm/chart-rules';
import { TodoHelmChart } from '../../lib/helm/todo-helm-chart';
import { caseLines, RENDERED_PIPELINES, testPipeline, ValueCase, ValueTest } from '../../lib/helm/value-cases';
import { Rules } from '../../lib/validation';
import { readSettings } from '../../lib/settings';
import { actionsOf, Category, Decision, decisionsOf, normalized } from '../support/conditions-audit';
import { TEST_SECRETS } from '../support/util';

/**
 * Issue #10's acceptance, checked by machine: every decision of the
 * generated charts (`if`, `else if`, `with`, `range`, `ternary`, `default`,
 * `and`, `or`, `not`, `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `fail`, ...) in
 * every template, `_helpers.tpl` and NOTES.txt is either
 * - a pipeline that `testPipeline` or `caseLines` rendered from a ValueTest
 *   or ValueCase table (known by value-cases.ts' record of what it rendered,
 *   not by the text),
 * - a bare value reference (`if .Values.x`, `with`, `range`; a named
 *   helper's text): a binding, not a rule,
 * - a check compiled by lib/helm/chart-rules.ts from a rule object (known
 *   by its record; the `when` a rule check is given is audited on its own),
 * - or one of the hand-written decisions below, each with where it is
 *   written and why: kept (not a restatement), TO CONVERT (being converted
 *   to value cases), or RESTATES (a TypeScript rule written again in Go,
 *   not converted yet).
 */

/** Why a hand-written decision is there. */
type Status =
  /** Not a restatement: the reason says what it decides that TypeScript does not. */
  | 'kept'
  /** A restatement being converted to value cases. */
  | 'TO CONVERT'
  /** A restatement of the TypeScript rule the reason names, not converted yet. */
  | 'RESTATES';

interface Allowed {
  /** The decisions (normalized: `<chart>` for the chart's name, `$e#` for a check's variables). */
  readonly conditions: readonly string[];
  /** The chart files each is in. */
  readonly files: readonly string[];
  /** Where the text is written: `file:line` in lib/ (the line as of this writing). */
  readonly at: string;
  /** Text of that file that writes it (checked: the file holds it). */
  readonly anchor: string;
  readonly status: Status;
  readonly reason: string;
}

const HELPERS = ['templates/_helpers.tpl'];
const SECRETS = ['JWT_SECRET', 'BETTER_AUTH_SECRET'];

/** The hand-written decisions of the charts (category d). */
const ALLOWED: readonly Allowed[] = [
  // Helm's naming: the release exists only at install.
  {
    conditions: ['default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-"', '$name := default .Chart.Name .Values.nameOverride', 'contains $name .Release.Name'],
    files: HELPERS, at: 'lib/features/names.ts:148', anchor: '{{- if contains $name .Release.Name }}', status: 'kept',
    reason: 'helm create\'s name and fullname: the chart and release names exist only at install; the constructs name objects by props',
  },
  {
    conditions: ['default .Release.Namespace .Values.namespace'],
    files: HELPERS, at: 'lib/features/names.ts:170', anchor: '{{- default .Release.Namespace .Values.namespace }}', status: 'kept',
    reason: 'the release\'s namespace (helm install --namespace) when values.namespace is empty: install-time only',
  },
  // Secrets.
  {
    conditions: ['not .Values.existingSecret'],
    files: ['templates/NOTES.txt', 'templates/_helpers.tpl', 'templates/deployment.yaml', 'templates/secret.yaml'],
    at: 'lib/features/secrets.ts:305', anchor: 'condition: \'not .Values.existingSecret\'', status: 'kept',
    reason: 'one value, negated (a binding): the chart\'s own Secret, its checksum (checksums.ts:84), generated keys (secrets.ts:237) and NOTES (250) exist without existingSecret, as the construct makes no Secret with the prop',
  },
  {
    conditions: ['$existing := (lookup "v1" "Secret" (include "<chart>.namespace" .) (include "<chart>.secretName" .)).data | default dict'],
    files: ['templates/_helpers.tpl', 'templates/secret.yaml'], at: 'lib/features/secrets.ts:270', anchor: '{{- $existing := (lookup "v1" "Secret"', status: 'kept',
    reason: 'install-time only: lookup reads the cluster\'s Secret (none: an empty map); a synth has no cluster',
  },
  {
    conditions: SECRETS.map((s) => `not (or .Values.secrets.${s} (hasKey $existing "${s}"))`),
    files: HELPERS, at: 'lib/features/secrets.ts:240', anchor: '(hasKey $existing "${v.name}")) }}', status: 'kept',
    reason: 'install-time only: a key is generated when neither given nor in the cluster\'s Secret (lookup); the constructs read the keys Secret instead',
  },
  {
    conditions: [...SECRETS, 'DATABASE_URL'].map((s) => `hasKey $existing "${s}"`),
    files: ['templates/secret.yaml'], at: 'lib/features/secrets.ts:278', anchor: '{{- else if hasKey $existing "${v.name}" }}', status: 'kept',
    reason: 'install-time only: on upgrade, the value the cluster\'s Secret holds is kept (lookup); also at line 292',
  },
  {
    conditions: SECRETS.map((s) => `and .Values.gitOps (not .Values.existingSecret) (not (index .Values "secrets" "${s}"))`),
    files: HELPERS, at: 'lib/features/secrets.ts:220', anchor: 'when: `and .Values.gitOps (not .Values.existingSecret)', status: 'kept',
    reason: 'the GitOps refusal: gitOps is a chart value only (a render without a cluster would generate the key); no construct counterpart',
  },
  {
    conditions: ['(toString ((index .Values "externalDatabase" "url") | default ""))', '$_ := set $data "DATABASE_URL" ((toString ((index .Values "externalDatabase" "url") | default "")) | b64enc)'],
    files: ['templates/secret.yaml'], at: 'lib/features/secrets.ts:287', anchor: 'const value = `(toString (${valueExpr(v.secret.value)} | default ""))`', status: 'kept',
    reason: 'the URL value itself, null read as "" (default): a binding with nil-safety, no rule',
  },
  {
    conditions: ['fail "\'externalDatabase.url\' must be a PostgreSQL URL such as \\"postgresql://user:password@host:5432/todo\\", got a value of 0 characters; set it with --set-string externalDatabase.url=..., or externalDatabase.existingSecret naming a Secret of yours that holds it"'],
    files: ['templates/secret.yaml'], at: 'lib/features/secrets.ts:295', anchor: '`{{- fail ${JSON.stringify(v.secret.missing)} }}`', status: 'kept',
    reason: 'install-time only: the URL neither given nor kept from the cluster\'s Secret (upgrade); its words are Rules.postgresUrl\'s violationText (database.ts:143)',
  },
  {
    conditions: ['default (include "<chart>.secretName" .) .Values.externalDatabase.existingSecret | quote'],
    files: ['templates/deployment.yaml'], at: 'lib/features/secrets.ts:319', anchor: 'Helm.scalar(`{{ default (${chart.include(\'secretName\')}) ${v.secret.userSecret} | quote }}`)', status: 'kept',
    reason: 'a value with its fallback (the user\'s Secret, else the chart\'s): the construct has the variant instead (BackendDatabase.postgresFromSecret vs .postgres)',
  },
  // Database: values a chart combines at install, where the props hold one BackendDatabase variant.
  {
    conditions: ['$_ := set $data "DATABASE_URL" (ternary (printf "sqlite:///%s/todoapp.db" (toString .Values.persistence.mountPath)) "sqlite:///./todoapp.db" (eq .Values.persistence.enabled true))'],
    files: ['templates/configmap.yaml'], at: 'lib/features/database.ts:135', anchor: 'value: `ternary (printf ${JSON.stringify(onVolume)}', status: 'kept',
    reason: 'install-time only: persistence.enabled picks between the two SQLite variants\' URLs (both from sqliteUrl); the construct has the variant (sqlite vs ephemeralSqlite)',
  },
  {
    conditions: ['and (eq (toString .Values.database.type) "sqlite") .Values.persistence.enabled'],
    files: ['templates/_helpers.tpl', 'templates/deployment.yaml'], at: 'lib/features/persistence.ts:120', anchor: 'const enabled = this.when === undefined', status: 'kept',
    reason: 'install-time only: the volume exists for SQLite with persistence.enabled, two values where the construct has one variant (BackendDatabase.sqlite\'s volume)',
  },
  {
    conditions: ['and (eq (toString .Values.database.type) "sqlite") (and .Values.persistence.enabled (not .Values.persistence.existingClaim))'],
    files: ['templates/pvc.yaml'], at: 'lib/features/persistence.ts:136', anchor: 'condition: this.when === undefined ? testPipeline(CLAIM_CREATED) : `and (${this.when}) (${testPipeline(CLAIM_CREATED)})`', status: 'kept',
    reason: 'install-time only: the feature\'s condition (SQLite, as at line 120) and the CLAIM_CREATED test the construct holds (claimCreated), rendered by testPipeline: the claim\'s rule is not restated',
  },
  {
    conditions: ['and (eq (toString .Values.database.type) "postgres") (not .Values.externalDatabase.existingSecret)'],
    files: ['templates/secret.yaml'], at: 'lib/features/database.ts:141', anchor: 'own: `and (${POSTGRES_CHART}) (not .Values.externalDatabase.existingSecret)`', status: 'kept',
    reason: 'install-time only: the chart\'s Secret holds the URL for PostgreSQL without a Secret of the user\'s; the construct has the variant (postgres vs postgresFromSecret)',
  },
  {
    conditions: ['and (eq (toString .Values.database.type) "sqlite") .Values.externalDatabase.url', 'and (eq (toString .Values.database.type) "sqlite") .Values.externalDatabase.existingSecret',
      'and (eq (toString .Values.database.type) "postgres") .Values.persistence.existingClaim', 'and .Values.externalDatabase.url .Values.externalDatabase.existingSecret'],
    files: HELPERS, at: 'lib/features/database.ts:177', anchor: 'when: `and (${SQLITE_CHART}) ${url}`', status: 'kept',
    reason: 'database-type conflicts (lines 177-195): values that only a chart can combine; the props hold one BackendDatabase variant, which cannot express them',
  },
  {
    conditions: ['and (eq (toString .Values.database.type) "sqlite") (not .Values.persistence.enabled) .Values.securityContext.readOnlyRootFilesystem'],
    files: HELPERS, at: 'lib/features/database.ts:203', anchor: '(not .Values.persistence.enabled) .Values.securityContext.readOnlyRootFilesystem', status: 'kept',
    reason: 'install-time only: the construct derives readOnlyRootFilesystem from the variant (todo-backend.ts:189 writableRoot); no prop can contradict it',
  },
  {
    conditions: ['and (eq (toString .Values.database.type) "postgres") (not (contains (printf "{\\"ports\\":[{\\"port\\":%s,\\"protocol\\":\\"TCP\\"}]}" (include "<chart>.databasePort" .)) (toJson .Values.networkPolicy.egress.rules)))'],
    files: ['templates/networkpolicy.yaml'], at: 'lib/features/database.ts:160', anchor: 'when: `and (${POSTGRES_CHART}) (not (contains', status: 'kept',
    reason: 'install-time only: PostgreSQL chosen at install and the values\' egress rules lack its port; the rule itself is Database.egress\'s TS object',
  },
  {
    conditions: ['$port := regexFind ":[0-9]+$" $host | trimPrefix ":" | default "0" | atoi'],
    files: HELPERS, at: 'lib/features/database.ts:223', anchor: '{{- $port := regexFind ${JSON.stringify(URL_PORT.port)} $host | trimPrefix ":" | default "0" | atoi }}', status: 'kept',
    reason: 'the URL\'s port digits (URL_PORT\'s pattern, read from TS), none read as 0 as databasePort reads them (a port the rule refuses); whether it is a port is Rules.port\'s own test (ruleTest, line 224)',
  },
  {
    conditions: ['mulf (float64 (regexReplaceAll "^([0-9.]+)([a-zA-Z]*)$" $q "$1")) (float64 (ternary "1" (index $factors $suffix) (eq $suffix "")))'],
    files: HELPERS, at: 'lib/features/resources.ts:54', anchor: '(float64 (ternary "1" (index $factors $suffix) (eq $suffix ""))) }}', status: 'kept',
    reason: 'evaluates quantityValue\'s data in Go (QUANTITY and QUANTITY_SUFFIXES read from TS); the ternary is the factor of no suffix, 1, not a rule',
  },
  // Probes, replicas.
  {
    conditions: ['eq .type "http"'],
    files: HELPERS, at: 'lib/features/probes.ts:86', anchor: '`{{- if eq .type "${ProbeType.HTTP}" -}}`', status: 'kept',
    reason: 'picks between the two TS renderings of a probe (httpLines, tcpLines) by its ProbeType value: a binding of the enum',
  },
  {
    conditions: ['not .Values.autoscaling.enabled'],
    files: ['templates/deployment.yaml'], at: 'lib/features/replicas.ts:27', anchor: 'Helm.optional(\'not .Values.autoscaling.enabled\'', status: 'kept',
    reason: 'one value, negated (a binding): spec.replicas is left out when an autoscaler owns it, as the construct leaves it out (replicas.ts:18)',
  },
  // Extra variables and volumes: checks of each entry of a list.
  {
    conditions: ['$ownEnv := concat (keys (.Values.env | default dict)) (list "JWT_SECRET" "ANTHROPIC_API_KEY" "DATABASE_URL") | uniq | sortAlpha', '$ownEnv := concat (keys (.Values.env | default dict)) (list "BETTER_AUTH_SECRET") | uniq | sortAlpha'],
    files: HELPERS, at: 'lib/features/extra-env.ts:159', anchor: '`{{- $${OWN_ENV} := concat (keys (.Values.env | default dict))', status: 'kept',
    reason: 'gathers the component\'s own names (from TS: chartSecretVariables, variablesAtInstall) for the checks; default: no env is an empty map',
  },
  // Scheduling, Service, egress, NOTES.
  {
    conditions: ['omit (.Values.affinity | default dict) "podAntiAffinity"'],
    files: ['templates/deployment.yaml'], at: 'lib/features/scheduling.ts:230', anchor: '`${pad}{{- with omit ${affinity} ${JSON.stringify(SPREADING_PART)} }}`', status: 'kept',
    reason: 'a data transform, not a rule: the affinity given without SPREADING_PART, the key Scheduling.pod leaves out too (its `rest`); whether the part is the given one or the app\'s is SPREADING_PART_FROM\'s table',
  },
  {
    conditions: ['and (or .Values.secrets.ANTHROPIC_API_KEY .Values.existingSecret) (not (contains "{\\"ports\\":[{\\"port\\":443,\\"protocol\\":\\"TCP\\"}]}" (toJson .Values.networkPolicy.egress.rules)))'],
    files: ['templates/networkpolicy.yaml'], at: 'lib/features/secret-egress.ts:46', anchor: 'when: `and (${testPipeline(this.keyed)}) (not (contains', status: 'kept',
    reason: 'install-time only: the values\' egress rules lack the rule; the key-or-existing-Secret half is testPipeline of SecretEgress.keyed, the test its rules() evaluate for the construct (todo-backend.ts:46)',
  },
  {
    conditions: ['contains "NodePort" .Values.service.type', 'contains "LoadBalancer" .Values.service.type'],
    files: ['templates/NOTES.txt'], at: 'lib/features/service.ts:92', anchor: 'when: `contains "${ServiceType.NODE_PORT}" ${type}`', status: 'kept',
    reason: 'NOTES only: helm create\'s words on reaching the app for each Service type; no construct counterpart',
  },
];

/** The app setups whose charts are audited: the charts' text differs with the database and profile. */
const SETUPS: { readonly [name: string]: { readonly [key: string]: string } } = {
  'default': {},
  'ephemeral-sqlite': { TODO_DATABASE: 'ephemeral-sqlite' },
  'cluster, postgres from a Secret': { TODO_PROFILE: 'cluster', TODO_HOST: 'todo.example.com', TODO_TLS_SECRET: 'todo-tls', TODO_DATABASE: 'postgres', TODO_DATABASE_SECRET: 'todo-db' },
  'cluster, postgres URL': { TODO_PROFILE: 'cluster', TODO_HOST: 'todo.example.com', TODO_DATABASE: 'postgres', DATABASE_URL: 'postgresql://u:p@db:5432/todo' },
};

/** A decision of a chart, with the chart's name. */
interface Found extends Decision {
  readonly chartName: string;
  readonly setup: string;
}

/** The template files scanned (every file under templates/ of every chart). */
const scanned = new Set<string>();

/** The decisions of every template, helper and NOTES.txt of the setups' charts. */
function auditCharts(): Found[] {
  const found: Found[] = [];
  for (const [setup, env] of Object.entries(SETUPS)) {
    const app = Testing.app();
    const todo = buildDefaultApp(app, readSettings(env), { JWT_SECRET: TEST_SECRETS.jwtSecret, BETTER_AUTH_SECRET: TEST_SECRETS.betterAuthSecret });
    for (const component of todo.components) {
      const chart = new TodoHelmChart(app, `${component.role}-chart`, { component });
      for (const [file, text] of Object.entries(chart.files()).filter(([f]) => f.startsWith('templates/'))) {
        scanned.add(file);
        found.push(...decisionsOf(file, text).map((d) => ({ ...d, chartName: chart.chartName, setup })));
      }
    }
  }
  return found;
}

/** The hand-written decisions as `file | condition`, normalized. */
function handWritten(found: readonly Found[]): Set<string> {
  return new Set(found.filter((d) => d.category === 'hand-written').map((d) => `${d.file} | ${normalized(d.condition, d.chartName)}`));
}

const ROOT = path.join(__dirname, '..', '..');

describe('conditions audit: every decision of the charts is generated from TypeScript, a binding, or listed here with its reason', () => {
  let found: Found[];
  beforeAll(() => {
    found = auditCharts();
  });

  test('the hand-written decisions are exactly those listed', () => {
    const expected = new Set(ALLOWED.flatMap((a) => a.files.flatMap((f) => a.conditions.map((c) => `${f} | ${c}`))));
    const actual = handWritten(found);
    const NOT_LISTED = 'hand-written, not in ALLOWED: render it from a ValueTest or ValueCase table (lib/helm/value-cases.ts), or list it with its source and reason';
    const GONE = 'in ALLOWED, no longer in the charts: remove it from ALLOWED';
    expect({ [NOT_LISTED]: [...actual].filter((k) => !expected.has(k)).sort(), [GONE]: [...expected].filter((k) => !actual.has(k)).sort() })
      .toEqual({ [NOT_LISTED]: [], [GONE]: [] });
  });

  test('each listed decision names where it is written in lib/ and why it is there', () => {
    for (const a of ALLOWED) {
      const [file, line] = a.at.split(':');
      const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
      expect([a.at, Number(line) > 0 && Number(line) <= source.split('\n').length, source.includes(a.anchor)]).toEqual([a.at, true, true]);
      expect(a.reason.length).toBeGreaterThan(20);
    }
    // No restatement is left: every hand-written decision is kept for its reason (issue #10's acceptance).
    expect(ALLOWED.filter((a) => a.status !== 'kept').map((a) => `${a.at} ${a.status}`)).toEqual([]);
  });

  test('every category is found in every setup, and every template file is scanned', () => {
    const count = (category: Category) => found.filter((d) => d.category === category).length;
    const counts = { 'value-case': count('value-case'), 'binding': count('binding'), 'rule': count('rule'), 'hand-written': count('hand-written') };
    for (const setup of Object.keys(SETUPS)) {
      expect([setup, new Set(found.filter((d) => d.setup === setup).map((d) => d.category))]).toEqual([setup, new Set(['value-case', 'binding', 'rule', 'hand-written'])]);
    }
    const files = ['templates/_helpers.tpl', 'templates/deployment.yaml', 'templates/service.yaml', 'templates/configmap.yaml',
      'templates/secret.yaml', 'templates/networkpolicy.yaml', 'templates/pvc.yaml', 'templates/ingress.yaml', 'templates/hpa.yaml', 'templates/pdb.yaml',
      'templates/serviceaccount.yaml', 'templates/NOTES.txt'];
    expect(scanned).toEqual(new Set([...files, 'templates/tests/test-connection.yaml']));
    // The helm test pod decides nothing; every other file does.
    expect(new Set(found.map((d) => d.file))).toEqual(new Set(files));
    // Generated decisions name the table or test they came from.
    for (const d of found.filter((x) => x.category === 'value-case' || x.category === 'rule')) {
      expect(d.from).toBeDefined();
    }
    expect(counts['value-case']).toBeGreaterThan(20);
    expect(counts.rule).toBeGreaterThan(100);
  });

  test('fails when a hand-written condition is added to a chart', () => {
    const app = Testing.app();
    const todo = buildDefaultApp(app, readSettings({}), { JWT_SECRET: TEST_SECRETS.jwtSecret, BETTER_AUTH_SECRET: TEST_SECRETS.betterAuthSecret });
    const chart = new TodoHelmChart(app, 'chart', { component: todo.backend });
    const files = chart.files();
    const before = [...handWritten(Object.entries(files).flatMap(([f, t]) => decisionsOf(f, t).map((d) => ({ ...d, chartName: chart.chartName, setup: 'default' }))))];
    // A restated rule: "at least 3 replicas" written as template text; and a ternary in a value.
    const mutated = `${files['templates/deployment.yaml']}{{- if ge (int .Values.replicaCount) 3 }}\n# many\n{{- end }}\nx: {{ ternary "a" "b" .Values.x }}\n`;
    const after = handWritten(decisionsOf('templates/deployment.yaml', mutated).map((d) => ({ ...d, chartName: chart.chartName, setup: 'default' })));
    expect([...after].filter((k) => !before.includes(k))).toEqual([
      'templates/deployment.yaml | ge (int .Values.replicaCount) 3',
      'templates/deployment.yaml | ternary "a" "b" .Values.x',
    ]);
    // The same condition rendered from a ValueTest is generated, not hand-written.
    const test: ValueTest = { atLeast: 'replicaCount', n: 3 };
    const generated = decisionsOf('templates/x.yaml', `{{- if ${testPipeline(test)} }}\n# many\n{{- end }}\n`);
    expect(generated.map((d) => [d.category, d.from])).toEqual([['value-case', test]]);
  });

  test('a rule check is the rule machinery\'s, and the `when` it is given is audited on its own', () => {
    const lines = renderChecks([
      { kind: 'rule', value: 'a', rule: Rules.dnsLabel, when: '.Values.a' },
      { kind: 'rule', value: 'b', rule: Rules.dnsLabel, when: 'eq .Values.kind "x"' },
      { kind: 'message', when: 'gt (int .Values.b) 2', message: 'too many' },
    ]);
    expect(RULE_TEXT.get(lines[1])).toEqual({ from: 'rule a', when: '.Values.a' });
    const decisions = decisionsOf('templates/_helpers.tpl', `${lines.join('\n')}\n`);
    expect(decisions.map((d) => [d.category, d.condition.slice(0, 20)])).toEqual([
      ['rule', 'if and (.Values.a) ('], ['binding', '.Values.a'], ['rule', 'fail (print "\'a\' mus'],
      ['rule', 'if and (eq .Values.k'], ['hand-written', 'eq .Values.kind "x"'], ['rule', 'fail (print "\'b\' mus'],
      ['hand-written', 'gt (int .Values.b) 2'], ['rule', 'fail "too many"'],
    ]);
  });

  test('caseLines\' conditions are generated, each recorded with its table', () => {
    const table: ValueCase[] = [{ when: { equals: 'k', to: 'a' }, then: { text: 'A' } }, { when: { truthy: 'on' }, then: { text: 'B' } }, { then: { text: 'C' } }];
    const decisions = decisionsOf('templates/_helpers.tpl', `${caseLines(table, () => '').join('\n')}\n`);
    expect(decisions.map((d) => [d.category, d.condition])).toEqual([['value-case', 'eq .Values.k "a"'], ['value-case', '.Values.on']]);
    expect(RENDERED_PIPELINES.get('eq .Values.k "a"')).toBe(table);
  });
});

describe('actionsOf: the actions of a template', () => {
  test('reads strings as strings: a "}}" in a string does not end the action', () => {
    const text = 'a {{- if eq .Values.x "}}" }}b{{ end }}\n{{ "{{ range .x }}" }} {{- /* if not a comment */ -}} {{ `raw }} if` | quote -}}';
    expect(actionsOf(text).map((a) => [a.inner, a.line])).toEqual([
      ['if eq .Values.x "}}"', 1], ['end', 1], ['"{{ range .x }}"', 2], ['`raw }} if` | quote', 2],
    ]);
    expect(actionsOf(text)[0].tokens).toEqual(['if', 'eq', '.Values.x', '"}}"']);
    // A decision word inside a string decides nothing.
    expect(decisionsOf('t', text).map((d) => d.condition)).toEqual(['eq .Values.x "}}"']);
  });

  test('refuses an action that is not closed', () => {
    expect(() => actionsOf('x {{ if .Values.a ')).toThrow('an action is not closed at line 1');
  });
});
