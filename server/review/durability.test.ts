import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../index/db.ts';
import { audit, ensureReviewTables } from './db.ts';
import { TEST_COST } from './password.ts';
import { addStaff, setDisabled } from './staff.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnsh-fsync-'));
const db = openDatabase(dir);
ensureReviewTables(db);
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The synchronous level each statement of `fn` committed under (SQLite fsyncs at commit only with FULL = 2). */
function levelsDuring(fn: () => unknown): number[] {
  const levels: number[] = [];
  const prepare = db.prepare.bind(db);
  (db as { prepare: typeof db.prepare }).prepare = ((sql: string) => {
    const stmt = prepare(sql);
    if (/^\s*(INSERT|UPDATE|DELETE)/i.test(sql)) {
      const run = stmt.run.bind(stmt);
      stmt.run = ((...args: unknown[]) => {
        levels.push(db.pragma('synchronous', { simple: true }) as number);
        return run(...(args as []));
      }) as typeof stmt.run;
    }
    return stmt;
  }) as typeof db.prepare;
  try {
    fn();
    return levels;
  } finally {
    (db as { prepare: typeof db.prepare }).prepare = prepare;
  }
}

describe('staff writes are fsynced at commit, as documented (V15)', () => {
  it('accounts and the audit log commit with synchronous=FULL; the question log keeps NORMAL', async () => {
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    await addStaff(db, 'ben-vung', 'mot cum tu du dai de thu', 'reviewer', Date.now(), TEST_COST);
    const full = (levels: number[]) => levels.length > 0 && levels.every((l) => l === 2);
    expect(full(levelsDuring(() => setDisabled(db, 'ben-vung', true)))).toBe(true);
    expect(full(levelsDuring(() => audit(db, { username: 'ben-vung', action: 'login' })))).toBe(true);
    // and the connection is back to NORMAL for everything else
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
  });
});
