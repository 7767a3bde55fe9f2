import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, launchChromium, screenshot } from '../../widget/browser.ts';
import { CURATED_TITLE } from '../corpus/index.ts';
import { logQuestion } from '../log/index.ts';
import { startTestServer, type TestServer } from '../testing.ts';
import { curatedSlug } from './curated.ts';
import { LOW_CONFIDENCE } from './queue.ts';
import { ask, createStaff, TEST_PASSWORD } from './testing.ts';

/**
 * The console for a busy officer (issue 15), in real Chromium against the real server, on a phone (360×740, touch)
 * and a desktop (1280×800): bulk triage from the list, near-duplicates that differ by a name grouped, sureness in
 * words, the other wordings prefilled, an answer that cites the Sở itself or an official document, dd/mm/yyyy dates.
 */

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

const PHONE = { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true };
const DESKTOP = { viewport: { width: 1280, height: 800 } };

/** What citizens asked, logged by the real question log (redacted on the way in). */
const ASKED = [
  { text: 'Giá đất ở thành phố Sơn La bao nhiêu?', answered: false, reason: 'out-of-scope', confidence: 0.65 },
  { text: 'Cách làm bài kiểm tra 15 phút môn toán?', answered: false, reason: 'out-of-scope', confidence: 0.2 },
  { text: 'Chị Lan SĐT 0912 345 678 hỏi: hầm biogas có mùi thối là sao?', answered: false, reason: 'out-of-scope', confidence: 0.3 },
  { text: 'Tôi tên Lan, hầm biogas nhà tôi có mùi thối là sao?', answered: false, reason: 'out-of-scope', confidence: 0.3 },
  { text: 'Xã Chiềng Hặc có lớp tập huấn làm đệm lót sinh học vào tháng nào?', answered: true, reason: null, confidence: LOW_CONFIDENCE - 0.01 },
];

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchChromium()]);

  for (const [i, q] of ASKED.entries())
    await logQuestion(
      server.assistant.state,
      { id: `q${i}`, conversationId: `c${i}`, audience: 'citizen', site: null, mode: 'extractive', cited: q.answered ? ['danh-muc-san-pham#balasa-no-1'] : [], answer: q.answered ? 'Balasa No.1 …' : '', generation: null, ...q },
      Date.now() - (ASKED.length - i) * 60_000,
    );
  await createStaff(server.assistant.state, 'canbo.so', 'admin');
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

async function signedIn(device: typeof PHONE | typeof DESKTOP, locale = 'vi-VN'): Promise<Page> {
  // axe is injected as an inline script, which the console's CSP rightly refuses
  const context = await browser.newContext({ ...device, locale, bypassCSP: true });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${server.url}/admin`);
  await page.getByLabel('Tên đăng nhập').fill('canbo.so');
  await page.getByLabel('Mật khẩu').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL('**/admin/hang-cho');
  return page;
}


const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const row = (page: Page, text: string) => page.locator('table.queue tbody tr', { hasText: text });

describe('the console on a phone (360×740)', () => {
  it('fits the queue, a group and the statistics on the screen, with sureness in words and the name-only duplicates in one group', async () => {
    const page = await signedIn(PHONE);
    expect(await sideways(page)).toBe(0);
    const biogas = row(page, 'mùi thối');
    expect(await biogas.count()).toBe(1);
    expect(await biogas.locator('td.num').textContent()).toContain('2');
    expect(await biogas.textContent()).toContain('và 1 cách hỏi khác');
    // the low-confidence answer reached the queue
    expect(await row(page, 'Chiềng Hặc').textContent()).toContain('Độ tin cậy thấp');
    await screenshot(page, 'console-1-queue', true);
    expect(await axeViolations(page)).toEqual([]);

    await row(page, 'Chiềng Hặc').getByRole('link', { name: /Chiềng Hặc/ }).tap();
    await page.waitForURL('**/admin/hang-cho/q4');
    expect(await sideways(page)).toBe(0);
    const meta = (await page.locator('.items .meta').first().textContent())!;
    expect(meta).toContain('trợ lý chưa chắc');
    expect(meta).not.toMatch(/\d+\s*%/);
    await screenshot(page, 'console-2-group', true);
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${server.url}/admin/thong-ke`);
    expect(await sideways(page)).toBe(0);
    await screenshot(page, 'console-3-stats', true);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('marks several groups "ngoài phạm vi" at once from the list, and comes back to the same list', async () => {
    const page = await signedIn(PHONE);
    await row(page, 'Giá đất').getByRole('checkbox').tap();
    await row(page, 'bài kiểm tra').getByRole('checkbox').tap();
    await page.getByRole('button', { name: 'Ngoài phạm vi' }).tap();
    await page.waitForURL(/\/admin\/hang-cho\?.*tb=da-danh-dau/);
    expect(await page.locator('.notice').textContent()).toContain('Đã cập nhật trạng thái');
    expect(await row(page, 'Giá đất').count()).toBe(0);
    expect(await row(page, 'bài kiểm tra').count()).toBe(0);
    expect(await row(page, 'mùi thối').count()).toBe(1);
    const marked = await server.assistant.state.all(`SELECT question_id, status FROM review_state ORDER BY question_id`);
    expect(marked).toEqual([
      { question_id: 'q0', status: 'out-of-scope' },
      { question_id: 'q1', status: 'out-of-scope' },
    ]);
    // and back: the same list filtered by status shows them, and they return to the queue together
    await page.goto(`${server.url}/admin/hang-cho?trang-thai=out-of-scope`);
    for (const text of ['Giá đất', 'bài kiểm tra']) await row(page, text).getByRole('checkbox').tap();
    await page.getByRole('button', { name: 'Đưa lại vào hàng chờ' }).tap();
    await page.waitForURL(/trang-thai=out-of-scope.*tb=da-danh-dau/);
    expect(await page.locator('table.queue tbody tr').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
  });
});

describe('a curated answer that no corpus section supports', () => {
  it('cites the Sở itself, or an official document by title and link, with the other wordings prefilled', async () => {
    const page = await signedIn(DESKTOP);
    await row(page, 'mùi thối').getByRole('link', { name: 'Trả lời' }).click();
    await page.waitForURL('**/admin/giai-dap/moi?nhom=*');
    const question = await page.locator('#cau-hoi').inputValue();
    const variants = (await page.locator('#cach-hoi').inputValue()).split('\n');
    expect(variants).toHaveLength(1);
    expect(variants[0]).not.toBe(question);
    expect([question, ...variants].sort()).toEqual(
      ['Chị Lan SĐT [số điện thoại đã ẩn] hỏi: hầm biogas có mùi thối là sao?', 'Tôi tên Lan, hầm biogas nhà tôi có mùi thối là sao?'].sort(),
    );
    expect(await axeViolations(page)).toEqual([]);

    // the land price: the honest answer is "not ours", cited as the Sở's own word
    await page.goto(`${server.url}/admin/giai-dap/moi`);
    await page.locator('#cau-hoi').fill('Giá đất ở thành phố Sơn La bao nhiêu?');
    await page.locator('#tra-loi').fill('Trợ lý chỉ trả lời về công nghệ sinh học trong bảo vệ môi trường. Giá đất do UBND tỉnh quy định; bà con hỏi bộ phận một cửa của UBND xã, phường.');
    await page.getByRole('button', { name: 'Xuất bản' }).click();
    expect(await page.locator('.problems').textContent()).toContain('đánh dấu đây là giải đáp của chính Sở');
    await page.getByLabel(/Giải đáp của chính Sở/).check();
    await page.getByRole('button', { name: 'Xuất bản' }).click();
    await page.waitForURL(/\/admin\/giai-dap\/gd-\d+-/);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    expect(id).toBe(`gd-1-${curatedSlug('Giá đất ở thành phố Sơn La bao nhiêu?')}`);
    expect(id).toBe('gd-1-gia-dat-o-thanh-pho-son-la');
    const reply = await ask(server.url, 'Giá đất ở thành phố Sơn La bao nhiêu?');
    expect(reply.answered).toBe(true);
    expect(reply.citations.map((c) => c.title)).toEqual([CURATED_TITLE]);

    // an official document outside the corpus, by its title and public link
    await page.goto(`${server.url}/admin/giai-dap/moi`);
    await page.locator('#cau-hoi').fill('Thu gom vỏ bao thuốc bảo vệ thực vật ở đâu?');
    await page.locator('#tra-loi').fill('Vỏ bao thuốc bảo vệ thực vật sau sử dụng là chất thải phải thu gom riêng vào bể chứa ở đầu bờ ruộng, không vứt xuống mương. Hỏi UBND xã về điểm thu gom gần nhất.');
    await page.getByLabel('Tên văn bản 1').fill('Thông tư liên tịch 05/2016/TTLT-BNNPTNT-BTNMT về thu gom bao gói thuốc bảo vệ thực vật');
    await page.getByLabel('Đường dẫn văn bản 1').fill('ftp://example.gov.vn/tt05');
    await page.getByRole('button', { name: 'Xuất bản' }).click();
    expect(await page.locator('.problems').textContent()).toContain('https://');
    await page.getByLabel('Đường dẫn văn bản 1').fill('https://vanban.chinhphu.vn/?pageid=27160&docid=184444');
    await page.getByRole('button', { name: 'Xuất bản' }).click();
    await page.waitForURL(/\/admin\/giai-dap\/gd-2-/);
    expect(await page.getByLabel('Tên văn bản 1').inputValue()).toContain('Thông tư liên tịch 05/2016');
    const entry = new URL(page.url()).pathname.split('/').pop()!;
    const faq = await page.context().newPage();
    await faq.goto(`${server.url}/nguon/hoi-dap#${entry}`);
    const basis = faq.locator(`section:has([id="${entry}"]) .entry-sources a`);
    expect(await basis.getAttribute('href')).toBe('https://vanban.chinhphu.vn/?pageid=27160&docid=184444');
    expect(await basis.textContent()).toContain('Thông tư liên tịch 05/2016');
    // the widget's reader gets the same basis
    const section = (await (await fetch(`${server.url}/api/nguon/hoi-dap/${entry}`)).json()) as { basis: { href: string }[] };
    expect(section.basis.map((b) => b.href)).toEqual(['https://vanban.chinhphu.vn/?pageid=27160&docid=184444']);
  });
});

describe('dates', () => {
  it('are typed and shown as dd/mm/yyyy even in an English browser', async () => {
    const page = await signedIn(DESKTOP, 'en-US');
    await page.goto(`${server.url}/admin/thong-ke?tu=2026-01-01&den=2026-12-03`);
    expect(await page.getByLabel(/Từ ngày/).inputValue()).toBe('01/01/2026');
    expect(await page.getByLabel(/Đến ngày/).inputValue()).toBe('03/12/2026');
    await page.getByLabel(/Từ ngày/).fill('02/03/2026');
    await page.getByRole('button', { name: 'Xem' }).click();
    await page.waitForURL(/tu=02%2F03%2F2026/);
    expect(await page.locator('p.lead').first().textContent()).toContain('Từ 02/03/2026 đến 03/12/2026');
    await page.goto(`${server.url}/admin/hang-cho?tu=05/11/2026`);
    expect(await page.getByLabel(/Từ ngày/).inputValue()).toBe('05/11/2026');
    expect(await axeViolations(page)).toEqual([]);
  });
});
