import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, testDatabase } from '../store/testing.ts';
import { startTestServer, type TestServer } from '../testing.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const chat = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('POST /api/chat (JSON)', () => {
  it('answers with the contract shape', async () => {
    const res = await chat({ message: 'dem lot sinh hoc la gi', audience: 'citizen', site: 'cong-thong-tin' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ answered: true, mode: 'extractive' });
    expect(body.conversationId).toBeTruthy();
    expect(body.messageId).toBeTruthy();
    expect(body.citations[0]).toMatchObject({ id: expect.any(String), docId: expect.any(String), kind: expect.stringMatching(/plan|guide|catalog|faq/), title: expect.any(String), section: expect.any(String), snippet: expect.any(String) });
    expect(Array.isArray(body.suggestions)).toBe(true);
  });

  it('keeps the conversation id it is given', async () => {
    const res = await chat({ message: 'Hầm biogas là gì?', conversationId: '0190a3f2-1c2d-7e4f-8a9b-0c1d2e3f4a5b' });
    expect((await res.json()).conversationId).toBe('0190a3f2-1c2d-7e4f-8a9b-0c1d2e3f4a5b');
  });

  it('declines out-of-scope questions and queues them for staff', async () => {
    const res = await chat({ message: 'Lịch thi THPT quốc gia năm nay là ngày nào?' });
    const body = await res.json();
    expect(body.answered).toBe(false);
    expect(body.answer).toMatch(/Xin lỗi/);
    const row = server.assistant.db.prepare('SELECT answered, status FROM questions WHERE id = ?').get(body.messageId) as { answered: number; status: string };
    expect(row).toEqual({ answered: 0, status: 'open' });
  });

  it.each([
    ['malformed JSON', '{"message": "đệm lót', 400, 'bad_json'],
    ['wrong type', { message: 42 }, 400, 'invalid'],
    ['empty message', { message: '   ' }, 400, 'empty_message'],
    ['too long', { message: 'đệm lót '.repeat(400) }, 413, 'too_long'],
  ])('refuses %s with a Vietnamese JSON error', async (_name, body, status, code) => {
    const res = await chat(body);
    expect(res.status).toBe(status);
    const err = await res.json();
    expect(err.error.code).toBe(code);
    expect(err.error.message).toMatch(/[àáảãạăâđêôơư]/);
  });

  it('reads a body that starts with a byte-order mark, as Windows tools send it', async () => {
    const res = await chat(`\uFEFF${JSON.stringify({ message: 'Hầm biogas là gì?' })}`);
    expect(res.status).toBe(200);
    expect((await res.json()).answered).toBe(true);
  });

  it('refuses a body that is not JSON with 415', async () => {
    const res = await fetch(`${server.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'đệm lót' });
    expect(res.status).toBe(415);
  });

  it('refuses a body over 16 KB with 413', async () => {
    const res = await chat({ message: 'a', padding: 'x'.repeat(20_000) });
    expect(res.status).toBe(413);
  });
});

describe('POST /api/chat (Server-Sent Events)', () => {
  it('streams deltas, then a done event with the full answer', async () => {
    const res = await chat({ message: 'Làm sao vận hành hầm biogas an toàn?' }, { accept: 'text/event-stream' });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await res.text();
    const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n/g)].map((m) => ({ event: m[1]!, data: JSON.parse(m[2]!) }));
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    const deltas = events.filter((e) => e.event === 'delta').map((e) => e.data.text).join('');
    expect(deltas).toBe(done.data.answer);
    expect(done.data.citations.length).toBeGreaterThan(0);
  });
});

describe('POST /api/feedback', () => {
  it('links feedback to the logged question', async () => {
    const { messageId } = await (await chat({ message: 'Ủ phân compost với Trichoderma thế nào?' })).json();
    const res = await fetch(`${server.url}/api/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messageId, helpful: false, comment: 'Gọi tôi 0912 345 678' }),
    });
    expect(res.status).toBe(204);
    const row = server.assistant.db.prepare('SELECT helpful, comment FROM feedback WHERE message_id = ?').get(messageId);
    expect(row).toEqual({ helpful: 0, comment: 'Gọi tôi [số điện thoại đã ẩn]' });
  });

  it('says so when the answer is unknown', async () => {
    const res = await fetch(`${server.url}/api/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messageId: 'khong-co', helpful: true }),
    });
    expect(res.status).toBe(404);
  });
});

describe('question log', () => {
  it('stores the question redacted, with no IP or user agent', async () => {
    const { messageId } = await (await chat({ message: 'Tôi ở xã Chiềng Mai, số 0987654321, email a.b@gmail.com, CCCD 079203012345: hầm biogas có mùi?' }, { 'user-agent': 'ThuNghiem/1.0' })).json();
    const row = server.assistant.db.prepare('SELECT * FROM questions WHERE id = ?').get(messageId) as Record<string, unknown>;
    expect(row.text).not.toMatch(/0987654321|a\.b@gmail\.com|079203012345/);
    expect(row.text).toContain('[số điện thoại đã ẩn]');
    expect(JSON.stringify(row)).not.toMatch(/127\.0\.0\.1|ThuNghiem/);
    expect(Object.keys(row)).not.toContain('ip');
  });
});

describe('GET /healthz', () => {
  it('is ok once the index is ready', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect((await res.json()).status).toBe('ok');
  });
});

describe.runIf(testBackends().includes('postgres'))('the web channel with DATABASE_URL', () => {
  it('logs questions, their conversation and feedback in PostgreSQL, redacted; refuses feedback on an unknown message', async () => {
    const t = await testDatabase('postgres');
    const pg = await startTestServer({ DATABASE_URL: t.url! });
    try {
      const post = (path: string, body: unknown) =>
        fetch(`${pg.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const first = (await (await post('/api/chat', { message: 'Hầm biogas là gì?' })).json()) as { conversationId: string };
      const next = (await (await post('/api/chat', { message: 'Nạp phân thế nào?', conversationId: first.conversationId })).json()) as { messageId: string };
      expect((await post('/api/feedback', { messageId: next.messageId, helpful: false, comment: 'gọi tôi 0912 345 678' })).status).toBe(204);
      expect((await post('/api/feedback', { messageId: 'khong-co-tin-nay', helpful: true })).status).toBe(404);

      expect(await t.db.all('SELECT conversation_id, text FROM questions ORDER BY created_at')).toEqual([
        { conversation_id: first.conversationId, text: 'Hầm biogas là gì?' },
        { conversation_id: first.conversationId, text: 'Nạp phân thế nào?' },
      ]);
      const [feedback] = await t.db.all<{ message_id: string; comment: string }>('SELECT message_id, comment FROM feedback');
      expect(feedback?.message_id).toBe(next.messageId);
      expect(feedback?.comment).not.toMatch(/0912/);
      // nothing of it in the local SQLite file, which holds only the search index then
      expect(pg.assistant.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('questions', 'feedback')").get()).toEqual({ n: 0 });
    } finally {
      await pg.close();
      await t.drop();
    }
  });
});
