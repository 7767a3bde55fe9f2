import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { Assistant } from '../../assistant.ts';
import type { ZaloConfig } from '../../config.ts';
import type { RateLimiter } from '../../http/guard/rate-limit.ts';
import type { EventKind, Inbox } from '../inbox.ts';
import { sameSecret } from '../keys.ts';
import { readRaw } from '../raw-body.ts';
import { createResponder, type Responder } from '../responder.ts';
import { createZaloApi, MESSAGE_MAX_CHARS, refresher, type ZaloApi, type ZaloApiOptions } from './api.ts';
import { createTokenStore, type TokenStore } from './tokens.ts';

/**
 * The Zalo Official Account webhook (`POST /kenh/zalo`, shared/CONTRACT.md). The signature is checked over the
 * raw bytes as they arrived: `mac = SHA-256(app_id + raw body + timestamp + OA secret key)`, plain hex, in
 * `X-ZEvent-Signature: mac=<hex>`. A signed event is recorded, acknowledged at once (Zalo retries a slow
 * webhook, then disables it), and answered afterwards through the customer-service message API.
 */

/** Events that carry something other than text: the asker is told we read text only. */
const UNREADABLE = new Set([
  'user_send_image',
  'user_send_sticker',
  'user_send_audio',
  'user_send_voice',
  'user_send_location',
  'user_send_gif',
  'user_send_video',
  'user_send_file',
  'user_send_business_card',
]);

export function zaloMac(appId: string, raw: Uint8Array, timestamp: string, oaSecretKey: string): string {
  return createHash('sha256').update(appId).update(raw).update(timestamp).update(oaSecretKey).digest('hex');
}

interface ZaloEvent {
  app_id?: unknown;
  event_name?: unknown;
  timestamp?: unknown;
  sender?: { id?: unknown };
  follower?: { id?: unknown };
  message?: { msg_id?: unknown; text?: unknown };
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : null);

/** What to do with an event: record it under this id and answer it, or nothing (events we do not use). */
function readEvent(e: ZaloEvent, hashOf: (userId: string) => string): { eventId: string; kind: EventKind; userId: string; text?: string } | null {
  const name = str(e.event_name);
  if (name === 'user_send_text') {
    const userId = str(e.sender?.id);
    const msgId = str(e.message?.msg_id);
    if (!userId || !msgId) return null;
    return { eventId: msgId, kind: 'text', userId, text: typeof e.message?.text === 'string' ? e.message.text : '' };
  }
  if (name === 'follow') {
    const userId = str(e.follower?.id) ?? str(e.sender?.id);
    if (!userId) return null;
    // a follow has no msg_id: the same follower at the same time is the same event
    return { eventId: `follow:${hashOf(userId).slice(0, 32)}:${str(e.timestamp) ?? ''}`, kind: 'follow', userId };
  }
  if (name && UNREADABLE.has(name)) {
    const userId = str(e.sender?.id);
    const msgId = str(e.message?.msg_id);
    if (!userId || !msgId) return null;
    return { eventId: msgId, kind: 'unreadable', userId };
  }
  return null;
}

export interface ZaloChannel {
  webhook(c: Context): Promise<Response>;
  responder: Responder;
  api: ZaloApi;
  tokens: TokenStore;
}

export async function zaloChannel(
  { assistant, config, inbox, limiter, baseUrl }: { assistant: Assistant; config: ZaloConfig; inbox: Inbox; limiter: RateLimiter; baseUrl: string | null },
  apiOptions: ZaloApiOptions = {},
): Promise<ZaloChannel> {
  const tokens = await createTokenStore(assistant.state, inbox.keys, config, refresher(config));
  const api = createZaloApi(config, tokens, apiOptions);
  const responder = createResponder({
    assistant,
    inbox,
    limiter,
    baseUrl,
    out: {
      channel: 'zalo',
      maxChars: MESSAGE_MAX_CHARS,
      send: async (userId, text, replyTo) => {
        const r = await api.sendText(userId, text, replyTo);
        return r.ok ? { ok: true } : { ok: false, code: r.code, message: r.message };
      },
    },
  });

  return {
    api,
    tokens,
    responder,
    async webhook(c) {
      const raw = await readRaw(c);
      if (!raw) return c.json({ error: 'body too large' }, 413);
      const mac = /^mac=([0-9a-f]{64})$/i.exec((c.req.header('x-zevent-signature') ?? '').trim())?.[1]?.toLowerCase();
      let event: ZaloEvent;
      try {
        event = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw)) as ZaloEvent;
      } catch {
        return c.json({ error: 'unauthorized' }, 401);
      }
      // the timestamp is read from the body, the bytes signed are the body exactly as sent
      const timestamp = str(event?.timestamp);
      if (!mac || !timestamp || !sameSecret(mac, zaloMac(config.appId, raw, timestamp, config.oaSecretKey)))
        return c.json({ error: 'unauthorized' }, 401);
      const read = readEvent(event, (id) => inbox.keys.userHash('zalo', id));
      if (read && (await inbox.receive({ channel: 'zalo', ...read }))) responder.schedule(read.eventId);
      return c.json({ received: true });
    },
  };
}
