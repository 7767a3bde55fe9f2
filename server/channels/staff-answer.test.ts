import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, staffClient } from '../review/testing.ts';
import { startTestServer, type TestServer } from '../testing.ts';
import { startStandIn, type StandIn } from './stand-in.ts';
import { inQuietHours, nextMorning, sendDueStaffAnswers, sendStaffAnswer, zaloAskers } from './staff-answer.ts';
import { channelEnv, postZalo, zaloTextEvent } from './testing.ts';

/** A question the corpus cannot answer, asked in Zalo, answered later by staff and sent back to the asker. */
const QUESTION = 'Nuôi ruồi lính đen xử lý rác hữu cơ có được tỉnh hỗ trợ không?';
const ANSWER =
  'Kế hoạch của tỉnh không nêu riêng mô hình nuôi ruồi lính đen và không ghi mức hỗ trợ cụ thể cho từng hộ. Muốn biết địa phương có chương trình hỗ trợ hay không, bà con hỏi UBND xã, phường hoặc Sở Nông nghiệp và Môi trường.';
const SOURCES = ['ke-hoach-cnsh-bvmt-2030|ii-1-a', 'hoi-o-dau|ubnd-xa-phuong'];
/** 23:30 and 06:05 in Vietnam (UTC+7) */
const NIGHT = Date.parse('2026-12-02T16:30:00Z');
const MORNING = Date.parse('2026-12-02T23:05:00Z');

describe('staff answers sent back to Zalo askers', () => {
  let standIn: StandIn;
  let server: TestServer;

  beforeAll(async () => {
    standIn = await startStandIn();
    server = await startTestServer(channelEnv(standIn), { channels: { zalo: { backoffMs: [5] } } });
    await createStaff(server.assistant.state, 'canbo.zalo');
  });
  afterAll(async () => {
    await server.close();
    await standIn.close();
  });

  async function askInZalo(userId: string) {
    const event = zaloTextEvent(standIn.zalo.appId, userId, QUESTION);
    await postZalo(server.url, standIn.zalo.appId, event.body);
    await server.channels.idle();
    const { id } = server.assistant.db.prepare('SELECT question_id AS id FROM channel_events WHERE event_id = ?').get(event.msgId) as { id: string };
    return { questionId: id, msgId: event.msgId };
  }

  it('shows the channel in the queue, offers the answer on publishing, sends it quoting the question, and records who sent it', async () => {
    const { questionId, msgId } = await askInZalo('8492000001');
    // the console is reached through the public origin the channels link to (PUBLIC_BASE_URL decides same-origin)
    const staff = staffClient(server.url, 'https://hoidap.example.gov.vn');
    await staff.login('canbo.zalo');
    const queue = await (await staff.get(`/admin/hang-cho/${questionId}`)).text();
    expect(queue).toContain('qua Zalo');

    const csrf = await staff.csrf();
    const published = await staff.post('/admin/giai-dap', { _csrf: csrf, 'cau-hoi': QUESTION, 'tra-loi': ANSWER, 'doi-tuong': 'citizen', nguon: SOURCES, ids: [questionId] });
    expect(published.status).toBe(303);
    const offer = published.headers.get('location')!;
    expect(offer).toMatch(/^\/admin\/giai-dap\/gd-[\w-]+\/zalo\?moi=1$/);
    const page = await (await staff.get(offer)).text();
    expect(page).toContain(QUESTION);
    expect(page).toContain('trong 48 giờ');

    const before = standIn.zaloSent.length;
    const sent = await staff.post(offer.replace(/\?.*$/, ''), { _csrf: csrf, ids: [questionId] });
    expect(sent.status).toBe(303);
    const delivery = server.assistant.db.prepare("SELECT status, staff FROM channel_deliveries WHERE purpose = 'staff' AND question_id = ?").get(questionId);
    if (inQuietHours()) {
      expect(delivery).toEqual({ status: 'queued', staff: 'canbo.zalo' });
      expect(standIn.zaloSent.length).toBe(before);
    } else {
      expect(delivery).toEqual({ status: 'sent', staff: 'canbo.zalo' });
      const [message] = standIn.zaloSent.slice(before);
      expect(message).toMatchObject({ userId: '8492000001', quote: msgId });
      expect(message!.text).toContain('Cán bộ Sở Nông nghiệp và Môi trường trả lời');
      expect(message!.text).toContain('ruồi lính đen');
      expect(message!.text).toMatch(/https:\/\/hoidap\.example\.gov\.vn\/nguon\/ke-hoach-cnsh-bvmt-2030/);
    }
    // sent once: asking again sends nothing more
    await staff.post(offer.replace(/\?.*$/, ''), { _csrf: csrf, ids: [questionId] });
    expect(server.assistant.db.prepare("SELECT count(*) AS n FROM channel_deliveries WHERE purpose = 'staff' AND question_id = ?").get(questionId)).toEqual({ n: 1 });
    expect(server.assistant.db.prepare("SELECT username FROM audit_log WHERE action = 'zalo:staff-answer'").get()).toEqual({ username: 'canbo.zalo' });
  });

  it('at night queues the answer for 06:00 and sends it then', async () => {
    const { questionId } = await askInZalo('8492000002');
    // the console is reached through the public origin the channels link to (PUBLIC_BASE_URL decides same-origin)
    const staff = staffClient(server.url, 'https://hoidap.example.gov.vn');
    await staff.login('canbo.zalo');
    const published = await staff.post('/admin/giai-dap', { _csrf: await staff.csrf(), 'cau-hoi': `${QUESTION} (2)`, 'tra-loi': ANSWER, 'doi-tuong': 'citizen', nguon: SOURCES, ids: [questionId] });
    const curatedId = /giai-dap\/([^/]+)\/zalo/.exec(published.headers.get('location')!)![1]!;
    const answer = { id: curatedId, answer: ANSWER, sources: [{ docId: 'ke-hoach-cnsh-bvmt-2030' }] };
    // the question was asked "now"; the night is the coming one, still inside the 7 days
    const night = nextMorning() - 6.5 * 3600_000;
    const before = standIn.zaloSent.length;
    expect(await sendStaffAnswer(server.assistant.state, server.channels, answer, [questionId], 'canbo.zalo', server.channels.baseUrl, night)).toEqual([
      { questionId, outcome: 'queued' },
    ]);
    expect(standIn.zaloSent.length).toBe(before);
    expect((await zaloAskers(server.assistant.state, curatedId, night))[0]!.delivery!.status).toBe('queued');
    expect(await sendDueStaffAnswers(server.channels, night + 3600_000)).toBe(0);
    expect(await sendDueStaffAnswers(server.channels, nextMorning(night) + 60_000)).toBe(1);
    expect(standIn.zaloSent.slice(before).map((m) => m.userId)).toEqual(['8492000002']);
    expect((await zaloAskers(server.assistant.state, curatedId, nextMorning(night) + 60_000))[0]!.delivery!.status).toBe('sent');
  });

  it('knows Vietnam’s quiet hours', () => {
    expect(inQuietHours(NIGHT)).toBe(true);
    expect(inQuietHours(MORNING)).toBe(false);
    expect(new Date(nextMorning(NIGHT)).toISOString()).toBe('2026-12-02T23:00:00.000Z');
  });
});
