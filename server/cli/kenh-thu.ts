import { serve } from '@hono/node-server';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AddressInfo } from 'node:net';
import { startStandIn } from '../channels/stand-in.ts';
import { channelEnv, postZalo, zaloTextEvent } from '../channels/testing.ts';
import { loadConfig } from '../config.ts';
import { buildServer } from '../server.ts';

/**
 * `npm run kenh:thu -- ["câu hỏi"]`: the Zalo channel end to end on this machine, nothing from the internet.
 * Starts a local stand-in for Zalo's APIs, the real server with the Zalo channel pointed at it (a fresh
 * DATA_DIR, removed on exit), then delivers the question as a signed `user_send_text` webhook — the way Zalo
 * would — and prints what the OA sends back. Further lines typed here are asked the same way; Ctrl+D ends.
 */
const standIn = await startStandIn();
const dataDir = process.env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'cnsh-kenh-thu-'));
const port = Number(process.env.PORT ?? 3000);
const env = { ...process.env, ...channelEnv(standIn, `http://127.0.0.1:${port}`), DATA_DIR: dataDir, PORT: String(port) };
const built = await buildServer(loadConfig(env));
const server = serve({ fetch: built.app.fetch, port, hostname: '127.0.0.1' });
await new Promise<void>((resolve) => server.once('listening', () => resolve()));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const USER = '8490123456789';
standIn.onZaloSent = (m) => console.log(`\n— OA trả lời (trích tin ${m.quote ?? '—'}) —\n${m.text}\n`);

console.log(`Máy chủ: ${url}  (webhook Zalo: ${url}/kenh/zalo)`);
console.log(`Máy thay Zalo (chỉ chạy trên máy này): ${standIn.zaloApiBaseUrl}`);
if (process.env.LLM_BASE_URL) console.log(`Mô hình ngôn ngữ: ${process.env.LLM_BASE_URL}`);

async function ask(text: string) {
  const event = zaloTextEvent(standIn.zalo.appId, USER, text);
  console.log(`— Người dùng Zalo hỏi (tin ${event.msgId}) —\n${text}`);
  const started = Date.now();
  const res = await postZalo(url, standIn.zalo.appId, event.body);
  console.log(`(webhook trả ${res.status} sau ${Date.now() - started} ms; câu trả lời gửi sau)`);
  await built.channels.idle();
}

async function stop() {
  server.close();
  await built.close();
  await standIn.close();
  if (!process.env.DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
}

await ask(process.argv.slice(2).join(' ').trim() || 'Làm sao vận hành hầm biogas an toàn?');
if (!process.stdin.isTTY) {
  await stop();
} else {
  console.log('Gõ thêm câu hỏi rồi Enter để hỏi như trong Zalo; Ctrl+D để thoát.');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim()) await ask(line.trim());
  await stop();
}
