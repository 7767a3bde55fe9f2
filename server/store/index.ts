import type { DB } from '../index/db.ts';
import { postgresDatabase, type PostgresOptions } from './postgres.ts';
import { sqliteDatabase } from './sqlite.ts';
import type { Database } from './sql.ts';

export type { Database, Dialect, Migration, RunResult, Sql, Value } from './sql.ts';
export { postgresDatabase } from './postgres.ts';
export { sqliteDatabase } from './sqlite.ts';

/**
 * Where the state lives: PostgreSQL when DATABASE_URL is set (several replicas on one database), otherwise the
 * process's own SQLite file, on the connection the index already has open (`index`), so nothing else runs.
 */
export async function openStateDatabase(databaseUrl: string | null, index: DB, options: PostgresOptions = {}): Promise<Database> {
  return databaseUrl ? postgresDatabase(databaseUrl, options) : sqliteDatabase(index);
}
