import { serve } from '@hono/node-server';
import type { Server as HttpServer } from 'node:http';
import { loadConfig } from './config.ts';
import { limitConnections } from './http/guard/connections.ts';
import { trustedProxies } from './http/guard/client.ts';
import { buildServer } from './server.ts';

/** `npm start`: index corpus/ (only when it changed), then serve. */
const config = loadConfig();
const started = performance.now();
const built = await buildServer(config);
const { app, assistant } = built;

const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
  const how = assistant.index.rebuilt ? `đã lập chỉ mục ${assistant.index.chunks} đoạn` : `chỉ mục có sẵn, ${assistant.index.chunks} đoạn`;
  console.log(`Hỏi đáp CNSH: http://${config.host}:${info.port} (${how}, ${Math.round(performance.now() - started)} ms)`);
});

limitConnections(server as HttpServer, trustedProxies(config.trustProxy));

let stopping = false;
function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`Nhận ${signal}: dừng nhận kết nối mới…`);
  // answers being streamed get up to 10 s to finish; then the database is closed anyway
  const force = setTimeout(() => {
    built.close();
    process.exit(0);
  }, 10_000);
  force.unref();
  server.close(() => {
    built.close();
    process.exit(0);
  });
  // keep-alive connections go as soon as their response is done, so close() does not wait for their timeout
  const http = server as unknown as { closeIdleConnections?: () => void };
  setInterval(() => http.closeIdleConnections?.(), 200).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
