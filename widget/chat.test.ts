import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/testing.ts';
import { ask, chatParts, focused, launchChromium } from './browser.ts';

/** A citizen on the demo portal and a student on the demo school page, in real Chromium against the real server. */

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN' });
  page = await context.newPage();
});
afterEach(() => context.close());

async function openPortal() {
  await page.goto(`${server.url}/`);
  const parts = chatParts(page);
  await parts.launcher.click();
  await expect.poll(() => parts.dialog.evaluate((d: HTMLDialogElement) => d.open)).toBe(true);
  return parts;
}

/** Waits until `n` replies have finished (answer, stop or error). */
const finished = (parts: ReturnType<typeof chatParts>, n: number) => parts.chat.locator('.msg.bot[aria-busy="false"]').nth(n - 1).waitFor();

describe('a citizen on the portal', () => {
  it('asks a question, sees the answer streamed, and follows a citation to the section it came from', async () => {
    const parts = await openPortal();
    const streamed = page.waitForResponse((r) => r.url().endsWith('/api/chat'));
    await ask(parts.input, 'Đệm lót sinh học là gì?');
    const response = await streamed;
    expect(response.headers()['content-type']).toMatch(/^text\/event-stream/);
    await finished(parts, 1);

    const reply = parts.lastReply;
    await expect.poll(() => reply.locator('p').first().textContent()).toMatch(/đệm lót/i);
    await expect.poll(() => parts.status.textContent()).toMatch(/^Trợ lý trả lời: .*đệm lót/i);
    const links = reply.locator('.cites a');
    expect(await links.count()).toBeGreaterThan(0);
    const first = links.first();
    const href = (await first.getAttribute('href'))!;
    expect(href).toMatch(new RegExp(`^${server.url}/nguon/[a-z0-9-]+#[a-z0-9-]+$`));
    const snippet = (await reply.locator('.cites blockquote').first().textContent())!.trim();

    // the citation's snippet can be read in place, then the whole source in a new tab
    await reply.locator('.cites summary').first().click();
    expect(await reply.locator('.cites blockquote').first().isVisible()).toBe(true);
    const [source] = await Promise.all([context.waitForEvent('page'), first.click()]);
    await source.waitForLoadState();
    const anchor = decodeURIComponent(new URL(href).hash.slice(1));
    const section = source.locator(`[id="${anchor}"]`);
    expect(await section.isVisible()).toBe(true);
    const box = (await section.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeLessThan(800);
    const sectionText = await section.locator('xpath=..').textContent();
    expect(sectionText!.replace(/\s+/g, ' ')).toContain(snippet.replace(/…$/, '').slice(0, 40));
  });

  it('understands a question typed without diacritics', async () => {
    const parts = await openPortal();
    await ask(parts.input, 'dem lot sinh hoc la gi');
    await finished(parts, 1);
    expect(await parts.lastReply.getAttribute('class')).not.toContain('declined');
    expect(await parts.lastReply.locator('.cites a').first().getAttribute('href')).toMatch(/\/nguon\/[a-z-]+#/);
    expect(await parts.lastReply.textContent()).toMatch(/Đệm lót|đệm lót/);
  });

  it('sends 👎 with a comment, and staff find it in the feedback table', async () => {
    const parts = await openPortal();
    await ask(parts.input, 'Làm sao vận hành hầm biogas an toàn?');
    await finished(parts, 1);
    await parts.lastReply.getByRole('button', { name: 'Chưa hữu ích' }).click();
    await parts.lastReply.getByLabel(/Góp ý thêm/).fill('Muốn biết thêm về khí H2S');
    await parts.lastReply.getByRole('button', { name: 'Gửi đánh giá' }).click();
    await parts.lastReply.getByText('Cảm ơn bạn đã góp ý').waitFor();

    const rows = server.assistant.db
      .prepare('SELECT f.helpful, f.comment, q.text FROM feedback f JOIN questions q ON q.id = f.message_id')
      .all() as { helpful: number; comment: string; text: string }[];
    expect(rows).toContainEqual({ helpful: 0, comment: 'Muốn biết thêm về khí H2S', text: 'Làm sao vận hành hầm biogas an toàn?' });
  });

  it('can be used with the keyboard alone, and Esc returns focus to the launcher', async () => {
    await page.goto(`${server.url}/`);
    const parts = chatParts(page);
    await parts.launcher.waitFor();
    // the launcher comes early in the page: right after the skip link
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatch(/^button\.launcher\|/);
    expect(await parts.launcher.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toMatch(/^textarea#q/);

    await page.keyboard.type('Rác hữu cơ trong nhà xử lý thế nào?');
    await page.keyboard.press('Enter');
    await finished(parts, 1);
    expect(await parts.questions.first().textContent()).toContain('Rác hữu cơ trong nhà xử lý thế nào?');

    // back from the input: the last follow-up question, then ask it with Enter
    await page.keyboard.press('Shift+Tab');
    const suggestion = (await focused(page)).split('|');
    expect(suggestion[0]).toBe('button.chip');
    await page.keyboard.press('Enter');
    await finished(parts, 2);
    expect(await parts.questions.nth(1).textContent()).toContain(suggestion[1]!);

    // a citation marker in the answer opens its source entry and moves focus to its link
    const ref = parts.chat.locator('.msg.bot[aria-busy="false"]').nth(1).locator('button.ref').first();
    await ref.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toMatch(/^a\|/);

    await page.keyboard.press('Escape');
    await expect.poll(() => parts.dialog.evaluate((d: HTMLDialogElement) => d.open)).toBe(false);
    expect(await focused(page)).toMatch(/^button\.launcher\|/);
  });

  it('keeps the conversation for the tab, and "Cuộc trò chuyện mới" clears it', async () => {
    const parts = await openPortal();
    await ask(parts.input, 'Đệm lót sinh học là gì?');
    await finished(parts, 1);
    await page.reload();
    await parts.launcher.click();
    await finished(parts, 1);
    expect(await parts.questions.count()).toBe(1);
    const stored = await page.evaluate(() => Object.keys(sessionStorage));
    expect(stored.some((k) => k.startsWith('cnsh-chat:'))).toBe(true);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await page.evaluate(() => localStorage.length)).toBe(0);

    await parts.chat.getByRole('button', { name: 'Cuộc trò chuyện mới' }).click();
    expect(await parts.questions.count()).toBe(0);
    expect(await parts.chat.locator('.chip').count()).toBe(4);
    await page.reload();
    await parts.launcher.click();
    expect(await parts.questions.count()).toBe(0);
  });

  it('shows the privacy notice once per tab, linking to the privacy page', async () => {
    const parts = await openPortal();
    const notice = parts.chat.locator('[part="privacy"]');
    expect(await notice.textContent()).toContain('Đừng nhập họ tên, số điện thoại, số CCCD');
    expect(await notice.locator('a').getAttribute('href')).toBe(`${server.url}/quyen-rieng-tu`);
    await notice.getByRole('button', { name: 'Đã hiểu' }).click();
    expect(await notice.count()).toBe(0);
    await page.reload();
    await parts.launcher.click();
    await parts.input.waitFor();
    expect(await notice.count()).toBe(0);
  });

  it('shows HTML typed as a question as text, and never creates an element from it', async () => {
    const parts = await openPortal();
    const typed = '<img src=x onerror="window.pwned=1"> đệm lót là gì?';
    await ask(parts.input, typed);
    await finished(parts, 1);
    expect(await parts.questions.first().textContent()).toContain(typed);
    expect(await page.evaluate(() => document.querySelector('cnsh-chat')!.shadowRoot!.querySelectorAll('img').length)).toBe(0);
    expect(await page.evaluate(() => 'pwned' in window)).toBe(false);
  });

  it('renders markup inside an answer as text, and links only to the assistant itself', async () => {
    await page.goto(`${server.url}/`);
    // a stored conversation is rendered by the same code as a live answer
    await page.evaluate((origin) => {
      const answer = [
        '<img src=x onerror="window.pwned=1"> là chuỗi ký tự, **không** phải ảnh. [1]',
        '- Đọc [Kế hoạch](/nguon/ke-hoach-cnsh-bvmt-2030#ii) hoặc [trang lạ](https://evil.example/)',
      ].join('\n');
      const turns = [
        { role: 'user', id: 'u1', text: 'thử' },
        {
          role: 'assistant',
          id: 'a1',
          question: 'thử',
          status: 'done',
          text: answer,
          messageId: 'm1',
          answered: true,
          citations: [{ id: 'x', docId: 'ke-hoach-cnsh-bvmt-2030', kind: 'plan', title: '<b>Kế hoạch</b>', section: 'Mục II', url: '/nguon/ke-hoach-cnsh-bvmt-2030#ii', snippet: '<script>x</script>' }],
          suggestions: [],
        },
      ];
      sessionStorage.setItem(`cnsh-chat:${origin}:citizen`, JSON.stringify({ turns }));
    }, server.url);
    await page.reload();
    const parts = chatParts(page);
    await parts.launcher.click();
    await finished(parts, 1);
    const reply = parts.lastReply;
    expect(await reply.locator('p').first().textContent()).toContain('<img src=x onerror="window.pwned=1"> là chuỗi ký tự, không phải ảnh.');
    expect(await reply.locator('strong').first().textContent()).toBe('không');
    const links = await reply.locator('.body > ul a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(links).toEqual([`${server.url}/nguon/ke-hoach-cnsh-bvmt-2030#ii`]);
    expect(await reply.locator('.cites a').first().textContent()).toContain('<b>Kế hoạch</b>');
    const shadow = await page.evaluate(() => {
      const root = document.querySelector('cnsh-chat')!.shadowRoot!;
      return { img: root.querySelectorAll('img, script, b').length, pwned: 'pwned' in window };
    });
    expect(shadow).toEqual({ img: 0, pwned: false });
  });
});

describe('a student on the school page', () => {
  it('sees student starters, and taps a glossary term in the answer for its definition', async () => {
    const glossaryRequests: string[] = [];
    page.on('request', (r) => r.url().endsWith('/api/glossary') && glossaryRequests.push(r.url()));
    await page.goto(`${server.url}/truong-hoc`);
    const parts = chatParts(page);
    const starters = await parts.chat.locator('.chip').allTextContents();
    expect(starters.map((s) => s.trim())).toContain('Khí sinh học được tạo ra như thế nào?');
    expect(glossaryRequests).toEqual([]);

    await parts.chat.getByRole('button', { name: 'Khí sinh học được tạo ra như thế nào?' }).click();
    await finished(parts, 1);
    const term = parts.lastReply.locator('button.term').first();
    await term.waitFor();
    const word = (await term.textContent())!.trim();
    await term.click();
    expect(await term.getAttribute('aria-expanded')).toBe('true');
    const definition = parts.lastReply.locator('.def');
    const glossary = (await (await fetch(`${server.url}/api/glossary`)).json()) as { term: string; aliases: string[]; definition: string }[];
    const entry = glossary.find((g) => [g.term.replace(/\s*\(.*\)$/, ''), ...g.aliases].some((n) => n.toLowerCase() === word.toLowerCase()))!;
    expect(await definition.textContent()).toContain(entry.definition);

    await definition.getByRole('button', { name: 'Đóng giải thích' }).click();
    expect(await definition.count()).toBe(0);
    expect(await focused(page)).toMatch(/^button\.term\|/);

    await ask(parts.input, 'Vi sinh vật xử lí nước thải ra sao?');
    await finished(parts, 2);
    expect(glossaryRequests.length).toBe(1);
  });
});

describe('small screens', () => {
  for (const width of [320, 360]) {
    it(`at ${width}×640 the open widget fills the screen and nothing scrolls sideways`, async () => {
      await page.setViewportSize({ width, height: 640 });
      const parts = await openPortal();
      await ask(parts.input, 'Kế hoạch của tỉnh giao Sở Nông nghiệp và Môi trường nhiệm vụ gì?');
      await finished(parts, 1);
      const box = (await parts.dialog.boundingBox())!;
      expect(box).toMatchObject({ x: 0, y: 0, width, height: 640 });
      const overflow = await page.evaluate(() => {
        const root = document.querySelector('cnsh-chat')!.shadowRoot!;
        const log = root.querySelector('.log') as HTMLElement;
        return { page: document.documentElement.scrollWidth - window.innerWidth, log: log.scrollWidth - log.clientWidth };
      });
      expect(overflow).toEqual({ page: 0, log: 0 });
      // a modal dialog here: Esc still closes it and gives focus back to the launcher
      await page.keyboard.press('Escape');
      await expect.poll(() => parts.dialog.evaluate((d: HTMLDialogElement) => d.open)).toBe(false);
      expect(await focused(page)).toMatch(/^button\.launcher\|/);
      // closing takes the widget's own history entry off (history.back(), asynchronous): let it land before navigating
      await page.evaluate(() => new Promise((done) => { addEventListener('popstate', () => done(1), { once: true }); setTimeout(() => done(0), 500); }));
      await page.goto(`${server.url}/truong-hoc`);
      await chatParts(page).chat.locator('.chip').first().waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBe(0);
    });
  }
});
