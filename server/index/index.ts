import { createHash } from 'node:crypto';
import type { Chunk, Corpus } from '../corpus/index.ts';
import { analyze, terms } from '../text/index.ts';
import { getMeta, setMeta, type DB } from './db.ts';
import type { Embedder } from './embedder.ts';

/** Bump when the text pipeline or the index layout changes: the index is then rebuilt. */
export const PIPELINE_VERSION = 'pipeline-10';

export function corpusHash(corpus: Corpus, embedder: Embedder): string {
  const h = createHash('sha256').update(PIPELINE_VERSION).update('\0').update(embedder.id);
  for (const f of [...corpus.files].sort((a, b) => a.path.localeCompare(b.path)))
    h.update('\0').update(f.path).update('\0').update(f.content);
  return h.digest('hex');
}

/** The text an embedder and the lexical index see for a chunk. */
export function chunkSearchText(c: Pick<Chunk, 'title' | 'section' | 'text' | 'questions'>): string {
  return [c.title, c.section, ...(c.questions ?? []), c.text].join('\n');
}

function ftsColumns(c: Chunk) {
  const head = analyze(`${c.title}\n${c.section}`);
  const body = analyze([...(c.questions ?? []), c.text].join('\n'));
  const title = analyze(c.title);
  const section = analyze(c.section);
  return {
    title: terms(title.folded, title.breaks).join(' '),
    section: terms(section.folded, section.breaks).join(' '),
    body: terms(body.folded, body.breaks).join(' '),
    head_acc: terms(head.tokens, head.breaks).join(' '),
    body_acc: terms(body.tokens, body.breaks).join(' '),
    all: [...new Set([...terms(head.folded, head.breaks), ...terms(body.folded, body.breaks)])].join(' '),
  };
}

function vecTableDimensions(db: DB): number | null {
  const row = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'chunks_vec'").get() as { sql: string } | undefined;
  const m = row && /float\[(\d+)\]/.exec(row.sql);
  return m ? Number(m[1]) : null;
}

function ensureVecTable(db: DB, dimensions: number): void {
  if (vecTableDimensions(db) === dimensions) return;
  db.exec('DROP TABLE IF EXISTS chunks_vec');
  db.exec(`CREATE VIRTUAL TABLE chunks_vec USING vec0(embedding float[${dimensions}] distance_metric=cosine)`);
}

/** Writes one chunk into chunks, FTS5, the naive baseline and vec0. Call inside a transaction. */
export function writeChunk(db: DB, c: Chunk, vector: Float32Array, origin: 'corpus' | 'curated' = 'corpus'): number {
  const cols = ftsColumns(c);
  const { lastInsertRowid } = db
    .prepare(
      `INSERT INTO chunks (id, doc_id, kind, title, section, anchor, text, audience, questions, supports, origin, terms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      c.id,
      c.docId,
      c.kind,
      c.title,
      c.section,
      c.anchor,
      c.text,
      JSON.stringify(c.audience),
      c.questions ? JSON.stringify(c.questions) : null,
      c.supports ? JSON.stringify(c.supports) : null,
      origin,
      cols.all,
    );
  const rowid = BigInt(lastInsertRowid);
  db.prepare('INSERT INTO chunks_fts (rowid, title, section, body, head_acc, body_acc) VALUES (?, ?, ?, ?, ?, ?)').run(
    rowid,
    cols.title,
    cols.section,
    cols.body,
    cols.head_acc,
    cols.body_acc,
  );
  db.prepare('INSERT INTO chunks_naive (rowid, text) VALUES (?, ?)').run(rowid, chunkSearchText(c));
  db.prepare('INSERT INTO chunks_vec (rowid, embedding) VALUES (?, ?)').run(rowid, vector);
  return Number(rowid);
}

export function deleteChunk(db: DB, id: string): void {
  const row = db.prepare('SELECT rowid FROM chunks WHERE id = ?').get(id) as { rowid: number } | undefined;
  if (!row) return;
  const rowid = BigInt(row.rowid);
  db.prepare('DELETE FROM chunks_fts WHERE rowid = ?').run(rowid);
  db.prepare('DELETE FROM chunks_naive WHERE rowid = ?').run(rowid);
  db.prepare('DELETE FROM chunks_vec WHERE rowid = ?').run(rowid);
  db.prepare('DELETE FROM chunks WHERE rowid = ?').run(rowid);
}

export interface IndexStatus {
  rebuilt: boolean;
  chunks: number;
  hash: string;
  ms: number;
}

/**
 * Makes the index match the corpus. A no-op when the content hash is unchanged (so starting twice on the
 * same DATA_DIR duplicates nothing); otherwise everything is replaced in one transaction, so a reader never
 * sees a half-built index. `extra` are chunks kept outside corpus/ (curated answers of staff).
 */
export async function ensureIndex(
  db: DB,
  corpus: Corpus,
  embedder: Embedder,
  extra: () => Chunk[] | Promise<Chunk[]> = () => [],
): Promise<IndexStatus> {
  const started = performance.now();
  const hash = corpusHash(corpus, embedder);
  const count = () => (db.prepare('SELECT count(*) AS n FROM chunks').get() as { n: number }).n;
  if (getMeta(db, 'index_hash') === hash && vecTableDimensions(db) === embedder.dimensions)
    return { rebuilt: false, chunks: count(), hash, ms: performance.now() - started };

  const corpusChunks = corpus.chunks;
  const vectors: Float32Array[] = [];
  const BATCH = 64;
  for (let i = 0; i < corpusChunks.length; i += BATCH)
    vectors.push(...(await embedder.embed(corpusChunks.slice(i, i + BATCH).map(chunkSearchText))));
  const curated = await extra();
  const curatedVectors = curated.length ? await embedder.embed(curated.map(chunkSearchText)) : [];

  db.exec('BEGIN IMMEDIATE');
  try {
    if (getMeta(db, 'index_hash') !== hash || vecTableDimensions(db) !== embedder.dimensions) {
      db.exec('DELETE FROM chunks_fts; DELETE FROM chunks_naive; DELETE FROM chunks;');
      db.exec('DROP TABLE IF EXISTS chunks_vec');
      ensureVecTable(db, embedder.dimensions);
      corpusChunks.forEach((c, i) => writeChunk(db, c, vectors[i]!));
      curated.forEach((c, i) => writeChunk(db, c, curatedVectors[i]!, 'curated'));
      db.exec("INSERT INTO chunks_fts (chunks_fts) VALUES ('optimize')");
      setMeta(db, 'index_hash', hash);
      setMeta(db, 'embedder', embedder.id);
      setMeta(db, 'indexed_at', new Date().toISOString());
    }
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
  return { rebuilt: true, chunks: count(), hash, ms: performance.now() - started };
}
