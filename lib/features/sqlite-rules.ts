import { BackendDatabase } from '../backend-database';
import { ChartParts, ComponentFeature } from '../component-feature';
import { SQLITE_URL_PREFIX, sqliteAutoscaling } from '../shared-rules';
import { check, Rules } from '../validation';

/** What a chart user does to run more than one pod. */
const CHART_HINT = 'install the chart of an app synthesized with PostgreSQL (BackendDatabase.postgres or TODO_DATABASE=postgres)';

/**
 * @internal
 * SQLite's rules: one writer, so at most one replica and no autoscaler; and,
 * in a chart (where `env.DATABASE_URL` and `persistence` are values of their
 * own), the file on the volume exactly when there is one. The construct
 * checks its props with {@link SqliteRules.check}; the chart the same rules,
 * with the same words, on its values.
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
    const sqlite = `hasPrefix ${JSON.stringify(SQLITE_URL_PREFIX)} (toString (index .Values.env "DATABASE_URL" | default ""))`;
    return {
      checks: [
        { kind: 'message', when: `and (${sqlite}) .Values.autoscaling.enabled`, message: sqliteAutoscaling('env.DATABASE_URL', 'autoscaling.enabled', 'a SQLite URL', CHART_HINT) },
        { kind: 'rule', value: 'replicaCount', rule: Rules.sqliteReplicas, when: `and (${sqlite}) (not .Values.autoscaling.enabled)`, hint: `${CHART_HINT} to run more replicas` },
      ],
      validate: `
{{- /* SQLite's file must be on the volume exactly when there is one (a chart-only rule: the construct derives the URL). */}}
{{- $url := toString (index .Values.env "DATABASE_URL" | default "") }}
{{- $onVolume := hasPrefix (printf "${SQLITE_URL_PREFIX}%s/" .Values.persistence.mountPath) $url }}
{{- if and .Values.persistence.enabled (hasPrefix "${SQLITE_URL_PREFIX}" $url) (not $onVolume) }}
{{- fail (printf "env.DATABASE_URL must point under persistence.mountPath (%s) when persistence.enabled is true, e.g. ${SQLITE_URL_PREFIX}%s/todoapp.db, got %s" .Values.persistence.mountPath .Values.persistence.mountPath $url) }}
{{- end }}
{{- if and (not .Values.persistence.enabled) $onVolume }}
{{- fail (printf "persistence.enabled is false but env.DATABASE_URL (%s) points at the volume; set env.DATABASE_URL=${SQLITE_URL_PREFIX}./todoapp.db and securityContext.readOnlyRootFilesystem=false for the ephemeral database" $url) }}
{{- end }}`.split('\n').slice(1),
    };
  }
}
