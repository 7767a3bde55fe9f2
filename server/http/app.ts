import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Assistant } from '../assistant.ts';
import type { Channels } from '../channels/index.ts';
import type { Config } from '../config.ts';
import { apiRoutes } from './api.ts';
import { fail } from './errors.ts';
import { clientAddress, createGuard, rateKey, trustedProxies } from './guard/index.ts';
import { privacyPage } from './privacy.ts';
import { pageRoutes } from './pages/index.ts';
import { adminRoutes } from '../review/index.ts';
import { quizRoutes } from '../quiz/index.ts';

export interface AppOptions {
  config: Config;
  /** extra health fields (embedding and generation status) */
  health?: () => Record<string, unknown>;
  /** the messenger channels (`/kenh/zalo`, `/kenh/messenger`): off ones answer 404 */
  channels?: Channels;
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
  if (options.channels) app.route('/kenh', options.channels.routes);
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
