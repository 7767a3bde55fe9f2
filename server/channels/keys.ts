import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The channels' server secret: 32 random bytes in `DATA_DIR/kenh.key` (0600), kept beside the database, not
 * in it, so a copy of the database (a backup, a staff export) holds neither a user id nor a token in clear.
 */
export interface ChannelKeys {
  /** the keyed hash that stands for a messenger user id everywhere we store one */
  userHash(channel: string, userId: string): string;
  /** encrypts what must be read back later (a reply address, a queued text, a token) */
  seal(plain: string): string;
  open(sealed: string): string;
}

export const KEY_FILE = 'kenh.key';

function loadKey(dataDir: string): Buffer {
  const file = join(dataDir, KEY_FILE);
  mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx': of two processes starting together, one writes and the other reads what it wrote
    writeFileSync(file, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  for (let i = 0; ; i++) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length === 32) return key;
    // the other process has created the file and not yet written it
    if (i > 50) throw new Error(`Tệp khóa ${file} hỏng: cần 32 byte base64.`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}

export function channelKeys(dataDir: string): ChannelKeys {
  const key = loadKey(dataDir);
  // separate keys for separate uses, from the one secret
  const hashKey = createHmac('sha256', key).update('cnsh:user-hash').digest();
  const sealKey = createHmac('sha256', key).update('cnsh:seal').digest();
  return {
    userHash: (channel, userId) => createHmac('sha256', hashKey).update(`${channel}\u0000${userId}`).digest('hex'),
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    open(sealed) {
      const raw = Buffer.from(sealed, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', sealKey, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

/** Compares two secrets (hex digests, tokens) in constant time; different lengths are simply unequal. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
