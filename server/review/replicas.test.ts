import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistant, type Assistant } from '../assistant.ts';
import { ROOT } from '../config.ts';
import { CURATED_TITLE } from '../corpus/index.ts';
import { testBackends, testDatabase, type TestDatabase } from '../store/testing.ts';
import { startTestServer, type TestServer } from '../testing.ts';
import { curatedChunks, followCuratedAnswers, saveCurated, unpublishCurated, type CuratedInput } from './curated.ts';
import { ask, createStaff, questionLogForTests, staffClient, type StaffClient } from './testing.ts';

/**
 * Two replicas, each with its own DATA_DIR (its own search index), on one PostgreSQL: what staff do on one is
 * what the other serves, within 2 s, and a staff session made on one is valid on the other.
 */
const QUESTION = 'Ở xã Chiềng Mai có ai dạy nuôi giun quế không?';
const PARAPHRASE = 'o xa chieng mai co ai day nuoi giun que khong vay';
const ANSWER = 'Trợ lý chưa có lịch tập huấn của từng xã. Người dân hỏi UBND xã, phường nơi mình ở, vì đây là nơi gần dân nhất.';
const SOURCES = [{ docId: 'hoi-o-dau', section: 'UBND xã, phường' }];

const within2s = { timeout: 2000, interval: 50 };

describe.runIf(testBackends().includes('postgres'))('two replicas on one PostgreSQL', () => {
  let pg: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let staff: StaffClient;
  let csrf: string;

  beforeAll(async () => {
    pg = await testDatabase('postgres');
    await questionLogForTests(pg.db);
    [a, b] = await Promise.all([startTestServer({ DATABASE_URL: pg.url! }), startTestServer({ DATABASE_URL: pg.url! })]);
    expect(a.dataDir).not.toBe(b.dataDir);
    await createStaff(a.assistant.state, 'canbo');
    staff = staffClient(a.url);
    expect((await staff.login('canbo')).status).toBe(303);
    csrf = await staff.csrf();
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await pg?.drop();
  });

  it('a staff session made on A is valid on B, and signing out on B ends it on A', async () => {
    const onB = staffClient(b.url);
    for (const [k, v] of staff.cookies) onB.cookies.set(k, v);
    expect((await onB.get('/admin/giai-dap')).status).toBe(200);
    // the CSRF token travels with the session
    expect(await onB.csrf()).toBe(csrf);
    const other = staffClient(a.url);
    await other.login('canbo');
    const otherOnB = staffClient(b.url);
    for (const [k, v] of other.cookies) otherOnB.cookies.set(k, v);
    expect((await otherOnB.post('/admin/dang-xuat', { _csrf: await other.csrf() })).status).toBe(303);
    expect((await other.get('/admin/giai-dap')).status).toBe(302);
    // the first session is untouched
    expect((await staff.get('/admin/giai-dap')).status).toBe(200);
  });

  it('a curated answer published on A is served by B within 2 s, as edited, and no longer once taken down', async () => {
    // asked on B first, so B has the declined answer in memory
    expect((await ask(b.url, PARAPHRASE)).answered, 'the corpus must not already answer this').toBe(false);
    const res = await staff.postJson('/admin/api/giai-dap', { question: QUESTION, answer: ANSWER, sources: SOURCES }, { 'x-csrf-token': csrf });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const firstOnB = async () => (await ask(b.url, PARAPHRASE)).citations[0]?.id ?? null;
    await expect.poll(firstOnB, within2s).toBe(`hoi-dap#${id}`);
    expect((await ask(b.url, PARAPHRASE)).citations[0]!.title).toBe(CURATED_TITLE);

    const edited = await staff.postJson('/admin/api/giai-dap', { id, question: QUESTION, answer: `${ANSWER} Lịch cụ thể do xã thông báo.`, sources: SOURCES }, { 'x-csrf-token': csrf });
    expect(edited.status).toBe(200);
    await expect.poll(async () => (await ask(b.url, PARAPHRASE)).answer, within2s).toContain('Lịch cụ thể do xã thông báo.');

    expect((await staff.post(`/admin/giai-dap/${id}/go`, { _csrf: csrf })).status).toBe(303);
    await expect.poll(firstOnB, within2s).toBeNull();
  });
});

describe.runIf(testBackends().includes('postgres'))('a replica that missed the notification', () => {
  let pg: TestDatabase;
  const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'cnsh-replica-')));
  let a: Assistant;
  let b: Assistant;

  beforeAll(async () => {
    pg = await testDatabase('postgres');
    [a, b] = (await Promise.all(
      dirs.map((dataDir) => createAssistant({ dataDir, corpusDir: join(ROOT, 'corpus'), databaseUrl: pg.url, extraChunks: curatedChunks })),
    )) as [Assistant, Assistant];
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await pg?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('catches up by its periodic check', async () => {
    const follower = await followCuratedAnswers(b, { checkEveryMs: 200 });
    try {
      // A's notifications are lost (a dropped connection): only the check can bring the change to B
      const silent = { ...a, state: { ...a.state, notify: async () => undefined } };
      const input: CuratedInput = { question: QUESTION, variants: [], answer: ANSWER, audience: [], sources: SOURCES, references: [], questionIds: [] };
      const saved = await saveCurated(silent, input, 'canbo', { publish: true });
      expect(saved.ok).toBe(true);
      if (!saved.ok) return;
      const firstOnB = async () => (await b.answer({ message: PARAPHRASE })).citations[0]?.id ?? null;
      await expect.poll(firstOnB, within2s).toBe(`hoi-dap#${saved.answer.id}`);
      expect(await unpublishCurated(silent, saved.answer.id, 'canbo')).toBe(true);
      await expect.poll(firstOnB, within2s).toBeNull();
    } finally {
      await follower.stop();
    }
  });
});
