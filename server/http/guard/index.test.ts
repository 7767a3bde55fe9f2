import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../testing.ts';
import { ERRORS } from '../errors.ts';
import { networkKey } from './client.ts';
import { CONNECTION_LIMITS } from './connections.ts';
import { clientAddress, contentSecurityPolicy, rateKey, rateLimit, secureHeaders, streamLimit, trustedProxies } from './index.ts';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json(): any;
}

/**
 * One HTTP request from a chosen loopback address: 127.0.0.2 and 127.0.0.3 are two different clients
 * as the server's socket sees them, with no proxy header involved.
 */
function send(
  url: string,
  { method = 'GET', headers = {}, body, from = '127.0.0.1', chunks }: { method?: string; headers?: Record<string, string>; body?: string; from?: string; chunks?: string[] } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, localAddress: from, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text) }));
    });
    req.on('error', reject);
    if (chunks) for (const c of chunks) req.write(c);
    else if (body !== undefined) req.write(body);
    req.end();
  });
}

const json = { 'content-type': 'application/json' };
const chat = (url: string, message: string, options: { from?: string; headers?: Record<string, string> } = {}) =>
  send(`${url}/api/chat`, { method: 'POST', headers: { ...json, ...options.headers }, body: JSON.stringify({ message }), from: options.from });

function expectError(reply: Reply, code: keyof typeof ERRORS) {
  expect(reply.status).toBe(ERRORS[code][0]);
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  const body = reply.json();
  expect(body.error.code).toBe(code);
  expect(body.error.message).toMatch(/[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]/i);
}

describe('rate limit per client on /api/*', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(() => server.close());

  it('answers 429 with Retry-After and a Vietnamese message once a client used its minute', async () => {
    for (let i = 0; i < 5; i++) expect((await chat(server.url, 'Đệm lót sinh học là gì?', { from: '127.0.0.2' })).status).toBe(200);
    const limited = await chat(server.url, 'Đệm lót sinh học là gì?', { from: '127.0.0.2' });
    expectError(limited, 'rate_limited');
    const wait = Number(limited.headers['retry-after']);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);
    expect(limited.json().error.message).toContain(`${wait} giây`);
    // feedback is part of the same budget
    const feedback = await send(`${server.url}/api/feedback`, { method: 'POST', headers: json, body: '{}', from: '127.0.0.2' });
    expect(feedback.status).toBe(429);
  });

  it('keeps serving another client while one is limited', async () => {
    expect((await chat(server.url, 'Hầm biogas là gì?', { from: '127.0.0.3' })).status).toBe(200);
  });

  it('does not count CORS preflights, which a browser sends on its own', async () => {
    for (let i = 0; i < 10; i++) {
      const pre = await send(`${server.url}/api/chat`, {
        method: 'OPTIONS',
        headers: { origin: server.url, 'access-control-request-method': 'POST' },
        from: '127.0.0.4',
      });
      expect(pre.status).toBe(204);
    }
    expect((await chat(server.url, 'Ủ phân compost thế nào?', { from: '127.0.0.4' })).status).toBe(200);
  });

  it('leaves pages outside /api alone', async () => {
    for (let i = 0; i < 8; i++) expect((await send(`${server.url}/healthz`, { from: '127.0.0.2' })).status).toBe(200);
  });
});

describe('a flood of 10× the limit from one client', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '10' });
  });
  afterAll(() => server.close());

  it('is turned away while another client is still answered', async () => {
    const flooder = '127.0.0.5';
    const neighbour = '127.0.0.6';
    const flood: Promise<Reply>[] = [];
    const neighbourReplies: Promise<Reply>[] = [];
    // 100 requests, 10 at a time, with the neighbour asking in between
    for (let wave = 0; wave < 10; wave++) {
      const batch = Array.from({ length: 10 }, () => chat(server.url, 'Chế phẩm sinh học là gì?', { from: flooder }));
      flood.push(...batch);
      if (wave % 2 === 0) neighbourReplies.push(chat(server.url, 'Xử lý rác hữu cơ trong nhà thế nào?', { from: neighbour }));
      await Promise.all(batch);
    }
    const replies = await Promise.all(flood);
    const served = replies.filter((r) => r.status === 200).length;
    const limited = replies.filter((r) => r.status === 429);
    expect(served + limited.length).toBe(100);
    expect(served).toBeGreaterThanOrEqual(10);
    expect(served).toBeLessThanOrEqual(12); // 10 at once, plus at most what refills during the flood
    for (const r of limited) expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    const neighbourStatuses = (await Promise.all(neighbourReplies)).map((r) => r.status);
    expect(neighbourStatuses).toEqual([200, 200, 200, 200, 200]);
    const answer = (await Promise.all(neighbourReplies))[0]!.json();
    expect(answer.answered).toBe(true);
    expect((await send(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('client address behind a reverse proxy', () => {
  let server: TestServer;
  beforeAll(async () => {
    // 127.0.0.1 is the proxy (nginx on the same machine); 127.0.0.7 is not
    server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: '127.0.0.1' });
  });
  afterAll(() => server.close());

  const viaProxy = (xff: string) => chat(server.url, 'Phân bón vi sinh là gì?', { from: '127.0.0.1', headers: { 'x-forwarded-for': xff } });

  it('counts each forwarded client separately when the socket is the trusted proxy', async () => {
    expect((await viaProxy('203.0.113.10')).status).toBe(200);
    expect((await viaProxy('203.0.113.10')).status).toBe(200);
    expect((await viaProxy('203.0.113.10')).status).toBe(429);
    expect((await viaProxy('203.0.113.11')).status).toBe(200);
  });

  it('does not let a client escape its limit by writing its own X-Forwarded-For entries', async () => {
    // the proxy appends the real address; what the client wrote on the left is ignored
    expect((await viaProxy('198.51.100.1, 203.0.113.20')).status).toBe(200);
    expect((await viaProxy('198.51.100.2, 203.0.113.20')).status).toBe(200);
    expect((await viaProxy('198.51.100.3, 203.0.113.20')).status).toBe(429);
  });

  it('ignores X-Forwarded-For from a socket that is not a trusted proxy', async () => {
    const direct = (xff: string) => chat(server.url, 'Biogas là gì?', { from: '127.0.0.7', headers: { 'x-forwarded-for': xff } });
    expect((await direct('203.0.113.30')).status).toBe(200);
    expect((await direct('203.0.113.31')).status).toBe(200);
    expect((await direct('203.0.113.32')).status).toBe(429);
  });

  it('one IPv6 /56 (256 /64s) shares a network bucket: it cannot multiply its budget by 256', async () => {
    const app = new Hono();
    app.use('*', rateLimit({ perMinute: 5, proxies: trustedProxies(['10.0.0.1']), networkFactor: 4, now: () => 1_000 }));
    app.get('/', (c) => c.text('ok'));
    const from = async (address: string) =>
      app.fetch(new Request('http://x/', { headers: { 'x-forwarded-for': address } }), { incoming: { socket: { remoteAddress: '10.0.0.1' } } });
    const statuses: number[] = [];
    for (let i = 0; i < 256; i++) statuses.push((await from(`2001:db8:bb:${i.toString(16)}::1`)).status);
    // 5 per /64, 20 for the whole /56
    expect(statuses.filter((s) => s === 200).length).toBe(20);
    expect(networkKey('2001:db8:bb:ff::1', 56)).toBe('2001:db8:bb:0::/56');
    expect(networkKey('2001:db8:bb:1ff::1', 56)).toBe('2001:db8:bb:100::/56');
    // another /56 is not affected
    expect((await from('2001:db8:cc::1')).status).toBe(200);
  });

  it('gives an IPv6 household one bucket per /64, and reads CIDR proxy ranges', () => {
    expect(rateKey('2001:db8:1:2:aaaa::1')).toBe(rateKey('2001:0db8:0001:0002:ffff:1:2:3'));
    expect(rateKey('2001:db8:1:2::1')).not.toBe(rateKey('2001:db8:1:3::1'));
    expect(rateKey('203.0.113.9')).toBe('203.0.113.9');
    const proxies = trustedProxies(['10.0.0.0/8']);
    const fake = (socket: string, xff: string) =>
      ({ env: { incoming: { socket: { remoteAddress: socket } } }, req: { header: () => xff } }) as unknown as Parameters<typeof clientAddress>[0];
    expect(clientAddress(fake('10.1.2.3', '203.0.113.40'), proxies)).toBe('203.0.113.40');
    expect(clientAddress(fake('::ffff:10.1.2.3', '203.0.113.41, 10.9.9.9'), proxies)).toBe('203.0.113.41');
    expect(clientAddress(fake('192.0.2.1', '203.0.113.42'), proxies)).toBe('192.0.2.1');
  });
});

describe('CORS on the public API: exact origins from ALLOWED_ORIGINS', () => {
  const portal = 'https://congthongtin.sonla.gov.vn';
  const school = 'https://thpt-chuyen.sonla.edu.vn';
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ALLOWED_ORIGINS: `${portal}, ${school}/` });
  });
  afterAll(() => server.close());

  const preflight = (origin: string) =>
    send(`${server.url}/api/chat`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });

  it('answers a listed site’s preflight with its own origin, never *', async () => {
    for (const origin of [portal, school]) {
      const pre = await preflight(origin);
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe(origin);
      expect(pre.headers['access-control-allow-methods']).toContain('POST');
      expect(pre.headers['access-control-allow-headers']?.toLowerCase()).toContain('content-type');
      expect(pre.headers.vary).toContain('Origin');
      expect(pre.headers['access-control-allow-credentials']).toBeUndefined();
    }
  });

  it('lets a listed site read the answer and the Retry-After header', async () => {
    const reply = await chat(server.url, 'Đệm lót sinh học là gì?', { headers: { origin: portal } });
    expect(reply.status).toBe(200);
    expect(reply.headers['access-control-allow-origin']).toBe(portal);
    expect(reply.headers['access-control-expose-headers']).toContain('Retry-After');
    expect(reply.headers.vary).toContain('Origin');
  });

  it('refuses other sites, look-alikes included, with 403 and no CORS header', async () => {
    for (const origin of ['https://evil.example', `${portal}.evil.example`, 'http://congthongtin.sonla.gov.vn', 'https://sonla.gov.vn', 'null']) {
      const pre = await preflight(origin);
      expectError(pre, 'forbidden_origin');
      expect(pre.headers['access-control-allow-origin']).toBeUndefined();
      const reply = await chat(server.url, 'Đệm lót sinh học là gì?', { headers: { origin } });
      expectError(reply, 'forbidden_origin');
      expect(reply.headers['access-control-allow-origin']).toBeUndefined();
      expect(reply.headers.vary).toContain('Origin');
    }
  });

  it('serves our own pages (same origin) and clients that send no Origin', async () => {
    expect((await chat(server.url, 'Hầm biogas là gì?', { headers: { origin: server.url } })).status).toBe(200);
    const plain = await chat(server.url, 'Hầm biogas là gì?');
    expect(plain.status).toBe(200);
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
    expect(plain.headers.vary).toContain('Origin');
  });

  it('adds no CORS headers outside /api', async () => {
    const health = await send(`${server.url}/healthz`, { headers: { origin: portal } });
    expect(health.status).toBe(200);
    expect(health.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('secure headers on pages we serve', () => {
  const portal = 'https://congthongtin.sonla.gov.vn';
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ALLOWED_ORIGINS: portal, TRUST_PROXY: '127.0.0.1', RETENTION_DAYS: '90' });
  });
  afterAll(() => server.close());

  it('sends a CSP that allows only our scripts and framing by listed sites, and nosniff', async () => {
    const page = await send(`${server.url}/quyen-rieng-tu`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain(`frame-ancestors 'self' ${portal}`);
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['strict-transport-security']).toBeUndefined();
  });

  it('sends HSTS only when a trusted proxy says the request came over TLS', async () => {
    const tls = await send(`${server.url}/quyen-rieng-tu`, { headers: { 'x-forwarded-proto': 'https' }, from: '127.0.0.1' });
    expect(tls.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
    const spoofed = await send(`${server.url}/quyen-rieng-tu`, { headers: { 'x-forwarded-proto': 'https' }, from: '127.0.0.8' });
    expect(spoofed.headers['strict-transport-security']).toBeUndefined();
  });

  it('marks API responses nosniff without a page CSP', async () => {
    const reply = await chat(server.url, 'Đệm lót sinh học là gì?');
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers['content-security-policy']).toBeUndefined();
  });

  it('gives HTML without a policy the strict default, and keeps a stricter policy a route set itself', async () => {
    const app = new Hono();
    app.use('*', secureHeaders({ allowedOrigins: [portal], proxies: trustedProxies([]) }));
    app.get('/plain', (c) => c.html('<p>xin chào</p>'));
    app.get('/admin', (c) => c.html('<p>quản trị</p>', 200, { 'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'" }));
    const plain = await app.request('/plain');
    expect(plain.headers.get('content-security-policy')).toBe(contentSecurityPolicy([portal]));
    expect(contentSecurityPolicy([portal])).not.toContain('unsafe');
    expect((await app.request('/admin')).headers.get('content-security-policy')).toBe("default-src 'self'; frame-ancestors 'none'");
  });

  it('publishes the privacy notice with the retention this server enforces', async () => {
    const page = await send(`${server.url}/quyen-rieng-tu`);
    expect(page.text).toContain('<html lang="vi">');
    expect(page.text).toContain('<strong>90 ngày</strong>');
    expect(page.text).toContain('Không lưu địa chỉ IP');
    expect(page.text).toContain('không được gửi tới dịch vụ bên ngoài');
  });
});

describe('request size limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('refuses a body over 16 KB with 413, whether its length is declared or streamed', async () => {
    const big = JSON.stringify({ message: 'a'.repeat(17 * 1024) });
    expectError(await send(`${server.url}/api/chat`, { method: 'POST', headers: json, body: big }), 'body_too_large');
    const streamed = await send(`${server.url}/api/chat`, {
      method: 'POST',
      headers: json,
      chunks: ['{"message":"', ...Array.from({ length: 20 }, () => 'b'.repeat(1024)), '"}'],
    });
    expectError(streamed, 'body_too_large');
    expectError(await send(`${server.url}/api/feedback`, { method: 'POST', headers: json, body: big }), 'body_too_large');
  });

  it('accepts a question of 1,500 characters and refuses 1,501 with 413', async () => {
    const question = 'Đệm lót sinh học là gì? ';
    const exactly = question.repeat(100).slice(0, 1500);
    expect((await chat(server.url, exactly)).status).toBe(200);
    expectError(await chat(server.url, `${exactly}x`), 'too_long');
  });

  it('counts characters as people see them: 1,500 emoji fit, although each is two UTF-16 units', async () => {
    expect((await chat(server.url, '🌱'.repeat(1500))).status).toBe(200);
    expectError(await chat(server.url, '🌱'.repeat(1501)), 'too_long');
  });

  it('answers malformed, empty and non-JSON requests with the matching error', async () => {
    expectError(await send(`${server.url}/api/chat`, { method: 'POST', headers: json, body: '{"message": "Đệm' }), 'bad_json');
    expectError(await chat(server.url, '   \u0000\u202E  '), 'empty_message');
    expectError(await send(`${server.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'Đệm lót?' }), 'not_json');
  });
});

describe('cap on answers streaming at once', () => {
  let server: ServerType;
  let url: string;
  const held: (() => void)[] = [];
  const limit = streamLimit(2);

  beforeAll(async () => {
    // a stand-in for a slow model: each stream stays open until the test lets it go
    const app = new Hono();
    app.use('/api/*', limit.middleware);
    app.post('/api/chat', (c) => {
      if (!(c.req.header('accept') ?? '').includes('text/event-stream')) return c.json({ answered: true });
      return streamSSE(c, async (stream) => {
        await stream.writeSSE({ event: 'delta', data: '{"text":"Đang trả lời"}' });
        await new Promise<void>((resolve) => {
          held.push(resolve);
          stream.onAbort(resolve);
        });
        await stream.writeSSE({ event: 'done', data: '{}' });
      });
    });
    server = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const openStream = async () => {
    const controller = new AbortController();
    const res = await fetch(`${url}/api/chat`, {
      method: 'POST',
      headers: { ...json, accept: 'text/event-stream' },
      body: '{"message":"x"}',
      signal: controller.signal,
    });
    return { res, controller };
  };
  const until = async (ok: () => boolean) => {
    while (!ok()) await new Promise((r) => setTimeout(r, 10));
  };

  it('refuses the stream over the cap with 503 busy, and accepts again when one ends or its reader leaves', async () => {
    const first = await openStream();
    const second = await openStream();
    expect([first.res.status, second.res.status]).toEqual([200, 200]);
    await until(() => held.length === 2);

    const third = await openStream();
    expect(third.res.status).toBe(503);
    expect(third.res.headers.get('retry-after')).toBe('5');
    const body = (await third.res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('busy');
    expect(body.error.message).toContain('bận');

    // a plain JSON request is not a stream and is not capped
    expect((await fetch(`${url}/api/chat`, { method: 'POST', headers: json, body: '{}' })).status).toBe(200);

    held.shift()!();
    await first.res.text();
    await until(() => limit.active() === 1);
    const fourth = await openStream();
    expect(fourth.res.status).toBe(200);

    second.controller.abort();
    await until(() => limit.active() === 1);
    const fifth = await openStream();
    expect(fifth.res.status).toBe(200);

    for (const release of held.splice(0)) release();
    await Promise.all([fourth.res.text(), fifth.res.text()]);
    await until(() => limit.active() === 0);
  });

  it('one client holds at most its share of the streams; another client still gets one (I5)', async () => {
    const app = new Hono();
    const shared = streamLimit(64, { key: (c) => c.req.header('x-client') ?? '' });
    const open: (() => void)[] = [];
    app.use('*', shared.middleware);
    app.post('/', (c) => streamSSE(c, () => new Promise<void>((r) => open.push(r))));
    const post = (client: string) => app.request('/', { method: 'POST', headers: { accept: 'text/event-stream', 'x-client': client } });
    const mine = await Promise.all(Array.from({ length: 12 }, () => post('a')));
    expect(mine.filter((r) => r.status === 200).length).toBe(8);
    expect(mine.filter((r) => r.status === 503).length).toBe(4);
    expect((await post('b')).status).toBe(200);
    for (const r of open.splice(0)) r();
  });
});

describe('connections per client (I4)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('one client cannot hold more than its share of slow connections; another client is still served', async () => {
    const { connect } = await import('node:net');
    const { port } = new URL(server.url);
    const sockets = await Promise.all(
      Array.from(
        { length: CONNECTION_LIMITS.perClient + 20 },
        () =>
          new Promise<{ closed: () => boolean; destroy: () => void }>((resolve) => {
            let closed = false;
            const s = connect({ host: '127.0.0.1', port: Number(port), localAddress: '127.0.0.9' }, () => {
              s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); // the head never ends: a slow-header client
              setTimeout(() => resolve({ closed: () => closed, destroy: () => s.destroy() }), 300);
            });
            s.on('close', () => (closed = true));
            s.on('error', () => (closed = true));
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, 200));
    const refused = sockets.filter((s) => s.closed()).length;
    expect(refused).toBeGreaterThanOrEqual(20);
    expect((await send(`${server.url}/healthz`, { from: '127.0.0.10' })).status).toBe(200);
    for (const s of sockets) s.destroy();
  });
});

describe('same origin is decided by PUBLIC_BASE_URL, never by the Host header (I2)', () => {
  let plain: TestServer;
  let configured: TestServer;
  beforeAll(async () => {
    plain = await startTestServer();
    configured = await startTestServer({ PUBLIC_BASE_URL: 'https://hoidap.sonla.gov.vn/' });
  });
  afterAll(async () => {
    await plain.close();
    await configured.close();
  });
  const ask = (url: string, headers: Record<string, string>) =>
    send(`${url}/api/chat`, { method: 'POST', headers: { ...json, ...headers }, body: '{"message":"Biogas là gì?"}' });

  it('a site that rebinds its name to us and sends Origin = Host is still another site', async () => {
    const rebound = await ask(plain.url, { origin: 'http://evil.example', host: 'evil.example' });
    expect(rebound.status).toBe(403);
    expect(rebound.headers['access-control-allow-origin']).toBeUndefined();
    // our own page on this machine still calls the API
    const { host } = new URL(plain.url);
    expect((await ask(plain.url, { origin: plain.url, host })).status).toBe(200);
  });

  it('with PUBLIC_BASE_URL, that origin is ours whatever the Host says, and the teacher page embeds it', async () => {
    expect((await ask(configured.url, { origin: 'https://hoidap.sonla.gov.vn', host: 'internal:3000' })).status).toBe(200);
    expect((await ask(configured.url, { origin: 'http://evil.example', host: 'evil.example' })).status).toBe(403);
    const page = await send(`${configured.url}/giao-vien`, { headers: { host: 'evil.example' } });
    expect(page.text).toContain('https://hoidap.sonla.gov.vn/widget.js');
    expect(page.text).not.toContain('evil.example/widget.js');
  });
});
