import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/testing.ts';
import { ask, axeViolations, chatParts, focused, launchChromium, screenshot } from './browser.ts';
import { plainText } from './src/markdown.ts';
import { speakable } from './src/speech.ts';

/**
 * A farmer on a cheap phone (360×740, touch) and a keyboard user on a desktop (1280×800), in real Chromium against
 * the real server: what the newcomer trial tripped over (issue 15), each with axe-core in the new state.
 * `CNSH_SHOTS=/tmp/widget-shots` saves a screenshot of each new phone state for a person to look at.
 */

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

const PHONE = { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };
const DESKTOP = { viewport: { width: 1280, height: 800 } };

async function newPage(device: typeof PHONE | typeof DESKTOP, init?: (p: Page) => Promise<unknown>): Promise<Page> {
  // axe is injected as an inline script, which our own pages' CSP rightly refuses
  const context = await browser.newContext({ ...device, locale: 'vi-VN', bypassCSP: true });
  contexts.push(context);
  const page = await context.newPage();
  await init?.(page);
  return page;
}


const finished = (parts: ReturnType<typeof chatParts>, n: number) => parts.chat.locator('.msg.bot[aria-busy="false"]').nth(n - 1).waitFor();

async function openPortal(page: Page) {
  await page.goto(`${server.url}/`);
  const parts = chatParts(page);
  await parts.launcher.click();
  await expect.poll(() => parts.dialog.evaluate((d: HTMLDialogElement) => d.open)).toBe(true);
  return parts;
}

const box = async (l: { boundingBox(): Promise<{ x: number; y: number; width: number; height: number } | null> }) => (await l.boundingBox())!;

describe('phone first (360×740, touch)', () => {
  it('keeps the privacy notice to two lines with its full text one tap away, and every starter above the composer', async () => {
    const page = await newPage(PHONE);
    const parts = await openPortal(page);
    const notice = parts.chat.locator('[part="privacy"]');
    const text = notice.locator('p').first();
    expect(await text.textContent()).toContain('Đừng nhập họ tên, số điện thoại, số CCCD');
    const lineHeight = await text.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
    expect((await box(text)).height).toBeLessThanOrEqual(2 * lineHeight + 1);
    expect((await box(notice)).height).toBeLessThan(740 * 0.16);
    const composerTop = (await box(parts.chat.locator('form.composer'))).y;
    const chips = parts.chat.locator('.chip');
    expect(await chips.count()).toBe(4);
    for (const chip of await chips.all()) {
      const b = await box(chip);
      expect(b.y + b.height).toBeLessThanOrEqual(composerTop);
    }
    await screenshot(page, '01-privacy-compact');
    expect(await axeViolations(page)).toEqual([]);

    await notice.getByRole('button', { name: 'Chi tiết' }).tap();
    const full = notice.locator('#privacy-full');
    expect(await full.isVisible()).toBe(true);
    expect(await full.textContent()).toContain('đã tự động xóa số điện thoại');
    expect(await full.locator('a').getAttribute('href')).toBe(`${server.url}/quyen-rieng-tu`);
    // the opened notice pushes the conversation down rather than covering it
    const opened = await box(notice);
    expect((await box(parts.chat.locator('.log'))).y).toBeGreaterThanOrEqual(opened.y + opened.height);
    await screenshot(page, '02-privacy-details');
    expect(await axeViolations(page)).toEqual([]);
    await notice.getByRole('button', { name: 'Đã hiểu' }).tap();
    expect(await notice.count()).toBe(0);
  });

  it('labels "Cuộc trò chuyện mới" in words, and brings the conversation back with "Hoàn tác"', async () => {
    const page = await newPage(PHONE);
    const parts = await openPortal(page);
    await parts.chat.locator('.chip').first().tap();
    await finished(parts, 1);
    const button = parts.chat.getByRole('button', { name: 'Cuộc trò chuyện mới' });
    expect((await button.textContent())!.trim()).toBe('Trò chuyện mới');
    await button.tap();
    expect(await parts.questions.count()).toBe(0);
    const undo = parts.chat.getByRole('button', { name: 'Hoàn tác' });
    expect(await parts.chat.locator('.undo').textContent()).toContain('Đã xóa cuộc trò chuyện.');
    await screenshot(page, '03-cleared-undo');
    expect(await axeViolations(page)).toEqual([]);
    await undo.tap();
    await finished(parts, 1);
    expect(await parts.questions.first().textContent()).toContain('Đệm lót sinh học là gì?');
    // restored for the tab too, not just on screen
    await page.reload();
    await parts.launcher.tap();
    await finished(parts, 1);
    expect(await parts.questions.count()).toBe(1);
  });

  it('opens a citation in a reader inside the widget, and Back closes the reader, then the panel, never leaving the page', async () => {
    const page = await newPage(PHONE);
    await page.goto(`${server.url}/nguon`);
    const parts = await openPortal(page);
    await ask(parts.input, 'Kế hoạch của tỉnh giao Sở Nông nghiệp và Môi trường nhiệm vụ gì?');
    await finished(parts, 1);
    const link = parts.lastReply.locator('.cites a').first();
    const snippet = (await parts.lastReply.locator('.cites blockquote').first().textContent())!.trim();
    const pages = page.context().pages().length;
    const cited = (await link.getAttribute('href'))!.match(/\/nguon\/([a-z0-9-]+)/)![1]!;
    await link.tap();
    const reader = parts.chat.locator('[part="reader"]');
    await reader.locator('h3').waitFor();
    await reader.locator('mark').first().waitFor();
    expect(page.context().pages().length).toBe(pages);
    const marked = (await reader.locator('mark').first().textContent())!;
    expect(marked.replace(/^Đoạn được trích: /, '').slice(0, 30)).toBe(snippet.replace(/^[-•]\s+/, '').slice(0, 30));
    // the full page of the very document the citation names
    expect(await reader.getByRole('link', { name: /Mở trang nguồn đầy đủ/ }).getAttribute('href')).toMatch(new RegExp(`/nguon/${cited}#`));
    await screenshot(page, '04-reader');
    expect(await axeViolations(page)).toEqual([]);

    // Android Back: first the reader closes, focus back on the citation
    await page.evaluate(() => history.back());
    await expect.poll(() => reader.count()).toBe(0);
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await parts.dialog.evaluate((d: HTMLDialogElement) => d.open)).toBe(true);
    await expect.poll(() => focused(page)).toMatch(/^a\|/);
    // then the panel closes, and the page is still the portal
    await page.evaluate(() => history.back());
    await expect.poll(() => parts.dialog.evaluate((d: HTMLDialogElement) => d.open)).toBe(false);
    expect(new URL(page.url()).pathname).toBe('/');
    // closing with ✕ takes our history entry off too: Back then leaves as usual
    await parts.launcher.tap();
    await parts.chat.getByRole('button', { name: 'Đóng trợ lý' }).tap();
    await expect.poll(() => parts.dialog.evaluate((d: HTMLDialogElement) => d.open)).toBe(false);
    await page.evaluate(() => history.back());
    await expect.poll(() => new URL(page.url()).pathname).toBe('/nguon');
  });

  it('folds a long answer after a few lines with "Xem thêm", and unfolds it in place', async () => {
    const page = await newPage(PHONE);
    const parts = await openPortal(page);
    await ask(parts.input, 'Kế hoạch của tỉnh giao Sở Nông nghiệp và Môi trường nhiệm vụ gì?');
    await finished(parts, 1);
    const body = parts.lastReply.locator('.body');
    const more = parts.lastReply.getByRole('button', { name: 'Xem thêm' });
    expect(await more.getAttribute('aria-expanded')).toBe('false');
    const folded = await body.evaluate((el) => ({ shown: el.clientHeight, full: el.scrollHeight }));
    expect(folded.shown).toBeLessThan(folded.full);
    expect(folded.shown).toBeLessThanOrEqual(6 * 15 * 1.55);
    // the sources are on the first screen with the answer's first lines
    const firstSource = await box(parts.lastReply.locator('.cites li').first());
    const log = await box(parts.chat.locator('.log'));
    expect(firstSource.y).toBeLessThan(log.y + log.height);
    await screenshot(page, '05-folded-answer');
    expect(await axeViolations(page)).toEqual([]);
    await more.tap();
    const less = parts.lastReply.getByRole('button', { name: 'Thu gọn' });
    expect(await less.getAttribute('aria-expanded')).toBe('true');
    expect(await body.evaluate((el) => el.scrollHeight - el.clientHeight)).toBeLessThanOrEqual(1);
  });

  it('speaks plain words: no abbreviation on the launcher, a farmer\'s example, targets of 24 px, a pressed 👎 that stands out', async () => {
    const page = await newPage(PHONE);
    await page.goto(`${server.url}/`);
    const parts = chatParts(page);
    expect((await parts.launcher.textContent())!.trim()).toBe('Hỏi trợ lý');
    await parts.launcher.tap();
    const placeholder = (await parts.input.getAttribute('placeholder'))!;
    expect(placeholder).toMatch(/^Ví dụ: /);
    expect(placeholder).not.toMatch(/CNSH|Trichoderma/);
    expect(await parts.chat.locator('#t').textContent()).not.toContain('CNSH');
    await parts.chat.getByRole('button', { name: 'Đã hiểu' }).tap();
    await ask(parts.input, 'Làm sao vận hành hầm biogas an toàn?');
    await finished(parts, 1);

    const up = parts.lastReply.getByRole('button', { name: 'Có, hữu ích' });
    const down = parts.lastReply.getByRole('button', { name: 'Chưa hữu ích' });
    const look = (b: typeof up) => b.evaluate((el) => ({ bg: getComputedStyle(el).backgroundColor, border: getComputedStyle(el).borderTopWidth }));
    const before = await look(down);
    await down.tap();
    expect(await down.getAttribute('aria-pressed')).toBe('true');
    const pressed = await look(down);
    expect(pressed.bg).not.toBe(before.bg);
    expect(pressed).not.toEqual(await look(up));
    expect(await down.locator('.tick').isVisible()).toBe(true);
    await screenshot(page, '06-pressed-thumb');

    // every control in the panel, the footer link included, is at least 24×24 px
    const small = await page.evaluate(() => {
      const root = document.querySelector('cnsh-chat')!.shadowRoot!;
      return [...root.querySelectorAll<HTMLElement>('button, a[href], summary, textarea')]
        .filter((el) => el.getClientRects().length)
        .map((el) => ({ el: `${el.tagName} ${(el.textContent ?? '').trim().slice(0, 30)}`, r: el.getBoundingClientRect() }))
        .filter(({ r }) => r.width < 24 || r.height < 24)
        .map(({ el, r }) => `${el} ${Math.round(r.width)}×${Math.round(r.height)}`);
    });
    expect(small).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
  });
});

/** The answer the lead's decision gives below its confidence threshold, and a clarifying question: the response shapes at the network edge. */
function chatStub(body: object) {
  return async (page: Page) => {
    await page.route('**/api/chat', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({ conversationId: 'c1', messageId: 'm1', citations: [], suggestions: [], mode: 'extractive', ...body }),
      }),
    );
  };
}

describe('sure and unsure answers look different', () => {
  for (const [name, device] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`says an uncertain answer may not fit and invites a rephrase or 👎, and offers a clarifying question's choices (${name})`, async () => {
      const citation = { id: 'hoi-dap#faq-dem-lot-sinh-hoc-la-gi', docId: 'hoi-dap', kind: 'faq', title: 'Hỏi đáp thường gặp', section: 'Đệm lót sinh học là gì?', url: '/nguon/hoi-dap#faq-dem-lot-sinh-hoc-la-gi', snippet: 'Đệm lót sinh học là lớp độn chuồng.' };
      const page = await newPage(
        device,
        chatStub({ answered: true, uncertain: true, answer: 'Đệm lót sinh học là lớp độn chuồng dày. [1]', citations: [citation] }),
      );
      const parts = await openPortal(page);
      await ask(parts.input, 'Xã Chiềng Hặc có lớp tập huấn làm đệm lót tháng nào?');
      await finished(parts, 1);
      const caution = parts.lastReply.locator('[part="uncertain"]');
      expect(await caution.textContent()).toBe('Câu trả lời này có thể chưa đúng ý bạn. Hãy hỏi lại rõ hơn, hoặc bấm 👎 để cán bộ xem lại.');
      await expect.poll(() => parts.status.textContent()).toMatch(/^Câu trả lời này có thể chưa đúng ý bạn\. .* Trợ lý trả lời: Đệm lót/);
      // read first: the note comes before the answer
      expect((await box(caution)).y).toBeLessThan((await box(parts.lastReply.locator('.body'))).y);
      if (name === 'phone') await screenshot(page, '07-uncertain');
      expect(await axeViolations(page)).toEqual([]);

      // a sure answer has no such note
      await page.unroute('**/api/chat');
      await ask(parts.input, 'Đệm lót sinh học là gì?');
      await finished(parts, 2);
      expect(await parts.lastReply.locator('[part="uncertain"]').count()).toBe(0);

      await chatStub({ answered: false, clarify: true, answer: 'Bạn muốn hỏi về việc nào?', suggestions: ['Hầm biogas có mùi thì làm gì?', 'Xây hầm biogas tốn bao nhiêu?'] })(page);
      await ask(parts.input, 'biogas');
      await finished(parts, 3);
      expect(await parts.lastReply.getAttribute('class')).not.toContain('declined');
      expect(await parts.lastReply.locator('.label').textContent()).toBe('Bạn muốn hỏi:');
      const choices = parts.lastReply.locator('.chip');
      expect(await choices.allTextContents()).toEqual(['Hầm biogas có mùi thì làm gì?', 'Xây hầm biogas tốn bao nhiêu?']);
      expect(await parts.lastReply.getByRole('button', { name: 'Chưa hữu ích' }).count()).toBe(0);
      if (name === 'phone') await screenshot(page, '08-clarify');
      expect(await axeViolations(page)).toEqual([]);
      await page.unroute('**/api/chat');
      await (device === PHONE ? choices.first().tap() : choices.first().click());
      await finished(parts, 4);
      expect(await parts.questions.nth(3).textContent()).toContain('Hầm biogas có mùi thì làm gì?');
    });
  }
});

/** The device's voices, as the Web Speech API reports them; what is spoken is recorded. */
function withVoices(voices: { name: string; lang: string; localService: boolean }[]) {
  return (page: Page) =>
    page.addInitScript((list) => {
      const spoken: { text: string; lang: string; voice: string }[] = [];
      let cancelled = 0;
      const synth = new EventTarget() as EventTarget & Record<string, unknown>;
      Object.assign(synth, {
        getVoices: () => list.map((v) => ({ ...v, voiceURI: v.name, default: false })),
        speak: (u: SpeechSynthesisUtterance) => spoken.push({ text: u.text, lang: u.lang, voice: u.voice?.name ?? '' }),
        cancel: () => cancelled++,
        speaking: false,
        pending: false,
        paused: false,
      });
      Object.defineProperty(window, 'speechSynthesis', { value: synth });
      // the real utterance accepts only the browser's own voice objects
      (window as unknown as Record<string, unknown>).SpeechSynthesisUtterance = class {
        lang = '';
        voice: unknown = null;
        onend: unknown = null;
        onerror: unknown = null;
        constructor(public text: string) {}
      };
      Object.defineProperty(window, 'spoken', { get: () => ({ spoken, cancelled }) });
    }, voices);
}

describe('read aloud', () => {
  for (const [name, device] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`reads an answer in the vi-VN voice with numbers and units as words, stops on a second press, and notes an online voice (${name})`, async () => {
      const page = await newPage(device, withVoices([{ name: 'Microsoft HoaiMy Online (Natural) - Vietnamese (Vietnam)', lang: 'vi-VN', localService: false }, { name: 'Google US English', lang: 'en-US', localService: true }]));
      const parts = await openPortal(page);
      await ask(parts.input, 'Làm sao vận hành hầm biogas an toàn?');
      await finished(parts, 1);
      const answer = (await page.evaluate(() => JSON.parse(Object.entries(sessionStorage).find(([k]) => k.startsWith('cnsh-chat:http'))![1]).turns[1].text)) as string;
      const read = parts.lastReply.getByRole('button', { name: 'Đọc to câu trả lời' });
      const speech = page.waitForResponse((r) => /\/widget-speech-[\w-]+\.js$/.test(r.url()));
      await (device === PHONE ? read.tap() : read.click());
      await speech;
      await parts.lastReply.getByRole('button', { name: 'Dừng đọc' }).waitFor();
      const { spoken } = (await page.evaluate(() => (window as unknown as { spoken: unknown }).spoken)) as { spoken: { text: string; lang: string; voice: string }[] };
      expect(spoken.length).toBeGreaterThan(0);
      expect(new Set(spoken.map((s) => s.lang))).toEqual(new Set(['vi-VN']));
      expect(spoken[0]!.voice).toMatch(/Vietnamese/);
      expect(spoken.map((s) => s.text).join(' ')).toBe(speakable(plainText(answer)));
      expect(spoken.map((s) => s.text).join(' ')).not.toMatch(/\d|m³|CNSH/);
      expect(await parts.lastReply.locator('.read .note').textContent()).toContain('Edge gửi tới Microsoft');
      if (name === 'phone') await screenshot(page, '09-read-aloud');
      expect(await axeViolations(page)).toEqual([]);

      const stop = parts.lastReply.getByRole('button', { name: 'Dừng đọc' });
      await (device === PHONE ? stop.tap() : stop.click());
      await parts.lastReply.getByRole('button', { name: 'Đọc to câu trả lời' }).waitFor();
      expect(((await page.evaluate(() => (window as unknown as { spoken: { cancelled: number } }).spoken)) as { cancelled: number }).cancelled).toBeGreaterThan(1);
    });
  }

  it('shows no "Đọc" where the browser has no Vietnamese voice', async () => {
    const page = await newPage(PHONE, withVoices([{ name: 'Google US English', lang: 'en-US', localService: true }]));
    const parts = await openPortal(page);
    await ask(parts.input, 'Đệm lót sinh học là gì?');
    await finished(parts, 1);
    expect(await parts.lastReply.locator('[part="read"]').count()).toBe(0);
  });
});

describe('keyboard on a desktop (1280×800)', () => {
  it('reaches the launcher early, keeps Tab inside the panel through the latest answer, and Esc closes it after focus left', async () => {
    const page = await newPage(DESKTOP);
    await page.goto(`${server.url}/`);
    const parts = chatParts(page);
    await parts.launcher.waitFor();
    const stops: string[] = [];
    for (let i = 0; i < 4 && !stops.some((s) => s.startsWith('button.launcher')); i++) {
      await page.keyboard.press('Tab');
      stops.push(await focused(page));
    }
    expect(stops.at(-1)).toMatch(/^button\.launcher\|/);
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toMatch(/^textarea#q/);
    await page.keyboard.type('Đệm lót sinh học là gì?');
    await page.keyboard.press('Enter');
    await finished(parts, 1);

    // Tab from the input goes round the panel and into the latest answer: its source, then 👍 and 👎, in reading order
    const seen: string[] = [];
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      const now = await focused(page);
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('CNSH-CHAT');
      seen.push(now);
      if (now.startsWith('textarea#q')) break;
    }
    const at = (pattern: RegExp) => seen.findIndex((s) => pattern.test(s));
    expect(at(/^a\|.*Hỏi đáp thường gặp/)).toBeGreaterThan(-1);
    expect(at(/^button\.thumb\|/)).toBeGreaterThan(at(/^a\|.*Hỏi đáp thường gặp/));
    expect(at(/^textarea#q/)).toBeGreaterThan(at(/^button\.thumb/));
    expect(await axeViolations(page)).toEqual([]);

    // focus leaves the panel for the page; Esc still closes it and focus goes back to the launcher
    await page.mouse.click(200, 400);
    expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe('CNSH-CHAT');
    await page.keyboard.press('Escape');
    await expect.poll(() => parts.dialog.evaluate((d: HTMLDialogElement) => d.open)).toBe(false);
    expect(await focused(page)).toMatch(/^button\.launcher\|/);
  });
});
