import type { Context } from 'hono';
import type { BlockList } from 'node:net';
import type { Assistant } from '../../assistant.ts';
import type { StaffSession } from '../session.ts';
import type { StaffCookies } from './cookies.ts';

/** What the console's requests share: the shape of a form, JSON errors, and where sign-in lives. */

export type Env = { Variables: { session: StaffSession } };

/** Built once by adminRoutes and handed to every route file, so they all see the same database and cookies. */
export interface ConsoleDeps {
  assistant: Assistant;
  proxies: BlockList;
  cookies: StaffCookies;
  /** where links in published answers may point: ALLOWED_ORIGINS and PUBLIC_BASE_URL */
  allowedOrigins: string[];
  /** PUBLIC_BASE_URL's origin, when configured: the console's own origin, whatever the Host header says */
  publicOrigin: string | null;
}

export const LOGIN_PATH = '/admin/dang-nhap';

export const jsonError = (c: Context, status: 401 | 403 | 404 | 415 | 422 | 400, code: string, message: string, extra: object = {}) =>
  c.json({ error: { code, message, ...extra } }, status);

export const isApi = (c: Context) => c.req.path.startsWith('/admin/api/');

/** Only a path inside the console may follow sign-in (no open redirect). */
export function safeNext(value: unknown): string {
  const s = typeof value === 'string' ? value : '';
  return /^\/admin(?:[/?][^\\\s]*)?$/.test(s) && !s.startsWith('//') && !s.includes('/../') && !s.startsWith(LOGIN_PATH) ? s : '/admin/hang-cho';
}

export type Form = Record<string, string | File | (string | File)[]>;
export const one = (form: Form, key: string): string => {
  const v = form[key];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' ? first : '';
};
export const many = (form: Form, key: string): string[] => {
  const v = form[key];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
};
/**
 * The submitted form, or null when the body is not a readable form (broken multipart, a cut-off upload): the
 * caller answers 400, never 500.
 */
export async function readForm(c: Context): Promise<Form | null> {
  try {
    return (await c.req.parseBody({ all: true })) as Form;
  } catch {
    return null;
  }
}

export const BAD_FORM = 'Biểu mẫu gửi lên bị lỗi hoặc không đọc được. Hãy tải lại trang rồi thử lại.';

export const isFormRequest = (c: Context) => /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(c.req.header('content-type') ?? '');
export { isJsonRequest } from '../../http/request.ts';
