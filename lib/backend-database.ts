import { Size } from 'cdk8s';
import { testHolds, ValueTest } from './helm/value-cases';
import { formatSize } from './resources';
import { conflict, IGNORED_BESIDE_EXISTING_CLAIM, SQLITE_URL_PREFIX, storageAtMost } from './shared-rules';
import { check, checkOptional, Rule, Rules, show, stringMatching } from './validation';

/** The database engines the backend runs on. */
export enum DatabaseEngine {
  /** A SQLite file: one writer, so one replica. */
  SQLITE = 'sqlite',
  /** A PostgreSQL server outside the app: any number of replicas. */
  POSTGRES = 'postgres',
}

/** Options of {@link BackendDatabase.sqlite}. */
export interface SqliteOptions {
  /**
   * Size of the volume: above zero, at most 256 TiB.
   *
   * @default Size.gibibytes(1)
   */
  readonly size?: Size;

  /**
   * Storage class of the volume.
   *
   * @default - the cluster's default class (`standard` on Minikube)
   */
  readonly storageClass?: string;

  /**
   * Name of a PersistentVolumeClaim of yours to keep the database on
   * (Bitnami's `persistence.existingClaim`). No claim is created, so `size`
   * and `storageClass` cannot be given; the checks do not look for the claim
   * among the manifests, and `todo-cdk8s destroy --purge` leaves it.
   *
   * @default - a claim `<name>-data` is created
   */
  readonly existingClaim?: string;
}

/** Where the backend reads the PostgreSQL URL from when it is kept in a Secret of your own. */
export interface PostgresSecretOptions {
  /** The Secret's name. */
  readonly secretName: string;

  /**
   * The key holding the URL.
   *
   * @default 'DATABASE_URL'
   */
  readonly key?: string;
}

/** Where the SQLite file lives on the persistent volume. */
export const DATA_MOUNT_PATH = '/data';

/** The variable the backend reads its database from. */
export const DATABASE_URL = 'DATABASE_URL';

/** @internal The SQLite URL of the database file in `dir` (`.`: the container's working directory). */
export function sqliteUrl(dir: string): string {
  return `${SQLITE_URL_PREFIX}${dir}/todoapp.db`;
}

/** The size of the SQLite volume when none is given. */
export const DEFAULT_SQLITE_SIZE = Size.gibibytes(1);

/** SQLite's largest database: 2^32 - 2 pages of 64 KiB, about 256 TiB. */
const SQLITE_MAX_BYTES = 256 * 1024 ** 4;

/**
 * The size of a SQLite volume: a storage quantity above zero, at most 256 TiB
 * (SQLite's largest database; the bound also keeps every size exact when it
 * is converted between units). One regular expression is both the check and
 * the charts' schema.
 */
export const SQLITE_SIZE: Rule<string> = stringMatching(
  storageAtMost(SQLITE_MAX_BYTES),
  'a storage quantity above zero and at most "256Ti" (the largest SQLite database), such as "512Mi" or "5Gi"',
  32,
);

/**
 * @internal
 * A storage class beside a claim of the user's (no claim is created, so it
 * would be ignored), on the `persistence` values: refused by
 * {@link BackendDatabase.sqlite} and the chart's check.
 */
export const STORAGE_CLASS_BESIDE_CLAIM: ValueTest = { all: [{ truthy: 'persistence.existingClaim' }, { truthy: 'persistence.storageClass' }] };

/**
 * @internal
 * The component's own claim is created: a volume (`persistence.enabled`)
 * and no claim of the user's, on the `persistence` values. The component
 * (`claimCreated`) and the chart's `pvc.yaml` condition read it.
 */
export const CLAIM_CREATED: ValueTest = { all: [{ truthy: 'persistence.enabled' }, { not: { truthy: 'persistence.existingClaim' } }] };

/**
 * @internal
 * The values choose a database of one writer (`database.type` SQLite): one
 * replica, no autoscaler. {@link BackendDatabase.allowsReplicas} reads it
 * of the engine, the chart's checks of the values ({@link SqliteRules}).
 */
export const ONE_WRITER: ValueTest = engineTest(DatabaseEngine.SQLITE);

/** @internal The values choose `engine` (`database.type`, as text): the test the chart's engine conditions render. */
export function engineTest(engine: DatabaseEngine): ValueTest {
  return { equalsText: 'database.type', to: engine };
}

/**
 * The backend's database (`DATABASE_URL`).
 *
 * @example
 * BackendDatabase.sqlite({ size: Size.gibibytes(5) }); // the default, on a volume
 * BackendDatabase.ephemeralSqlite();                   // the design's file in the container: lost on restart
 * BackendDatabase.postgresFromSecret({ secretName: 'todo-db' });
 */
export class BackendDatabase {
  /**
   * SQLite on a PersistentVolumeClaim mounted at `/data`
   * (`DATABASE_URL=sqlite:////data/todoapp.db`): users and tasks survive restarts.
   */
  public static sqlite(options: SqliteOptions = {}): BackendDatabase {
    const existingClaim = checkOptional('database.existingClaim', options.existingClaim, Rules.dnsSubdomain);
    // The chart's values always hold a size: only the props can give one beside the claim.
    if (existingClaim !== undefined && options.size !== undefined) {
      throw new Error(conflict('database.size', 'database.existingClaim', IGNORED_BESIDE_EXISTING_CLAIM, show(formatSize(options.size))));
    }
    // The values as the chart holds them (none: "").
    if (testHolds(STORAGE_CLASS_BESIDE_CLAIM, { persistence: { existingClaim: existingClaim ?? '', storageClass: options.storageClass ?? '' } })) {
      throw new Error(conflict('database.storageClass', 'database.existingClaim', IGNORED_BESIDE_EXISTING_CLAIM, show(options.storageClass)));
    }
    const size = check('database.size', formatSize(options.size ?? DEFAULT_SQLITE_SIZE), SQLITE_SIZE);
    const storageClass = checkOptional('database.storageClass', options.storageClass, Rules.dnsSubdomain);
    return new BackendDatabase(DatabaseEngine.SQLITE, sqliteUrl(DATA_MOUNT_PATH), { mountPath: DATA_MOUNT_PATH, size, storageClass, existingClaim });
  }

  /**
   * The design's SQLite file in the container's working directory
   * (`DATABASE_URL=sqlite:///./todoapp.db`). Every restart loses all users
   * and tasks, and the root filesystem must stay writable.
   */
  public static ephemeralSqlite(): BackendDatabase {
    return new BackendDatabase(DatabaseEngine.SQLITE, sqliteUrl('.'));
  }

  /**
   * PostgreSQL at `url` (kept in the backend's Secret, as it holds a password).
   */
  public static postgres(url: string): BackendDatabase {
    check('database.url', url, Rules.postgresUrl);
    return new BackendDatabase(DatabaseEngine.POSTGRES, undefined, undefined, url);
  }

  /**
   * PostgreSQL, with the URL read from a Secret you manage.
   */
  public static postgresFromSecret(options: PostgresSecretOptions): BackendDatabase {
    const secretName = check('database.secretName', options.secretName, Rules.dnsSubdomain);
    const key = check('database.key', options.key ?? DATABASE_URL, Rules.secretKey);
    return new BackendDatabase(DatabaseEngine.POSTGRES, undefined, undefined, undefined, { name: secretName, key });
  }

  private constructor(
    /** The engine. */
    public readonly engine: DatabaseEngine,
    /** @internal The URL, when it is not secret (SQLite): it goes in the ConfigMap. */
    public readonly configUrl?: string,
    /** @internal The volume, for SQLite on a volume. */
    public readonly volume?: { readonly mountPath: string; readonly size: string; readonly storageClass?: string; readonly existingClaim?: string },
    /** @internal The URL, when it is secret (PostgreSQL): it goes in the backend's Secret. */
    public readonly secretUrl?: string,
    /** @internal The Secret and key the URL is read from. */
    public readonly secretRef?: { readonly name: string; readonly key: string },
  ) {}

  /** @internal The database a backend has when none is given: SQLite on a 1 GiB volume. */
  public static default(): BackendDatabase {
    return BackendDatabase.sqlite();
  }

  /** @internal Whether more than one backend replica may use it. */
  public get allowsReplicas(): boolean {
    return !testHolds(ONE_WRITER, { database: { type: this.engine } });
  }
}
