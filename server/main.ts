import { serve } from '@hono/node-server';
import type { Server as HttpServer } from 'node:http';
import { loadConfig } from './config.ts';
import { listStaff } from './review/staff.ts';
import { limitConnections } from './http/guard/connections.ts';
import { trustedProxies } from './http/guard/client.ts';
import { buildServer } from './server.ts';

/** `npm start`: index corpus/ (only when it changed), then serve. */
const config = loadConfig();
const started = performance.now();
const built = await buildServer(config);
const { app, assistant } = built;

// the first start: say how to get into the console, since there is no default account
const noAdmin = !(await listStaff(assistant.state)).some((s) => s.role === 'admin' && !s.disabled);

const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
  const how = assistant.index.rebuilt ? `đã lập chỉ mục ${assistant.index.chunks} đoạn` : `chỉ mục có sẵn, ${assistant.index.chunks} đoạn`;
  const origin = `http://${config.host}:${info.port}`;
  console.log(`Hỏi đáp CNSH: ${origin} (${how}, ${Math.round(performance.now() - started)} ms)`);
  const channels = [config.zalo && 'Zalo (/kenh/zalo)', config.messenger && 'Messenger (/kenh/messenger)'].filter(Boolean);
  if (channels.length) console.log(`Kênh nhắn tin đang bật: ${channels.join(', ')}`);
  console.log(`Trang cán bộ: ${origin}/admin`);
  if (noAdmin)
    console.log('Chưa có tài khoản quản trị. Tạo tài khoản đầu tiên bằng lệnh: npm run staff -- add <tên-đăng-nhập> --role admin');
});

/** What an operator can do about a port that cannot be opened, in Vietnamese, without a stack trace. */
const LISTEN_PROBLEM: Record<string, (port: number) => string> = {
  EADDRINUSE: (port) =>
    `Cổng ${port} đang được một chương trình khác dùng (có thể là một Hỏi đáp CNSH khác đang chạy). Hãy dừng chương trình đó, hoặc chọn cổng khác bằng biến PORT, ví dụ: PORT=${port + 1} npm start`,
  EACCES: (port) => `Không có quyền mở cổng ${port} (cổng dưới 1024 cần quyền quản trị). Hãy chọn cổng khác bằng biến PORT, ví dụ: PORT=3000 npm start`,
  EADDRNOTAVAIL: () => `Máy này không có địa chỉ HOST=${config.host}. Hãy đặt HOST là một địa chỉ của máy, ví dụ: HOST=127.0.0.1 npm start`,
};
server.on('error', (err: NodeJS.ErrnoException) => {
  const problem = err.code ? LISTEN_PROBLEM[err.code] : undefined;
  if (!problem) throw err;
  console.error(`Không khởi động được: ${problem(config.port)}`);
  void built.close().finally(() => process.exit(1));
});

limitConnections(server as HttpServer, trustedProxies(config.trustProxy));

let stopping = false;
function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`Nhận ${signal}: dừng nhận kết nối mới…`);
  // answers being streamed get up to 10 s to finish; then the database is closed anyway
  const force = setTimeout(() => void built.close().finally(() => process.exit(0)), 10_000);
  force.unref();
  // messenger answers run after their webhook was acknowledged: they finish too (within the same 10 s)
  server.close(() => {
    void built.channels
      .idle()
      .then(() => built.close())
      .finally(() => process.exit(0));
  });
  // keep-alive connections go as soon as their response is done, so close() does not wait for their timeout
  const http = server as unknown as { closeIdleConnections?: () => void };
  setInterval(() => http.closeIdleConnections?.(), 200).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
