/**
 * The storage seam. Every piece of state (question log, feedback, staff and sessions, curated answers, audit,
 * quiz counters, channel inboxes) is kept through a `Database`: SQLite by default (the file in DATA_DIR, as before),
 * PostgreSQL when DATABASE_URL is set, so several replicas can share it. The search index is not state: it stays a
 * local SQLite file per process (server/index/db.ts) and never goes through here.
 *
 * SQL written against this interface uses `?` placeholders and the subset both engines read the same way:
 * INTEGER 0/1 for booleans, BIGINT-sized integers for unix-ms times, `ON CONFLICT … DO …`, `RETURNING`. What differs
 * (schema types, a few functions) is chosen by the store from `dialect`, inside the store's own file.
 */
export type Dialect = 'sqlite' | 'postgres';
export type Value = string | number | bigint | null | Uint8Array;

export interface RunResult {
  /** rows written */
  changes: number;
}

export interface Sql {
  readonly dialect: Dialect;
  all<T = Record<string, unknown>>(sql: string, params?: readonly Value[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly Value[]): Promise<T | undefined>;
  run(sql: string, params?: readonly Value[]): Promise<RunResult>;
  /**
   * `fn` in one transaction, committed when it resolves and rolled back when it throws. `durable`: the commit is on
   * disk before the promise resolves even after a power cut (SQLite: synchronous=FULL for that commit; PostgreSQL
   * always is). Nested calls join the outer transaction.
   */
  transaction<T>(fn: (tx: Sql) => Promise<T>, options?: { durable?: boolean }): Promise<T>;
}

/** One migration step: its name is recorded once applied; the SQL may hold several statements. */
export interface Migration {
  name: string;
  sqlite: string;
  postgres: string;
}

export interface Database extends Sql {
  /**
   * Applies the steps not yet recorded, in order, each in its own transaction. Safe when several processes start
   * together: SQLite takes its write lock first, PostgreSQL an advisory lock, and each re-reads what is applied.
   */
  migrate(steps: readonly Migration[]): Promise<void>;
  /** Tells every process on this database (PostgreSQL: NOTIFY; SQLite: this process only — it is the only one). */
  notify(channel: string, payload?: string): Promise<void>;
  /** Called for each notification on `channel`, from any process. Returns the function that stops listening. */
  listen(channel: string, fn: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Where migration steps are recorded: the name SQLite files have used since the first staff tables. */
export const MIGRATIONS_TABLE = 'schema_parts';
