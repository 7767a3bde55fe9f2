import pg from 'pg';
import { MIGRATIONS_TABLE, type Database, type Migration, type RunResult, type Sql, type Value } from './sql.ts';

/**
 * State in PostgreSQL (DATABASE_URL): one pool per process, shared by every replica. Statements carry `?`
 * placeholders like the SQLite ones and are numbered here; 64-bit integers (unix-ms times, counts) come back as
 * numbers, as they do from SQLite — every one of them fits in 2^53.
 */
export interface PostgresOptions {
  /** connections in this process's pool */
  max?: number;
  /** a statement running longer than this is cancelled by the server (ms) */
  statementTimeout?: number;
  /** the fallback for a notification lost while the listening connection was down (ms) */
  reconnectDelay?: number;
}

/** `?` → `$1, $2 …`. The SQL we write never has a `?` inside a string literal or a quoted name. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const numbered = new Map<string, string>();
function toPostgres(sql: string): string {
  let out = numbered.get(sql);
  if (out === undefined) {
    out = numberPlaceholders(sql);
    if (numbered.size < 2000) numbered.set(sql, out);
  }
  return out;
}

const parseInteger = (v: string) => Number(v);
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    // int8 (count(*), BIGINT columns) and numeric (sum(), avg()) as JavaScript numbers
    if (oid === 20 || oid === 1700) return parseInteger;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** A lock id of our own for migrations (any fixed 64-bit number; this one spells "cnsh"). */
const MIGRATION_LOCK = 0x636e7368;

export async function postgresDatabase(url: string, options: PostgresOptions = {}): Promise<Database> {
  const statementTimeout = options.statementTimeout ?? 10_000;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    types: TYPES,
    statement_timeout: statementTimeout,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    application_name: 'cnsh',
  });
  // an idle connection that dies (a server restart) must not take the process with it
  pool.on('error', (e) => console.error('PostgreSQL: kết nối rỗi bị lỗi:', e.message));

  type Querier = Pick<pg.PoolClient, 'query'>;
  const over = (q: Querier, inTransaction: boolean): Sql => {
    const sql: Sql = {
      dialect: 'postgres',
      async all<T>(text: string, params?: readonly Value[]) {
        return (await q.query(toPostgres(text), params as unknown[])).rows as T[];
      },
      async get<T>(text: string, params?: readonly Value[]) {
        return (await q.query(toPostgres(text), params as unknown[])).rows[0] as T | undefined;
      },
      async run(text: string, params?: readonly Value[]): Promise<RunResult> {
        return { changes: (await q.query(toPostgres(text), params as unknown[])).rowCount ?? 0 };
      },
      transaction: inTransaction ? (fn) => fn(sql) : (fn) => transaction(fn),
    };
    return sql;
  };

  const transaction = async <T>(fn: (tx: Sql) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const value = await fn(over(client, true));
      await client.query('COMMIT');
      return value;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  };

  // one connection of its own listens for every channel; it reconnects when it drops
  const listeners = new Map<string, Set<(payload: string) => void>>();
  let listener: pg.Client | null = null;
  let connecting: Promise<pg.Client> | null = null;
  let closed = false;
  const connectListener = (): Promise<pg.Client> =>
    (connecting ??= (async () => {
      const client = new pg.Client({ connectionString: url, application_name: 'cnsh-listen' });
      client.on('notification', (m) => {
        for (const fn of listeners.get(m.channel) ?? []) fn(m.payload ?? '');
      });
      client.on('error', () => undefined);
      client.on('end', () => {
        listener = null;
        connecting = null;
        if (!closed && listeners.size) setTimeout(() => void reconnect(), options.reconnectDelay ?? 1000).unref();
      });
      await client.connect();
      for (const channel of listeners.keys()) await client.query(`LISTEN ${quoteName(channel)}`);
      listener = client;
      return client;
    })().catch((e) => {
      connecting = null;
      throw e;
    }));
  const reconnect = async () => {
    try {
      await connectListener();
      // whatever was sent while the connection was down is not replayed: listeners hear an empty "check now"
      for (const set of listeners.values()) for (const fn of set) fn('');
    } catch {
      if (!closed) setTimeout(() => void reconnect(), options.reconnectDelay ?? 1000).unref();
    }
  };

  const base = over(pool, false);
  return {
    ...base,
    transaction: (fn) => transaction(fn),
    async migrate(steps: readonly Migration[]) {
      const client = await pool.connect();
      try {
        // migrations may take longer than a request's statement
        await client.query('SET statement_timeout = 0');
        await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
        try {
          await client.query(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
          const done = new Set((await client.query(`SELECT name FROM ${MIGRATIONS_TABLE}`)).rows.map((r) => r.name as string));
          for (const step of steps) {
            if (done.has(step.name)) continue;
            await client.query('BEGIN');
            try {
              await client.query(step.postgres);
              await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (name) VALUES ($1)`, [step.name]);
              await client.query('COMMIT');
            } catch (e) {
              await client.query('ROLLBACK').catch(() => undefined);
              throw e;
            }
          }
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
        }
      } finally {
        await client.query(`SET statement_timeout = ${statementTimeout}`).catch(() => undefined);
        client.release();
      }
    },
    async notify(channel, payload = '') {
      await pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async listen(channel, fn) {
      let set = listeners.get(channel);
      const first = !set;
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(fn);
      const client = listener ?? (await connectListener());
      if (first) await client.query(`LISTEN ${quoteName(channel)}`);
      return async () => {
        set.delete(fn);
        if (!set.size) {
          listeners.delete(channel);
          await listener?.query(`UNLISTEN ${quoteName(channel)}`).catch(() => undefined);
        }
      };
    },
    async close() {
      closed = true;
      await listener?.end().catch(() => undefined);
      await pool.end();
    },
  };
}

function quoteName(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`tên kênh không hợp lệ: ${name}`);
  return `"${name}"`;
}
