import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadQuizBank, type BankQuestion, type QuizBank } from '../server/quiz/index.ts';
import { startTestServer, type TestServer } from '../server/testing.ts';
import { axeViolations, chatParts, focused, launchChromium } from './browser.ts';

/** "Ôn tập": a student's practice round in real Chromium against the real server, and what teachers then see. */

let server: TestServer;
let bank: QuizBank;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
  bank = loadQuizBank(server.config.corpusDir, server.assistant.corpus);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
beforeEach(async () => {
  // axe is injected as an inline script, which our own pages' CSP rightly refuses
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'vi-VN', bypassCSP: true });
  page = await context.newPage();
});
afterEach(() => context.close());

function quizParts(p: Page) {
  const chat = chatParts(p).chat;
  return {
    chat,
    tab: chat.getByRole('tab', { name: 'Ôn tập' }),
    quiz: chat.locator('.quiz'),
    legend: chat.locator('.quiz legend'),
    radios: chat.locator('.quiz input[type="radio"]'),
    feedback: chat.locator('.feedback-box'),
    score: chat.locator('.score'),
    status: chat.locator('[role="status"][aria-live="polite"]'),
  };
}

/** The bank's question shown in the legend ("Câu 2/5" first, then the question). */
async function shownQuestion(legend: Locator): Promise<BankQuestion> {
  const text = (await legend.textContent())!.replace(/^\s*Câu \d+\/\d+/, '').trim();
  const q = bank.questions.find((b) => b.question === text);
  expect(q, `"${text}" is a bank question`).toBeDefined();
  return q!;
}

async function pressUntilFocused(p: Page, pattern: RegExp, key = 'Tab', max = 20) {
  for (let i = 0; i < max && !pattern.test(await focused(p)); i++) await p.keyboard.press(key);
  expect(await focused(p)).toMatch(pattern);
}

/** Chooses option `index` of the radio group with the keyboard alone: Tab in, then Space or arrows. */
async function chooseByKeyboard(p: Page, parts: ReturnType<typeof quizParts>, index: number) {
  await p.keyboard.press('Tab');
  expect(await focused(p)).toMatch(/^input\|/);
  if (index === 0) await p.keyboard.press('Space');
  for (let i = 0; i < index; i++) await p.keyboard.press('ArrowDown');
  expect(await parts.radios.nth(index).isChecked()).toBe(true);
}

describe('a student practises on a phone', () => {
  it('completes a round by keyboard at 360×640, sees every explanation and the score, and teachers see the round', async () => {
    await page.setViewportSize({ width: 360, height: 640 });
    const chunkRequests: string[] = [];
    page.on('request', (r) => /\/widget-quiz-[\w-]+\.js$/.test(r.url()) && chunkRequests.push(r.url()));
    await page.goto(`${server.url}/truong-hoc`);
    const parts = quizParts(page);
    await parts.chat.locator('.chip').first().waitFor();
    expect(chunkRequests).toEqual([]);

    // from the "Hỏi đáp" tab, the arrow key opens "Ôn tập": the quiz code is fetched only now
    await parts.chat.getByRole('tab', { name: 'Hỏi đáp' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await parts.tab.getAttribute('aria-selected')).toBe('true');
    expect(await focused(page)).toMatch(/^button#tab-quiz/);
    await parts.chat.locator('.topics button').first().waitFor();
    expect(chunkRequests).toHaveLength(1);
    expect(await axeViolations(page), 'topics').toEqual([]);

    await pressUntilFocused(page, /^button\|Thu khí sinh học/);
    await page.keyboard.press('Enter');
    await parts.legend.waitFor();
    await expect.poll(() => focused(page)).toMatch(/^legend\|Câu 1\/5/);
    expect(await parts.chat.locator('.qtopic').textContent()).toBe('Chủ đề: Thu khí sinh học (biogas)');

    const asked: BankQuestion[] = [];
    for (let i = 0; i < 5; i++) {
      expect(await parts.legend.textContent()).toContain(`Câu ${i + 1}/5`);
      const q = await shownQuestion(parts.legend);
      expect(q.topic).toBe('khi-sinh-hoc');
      asked.push(q);
      const options = (await parts.chat.locator('.quiz .opt').allTextContents()).map((t) => t.trim());
      expect(options.sort()).toEqual([q.answer, ...q.distractors].sort());
      const shown = (await parts.chat.locator('.quiz .opt').allTextContents()).map((t) => t.trim());
      // the second question is answered wrong on purpose
      const pick = i === 1 ? shown.indexOf(q.distractors[0]!) : shown.indexOf(q.answer);
      await chooseByKeyboard(page, parts, pick);
      if (i === 0) expect(await axeViolations(page), 'question').toEqual([]);
      await page.keyboard.press('Tab');
      expect(await focused(page)).toMatch(/^button\.btn\|Trả lời/);
      await page.keyboard.press('Enter');

      await parts.feedback.waitFor();
      const feedback = (await parts.feedback.textContent())!.replace(/\s+/g, ' ');
      expect(feedback).toContain(q.explanation);
      if (i === 1) {
        expect(feedback).toContain(`Chưa đúng. Đáp án đúng: ${q.answer}`);
        expect(await parts.chat.locator('.opt.chosen-wrong').textContent()).toContain('Bạn chọn');
        await expect.poll(() => parts.status.textContent()).toContain(`Chưa đúng. Đáp án đúng: ${q.answer}.`);
        expect(await axeViolations(page), 'feedback').toEqual([]);
      } else {
        expect(feedback).toContain('Đúng rồi!');
        await expect.poll(() => parts.status.textContent()).toContain('Đúng rồi!');
      }
      expect(await parts.chat.locator('.opt.right').textContent()).toContain(q.answer);
      const source = parts.feedback.locator('a');
      expect(await source.getAttribute('href')).toBe(`${server.url}${q.resolved.url}`);
      expect((await source.textContent())!).toContain(`${q.resolved.title} — ${q.resolved.section}`);
      await expect.poll(() => focused(page)).toMatch(i < 4 ? /^button\.btn\|Câu tiếp theo/ : /^button\.btn\|Xem kết quả/);
      await page.keyboard.press('Enter');
      if (i < 4) await expect.poll(() => focused(page)).toMatch(new RegExp(`^legend\\|Câu ${i + 2}/5`));
    }

    await parts.score.waitFor();
    await expect.poll(() => focused(page)).toMatch(/^h3\|Kết quả: 4\/5/);
    expect(await parts.score.textContent()).toContain('Bạn trả lời đúng 4/5 câu.');
    await expect.poll(() => parts.status.textContent()).toContain('Bạn trả lời đúng 4/5 câu.');
    const review = parts.score.locator('.review li');
    expect(await review.count()).toBe(5);
    for (const [i, q] of asked.entries()) {
      const item = (await review.nth(i).textContent())!.replace(/\s+/g, ' ');
      expect(item).toContain(q.question);
      expect(item).toContain(q.explanation);
      expect(item).toContain(i === 1 ? 'Chưa đúng' : 'Đúng');
    }
    expect(await axeViolations(page), 'score').toEqual([]);

    // nothing sideways on a phone, and nothing kept in the browser
    const overflow = await page.evaluate(() => {
      const quiz = document.querySelector('cnsh-chat')!.shadowRoot!.querySelector('.quiz') as HTMLElement;
      return { page: document.documentElement.scrollWidth - window.innerWidth, quiz: quiz.scrollWidth - quiz.clientWidth };
    });
    expect(overflow).toEqual({ page: 0, quiz: 0 });
    expect(await page.evaluate(() => ({ cookie: document.cookie, local: localStorage.length, session: Object.keys(sessionStorage).filter((k) => /quiz|on-tap/i.test(k)) }))).toEqual({
      cookie: '',
      local: 0,
      session: [],
    });

    // the teacher page counts exactly this round: the wrong answer is the hardest question
    await expect.poll(() => server.assistant.db.prepare(`SELECT finished FROM quiz_rounds WHERE topic = 'khi-sinh-hoc'`).get()).toEqual({ finished: 1 });
    const teacher = await context.newPage();
    await teacher.goto(`${server.url}/giao-vien`);
    const rows = teacher.locator('table.questions tbody tr');
    expect(await rows.count()).toBe(5);
    expect(await rows.first().getAttribute('data-question')).toBe(asked[1]!.id);
    expect((await rows.first().locator('td').allTextContents()).slice(2).map((t) => t.trim())).toEqual(['1', '1', '0', '0%ít lượt']);
    for (const row of await rows.all()) expect((await row.locator('td').nth(3).textContent())!.trim()).toBe('1');
    expect((await teacher.locator('.summary-line').textContent())!.replace(/\s+/g, ' ')).toContain(
      '1 lượt ôn tập được bắt đầu, 1 lượt làm xong, trả lời đúng trung bình 80% số câu',
    );
    expect(await axeViolations(teacher), 'teacher page').toEqual([]);
    await teacher.close();

    // "Làm lại": a new round of the same topic, by keyboard again
    await page.bringToFront();
    await parts.score.locator('h3').focus();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatch(/^button\.btn\|Làm lại/);
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toMatch(/^legend\|Câu 1\/5/);
    expect((await shownQuestion(parts.legend)).topic).toBe('khi-sinh-hoc');
  });
});

describe('the Ôn tập tab', () => {
  it('starts straight away with the topic the page set, and asks before checking an empty answer', async () => {
    await page.goto(`${server.url}/truong-hoc`);
    const parts = quizParts(page);
    await parts.chat.evaluate((el) => el.setAttribute('topic', 'xu-ly-nuoc-thai'));
    await parts.tab.click();
    await parts.legend.waitFor();
    expect(await parts.chat.locator('.topics').count()).toBe(0);
    expect(await parts.chat.locator('.qtopic').textContent()).toBe('Chủ đề: Xử lí nước thải');
    expect((await shownQuestion(parts.legend)).topic).toBe('xu-ly-nuoc-thai');
    await parts.chat.getByRole('button', { name: 'Trả lời' }).click();
    expect(await parts.chat.getByRole('alert').textContent()).toBe('Hãy chọn một đáp án trước khi bấm “Trả lời”.');
    expect(await parts.feedback.count()).toBe(0);

    // back to the conversation and again: the round is where the student left it
    await parts.chat.getByRole('tab', { name: 'Hỏi đáp' }).click();
    await parts.chat.locator('#q').waitFor();
    await parts.tab.click();
    expect(await parts.legend.textContent()).toContain('Câu 1/5');
  });

  it('says what went wrong when the server cannot be reached, and recovers with "Thử lại"', async () => {
    await page.goto(`${server.url}/truong-hoc`);
    const parts = quizParts(page);
    await page.route('**/api/quiz/topics', (route) => route.abort());
    await parts.tab.click();
    const error = parts.chat.locator('.quiz-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('Không kết nối được tới máy chủ trợ lý');
    await page.unroute('**/api/quiz/topics');
    await error.getByRole('button', { name: 'Thử lại' }).click();
    await parts.chat.locator('.topics button').first().waitFor();
    expect(await parts.chat.locator('.topics button').count()).toBe(bank.topics.length + 1);
  });

  it('the teacher page copies its embed snippet with one button', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await page.goto(`${server.url}/giao-vien`);
    await page.getByRole('button', { name: 'Sao chép mã nhúng' }).click();
    await page.getByText('Đã sao chép mã nhúng.').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(await page.locator('.snippet pre').textContent());
    expect(copied).toContain(`<script type="module" src="${server.url}/widget.js"></script>`);
    expect(copied).toMatch(/<cnsh-chat audience="student" mode="inline" topic="[a-z-]+"/);
  });

  it('is offered to students only', async () => {
    await page.goto(`${server.url}/`);
    const parts = chatParts(page);
    await parts.launcher.click();
    await parts.input.waitFor();
    expect(await parts.chat.getByRole('tab').count()).toBe(0);
    expect(await parts.chat.getByText('Ôn tập').count()).toBe(0);
  });
});
