import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureTables, openDatabase } from '../index/db.ts';
import { sqliteDatabase, type Database } from '../store/index.ts';
import { testBackends, testDatabase, type TestDatabase } from '../store/testing.ts';
import { conversationHistory, logQuestion, migrateQuestionLog, questionLogWriter, recordFeedback, type LoggedQuestion } from './index.ts';

const question = (id: string, more: Partial<LoggedQuestion> = {}): LoggedQuestion => ({
  id,
  conversationId: `c-${id}`,
  text: 'Đệm lót sinh học là gì?',
  audience: 'citizen',
  site: null,
  answered: true,
  reason: null,
  confidence: 0.82,
  mode: 'extractive',
  cited: ['dem-lot-sinh-hoc#khai-niem'],
  answer: 'Đệm lót sinh học là lớp độn chuồng có men vi sinh.',
  ...more,
});

/** The database as the writer sees it, counting commits: transactions, and statements run outside one. */
function counting(db: Database): { db: Database; commits: () => number } {
  let commits = 0;
  const counted: Database = {
    ...db,
    run: (sql, params) => {
      commits++;
      return db.run(sql, params);
    },
    transaction: (fn, options) => {
      commits++;
      return db.transaction(fn, options);
    },
  };
  return { db: counted, commits: () => commits };
}

describe.each(testBackends())('the question log on %s', (dialect) => {
  let t: TestDatabase;
  afterEach(async () => t?.drop());
  const fresh = async () => {
    t = await testDatabase(dialect);
    await migrateQuestionLog(t.db);
    return t.db;
  };

  it('stores a question with every column in one row, and the migration applies once', async () => {
    const db = await fresh();
    await migrateQuestionLog(db);
    const at = Date.UTC(2026, 11, 3, 3, 0, 0);
    await logQuestion(db, question('q1', { site: 'truong-thpt-chuyen', channel: 'zalo', generation: 'used', answered: false, reason: 'out-of-scope', cited: [] }), at);
    expect(await db.get('SELECT * FROM questions WHERE id = ?', ['q1'])).toEqual({
      id: 'q1',
      conversation_id: 'c-q1',
      created_at: at,
      text: 'Đệm lót sinh học là gì?',
      folded: 'dem lot sinh hoc la gi?',
      audience: 'citizen',
      site: 'truong-thpt-chuyen',
      answered: 0,
      reason: 'out-of-scope',
      confidence: 0.82,
      mode: 'extractive',
      cited: '[]',
      answer: 'Đệm lót sinh học là lớp độn chuồng có men vi sinh.',
      status: 'open',
      channel: 'zalo',
      generation: 'used',
    });
    expect(await db.get<{ n: number }>("SELECT count(*) AS n FROM schema_parts WHERE name LIKE 'questions%'")).toEqual({ n: 3 });
  });

  it('commits the questions of one event-loop turn together, each caller released once its row is stored', async () => {
    const base = await fresh();
    const { db, commits } = counting(base);
    const write = questionLogWriter(db);
    const ids = Array.from({ length: 40 }, (_, i) => `g${i}`);
    const stored: boolean[] = [];
    await Promise.all(
      ids.map((id) =>
        write(question(id)).then(async () => {
          // what the caller was promised is readable by anyone (PostgreSQL: from another connection of the pool)
          stored.push(!!(await base.get('SELECT 1 AS one FROM questions WHERE id = ?', [id])));
        }),
      ),
    );
    expect(stored).toEqual(ids.map(() => true));
    expect(commits()).toBe(1);

    // the next turn is the next commit
    await write(question('later'));
    expect(commits()).toBe(2);
  });

  it('keeps the others of a batch when one row cannot be written, and tells only its caller', async () => {
    const db = await fresh();
    await logQuestion(db, question('taken'));
    const write = questionLogWriter(db);
    const results = await Promise.allSettled([write(question('a')), write(question('taken')), write(question('b'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await db.all<{ id: string }>('SELECT id FROM questions ORDER BY id')).map((r) => r.id)).toEqual(['a', 'b', 'taken']);
  });

  it('gives a conversation’s last questions oldest first, and only that conversation’s', async () => {
    const db = await fresh();
    const t0 = Date.UTC(2026, 10, 1);
    const texts = ['Hầm biogas là gì?', 'Nạp phân bao nhiêu?', 'Mỗi ngày mấy lần?', 'Có mùi thối thì sao?'];
    // written out of order: the order is the time asked, not the time written
    for (const i of [2, 0, 3, 1]) await logQuestion(db, question(`h${i}`, { conversationId: 'c-biogas', text: texts[i]!, answered: i !== 3 }), t0 + i * 60_000);
    await logQuestion(db, question('other', { conversationId: 'c-khac', text: 'Ủ phân thế nào?' }), t0 + 10 * 60_000);

    expect(await conversationHistory(db, 'c-biogas', 3)).toEqual([
      { text: 'Nạp phân bao nhiêu?', answered: true },
      { text: 'Mỗi ngày mấy lần?', answered: true },
      { text: 'Có mùi thối thì sao?', answered: false },
    ]);
    expect(await conversationHistory(db, 'c-chua-co', 3)).toEqual([]);
  });

  it('records feedback on a logged answer, and refuses one on an unknown message without writing anything', async () => {
    const db = await fresh();
    await logQuestion(db, question('known'));
    expect(await recordFeedback(db, 'known', false, 'Chưa rõ liều lượng', Date.UTC(2026, 10, 2))).toBe(true);
    expect(await recordFeedback(db, 'khong-co', true, 'hay')).toBe(false);
    expect(await db.all('SELECT message_id, created_at, helpful, comment FROM feedback')).toEqual([
      { message_id: 'known', created_at: Date.UTC(2026, 10, 2), helpful: 0, comment: 'Chưa rõ liều lượng' },
    ]);
  });

  it('redacts before storage: no phone number, e-mail or ID number reaches a row, through either path', async () => {
    const db = await fresh();
    const personal = { phone: '0912 345 678', email: 'nguyen.van.an@gmail.com', id: '079203012345' };
    const said = `liên hệ ${personal.phone} hoặc ${personal.email}, CCCD ${personal.id}`;
    await logQuestion(db, question('p1', { text: `Hầm biogas nạp phân thế nào, ${said}`, site: `trường ${personal.phone}`, answer: `Bạn đã hỏi: ${said}` }));
    await questionLogWriter(db)(question('p2', { text: `Ủ phân thế nào? ${said}` }));
    expect(await recordFeedback(db, 'p1', false, `gọi lại ${said}`)).toBe(true);

    const rows = await db.all<Record<string, unknown>>('SELECT q.text, q.folded, q.site, q.answer, f.comment FROM questions q LEFT JOIN feedback f ON f.message_id = q.id');
    const everything = JSON.stringify(rows).replace(/[\s.\-]/g, '');
    expect(rows).toHaveLength(2);
    for (const value of Object.values(personal)) expect(everything).not.toContain(value.replace(/[\s.\-]/g, ''));
    expect(everything).toContain('Hầmbiogas');
  });
});


describe('a SQLite data file from before the log had its own store', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('keeps its questions and feedback, gets only the column it lacked, and is not migrated twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnsh-old-file-'));
    dirs.push(dir);
    // the layout the index migrations made, with the channel column added later and the generation column never
    const old = openDatabase(dir);
    old.exec(`
      CREATE TABLE questions (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, created_at INTEGER NOT NULL, text TEXT NOT NULL, folded TEXT NOT NULL,
        audience TEXT NOT NULL, site TEXT, answered INTEGER NOT NULL, reason TEXT, confidence REAL NOT NULL, mode TEXT NOT NULL, cited TEXT NOT NULL,
        answer TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open');
      CREATE INDEX questions_time ON questions (created_at);
      CREATE INDEX questions_conversation ON questions (conversation_id, created_at);
      CREATE TABLE feedback (id INTEGER PRIMARY KEY, message_id TEXT NOT NULL REFERENCES questions (id) ON DELETE CASCADE, created_at INTEGER NOT NULL,
        helpful INTEGER NOT NULL, comment TEXT);
      CREATE INDEX feedback_message ON feedback (message_id);
    `);
    ensureTables(old, 'questions-channel', 'ALTER TABLE questions ADD COLUMN channel TEXT');
    old.prepare(`INSERT INTO questions VALUES ('cu', 'c-cu', 1, 'Ủ phân thế nào?', 'u phan the nao?', 'citizen', NULL, 1, NULL, 0.9, 'extractive', '[]', 'Ủ nóng.', 'answered', 'zalo')`).run();
    old.prepare(`INSERT INTO feedback (message_id, created_at, helpful, comment) VALUES ('cu', 2, 1, 'hay')`).run();

    const db = sqliteDatabase(old, { close: true });
    try {
      await migrateQuestionLog(db);
      await migrateQuestionLog(db);
      expect((await db.all<{ name: string }>('PRAGMA table_info(questions)')).map((c) => c.name).slice(-2)).toEqual(['channel', 'generation']);
      expect(await db.get('SELECT id, channel, generation FROM questions')).toEqual({ id: 'cu', channel: 'zalo', generation: null });
      expect(await conversationHistory(db, 'c-cu')).toEqual([{ text: 'Ủ phân thế nào?', answered: true }]);
      expect(await recordFeedback(db, 'cu', false, undefined)).toBe(true);
      expect(await db.get('SELECT count(*) AS n FROM feedback')).toEqual({ n: 2 });
      expect((await db.all<{ name: string }>("SELECT name FROM schema_parts WHERE name LIKE 'questions%' ORDER BY name")).map((r) => r.name)).toEqual([
        'questions-1',
        'questions-channel',
        'questions-generation',
      ]);
    } finally {
      await db.close();
    }
  });
});
