import type BetterSqlite3 from 'better-sqlite3';
import { statement, type DB } from '../index/db.ts';
import { MIGRATIONS_TABLE, type Database, type Migration, type RunResult, type Sql, type Value } from './sql.ts';

/**
 * The embedded default: state in the same SQLite file as the index (DATA_DIR/cnsh.sqlite), on the one connection the
 * process already has. better-sqlite3 is synchronous, so every call here completes before its promise is handed back;
 * what needs care is a transaction that awaits in between: other callers wait for it (a queue), so nothing of theirs
 * runs inside it. Index writes (server/index) are synchronous and never happen inside a store transaction.
 */
export function sqliteDatabase(db: DB, options: { close?: boolean } = {}): Database {
  let tail: Promise<unknown> = Promise.resolve();
  let busy = false;
  const listeners = new Map<string, Set<(payload: string) => void>>();

  const params = (p: readonly Value[] | undefined) => (p ?? []) as unknown[];
  const direct: Sql = {
    dialect: 'sqlite',
    async all<T>(sql: string, p?: readonly Value[]) {
      return statement(db, sql).all(...params(p)) as T[];
    },
    async get<T>(sql: string, p?: readonly Value[]) {
      return statement(db, sql).get(...params(p)) as T | undefined;
    },
    async run(sql: string, p?: readonly Value[]): Promise<RunResult> {
      const s = statement(db, sql);
      // a statement that returns rows (… RETURNING) cannot be run(); its rows are what it wrote
      if (s.reader) return { changes: s.all(...params(p)).length };
      return { changes: s.run(...params(p)).changes };
    },
    transaction: (fn) => fn(direct),
  };

  /** Runs `work` after every transaction queued before it. */
  const queued = <T>(work: () => Promise<T>): Promise<T> => {
    const result = tail.then(work, work);
    tail = result.catch(() => undefined);
    return result;
  };
  /** Outside a transaction a call runs at once; while one is open it waits its turn. */
  const whenFree = <T>(work: () => Promise<T>): Promise<T> => (busy ? queued(work) : work());

  const transaction = <T>(fn: (tx: Sql) => Promise<T>, { durable = false } = {}): Promise<T> =>
    queued(async () => {
      busy = true;
      const before = durable ? (db.pragma('synchronous', { simple: true }) as number) : null;
      // SQLite changes its safety level only outside a transaction
      if (durable) db.pragma('synchronous = FULL');
      db.exec('BEGIN IMMEDIATE');
      try {
        const value = await fn(direct);
        db.exec('COMMIT');
        return value;
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw e;
      } finally {
        if (before !== null) db.pragma(`synchronous = ${before}`);
        busy = false;
      }
    });

  return {
    dialect: 'sqlite',
    all: (sql, p) => whenFree(() => direct.all(sql, p)),
    get: (sql, p) => whenFree(() => direct.get(sql, p)),
    run: (sql, p) => whenFree(() => direct.run(sql, p)),
    transaction,
    async migrate(steps: readonly Migration[]) {
      db.exec(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (name TEXT PRIMARY KEY)`);
      const applied = (name: string) => !!db.prepare(`SELECT 1 FROM ${MIGRATIONS_TABLE} WHERE name = ?`).get(name);
      for (const step of steps) {
        if (applied(step.name)) continue;
        await transaction(async () => {
          // another process may have applied it while this one waited for the write lock
          if (applied(step.name)) return;
          db.exec(step.sqlite);
          db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (name) VALUES (?)`).run(step.name);
        });
      }
    },
    async notify(channel, payload = '') {
      for (const fn of listeners.get(channel) ?? []) fn(payload);
    },
    async listen(channel, fn) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(fn);
      return async () => void set.delete(fn);
    },
    async close() {
      await tail;
      if (options.close) db.close();
    },
  };
}

/** The handle underneath, for the code that still needs SQLite itself (the index, backups). */
export type SqliteHandle = BetterSqlite3.Database;
