import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../config.ts';
import { postgresDatabase } from '../../store/postgres.ts';
import { testBackends, testDatabase, type TestDatabase } from '../../store/testing.ts';
import { channelKeys, type ChannelKeys } from '../keys.ts';
import { createTokenStore, type RefreshedPair } from './tokens.ts';

const SEED = { accessToken: 'truy-cap-1', refreshToken: 'lam-moi-1' };
const NONE = { accessToken: null, refreshToken: null };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A Zalo that hands out numbered pairs and takes each refresh token once, as the real one does. */
function fakeZalo(delayMs = 0) {
  const spent: string[] = [];
  let n = 1;
  const call = async (refreshToken: string): Promise<RefreshedPair> => {
    if (spent.includes(refreshToken)) throw new Error(`refresh token ${refreshToken} đã dùng`);
    spent.push(refreshToken);
    await sleep(delayMs);
    n++;
    return { accessToken: `truy-cap-${n}`, refreshToken: `lam-moi-${n}`, expiresInSeconds: 90_000 };
  };
  return { spent, call };
}

describe.each(testBackends())('the Zalo token pair on %s', (dialect) => {
  let t: TestDatabase;
  let keyDir: string | null = null;
  let keys: ChannelKeys;
  afterEach(async () => {
    await t?.drop();
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
  });
  const fresh = async () => {
    t = await testDatabase(dialect);
    // SQLite keeps the key beside its file; on PostgreSQL every replica is given the same key file
    keyDir = t.dataDir ? null : mkdtempSync(join(tmpdir(), 'cnsh-keys-'));
    keys = channelKeys(t.dataDir ?? keyDir!);
  };

  it('seeds the environment’s pair once, keeps a rotated pair across restarts, and takes a new pair the operator gives', async () => {
    await fresh();
    const zalo = fakeZalo();
    const first = await createTokenStore(t.db, keys, SEED, zalo.call);
    expect(await first.current()).toEqual({ accessToken: 'truy-cap-1', refreshToken: 'lam-moi-1', expiresAt: null, version: 1 });
    const rotated = await first.refresh(1);
    expect(rotated).toMatchObject({ accessToken: 'truy-cap-2', refreshToken: 'lam-moi-2', version: 2 });
    expect(rotated.expiresAt! - Date.now()).toBeGreaterThan(24.9 * 3600_000);
    // stored sealed: a copy of the database holds no token in clear
    expect(JSON.stringify(await t.db.all('SELECT * FROM zalo_tokens'))).not.toMatch(/truy-cap|lam-moi/);

    // a restart with the same environment keeps the rotated pair (the environment's refresh token is spent)
    const again = await createTokenStore(t.db, keys, SEED, zalo.call);
    expect((await again.current())!.accessToken).toBe('truy-cap-2');
    // the operator gives a new pair: it replaces the stored one
    const renewed = await createTokenStore(t.db, keys, { accessToken: 'moi-A', refreshToken: 'moi-R' }, zalo.call);
    expect(await renewed.current()).toMatchObject({ accessToken: 'moi-A', refreshToken: 'moi-R', version: 3 });
  });

  it('answers a refresh for an old version with the pair that replaced it, without calling Zalo', async () => {
    await fresh();
    const zalo = fakeZalo(50);
    const store = await createTokenStore(t.db, keys, SEED, zalo.call);
    const [a, b, c] = await Promise.all([store.refresh(1), store.refresh(1), store.refresh(1)]);
    expect(a.accessToken).toBe('truy-cap-2');
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(await store.refresh(1)).toEqual(a);
    expect(zalo.spent).toEqual(['lam-moi-1']);
  });

  it('gives the lease back when Zalo refuses, so the next try may refresh', async () => {
    await fresh();
    let refuse = true;
    const zalo = fakeZalo();
    const store = await createTokenStore(t.db, keys, SEED, async (r) => {
      if (refuse) throw new Error('Zalo từ chối');
      return zalo.call(r);
    });
    await expect(store.refresh(1)).rejects.toThrow('Zalo từ chối');
    expect(await t.db.get('SELECT lease_until FROM zalo_tokens')).toEqual({ lease_until: null });
    refuse = false;
    expect((await store.refresh(1)).version).toBe(2);
  });

  it.runIf(dialect === 'postgres')('two replicas that find the token invalid at once spend the refresh token once, under a row lock', async () => {
    await fresh();
    const zalo = fakeZalo(150);
    const replicas = await Promise.all([0, 1, 2].map(() => postgresDatabase(t.url!, { max: 3 })));
    try {
      const stores = await Promise.all(replicas.map((db) => createTokenStore(db, keys, SEED, zalo.call)));
      for (let version = 1; version <= 3; version++) {
        const pairs = await Promise.all(stores.map((s) => s.refresh(version)));
        expect(new Set(pairs.map((p) => p.accessToken)).size).toBe(1);
        expect(pairs[0]!.version).toBe(version + 1);
      }
      expect(zalo.spent).toEqual(['lam-moi-1', 'lam-moi-2', 'lam-moi-3']);
    } finally {
      await Promise.all(replicas.map((db) => db.close()));
    }
  });

  it.runIf(dialect === 'sqlite')('a second process on the same file waits for the refresh under way and uses its pair', async () => {
    await fresh();
    const zalo = fakeZalo(2500);
    const store = await createTokenStore(t.db, keys, SEED, zalo.call);
    const ours = store.refresh(1);
    // the other process: its own connection to the same file, its own Zalo that must not be called
    const child = promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { openDatabase } from './server/index/db.ts';
         import { sqliteDatabase } from './server/store/sqlite.ts';
         import { channelKeys } from './server/channels/keys.ts';
         import { createTokenStore } from './server/channels/zalo/tokens.ts';
         const dir = process.env.DIR;
         const db = sqliteDatabase(openDatabase(dir), { close: true });
         let called = 0;
         const store = await createTokenStore(db, channelKeys(dir), { accessToken: null, refreshToken: null }, async () => {
           called++;
           return { accessToken: 'cua-tien-trinh-khac', refreshToken: 'x', expiresInSeconds: 90000 };
         });
         const pair = await store.refresh(1);
         console.log(JSON.stringify({ called, accessToken: pair.accessToken, version: pair.version }));
         await db.close();`,
      ],
      { cwd: ROOT, env: { ...process.env, DIR: t.dataDir! } },
    );
    const [mine, theirs] = await Promise.all([ours, child]);
    expect(mine).toMatchObject({ accessToken: 'truy-cap-2', version: 2 });
    expect(JSON.parse(theirs.stdout)).toEqual({ called: 0, accessToken: 'truy-cap-2', version: 2 });
    expect(zalo.spent).toEqual(['lam-moi-1']);
  });

  it('starts once when several processes seed it together', async () => {
    await fresh();
    if (dialect === 'postgres') {
      const replicas = await Promise.all([0, 1, 2].map(() => postgresDatabase(t.url!, { max: 2 })));
      try {
        await Promise.all(replicas.map((db) => createTokenStore(db, keys, SEED, fakeZalo().call)));
      } finally {
        await Promise.all(replicas.map((db) => db.close()));
      }
    } else {
      await Promise.all([0, 1, 2].map(() => createTokenStore(t.db, keys, SEED, fakeZalo().call)));
    }
    expect(await t.db.get('SELECT version FROM zalo_tokens')).toEqual({ version: 1 });
  });
});
