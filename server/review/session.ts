import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Sql } from '../store/index.ts';
import { rowId } from './db.ts';
import { staffById, type Staff } from './staff.ts';

export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 8 * 60 * 60 * 1000;

export interface StaffSession {
  staff: Staff;
  csrf: string;
  createdAt: number;
}

const digest = (token: string) => createHash('sha256').update(token).digest('hex');
export const newToken = () => randomBytes(32).toString('base64url');

/** A fresh session on every sign-in (never reuse an id a browser brought with it). Valid at once on every replica. */
export async function createSession(sql: Sql, staffId: number, now = Date.now()): Promise<{ token: string; csrf: string }> {
  const token = newToken();
  const csrf = newToken();
  await sql.transaction(async (tx) => {
    await tx.run('INSERT INTO staff_sessions (id_hash, staff_id, csrf, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)', [digest(token), staffId, csrf, now, now]);
    await tx.run('UPDATE staff SET last_login_at = ? WHERE id = ?', [now, staffId]);
  });
  // expired sessions of everyone are swept here rather than by a timer
  await sql.run('DELETE FROM staff_sessions WHERE last_seen_at < ? OR created_at < ?', [now - IDLE_TIMEOUT_MS, now - ABSOLUTE_TIMEOUT_MS]);
  return { token, csrf };
}

export type SessionCheck = { ok: true; session: StaffSession } | { ok: false; expired: boolean };

/** Looks a cookie value up, enforcing the idle and absolute timeouts; a live session is touched. */
export async function readSession(sql: Sql, token: string | undefined, now = Date.now()): Promise<SessionCheck> {
  if (!token || token.length > 100) return { ok: false, expired: false };
  const id = digest(token);
  const row = await sql.get<{ staff_id: number; csrf: string; created_at: number; last_seen_at: number }>(
    'SELECT staff_id, csrf, created_at, last_seen_at FROM staff_sessions WHERE id_hash = ?',
    [id],
  );
  if (!row) return { ok: false, expired: false };
  const staff = await staffById(sql, row.staff_id);
  if (!staff || staff.disabled || now - row.last_seen_at > IDLE_TIMEOUT_MS || now - row.created_at > ABSOLUTE_TIMEOUT_MS) {
    await sql.run('DELETE FROM staff_sessions WHERE id_hash = ?', [id]);
    return { ok: false, expired: !!staff && !staff.disabled };
  }
  await sql.run('UPDATE staff_sessions SET last_seen_at = ? WHERE id_hash = ?', [now, id]);
  return { ok: true, session: { staff, csrf: row.csrf, createdAt: row.created_at } };
}

export async function deleteSession(sql: Sql, token: string | undefined): Promise<void> {
  if (token) await sql.run('DELETE FROM staff_sessions WHERE id_hash = ?', [digest(token)]);
}

export async function deleteStaffSessions(sql: Sql, staffId: number): Promise<void> {
  await sql.run('DELETE FROM staff_sessions WHERE staff_id = ?', [staffId]);
}

export function sameToken(a: string | undefined | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Sign-in throttling. Every attempt is **reserved before its password is hashed**: in one step (one transaction) the
 * limits are checked and the attempt is written down as a failure, so a hundred parallel guesses see each
 * other; a right password then takes its reservation back. Limits count per account *and* address (so a
 * stranger who knows a user name cannot lock its owner out), per address, and per network.
 */
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
/** wrong passwords for one account from one address (IPv4, IPv6 /64) in the window */
export const MAX_FAILURES_PER_ACCOUNT = 5;
/** several staff may share one office address, so an address gets a little more room than one account */
export const MAX_FAILURES_PER_ADDRESS = 10;
/** one network (IPv4 /24, IPv6 /48) across its addresses */
export const MAX_FAILURES_PER_NETWORK = 30;
/** after the n-th wrong password (n ≥ 2) for an account from an address, the next try waits 2^(n-2) seconds: one slip is free */
export const FIRST_DELAY_S = 1;

export interface ThrottleKeys {
  account: string;
  /** rateKey() of the client: an IPv4 address or an IPv6 /64 */
  address: string;
  /** the wider network (networkKey /24, /48); the address itself when not given */
  network?: string;
}

const keysOf = (k: ThrottleKeys) => [
  { key: `account:${k.account}@${k.address}`, max: MAX_FAILURES_PER_ACCOUNT, progressive: true },
  { key: `ip:${k.address}`, max: MAX_FAILURES_PER_ADDRESS, progressive: false },
  { key: `net:${k.network ?? k.address}`, max: MAX_FAILURES_PER_NETWORK, progressive: false },
];

/** Seconds until a sign-in may be tried again for these keys; 0 = allowed now. */
export async function loginLockedFor(sql: Sql, keys: ThrottleKeys, now = Date.now()): Promise<number> {
  let wait = 0;
  for (const { key, max, progressive } of keysOf(keys)) {
    const times = (
      await sql.all<{ at: number }>('SELECT at FROM login_failures WHERE key = ? AND at > ? ORDER BY at DESC LIMIT ?', [key, now - LOGIN_WINDOW_MS, max])
    ).map((r) => r.at);
    if (times.length >= max) wait = Math.max(wait, Math.ceil((times.at(-1)! + LOGIN_WINDOW_MS - now) / 1000));
    else if (progressive && times.length >= 2)
      wait = Math.max(wait, Math.ceil((times[0]! + FIRST_DELAY_S * 1000 * 2 ** (times.length - 2) - now) / 1000));
  }
  return Math.max(wait, 0);
}

/** An attempt written down before its password is checked; `release` takes it back (a right password, a busy server). */
export interface SignInReservation {
  release(): Promise<void>;
}

/** Any fixed number of our own: every replica's sign-in reservations take their turn under it (PostgreSQL). */
const SIGN_IN_LOCK = 0x636e7369;

/**
 * Checks the limits and reserves one attempt, in one step nothing can interleave with, on any replica: either
 * the seconds to wait, or a reservation that counts as a failure until released. SQLite: the transaction holds
 * the file's write lock; PostgreSQL: a transaction-scoped advisory lock (a check and an insert are otherwise not
 * atomic under READ COMMITTED).
 */
export async function reserveSignIn(sql: Sql, keys: ThrottleKeys, now = Date.now()): Promise<{ wait: number } | { reservation: SignInReservation }> {
  const id = rowId(sql.dialect);
  const reserved = await sql.transaction(async (tx): Promise<{ wait: number } | { ids: number[] }> => {
    if (tx.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(?)', [SIGN_IN_LOCK]);
    const wait = await loginLockedFor(tx, keys, now);
    if (wait) return { wait };
    const ids: number[] = [];
    for (const { key } of keysOf(keys)) ids.push((await tx.get<{ id: number }>(`INSERT INTO login_failures (key, at) VALUES (?, ?) RETURNING ${id} AS id`, [key, now]))!.id);
    await tx.run('DELETE FROM login_failures WHERE at <= ?', [now - LOGIN_WINDOW_MS]);
    return { ids };
  });
  if ('wait' in reserved) return reserved;
  let released = false;
  return {
    reservation: {
      async release() {
        if (released) return;
        released = true;
        await sql.run(`DELETE FROM login_failures WHERE ${id} IN (${reserved.ids.map(() => '?').join(', ')})`, reserved.ids);
      },
    },
  };
}

/** A correct password clears the account's failures, not the address's (another account may be under attack). */
export async function clearAccountFailures(sql: Sql, account: string): Promise<void> {
  const prefix = `account:${account}@`;
  await sql.run('DELETE FROM login_failures WHERE key = ? OR substr(key, 1, ?) = ?', [`account:${account}`, prefix.length, prefix]);
}
