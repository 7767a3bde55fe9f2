import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistant, type Assistant } from '../assistant.ts';
import { startTestAssistant } from '../testing.ts';
import { ROOT } from '../config.ts';
import { openDatabase } from '../index/db.ts';
import { hashedEmbedder } from '../index/embedder.ts';
import { editDistance, MAX_SCANS_PER_QUESTION } from './index.ts';

let dataDir: string;
let assistant: Assistant;
let close: () => void;
beforeAll(async () => {
  ({ assistant, dataDir, close } = await startTestAssistant());
});
afterAll(() => close());

const topDocs = async (q: string, mode?: 'hybrid' | 'bm25' | 'vector' | 'naive') =>
  (await assistant.retriever.retrieve(q, { mode })).hits.slice(0, 5).map((h) => h.chunk.docId);

describe('retrieval over the real index', () => {
  it.each([
    'Đệm lót sinh học là gì?',
    'dem lot sinh hoc la gi',
    'đệm lót sh là j',
    'đẹm lót sinh học là gì', // typo
  ])('finds the đệm lót guide for "%s"', async (q) => {
    expect(await topDocs(q)).toContain('dem-lot-sinh-hoc');
  });

  it('corrects typos against the corpus vocabulary ("biogass", "dụcc")', () => {
    expect(assistant.retriever.analyzeQuery('hầm biogass').corrected).toEqual({ biogass: 'biogas' });
    expect(assistant.retriever.analyzeQuery('giáo dụcc').content).toContain('duc');
  });

  it('corrects at most MAX_SCANS_PER_QUESTION unknown words per question (a made-up flood costs a few scans)', () => {
    // 40 distinct slips of corpus words ("biogass", "biogasx" …): each would cost a scan of the whole vocabulary
    const slips = Array.from({ length: 40 }, (_, i) => `biogas${"abcdefghijklmnopqrtuvwxyz"[i % 25]}${i >= 25 ? "q" : ""}`);
    const q = assistant.retriever.analyzeQuery(slips.join(' '));
    expect(MAX_SCANS_PER_QUESTION).toBeLessThanOrEqual(10);
    expect(Object.keys(q.corrected).length).toBeLessThanOrEqual(10);
    // a normal question still gets its correction
    expect(assistant.retriever.analyzeQuery('hầm biogass').corrected).toEqual({ biogass: 'biogas' });
  });

  it('finds the plan section for an abbreviated question', async () => {
    const r = await assistant.retriever.retrieve('Sở NN&MT có nhiệm vụ gì trong KH này?');
    expect(r.hits.slice(0, 5).map((h) => h.chunk.id)).toContain('ke-hoach-cnsh-bvmt-2030#v-1');
  });

  it.each(['2021-2030', 'NOT', '"', 'a OR b', 'NEAR(x y)', '*', 'đệm ") OR 1=1 --', '']) (
    'never throws on FTS5 syntax in user text: %s',
    async (q) => {
      for (const mode of ['hybrid', 'naive'] as const) await expect(assistant.retriever.retrieve(q, { mode })).resolves.toBeDefined();
    },
  );

  it('offers BM25-only, vector-only and naive modes for the evals', async () => {
    for (const mode of ['bm25', 'vector', 'naive'] as const) expect(await topDocs('hầm biogas an toàn', mode)).toContain('ham-biogas');
  });
});

describe('index lifecycle', () => {
  it('does not rebuild or duplicate when started twice on the same DATA_DIR', async () => {
    const again = await createAssistant({ dataDir, corpusDir: join(ROOT, 'corpus') });
    expect(again.index.rebuilt).toBe(false);
    expect(again.index.chunks).toBe(assistant.index.chunks);
    const db = openDatabase(dataDir);
    const { n } = db.prepare('SELECT count(*) AS n FROM chunks').get() as { n: number };
    const { f } = db.prepare('SELECT count(*) AS f FROM chunks_fts').get() as { f: number };
    expect(f).toBe(n);
    db.close();
    again.close();
  });
});

describe('what is remembered when the index changes', () => {
  it('a question in flight while another process changes the index is worked out again next time', async () => {
    // the built-in embedder behind a gate: the question waits at its vector search
    const inner = hashedEmbedder();
    let gate: Promise<void> = Promise.resolve();
    let calls = 0;
    const embedder = { ...inner, embed: async (texts: string[]) => (calls++, await gate, inner.embed(texts)) };
    const gated = await createAssistant({ dataDir, corpusDir: join(ROOT, 'corpus'), embedder });
    const other = openDatabase(dataDir);
    try {
      const question = { message: 'Ủ phân compost bằng nấm Trichoderma thế nào?' };
      const generation = gated.retriever.generation;
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      const inFlight = gated.answer(question);
      await new Promise((r) => setTimeout(r, 10));
      // another process touches the index (a second server publishing an answer), and this one notices
      other.prepare('UPDATE chunks SET title = title WHERE rowid = (SELECT min(rowid) FROM chunks)').run();
      expect(gated.retriever.generation).toBe(generation + 1);
      open();
      expect((await inFlight).answered).toBe(true);

      const asked = calls;
      await gated.answer(question);
      expect(calls, 'worked out again, not served from before the change').toBe(asked + 1);
      // and from then on remembered
      await gated.answer(question);
      expect(calls).toBe(asked + 1);
    } finally {
      other.close();
      gated.close();
    }
  });
});

describe('editDistance', () => {
  it.each([
    ['biogas', 'biogass', 1],
    ['ducc', 'duc', 1],
    ['abcd', 'abdc', 1],
    ['compost', 'compsot', 1],
  ])('%s ~ %s = %i', (a, b, d) => expect(editDistance(a, b, 2)).toBe(d));
});
