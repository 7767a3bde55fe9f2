import type { Database, Sql } from '../store/index.ts';
import { fold } from '../text/index.ts';
import { ensureReviewTables } from './db.ts';
import { migrateQuestionLog } from '../log/store.ts';
import { TEST_COST } from './password.ts';
import { addStaff, type Role } from './staff.ts';

/** Test helpers: a staff member's browser, reduced to fetch and a cookie jar; a question log for store suites. */

export const TEST_PASSWORD = 'mot cum tu du dai de thu';

/** A test account, hashed at a low scrypt cost so the suite stays fast (production accounts keep the full cost). */
export async function createStaff(db: Sql, username: string, role: Role = 'reviewer', password = TEST_PASSWORD) {
  return addStaff(db, username, password, role, Date.now(), TEST_COST);
}

export interface StaffClient {
  cookies: Map<string, string>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** a same-origin form post, as a browser sends it */
  post(path: string, fields: Record<string, string | string[]>, headers?: Record<string, string>): Promise<Response>;
  postJson(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  login(username: string, password?: string): Promise<Response>;
  /** the CSRF token of the current session, read from a page like a script would */
  csrf(): Promise<string>;
}

/** `origin`: the page's origin as the browser sends it (PUBLIC_BASE_URL behind a proxy; the server itself by default). */
export function staffClient(base: string, origin = base): StaffClient {
  const cookies = new Map<string, string>();
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (!value || /max-age=0/i.test(line)) cookies.delete(name);
      else cookies.set(name, value);
    }
    return res;
  };
  const request = async (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    remember(
      await fetch(`${base}${path}`, {
        redirect: 'manual',
        ...init,
        // an empty value leaves the header out, as a browser that does not send it
        headers: Object.fromEntries(Object.entries({ ...(cookies.size ? { cookie: cookieHeader() } : {}), ...init.headers }).filter(([, v]) => v !== '')),
      }),
    );
  const client: StaffClient = {
    cookies,
    get: (path, headers = {}) => request(path, { headers }),
    post: (path, fields, headers = {}) => {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
      return request(path, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin, 'sec-fetch-site': 'same-origin', ...headers },
      });
    },
    postJson: (path, body, headers = {}) =>
      request(path, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', origin, 'sec-fetch-site': 'same-origin', ...headers },
      }),
    async login(username, password = TEST_PASSWORD) {
      const page = await (await client.get('/admin/dang-nhap')).text();
      const token = /name="_login" value="([^"]+)"/.exec(page)?.[1] ?? '';
      return client.post('/admin/dang-nhap', { _login: token, username, password, tiep: '/admin/hang-cho' });
    },
    async csrf() {
      const page = await (await client.get('/admin/giai-dap')).text();
      const token = /<meta name="csrf-token" content="([^"]+)"/.exec(page)?.[1];
      if (!token) throw new Error('không có phiên đăng nhập');
      return token;
    },
  };
  return client;
}

/** Asks the public API like the widget does. */
export async function ask(base: string, message: string, extra: Record<string, unknown> = {}) {
  const res = await fetch(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message, ...extra }) });
  if (res.status !== 200) throw new Error(`POST /api/chat → ${res.status}: ${await res.text()}`);
  return (await res.json()) as {
    messageId: string;
    answered: boolean;
    answer: string;
    citations: { id: string; title: string; docId: string; section: string }[];
  };
}

/** The question log the queue reads, for store suites: the log store's tables, then the console's. */
export async function questionLogForTests(db: Database): Promise<void> {
  await migrateQuestionLog(db);
  await ensureReviewTables(db);
}

export interface TestQuestion {
  id: string;
  text: string;
  answered?: boolean;
  reason?: string | null;
  confidence?: number;
  audience?: string;
  site?: string | null;
  channel?: string | null;
  cited?: string[];
  createdAt?: number;
}

/** A logged question as the log writes it (already redacted), straight into the table. */
export async function logTestQuestion(sql: Sql, q: TestQuestion): Promise<void> {
  await sql.run(
    `INSERT INTO questions (id, conversation_id, created_at, text, folded, audience, site, answered, reason, confidence, mode, cited, answer, status, channel)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      q.id,
      `c-${q.id}`,
      q.createdAt ?? Date.now(),
      q.text,
      fold(q.text),
      q.audience ?? 'citizen',
      q.site ?? null,
      q.answered ? 1 : 0,
      q.reason ?? (q.answered ? null : 'not-in-sources'),
      q.confidence ?? (q.answered ? 0.9 : 0),
      'extractive',
      JSON.stringify(q.cited ?? []),
      q.answered ? 'Một câu trả lời.' : '',
      q.answered ? 'answered' : 'open',
      q.channel ?? null,
    ],
  );
}

export async function giveTestFeedback(sql: Sql, messageId: string, helpful: boolean, comment: string | null = null): Promise<void> {
  await sql.run('INSERT INTO feedback (message_id, created_at, helpful, comment) VALUES (?, ?, ?, ?)', [messageId, Date.now(), helpful ? 1 : 0, comment]);
}
