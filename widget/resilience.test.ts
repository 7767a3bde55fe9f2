import { serve, type ServerType } from '@hono/node-server';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config.ts';
import { buildServer } from '../server/server.ts';
import { startTestServer, type TestServer } from '../server/testing.ts';
import { ask, axeViolations, chatParts, launchChromium } from './browser.ts';

/** Accessibility in every state, a strict host CSP, and what a user sees when things go wrong. */

let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());
beforeEach(async () => {
  // axe is injected as an inline script, which our own pages' CSP rightly refuses
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  page = await context.newPage();
});
afterEach(() => context.close());

const finished = (parts: ReturnType<typeof chatParts>, n: number) => parts.chat.locator('.msg.bot[aria-busy="false"]').nth(n - 1).waitFor();

describe('accessibility (axe-core, WCAG 2.2 A/AA, shadow DOM included)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('has no violations on the portal with the widget closed, open, answered and in error', async () => {
    await page.goto(`${server.url}/`);
    const parts = chatParts(page);
    await parts.launcher.waitFor();
    expect(await axeViolations(page), 'closed').toEqual([]);

    await parts.launcher.click();
    await parts.chat.locator('.chip').first().waitFor();
    expect(await axeViolations(page), 'open').toEqual([]);

    await ask(parts.input, 'Đệm lót sinh học là gì?');
    await finished(parts, 1);
    await parts.lastReply.locator('.cites summary').first().click();
    await parts.lastReply.getByRole('button', { name: 'Có, hữu ích' }).click();
    expect(await axeViolations(page), 'answered').toEqual([]);

    await context.setOffline(true);
    await ask(parts.input, 'Hầm biogas có nguy hiểm không?');
    await finished(parts, 2);
    const error = parts.lastReply.locator('[part="error"]');
    expect(await error.textContent()).toContain('Bạn đang mất kết nối mạng');
    expect(await parts.chat.locator('.offline').textContent()).toContain('mất kết nối mạng');
    expect(await axeViolations(page), 'error').toEqual([]);
  });

  it('has no violations on the school page with the inline student widget, before and after an answer', async () => {
    await page.goto(`${server.url}/truong-hoc`);
    const parts = chatParts(page);
    await parts.chat.locator('.chip').first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await ask(parts.input, 'Khí sinh học được tạo ra như thế nào?');
    await finished(parts, 1);
    await parts.lastReply.locator('button.term').first().click();
    expect(await axeViolations(page)).toEqual([]);
  });

  it('has no violations on source pages', async () => {
    for (const path of ['/nguon', '/nguon/ke-hoach-cnsh-bvmt-2030', '/nguon/danh-muc-san-pham', '/nguon/hoi-dap']) {
      await page.goto(`${server.url}${path}`);
      expect(await axeViolations(page), path).toEqual([]);
    }
  });
});

describe('a host page with a strict Content-Security-Policy', () => {
  let host: Server;
  let hostUrl: string;
  let server: TestServer;

  beforeAll(async () => {
    let apiOrigin = '';
    host = createServer((req, res) => {
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': `default-src 'none'; script-src ${apiOrigin}; connect-src ${apiOrigin}`,
      });
      res.end(`<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Trường học</title>
        <script type="module" src="${apiOrigin}/widget.js"></script></head>
        <body><main><h1>Trang nhúng</h1><cnsh-chat mode="inline" audience="student" site="csp-test"></cnsh-chat></main></body></html>`);
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    // "localhost" and "127.0.0.1" are different origins: the widget really embeds cross-origin
    hostUrl = `http://localhost:${(host.address() as AddressInfo).port}`;
    server = await startTestServer({ ALLOWED_ORIGINS: hostUrl });
    apiOrigin = server.url;
  });
  afterAll(async () => {
    host.closeAllConnections();
    await new Promise((resolve) => host.close(resolve));
    await server.close();
  });

  /** A fresh page that records console errors, page errors and CSP violations as `problems`. */
  const strictPage = async () => {
    const strict = await browser.newContext();
    const p = await strict.newPage();
    const problems: string[] = [];
    p.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    p.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await p.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP ${e.violatedDirective} ${e.blockedURI}`)),
    );
    return { strict, p, problems };
  };

  it('works cross-origin with default-src none and logs no violation or error', async () => {
    const { strict, p, problems } = await strictPage();
    await p.goto(hostUrl);
    const parts = chatParts(p);
    await ask(parts.input, 'Vi sinh vật xử lí nước thải ra sao?');
    await finished(parts, 1);
    expect(await parts.lastReply.locator('.cites a').first().getAttribute('href')).toMatch(new RegExp(`^${server.url}/nguon/`));
    await parts.lastReply.locator('button.term').first().waitFor();
    // the widget's styles applied: Lit adopted them as constructable stylesheets
    expect(await parts.input.evaluate((el) => getComputedStyle(el).borderRadius)).toBe('10px');
    const feedback = parts.lastReply.getByRole('button', { name: 'Có, hữu ích' });
    await feedback.click();
    await parts.lastReply.getByRole('button', { name: 'Gửi đánh giá' }).click();
    await parts.lastReply.getByText('Cảm ơn bạn đã góp ý').waitFor();
    expect(problems).toEqual([]);
    await strict.close();
  });

  it('loads the Ôn tập chunk and runs a question under the same policy, styled, with no violation or error', async () => {
    const { strict, p, problems } = await strictPage();
    const chunk = p.waitForResponse((r) => /\/widget-quiz-[\w-]+\.js$/.test(r.url()));
    await p.goto(hostUrl);
    const chat = chatParts(p).chat;
    await chat.getByRole('tab', { name: 'Ôn tập' }).click();
    expect((await chunk).url()).toMatch(new RegExp(`^${server.url}/widget-quiz-`));
    await chat.locator('.topics button').first().click();
    await chat.locator('.quiz .opt').first().click();
    await chat.getByRole('button', { name: 'Trả lời' }).click();
    await chat.locator('.feedback-box').waitFor();
    expect(await chat.locator('.feedback-box a').getAttribute('href')).toMatch(new RegExp(`^${server.url}/nguon/`));
    // the chunk's own stylesheet was adopted too
    expect(await chat.locator('.quiz .opt').first().evaluate((el) => getComputedStyle(el).borderRadius)).toBe('10px');
    expect(problems).toEqual([]);
    await strict.close();
  });

  it('our own pages load with our own CSP and log nothing either', async () => {
    const strict = await browser.newContext();
    const p = await strict.newPage();
    const problems: string[] = [];
    p.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await p.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP ${e.violatedDirective} ${e.blockedURI}`)),
    );
    for (const path of ['/', '/truong-hoc', '/nguon/ke-hoach-cnsh-bvmt-2030', '/giao-vien']) {
      await p.goto(`${server.url}${path}`);
      await chatParts(p).chat.locator('.launcher, .chip').first().waitFor();
    }
    expect(problems).toEqual([]);
    await strict.close();
  });
});

describe('when things go wrong', () => {
  it('shows a friendly error when the server stops mid-conversation, and answers again after "Thử lại"', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cnsh-widget-'));
    const server = await startTestServer({ DATA_DIR: dataDir });
    const port = Number(new URL(server.url).port);
    await page.goto(`${server.url}/`);
    const parts = chatParts(page);
    await parts.launcher.click();
    await ask(parts.input, 'Đệm lót sinh học là gì?');
    await finished(parts, 1);

    await server.close();
    await ask(parts.input, 'Hầm biogas cần lưu ý gì?');
    await finished(parts, 2);
    const error = parts.lastReply.locator('[part="error"]');
    expect(await error.textContent()).toContain('Không kết nối được tới máy chủ trợ lý');
    await expect.poll(() => parts.status.textContent()).toContain('Không kết nối được tới máy chủ trợ lý');
    expect(await parts.questions.count()).toBe(2);

    // the same server comes back on the same address and data: "Thử lại" asks the same question again
    const again = await buildServer(loadConfig({ DATA_DIR: dataDir, RATE_LIMIT_PER_MINUTE: '0' }));
    const listening = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: again.app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s));
    });
    try {
      await error.getByRole('button', { name: 'Thử lại' }).click();
      await parts.chat.locator('.msg.bot[aria-busy="false"]').nth(1).locator('.cites a').first().waitFor();
      expect(await parts.questions.count()).toBe(2);
      expect(await parts.replies.count()).toBe(2);
    } finally {
      await new Promise((resolve) => {
        listening.close(resolve);
        (listening as unknown as { closeAllConnections(): void }).closeAllConnections();
      });
      await again.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('shows the wait after too many questions (429 with Retry-After)', async () => {
    const server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '2' });
    await page.goto(`${server.url}/`);
    const parts = chatParts(page);
    await parts.launcher.click();
    await ask(parts.input, 'Đệm lót sinh học là gì?');
    await finished(parts, 1);
    await ask(parts.input, 'Làm sao vận hành hầm biogas an toàn?');
    await finished(parts, 2);
    await ask(parts.input, 'Rác hữu cơ trong nhà xử lý thế nào?');
    await finished(parts, 3);
    const error = parts.lastReply.locator('[part="error"]');
    expect(await error.textContent()).toMatch(/Vui lòng chờ \d+ giây rồi thử lại/);
    expect(await error.getByRole('button', { name: 'Thử lại' }).isDisabled()).toBe(true);
    await server.close();
  });

  it('says when the answer is slow, lets the user stop it, and offers to ask again', async () => {
    const server = await startTestServer();
    await page.goto(`${server.url}/`);
    const parts = chatParts(page);
    await parts.chat.evaluate((el) => ((el as unknown as { slowAfterMs: number }).slowAfterMs = 300));
    await parts.launcher.click();
    // a slow mountain connection: the request reaches the real server only after a while
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/chat', async (route) => {
      await held;
      await route.continue().catch(() => {});
    });
    await ask(parts.input, 'Đệm lót sinh học là gì?');
    await parts.chat.getByText('Mạng hoặc máy chủ đang chậm').waitFor();
    await parts.chat.getByRole('button', { name: 'Dừng' }).click();
    await finished(parts, 1);
    expect(await parts.lastReply.textContent()).toContain('Bạn đã dừng câu trả lời này.');

    release();
    await page.unroute('**/api/chat');
    await parts.lastReply.getByRole('button', { name: 'Hỏi lại' }).click();
    await parts.chat.locator('.msg.bot[aria-busy="false"] .cites').first().waitFor();
    expect(await parts.questions.count()).toBe(1);
    await server.close();
  });
});
