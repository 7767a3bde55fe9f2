import { createHash } from 'node:crypto';
import OpenAI from 'openai';
import { ensureTables, openDatabase, type DB } from './db.ts';
import type { Embedder } from './embedder.ts';

export interface EmbeddingModelConfig {
  baseURL: string;
  apiKey: string;
  model: string;
}

export interface EmbeddingModel {
  /** undefined when the model could not be reached at start: the built-in embedder is used instead */
  embedder: Embedder | undefined;
  /** the index could not be built with the model (it failed part-way): the built-in embedder is used */
  unusable(error: unknown): void;
  /** fields of `/healthz` */
  health(): Record<string, unknown>;
  close(): void;
}

export interface EmbeddingOptions {
  /** texts per request to the model */
  batchSize?: number;
}

const QUERY_TIMEOUT_MS = 4_000;
const BATCH_TIMEOUT_MS = 60_000;
const QUERY_CACHE_SIZE = 256;
const FAILURES_BEFORE_COOLDOWN = 3;
const COOLDOWN_MS = 60_000;

const textHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

/** Vectors already paid for, keyed by (embedder id, chunk text hash): an interrupted re-embed resumes here. */
function vectorCache(db: DB, id: string, dimensions: number) {
  ensureTables(
    db,
    'embedding-cache',
    `CREATE TABLE embedding_cache (
       embedder TEXT NOT NULL,
       text_hash TEXT NOT NULL,
       vector BLOB NOT NULL,
       PRIMARY KEY (embedder, text_hash)
     ) WITHOUT ROWID`,
  );
  const get = db.prepare('SELECT vector FROM embedding_cache WHERE embedder = ? AND text_hash = ?').pluck();
  const put = db.prepare('INSERT OR REPLACE INTO embedding_cache (embedder, text_hash, vector) VALUES (?, ?, ?)');
  const putAll = db.transaction((rows: [string, Float32Array][]) => {
    for (const [text, v] of rows) put.run(id, textHash(text), Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  });
  return {
    get(text: string): Float32Array | undefined {
      const blob = get.get(id, textHash(text)) as Buffer | undefined;
      if (!blob || blob.byteLength !== dimensions * 4) return undefined;
      return new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
    },
    putAll: (rows: [string, Float32Array][]) => putAll(rows),
  };
}

/**
 * An embedder through any OpenAI-compatible `/v1/embeddings`. The dimension is read from the model's first
 * response; the id names the model, so changing EMBEDDING_MODEL re-embeds the corpus. Chunk texts (several
 * lines: title, section, text) are cached in SQLite; questions (one line) are kept only in memory, so no
 * trace of what citizens asked is stored beyond the redacted question log.
 */
export async function connectEmbeddingModel(
  config: EmbeddingModelConfig,
  dataDir: string,
  { batchSize = 32 }: EmbeddingOptions = {},
): Promise<EmbeddingModel> {
  const client = new OpenAI({ baseURL: config.baseURL, apiKey: config.apiKey, maxRetries: 0 });
  const request = async (input: string[], timeout: number, signal?: AbortSignal): Promise<Float32Array[]> => {
    const res = await client.embeddings.create({ model: config.model, input, encoding_format: 'float' }, { timeout, signal });
    const data = [...res.data].sort((a, b) => a.index - b.index);
    if (data.length !== input.length) throw new Error(`mô hình nhúng trả ${data.length} vector cho ${input.length} đoạn`);
    return data.map((d) => Float32Array.from(d.embedding));
  };

  let usable = true;
  let failures = 0;
  let coolingUntil = 0;
  const health = () =>
    usable && Date.now() >= coolingUntil ? { embedding: 'ok' } : { status: 'degraded', embedding: 'unavailable' };

  let dimensions: number;
  try {
    dimensions = (await request(['công nghệ sinh học'], QUERY_TIMEOUT_MS * 2))[0]!.length;
    if (!dimensions) throw new Error('vector rỗng');
  } catch (e) {
    console.warn(`Không dùng được mô hình nhúng ${config.model} (${(e as Error).message}): dùng bộ nhúng có sẵn.`);
    usable = false;
    return { embedder: undefined, unusable() {}, health, close() {} };
  }

  const id = `openai:${config.model}:${dimensions}`;
  const db = openDatabase(dataDir);
  const cache = vectorCache(db, id, dimensions);
  const recent = new Map<string, Float32Array>();
  const isChunkText = (text: string) => text.includes('\n');

  const embedBatch = async (texts: string[], asking: boolean, signal?: AbortSignal): Promise<Float32Array[]> => {
    if (asking && Date.now() < coolingUntil) throw new Error('mô hình nhúng đang tạm ngưng');
    let vectors: Float32Array[];
    try {
      vectors = await request(texts, asking ? QUERY_TIMEOUT_MS : BATCH_TIMEOUT_MS, signal).catch((e) => {
        // one retry for indexing batches: a long re-embed should not stop for one hiccup
        if (asking || signal?.aborted) throw e;
        return request(texts, BATCH_TIMEOUT_MS, signal);
      });
      if (vectors.some((v) => v.length !== dimensions))
        throw new Error(`mô hình nhúng đổi số chiều (khác ${dimensions}): hãy khởi động lại máy chủ`);
    } catch (e) {
      if (asking && ++failures >= FAILURES_BEFORE_COOLDOWN) coolingUntil = Date.now() + COOLDOWN_MS;
      throw e;
    }
    failures = 0;
    return vectors;
  };

  const embedder: Embedder = {
    id,
    dimensions,
    async embed(texts, signal) {
      const out: (Float32Array | undefined)[] = texts.map((t) => (isChunkText(t) ? cache.get(t) : recent.get(t)));
      const missing = texts.map((_, i) => i).filter((i) => !out[i]);
      const asking = missing.some((i) => !isChunkText(texts[i]!));
      for (let b = 0; b < missing.length; b += batchSize) {
        const batch = missing.slice(b, b + batchSize);
        const vectors = await embedBatch(
          batch.map((i) => texts[i]!),
          asking,
          signal,
        );
        // saved batch by batch, so a re-embed that stops here resumes from this point
        cache.putAll(batch.flatMap((i, k) => (isChunkText(texts[i]!) ? [[texts[i]!, vectors[k]!] as [string, Float32Array]] : [])));
        batch.forEach((i, k) => {
          out[i] = vectors[k]!;
          if (!isChunkText(texts[i]!)) {
            recent.set(texts[i]!, vectors[k]!);
            if (recent.size > QUERY_CACHE_SIZE) recent.delete(recent.keys().next().value!);
          }
        });
      }
      return out as Float32Array[];
    },
  };

  return {
    embedder,
    unusable(e) {
      console.warn(`Lập chỉ mục bằng mô hình nhúng ${config.model} bị gián đoạn (${(e as Error).message}): tạm dùng bộ nhúng có sẵn; lần khởi động sau sẽ nhúng tiếp phần còn lại.`);
      usable = false;
    },
    health,
    close: () => db.close(),
  };
}
