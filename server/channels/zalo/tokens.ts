import { createHash } from 'node:crypto';
import type { Database, Migration, Sql } from '../../store/index.ts';
import type { ChannelKeys } from '../keys.ts';

/**
 * The OA's token pair. The access token lasts 25 hours; the refresh token lasts 3 months and works once, so
 * a refresh is a small protocol: take the lease (one refresher across processes), call Zalo, store the new
 * pair in one transaction, and only then use it. A process that finds the pair changed under it uses the new
 * one instead of spending the old refresh token a second time. Several replicas on one PostgreSQL take the lease
 * under a row lock (SELECT … FOR UPDATE), so two of them never spend the same refresh token.
 */
export interface TokenPair {
  accessToken: string;
  refreshToken: string | null;
  /** ms since epoch; null when unknown (a pair given in the environment) */
  expiresAt: number | null;
  /** bumped by every stored refresh */
  version: number;
}

export interface RefreshedPair {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
}

export class TokenError extends Error {}

/** A refresh this close to expiry is done before sending, not after a −216. */
export const REFRESH_BEFORE_MS = 10 * 60_000;
/** How long one refresher holds the lease; past it another process may try. */
const LEASE_MS = 30_000;

const fingerprint = (s: string | null) => (s ? createHash('sha256').update(s).digest('hex').slice(0, 16) : null);

interface Row {
  access_token: string;
  refresh_token: string | null;
  expires_at: number | null;
  version: number;
  seeded_from: string | null;
  lease_until: number | null;
}

/** The token pair's table; the SQLite step keeps the name and layout `ensureTables` gave it ('zalo-tokens'). */
export const TOKEN_MIGRATIONS: Migration[] = [
  {
    name: 'zalo-tokens',
    sqlite: `CREATE TABLE IF NOT EXISTS zalo_tokens (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      access_token TEXT NOT NULL,      -- sealed
      refresh_token TEXT,              -- sealed
      expires_at INTEGER,
      version INTEGER NOT NULL,
      seeded_from TEXT,                -- fingerprint of the environment's refresh token this row started from
      lease_until INTEGER,
      refreshed_at INTEGER
    )`,
    postgres: `CREATE TABLE zalo_tokens (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      access_token TEXT NOT NULL,      -- sealed
      refresh_token TEXT,              -- sealed
      expires_at BIGINT,
      version BIGINT NOT NULL,
      seeded_from TEXT,                -- fingerprint of the environment's refresh token this row started from
      lease_until BIGINT,
      refreshed_at BIGINT
    )`,
  },
];

export interface TokenStore {
  current(): Promise<TokenPair | null>;
  /**
   * A fresh pair: after `staleVersion` (the version whose access token Zalo refused, or that is about to
   * expire). Concurrent callers in this process share one refresh; across processes the lease decides.
   */
  refresh(staleVersion: number): Promise<TokenPair>;
}

/** The token store over the state database; its table is migrated and the environment's pair seeded first. */
export async function createTokenStore(
  db: Database,
  keys: ChannelKeys,
  seed: { accessToken: string | null; refreshToken: string | null },
  callZalo: (refreshToken: string) => Promise<RefreshedPair>,
  { now = Date.now, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) } = {},
): Promise<TokenStore> {
  await db.migrate(TOKEN_MIGRATIONS);
  // PostgreSQL: the row stays locked until the transaction ends (SQLite: BEGIN IMMEDIATE already holds the write lock)
  const forUpdate = db.dialect === 'postgres' ? ' FOR UPDATE' : '';
  const read = (sql: Sql, lock = '') => sql.get<Row>(`SELECT * FROM zalo_tokens WHERE id = 1${lock}`);
  const pair = (r: Row): TokenPair => ({
    accessToken: keys.open(r.access_token),
    refreshToken: r.refresh_token ? keys.open(r.refresh_token) : null,
    expiresAt: r.expires_at,
    version: r.version,
  });

  // the environment's pair is used once, on first start or when the operator gives a new one; after that
  // the database holds the rotated pairs (the environment's refresh token is already spent). One statement:
  // replicas starting together seed it once, and a row already seeded from this pair is left as it is.
  if (seed.accessToken) {
    const seededFrom = fingerprint(seed.refreshToken ?? seed.accessToken);
    await db.run(
      `INSERT INTO zalo_tokens (id, access_token, refresh_token, expires_at, version, seeded_from)
       VALUES (1, ?, ?, NULL, 1, ?)
       ON CONFLICT (id) DO UPDATE SET access_token = excluded.access_token, refresh_token = excluded.refresh_token,
         expires_at = NULL, version = zalo_tokens.version + 1, seeded_from = excluded.seeded_from, lease_until = NULL
       WHERE zalo_tokens.seeded_from IS NULL OR zalo_tokens.seeded_from <> excluded.seeded_from`,
      [keys.seal(seed.accessToken), seed.refreshToken ? keys.seal(seed.refreshToken) : null, seededFrom],
    );
  }

  let inFlight: Promise<TokenPair> | null = null;

  async function refreshOnce(staleVersion: number): Promise<TokenPair> {
    for (let waited = 0; ; waited++) {
      // take the lease, or learn that somebody already refreshed
      const step = await db.transaction(async (tx): Promise<{ use: TokenPair } | { refresh: string; version: number } | { wait: true }> => {
        const row = await read(tx, forUpdate);
        if (!row) throw new TokenError('Chưa có access token Zalo (ZALO_ACCESS_TOKEN).');
        if (row.version !== staleVersion) return { use: pair(row) };
        if (row.lease_until && row.lease_until > now()) return { wait: true };
        if (!row.refresh_token) throw new TokenError('Không có refresh token Zalo để làm mới (ZALO_REFRESH_TOKEN).');
        await tx.run('UPDATE zalo_tokens SET lease_until = ? WHERE id = 1', [now() + LEASE_MS]);
        return { refresh: keys.open(row.refresh_token), version: row.version };
      });
      if ('use' in step) return step.use;
      if ('wait' in step) {
        if (waited > LEASE_MS / 100) throw new TokenError('Hết thời gian chờ tiến trình khác làm mới token Zalo.');
        await sleep(100);
        continue;
      }
      let fresh: RefreshedPair;
      try {
        fresh = await callZalo(step.refresh);
      } catch (e) {
        await db.run('UPDATE zalo_tokens SET lease_until = NULL WHERE id = 1 AND version = ?', [step.version]);
        throw e;
      }
      // stored before it is used, durably: if we stop right after, the next start has the only valid refresh token
      const t = now();
      const stored = await db.transaction(
        (tx) =>
          tx.get<Row>(
            `UPDATE zalo_tokens SET access_token = ?, refresh_token = ?, expires_at = ?, version = version + 1, lease_until = NULL, refreshed_at = ?
             WHERE id = 1 RETURNING *`,
            [keys.seal(fresh.accessToken), keys.seal(fresh.refreshToken), t + fresh.expiresInSeconds * 1000, t],
          ),
        { durable: true },
      );
      return pair(stored!);
    }
  }

  return {
    current: async () => {
      const row = await read(db);
      return row ? pair(row) : null;
    },
    refresh(staleVersion) {
      inFlight ??= refreshOnce(staleVersion).finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
  };
}
