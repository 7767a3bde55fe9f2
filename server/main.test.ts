import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './config.ts';

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npm start` without the widget build: the real server as its own process, on a free port. */
async function startServerProcess(dataDir: string): Promise<Running> {
  // node itself, not npx: a signal must reach the server, not a wrapper around it
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '0', LLM_BASE_URL: '', EMBEDDING_BASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(output);
      if (m) resolve(m[0]);
    };
    child.stdout!.on('data', check);
    void exited.then(() => reject(new Error(`máy chủ dừng trước khi chạy:\n${output}`)));
  });
  return { child, url, output: () => output, exited };
}

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
});
