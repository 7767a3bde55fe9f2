import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, withFullSync, type DB } from './db.ts';

const NORMAL = 1;
const FULL = 2;

describe('withFullSync: staff writes are fsynced at commit', () => {
  let dir: string;
  let db: DB;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cnsh-db-'));
    db = openDatabase(dir);
    db.exec('CREATE TABLE staff_note (text TEXT)');
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits with synchronous=FULL, then returns to NORMAL', () => {
    expect(db.pragma('synchronous', { simple: true })).toBe(NORMAL);
    const seen = withFullSync(db, () => {
      db.prepare('INSERT INTO staff_note VALUES (?)').run('đã duyệt');
      return db.pragma('synchronous', { simple: true });
    });
    expect(seen).toBe(FULL);
    expect(db.pragma('synchronous', { simple: true })).toBe(NORMAL);
    expect(db.prepare('SELECT text FROM staff_note').pluck().all()).toEqual(['đã duyệt']);
  });

  it('rolls back everything when the write fails, and still returns to NORMAL', () => {
    expect(() =>
      withFullSync(db, () => {
        db.prepare('INSERT INTO staff_note VALUES (?)').run('nửa chừng');
        throw new Error('lỗi giữa chừng');
      }),
    ).toThrow('lỗi giữa chừng');
    expect(db.prepare('SELECT count(*) FROM staff_note').pluck().get()).toBe(0);
    expect(db.pragma('synchronous', { simple: true })).toBe(NORMAL);
  });

  it('refuses to run inside another transaction, where SQLite cannot change the level', () => {
    db.exec('BEGIN');
    expect(() => withFullSync(db, () => 1)).toThrow(/withFullSync/);
    db.exec('ROLLBACK');
  });
});
