import type { Hono } from 'hono';
import { html } from 'hono/html';
import type { Channels } from '../../channels/index.ts';
import { inQuietHours, nextMorning, sendStaffAnswer, zaloAskers, type Asker } from '../../channels/staff-answer.ts';
import { audit } from '../db.ts';
import { curatedById } from '../curated.ts';
import { csrfField, layout, messagePage } from '../pages.ts';
import { formatDateTime } from '../stats.ts';
import { many, type ConsoleDeps, type Env, type Form } from './http.ts';

/**
 * ——— Kênh Zalo (issue 16), kept apart from the other console pages ———
 * After staff publish a curated answer, the questions it answers that were asked in Zalo within 7 days can
 * be sent the answer: `/admin/giai-dap/:id/zalo` lists them with what was sent, and sends (or, 22:00–06:00,
 * queues for 06:00) on request. Every send is a delivery row with the staff member's name, and an audit entry.
 */

const DELIVERY_LABEL: Record<string, string> = {
  sent: 'Đã gửi',
  queued: 'Đang chờ gửi lúc 06:00',
  sending: 'Đang gửi',
  'delivered-later': 'Đã gửi (sau giờ hẹn)',
  failed: 'Gửi không được',
};

/** Zalo error numbers staff may meet, in words. */
const ZALO_ERROR_LABEL: Record<number, string> = {
  [-230]: 'người hỏi không nhắn cho OA trong 7 ngày qua',
  [-234]: 'Zalo không cho gửi từ 22:00 đến 06:00',
  [-213]: 'người hỏi đã bỏ quan tâm hoặc chặn OA',
  [-216]: 'access token Zalo không hợp lệ',
};

/** How many of a curated answer's questions came from Zalo and can still be sent it (for the offer). */
export async function zaloOffer(deps: Pick<ConsoleDeps, 'assistant'>, curatedId: string): Promise<number> {
  return (await zaloAskers(deps.assistant.state, curatedId)).filter((a) => !a.delivery || a.delivery.status === 'failed').length;
}

function askerRow(a: Asker) {
  const d = a.delivery;
  const canSend = !d || d.status === 'failed';
  return html`<li>
    <label>
      <input type="checkbox" name="ids" value="${a.questionId}" ${canSend ? html`checked` : html`disabled`} />
      <span class="q">${a.text}</span>
    </label>
    <div class="meta">
      Hỏi qua Zalo lúc ${formatDateTime(a.askedAt)} · ${a.free ? 'trong 48 giờ: tin phản hồi miễn phí' : 'quá 48 giờ: tính vào hạn mức tin tư vấn của OA'}
      ${d
        ? html` · ${DELIVERY_LABEL[d.status] ?? d.status} (${formatDateTime(d.at)}${d.errorCode !== null ? html`, ${ZALO_ERROR_LABEL[d.errorCode] ?? `lỗi ${d.errorCode}`}` : ''})`
        : html` · chưa gửi`}
    </div>
  </li>`;
}

export function channelRoutes(admin: Hono<Env>, deps: ConsoleDeps, channels: Channels | undefined) {
  const { state } = deps.assistant;

  admin.get('/giai-dap/:id/zalo', async (c) => {
    const session = c.get('session');
    const answer = await curatedById(state, c.req.param('id'));
    if (!answer) return c.html(messagePage('Không tìm thấy', 'Không tìm thấy giải đáp này.', session), 404);
    const askers = await zaloAskers(state, answer.id);
    const night = inQuietHours();
    // counts only in the query string, never text: a link cannot make the console say something else
    const [sentN, queuedN, failedN] = (c.req.query('gui') ?? '').split('-').map((x) => Math.min(999, Math.max(0, Number.parseInt(x, 10) || 0)));
    const sent =
      c.req.query('gui') !== undefined
        ? `Đã gửi ${sentN} tin, xếp hàng gửi lúc 06:00 ${queuedN} tin, ${failedN} tin gửi không được.`
        : c.req.query('moi') !== undefined
        ? 'Đã xuất bản giải đáp. Có câu hỏi từ Zalo gắn với giải đáp này: bạn có thể gửi giải đáp tới người hỏi.'
        : null;
    return c.html(
      layout(
        { title: 'Gửi giải đáp qua Zalo', session, section: 'giai-dap' },
        html`<p class="crumbs"><a href="/admin/giai-dap/${answer.id}">← Giải đáp</a></p>
          <h1>Gửi giải đáp tới người hỏi qua Zalo</h1>
          <p class="lead">${answer.question}</p>
          ${sent ? html`<p class="notice" role="status">${sent}</p>` : ''}
          ${!channels?.zalo
            ? html`<p class="empty">Kênh Zalo chưa được bật trên máy chủ này.</p>`
            : answer.status !== 'published'
            ? html`<p class="empty">Giải đáp chưa xuất bản: hãy xuất bản trước khi gửi.</p>`
            : askers.length
            ? html`<p>
                  Zalo chỉ cho Official Account nhắn người đã nhắn cho OA trong 7 ngày qua. Trong 48 giờ sau câu hỏi, tin trả lời là tin phản hồi
                  miễn phí; sau đó tin được tính vào hạn mức tin tư vấn của OA.
                  ${night ? html`<strong>Bây giờ là giờ nghỉ (22:00–06:00): tin sẽ được xếp hàng và gửi lúc ${formatDateTime(nextMorning())}.</strong>` : ''}
                </p>
                <form method="post" action="/admin/giai-dap/${answer.id}/zalo">
                  ${csrfField(session)}
                  <fieldset>
                    <legend>Câu hỏi từ Zalo trong 7 ngày qua</legend>
                    <ul class="items">
                      ${askers.map(askerRow)}
                    </ul>
                  </fieldset>
                  <div class="actions"><button type="submit" class="primary">${night ? 'Xếp hàng gửi lúc 06:00' : 'Gửi qua Zalo'}</button></div>
                </form>`
            : html`<p class="empty">Không có câu hỏi nào từ Zalo trong 7 ngày qua gắn với giải đáp này.</p>`}`,
      ),
    );
  });

  admin.post('/giai-dap/:id/zalo', async (c) => {
    const session = c.get('session');
    const answer = await curatedById(state, c.req.param('id'));
    if (!answer || answer.status !== 'published' || !channels?.zalo)
      return c.html(messagePage('Không gửi được', 'Giải đáp này không tồn tại, chưa xuất bản, hoặc kênh Zalo chưa bật.', session), 404);
    const ids = many((await c.req.parseBody({ all: true })) as Form, 'ids').slice(0, 200);
    const results = await sendStaffAnswer(state, channels, answer, ids, session.staff.username, channels.baseUrl);
    const count = (o: string) => results.filter((r) => r.outcome === o).length;
    await audit(state, {
      username: session.staff.username,
      action: 'zalo:staff-answer',
      target: answer.id,
      detail: `gửi ${count('sent')}, hẹn 06:00 ${count('queued')}, lỗi ${count('failed')}`,
    });
    return c.redirect(`/admin/giai-dap/${encodeURIComponent(answer.id)}/zalo?gui=${count('sent')}-${count('queued')}-${count('failed')}`, 303);
  });
}
