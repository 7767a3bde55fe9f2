import { serve } from '@hono/node-server';
import { createAssistant } from './assistant.ts';
import { loadConfig } from './config.ts';
import { createApp } from './http/app.ts';

/** `npm start`: index corpus/ (only when it changed), then serve. */
const config = loadConfig();
const started = performance.now();
const assistant = await createAssistant({ dataDir: config.dataDir, corpusDir: config.corpusDir });
const app = createApp(assistant, { config });

const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
  const how = assistant.index.rebuilt ? `đã lập chỉ mục ${assistant.index.chunks} đoạn` : `chỉ mục có sẵn, ${assistant.index.chunks} đoạn`;
  console.log(`Hỏi đáp CNSH: http://${config.host}:${info.port} (${how}, ${Math.round(performance.now() - started)} ms)`);
});

let stopping = false;
function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`Nhận ${signal}: dừng nhận kết nối mới…`);
  const force = setTimeout(() => {
    assistant.close();
    process.exit(0);
  }, 10_000);
  force.unref();
  server.close(() => {
    assistant.close();
    process.exit(0);
  });
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
