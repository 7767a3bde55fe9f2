import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing.ts';
import { groupQuestions, LOW_CONFIDENCE, questionCore, queueItems } from './queue.ts';
import { ask, createStaff, staffClient, type StaffClient } from './testing.ts';

/** Hàng chờ: what people asked that the assistant could not answer well, grouped and filtered. */
let server: TestServer;
let staff: StaffClient;
let csrf: string;
const ids: Record<string, string> = {};

// the corpus now answers "is there a training course in my commune" (faq-hod-lich-tap-huan): these ask who teaches
const GIUN = ['Ở xã Chiềng Mai có ai dạy nuôi giun quế không?', 'Xã Chiềng Mai có mở lớp dạy nuôi giun quế không?', 'o chieng mai co ai day nuoi giun que ko'];
const NAM = 'Trồng nấm trên bã cà phê có cần giấy phép không?';
const XSS = 'Ruồi lính đen <script>alert(1)</script> có xử lý được rác không?';

beforeAll(async () => {
  server = await startTestServer();
  await createStaff(server.assistant.state, 'canbo');
  for (const [i, q] of GIUN.entries()) ids[`giun${i}`] = (await ask(server.url, q, { site: 'cong-tinh' })).messageId;
  ids.nam = (await ask(server.url, NAM, { audience: 'student', site: 'truong-thpt' })).messageId;
  ids.xss = (await ask(server.url, XSS)).messageId;
  // an answered question a citizen found unhelpful
  ids.demLot = (await ask(server.url, 'Đệm lót sinh học là gì?')).messageId;
  await fetch(`${server.url}/api/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messageId: ids.demLot, helpful: false, comment: 'Chưa nói cách làm' }),
  });
  ids.good = (await ask(server.url, 'Làm sao vận hành hầm biogas an toàn?')).messageId;
  await fetch(`${server.url}/api/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messageId: ids.good, helpful: true }),
  });
  staff = staffClient(server.url);
  await staff.login('canbo');
  csrf = await staff.csrf();
});
afterAll(() => server.close());

const queue = async (query = '') => (await (await staff.get(`/admin/api/hang-cho${query}`)).json()).groups as { id: string; text: string; count: number; why: string[]; questionIds: string[] }[];

describe('the queue', () => {
  it('holds declined and 👎 questions, near-duplicates grouped and counted', async () => {
    for (const q of GIUN) expect((await ask(server.url, q)).answered, q).toBe(false);
    const groups = await queue();
    const giun = groups.find((g) => g.questionIds.includes(ids.giun0!))!;
    expect(giun.count).toBe(6);
    expect(giun.why).toContain('declined');
    expect(groups.find((g) => g.questionIds.includes(ids.nam!))!.count).toBe(1);
    const demLot = groups.find((g) => g.questionIds.includes(ids.demLot!))!;
    expect(demLot.why).toContain('unhelpful');
    // different questions are not lumped together
    expect(giun.questionIds).not.toContain(ids.nam);
    // the most-asked group comes first
    expect(groups[0]!.id).toBe(giun.id);
  });

  it('does not group questions that only share common words', async () => {
    const idf = server.assistant.retriever.idf;
    const items = (await queueItems(server.assistant.state)).filter((i) => [ids.nam, ids.xss, ids.giun0].includes(i.id));
    expect(await groupQuestions(server.assistant.state, items, idf)).toHaveLength(3);
  });

  it('finds questions typed with diacritics by a search without them', async () => {
    const found = await queue('?q=chieng%20mai');
    expect(found).toHaveLength(1);
    expect(found[0]!.questionIds).toContain(ids.giun1);
    expect(await queue('?q=' + encodeURIComponent('giấy phép'))).toHaveLength(1);
    expect(await queue('?q=50%25')).toHaveLength(0);
  });

  it('filters by audience, site, reason and period', async () => {
    expect((await queue('?doi-tuong=student')).map((g) => g.questionIds).flat()).toEqual([ids.nam]);
    expect((await queue('?trang=truong-thpt')).map((g) => g.questionIds).flat()).toEqual([ids.nam]);
    expect((await queue('?ly-do=unhelpful')).map((g) => g.questionIds).flat()).toContain(ids.demLot);
    await server.assistant.state.run('UPDATE questions SET created_at = ? WHERE id = ?', [Date.parse('2026-01-15T10:00:00+07:00'), ids.nam!]);
    expect((await queue('?tu=2026-01-01&den=2026-01-31')).map((g) => g.questionIds).flat()).toEqual([ids.nam]);
    expect((await queue('?tu=2026-02-01')).map((g) => g.questionIds).flat()).not.toContain(ids.nam);
  });

  it('marks a group out of scope or spam, with notes, and records who did what when', async () => {
    const before = Date.now();
    const marked = await staff.post('/admin/hang-cho/danh-dau', { _csrf: csrf, ids: ids.xss!, 'trang-thai': 'spam', nhom: ids.xss! });
    expect(marked.status).toBe(303);
    expect((await queue()).some((g) => g.questionIds.includes(ids.xss!))).toBe(false);
    expect((await queue('?trang-thai=spam')).map((g) => g.questionIds).flat()).toEqual([ids.xss]);

    const note = await staff.post(`/admin/hang-cho/${ids.nam}/ghi-chu`, { _csrf: csrf, 'ghi-chu': 'Hỏi Sở Khoa học và Công nghệ <b>trước</b>' });
    expect(note.status).toBe(303);
    const page = await (await staff.get(`/admin/hang-cho/${ids.nam}`)).text();
    expect(page).toContain('Hỏi Sở Khoa học và Công nghệ &lt;b&gt;trước&lt;/b&gt;');

    const log = await server.assistant.state.all<{ action: string; at: number; target: string }>('SELECT * FROM audit_log WHERE username = ? ORDER BY id', ['canbo']);
    expect(log.map((r) => r.action)).toEqual(expect.arrayContaining(['login', 'mark:spam', 'note']));
    const spam = log.find((r) => r.action === 'mark:spam')!;
    expect(spam.target).toBe(ids.xss);
    expect(spam.at).toBeGreaterThanOrEqual(before);
  });

  it('never renders what a citizen typed as HTML', async () => {
    const page = await (await staff.get('/admin/hang-cho?trang-thai=all')).text();
    expect(page).toContain('Ruồi lính đen &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>alert(1)</script>');
    const group = await (await staff.get(`/admin/hang-cho/${ids.xss}`)).text();
    expect(group).not.toContain('<script>alert(1)</script>');
  });

  it('shows the group page with every wording, the answer given and the feedback comment', async () => {
    const page = await (await staff.get(`/admin/hang-cho/${ids.demLot}`)).text();
    expect(page).toContain('Đệm lót sinh học là gì?');
    expect(page).toContain('Chưa nói cách làm');
    expect(page).toContain('Câu trả lời trợ lý đã đưa');
    const giun = await (await staff.get(`/admin/hang-cho/${ids.giun2}`)).text();
    for (const q of GIUN) expect(giun).toContain(q);
  });
});

describe('what makes two questions the same', () => {
  it('leaves out who asked: a name, a self-introduction, a redacted number', () => {
    expect(questionCore('Chị Lan SĐT [số điện thoại đã ẩn] hỏi: hầm biogas có mùi thối là sao?')).toBe('hỏi: hầm biogas có mùi thối là sao?');
    expect(questionCore('Tôi tên Lan, hầm biogas nhà tôi có mùi thối là sao?')).toBe(', hầm biogas nhà tôi có mùi thối là sao?');
    expect(questionCore('Bác Tư ở bản Mòng hỏi cách ủ phân')).toBe('ở bản Mòng hỏi cách ủ phân');
    // "bà con" is people in general, not a name; places stay
    expect(questionCore('Bà con Chiềng Hặc hỏi đệm lót')).toBe('Bà con Chiềng Hặc hỏi đệm lót');
  });

  it('the README states the low-confidence threshold the code uses', () => {
    expect(readFileSync(new URL('./README.md', import.meta.url), 'utf8')).toContain(`now **${LOW_CONFIDENCE}**`);
  });
});
