import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm } from '../../generate/fake-llm.ts';
import { startTestServer, type TestServer } from '../../testing.ts';
import { startStandIn, type StandIn } from '../stand-in.ts';
import { channelEnv, escapeUnicode, postZalo, zaloEvent, zaloTextEvent } from '../testing.ts';

const QUESTION = 'Làm sao vận hành hầm biogas an toàn?';
const BACKOFF = { backoffMs: [10, 20, 40] };

let standIn: StandIn;
let server: TestServer;
let user = 0;
const newUser = () => `84${Date.now()}${++user}`;

async function ask(text: string, userId = newUser(), opts: { escaped?: boolean; msgId?: string } = {}) {
  const event = zaloTextEvent(standIn.zalo.appId, userId, text, opts);
  const res = await postZalo(server.url, standIn.zalo.appId, event.body);
  await server.channels.idle();
  return { res, userId, msgId: event.msgId, sent: standIn.zaloSent.filter((m) => m.userId === userId) };
}

const deliveries = (purpose?: string) =>
  server.assistant.db
    .prepare(`SELECT purpose, status, error_code, parts FROM channel_deliveries ${purpose ? 'WHERE purpose = ?' : ''} ORDER BY id`)
    .all(...(purpose ? [purpose] : [])) as { purpose: string; status: string; error_code: number | null; parts: number }[];

describe('Zalo OA channel', () => {
  beforeAll(async () => {
    standIn = await startStandIn();
    server = await startTestServer(channelEnv(standIn), { channels: { zalo: BACKOFF } });
  });
  afterAll(async () => {
    await server.close();
    await standIn.close();
  });

  it('answers a signed question through the CS message API: plain text, numbered absolute source links, quoting the question', async () => {
    const { res, sent, msgId, userId } = await ask(QUESTION);
    expect(res.status).toBe(200);
    expect(sent).toHaveLength(1);
    const reply = sent[0]!;
    expect(reply.quote).toBe(msgId);
    expect(reply.accessToken).toBe(standIn.zalo.accessToken);
    expect(reply.text).toMatch(/biogas/i);
    expect(reply.text).not.toMatch(/\*\*/);
    expect(reply.text).toMatch(/\nNguồn:\n\[1\] .+: https:\/\/hoidap\.example\.gov\.vn\/nguon\/[^\s]+/);
    // the log knows the channel and a conversation, never the user id
    const row = server.assistant.db.prepare("SELECT conversation_id, text FROM questions WHERE channel = 'zalo' ORDER BY created_at DESC LIMIT 1").get() as {
      conversation_id: string;
      text: string;
    };
    expect(row.text).toBe(QUESTION);
    expect(row.conversation_id).toMatch(/^zalo-[0-9a-f]{32}$/);
    server.assistant.db.pragma('wal_checkpoint(TRUNCATE)');
    const file = readFileSync(join(server.dataDir, 'cnsh.sqlite')).toString('latin1');
    expect(file.includes(userId)).toBe(false);
  });

  it('keeps one conversation per Zalo user: a follow-up is logged in the same conversation', async () => {
    const userId = newUser();
    await ask(QUESTION, userId);
    await ask('Còn đệm lót sinh học thì sao?', userId);
    const rows = server.assistant.db.prepare("SELECT DISTINCT conversation_id FROM questions WHERE channel = 'zalo' AND text LIKE 'Còn đệm lót%'").all();
    const first = server.assistant.db.prepare("SELECT conversation_id FROM questions WHERE text = ? ORDER BY created_at DESC LIMIT 1").get(QUESTION);
    expect(rows).toEqual([first]);
  });

  it('tells citizens on the privacy page what asking through Zalo keeps', async () => {
    const page = await (await fetch(`${server.url}/quyen-rieng-tu`)).text();
    expect(page).toContain('Khi bạn hỏi qua Zalo hoặc Messenger');
    expect(page).toContain('7 ngày');
  });

  it('refuses a wrong, a missing and a re-serialised signature with 401, and does nothing', async () => {
    const before = standIn.zaloSent.length;
    const events = () => (server.assistant.db.prepare('SELECT count(*) AS n FROM channel_events').get() as { n: number }).n;
    const stored = events();
    const { body } = zaloTextEvent(standIn.zalo.appId, newUser(), QUESTION);
    expect((await postZalo(server.url, standIn.zalo.appId, body, `mac=${'0'.repeat(64)}`)).status).toBe(401);
    expect((await postZalo(server.url, standIn.zalo.appId, body, null)).status).toBe(401);
    expect((await postZalo(server.url, standIn.zalo.appId, body, 'sha256=abc')).status).toBe(401);
    // signed over the raw UTF-8 bytes, sent as \u escapes: the same JSON value, other bytes
    const mac = (await import('./index.ts')).zaloMac(standIn.zalo.appId, new TextEncoder().encode(body), String(JSON.parse(body).timestamp), 'khoa-bi-mat-oa-thu');
    expect((await postZalo(server.url, standIn.zalo.appId, escapeUnicode(body), `mac=${mac}`)).status).toBe(401);
    await server.channels.idle();
    expect(standIn.zaloSent.length).toBe(before);
    expect(events()).toBe(stored);
  });

  it('reads Vietnamese written raw and written as \\u escapes alike', async () => {
    for (const escaped of [false, true]) {
      const { res, sent } = await ask('Đệm lót sinh học là gì?', newUser(), { escaped });
      expect(res.status).toBe(200);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.text).toMatch(/đệm lót/i);
    }
    const logged = server.assistant.db.prepare("SELECT count(*) AS n FROM questions WHERE channel = 'zalo' AND text = 'Đệm lót sinh học là gì?'").get() as { n: number };
    expect(logged.n).toBe(2);
  });

  it('answers each msg_id once, however often Zalo delivers it', async () => {
    const userId = newUser();
    const event = zaloTextEvent(standIn.zalo.appId, userId, QUESTION);
    const statuses = await Promise.all([1, 2, 3].map(() => postZalo(server.url, standIn.zalo.appId, event.body).then((r) => r.status)));
    expect(statuses).toEqual([200, 200, 200]);
    await server.channels.idle();
    expect((await postZalo(server.url, standIn.zalo.appId, event.body)).status).toBe(200);
    await server.channels.idle();
    expect(standIn.zaloSent.filter((m) => m.userId === userId)).toHaveLength(1);
  });

  it('welcomes a follower, says it is automatic, and offers the starters', async () => {
    const userId = newUser();
    const body = zaloEvent(standIn.zalo.appId, { event_name: 'follow', oa_id: 'oa-thu', follower: { id: userId }, source: 'oa_profile' });
    expect((await postZalo(server.url, standIn.zalo.appId, body)).status).toBe(200);
    await server.channels.idle();
    const [welcome] = standIn.zaloSent.filter((m) => m.userId === userId);
    expect(welcome?.text).toMatch(/trợ lý tự động/);
    expect(welcome?.text).toContain('Đệm lót sinh học là gì?');
  });

  it('tells a sender of a sticker, an image, a voice message or a location that it reads text only', async () => {
    for (const event_name of ['user_send_sticker', 'user_send_image', 'user_send_audio', 'user_send_location']) {
      const userId = newUser();
      const body = zaloEvent(standIn.zalo.appId, { event_name, sender: { id: userId }, recipient: { id: 'oa-thu' }, message: { msg_id: `m-${event_name}-${userId}`, attachments: [] } });
      expect((await postZalo(server.url, standIn.zalo.appId, body)).status).toBe(200);
      await server.channels.idle();
      const sent = standIn.zaloSent.filter((m) => m.userId === userId);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.text).toMatch(/chỉ đọc được tin nhắn chữ/);
    }
  });

  it('refreshes a token Zalo calls invalid (−216) once, stores the new pair, and sends', async () => {
    standIn.expireAccessToken();
    const refreshes = standIn.refreshes.length;
    const { sent } = await ask(QUESTION);
    expect(sent).toHaveLength(1);
    expect(standIn.refreshes.slice(refreshes)).toEqual([expect.objectContaining({ accepted: true })]);
    const stored = (await server.channels.zalo!.tokens.current())!;
    expect(stored.accessToken).toBe(standIn.zalo.accessToken);
    expect(stored.refreshToken).toBe(standIn.zalo.refreshToken);
    // "90000" seconds: 25 hours
    expect(stored.expiresAt! - Date.now()).toBeGreaterThan(24.9 * 3600_000);
  });

  it('spends the refresh token once when two answers find the token invalid at the same time', async () => {
    standIn.expireAccessToken();
    standIn.refreshDelayMs = 150;
    const refreshes = standIn.refreshes.length;
    try {
      const [a, b] = await Promise.all([ask(QUESTION), ask('Đệm lót sinh học là gì?')]);
      expect(a.sent).toHaveLength(1);
      expect(b.sent).toHaveLength(1);
    } finally {
      standIn.refreshDelayMs = 0;
    }
    expect(standIn.refreshes.slice(refreshes)).toEqual([expect.objectContaining({ accepted: true })]);
  });

  it('sends a reply longer than 2,000 characters as several messages, split between list items, none refused', async () => {
    const userId = newUser();
    const steps = Array.from({ length: 60 }, (_, i) => `• Bước ${i + 1}: trộn phân chuồng với rơm rạ, tưới chế phẩm vi sinh cho đủ ẩm rồi đậy kín.`);
    const reply = `Cách ủ phân hữu cơ:\n${steps.join('\n')}`;
    expect([...reply].length).toBeGreaterThan(4000);
    const d = await server.channels.zalo!.responder.deliver(userId, reply, 'msg-dai', { purpose: 'answer' });
    expect(d.status).toBe('sent');
    const sent = standIn.zaloSent.filter((m) => m.userId === userId);
    expect(sent.length).toBe(d.parts);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    for (const m of sent) expect([...m.text].length).toBeLessThanOrEqual(2000);
    for (const m of sent.slice(1)) expect(m.text).toMatch(/^• Bước \d+:/);
    expect(sent.map((m) => m.text).join('\n')).toBe(reply);
  });

  it('still answers, unquoted, when Zalo will not take the quote', async () => {
    standIn.refuseQuotes = true;
    try {
      const { sent } = await ask(QUESTION);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.quote).toBeNull();
    } finally {
      standIn.refuseQuotes = false;
    }
  });

  it('retries −32 and −100 with a bounded backoff', async () => {
    standIn.failZaloSends(-32, -100);
    const { sent } = await ask(QUESTION);
    expect(sent).toHaveLength(1);
    standIn.failZaloSends(-32, -32, -32, -32, -32);
    const gaveUp = await ask(QUESTION);
    expect(gaveUp.sent).toHaveLength(0);
    expect(deliveries('answer').at(-1)).toMatchObject({ status: 'failed', error_code: -32 });
    standIn.failZaloSends(); // the one left over
    await ask(QUESTION);
  });

  it.each([-230, -234, -213])('records error %i without retrying', async (code) => {
    standIn.failZaloSends(code);
    const { sent } = await ask(QUESTION);
    expect(sent).toHaveLength(0);
    expect(deliveries('answer').at(-1)).toMatchObject({ status: 'failed', error_code: code, parts: 0 });
    // not retried: the next message goes through at once
    const next = await ask(QUESTION);
    expect(next.sent).toHaveLength(1);
  });
});

describe('Zalo OA channel with a slow assistant', () => {
  let fake: FakeLlm;
  let slow: TestServer;
  let own: StandIn;
  beforeAll(async () => {
    fake = await startFakeLlm('hold');
    own = await startStandIn();
    slow = await startTestServer({ ...channelEnv(own), LLM_BASE_URL: fake.baseURL, LLM_MODEL: 'fake-chat' });
  });
  afterAll(async () => {
    fake.release();
    await slow.close();
    await own.close();
    await fake.close();
  });
  afterEach(() => fake.release());

  it('acknowledges at once while the model is still writing, then sends the generated answer', async () => {
    const event = zaloTextEvent(own.zalo.appId, '8490000001', QUESTION);
    const started = Date.now();
    const res = await postZalo(slow.url, own.zalo.appId, event.body);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 300));
    expect(own.zaloSent).toHaveLength(0);
    fake.behave('answer');
    fake.release();
    await slow.channels.idle();
    expect(own.zaloSent).toHaveLength(1);
    const row = slow.assistant.db.prepare("SELECT mode FROM questions WHERE channel = 'zalo'").get() as { mode: string };
    expect(row.mode).toBe('generative');
  });
});

describe('Zalo OA channel across a restart', () => {
  it('answers after a restart what it had acknowledged, and not what it had answered', async () => {
    const own = await startStandIn();
    const dataDir = mkdtempSync(join(tmpdir(), 'cnsh-zalo-'));
    const env = { ...channelEnv(own), DATA_DIR: dataDir };
    let first = await startTestServer(env, { channels: { zalo: BACKOFF } });
    try {
      const answered = zaloTextEvent(own.zalo.appId, '8491000001', QUESTION);
      await postZalo(first.url, own.zalo.appId, answered.body);
      await first.channels.idle();
      expect(own.zaloSent).toHaveLength(1);
      // recorded and acknowledged, then the process stopped before answering
      await first.channels.inbox!.receive({ channel: 'zalo', eventId: 'msg-cho-tra-loi', kind: 'text', userId: '8491000002', text: QUESTION });
      await first.close();
      first = await startTestServer(env, { channels: { zalo: BACKOFF } });
      await first.channels.idle();
      expect(own.zaloSent.map((m) => m.userId)).toEqual(['8491000001', '8491000002']);
      // Zalo delivers the answered one again: nothing more
      expect((await postZalo(first.url, own.zalo.appId, answered.body)).status).toBe(200);
      await first.channels.idle();
      expect(own.zaloSent).toHaveLength(2);
    } finally {
      await first.close();
      await own.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('channels off', () => {
  it('answers 404 on /kenh/zalo and /kenh/messenger when their variables are unset', async () => {
    const off = await startTestServer();
    try {
      expect((await fetch(`${off.url}/kenh/zalo`, { method: 'POST', body: '{}' })).status).toBe(404);
      expect((await fetch(`${off.url}/kenh/messenger?hub.mode=subscribe`)).status).toBe(404);
      expect((await fetch(`${off.url}/kenh/messenger`, { method: 'POST', body: '{}' })).status).toBe(404);
      expect(await (await fetch(`${off.url}/quyen-rieng-tu`)).text()).not.toContain('Khi bạn hỏi qua');
    } finally {
      await off.close();
    }
  });
});
