import { plainText, SOURCES_LABEL } from '../format/index.ts';
import { DAY_MS } from '../log/retention.ts';
import type { Sql } from '../store/index.ts';
import { zaloAskerRows } from './inbox.ts';
import type { Channels } from './index.ts';
import { CHANNEL_TEXT } from './strings.ts';

/**
 * The staff loop on Zalo: a question asked in Zalo that staff later answer (a published curated answer) can
 * be sent to its asker. Zalo lets an OA write to a user for 7 days after the user's last message (−230 after
 * that), and not between 22:00 and 06:00 Vietnam time (−234): such an answer waits for 06:00.
 */

export const STAFF_WINDOW_MS = 7 * DAY_MS;
/** Within this long of the question, a reply is a free "reply" message; later ones count against the OA's quota. */
export const FREE_REPLY_MS = 2 * DAY_MS;
const VN_OFFSET_MS = 7 * 3600_000;

/** 22:00–06:00 in Vietnam (UTC+7, no daylight saving). */
export function inQuietHours(now = Date.now()): boolean {
  const hour = new Date(now + VN_OFFSET_MS).getUTCHours();
  return hour >= 22 || hour < 6;
}

/** The next 06:00 in Vietnam, as ms since epoch. */
export function nextMorning(now = Date.now()): number {
  const vn = new Date(now + VN_OFFSET_MS);
  const six = Date.UTC(vn.getUTCFullYear(), vn.getUTCMonth(), vn.getUTCDate(), 6) - VN_OFFSET_MS;
  return six > now ? six : six + DAY_MS;
}

export interface Asker {
  questionId: string;
  text: string;
  askedAt: number;
  /** within 48 h: a free reply */
  free: boolean;
  delivery: { status: string; at: number; errorCode: number | null } | null;
}

/** The Zalo askers of the questions a curated answer answers, asked within the last 7 days, with what was sent. */
export async function zaloAskers(db: Sql, curatedId: string, now = Date.now()): Promise<Asker[]> {
  return (await zaloAskerRows(db, curatedId, now - STAFF_WINDOW_MS)).map((a) => ({ ...a, free: now - a.askedAt <= FREE_REPLY_MS }));
}

/** The staff answer as a Zalo message: who answers, the question, the answer, its sources. */
export function staffMessage(question: string, answer: { answer: string; sources: { docId: string }[] }, baseUrl: string | null): string {
  const sources = [...new Set(answer.sources.map((s) => s.docId))].map((docId, i) => `[${i + 1}] ${baseUrl ? `${baseUrl}/nguon/${encodeURIComponent(docId)}` : docId}`);
  return [CHANNEL_TEXT.staffIntro, `“${question}”`, plainText(answer.answer, baseUrl), ...(sources.length ? [[SOURCES_LABEL, ...sources].join('\n')] : [])].join('\n\n');
}

export type StaffSend = { questionId: string; outcome: 'sent' | 'queued' | 'failed' | 'skipped'; errorCode?: number | null };

/**
 * Sends a curated answer to each chosen Zalo asker not yet sent it (a queued one counts as sent); at night it
 * is queued for 06:00. Every outcome is a `channel_deliveries` row with the staff member's name.
 */
export async function sendStaffAnswer(
  db: Sql,
  channels: Channels,
  curated: { id: string; answer: string; sources: { docId: string }[] },
  questionIds: string[],
  staff: string,
  baseUrl: string | null,
  now = Date.now(),
): Promise<StaffSend[]> {
  const zalo = channels.zalo;
  const inbox = channels.inbox;
  if (!zalo || !inbox) return questionIds.map((questionId) => ({ questionId, outcome: 'skipped' }));
  const askers = new Map((await zaloAskers(db, curated.id, now)).map((a) => [a.questionId, a]));
  const out: StaffSend[] = [];
  for (const questionId of questionIds) {
    const asker = askers.get(questionId);
    if (!asker || asker.delivery?.status === 'sent' || asker.delivery?.status === 'queued') {
      out.push({ questionId, outcome: 'skipped' });
      continue;
    }
    const event = (await inbox.zaloEventOf(questionId))!;
    const text = staffMessage(asker.text, curated, baseUrl);
    const queue = async () => {
      await inbox.recordDelivery({ channel: 'zalo', eventId: event.eventId, questionId, purpose: 'staff', status: 'queued', parts: 0, staff, dueAt: nextMorning(now), text: inbox.keys.seal(text) }, now);
      out.push({ questionId, outcome: 'queued' });
    };
    if (inQuietHours(now)) {
      await queue();
      continue;
    }
    const d = await zalo.responder.deliver(inbox.keys.open(event.recipient!), text, event.eventId, { eventId: event.eventId, questionId, purpose: 'staff', staff });
    // Zalo's own clock says it is night there: wait for the morning as well
    if (d.status === 'failed' && d.errorCode === -234) {
      await queue();
      continue;
    }
    out.push({ questionId, outcome: d.status === 'sent' ? 'sent' : 'failed', errorCode: d.errorCode ?? null });
  }
  return out;
}

/** Sends the staff answers queued for the morning whose time has come (run every minute, on every replica). */
export async function sendDueStaffAnswers(channels: Channels, now = Date.now()): Promise<number> {
  const { zalo, inbox } = channels;
  if (!zalo || !inbox || inQuietHours(now)) return 0;
  let sent = 0;
  for (const row of await inbox.dueStaff(now)) {
    // taken by one process only
    if (!(await inbox.moveDelivery(row.id, 'queued', 'sending'))) continue;
    const recipient = await inbox.recipientOf('zalo', row.eventId);
    if (!recipient) {
      await inbox.moveDelivery(row.id, null, 'failed', { error: 'expired' });
      continue;
    }
    const d = await zalo.responder.deliver(inbox.keys.open(recipient), inbox.keys.open(row.text), row.eventId, {
      eventId: row.eventId,
      questionId: row.questionId,
      purpose: 'staff',
      staff: row.staff,
    });
    // the queued row becomes history; the new row (from deliver) holds the outcome
    await inbox.moveDelivery(row.id, null, d.status === 'sent' ? 'delivered-later' : 'failed');
    if (d.status === 'sent') sent++;
  }
  return sent;
}
