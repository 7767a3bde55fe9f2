import type { Context } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { canonicalOrigin } from '../guard/origins.ts';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * Our pages load only what we serve (no inline style or script, no font, CDN or analytics request); sites
 * allowed to embed the assistant may also frame them. The guard adds nosniff, referrer policy and HSTS.
 */
export function pageCsp(allowedOrigins: string[]): string {
  const framers = allowedOrigins.map(canonicalOrigin).filter((o): o is string => o !== null);
  return (
    "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; font-src 'self'; " +
    `object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors ${["'self'", ...framers].join(' ')}`
  );
}

export function pageSender(allowedOrigins: string[]) {
  const csp = pageCsp(allowedOrigins);
  return (c: Context, body: Html, status: 200 | 404 = 200) => {
    c.header('Content-Security-Policy', csp);
    c.header('Cache-Control', 'no-cache');
    return c.html(body, status);
  };
}

export interface PageOptions {
  title: string;
  description: string;
  /** class on <body>: the portal, school and service pages each have their own look */
  theme: 'portal' | 'school' | 'service';
  body: Html;
  /** `<cnsh-chat>` needs its module */
  widget?: string | null;
}

export function page({ title, description, theme, body, widget }: PageOptions) {
  return html`<!doctype html>
<html lang="vi">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    <meta name="description" content="${description}" />
    <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="/static/site.css" />
    ${widget ? html`<script type="module" src="${widget}"></script>` : ''}
    <script type="module" src="/static/site.js"></script>
  </head>
  <body class="${theme}">
    <a class="skip" href="#noi-dung">Bỏ qua, tới nội dung chính</a>
    ${body}
  </body>
</html>`;
}

/** The service's own chrome (source and privacy pages): who runs this, and a way back. */
export function serviceHeader(current: 'sources' | 'teachers' | null = null) {
  const link = (href: string, label: string, key: 'sources' | 'teachers' | null = null) =>
    html`<a href="${href}" ${key && current === key ? html`aria-current="page"` : ''}>${label}</a>`;
  return html`<header class="site-header">
    <div class="wrap brand-row">
      <a class="brand" href="/">
        ${LEAF}
        <span><strong>Hỏi đáp CNSH</strong><small>Công nghệ sinh học bảo vệ môi trường · Sơn La</small></span>
      </a>
      <nav aria-label="Điều hướng chính" class="service-nav">
        ${link('/', 'Trang chủ')} ${link('/nguon', 'Tài liệu nguồn', 'sources')} ${link('/truong-hoc', 'Góc học tập')}
        ${link('/giao-vien', 'Giáo viên', 'teachers')}
        ${link('/quyen-rieng-tu', 'Quyền riêng tư')}
      </nav>
    </div>
  </header>`;
}

export function serviceFooter() {
  return html`<footer class="site-footer">
    <div class="wrap">
      <p>
        Hỏi đáp CNSH trả lời dựa trên Kế hoạch của UBND tỉnh Sơn La và các tài liệu hướng dẫn có ghi nguồn. Thông tin chỉ để
        tham khảo; với việc cụ thể, hãy hỏi Sở Nông nghiệp và Môi trường hoặc cán bộ kỹ thuật ở xã.
      </p>
      <p><a href="/nguon">Tài liệu nguồn</a> · <a href="/quyen-rieng-tu">Quyền riêng tư</a></p>
    </div>
  </footer>`;
}

export const LEAF = html`<svg class="logo" viewBox="0 0 40 40" aria-hidden="true" focusable="false">
  <circle cx="20" cy="20" r="19" fill="#0a6640" />
  <path d="M11 27c0-9 7-15 18-15-1 10-6 16-14 16-1.5 0-2.8-.3-4-1z" fill="#e9f6ee" />
  <path d="M12 28c4-5 8-8 13-11" stroke="#0a6640" stroke-width="2" fill="none" stroke-linecap="round" />
</svg>`;

const DATE = /^(\d{4})-(\d{2})-(\d{2})/;
/** "2026-11-29" → "29/11/2026", as dates are written in Vietnamese documents. */
export function viDate(iso: string): string {
  const m = DATE.exec(iso);
  if (m) return `${m[3]}/${m[2]}/${m[1]}`;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${String(d.getDate()).padStart(2, '0')}/${String(d.getMonth() + 1).padStart(2, '0')}/${d.getFullYear()}`;
}

function inline(text: string) {
  // **bold** is the only inline mark corpus text uses; everything else is escaped text
  return text.split(/\*\*(.+?)\*\*/g).map((part, i) => (i % 2 ? html`<strong>${part}</strong>` : part));
}

/** Corpus text (paragraphs, "- " lists, "1. " lists, one item per line) as escaped HTML. */
export function prose(text: string) {
  type Block = { kind: 'p'; text: string } | { kind: 'ul' | 'ol'; items: { n?: string; text: string }[] };
  const blocks: Block[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const bullet = /^[-*•]\s+(.*)$/.exec(line);
    const numbered = /^(\d+)\.\s+(.*)$/.exec(line);
    const last = blocks.at(-1);
    if (bullet) {
      if (last?.kind === 'ul') last.items.push({ text: bullet[1]! });
      else blocks.push({ kind: 'ul', items: [{ text: bullet[1]! }] });
    } else if (numbered) {
      if (last?.kind === 'ol') last.items.push({ n: numbered[1], text: numbered[2]! });
      else blocks.push({ kind: 'ol', items: [{ n: numbered[1], text: numbered[2]! }] });
    } else blocks.push({ kind: 'p', text: line });
  }
  return blocks.map((b) =>
    b.kind === 'p'
      ? html`<p>${inline(b.text)}</p>`
      : b.kind === 'ul'
        ? html`<ul>${b.items.map((i) => html`<li>${inline(i.text)}</li>`)}</ul>`
        : html`<ol>${b.items.map((i) => html`<li value="${i.n}">${inline(i.text)}</li>`)}</ol>`,
  );
}
