import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing.ts';
import { adminRoutes } from './index.ts';
import { ABSOLUTE_TIMEOUT_MS, IDLE_TIMEOUT_MS } from './session.ts';
import { setDisabled } from './staff.ts';
import { createStaff, staffClient, TEST_PASSWORD } from './testing.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ ALLOWED_ORIGINS: 'https://portal.sonla.gov.vn', TRUST_PROXY: '1' });
  await createStaff(server.assistant.state, 'duyet', 'reviewer');
  await createStaff(server.assistant.state, 'quantri', 'admin');
  await createStaff(server.assistant.state, 'khoa', 'reviewer');
});
afterAll(() => server.close());

/** Every route the console declares, with sample parameters. */
function declaredRoutes() {
  const app = adminRoutes(server.assistant, { config: server.config });
  const seen = new Set<string>();
  return app.routes
    .filter((r) => r.method !== 'ALL' && !r.path.endsWith('*'))
    .map((r) => ({
      method: r.method,
      path: `/admin${r.path.replace(/\/$/, '')}`
        .replace(':file', 'admin.css')
        .replace(':action{khoa|mo-khoa}', 'khoa')
        .replace(/:[a-z]+/g, 'x'),
    }))
    .filter((r) => !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`));
}

describe('without a valid session', () => {
  const PUBLIC = new Set(['GET /admin/static/admin.css', 'GET /admin/dang-nhap', 'POST /admin/dang-nhap']);

  it('no admin route answers: pages redirect to the sign-in page, API calls get 401 JSON', async () => {
    const routes = declaredRoutes();
    expect(routes.length).toBeGreaterThan(20);
    const client = staffClient(server.url);
    for (const { method, path } of routes) {
      if (PUBLIC.has(`${method} ${path}`)) continue;
      const res = method === 'GET' ? await client.get(path) : await client.post(path, { _csrf: 'x' });
      if (path.startsWith('/admin/api/')) {
        expect(res.status, `${method} ${path}`).toBe(401);
        expect((await res.json()).error.code).toBe('unauthorized');
      } else {
        expect(res.status, `${method} ${path}`).toBe(302);
        expect(res.headers.get('location'), `${method} ${path}`).toMatch(/^\/admin\/dang-nhap/);
      }
    }
    // a path nobody declared is not a way in either
    expect((await client.get('/admin/khong-co-trang-nay')).status).toBe(302);
  });

  it('a forged or stale cookie is not a session', async () => {
    const client = staffClient(server.url);
    client.cookies.set('cnsh_staff', 'gia-mao-khong-ton-tai');
    expect((await client.get('/admin/hang-cho')).status).toBe(302);
  });
});

describe('signing in', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie; plain HTTP only on localhost', async () => {
    const client = staffClient(server.url);
    const res = await client.login('duyet');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/hang-cho');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('cnsh_staff='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Max-Age|Expires/i);
    expect((await client.get('/admin/hang-cho')).status).toBe(200);
  });

  it('behind a TLS proxy the cookie is __Host- prefixed and Secure; plain HTTP to a public name is refused', async () => {
    const port = new URL(server.url).port;
    const raw = (path: string, headers: Record<string, string>) =>
      new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const viaProxy = await raw('/admin/dang-nhap', { host: 'cnsh.sonla.gov.vn', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' });
    expect(viaProxy.status).toBe(200);
    const set = ([] as string[]).concat(viaProxy.headers['set-cookie'] ?? []);
    expect(set.some((c) => /^__Host-cnsh_login=.*; Path=\/; .*Secure/.test(c))).toBe(true);

    const plain = await raw('/admin/dang-nhap', { host: 'cnsh.sonla.gov.vn' });
    expect(plain.status).toBe(403);
    expect(plain.body).toContain('chỉ mở qua HTTPS');

    // an absolute-form request line naming localhost does not make a public Host local (I2)
    const absolute = await raw('http://localhost/admin/dang-nhap', { host: 'cnsh.sonla.gov.vn' });
    expect(absolute.status).toBe(403);
    expect(([] as string[]).concat(absolute.headers['set-cookie'] ?? []).some((c) => c.startsWith('cnsh_login='))).toBe(false);
  });

  it('gives a new session id on every sign-in and ends the one the browser brought', async () => {
    const client = staffClient(server.url);
    await client.login('duyet');
    const first = client.cookies.get('cnsh_staff')!;
    await client.login('duyet');
    const second = client.cookies.get('cnsh_staff')!;
    expect(second).not.toBe(first);
    const old = staffClient(server.url);
    old.cookies.set('cnsh_staff', first);
    expect((await old.get('/admin/hang-cho')).status).toBe(302);
  });

  it('signing out ends the session on the server', async () => {
    const client = staffClient(server.url);
    await client.login('duyet');
    const token = client.cookies.get('cnsh_staff')!;
    const out = await client.post('/admin/dang-xuat', { _csrf: await client.csrf() });
    expect(out.status).toBe(303);
    const replay = staffClient(server.url);
    replay.cookies.set('cnsh_staff', token);
    expect((await replay.get('/admin/hang-cho')).status).toBe(302);
  });

  it('a session ends after 30 minutes idle and after 8 hours in any case', async () => {
    const { db } = server.assistant;
    const client = staffClient(server.url);
    await client.login('duyet');
    db.prepare('UPDATE staff_sessions SET last_seen_at = ?').run(Date.now() - IDLE_TIMEOUT_MS - 60_000);
    const idle = await client.get('/admin/hang-cho');
    expect(idle.status).toBe(302);
    expect(idle.headers.get('location')).toContain('het-han=1');

    await client.login('duyet');
    db.prepare('UPDATE staff_sessions SET created_at = ?').run(Date.now() - ABSOLUTE_TIMEOUT_MS - 60_000);
    expect((await client.get('/admin/hang-cho')).status).toBe(302);
  });

  const attempt = async (username: string, password: string, from: string) => {
    const client = staffClient(server.url);
    const page = await (await client.get('/admin/dang-nhap')).text();
    const token = /name="_login" value="([^"]+)"/.exec(page)![1]!;
    const started = performance.now();
    const res = await client.post('/admin/dang-nhap', { _login: token, username, password }, { 'x-forwarded-for': from });
    const text = (await res.text()).replace(/value="[^"]*"/g, '');
    return { status: res.status, retryAfter: res.headers.get('retry-after'), text, ms: performance.now() - started };
  };
  /** as if `ms` had passed for the sign-in limits */
  const age = (ms: number) => server.assistant.state.run('UPDATE login_failures SET at = at - ?', [ms]);

  it('after a wrong password: the same message for unknown users; the sixth try from that address is throttled with Retry-After', async () => {
    const known: Awaited<ReturnType<typeof attempt>>[] = [];
    const unknown: Awaited<ReturnType<typeof attempt>>[] = [];
    for (let i = 0; i < 6; i++) {
      known.push(await attempt('khoa', `sai-mat-khau-${i}`, '198.51.100.1'));
      unknown.push(await attempt('khong-ton-tai', `sai-mat-khau-${i}`, '198.51.100.2'));
      await age(60_000); // a minute between tries: past the progressive delay
    }
    for (const list of [known, unknown]) {
      expect(list.slice(0, 5).map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
      expect(list[0]!.text).toContain('Tên đăng nhập hoặc mật khẩu không đúng.');
      expect(list[5]!.status).toBe(429);
      expect(Number(list[5]!.retryAfter)).toBeGreaterThan(0);
      expect(list[5]!.text).toContain('Đăng nhập sai quá nhiều lần');
    }
    // an attacker learns nothing from the answers: known and unknown accounts read the same
    expect(known[0]!.text.replace(/khoa|khong-ton-tai/g, '')).toBe(unknown[0]!.text.replace(/khoa|khong-ton-tai/g, ''));
    expect(known[5]!.text.replace(/khoa|khong-ton-tai/g, '')).toBe(unknown[5]!.text.replace(/khoa|khong-ton-tai/g, ''));
    // while locked, even the right password does not get in from that address
    expect((await attempt('khoa', TEST_PASSWORD, '198.51.100.1')).status).toBe(429);
  });

  it('a stranger cannot lock a named account: five wrong passwords from five addresses, the owner still gets in (V10)', async () => {
    await createStaff(server.assistant.state, 'muc-tieu', 'reviewer');
    for (let i = 0; i < 6; i++) expect((await attempt('muc-tieu', `doan-mo-${i}`, `203.0.113.${i + 1}`)).status).toBe(401);
    expect((await attempt('muc-tieu', TEST_PASSWORD, '192.0.2.200')).status).toBe(303);
  });

  it('wrong passwords slow the next try down progressively: one slip free, then 1 s, 2 s, 4 s … (per account and address)', async () => {
    expect((await attempt('duyet', 'sai-mot-lan', '198.51.100.50')).status).toBe(401);
    expect((await attempt('duyet', 'sai-lan-hai', '198.51.100.50')).status).toBe(401);
    const soon = await attempt('duyet', TEST_PASSWORD, '198.51.100.50');
    expect(soon.status).toBe(429);
    expect(Number(soon.retryAfter)).toBeLessThanOrEqual(1);
    expect(soon.text).toContain('Vui lòng chờ');
    await age(1_100);
    expect((await attempt('duyet', 'sai-lan-ba', '198.51.100.50')).status).toBe(401);
    const again = await attempt('duyet', TEST_PASSWORD, '198.51.100.50');
    expect(again.status).toBe(429);
    expect(Number(again.retryAfter)).toBe(2);
    await age(2_000);
    expect((await attempt('duyet', TEST_PASSWORD, '198.51.100.50')).status).toBe(303);
  });

  it('parallel guesses are reserved before the hash: 40 at once for one account get at most 5 password checks (V2)', async () => {
    await createStaff(server.assistant.state, 'song-song', 'reviewer');
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => attempt('song-song', i === 39 ? TEST_PASSWORD : `doan-${i}`, '198.51.100.60')));
    const checked = results.filter((r) => r.status === 401 || r.status === 303).length;
    expect(checked).toBeGreaterThanOrEqual(1);
    expect(checked).toBeLessThanOrEqual(5);
    expect(results.every((r) => [401, 303, 429, 503].includes(r.status))).toBe(true);
  });

  it('a flood of sign-ins from many networks is answered 503 fast once the hash queue is full; another network still gets in (V3)', async () => {
    // unknown users: each costs a full-cost dummy hash, like a real account
    const flood = Promise.all(Array.from({ length: 24 }, (_, i) => attempt(`ke-la-${i}`, 'doan-bua', `198.18.${i}.1`)));
    const statuses = (await flood).map((r) => r.status);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 401 || s === 503)).toBe(true);
    const busy = (await flood).find((r) => r.status === 503)!;
    expect(busy.retryAfter).toBe('5');
    expect(busy.text).toContain('Hệ thống đang bận');
    expect(busy.ms).toBeLessThan(1_000);
    // one network holds at most two checks: a flood from one address leaves room for staff elsewhere
    const oneAddress = Promise.all(Array.from({ length: 20 }, (_, i) => attempt(`ke-la-${i}`, 'doan-bua', '198.19.0.1')));
    const staff = await attempt('quantri', TEST_PASSWORD, '192.0.2.201');
    expect(staff.status).toBe(303);
    await oneAddress;
  });

  it('failed sign-ins are always in the audit log, even after a flood of other anonymous events (V9)', async () => {
    const { db } = server.assistant;
    const count = (action: string) => (db.prepare('SELECT COUNT(*) AS n FROM audit_log WHERE action = ?').get(action) as { n: number }).n;
    const before = count('login:fail');
    for (let i = 0; i < 65; i++)
      await fetch(`${server.url}/admin/dang-xuat`, { method: 'POST', headers: { origin: 'https://evil.example' }, redirect: 'manual' });
    for (let i = 0; i < 3; i++) await attempt('quantri', `sai-${i}`, `192.0.2.${210 + i}`);
    expect(count('login:fail') - before).toBe(3);
    // what was over the budget is counted in one row, not dropped in silence
    const summary = db.prepare("SELECT detail FROM audit_log WHERE action = 'csrf:refused' AND detail LIKE 'Lược bớt%' ORDER BY id DESC").get() as { detail: string };
    expect(summary.detail).toMatch(/thêm \d+ sự kiện/);
  });

  it('prototype-named static files and broken multipart bodies are 404 and 400, never 500 (V11, V12)', async () => {
    const client = staffClient(server.url);
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty'])
      expect((await client.get(`/admin/static/${name}`)).status, name).toBe(404);
    const page = await (await client.get('/admin/dang-nhap')).text();
    expect(page).toContain('_login');
    const broken = await client.get('/admin/dang-nhap').then(() =>
      fetch(`${server.url}/admin/dang-nhap`, {
        method: 'POST',
        headers: { 'content-type': 'multipart/form-data', cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
        body: 'garbage',
      }),
    );
    expect(broken.status).toBe(400);
    expect(await broken.text()).toContain('Biểu mẫu gửi lên bị lỗi');
    await client.login('duyet');
    const inside = await fetch(`${server.url}/admin/hang-cho/danh-dau`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x', cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '), origin: server.url, 'sec-fetch-site': 'same-origin' },
      body: '--x\r\nbroken',
    });
    expect(inside.status).toBe(400);
  });

  it('one address is throttled across accounts', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const client = staffClient(server.url);
      const page = await (await client.get('/admin/dang-nhap')).text();
      const token = /name="_login" value="([^"]+)"/.exec(page)![1]!;
      const res = await client.post('/admin/dang-nhap', { _login: token, username: `ai-do-${i}`, password: 'sai-mat-khau' }, { 'x-forwarded-for': '192.0.2.77' });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it('a disabled account cannot sign in, and disabling ends its sessions', async () => {
    const { state } = server.assistant;
    await createStaff(state, 'nghi-viec', 'reviewer');
    const client = staffClient(server.url);
    expect((await client.login('nghi-viec')).status).toBe(303);
    await setDisabled(state, 'nghi-viec', true);
    expect((await client.get('/admin/hang-cho')).status).toBe(302);
    const again = await client.login('nghi-viec');
    expect(again.status).toBe(401);
    expect(await again.text()).toContain('Tên đăng nhập hoặc mật khẩu không đúng.');
  });

  it('the sign-in form needs its own token (no login CSRF) and only redirects inside the console', async () => {
    const client = staffClient(server.url);
    const forged = await client.post('/admin/dang-nhap', { username: 'duyet', password: TEST_PASSWORD });
    expect(forged.status).toBe(403);
    expect(client.cookies.has('cnsh_staff')).toBe(false);

    const page = await (await client.get('/admin/dang-nhap')).text();
    const token = /name="_login" value="([^"]+)"/.exec(page)![1]!;
    const res = await client.post('/admin/dang-nhap', { _login: token, username: 'duyet', password: TEST_PASSWORD, tiep: 'https://evil.example/' });
    expect(res.headers.get('location')).toBe('/admin/hang-cho');
  });
});

describe('with a session', () => {
  it('refuses a cross-site POST even with a valid session and token', async () => {
    const client = staffClient(server.url);
    await client.login('duyet');
    const csrf = await client.csrf();
    const question = (
      await (
        await fetch(`${server.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Trồng nấm trên bã cà phê có cần giấy phép không?' }) })
      ).json()
    ).messageId as string;
    const fromEvil = await client.post('/admin/hang-cho/danh-dau', { _csrf: csrf, ids: question, 'trang-thai': 'spam' }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(fromEvil.status).toBe(403);
    const siteOnly = await client.post('/admin/hang-cho/danh-dau', { _csrf: csrf, ids: question, 'trang-thai': 'spam' }, { origin: '', 'sec-fetch-site': 'same-site' });
    expect(siteOnly.status).toBe(403);
    const jsonFromEvil = await client.postJson('/admin/api/danh-dau', { ids: [question], status: 'spam' }, { 'x-csrf-token': csrf, origin: 'https://evil.example' });
    expect(jsonFromEvil.status).toBe(403);
    // "Origin: null" (a sandboxed frame) counts as cross-site unless Sec-Fetch-Site vouches for it
    const opaque = await client.postJson('/admin/api/danh-dau', { ids: [question], status: 'spam' }, { 'x-csrf-token': csrf, origin: 'null', 'sec-fetch-site': '' });
    expect(opaque.status).toBe(403);
    const state = await server.assistant.state.get('SELECT status FROM review_state WHERE question_id = ?', [question]);
    expect(state).toBeUndefined();
  });

  it('needs the CSRF token: in the form, and in X-CSRF-Token for JSON', async () => {
    const client = staffClient(server.url);
    await client.login('duyet');
    const csrf = await client.csrf();
    const { messageId } = await (
      await fetch(`${server.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Trồng nấm trên bã cà phê có cần giấy phép không?' }) })
    ).json();
    expect((await client.post('/admin/hang-cho/danh-dau', { ids: messageId, 'trang-thai': 'spam' })).status).toBe(403);
    expect((await client.post('/admin/hang-cho/danh-dau', { _csrf: 'sai', ids: messageId, 'trang-thai': 'spam' })).status).toBe(403);
    const noHeader = await client.postJson('/admin/api/danh-dau', { ids: [messageId], status: 'spam', _csrf: csrf });
    expect(noHeader.status).toBe(403);
    expect((await noHeader.json()).error.code).toBe('csrf');
    const ok = await client.postJson('/admin/api/danh-dau', { ids: [messageId], status: 'spam' }, { 'x-csrf-token': csrf });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ changed: 1 });
  });

  it('sends the protective headers and no CORS, even to an origin the public API allows', async () => {
    const client = staffClient(server.url);
    await client.login('duyet');
    for (const path of ['/admin/hang-cho', '/admin/api/hang-cho', '/admin/dang-nhap', '/admin/thong-ke/xuat.csv']) {
      const res = await client.get(path, { origin: 'https://portal.sonla.gov.vn' });
      expect(res.status, path).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("form-action 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('access-control-allow-origin'), path).toBeNull();
    }
  });

  it('only an admin sees staff accounts and the audit log', async () => {
    const reviewer = staffClient(server.url);
    await reviewer.login('duyet');
    expect((await reviewer.get('/admin/can-bo')).status).toBe(403);
    expect((await reviewer.get('/admin/nhat-ky')).status).toBe(403);
    const admin = staffClient(server.url);
    await admin.login('quantri');
    expect((await admin.get('/admin/can-bo')).status).toBe(200);
    const log = await (await admin.get('/admin/nhat-ky')).text();
    expect(log).toContain('Đăng nhập sai');
    expect(log).toContain('quantri');
  });
});
