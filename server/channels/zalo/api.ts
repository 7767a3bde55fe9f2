import type { ZaloConfig } from '../../config.ts';
import type { RefreshedPair, TokenStore } from './tokens.ts';
import { REFRESH_BEFORE_MS, TokenError } from './tokens.ts';


/**
 * The two Zalo endpoints we call: the customer-service message API (openapi.zalo.me/v3.0/oa/message/cs) and
 * the OA token refresh (oauth.zaloapp.com/v4/oa/access_token). Both answer HTTP 200 with an `error` number.
 */

/** Worth another try after a pause: −32 (too many requests) and −100 (Zalo's own failure). */
export const RETRY_CODES = new Set([-32, -100]);
/** The access token is invalid or expired: refresh once, then try again. */
export const TOKEN_INVALID = -216;
/**
 * The user cannot be written to now, and trying again will not help: −230 (no interaction in 7 days),
 * −234 (22:00–06:00 Vietnam time), −213 (the user has not followed or has blocked the OA, or the 48-hour
 * window has closed). Recorded; never retried.
 */
export const WINDOW_CODES = new Set([-213, -230, -234, -201]);

export const MESSAGE_MAX_CHARS = 2000;
/** Zalo refuses a parameter of the request. */
export const INVALID_PARAMETERS = -201;

export type SendOutcome = { ok: true; messageId: string | null } | { ok: false; code: number; message: string; retried: number };

export interface ZaloApi {
  /** sends one text message (≤ 2,000 characters); `quote` is the user's msg_id it answers, so it counts as a reply */
  sendText(userId: string, text: string, quote?: string | null): Promise<SendOutcome>;
}

export interface ZaloApiOptions {
  /** pauses before retries of −32 / −100 / network failures (bounded: this many retries at most) */
  backoffMs?: number[];
  now?: () => number;
  timeoutMs?: number;
}

/** `expires_in` comes as the string "90000" (25 hours); read it as a number either way. */
export function expiresInSeconds(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : 90_000;
}

/** The refresh call: a form post with the app secret in the `secret_key` header. */
export function refresher(config: Pick<ZaloConfig, 'appId' | 'appSecret' | 'oauthBaseUrl'>, timeoutMs = 10_000) {
  return async (refreshToken: string): Promise<RefreshedPair> => {
    const res = await fetch(`${config.oauthBaseUrl}/v4/oa/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', secret_key: config.appSecret },
      body: new URLSearchParams({ app_id: config.appId, grant_type: 'refresh_token', refresh_token: refreshToken }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string')
      throw new TokenError(`Zalo từ chối làm mới token (HTTP ${res.status}, lỗi ${String(body.error ?? '—')}: ${String(body.error_description ?? body.message ?? '')})`);
    return { accessToken: body.access_token, refreshToken: body.refresh_token, expiresInSeconds: expiresInSeconds(body.expires_in) };
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createZaloApi(config: Pick<ZaloConfig, 'apiBaseUrl'>, tokens: TokenStore, options: ZaloApiOptions = {}): ZaloApi {
  const { backoffMs = [500, 2000, 5000], now = Date.now, timeoutMs = 10_000 } = options;

  async function post(accessToken: string, body: unknown): Promise<{ error: number; message: string; data?: { message_id?: string } }> {
    try {
      const res = await fetch(`${config.apiBaseUrl}/v3.0/oa/message/cs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', access_token: accessToken },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const parsed = (await res.json().catch(() => null)) as { error?: unknown; message?: unknown; data?: { message_id?: string } } | null;
      if (!parsed || typeof parsed.error !== 'number') return { error: -100, message: `HTTP ${res.status}` };
      return { error: parsed.error, message: String(parsed.message ?? ''), data: parsed.data };
    } catch (e) {
      // the network or Zalo is down: as retryable as Zalo's own −100
      return { error: -100, message: e instanceof Error ? e.message : String(e) };
    }
  }

  return {
    async sendText(userId, text, quote) {
      let body = { recipient: { user_id: userId }, message: { text, ...(quote ? { quote_message_id: quote } : {}) } };
      let pair = await tokens.current();
      if (!pair) return { ok: false, code: TOKEN_INVALID, message: 'Chưa có access token Zalo.', retried: 0 };
      let refreshed = false;
      let retried = 0;
      const refresh = async () => {
        refreshed = true;
        pair = await tokens.refresh(pair!.version);
      };
      try {
        if (pair.expiresAt !== null && pair.expiresAt - now() < REFRESH_BEFORE_MS && pair.refreshToken) await refresh();
        for (;;) {
          const r = await post(pair.accessToken, body);
          if (r.error === 0) return { ok: true, messageId: r.data?.message_id ?? null };
          if (r.error === TOKEN_INVALID && !refreshed) {
            await refresh();
            continue;
          }
          // a quote Zalo will not take (the message is gone, or the field is refused): the answer still goes, unquoted
          if (r.error === INVALID_PARAMETERS && 'quote_message_id' in body.message) {
            body = { recipient: body.recipient, message: { text } };
            continue;
          }
          if (RETRY_CODES.has(r.error) && retried < backoffMs.length) {
            await sleep(backoffMs[retried++]!);
            continue;
          }
          return { ok: false, code: r.error, message: r.message, retried };
        }
      } catch (e) {
        // the refresh failed (refused, or Zalo unreachable): nothing can be sent until it works
        return { ok: false, code: TOKEN_INVALID, message: e instanceof Error ? e.message : String(e), retried };
      }
    },
  };
}
