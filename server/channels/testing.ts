import { createHmac } from 'node:crypto';
import { zaloMac } from './zalo/index.ts';
import type { StandIn } from './stand-in.ts';

/** What Zalo and Meta would send: signed webhook deliveries, for tests and the demo. */

export const ZALO_OA_SECRET_KEY = 'khoa-bi-mat-oa-thu';
export const MESSENGER_APP_SECRET = 'bi-mat-ung-dung-messenger-thu';
export const MESSENGER_VERIFY_TOKEN = 'ma-xac-minh-thu';
export const MESSENGER_PAGE_TOKEN = 'ma-trang-thu';

/** The environment that turns both channels on, pointed at the stand-ins. */
export function channelEnv(standIn: StandIn, publicBaseUrl = 'https://hoidap.example.gov.vn'): Record<string, string> {
  return {
    PUBLIC_BASE_URL: publicBaseUrl,
    ZALO_APP_ID: standIn.zalo.appId,
    ZALO_APP_SECRET: standIn.zalo.appSecret,
    ZALO_OA_SECRET_KEY,
    ZALO_ACCESS_TOKEN: standIn.zalo.accessToken,
    ZALO_REFRESH_TOKEN: standIn.zalo.refreshToken,
    ZALO_API_BASE_URL: standIn.zaloApiBaseUrl,
    ZALO_OAUTH_BASE_URL: standIn.zaloOauthBaseUrl,
    MESSENGER_APP_SECRET,
    MESSENGER_PAGE_ACCESS_TOKEN: MESSENGER_PAGE_TOKEN,
    MESSENGER_VERIFY_TOKEN,
    MESSENGER_API_BASE_URL: standIn.graphBaseUrl,
  };
}

let counter = 0;

/** A `user_send_text` event as Zalo writes it; `escaped` writes non-ASCII as \u escapes. */
export function zaloTextEvent(appId: string, userId: string, text: string, { msgId = `msg-${Date.now()}-${++counter}`, escaped = false } = {}): { body: string; msgId: string } {
  const event = {
    app_id: appId,
    user_id_by_app: `app-${userId}`,
    event_name: 'user_send_text',
    timestamp: String(Date.now()),
    sender: { id: userId },
    recipient: { id: 'oa-thu' },
    message: { text, msg_id: msgId },
  };
  return { body: escaped ? escapeUnicode(JSON.stringify(event)) : JSON.stringify(event), msgId };
}

export function zaloEvent(appId: string, event: Record<string, unknown>): string {
  return JSON.stringify({ app_id: appId, timestamp: String(Date.now()), ...event });
}

/** JSON with every non-ASCII character as a \u escape: the same value, other bytes. */
export function escapeUnicode(json: string): string {
  return json.replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Posts a webhook body to /kenh/zalo, signed as Zalo signs (or with the signature given). */
export async function postZalo(url: string, appId: string, body: string, signature?: string | null): Promise<Response> {
  const timestamp = String((JSON.parse(body) as { timestamp: string }).timestamp);
  const mac = signature === undefined ? `mac=${zaloMac(appId, new TextEncoder().encode(body), timestamp, ZALO_OA_SECRET_KEY)}` : signature;
  return fetch(`${url}/kenh/zalo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(mac === null ? {} : { 'x-zevent-signature': mac }) },
    body,
  });
}

export function messengerBody(userId: string, message: Record<string, unknown>, { escaped = true } = {}): string {
  const body = JSON.stringify({
    object: 'page',
    entry: [{ id: 'trang-thu', time: Date.now(), messaging: [{ sender: { id: userId }, recipient: { id: 'trang-thu' }, timestamp: Date.now(), ...message }] }],
  });
  return escaped ? escapeUnicode(body) : body;
}

export async function postMessenger(url: string, body: string, signature?: string | null): Promise<Response> {
  const sig = signature === undefined ? `sha256=${createHmac('sha256', MESSENGER_APP_SECRET).update(body).digest('hex')}` : signature;
  return fetch(`${url}/kenh/messenger`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(sig === null ? {} : { 'x-hub-signature-256': sig }) },
    body,
  });
}
