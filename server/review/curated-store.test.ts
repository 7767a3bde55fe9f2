import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistant, type Assistant } from '../assistant.ts';
import { ROOT } from '../config.ts';
import { testBackends, testDatabase, type TestDatabase } from '../store/testing.ts';
import { curatedChunks, listCurated, saveCurated, unpublishCurated, type CuratedInput } from './curated.ts';
import { auditLog } from './db.ts';
import { reviewItem } from './queue.ts';
import { logTestQuestion, questionLogForTests } from './testing.ts';

/** Curated answers through their store, on both backends: what staff save is what the assistant serves. */
const QUESTION = 'Ở xã Chiềng Mai có ai dạy nuôi giun quế không?';
const PARAPHRASE = 'o xa chieng mai co ai day nuoi giun que khong vay';
const ANSWER = 'Trợ lý chưa có lịch tập huấn của từng xã. Người dân hỏi UBND xã, phường nơi mình ở, vì đây là nơi gần dân nhất.';
const input = (extra: Partial<CuratedInput> = {}): CuratedInput => ({
  question: QUESTION,
  variants: ['Xã Chiềng Mai có mở lớp dạy nuôi giun quế không?'],
  answer: ANSWER,
  audience: [],
  sources: [{ docId: 'hoi-o-dau', section: 'UBND xã, phường' }],
  references: [],
  questionIds: [],
  ...extra,
});

describe.each(testBackends())('curated answers on %s', (dialect) => {
  let pg: TestDatabase | null = null;
  let dataDir: string;
  let assistant: Assistant;
  const servedFrom = async (message: string) => (await assistant.answer({ message })).citations[0]?.id ?? null;

  beforeAll(async () => {
    pg = dialect === 'postgres' ? await testDatabase('postgres') : null;
    dataDir = mkdtempSync(join(tmpdir(), 'cnsh-curated-'));
    assistant = await createAssistant({ dataDir, corpusDir: join(ROOT, 'corpus'), databaseUrl: pg?.url ?? null, extraChunks: curatedChunks });
    await questionLogForTests(assistant.state);
    await logTestQuestion(assistant.state, { id: 'q-giun', text: QUESTION });
  }, 60_000);
  afterAll(async () => {
    await assistant?.close();
    await pg?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  let id = '';

  it('a draft is kept but not served', async () => {
    expect(await servedFrom(PARAPHRASE), 'the corpus must not already answer this').toBeNull();
    const saved = await saveCurated(assistant, input(), 'nguyen.thi.lan', { publish: false });
    expect(saved.ok).toBe(true);
    if (!saved.ok) return;
    id = saved.answer.id;
    expect(id).toMatch(/^gd-1-o-xa-chieng-mai/);
    expect(saved.answer).toMatchObject({ status: 'draft', createdBy: 'nguyen.thi.lan', publishedAt: null });
    expect(await servedFrom(PARAPHRASE)).toBeNull();
    expect(await curatedChunks(assistant.state, assistant.corpus)).toEqual([]);
  });

  it('published, it answers a paraphrase at once, and the questions it answers leave the queue', async () => {
    const saved = await saveCurated(assistant, input({ questionIds: ['q-giun'] }), 'nguyen.thi.lan', { id, publish: true });
    expect(saved.ok && saved.answer.status).toBe('published');
    expect(await servedFrom(PARAPHRASE)).toBe(`hoi-dap#${id}`);
    expect(await reviewItem(assistant.state, 'q-giun')).toMatchObject({ status: 'curated', curatedId: id });
    expect((await curatedChunks(assistant.state, assistant.corpus)).map((c) => c.id)).toEqual([`hoi-dap#${id}`]);
  });

  it('edited, it is served as edited', async () => {
    const saved = await saveCurated(assistant, input({ answer: `${ANSWER} Lịch cụ thể do xã thông báo.` }), 'tran.van.binh', { id, publish: true });
    expect(saved.ok && saved.answer.updatedBy).toBe('tran.van.binh');
    expect((await assistant.answer({ message: PARAPHRASE })).answer).toContain('Lịch cụ thể do xã thông báo.');
  });

  it('unpublished, it is no longer served and its questions are back in the queue; every step is in the audit log', async () => {
    expect(await unpublishCurated(assistant, id, 'nguyen.thi.lan')).toBe(true);
    expect(await unpublishCurated(assistant, id, 'nguyen.thi.lan')).toBe(false);
    expect(await servedFrom(PARAPHRASE)).toBeNull();
    expect(await reviewItem(assistant.state, 'q-giun')).toMatchObject({ status: 'open', curatedId: null });
    expect((await listCurated(assistant.state)).map((a) => [a.id, a.status])).toEqual([[id, 'unpublished']]);
    const history = await auditLog(assistant.state, { target: id });
    expect(history.map((r) => [r.action, r.username])).toEqual([
      ['curated:unpublish', 'nguyen.thi.lan'],
      ['curated:update', 'tran.van.binh'],
      ['curated:update', 'nguyen.thi.lan'],
      ['curated:draft', 'nguyen.thi.lan'],
    ]);
  });

  it('answers saved at the same moment get numbers of their own', async () => {
    const results = await Promise.all(
      ['Nuôi giun quế cần chuồng thế nào?', 'Giun quế ăn gì?', 'Phân giun quế bón cho cây gì?'].map((question) =>
        saveCurated(assistant, input({ question, variants: [] }), 'nguyen.thi.lan', { publish: false }),
      ),
    );
    const numbers = results.map((r) => (r.ok ? r.answer.n : 0)).sort();
    expect(numbers).toEqual([2, 3, 4]);
  });
});
