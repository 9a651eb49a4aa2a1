import { BackendDatabase } from '../backend-database';
import { ChartParts, ComponentFeature } from '../component-feature';
import { sqliteAutoscaling } from '../shared-rules';
import { check, Rules } from '../validation';
import { SQLITE_CHART } from './database';

/** What a chart user does to run more than one pod. */
const CHART_HINT = 'set database.type=postgres (with externalDatabase.url or externalDatabase.existingSecret)';

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
    if (!database.allowsReplicas && props.replicas !== undefined) {
      check('backend.replicas', check('backend.replicas', props.replicas, Rules.replicas), Rules.sqliteReplicas, 'use BackendDatabase.postgres(...) to run more replicas');
    }
    if (!database.allowsReplicas && props.autoscaling !== undefined) {
      throw new Error(sqliteAutoscaling('backend.database', 'backend.autoscaling', database.engine, 'use BackendDatabase.postgres(...)'));
    }
  }

  public readonly name = 'sqlite';

  public chart(): ChartParts {
    return {
      checks: [
        { kind: 'message', when: `and (${SQLITE_CHART}) .Values.autoscaling.enabled`, message: sqliteAutoscaling('database.type', 'autoscaling.enabled', 'sqlite', CHART_HINT) },
        { kind: 'rule', value: 'replicaCount', rule: Rules.sqliteReplicas, when: `and (${SQLITE_CHART}) (not .Values.autoscaling.enabled)`, hint: `${CHART_HINT} to run more replicas` },
      ],
    };
  }
}
