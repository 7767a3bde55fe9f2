import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DB } from '../index/db.ts';
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

/** A fresh session on every sign-in (never reuse an id a browser brought with it). */
export function createSession(db: DB, staffId: number, now = Date.now()): { token: string; csrf: string } {
  const token = newToken();
  const csrf = newToken();
  db.prepare('INSERT INTO staff_sessions (id_hash, staff_id, csrf, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)').run(
    digest(token),
    staffId,
    csrf,
    now,
    now,
  );
  db.prepare('UPDATE staff SET last_login_at = ? WHERE id = ?').run(now, staffId);
  // expired sessions of everyone are swept here rather than by a timer
  db.prepare('DELETE FROM staff_sessions WHERE last_seen_at < ? OR created_at < ?').run(now - IDLE_TIMEOUT_MS, now - ABSOLUTE_TIMEOUT_MS);
  return { token, csrf };
}

export type SessionCheck = { ok: true; session: StaffSession } | { ok: false; expired: boolean };

/** Looks a cookie value up, enforcing the idle and absolute timeouts; a live session is touched. */
export function readSession(db: DB, token: string | undefined, now = Date.now()): SessionCheck {
  if (!token || token.length > 100) return { ok: false, expired: false };
  const id = digest(token);
  const row = db.prepare('SELECT * FROM staff_sessions WHERE id_hash = ?').get(id) as
    | { staff_id: number; csrf: string; created_at: number; last_seen_at: number }
    | undefined;
  if (!row) return { ok: false, expired: false };
  const staff = staffById(db, row.staff_id);
  if (!staff || staff.disabled || now - row.last_seen_at > IDLE_TIMEOUT_MS || now - row.created_at > ABSOLUTE_TIMEOUT_MS) {
    db.prepare('DELETE FROM staff_sessions WHERE id_hash = ?').run(id);
    return { ok: false, expired: !!staff && !staff.disabled };
  }
  db.prepare('UPDATE staff_sessions SET last_seen_at = ? WHERE id_hash = ?').run(now, id);
  return { ok: true, session: { staff, csrf: row.csrf, createdAt: row.created_at } };
}

export function deleteSession(db: DB, token: string | undefined): void {
  if (token) db.prepare('DELETE FROM staff_sessions WHERE id_hash = ?').run(digest(token));
}

export function deleteStaffSessions(db: DB, staffId: number): void {
  db.prepare('DELETE FROM staff_sessions WHERE staff_id = ?').run(staffId);
}

export function sameToken(a: string | undefined | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Sign-in throttling. Every attempt is **reserved before its password is hashed**: in one synchronous step the
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
export function loginLockedFor(db: DB, keys: ThrottleKeys, now = Date.now()): number {
  let wait = 0;
  for (const { key, max, progressive } of keysOf(keys)) {
    const times = (
      db.prepare('SELECT at FROM login_failures WHERE key = ? AND at > ? ORDER BY at DESC LIMIT ?').all(key, now - LOGIN_WINDOW_MS, max) as {
        at: number;
      }[]
    ).map((r) => r.at);
    if (times.length >= max) wait = Math.max(wait, Math.ceil((times.at(-1)! + LOGIN_WINDOW_MS - now) / 1000));
    else if (progressive && times.length >= 2)
      wait = Math.max(wait, Math.ceil((times[0]! + FIRST_DELAY_S * 1000 * 2 ** (times.length - 2) - now) / 1000));
  }
  return Math.max(wait, 0);
}

/** An attempt written down before its password is checked; `release` takes it back (a right password, a busy server). */
export interface SignInReservation {
  release(): void;
}

/**
 * Checks the limits and reserves one attempt, in one step nothing can interleave with: either the seconds to
 * wait, or a reservation that counts as a failure until released.
 */
export function reserveSignIn(db: DB, keys: ThrottleKeys, now = Date.now()): { wait: number } | { reservation: SignInReservation } {
  const insert = db.prepare('INSERT INTO login_failures (key, at) VALUES (?, ?)');
  return db.transaction(() => {
    const wait = loginLockedFor(db, keys, now);
    if (wait) return { wait };
    const rowids = keysOf(keys).map(({ key }) => Number(insert.run(key, now).lastInsertRowid));
    db.prepare('DELETE FROM login_failures WHERE at <= ?').run(now - LOGIN_WINDOW_MS);
    let released = false;
    return {
      reservation: {
        release() {
          if (released) return;
          released = true;
          const drop = db.prepare('DELETE FROM login_failures WHERE rowid = ?');
          db.transaction(() => rowids.forEach((id) => drop.run(id)))();
        },
      },
    };
  })();
}

/** A correct password clears the account's failures, not the address's (another account may be under attack). */
export function clearAccountFailures(db: DB, account: string): void {
  const prefix = `account:${account}@`;
  db.prepare('DELETE FROM login_failures WHERE key = ? OR substr(key, 1, ?) = ?').run(`account:${account}`, prefix.length, prefix);
}
