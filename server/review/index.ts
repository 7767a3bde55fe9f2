import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import { readFileSync } from 'node:fs';
import type { Assistant } from '../assistant.ts';
import type { Config } from '../config.ts';
import { cameOverTls, trustedProxies } from '../http/guard/client.ts';
import { audit, ensureReviewTables } from './db.ts';
import { messagePage } from './pages.ts';
import { readSession, sameToken } from './session.ts';
import { staffCookies } from './routes/cookies.ts';
import { curatedRoutes } from './routes/curated.ts';
import { BAD_FORM, isApi, isFormRequest, isJsonRequest, jsonError, LOGIN_PATH, one, readForm, type ConsoleDeps, type Env } from './routes/http.ts';
import { queueRoutes } from './routes/queue.ts';
import { reportRoutes } from './routes/reports.ts';
import { passwordRoutes, signInRoutes, signOutRoutes } from './routes/sign-in.ts';
import { staffRoutes } from './routes/staff.ts';
import { channelRoutes } from './routes/channels.ts';
import type { Channels } from '../channels/index.ts';

/** A Map, not an object: "/admin/static/__proto__" must find nothing rather than Object.prototype. */
const STATIC = new Map<string, { type: string; body: string }>(
  [
    ['admin.css', 'text/css; charset=utf-8'],
    ['admin.js', 'text/javascript; charset=utf-8'],
    ['icon.svg', 'image/svg+xml'],
  ].map(([file, type]) => [file!, { type: type!, body: readFileSync(new URL(`./static/${file}`, import.meta.url), 'utf8') }]),
);

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface AdminOptions {
  config: Pick<Config, 'trustProxy' | 'allowedOrigins' | 'publicBaseUrl'>;
  /** the messenger channels: staff answers go back to Zalo askers through them */
  channels?: Channels;
}

/**
 * The staff console, mounted at /admin. Every route file registers on this one app, in the order below: the
 * middlewares and the login gate apply to what is registered after them, so the order is the security model.
 */
export function adminRoutes(assistant: Assistant, options: AdminOptions) {
  const { state } = assistant;
  const proxies = trustedProxies(options.config.trustProxy);
  const cookies = staffCookies(proxies);
  const { cookieName } = cookies;
  const publicOrigin = options.config.publicBaseUrl;
  const deps: ConsoleDeps = {
    assistant,
    proxies,
    cookies,
    allowedOrigins: [...options.config.allowedOrigins, ...(publicOrigin ? [publicOrigin] : [])],
    publicOrigin,
  };
  const admin = new Hono<Env>();

  /** The origin a same-site browser request carries: what the browser sees in its address bar. */
  const ownOrigin = (c: Context) => {
    if (publicOrigin) return publicOrigin;
    const url = new URL(c.req.url);
    return `${cameOverTls(c, proxies) ? 'https' : url.protocol.replace(':', '')}://${c.req.header('host') ?? url.host}`;
  };

  // ——— for every /admin request ———
  admin.use('*', async (c, next) => {
    // created once at start-up (buildServer); this only waits when the console is mounted some other way
    await ensureReviewTables(state);
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(k, v);
    // the console is never shared with other sites, whatever a global middleware decided
    for (const k of [...c.res.headers.keys()]) if (k.startsWith('access-control-')) c.res.headers.delete(k);
  });

  admin.use('*', bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text('Nội dung gửi lên quá lớn.', 413) }));

  /** A cross-site request never changes anything: Sec-Fetch-Site first, Origin where browsers omit it. */
  admin.use('*', async (c, next) => {
    if (!UNSAFE_METHODS.has(c.req.method)) return next();
    const site = c.req.header('sec-fetch-site');
    const origin = c.req.header('origin');
    // with Referrer-Policy: no-referrer a browser sends "Origin: null" on its own forms; Sec-Fetch-Site then speaks
    const crossSite =
      (site !== undefined && site !== 'same-origin' && site !== 'none') ||
      (origin !== undefined && origin !== 'null' && origin !== ownOrigin(c)) ||
      (site === undefined && origin === 'null');
    if (!crossSite) return next();
    await audit(state, { username: null, action: 'csrf:refused', target: c.req.path, detail: `Origin: ${origin ?? '—'}, Sec-Fetch-Site: ${site ?? '—'}` });
    return isApi(c) || isJsonRequest(c)
      ? jsonError(c, 403, 'cross_site', 'Yêu cầu từ trang web khác bị từ chối.')
      : c.html(messagePage('Yêu cầu bị từ chối', 'Yêu cầu này đến từ một trang web khác nên đã bị từ chối.'), 403);
  });

  admin.get('/static/:file', (c) => {
    const file = STATIC.get(c.req.param('file'));
    return file ? c.body(file.body, 200, { 'Content-Type': file.type }) : c.text('Không tìm thấy.', 404);
  });

  // ——— đăng nhập ———
  signInRoutes(admin, deps);

  // ——— everything below needs a session ———
  admin.use('*', async (c, next) => {
    const check = await readSession(state, getCookie(c, cookieName(c, 'staff')));
    if (!check.ok) {
      if (isApi(c)) return jsonError(c, 401, 'unauthorized', 'Bạn cần đăng nhập trang cán bộ.');
      const url = new URL(c.req.url);
      const query = new URLSearchParams();
      if (check.expired) query.set('het-han', '1');
      if (c.req.method === 'GET') query.set('tiep', url.pathname + url.search);
      return c.redirect(`${LOGIN_PATH}${query.size ? `?${query}` : ''}`, 302);
    }
    const session = check.session;
    if (UNSAFE_METHODS.has(c.req.method)) {
      // JSON calls send the token in X-CSRF-Token (from <meta name="csrf-token">); forms in a hidden field
      const header = c.req.header('x-csrf-token');
      // a form is read here once for every route behind the gate: a broken one is a 400, never a 500
      const form = isFormRequest(c) ? await readForm(c) : undefined;
      if (form === null)
        return isApi(c) || isJsonRequest(c)
          ? jsonError(c, 400, 'bad_form', BAD_FORM)
          : c.html(messagePage('Biểu mẫu bị lỗi', BAD_FORM, session), 400);
      const token = header ?? (form ? one(form, '_csrf') : undefined);
      if (!sameToken(token, session.csrf)) {
        await audit(state, { username: session.staff.username, action: 'csrf:refused', target: c.req.path, detail: 'thiếu hoặc sai mã CSRF' });
        return isApi(c) || isJsonRequest(c)
          ? jsonError(c, 403, 'csrf', 'Thiếu hoặc sai mã chống giả mạo (X-CSRF-Token).')
          : c.html(messagePage('Yêu cầu bị từ chối', 'Biểu mẫu đã quá hạn. Hãy tải lại trang rồi thử lại.', session), 403);
      }
    }
    c.set('session', session);
    return next();
  });

  signOutRoutes(admin, deps);

  admin.get('/', (c) => c.redirect('/admin/hang-cho', 302));

  // ——— hàng chờ ———
  queueRoutes(admin, deps);

  // ——— giải đáp ———
  curatedRoutes(admin, deps);

  // ——— thống kê, CSV, báo cáo năm ———
  reportRoutes(admin, deps);

  // ——— kênh Zalo: gửi giải đáp tới người hỏi ———
  channelRoutes(admin, deps, options.channels);

  // ——— tài khoản ———
  passwordRoutes(admin, deps);

  // ——— cán bộ, nhật ký (admin only) ———
  staffRoutes(admin, deps);

  admin.all('*', (c) =>
    c.req.method === 'GET' && c.req.path.length > 1 && c.req.path.endsWith('/')
      ? c.redirect(c.req.path.replace(/\/+$/, '') || '/admin', 302)
      : isApi(c)
      ? jsonError(c, 404, 'not_found', 'Không tìm thấy.')
      : c.html(messagePage('Không tìm thấy', 'Không có trang này trong trang cán bộ.', c.get('session')), 404),
  );

  return admin;
}
