import { serve } from '@hono/node-server';
import { z } from 'zod';
import { loadConfig } from '../server/config.ts';
import { cleanText } from '../server/assistant.ts';
import { readJson } from '../server/http/request.ts';
import { buildServer } from '../server/server.ts';

/**
 * The bench's floor for a chat request: the server `npm start` runs, plus one route, `POST /api/bench/san`, that
 * passes the same guards and reads and checks the same JSON body as `/api/chat`, then sends a fixed answer of a
 * real answer's size (a starter question's) — no retrieval, no question log. Chat's throughput next to this
 * route's is what the assistant itself costs; this route's next to `/healthz` is what the stack costs.
 */
const built = await buildServer(loadConfig());
const { confidence: _confidence, ...fixed } = await built.assistant.ask({ message: 'Đệm lót sinh học là gì?' }, { log: false });
const Body = z.object({ message: z.string(), audience: z.enum(['citizen', 'student']).optional().nullable() });

built.app.post('/api/bench/san', async (c) => {
  const body = await readJson(c, Body);
  if (!body.ok) return body.response;
  return cleanText(body.value.message) ? c.json(fixed) : c.json({}, 400);
});

serve({ fetch: built.app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(`http://127.0.0.1:${info.port}`));
process.on('SIGTERM', () => void built.close().finally(() => process.exit(0)));
