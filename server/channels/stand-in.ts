import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Local stand-ins for the messengers' APIs, at the network edge only (tests and `npm run kenh:thu`): node:http
 * on 127.0.0.1. The Zalo side answers the customer-service message API and the OA token refresh as the
 * documentation describes (HTTP 200 with an `error` number; a refresh token works once; `expires_in` as a
 * string); the Graph side answers Messenger's Send API. Scripted errors let tests walk every error code.
 */

export interface ZaloSent {
  userId: string;
  text: string;
  quote: string | null;
  accessToken: string;
  at: number;
}

export interface GraphSent {
  recipientId: string;
  text: string;
  messagingType: string;
  accessToken: string;
}

export interface StandIn {
  /** ZALO_API_BASE_URL, ZALO_OAUTH_BASE_URL and MESSENGER_API_BASE_URL */
  zaloApiBaseUrl: string;
  zaloOauthBaseUrl: string;
  graphBaseUrl: string;
  /** the pair Zalo considers valid now */
  zalo: { accessToken: string; refreshToken: string; appId: string; appSecret: string };
  /** messages the OA sent, in order */
  zaloSent: ZaloSent[];
  graphSent: GraphSent[];
  /** refresh calls, with the refresh token each spent and whether Zalo accepted it */
  refreshes: { refreshToken: string; accepted: boolean }[];
  /** the error numbers the next sends get, one each, before sends succeed again */
  failZaloSends(...codes: number[]): void;
  /** Graph errors ({code, status}) the next Send API calls get */
  failGraphSends(...errors: { code: number; status: number }[]): void;
  /** makes Zalo forget the current access token (as when it expires early): the next send gets −216 */
  expireAccessToken(): void;
  /** refuse quoted messages with −201, as if the quoted message were gone */
  refuseQuotes: boolean;
  /** how long a refresh takes (to make two of them overlap) */
  refreshDelayMs: number;
  /** called on every message the OA sends (the demo prints them) */
  onZaloSent?: (m: ZaloSent) => void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
};

export async function startStandIn({ appId = '4291763606161179100', appSecret = 'bi-mat-ung-dung-thu' } = {}): Promise<StandIn> {
  let n = 0;
  const token = (kind: string) => `${kind}-thu-${++n}-${Math.random().toString(36).slice(2, 10)}`;
  const valid = { access: new Set<string>(), refresh: new Set<string>() };
  const pair = { accessToken: token('access'), refreshToken: token('refresh'), appId, appSecret };
  valid.access.add(pair.accessToken);
  valid.refresh.add(pair.refreshToken);
  const zaloFailures: number[] = [];
  const graphFailures: { code: number; status: number }[] = [];

  const standIn: StandIn = {
    zaloApiBaseUrl: '',
    zaloOauthBaseUrl: '',
    graphBaseUrl: '',
    zalo: pair,
    zaloSent: [],
    graphSent: [],
    refreshes: [],
    failZaloSends: (...codes) => void zaloFailures.push(...codes),
    failGraphSends: (...errors) => void graphFailures.push(...errors),
    expireAccessToken: () => valid.access.clear(),
    refreshDelayMs: 0,
    refuseQuotes: false,
    close: async () => {},
  };

  const zaloSend = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const accessToken = String(req.headers.access_token ?? '');
    if (!valid.access.has(accessToken)) return json(res, 200, { error: -216, message: 'Access token is invalid' });
    const failure = zaloFailures.shift();
    if (failure !== undefined) return json(res, 200, { error: failure, message: `lỗi thử nghiệm ${failure}` });
    let parsed: { recipient?: { user_id?: string }; message?: { text?: string; quote_message_id?: string } };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      return json(res, 200, { error: -201, message: 'Body is not valid JSON' });
    }
    const text = parsed.message?.text ?? '';
    const userId = parsed.recipient?.user_id;
    if (!userId || !text) return json(res, 200, { error: -201, message: 'Parameters are invalid' });
    if (standIn.refuseQuotes && parsed.message?.quote_message_id) return json(res, 200, { error: -201, message: 'Quote message is invalid' });
    // the documented limit: a longer text is refused, not cut
    if ([...text].length > 2000) return json(res, 200, { error: -201, message: 'Text is too long (max 2000 characters)' });
    const sent = { userId, text, quote: parsed.message?.quote_message_id ?? null, accessToken, at: Date.now() };
    standIn.zaloSent.push(sent);
    standIn.onZaloSent?.(sent);
    json(res, 200, { error: 0, message: 'Success', data: { message_id: `oa-msg-${standIn.zaloSent.length}`, user_id: userId } });
  };

  const zaloRefresh = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    const form = new URLSearchParams(body);
    const refreshToken = form.get('refresh_token') ?? '';
    const ok =
      req.headers.secret_key === appSecret && form.get('app_id') === appId && form.get('grant_type') === 'refresh_token' && valid.refresh.has(refreshToken);
    // spent at once, before the answer: a second use of the same token fails, as Zalo's does
    valid.refresh.delete(refreshToken);
    standIn.refreshes.push({ refreshToken, accepted: ok });
    if (standIn.refreshDelayMs) await new Promise((r) => setTimeout(r, standIn.refreshDelayMs));
    if (!ok) return json(res, 200, { error: -14014, error_name: 'Invalid refresh token', error_description: 'Refresh token is invalid or used' });
    valid.access.clear();
    pair.accessToken = token('access');
    pair.refreshToken = token('refresh');
    valid.access.add(pair.accessToken);
    valid.refresh.add(pair.refreshToken);
    json(res, 200, { access_token: pair.accessToken, refresh_token: pair.refreshToken, expires_in: '90000' });
  };

  const graphSend = (url: URL, res: ServerResponse, body: string) => {
    const failure = graphFailures.shift();
    if (failure) return json(res, failure.status, { error: { message: `lỗi thử nghiệm ${failure.code}`, type: 'OAuthException', code: failure.code } });
    const parsed = JSON.parse(body) as { recipient?: { id?: string }; messaging_type?: string; message?: { text?: string } };
    const text = parsed.message?.text ?? '';
    if ([...text].length > 2000) return json(res, 400, { error: { message: 'Message too long', code: 100 } });
    standIn.graphSent.push({ recipientId: parsed.recipient?.id ?? '', text, messagingType: parsed.messaging_type ?? '', accessToken: url.searchParams.get('access_token') ?? '' });
    json(res, 200, { recipient_id: parsed.recipient?.id, message_id: `m_${standIn.graphSent.length}` });
  };

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = await readBody(req);
      if (req.method === 'POST' && url.pathname === '/zalo-api/v3.0/oa/message/cs') return zaloSend(req, res, body);
      if (req.method === 'POST' && url.pathname === '/zalo-oauth/v4/oa/access_token') return await zaloRefresh(req, res, body);
      if (req.method === 'POST' && url.pathname === '/graph/me/messages') return graphSend(url, res, body);
      json(res, 404, { error: 'not found' });
    } catch (e) {
      if (!res.headersSent) json(res, 500, { error: String(e) });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.zaloApiBaseUrl = `${base}/zalo-api`;
  standIn.zaloOauthBaseUrl = `${base}/zalo-oauth`;
  standIn.graphBaseUrl = `${base}/graph`;
  standIn.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return standIn;
}
