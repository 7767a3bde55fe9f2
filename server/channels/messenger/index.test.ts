import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../testing.ts';
import { startStandIn, type StandIn } from '../stand-in.ts';
import { channelEnv, MESSENGER_PAGE_TOKEN, MESSENGER_VERIFY_TOKEN, messengerBody, postMessenger } from '../testing.ts';

const QUESTION = 'Làm sao vận hành hầm biogas an toàn?';

describe('Messenger channel', () => {
  let standIn: StandIn;
  let server: TestServer;
  let n = 0;
  const newUser = () => `psid-${Date.now()}-${++n}`;
  const sentTo = (id: string) => standIn.graphSent.filter((m) => m.recipientId === id);

  beforeAll(async () => {
    standIn = await startStandIn();
    server = await startTestServer(channelEnv(standIn), { channels: { messenger: { backoffMs: [10, 20] } } });
  });
  afterAll(async () => {
    await server.close();
    await standIn.close();
  });

  it('completes the verify handshake only with the right token', async () => {
    const url = (token: string) => `${server.url}/kenh/messenger?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`;
    const ok = await fetch(url(MESSENGER_VERIFY_TOKEN));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    expect((await fetch(url('sai-ma'))).status).toBe(403);
  });

  it('answers a signed message with a RESPONSE of plain text and absolute source links, Vietnamese escaped or raw', async () => {
    for (const escaped of [true, false]) {
      const userId = newUser();
      const res = await postMessenger(server.url, messengerBody(userId, { message: { mid: `mid.${userId}`, text: QUESTION } }, { escaped }));
      expect(res.status).toBe(200);
      await server.channels.idle();
      const [reply] = sentTo(userId);
      expect(reply).toMatchObject({ messagingType: 'RESPONSE', accessToken: MESSENGER_PAGE_TOKEN });
      expect(reply!.text).toMatch(/biogas/i);
      expect(reply!.text).toMatch(/https:\/\/hoidap\.example\.gov\.vn\/nguon\//);
    }
    const logged = server.assistant.db.prepare("SELECT count(*) AS n FROM questions WHERE channel = 'messenger' AND text = ?").get(QUESTION) as { n: number };
    expect(logged.n).toBe(2);
  });

  it('refuses a wrong, a missing and a re-serialised signature with 401, and does nothing', async () => {
    const userId = newUser();
    const escaped = messengerBody(userId, { message: { mid: `mid.${userId}`, text: QUESTION } });
    expect((await postMessenger(server.url, escaped, `sha256=${'0'.repeat(64)}`)).status).toBe(401);
    expect((await postMessenger(server.url, escaped, null)).status).toBe(401);
    // signed as Meta signs (the escaped bytes), delivered re-serialised with raw UTF-8
    const { createHmac } = await import('node:crypto');
    const signature = `sha256=${createHmac('sha256', 'bi-mat-ung-dung-messenger-thu').update(escaped).digest('hex')}`;
    expect((await postMessenger(server.url, JSON.stringify(JSON.parse(escaped)), signature)).status).toBe(401);
    await server.channels.idle();
    expect(sentTo(userId)).toHaveLength(0);
  });

  it('answers a message once when Meta delivers it twice, and ignores its own echoes', async () => {
    const userId = newUser();
    const body = messengerBody(userId, { message: { mid: `mid.${userId}`, text: QUESTION } });
    await postMessenger(server.url, body);
    await postMessenger(server.url, body);
    await postMessenger(server.url, messengerBody(userId, { message: { mid: `mid.echo.${userId}`, text: 'trả lời cũ', is_echo: true } }));
    await server.channels.idle();
    expect(sentTo(userId)).toHaveLength(1);
  });

  it('welcomes on Get started, saying it is automatic; a photo gets the text-only reply', async () => {
    const userId = newUser();
    await postMessenger(server.url, messengerBody(userId, { postback: { mid: `pb.${userId}`, title: 'Bắt đầu', payload: 'GET_STARTED' } }));
    await postMessenger(server.url, messengerBody(userId, { message: { mid: `img.${userId}`, attachments: [{ type: 'image', payload: { url: 'https://x/y.jpg' } }] } }));
    await server.channels.idle();
    const [welcome, photo] = sentTo(userId);
    expect(welcome!.text).toMatch(/trợ lý tự động/);
    expect(photo!.text).toMatch(/chỉ đọc được tin nhắn chữ/);
  });

  it('retries a rate-limited send, and records a refused one without retrying', async () => {
    standIn.failGraphSends({ code: 613, status: 400 });
    const a = newUser();
    await postMessenger(server.url, messengerBody(a, { message: { mid: `mid.${a}`, text: QUESTION } }));
    await server.channels.idle();
    expect(sentTo(a)).toHaveLength(1);
    standIn.failGraphSends({ code: 10, status: 400 });
    const b = newUser();
    await postMessenger(server.url, messengerBody(b, { message: { mid: `mid.${b}`, text: QUESTION } }));
    await server.channels.idle();
    expect(sentTo(b)).toHaveLength(0);
    const last = server.assistant.db.prepare("SELECT status, error_code FROM channel_deliveries WHERE channel = 'messenger' ORDER BY id DESC LIMIT 1").get();
    expect(last).toEqual({ status: 'failed', error_code: 10 });
  });
});
