import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAQ_DOC_ID } from '../../corpus/index.ts';
import { startTestServer, type TestServer } from '../../testing.ts';
import { WIDGET_FILE } from '../../../widget/build.ts';
import { pageRoutes } from './index.ts';
import { prose } from './layout.ts';

let server: TestServer;
const portal = 'https://congthongtin.sonla.gov.vn';

beforeAll(async () => {
  server = await startTestServer({ ALLOWED_ORIGINS: portal });
});
afterAll(() => server.close());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });

describe('GET /widget.js', () => {
  it('serves the built module so any site can load it, with a strong ETag from its content', async () => {
    const res = await get('/widget.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(readFileSync(WIDGET_FILE))).toBe(true);
    expect(body.toString()).toContain('cnsh-chat');
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
    expect(res.headers.get('etag')).toBe(`"${hash}"`);
  });

  it('answers a revalidation with 304 and no body', async () => {
    const etag = (await get('/widget.js')).headers.get('etag')!;
    const again = await get('/widget.js', { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
  });

  it('lets the versioned URL the pages use be cached for a year', async () => {
    const page = await (await get('/')).text();
    const src = /<script type="module" src="(\/widget\.js\?v=[0-9a-f]{16})"/.exec(page)?.[1];
    expect(src).toBeDefined();
    const res = await get(src!);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('explains what to run when the bundle is missing', async () => {
    const routes = pageRoutes(server.assistant, server.config, { widgetFile: '/nonexistent/widget.js' });
    const res = await routes.request('/widget.js');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build');
  });

  it('tries a failing build once, then answers with a clear error at once (V17)', async () => {
    let builds = 0;
    const routes = pageRoutes(server.assistant, server.config, {
      widgetFile: '/nonexistent/widget.js',
      build: async () => {
        builds++;
        throw new Error('EROFS: read-only file system');
      },
    });
    const logged = console.error;
    let traces = 0;
    console.error = () => void traces++;
    try {
      const answers = await Promise.all(Array.from({ length: 5 }, () => routes.request('/widget.js')));
      for (let i = 0; i < 20; i++) answers.push(await routes.request('/widget.js'));
      expect(answers.every((r) => r.status === 503)).toBe(true);
      expect(await answers.at(-1)!.text()).toContain('Không build được dist/widget.js');
    } finally {
      console.error = logged;
    }
    expect(builds).toBe(1);
    expect(traces).toBe(1);
  });
});

describe('pages', () => {
  it.each(['/', '/truong-hoc', '/nguon', '/nguon/ke-hoach-cnsh-bvmt-2030', `/nguon/${FAQ_DOC_ID}`])(
    '%s is Vietnamese HTML that may load only what we serve',
    async (path) => {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html; charset=UTF-8/i);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("style-src 'self';");
      expect(csp).toContain(`frame-ancestors 'self' ${portal}`);
      expect(csp).not.toMatch(/unsafe|https?:\/\/(?!congthongtin)|data:|\*/);
      const html = await res.text();
      expect(html).toMatch(/^<!doctype html>\s*<html lang="vi">/);
      // nothing from another origin: no font, CDN or analytics URL in src or href of a resource
      expect(html).not.toMatch(/<(?:script|link|img)[^>]+(?:src|href)="https?:/);
    },
  );

  it('the portal page embeds the floating widget, the school page the inline student widget', async () => {
    const portalPage = await (await get('/')).text();
    expect(portalPage).toMatch(/<cnsh-chat site="[^"]+"><\/cnsh-chat>/);
    const school = await (await get('/truong-hoc')).text();
    expect(school).toMatch(/<cnsh-chat mode="inline" audience="student"/);
  });

  it('an unknown document is a Vietnamese 404 page', async () => {
    const res = await get('/nguon/khong-co-tai-lieu-nay');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Không tìm thấy trang');
  });
});

describe('source pages', () => {
  it('every chunk a citation can name has its section on its document page', async () => {
    const byDoc = new Map<string, Set<string>>();
    for (const c of server.assistant.corpus.chunks) byDoc.set(c.docId, (byDoc.get(c.docId) ?? new Set()).add(c.anchor));
    expect(byDoc.size).toBeGreaterThan(10);
    for (const [docId, anchors] of byDoc) {
      const html = await (await get(`/nguon/${encodeURIComponent(docId)}`)).text();
      for (const anchor of anchors) expect(html, `${docId}#${anchor}`).toContain(`id="${anchor}"`);
    }
  });

  it('the plan shows its own numbering, its issuing facts and its sources', async () => {
    const html = await (await get('/nguon/ke-hoach-cnsh-bvmt-2030')).text();
    expect(html).toMatch(/<h2 id="ii">II\. Nhiệm vụ<\/h2>/);
    expect(html).toMatch(/<h3 id="ii-1"><span class="secref">Mục II\.1<\/span> 1\. Phát triển khoa học/);
    expect(html).toMatch(/<h4 id="ii-1-a"><span class="secref">Mục II\.1\.a<\/span> a\) Phát triển và ứng dụng CNSH/);
    expect(html).toContain('Cơ quan ban hành');
    expect(html).toContain('Nguồn của tài liệu này');
  });

  it('the catalog, glossary and FAQ documents have readable pages too', async () => {
    const catalog = await (await get('/nguon/danh-muc-san-pham')).text();
    expect(catalog).toContain('Cách dùng');
    const glossary = await (await get('/nguon/thuat-ngu')).text();
    expect(glossary).toContain('Đệm lót sinh học');
    const faq = await (await get(`/nguon/${FAQ_DOC_ID}`)).text();
    const entry = server.assistant.corpus.faq[0]!;
    expect(faq).toContain(`id="${entry.id}"`);
    expect(faq).toContain('Căn cứ:');
  });

  it('escapes corpus text: markup in a document stays text', () => {
    const out = prose('<img src=x onerror=alert(1)> **đậm**\n- <b>mục</b>').map(String).join('');
    expect(out).toBe('<p>&lt;img src=x onerror=alert(1)&gt; <strong>đậm</strong></p><ul><li>&lt;b&gt;mục&lt;/b&gt;</li></ul>');
  });
});

describe('GET /api/glossary', () => {
  it('lists every term with its aliases and definition, and nothing else', async () => {
    const res = await get('/api/glossary');
    expect(res.status).toBe(200);
    const terms = (await res.json()) as { term: string; aliases: string[]; definition: string }[];
    expect(terms.length).toBe(server.assistant.corpus.glossary.length);
    expect(Object.keys(terms[0]!).sort()).toEqual(['aliases', 'definition', 'term']);
    expect(terms.find((t) => t.term === 'Đệm lót sinh học')?.definition).toMatch(/lớp độn chuồng/);
  });
});

describe('GET /api/nguon/<docId>/<anchor>', () => {
  it('gives one cited section as text for the widget reader, and 404 with a Vietnamese message for an unknown one', async () => {
    const doc = server.assistant.corpus.documents.find((d) => d.kind === 'guide')!;
    const section = doc.sections.find((s) => s.text)!;
    const res = await get(`/api/nguon/${doc.id}/${section.anchor}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      docId: doc.id,
      title: doc.shortTitle,
      section: section.label,
      text: section.text,
      url: `/nguon/${doc.id}#${section.anchor}`,
      basis: [],
    });
    const faq = (await (await get('/api/nguon/hoi-dap/faq-dem-lot-sinh-hoc-la-gi')).json()) as { text: string; basis: { href: string }[] };
    expect(faq.text).toMatch(/lớp độn chuồng/);
    expect(faq.basis.length).toBeGreaterThan(0);
    const missing = await get(`/api/nguon/${doc.id}/khong-co-muc-nay`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toBe('Không tìm thấy mục tài liệu này.');
  });
});
