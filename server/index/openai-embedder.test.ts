import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlm, type FakeLlm } from '../generate/fake-llm.ts';
import { askApi } from '../generate/testing.ts';
import { startTestServer, type TestServer } from '../testing.ts';

const QUESTION = 'Làm sao vận hành hầm biogas an toàn?';

/** Texts the model was asked to embed that are chunks (several lines), not questions. */
const chunkTexts = (fake: FakeLlm, from = 0, model?: string) =>
  fake.embeddings
    .slice(from)
    .filter((r) => !model || r.model === model)
    .flatMap((r) => r.inputs)
    .filter((t) => t.includes('\n'));

async function health(server: TestServer) {
  const res = await fetch(`${server.url}/healthz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function vecDimensions(server: TestServer): number {
  const { sql } = server.assistant.db.prepare("SELECT sql FROM sqlite_master WHERE name = 'chunks_vec'").get() as { sql: string };
  return Number(/float\[(\d+)\]/.exec(sql)![1]);
}

describe('an OpenAI-compatible embedding model', () => {
  let fake: FakeLlm;
  let dataDir: string;
  beforeAll(async () => {
    fake = await startFakeLlm();
    dataDir = mkdtempSync(join(tmpdir(), 'cnsh-embed-'));
  });
  afterAll(async () => {
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const start = (model: string) => startTestServer({ DATA_DIR: dataDir, EMBEDDING_BASE_URL: fake.baseURL, EMBEDDING_MODEL: model });

  it('a re-embed interrupted by the model failing resumes where it stopped; meanwhile the assistant answers', async () => {
    // the probe and three batches succeed, then the model fails
    fake.failEmbeddingsAfter(4);
    const interrupted = await start('vn-embed-48');
    try {
      expect(await health(interrupted)).toMatchObject({ status: 200, body: { status: 'degraded', embedding: 'unavailable' } });
      const { status, body } = await askApi(interrupted.url, QUESTION);
      expect(status).toBe(200);
      expect(body.answered).toBe(true);
    } finally {
      await interrupted.close();
    }
    const first = chunkTexts(fake);
    expect(first.length).toBe(3 * 32);

    fake.failEmbeddingsAfter(null);
    const mark = fake.embeddings.length;
    const resumed = await start('vn-embed-48');
    try {
      const second = chunkTexts(fake, mark);
      // nothing embedded twice, and together every chunk
      expect(second.filter((t) => first.includes(t))).toEqual([]);
      expect(first.length + second.length).toBe(resumed.assistant.index.chunks);
      // in batches
      expect(Math.max(...fake.embeddings.slice(mark).map((r) => r.inputs.length))).toBeLessThanOrEqual(32);
      expect(resumed.assistant.embedder.id).toBe('openai:vn-embed-48:48');
      expect(vecDimensions(resumed)).toBe(48);
      expect(await health(resumed)).toMatchObject({ status: 200, body: { status: 'ok', embedding: 'ok' } });

      const { body } = await askApi(resumed.url, QUESTION);
      expect(body.answered).toBe(true);
      expect(body.citations[0]!.docId).toMatch(/^(ham-biogas|hs-thu-khi-sinh-hoc|hoi-dap)$/);
      // the question was embedded through the model, but only chunks are kept on disk
      expect(fake.embeddings.at(-1)!.inputs).toHaveLength(1);
      const cached = resumed.assistant.db.prepare("SELECT count(*) FROM embedding_cache WHERE embedder = 'openai:vn-embed-48:48'").pluck().get();
      expect(cached).toBe(resumed.assistant.index.chunks);
    } finally {
      await resumed.close();
    }
  });

  it('starting again with the same model embeds nothing again', async () => {
    const mark = fake.embeddings.length;
    const again = await start('vn-embed-48');
    try {
      expect(again.assistant.index.rebuilt).toBe(false);
      expect(chunkTexts(fake, mark)).toEqual([]);
    } finally {
      await again.close();
    }
  });

  it('a different model re-embeds every chunk, with the new model’s dimension', async () => {
    const mark = fake.embeddings.length;
    const changed = await start('vn-embed-96');
    try {
      expect(changed.assistant.embedder.id).toBe('openai:vn-embed-96:96');
      expect(vecDimensions(changed)).toBe(96);
      expect(new Set(chunkTexts(fake, mark, 'vn-embed-96')).size).toBe(changed.assistant.index.chunks);
      const { body } = await askApi(changed.url, 'Đệm lót sinh học là gì?');
      expect(body.answered).toBe(true);
    } finally {
      await changed.close();
    }
  });

  it('when the model goes down after the start, questions are still answered (lexical ranks) and /healthz says degraded', async () => {
    const server = await start('vn-embed-96');
    try {
      fake.failEmbeddingsAfter(0);
      for (const q of [QUESTION, 'Đệm lót sinh học là gì?', 'Rác hữu cơ trong nhà xử lý thế nào?']) {
        const { status, body } = await askApi(server.url, q);
        expect(status).toBe(200);
        expect(body.answered).toBe(true);
      }
      expect(await health(server)).toMatchObject({ status: 200, body: { status: 'degraded', embedding: 'unavailable' } });
    } finally {
      fake.failEmbeddingsAfter(null);
      await server.close();
    }
  });
});
