import { cleanRequest, RefusedMessage, type Assistant } from '../assistant.ts';
import { formatPlain, splitMessage } from '../format/index.ts';
import type { RateLimiter } from '../http/guard/rate-limit.ts';
import type { Delivery, Inbox, InboxEvent } from './inbox.ts';
import { CHANNEL_TEXT } from './strings.ts';

/** One messenger's way of sending a text to a user (Zalo's CS API, Messenger's Send API). */
export interface Outbound {
  channel: 'zalo' | 'messenger';
  send(userId: string, text: string, replyTo: string | null): Promise<{ ok: true } | { ok: false; code: number; message: string }>;
  /** characters per message (both take 2,000) */
  maxChars: number;
}

export interface Responder {
  /** answers a recorded event after the webhook was acknowledged; one user's events in order */
  schedule(eventId: string): void;
  /** answers what a stopped process left unanswered (a claim decides who answers, so running it often is safe) */
  resume(): void;
  /** resolves once every scheduled event is answered (tests, shutdown) */
  idle(): Promise<void>;
  /** sends `parts` one by one, stopping at the first failure; the outcome is recorded as a delivery */
  deliver(userId: string, text: string, replyTo: string | null, record: Omit<Delivery, 'channel' | 'status' | 'parts'>): Promise<Delivery>;
}

export interface ResponderOptions {
  assistant: Assistant;
  inbox: Inbox;
  out: Outbound;
  limiter: RateLimiter;
  /** PUBLIC_BASE_URL, for the absolute source links */
  baseUrl: string | null;
}

/** A conversation per messenger user, named by the keyed hash (never by the user id). */
export const conversationOf = (channel: string, userHash: string) => `${channel}-${userHash.slice(0, 32)}`;

export function createResponder({ assistant, inbox, out, limiter, baseUrl }: ResponderOptions): Responder {
  const { channel } = out;
  // one chain per user: a second question waits for the first answer, so answers arrive in order
  const chains = new Map<string, Promise<void>>();
  const running = new Set<Promise<void>>();

  async function deliver(userId: string, text: string, replyTo: string | null, record: Omit<Delivery, 'channel' | 'status' | 'parts'>): Promise<Delivery> {
    const parts = splitMessage(text, out.maxChars);
    let sent = 0;
    for (const part of parts) {
      const r = await out.send(userId, part, replyTo);
      if (!r.ok) {
        const failed: Delivery = { ...record, channel, status: 'failed', parts: sent, errorCode: r.code, error: r.message.slice(0, 300) };
        await inbox.recordDelivery(failed);
        console.warn(`Kênh ${channel}: không gửi được tin (${r.code} ${r.message}).`);
        return failed;
      }
      sent++;
    }
    const done: Delivery = { ...record, channel, status: 'sent', parts: sent };
    await inbox.recordDelivery(done);
    return done;
  }

  async function answer(e: InboxEvent): Promise<void> {
    const userId = inbox.keys.open(e.recipient!);
    const base = { eventId: e.eventId };
    if (e.kind === 'follow') {
      await deliver(userId, CHANNEL_TEXT.welcome, null, { ...base, purpose: 'welcome' });
      return inbox.finish(channel, e.eventId, { status: 'answered' });
    }
    if (e.kind === 'unreadable') {
      await deliver(userId, CHANNEL_TEXT.unreadable, e.eventId, { ...base, purpose: 'unreadable' });
      return inbox.finish(channel, e.eventId, { status: 'answered' });
    }
    const wait = limiter.take(`${channel}:${e.userHash}`);
    if (wait) {
      await deliver(userId, CHANNEL_TEXT.rateLimited(wait), e.eventId, { ...base, purpose: 'refusal' });
      return inbox.finish(channel, e.eventId, { status: 'answered', error: 'rate_limited' });
    }
    const cleaned = cleanRequest({
      message: e.text ? inbox.keys.open(e.text) : '',
      conversationId: conversationOf(channel, e.userHash),
      channel,
    });
    if (!cleaned.ok) {
      await deliver(userId, CHANNEL_TEXT[cleaned.refusal], e.eventId, { ...base, purpose: 'refusal' });
      return inbox.finish(channel, e.eventId, { status: 'answered', error: cleaned.refusal });
    }
    const response = await assistant.ask(cleaned.request);
    const text = formatPlain(response, { baseUrl });
    const delivery = await deliver(userId, text, e.eventId, { ...base, questionId: response.messageId, purpose: 'answer' });
    await inbox.finish(channel, e.eventId, {
      status: delivery.status === 'sent' ? 'answered' : 'failed',
      questionId: response.messageId,
      error: delivery.status === 'sent' ? null : `${delivery.errorCode}`,
    });
  }

  async function handle(eventId: string): Promise<void> {
    const e = await inbox.claim(channel, eventId);
    if (!e || !e.recipient) return;
    try {
      await answer(e);
    } catch (err) {
      console.error(`Kênh ${channel}: lỗi khi trả lời tin ${eventId}:`, err);
      await inbox.finish(channel, eventId, { status: 'failed', error: err instanceof RefusedMessage ? err.refusal : 'internal' }).catch(() => {});
      // the asker is told, rather than left waiting
      await deliver(inbox.keys.open(e.recipient), CHANNEL_TEXT.failed, eventId, { eventId, purpose: 'refusal' }).catch(() => {});
    }
  }

  const enqueue = (eventId: string, userHash: string) => {
    const previous = chains.get(userHash) ?? Promise.resolve();
    // a failure of the store (PostgreSQL away) is logged and does not stop this user's later events
    const next = previous.then(() => handle(eventId)).catch((e) => console.error(`Kênh ${channel}: lỗi khi xử lý tin ${eventId}:`, e));
    chains.set(userHash, next);
    track(next);
    void next.finally(() => {
      if (chains.get(userHash) === next) chains.delete(userHash);
    });
  };
  /** counted as running until its events are enqueued, so `idle` never sees a gap between the two */
  const track = (p: Promise<void>) => {
    running.add(p);
    void p.finally(() => running.delete(p));
  };

  const userOf = async (eventId: string) => (await inbox.userHashOf(channel, eventId)) ?? eventId;

  return {
    // after the webhook's response is on its way
    schedule: (eventId) =>
      track(
        new Promise<void>((r) => setImmediate(r))
          .then(async () => enqueue(eventId, await userOf(eventId)))
          .catch((e) => console.error(`Kênh ${channel}: không xếp được tin ${eventId}:`, e)),
      ),
    resume: () =>
      track(
        (async () => {
          for (const { eventId } of await inbox.unfinished(channel)) enqueue(eventId, await userOf(eventId));
        })().catch((e) => console.error(`Kênh ${channel}: không đọc được tin còn dở:`, e)),
      ),
    async idle() {
      while (running.size) await Promise.allSettled([...running]);
    },
    deliver,
  };
}
