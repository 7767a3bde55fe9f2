import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './config.ts';
import { staffClient, type StaffClient } from './review/testing.ts';
import { createPostgresDatabase } from './store/testing.ts';
import { SERVER_NODE_OPTIONS, startServerProcess, type ServerProcess } from './testing-process.ts';

/**
 * Two replicas, as docs/trien-khai.md §10 deploys them: two `server/main.ts` processes, each with its own DATA_DIR
 * (its own search index) and port, on one PostgreSQL (DATABASE_URL). Everything is asked over HTTP, as nginx would.
 * Runs where a PostgreSQL server is (TEST_DATABASE_URL; CI starts one).
 */

/** Asked in the domain, and not answered by the corpus: it goes to the staff queue. */
const DECLINED = 'Nuôi ruồi lính đen xử lý rác hữu cơ có được tỉnh hỗ trợ không?';
const ANSWER =
  'Kế hoạch của tỉnh không nêu riêng mô hình nuôi ruồi lính đen và không ghi mức hỗ trợ cụ thể cho từng hộ. Muốn biết địa phương có chương trình hỗ trợ hay không, bà con hỏi UBND xã, phường hoặc Sở Nông nghiệp và Môi trường.';
const SOURCES = ['ke-hoach-cnsh-bvmt-2030|ii-1-a', 'hoi-o-dau|ubnd-xa-phuong'];
const STAFF = 'canbo.haibansao';
const PASSWORD = 'mat khau du dai cho hai ban sao';

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const ask = async (url: string, message: string) => (await (await post(`${url}/api/chat`, { message })).json()) as { messageId: string; answered: boolean; answer: string };

/** The same browser session on another replica: the cookies it holds, sent to another origin. */
function sameSession(from: StaffClient, base: string): StaffClient {
  const other = staffClient(base);
  for (const [k, v] of from.cookies) other.cookies.set(k, v);
  return other;
}

describe.runIf(!!process.env.TEST_DATABASE_URL)('two replicas on one PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> };
  const dirs: string[] = [];
  let a: ServerProcess;
  let b: ServerProcess;
  const env = (dataDir: string) => ({ DATA_DIR: dataDir, DATABASE_URL: database.url, RATE_LIMIT_PER_MINUTE: '0' });

  beforeAll(async () => {
    database = await createPostgresDatabase();
    for (const name of ['a', 'b']) dirs.push(mkdtempSync(join(tmpdir(), `cnsh-ban-sao-${name}-`)));
    // started together: the migrations run once, under the lock
    [a, b] = (await Promise.all(dirs.map((dir) => startServerProcess(env(dir))))) as [ServerProcess, ServerProcess];
    // `npm run staff -- add`, against the shared database (from replica A's machine)
    await promisify(execFile)(process.execPath, [...SERVER_NODE_OPTIONS, '--import', 'tsx', 'server/cli/staff.ts', 'add', STAFF, '--role', 'admin'], {
      cwd: ROOT,
      env: { ...process.env, ...env(dirs[0]!), STAFF_PASSWORD: PASSWORD },
    });
  }, 120_000);

  afterAll(async () => {
    for (const p of [a, b]) if (p && p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    await Promise.all([a, b].map((p) => p?.exited));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await database?.drop();
  }, 30_000);

  it('serves on both, each with its own index', async () => {
    expect(a.url).not.toBe(b.url);
    for (const p of [a, b]) expect((await fetch(`${p.url}/healthz`)).status).toBe(200);
  });

  it('a question declined on A is in B’s review queue, a staff session made on A works on B, and a curated answer published on A is served by B within 2 s', async () => {
    const declined = await ask(a.url, DECLINED);
    expect(declined.answered).toBe(false);

    const onA = staffClient(a.url);
    expect((await onA.login(STAFF, PASSWORD)).status).toBe(303);
    const onB = sameSession(onA, b.url);
    const queue = await onB.get('/admin/api/hang-cho');
    expect(queue.status).toBe(200);
    const groups = ((await queue.json()) as { groups: { questionIds: string[] }[] }).groups;
    expect(groups.flatMap((g) => g.questionIds)).toContain(declined.messageId);
    // the page itself too, as a reviewer on B sees it
    expect(await (await onB.get('/admin/hang-cho')).text()).toContain(DECLINED);

    const published = await onA.post('/admin/giai-dap', {
      _csrf: await onA.csrf(),
      'cau-hoi': DECLINED,
      'tra-loi': ANSWER,
      'doi-tuong': 'citizen',
      nguon: SOURCES,
      ids: [declined.messageId],
    });
    expect(published.status).toBe(303);
    const at = Date.now();
    let served = await ask(b.url, DECLINED);
    while (!served.answered && Date.now() - at < 2000) {
      await new Promise((r) => setTimeout(r, 100));
      served = await ask(b.url, DECLINED);
    }
    expect(served.answered).toBe(true);
    expect(served.answer).toContain('ruồi lính đen');
    expect(Date.now() - at).toBeLessThan(2000);
  }, 60_000);

  it('SIGKILL of A right after acknowledged /api/chat writes loses none of them: each is there when read through B', async () => {
    const acknowledged: string[] = [];
    let killed = false;
    let n = 0;
    const writer = async () => {
      while (!killed) {
        const message = `Ủ phân chuồng bằng chế phẩm vi sinh lần thứ ${n++} thế nào?`;
        try {
          const res = await post(`${a.url}/api/chat`, { message });
          if (res.status !== 200) throw new Error(`trạng thái ${res.status}`);
          acknowledged.push(((await res.json()) as { messageId: string }).messageId);
        } catch (e) {
          if (killed) return;
          throw e;
        }
        if (acknowledged.length >= 40 && !killed) {
          killed = true;
          a.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, writer));
    expect((await a.exited).signal).toBe('SIGKILL');
    // B knows every acknowledged answer: feedback on it is accepted (an unknown one is 404)
    expect((await post(`${b.url}/api/feedback`, { messageId: 'khong-co-that', helpful: true })).status).toBe(404);
    const lost: string[] = [];
    for (const messageId of acknowledged) if ((await post(`${b.url}/api/feedback`, { messageId, helpful: true })).status !== 204) lost.push(messageId);
    expect(lost).toEqual([]);
    // and B goes on answering
    expect((await ask(b.url, 'Đệm lót sinh học là gì?')).answered).toBe(true);
  }, 60_000);
});
