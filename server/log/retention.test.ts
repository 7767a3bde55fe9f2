import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../index/db.ts';
import { sqliteDatabase, type Database, type Sql } from '../store/index.ts';
import { testBackends, testDatabase, type TestDatabase } from '../store/testing.ts';
import { startTestServer } from '../testing.ts';
import { logQuestion, migrateQuestionLog, recordFeedback } from './index.ts';
import { DAY_MS, deleteExpiredQuestions } from './retention.ts';

function ask(db: Sql, id: string, text: string, at: number) {
  return logQuestion(
    db,
    { id, conversationId: `c-${id}`, text, audience: 'citizen', site: null, answered: false, reason: 'out-of-scope', confidence: 0, mode: 'extractive', cited: [], answer: 'Xin lỗi.' },
    at,
  );
}

const column = async (db: Sql, sql: string) => (await db.all<{ v: string }>(sql)).map((r) => r.v);

/** Everything SQLite holds on disk for this database: the main file and its WAL. */
function bytesOnDisk(dir: string): string {
  return ['cnsh.sqlite', 'cnsh.sqlite-wal']
    .map((f) => join(dir, f))
    .filter(existsSync)
    .map((f) => readFileSync(f).toString('latin1'))
    .join('');
}

/** What PostgreSQL holds in the files of the log's tables, read through the server (superuser only), after a checkpoint. */
async function tableFiles(db: Database): Promise<string> {
  await db.run('CHECKPOINT');
  const rows = await db.all<{ bytes: Uint8Array }>(
    `SELECT pg_read_binary_file(pg_relation_filepath(c.oid)) AS bytes FROM pg_class c
     WHERE c.relname IN ('questions', 'feedback') OR c.oid IN (SELECT reltoastrelid FROM pg_class WHERE relname IN ('questions', 'feedback'))`,
  );
  return rows.map((r) => Buffer.from(r.bytes).toString('latin1')).join('');
}

describe.each(testBackends())('retention on %s: questions older than RETENTION_DAYS are deleted for good', (dialect) => {
  let t: TestDatabase;
  afterEach(async () => t?.drop());
  const fresh = async () => {
    t = await testDatabase(dialect);
    await migrateQuestionLog(t.db);
    return t.db;
  };

  it('deletes old questions and their feedback, keeps recent ones', async () => {
    const db = await fresh();
    const now = Date.now();
    await ask(db, 'old', 'Ủ phân compost thế nào?', now - 200 * DAY_MS);
    await ask(db, 'new', 'Hầm biogas có an toàn không?', now - 10 * DAY_MS);
    await recordFeedback(db, 'old', false, 'chưa rõ', now - 199 * DAY_MS);
    await recordFeedback(db, 'new', true, 'hay', now - 9 * DAY_MS);

    expect(await deleteExpiredQuestions(db, 180, now)).toEqual({ questions: 1, feedback: 1 });
    expect(await column(db, 'SELECT id AS v FROM questions')).toEqual(['new']);
    expect(await column(db, 'SELECT message_id AS v FROM feedback')).toEqual(['new']);
    // feedback on a purged message is refused like any unknown one
    expect(await recordFeedback(db, 'old', true, undefined, now)).toBe(false);
    expect(await deleteExpiredQuestions(db, 180, now)).toEqual({ questions: 0, feedback: 0 });
  });

  it.runIf(dialect === 'sqlite')('leaves no trace of the deleted text in the database file or its WAL', async () => {
    const db = await fresh();
    const now = Date.now();
    // many rows so the text spreads over pages that become free pages when deleted
    for (let i = 0; i < 200; i++) await ask(db, `old-${i}`, `dấu vết riêng tư zqxvorpal${i} về đệm lót`, now - 400 * DAY_MS);
    await ask(db, 'keep', 'Phân bón vi sinh là gì?', now);
    await db.run('PRAGMA wal_checkpoint(TRUNCATE)');
    expect(bytesOnDisk(t.dataDir!)).toContain('zqxvorpal');

    await deleteExpiredQuestions(db, 180, now);
    expect(bytesOnDisk(t.dataDir!)).not.toContain('zqxvorpal');
    expect(await db.get('PRAGMA secure_delete')).toEqual({ secure_delete: 0 });
  });

  it.runIf(dialect === 'postgres')('leaves no trace of the deleted text in the tables’ files (VACUUM FULL after the purge)', async (ctx) => {
    const db = await fresh();
    const su = await db.get<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
    if (!su?.rolsuper) ctx.skip('reading table files needs a superuser (the CI cluster has one)');
    const now = Date.now();
    for (let i = 0; i < 200; i++) await ask(db, `old-${i}`, `dấu vết riêng tư zqxvorpal${i} về đệm lót`, now - 400 * DAY_MS);
    for (let i = 0; i < 20; i++) await recordFeedback(db, `old-${i}`, false, `góp ý riêng xyzzyplugh${i}`, now - 399 * DAY_MS);
    await ask(db, 'keep', 'Phân bón vi sinh là gì?', now);
    const before = await tableFiles(db);
    expect(before).toContain('zqxvorpal');
    expect(before).toContain('xyzzyplugh');

    expect(await deleteExpiredQuestions(db, 180, now)).toEqual({ questions: 200, feedback: 20 });
    const after = await tableFiles(db);
    expect(after).not.toContain('zqxvorpal');
    expect(after).not.toContain('xyzzyplugh');
    expect(await column(db, 'SELECT id AS v FROM questions')).toEqual(['keep']);
  });

  it.runIf(dialect === 'postgres')('falls back to a plain VACUUM, and says what to run, when VACUUM FULL does not finish in time', async () => {
    const db = await fresh();
    const now = Date.now();
    await ask(db, 'old', 'Ủ phân compost thế nào?', now - 200 * DAY_MS);
    const ran: string[] = [];
    const slow: Database = {
      ...db,
      run: async (sql, params) => {
        ran.push(sql);
        if (sql.startsWith('VACUUM FULL')) throw new Error('canceling statement due to statement timeout');
        return db.run(sql, params);
      },
    };
    const errors: string[] = [];
    expect(await deleteExpiredQuestions(slow, 180, now, { error: (m: string) => errors.push(m) })).toEqual({ questions: 1, feedback: 0 });
    expect(ran.filter((s) => s.startsWith('VACUUM'))).toEqual(['VACUUM FULL questions, feedback', 'VACUUM questions, feedback']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`psql "$DATABASE_URL" -c 'VACUUM FULL questions, feedback'`);
  });
});

describe('retention when the server starts', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('runs before the server answers, with the RETENTION_DAYS it was given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnsh-retention-'));
    dirs.push(dir);
    const db = sqliteDatabase(openDatabase(dir), { close: true });
    await migrateQuestionLog(db);
    const now = Date.now();
    await ask(db, 'last-month', 'Trichoderma dùng thế nào?', now - 40 * DAY_MS);
    await ask(db, 'last-week', 'Nước thải sơ chế cà phê xử lý ra sao?', now - 7 * DAY_MS);
    await db.close();

    const server = await startTestServer({ DATA_DIR: dir, RETENTION_DAYS: '30' });
    try {
      expect(await column(server.assistant.state, 'SELECT id AS v FROM questions')).toEqual(['last-week']);
    } finally {
      await server.close();
    }
  });
});
