import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOW_CONFIDENCE } from '../answer/index.ts';
import { logQuestion, migrateQuestionLog, recordFeedback, type LoggedQuestion } from '../log/index.ts';
import type { Migration } from '../store/index.ts';
import { testBackends, testDatabase, type TestDatabase } from '../store/testing.ts';
import { startTestServer, type TestServer } from '../testing.ts';
import { csvCell, CSV_HEADER, questionsCsv, statistics, vnDay, vnDayStart, yearPeriod } from './stats.ts';
import { ask, createStaff, staffClient, type StaffClient } from './testing.ts';

/** Thống kê, CSV and the yearly report, from questions asked through the real API. */
let server: TestServer;
let staff: StaffClient;
const year = Number(vnDay(Date.now()).slice(0, 4));

const CITIZEN = ['Đệm lót sinh học là gì?', 'Làm sao vận hành hầm biogas an toàn?', 'Rác hữu cơ trong nhà xử lý thế nào?', 'Trồng nấm trên bã cà phê có cần giấy phép không?'];
const STUDENT = ['Khí sinh học được tạo ra như thế nào?', 'Vi sinh vật xử lí nước thải ra sao?'];
const FORMULA = '=HYPERLINK("http://evil.example","bấm vào đây")';

let answered = 0;

beforeAll(async () => {
  server = await startTestServer();
  await createStaff(server.assistant.state, 'canbo');
  for (const q of CITIZEN) {
    const r = await ask(server.url, q, { site: 'cong-tinh' });
    answered += r.answered ? 1 : 0;
    await fetch(`${server.url}/api/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messageId: r.messageId, helpful: r.answered }),
    });
  }
  for (const q of STUDENT) answered += (await ask(server.url, q, { audience: 'student', site: 'truong-thpt-chuyen' })).answered ? 1 : 0;
  answered += (await ask(server.url, FORMULA)).answered ? 1 : 0;
  staff = staffClient(server.url);
  await staff.login('canbo');
});
afterAll(() => server.close());

describe('statistics', () => {
  it('count questions, answered rate, feedback, audiences, sites and cited documents', async () => {
    const s = await statistics(server.assistant.state, yearPeriod(year), 'month', (id) => id);
    expect(s.total).toBe(CITIZEN.length + STUDENT.length + 1);
    expect(s.answered).toBe(answered);
    expect(s.helpful + s.unhelpful).toBe(CITIZEN.length);
    expect(s.audiences.map((a) => [a.audience, a.total])).toEqual([
      ['citizen', CITIZEN.length + 1],
      ['student', STUDENT.length],
    ]);
    expect(s.sites.find((x) => x.site === 'truong-thpt-chuyen')!.total).toBe(STUDENT.length);
    expect(s.buckets).toHaveLength(12);
    expect(s.buckets.reduce((n, b) => n + b.total, 0)).toBe(s.total);
    expect(s.topics.map((t) => t.docId)).toContain('dem-lot-sinh-hoc');
  });

  it('has a week for every week of the period, empty ones included', async () => {
    const from = vnDayStart('2026-03-01')!;
    const s = await statistics(server.assistant.state, { from, to: vnDayStart('2026-04-01')! }, 'week', (id) => id);
    expect(s.buckets.map((b) => b.key)).toEqual(['2026-02-23', '2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23', '2026-03-30']);
  });

  it('are drawn as inline SVG charts with tables on the statistics page', async () => {
    const res = await staff.get(`/admin/thong-ke?tu=${year}-01-01&den=${vnDay(Date.now())}&theo=week`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect((page.match(/<svg class="chart"/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(page).toContain('Người dân');
    expect(page).toContain('Học sinh');
    expect(page).toContain('truong-thpt-chuyen');
    expect(page).toContain('Đệm lót sinh học');
    expect(page).not.toMatch(/<script(?! type="module" src="\/admin\/static\/admin\.js")/);
  });
});

describe('the CSV export', () => {
  it('opens in Excel with Vietnamese intact: UTF-8 with a byte-order mark', async () => {
    const res = await staff.get(`/admin/thong-ke/xuat.csv?tu=${year}-01-01&den=${vnDay(Date.now())}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="cau-hoi-/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.slice(3));
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(CSV_HEADER.map((h) => `"${h}"`).join(','));
    expect(lines).toHaveLength(1 + CITIZEN.length + STUDENT.length + 1);
    expect(text).toContain('"Trồng nấm trên bã cà phê có cần giấy phép không?"');
    expect(text).toContain('"Học sinh"');
  });

  it('guards formula starts after a space, an invisible character, or in fullwidth (I1)', () => {
    for (const cell of [' =1+1', '\u00a0=1+1', '\u200b=1+1', '\ufeff@SUM(A1)', '＝1+1', '＋1', '－1', '＠x', '\t=1', '\n=1'])
      expect(csvCell(cell), JSON.stringify(cell)).toBe(`"'${cell}"`);
    expect(csvCell('Biogas là gì?')).toBe('"Biogas là gì?"');
  });

  it('does not let a question run as a spreadsheet formula', async () => {
    const text = await (await staff.get(`/admin/thong-ke/xuat.csv?tu=${year}-01-01`)).text();
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""bấm vào đây"")"`);
    expect(text).not.toContain('"=HYPERLINK');
  });

  it('is recorded in the audit log', () => {
    const row = server.assistant.db.prepare("SELECT username FROM audit_log WHERE action = 'export:csv'").get() as { username: string };
    expect(row.username).toBe('canbo');
  });
});

describe('the yearly report', () => {
  it('is a printable page with the year’s figures for the 15/12 report', async () => {
    const res = await staff.get(`/admin/bao-cao?nam=${year}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain(`năm ${year}`);
    expect(page).toContain(`trước ngày 15/12/${year}`);
    expect(page).toMatch(new RegExp(`Tổng số câu hỏi nhận được</th><td class="num">${CITIZEN.length + STUDENT.length + 1}<`));
    expect(page).toContain('data-print');
    expect(page).toContain('<svg class="chart"');
  });
});

/** The two tables of the console that statistics read, as the console's own migration makes them (here only for this suite). */
const CONSOLE_TABLES: Migration[] = [
  {
    name: 'stats-test-console',
    sqlite: `CREATE TABLE IF NOT EXISTS review_state (question_id TEXT PRIMARY KEY REFERENCES questions (id) ON DELETE CASCADE, status TEXT NOT NULL, curated_id TEXT, updated_at INTEGER NOT NULL, updated_by TEXT);
             CREATE TABLE IF NOT EXISTS curated_answers (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, status TEXT NOT NULL, published_at INTEGER)`,
    postgres: `CREATE TABLE IF NOT EXISTS review_state (question_id TEXT PRIMARY KEY REFERENCES questions (id) ON DELETE CASCADE, status TEXT NOT NULL, curated_id TEXT, updated_at BIGINT NOT NULL, updated_by TEXT);
               CREATE TABLE IF NOT EXISTS curated_answers (n BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, status TEXT NOT NULL, published_at BIGINT)`,
  },
];

describe.each(testBackends())('statistics over the state database on %s', (dialect) => {
  let t: TestDatabase;
  afterAll(async () => t?.drop());
  const vn = (local: string) => Date.parse(`${local}+07:00`);
  const asked = (id: string, at: string, more: Partial<LoggedQuestion> = {}) =>
    logQuestion(
      t.db,
      { id, conversationId: `c-${id}`, text: `Câu hỏi ${id}`, audience: 'citizen', site: null, answered: true, reason: null, confidence: 0.9, mode: 'extractive', cited: ['dem-lot-sinh-hoc#khai-niem'], answer: 'Trả lời.', ...more },
      vn(at),
    );

  beforeAll(async () => {
    t = await testDatabase(dialect);
    await migrateQuestionLog(t.db);
    await t.db.migrate(CONSOLE_TABLES);
    // Vietnam's midnight and Monday decide the buckets, not UTC's
    await asked('sun-late', '2026-03-29T23:00:00', { audience: 'student', site: 'truong-thpt-chuyen' });
    await asked('mon-early', '2026-03-30T00:10:00', { cited: ['bien-phap-xu-ly#biogas', 'dem-lot-sinh-hoc#khai-niem'] });
    await asked('mar-last', '2026-03-31T23:30:00', { answered: false, reason: 'out-of-scope', confidence: 0.1, cited: [] });
    await asked('apr-first', '2026-04-01T00:30:00', { confidence: LOW_CONFIDENCE - 0.01 });
    await asked('curated-low', '2026-04-02T09:00:00', { confidence: LOW_CONFIDENCE - 0.01, cited: ['hoi-dap#gd-3'] });
    await asked('outside', '2026-05-01T00:00:00');
    await recordFeedback(t.db, 'sun-late', true, undefined);
    await recordFeedback(t.db, 'mon-early', false, 'chưa đủ');
    await t.db.run('INSERT INTO review_state (question_id, status, updated_at) VALUES (?, ?, ?)', ['mar-last', 'spam', vn('2026-04-01T08:00:00')]);
    await t.db.run('INSERT INTO curated_answers (id, status, published_at) VALUES (?, ?, ?), (?, ?, ?)', ['gd-3', 'published', vn('2026-03-15T10:00:00'), 'gd-4', 'draft', null]);
  });

  const period = () => ({ from: vnDayStart('2026-03-01')!, to: vnDayStart('2026-05-01')! });

  it('count in Vietnam time, by month and by week starting on Monday', async () => {
    const byMonth = await statistics(t.db, period(), 'month', (id) => id);
    expect(byMonth.buckets.map((b) => [b.key, b.total, b.answered])).toEqual([
      ['2026-03', 3, 2],
      ['2026-04', 2, 2],
    ]);
    const byWeek = await statistics(t.db, { from: vnDayStart('2026-03-23')!, to: vnDayStart('2026-04-06')! }, 'week', (id) => id);
    expect(byWeek.buckets.map((b) => [b.key, b.total])).toEqual([
      ['2026-03-23', 1],
      ['2026-03-30', 4],
    ]);
  });

  it('count questions, feedback, audiences, sites, cited documents, the review queue and published answers', async () => {
    const s = await statistics(t.db, period(), 'month', (id) => `«${id}»`);
    expect({ total: s.total, answered: s.answered, helpful: s.helpful, unhelpful: s.unhelpful, curated: s.curatedPublished }).toEqual({
      total: 5,
      answered: 4,
      helpful: 1,
      unhelpful: 1,
      curated: 1,
    });
    expect(s.audiences.map((a) => [a.label, a.total])).toEqual([
      ['Người dân', 4],
      ['Học sinh', 1],
    ]);
    expect(s.sites.find((x) => x.site === 'truong-thpt-chuyen')).toEqual({ site: 'truong-thpt-chuyen', total: 1, answered: 1 });
    expect(s.topics.map((x) => [x.title, x.count])).toEqual([
      ['«dem-lot-sinh-hoc»', 3],
      ['«bien-phap-xu-ly»', 1],
      ['«giai-dap-cua-so»', 1],
    ]);
    // queued: the decline (marked spam), the 👎 and the low-confidence answer; not the curated answer with low confidence
    expect(s.review).toEqual({ open: 2, curated: 0, 'out-of-scope': 0, spam: 1 });
  });

  it('export the period as CSV, oldest first, with feedback and review state', async () => {
    const lines = (await questionsCsv(t.db, period(), (id) => id)).trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + 5);
    expect(lines[1]).toContain('"Câu hỏi sun-late"');
    expect(lines[1]).toContain('"29/03/2026 23:00"');
    expect(lines[2]).toBe('"30/03/2026 00:10","Người dân","","Câu hỏi mon-early","Có","","90","bien-phap-xu-ly; dem-lot-sinh-hoc","0","1","Chờ xử lý"');
    expect(lines[3]).toBe('"31/03/2026 23:30","Người dân","","Câu hỏi mar-last","Không","Chưa có thông tin","10","","0","0","Rác, spam"');
  });
});
