import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type DB } from '../index/db.ts';
import { startTestServer } from '../testing.ts';
import { logQuestion, recordFeedback } from './index.ts';
import { DAY_MS, deleteExpiredQuestions } from './retention.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function freshDb(): { db: DB; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cnsh-retention-'));
  dirs.push(dir);
  return { db: openDatabase(dir), dir };
}

function ask(db: DB, id: string, text: string, at: number) {
  logQuestion(
    db,
    { id, conversationId: `c-${id}`, text, audience: 'citizen', site: null, answered: false, reason: 'out-of-scope', confidence: 0, mode: 'extractive', cited: [], answer: 'Xin lỗi.' },
    at,
  );
}

/** Everything SQLite holds on disk for this database: the main file and its WAL. */
function bytesOnDisk(dir: string): string {
  return ['cnsh.sqlite', 'cnsh.sqlite-wal']
    .map((f) => join(dir, f))
    .filter(existsSync)
    .map((f) => readFileSync(f).toString('latin1'))
    .join('');
}

describe('retention: questions older than RETENTION_DAYS are deleted for good', () => {
  it('deletes old questions and their feedback, keeps recent ones', () => {
    const { db } = freshDb();
    const now = Date.now();
    ask(db, 'old', 'Ủ phân compost thế nào?', now - 200 * DAY_MS);
    ask(db, 'new', 'Hầm biogas có an toàn không?', now - 10 * DAY_MS);
    recordFeedback(db, 'old', false, 'chưa rõ', now - 199 * DAY_MS);
    recordFeedback(db, 'new', true, 'hay', now - 9 * DAY_MS);

    expect(deleteExpiredQuestions(db, 180, now)).toEqual({ questions: 1, feedback: 1 });
    const ids = (db.prepare('SELECT id FROM questions').all() as { id: string }[]).map((r) => r.id);
    expect(ids).toEqual(['new']);
    expect((db.prepare('SELECT message_id FROM feedback').all() as { message_id: string }[]).map((r) => r.message_id)).toEqual(['new']);
    expect(deleteExpiredQuestions(db, 180, now)).toEqual({ questions: 0, feedback: 0 });
    db.close();
  });

  it('leaves no trace of the deleted text in the database file or its WAL', () => {
    const { db, dir } = freshDb();
    const now = Date.now();
    // many rows so the text spreads over pages that become free pages when deleted
    for (let i = 0; i < 200; i++) ask(db, `old-${i}`, `dấu vết riêng tư zqxvorpal${i} về đệm lót`, now - 400 * DAY_MS);
    ask(db, 'keep', 'Phân bón vi sinh là gì?', now);
    db.pragma('wal_checkpoint(TRUNCATE)');
    expect(bytesOnDisk(dir)).toContain('zqxvorpal');

    deleteExpiredQuestions(db, 180, now);
    expect(bytesOnDisk(dir)).not.toContain('zqxvorpal');
    expect(db.pragma('secure_delete', { simple: true })).toBe(0);
    db.close();
  });

  it('runs when the server starts, with the RETENTION_DAYS it was given', async () => {
    const { db, dir } = freshDb();
    const now = Date.now();
    ask(db, 'last-month', 'Trichoderma dùng thế nào?', now - 40 * DAY_MS);
    ask(db, 'last-week', 'Nước thải sơ chế cà phê xử lý ra sao?', now - 7 * DAY_MS);
    db.close();

    const server = await startTestServer({ DATA_DIR: dir, RETENTION_DAYS: '30' });
    try {
      const ids = (server.assistant.db.prepare('SELECT id FROM questions').all() as { id: string }[]).map((r) => r.id);
      expect(ids).toEqual(['last-week']);
    } finally {
      await server.close();
    }
  });
});
