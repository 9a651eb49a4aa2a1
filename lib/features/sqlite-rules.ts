import { BackendDatabase, ONE_WRITER } from '../backend-database';
import { ChartParts, ComponentFeature } from '../component-feature';
import { testHolds, testPipeline, ValueTest } from '../helm/value-cases';
import { sqliteAutoscaling } from '../shared-rules';
import { check, Rules } from '../validation';

/** What a chart user does to run more than one pod. */
const CHART_HINT = 'set database.type=postgres (with externalDatabase.url or externalDatabase.existingSecret)';

/** @internal An autoscaler on a database of one writer: refused by {@link SqliteRules.check} and the chart. */
export const AUTOSCALED_ONE_WRITER: ValueTest = { all: [ONE_WRITER, { truthy: 'autoscaling.enabled' }] };

/**
 * @internal The replicas of a database of one writer, without an autoscaler
 * (with one, {@link AUTOSCALED_ONE_WRITER} refuses): checked by
 * `Rules.sqliteReplicas` in {@link SqliteRules.check} and the chart.
 */
export const REPLICAS_ONE_WRITER: ValueTest = { all: [ONE_WRITER, { not: { truthy: 'autoscaling.enabled' } }] };

/**
 * @internal
 * SQLite's rules: one writer, so at most one replica and no autoscaler.
 * The construct checks its props with {@link SqliteRules.check}; the chart
 * the same rules, with the same words, on its values when `database.type`
 * is `sqlite` (whatever database the component was synthesized with).
 */
export class SqliteRules implements ComponentFeature {
  /** Refuses replicas and autoscaling on a database that allows one writer. */
  public static check(database: BackendDatabase, props: { readonly replicas?: number; readonly autoscaling?: object }): void {
    // The values as the chart holds them; the chart checks the autoscaler first (the props refuse replicas beside it).
    const values = { database: { type: database.engine }, autoscaling: { enabled: props.autoscaling !== undefined } };
    if (testHolds(AUTOSCALED_ONE_WRITER, values)) {
      throw new Error(sqliteAutoscaling('backend.database', 'backend.autoscaling', database.engine, 'use BackendDatabase.postgres(...)'));
    }
    if (props.replicas !== undefined && testHolds(REPLICAS_ONE_WRITER, values)) {
      check('backend.replicas', check('backend.replicas', props.replicas, Rules.replicas), Rules.sqliteReplicas, 'use BackendDatabase.postgres(...) to run more replicas');
    }
  }

  public readonly name = 'sqlite';

  public chart(): ChartParts {
    return {
      checks: [
        { kind: 'message', when: testPipeline(AUTOSCALED_ONE_WRITER), message: sqliteAutoscaling('database.type', 'autoscaling.enabled', 'sqlite', CHART_HINT) },
        { kind: 'rule', value: 'replicaCount', rule: Rules.sqliteReplicas, when: testPipeline(REPLICAS_ONE_WRITER), hint: `${CHART_HINT} to run more replicas` },
      ],
    };
  }
}
