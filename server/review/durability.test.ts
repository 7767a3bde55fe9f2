import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../index/db.ts';
import { sqliteDatabase } from '../store/index.ts';
import { audit, ensureReviewTables } from './db.ts';
import { TEST_COST } from './password.ts';
import { addStaff, setDisabled } from './staff.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnsh-fsync-'));
const db = openDatabase(dir);
const state = sqliteDatabase(db);
beforeAll(() => ensureReviewTables(state));
afterAll(async () => {
  await state.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The synchronous level each transaction of `fn` committed under (SQLite fsyncs at commit only with FULL = 2). */
async function levelsDuring(fn: () => Promise<unknown>): Promise<number[]> {
  const levels: number[] = [];
  const exec = db.exec.bind(db);
  (db as { exec: typeof db.exec }).exec = ((sql: string) => {
    if (/^\s*COMMIT/i.test(sql)) levels.push(db.pragma('synchronous', { simple: true }) as number);
    return exec(sql);
  }) as typeof db.exec;
  try {
    await fn();
    return levels;
  } finally {
    (db as { exec: typeof db.exec }).exec = exec;
  }
}

describe('staff writes are fsynced at commit, as documented (V15)', () => {
  it('accounts and the audit log commit with synchronous=FULL; the question log keeps NORMAL', async () => {
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    const full = (levels: number[]) => levels.length > 0 && levels.every((l) => l === 2);
    expect(full(await levelsDuring(() => addStaff(state, 'ben-vung', 'mot cum tu du dai de thu', 'reviewer', Date.now(), TEST_COST)))).toBe(true);
    expect(full(await levelsDuring(() => setDisabled(state, 'ben-vung', true)))).toBe(true);
    expect(full(await levelsDuring(() => audit(state, { username: 'ben-vung', action: 'login' })))).toBe(true);
    // and the connection is back to NORMAL for everything else
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
  });
});
