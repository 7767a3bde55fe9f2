import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../index/db.ts';
import { postgresDatabase } from './postgres.ts';
import { sqliteDatabase } from './sqlite.ts';
import type { Database as StateDatabase, Dialect } from './sql.ts';

/**
 * The backends every store suite runs against: SQLite always; PostgreSQL when TEST_DATABASE_URL names a server
 * (`.ci/run` starts a throwaway cluster and sets it; `npm run test:pg` does the same on a developer's machine).
 * CI=true without it is an error, so the PostgreSQL half can never be skipped there by accident.
 */
export function testBackends(): Dialect[] {
  if (process.env.TEST_DATABASE_URL) return ['sqlite', 'postgres'];
  if (process.env.CI === 'true') throw new Error('TEST_DATABASE_URL chưa đặt: CI phải chạy cả phần PostgreSQL');
  return ['sqlite'];
}

export interface TestDatabase {
  db: StateDatabase;
  /** the connection string of this test's own PostgreSQL database (null on SQLite) */
  url: string | null;
  /** the SQLite data directory (null on PostgreSQL) */
  dataDir: string | null;
  drop(): Promise<void>;
}

let counter = 0;

/** A new, empty state database of that kind: a temporary SQLite file, or a PostgreSQL database made for this test. */
export async function testDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'cnsh-store-'));
    const handle = openDatabase(dataDir);
    const db = sqliteDatabase(handle, { close: true });
    return {
      db,
      url: null,
      dataDir,
      async drop() {
        await db.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const { url, drop } = await createPostgresDatabase();
  const db = await postgresDatabase(url, { max: 4 });
  return {
    db,
    url,
    dataDir: null,
    async drop() {
      await db.close();
      await drop();
    },
  };
}

/** An empty PostgreSQL database on the TEST_DATABASE_URL server, and the function that drops it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) throw new Error('TEST_DATABASE_URL chưa đặt');
  const name = `cnsh_t${process.pid}_${Date.now().toString(36)}_${++counter}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

