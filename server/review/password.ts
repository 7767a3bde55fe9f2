import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface PasswordCost {
  N: number;
  r: number;
  p: number;
}

/** scrypt with N=2^17, r=8, p=1 needs 128 MiB; maxmem leaves headroom. */
const COST: PasswordCost = { N: 2 ** 17, r: 8, p: 1 };
/** Only for accounts made by tests (server/review/testing.ts): the suite would otherwise spend minutes hashing. */
export const TEST_COST: PasswordCost = { N: 2 ** 10, r: 8, p: 1 };
const MAXMEM = 256 * 1024 * 1024;
const KEY_BYTES = 64;
/** At most this many hashes at once: each holds 128 MiB, and a login flood must not exhaust memory. */
const MAX_CONCURRENT = 2;

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

/** At most this many wait for a slot; the next is refused at once (a flood must not make staff wait 27 s). */
export const MAX_WAITING = 4;

/** Too many password checks are waiting: answer "busy" now rather than after everyone else's. */
export class HashQueueFull extends Error {
  constructor() {
    super('hàng đợi kiểm tra mật khẩu đầy');
  }
}

let running = 0;
const waiting: (() => void)[] = [];

/** Checks running or waiting now (the sign-in route refuses early when it is high). */
export function hashLoad(): { running: number; waiting: number } {
  return { running, waiting: waiting.length };
}

async function withSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) {
    if (waiting.length >= MAX_WAITING) throw new HashQueueFull();
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function derive(password: string, salt: Buffer, cost: PasswordCost): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: MAXMEM };
  // the same password typed on different keyboards (NFC or NFD) must give the same hash
  const secret = password.normalize('NFC');
  return withSlot(
    () => new Promise<Buffer>((resolve, reject) => scrypt(secret, salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)))),
  );
}

/** `scrypt$<log2 N>$<r>$<p>$<salt>$<key>`: the parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string, cost: PasswordCost = COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return ['scrypt', Math.log2(cost.N), cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, logN, r, p, salt, key] = parts;
  const expected = Buffer.from(key!, 'base64url');
  const actual = await derive(password, Buffer.from(salt!, 'base64url'), { N: 2 ** Number(logN), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Spends the same time as a real check, so an unknown user name answers no faster than a known one. */
export async function dummyVerify(password: string): Promise<false> {
  await derive(password, randomBytes(16), COST);
  return false;
}

/** Why a new password is refused (in Vietnamese), or null. Length only: no composition rules (ASVS 2.1). */
export function passwordProblem(password: string): string | null {
  const length = [...password.normalize('NFC')].length;
  if (length < PASSWORD_MIN) return `Mật khẩu phải có ít nhất ${PASSWORD_MIN} ký tự.`;
  if (length > PASSWORD_MAX) return `Mật khẩu dài tối đa ${PASSWORD_MAX} ký tự.`;
  if (new Set(password).size < 4) return 'Mật khẩu quá đơn giản: hãy dùng một cụm từ dài, khó đoán.';
  return null;
}
