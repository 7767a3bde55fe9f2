import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeLlm } from './generate/fake-llm.ts';
import { ROOT } from './config.ts';
import { SERVER_NODE_OPTIONS, startServerProcess as start } from './testing-process.ts';

const startServerProcess = (dataDir: string) => start({ DATA_DIR: dataDir, RATE_LIMIT_PER_MINUTE: '0' });

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('durability of the real process', () => {
  it('keeps every acknowledged feedback write through a SIGKILL mid-burst, with an intact database', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cnsh-kill-'));
    dirs.push(dataDir);
    const first = await startServerProcess(dataDir);
    children.push(first.child);

    const messageIds: string[] = [];
    for (const message of ['Đệm lót sinh học là gì?', 'Hầm biogas vận hành thế nào?', 'Ủ phân compost ra sao?']) {
      const res = await post(`${first.url}/api/chat`, { message });
      messageIds.push(((await res.json()) as { messageId: string }).messageId);
    }

    // 16 writers in parallel; the process is killed once 200 writes are acknowledged, while others are in flight
    const acknowledged: string[] = [];
    let next = 0;
    let killed = false;
    const writer = async () => {
      while (true) {
        const comment = `góp ý thứ ${next++}`;
        try {
          const res = await post(`${first.url}/api/feedback`, { messageId: messageIds[next % 3], helpful: next % 2 === 0, comment });
          if (res.status === 204) acknowledged.push(comment);
          else throw new Error(`trạng thái ${res.status}`);
        } catch (e) {
          if (killed) return;
          throw e;
        }
        if (acknowledged.length >= 200 && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, writer));
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(acknowledged.length).toBeGreaterThanOrEqual(200);

    const second = await startServerProcess(dataDir);
    children.push(second.child);
    expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
    expect((await post(`${second.url}/api/feedback`, { messageId: messageIds[0], helpful: true })).status).toBe(204);

    const db = new Database(join(dataDir, 'cnsh.sqlite'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const stored = new Set(db.prepare('SELECT comment FROM feedback WHERE comment IS NOT NULL').pluck().all() as string[]);
      const lost = acknowledged.filter((c) => !stored.has(c));
      expect(lost).toEqual([]);
      expect(db.prepare('SELECT count(*) FROM questions').pluck().get()).toBe(3);
    } finally {
      db.close();
    }

    // SIGTERM: stops accepting, closes the database cleanly (the WAL is checkpointed and removed), exits 0
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(second.output()).toContain('Nhận SIGTERM');
    expect(existsSync(join(dataDir, 'cnsh.sqlite-wal'))).toBe(false);
  });

  it('on SIGTERM stops accepting, lets an answer being streamed finish, then closes the database and exits', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cnsh-term-'));
    dirs.push(dataDir);
    // the stand-in model holds its answer until told: the stream stays open across the SIGTERM
    const llm = await startFakeLlm('answer');
    try {
      const server = await start({ DATA_DIR: dataDir, RATE_LIMIT_PER_MINUTE: '0', LLM_BASE_URL: llm.baseURL, LLM_MODEL: 'mo-hinh-thu' });
      children.push(server.child);
      llm.behave('hold');
      const streaming = fetch(`${server.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ message: 'Hầm biogas vận hành thế nào cho an toàn?' }),
      });
      while (!llm.chats.some((c) => c.messages.some((m) => m.content.includes('biogas')))) await new Promise((r) => setTimeout(r, 20));

      server.child.kill('SIGTERM');
      while (!server.output().includes('Nhận SIGTERM')) await new Promise((r) => setTimeout(r, 20));
      // no new connections while the last answer finishes
      await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
      expect(server.child.exitCode).toBeNull();

      llm.behave('answer');
      llm.release();
      const body = await (await streaming).text();
      expect(body).toMatch(/event: done\ndata: \{.*"answered":true/);
      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(existsSync(join(dataDir, 'cnsh.sqlite-wal'))).toBe(false);
      const db = new Database(join(dataDir, 'cnsh.sqlite'), { readonly: true });
      expect(db.prepare('SELECT count(*) FROM questions').pluck().get()).toBe(1);
      db.close();
    } finally {
      await llm.close();
    }
  });
});

describe('what an operator sees', () => {
  it('on the first start prints where the staff console is and how to create the first admin account', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cnsh-first-'));
    dirs.push(dataDir);
    const server = await startServerProcess(dataDir);
    children.push(server.child);
    while (!server.output().includes('Trang cán bộ')) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 50));
    expect(server.output()).toContain(`Trang cán bộ: ${server.url}/admin`);
    expect(server.output()).toContain('Chưa có tài khoản quản trị. Tạo tài khoản đầu tiên bằng lệnh: npm run staff -- add <tên-đăng-nhập> --role admin');
    server.child.kill('SIGTERM');
    await server.exited;
  });

  it('on a port already in use says so in Vietnamese, naming PORT, and exits 1 without a stack trace', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cnsh-busy-'));
    dirs.push(dataDir);
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as AddressInfo).port;
    try {
      const child = spawn(process.execPath, [...SERVER_NODE_OPTIONS, '--import', 'tsx', 'server/main.ts'], {
        cwd: ROOT,
        env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LLM_BASE_URL: '', EMBEDDING_BASE_URL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(1);
      expect(output).toContain(`Không khởi động được: Cổng ${port} đang được một chương trình khác dùng`);
      expect(output).toContain(`PORT=${port + 1} npm start`);
      expect(output).not.toMatch(/EADDRINUSE|\n\s+at /);
    } finally {
      taken.close();
    }
  });
});
