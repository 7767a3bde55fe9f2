import { Hono } from 'hono';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Assistant } from '../../assistant.ts';
import type { Config } from '../../config.ts';
import { WIDGET_FILE } from '../../../widget/build.ts';
import { fileAsset, sendAsset } from './assets.ts';
import { portalPage, schoolPage } from './demo.ts';
import { pageSender } from './layout.ts';
import { notFoundPage, sectionText, sourcePage } from './sources.ts';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export interface PageOptions {
  /** dist/widget.js by default */
  widgetFile?: string;
  /** builds the widget when the file is missing (vite by default; with `widgetFile` given, only when this is given) */
  build?: () => Promise<unknown>;
}

/**
 * What a browser reads: the widget module, the demo pages, the source pages citations link to, and the
 * glossary the student widget taps into. (The privacy page is server/http/privacy.ts.)
 */
export function pageRoutes(assistant: Assistant, config: Pick<Config, 'allowedOrigins'>, options: PageOptions = {}) {
  const pages = new Hono();
  const send = pageSender(config.allowedOrigins);
  const widgetAsset = fileAsset(options.widgetFile ?? WIDGET_FILE);
  const css = fileAsset(here('./site.css'));
  const js = fileAsset(here('./site.js'));
  const favicon = fileAsset(here('./favicon.svg'));
  const build = options.build ?? (options.widgetFile ? null : () => import('../../../widget/build.ts').then((m) => m.buildWidget()));
  /** one build per process: a failure (a read-only install) is remembered, not retried on every request */
  let building: Promise<unknown> | null = null;
  let buildFailed = false;

  /** `/widget.js?v=<hash>`: a URL that changes with the content, so pages can cache it for a year. */
  const widgetUrl = () => {
    const asset = widgetAsset();
    return asset ? `/widget.js?v=${asset.hash}` : '/widget.js';
  };

  pages.get('/widget.js', async (c) => {
    let asset = widgetAsset();
    if (!asset && build && !buildFailed) {
      // a checkout without `npm run build`: build once, on the first request
      building ??= build().then(
        () => null,
        (e: unknown) => e ?? new Error('build thất bại'),
      );
      const failed = await building;
      asset = widgetAsset();
      if (failed && !asset && !buildFailed) {
        buildFailed = true;
        console.error('Không build được widget (sẽ không thử lại cho tới khi khởi động lại):', failed);
      }
    }
    if (!asset)
      return c.text(
        buildFailed
          ? '// Không build được dist/widget.js trên máy chủ này (thư mục chỉ đọc?). Chạy `npm run build` rồi khởi động lại máy chủ.\n'
          : '// Chưa có dist/widget.js. Chạy `npm run build` (hoặc `npm start`, lệnh này build trước) rồi tải lại trang.\n',
        503,
        { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' },
      );
    return sendAsset(c, asset, {
      type: 'text/javascript; charset=utf-8',
      maxAge: 3600,
      immutable: c.req.query('v') === asset.hash,
      headers: {
        // any site may load the module (a module script is fetched in CORS mode); the API decides who may ask
        'Access-Control-Allow-Origin': '*',
        'Cross-Origin-Resource-Policy': 'cross-origin',
      },
    });
  });

  /** Chunks widget.js imports later (the student quiz), built next to it with a content hash in the name. */
  const chunkAssets = new Map<string, typeof widgetAsset>();
  const widgetDir = dirname(options.widgetFile ?? WIDGET_FILE);
  pages.get('/:file{widget-[A-Za-z0-9_-]+\\.js}', (c) => {
    const name = basename(c.req.param('file'));
    let chunk = chunkAssets.get(name);
    if (!chunk) {
      chunk = fileAsset(join(widgetDir, name));
      if (!chunk()) return c.notFound();
      chunkAssets.set(name, chunk);
    }
    const asset = chunk();
    if (!asset) return c.notFound();
    return sendAsset(c, asset, {
      type: 'text/javascript; charset=utf-8',
      maxAge: 3600,
      // the name changes whenever the content does
      immutable: true,
      headers: { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' },
    });
  });

  const staticFile = (path: string, asset: typeof css, type: string) =>
    pages.get(path, (c) => {
      const a = asset();
      return a ? sendAsset(c, a, { type, maxAge: 3600 }) : c.notFound();
    });
  staticFile('/static/site.css', css, 'text/css; charset=utf-8');
  staticFile('/static/site.js', js, 'text/javascript; charset=utf-8');
  staticFile('/favicon.svg', favicon, 'image/svg+xml');

  pages.get('/', (c) => send(c, portalPage(assistant.corpus, widgetUrl())));
  pages.get('/truong-hoc', (c) => send(c, schoolPage(assistant.corpus, widgetUrl())));
  pages.get('/nguon', async (c) => send(c, (await sourcePage(assistant, null, widgetUrl()))!));
  pages.get('/nguon/:docId', async (c) => {
    const body = await sourcePage(assistant, c.req.param('docId'), widgetUrl());
    return body ? send(c, body) : send(c, notFoundPage(), 404);
  });

  /** Terms a student can tap in an answer. */
  pages.get('/api/glossary', (c) => {
    c.header('Cache-Control', 'public, max-age=3600');
    return c.json(assistant.corpus.glossary.map(({ term, aliases, definition }) => ({ term, aliases, definition })));
  });

  /** One cited section as text, for the widget's reader (a phone keeps the reader inside the chat). */
  pages.get('/api/nguon/:docId/:anchor', async (c) => {
    const section = await sectionText(assistant, c.req.param('docId'), c.req.param('anchor'));
    if (!section) return c.json({ error: { code: 'not_found', message: 'Không tìm thấy mục tài liệu này.' } }, 404);
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(section);
  });

  return pages;
}
