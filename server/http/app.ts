import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Assistant } from '../assistant.ts';
import type { Config } from '../config.ts';
import { apiRoutes, type ApiOptions } from './api.ts';
import { fail } from './errors.ts';
import { clientAddress, createGuard, rateKey, trustedProxies } from './guard/index.ts';
import { privacyPage } from './privacy.ts';
import { pageRoutes } from './pages/index.ts';
import { adminRoutes } from '../review/index.ts';
import { quizRoutes } from '../quiz/index.ts';

export interface AppOptions extends ApiOptions {
  config: Config;
  /** extra health fields (generation status) */
  health?: () => Record<string, unknown>;
}

/** The route table: a table of contents of what the server offers. */
export function createApp(assistant: Assistant, options: AppOptions) {
  const app = new Hono();
  const guard = createGuard(options.config);
  app.use('*', guard.pages);
  app.use('/api/*', ...guard.api);

  app.get('/healthz', (c) =>
    c.json({
      status: 'ok',
      chunks: assistant.index.chunks,
      indexedAt: assistant.index.hash.slice(0, 12),
      ...options.health?.(),
    }),
  );
  const proxies = trustedProxies(options.config.trustProxy);
  app.route('/api', apiRoutes(assistant, { clientKey: (c) => rateKey(clientAddress(c, proxies)), ...options }));
  const quiz = quizRoutes(assistant, options.config);
  app.route('/api/quiz', quiz.api);
  app.get('/giao-vien', quiz.teacherPage);
  app.get('/quyen-rieng-tu', privacyPage(options.config));
  app.route('/', pageRoutes(assistant, options.config));
  app.route('/admin', adminRoutes(assistant, options));

  app.notFound((c) => fail(c, 'not_found'));
  app.onError((err, c) => {
    if (err instanceof HTTPException) return err.getResponse();
    console.error(err);
    return fail(c, 'internal');
  });
  return app;
}
