import { createHmac } from 'node:crypto';
import type { Context } from 'hono';
import type { Assistant } from '../../assistant.ts';
import type { MessengerConfig } from '../../config.ts';
import type { RateLimiter } from '../../http/guard/rate-limit.ts';
import type { EventKind, Inbox } from '../inbox.ts';
import { sameSecret } from '../keys.ts';
import { readRaw } from '../raw-body.ts';
import { createResponder, type Responder } from '../responder.ts';

/**
 * The Facebook Messenger webhook (`GET/POST /kenh/messenger`, shared/CONTRACT.md). Meta signs the raw bytes
 * (`X-Hub-Signature-256: sha256=<HMAC-SHA256(app secret, body)>`), and its payloads write Vietnamese as
 * \u escapes: any re-serialised JSON would sign differently. Replies go to the Send API as RESPONSE
 * messages, which the 24-hour window allows.
 */

export const MESSAGE_MAX_CHARS = 2000;
/** Graph errors worth another try: too many calls (4, 613), a temporary failure (2), and any HTTP 5xx. */
const RETRY_CODES = new Set([2, 4, 613]);

export function hubSignature(appSecret: string, raw: Uint8Array): string {
  return createHmac('sha256', appSecret).update(raw).digest('hex');
}

interface Messaging {
  sender?: { id?: unknown };
  message?: { mid?: unknown; text?: unknown; is_echo?: unknown; attachments?: unknown[]; quick_reply?: { payload?: unknown } };
  postback?: { mid?: unknown; payload?: unknown; title?: unknown };
  timestamp?: unknown;
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : null);

function readMessaging(m: Messaging, hashOf: (userId: string) => string): { eventId: string; kind: EventKind; userId: string; text?: string } | null {
  const userId = str(m.sender?.id);
  if (!userId) return null;
  if (m.message) {
    const mid = str(m.message.mid);
    if (!mid || m.message.is_echo) return null; // our own replies come back as echoes
    if (typeof m.message.text === 'string') return { eventId: mid, kind: 'text', userId, text: m.message.text };
    return { eventId: mid, kind: 'unreadable', userId };
  }
  if (m.postback) {
    // the "Get started" button, the only postback this page defines
    return { eventId: str(m.postback.mid) ?? `postback:${hashOf(userId).slice(0, 32)}:${str(m.timestamp) ?? ''}`, kind: 'follow', userId };
  }
  return null;
}

export interface MessengerChannel {
  verify(c: Context): Response;
  webhook(c: Context): Promise<Response>;
  responder: Responder;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function messengerChannel(
  { assistant, config, inbox, limiter, baseUrl }: { assistant: Assistant; config: MessengerConfig; inbox: Inbox; limiter: RateLimiter; baseUrl: string | null },
  { backoffMs = [500, 2000, 5000], timeoutMs = 10_000 }: { backoffMs?: number[]; timeoutMs?: number } = {},
): MessengerChannel {
  async function send(userId: string, text: string): Promise<{ ok: true } | { ok: false; code: number; message: string }> {
    const url = `${config.apiBaseUrl}/me/messages?access_token=${encodeURIComponent(config.pageAccessToken)}`;
    const body = JSON.stringify({ recipient: { id: userId }, messaging_type: 'RESPONSE', message: { text } });
    for (let retried = 0; ; retried++) {
      let code: number;
      let message: string;
      let retryable: boolean;
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(timeoutMs) });
        if (res.ok) return { ok: true };
        const err = ((await res.json().catch(() => ({}))) as { error?: { code?: number; message?: string } }).error;
        code = err?.code ?? res.status;
        message = err?.message ?? `HTTP ${res.status}`;
        retryable = res.status >= 500 || RETRY_CODES.has(code);
      } catch (e) {
        code = -1;
        message = e instanceof Error ? e.message : String(e);
        retryable = true;
      }
      if (!retryable || retried >= backoffMs.length) return { ok: false, code, message };
      await sleep(backoffMs[retried]!);
    }
  }

  const responder = createResponder({ assistant, inbox, limiter, baseUrl, out: { channel: 'messenger', maxChars: MESSAGE_MAX_CHARS, send } });

  return {
    responder,
    verify(c) {
      const mode = c.req.query('hub.mode');
      const token = c.req.query('hub.verify_token') ?? '';
      const challenge = c.req.query('hub.challenge') ?? '';
      if (mode !== 'subscribe' || !sameSecret(token, config.verifyToken)) return c.text('forbidden', 403);
      return c.text(challenge);
    },
    async webhook(c) {
      const raw = await readRaw(c);
      if (!raw) return c.json({ error: 'body too large' }, 413);
      const signature = /^sha256=([0-9a-f]{64})$/i.exec((c.req.header('x-hub-signature-256') ?? '').trim())?.[1]?.toLowerCase();
      if (!signature || !sameSecret(signature, hubSignature(config.appSecret, raw))) return c.json({ error: 'unauthorized' }, 401);
      let body: { object?: unknown; entry?: { messaging?: Messaging[] }[] };
      try {
        body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw)) as typeof body;
      } catch {
        return c.json({ error: 'bad json' }, 400);
      }
      if (body?.object === 'page' && Array.isArray(body.entry))
        for (const entry of body.entry)
          for (const m of Array.isArray(entry?.messaging) ? entry.messaging : []) {
            const read = readMessaging(m, (id) => inbox.keys.userHash('messenger', id));
            if (read && (await inbox.receive({ channel: 'messenger', ...read }))) responder.schedule(read.eventId);
          }
      return c.text('EVENT_RECEIVED');
    },
  };
}
