import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** Debian's Chromium (installed by .ci/run with apt-get); a browser is never downloaded. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeResult {
  violations: { id: string; help: string; nodes: { target: unknown[] }[] }[];
}

/**
 * WCAG 2.0–2.2 A/AA violations in the element (shadow DOM included), as readable lines; target-size
 * (2.5.8, off by default in axe) is switched on.
 */
export async function axeViolations(page: Page, selector = 'html'): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async (sel) => {
    const axe = (window as unknown as { axe: { run(ctx: Element, opts: object): Promise<AxeResult> } }).axe;
    const result = await axe.run(document.querySelector(sel)!, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      rules: { 'target-size': { enabled: true } },
    });
    return result.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  }, selector);
}

/** The element that has focus, looking inside open shadow roots. */
export function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return '';
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}|${(el.textContent ?? '').trim().slice(0, 60)}`;
  });
}

/** Parts of `<cnsh-chat>` a user sees, located through its open shadow root. */
export function chatParts(page: Page, host = 'cnsh-chat') {
  const chat = page.locator(host);
  return {
    chat,
    launcher: chat.locator('.launcher'),
    dialog: chat.locator('dialog'),
    input: chat.locator('#q'),
    send: chat.locator('form.composer button'),
    replies: chat.locator('.msg.bot[aria-busy]'),
    /** the last reply once it has finished (citations, feedback or an error shown) */
    lastReply: chat.locator('.msg.bot[aria-busy="false"]').last(),
    questions: chat.locator('.msg.user'),
    status: chat.locator('[role="status"]'),
  };
}

/** Types a question the way a person does and sends it with Enter. */
export async function ask(input: Locator, question: string) {
  await input.fill(question);
  await input.press('Enter');
}

/** With `CNSH_SHOTS=/tmp/widget-shots`, saves what the page shows as `<name>.png`, for a person to look at; otherwise nothing. */
export async function screenshot(page: Page, name: string, fullPage = false) {
  const dir = process.env.CNSH_SHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: `${dir}/${name}.png`, fullPage });
}
