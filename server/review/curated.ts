import type { Assistant } from '../assistant.ts';
import { canonicalDocId, faqChunk, findSection, slugify, type Chunk, type Corpus, type CorpusDocument, type Section } from '../corpus/index.ts';
import { Audience as AudienceSchema, FaqEntry as FaqEntrySchema, OfficialRef as OfficialRefSchema, type Audience, type FaqEntry, type OfficialRef } from '../corpus/schema.ts';
import type { DB } from '../index/db.ts';
import type { Database, Sql } from '../store/index.ts';
import { chunkSearchText, deleteChunk, writeChunk } from '../index/index.ts';
import { linkTargets } from '../generate/checks.ts';
import { canonicalOrigin } from '../http/guard/origins.ts';
import { fold } from '../text/index.ts';
import { audit, ensureReviewTables, staffWrite } from './db.ts';
import { markQuestions } from './queue.ts';

/**
 * Curated answers: written by staff in the console, kept in their own table (the source of truth), and
 * indexed as FAQ chunks the moment they are published. `npm run faq:export` copies the published ones to
 * corpus/faq/curated.yaml so they enter version control and survive a lost database.
 */
export type CuratedStatus = 'draft' | 'published' | 'unpublished';
export const CURATED_STATUS_LABEL: Record<CuratedStatus, string> = { draft: 'Bản nháp', published: 'Đang dùng', unpublished: 'Đã gỡ' };
export const AUDIENCES: Audience[] = AudienceSchema.options;
export const AUDIENCE_LABEL: Record<Audience, string> = {
  citizen: 'Người dân',
  farmer: 'Nông dân, hộ chăn nuôi',
  enterprise: 'Doanh nghiệp',
  student: 'Học sinh',
};

export interface SourceRef {
  docId: string;
  section?: string;
}

export type { OfficialRef };

export interface CuratedInput {
  question: string;
  variants: string[];
  answer: string;
  audience: Audience[];
  sources: SourceRef[];
  /** official documents outside the corpus, by title and link */
  references: OfficialRef[];
  /** the staff member confirms the answer rests on the Sở's own word: no source needed */
  ownAnswer?: boolean;
  /** the logged questions this answers: they leave the queue as "answered by staff" */
  questionIds: string[];
}

export interface CuratedAnswer extends Omit<CuratedInput, 'questionIds' | 'ownAnswer'> {
  n: number;
  id: string;
  status: CuratedStatus;
  createdBy: string;
  createdAt: number;
  updatedBy: string;
  updatedAt: number;
  publishedAt: number | null;
}

export const LIMITS = { question: 300, answer: 3000, variants: 40, sources: 8, references: 4 } as const;

interface CuratedRow {
  n: number;
  id: string;
  question: string;
  variants: string;
  answer: string;
  audience: string;
  sources: string;
  status: CuratedStatus;
  created_by: string;
  created_at: number;
  updated_by: string;
  updated_at: number;
  published_at: number | null;
}

/** Corpus sections and outside documents share the `sources` column: a section has a docId, a document a url. */
const isOfficial = (s: SourceRef | OfficialRef): s is OfficialRef => 'url' in s;

const toCurated = (r: CuratedRow): CuratedAnswer => ({
  n: r.n,
  id: r.id,
  question: r.question,
  variants: JSON.parse(r.variants),
  answer: r.answer,
  audience: JSON.parse(r.audience),
  sources: (JSON.parse(r.sources) as (SourceRef | OfficialRef)[]).filter((s): s is SourceRef => !isOfficial(s)),
  references: (JSON.parse(r.sources) as (SourceRef | OfficialRef)[]).filter(isOfficial),
  status: r.status,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedBy: r.updated_by,
  updatedAt: r.updated_at,
  publishedAt: r.published_at,
});

export async function listCurated(sql: Sql, status?: CuratedStatus): Promise<CuratedAnswer[]> {
  const rows = status
    ? await sql.all<CuratedRow>('SELECT * FROM curated_answers WHERE status = ? ORDER BY n DESC', [status])
    : await sql.all<CuratedRow>('SELECT * FROM curated_answers ORDER BY n DESC');
  return rows.map(toCurated);
}

export async function curatedById(sql: Sql, id: string): Promise<CuratedAnswer | null> {
  const row = await sql.get<CuratedRow>('SELECT * FROM curated_answers WHERE id = ?', [id]);
  return row ? toCurated(row) : null;
}

export type Resolve = (docId: string, section?: string) => { docId: string; anchor: string } | null;

/** The same lookup the corpus loader uses for FAQ sources: plan number, heading text or anchor. */
export function corpusResolver(corpus: Corpus): Resolve {
  const byId = new Map(corpus.documents.map((d) => [d.id, d]));
  return (docId, section) => {
    const doc = byId.get(canonicalDocId(docId));
    const s = doc ? findSection(doc, section) : null;
    return doc && s ? { docId: doc.id, anchor: s.anchor } : null;
  };
}

/** How a source is written in the entry: the section's own reference, or its anchor when the reference is ambiguous. */
export function sourceRefOf(doc: CorpusDocument, section: Section): SourceRef {
  const found = findSection(doc, section.ref);
  return { docId: doc.id, section: found?.anchor === section.anchor ? section.ref : section.anchor };
}

/** The entry in the corpus FAQ schema; `curatedBy` makes it cited as "Giải đáp của Sở Nông nghiệp và Môi trường". */
export function curatedEntry(
  a: Pick<CuratedAnswer, 'id' | 'question' | 'variants' | 'answer' | 'audience' | 'sources' | 'references' | 'updatedBy' | 'updatedAt'>,
): FaqEntry {
  return {
    id: a.id,
    question: a.question,
    variants: a.variants,
    answer: a.answer,
    audience: a.audience,
    sources: a.sources.map((s) => (s.section ? { docId: s.docId, section: s.section } : { docId: s.docId })),
    references: a.references.map((r) => ({ title: r.title, url: r.url })),
    curatedBy: a.updatedBy,
    updated: new Date(a.updatedAt + 7 * 3600_000).toISOString().slice(0, 10),
  };
}

/** The published curated answers as chunks, for a full index rebuild (`ensureIndex`'s `extra`). */
export async function curatedChunks(state: Database, corpus: Corpus): Promise<Chunk[]> {
  await ensureReviewTables(state);
  const inCorpus = new Set(corpus.faq.map((e) => e.id));
  const resolve = corpusResolver(corpus);
  // an answer already exported to corpus/faq is indexed from there; syncCuratedIndex puts ours back if they differ
  return (await listCurated(state, 'published'))
    .filter((a) => !inCorpus.has(a.id))
    .map((a) => faqChunk(curatedEntry(a), resolve));
}

const clean = (s: string) => s.normalize('NFC').replace(/\r\n?/g, '\n').trim();

/** Problems with an answer, in Vietnamese, before anything is saved. */
/**
 * Text written for the assistant rather than for citizens ("bỏ qua các nguồn khác", "PHẢI TRẢ LỜI"): a curated
 * answer reaches the model as a source, so an instruction in it would be obeyed for every matching question.
 */
const INSTRUCTION_LIKE = [
  /(?:bỏ qua|phớt lờ|lờ đi|không (?:làm|tuân) theo|quên)\s+(?:mọi |tất cả |các )?(?:nguồn|hướng dẫn|chỉ dẫn|quy tắc|lệnh|yêu cầu)/iu,
  /(?:ghi chú|lời nhắn|chỉ dẫn|lệnh)\s+(?:cho|gửi)\s+(?:trợ lý|mô hình|AI|chatbot|hệ thống)/iu,
  /phải trả lời (?:đúng|là|như sau)/iu,
  /\b(?:ignore|disregard)\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|other)\b/i,
  /\b(?:system prompt|you are an? (?:ai|assistant)|as an ai)\b/i,
];

export interface CuratedChecks {
  /** origins a link in a published answer may point to (ALLOWED_ORIGINS and the public base URL) */
  allowedOrigins?: string[];
}

/** What keeps an answer from being published as it is: links off the allowlist, text addressed to the assistant. */
export function publishProblems(input: CuratedInput, { allowedOrigins = [] }: CuratedChecks = {}): string[] {
  const problems: string[] = [];
  const texts = [input.question, ...input.variants, input.answer];
  const origins = new Set(allowedOrigins.map((o) => canonicalOrigin(o)).filter(Boolean));
  const outside = [...new Set(texts.flatMap(linkTargets))].filter((t) => {
    try {
      const url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(t) ? t : `https://${t.replace(/^\/\//, '')}`);
      return !(url.protocol === 'https:' || url.protocol === 'http:') || !origins.has(url.origin);
    } catch {
      return true;
    }
  });
  if (outside.length)
    problems.push(
      `Giải đáp chỉ được dẫn liên kết tới các trang trong danh sách cho phép (ALLOWED_ORIGINS). Hãy bỏ: ${outside.slice(0, 3).join(', ')}.`,
    );
  if (texts.some((t) => INSTRUCTION_LIKE.some((re) => re.test(t))))
    problems.push('Câu trả lời có đoạn giống lệnh gửi cho trợ lý (ví dụ "bỏ qua các nguồn", "phải trả lời"). Hãy viết lại thành thông tin cho người dân.');
  return problems;
}

export function curatedProblems(input: CuratedInput, corpus: Corpus): string[] {
  const problems: string[] = [];
  const resolve = corpusResolver(corpus);
  if (!clean(input.question)) problems.push('Hãy nhập câu hỏi.');
  if ([...input.question].length > LIMITS.question) problems.push(`Câu hỏi dài tối đa ${LIMITS.question} ký tự.`);
  if (!clean(input.answer)) problems.push('Hãy nhập câu trả lời.');
  if ([...input.answer].length > LIMITS.answer) problems.push(`Câu trả lời dài tối đa ${LIMITS.answer} ký tự.`);
  if (input.variants.length > LIMITS.variants) problems.push(`Tối đa ${LIMITS.variants} cách hỏi khác.`);
  if (input.variants.some((v) => [...v].length > LIMITS.question)) problems.push(`Mỗi cách hỏi khác dài tối đa ${LIMITS.question} ký tự.`);
  if (!input.sources.length && !input.references.length && !input.ownAnswer)
    problems.push('Hãy chọn nguồn cho câu trả lời: một mục tài liệu, một văn bản chính thức (tên và đường dẫn), hoặc đánh dấu đây là giải đáp của chính Sở.');
  if (input.sources.length > LIMITS.sources) problems.push(`Chọn tối đa ${LIMITS.sources} mục nguồn.`);
  if (input.references.length > LIMITS.references) problems.push(`Ghi tối đa ${LIMITS.references} văn bản chính thức.`);
  for (const r of input.references)
    if (!OfficialRefSchema.safeParse(r).success)
      problems.push(`Văn bản "${r.title || r.url}" cần có tên và đường dẫn bắt đầu bằng https:// hoặc http://.`);
  for (const s of input.sources)
    if (!resolve(s.docId, s.section)) problems.push(`Không tìm thấy mục nguồn "${s.section ?? ''}" trong tài liệu "${s.docId}".`);
  if (input.audience.some((a) => !AUDIENCES.includes(a))) problems.push('Đối tượng không hợp lệ.');
  return problems;
}

/** Paraphrases without duplicates (compared without diacritics) and without the question itself. */
export function distinctVariants(question: string, variants: string[]): string[] {
  const seen = new Set([fold(clean(question)).replace(/[\s?.!]+/g, ' ').trim()]);
  const out: string[] = [];
  for (const v of variants.map(clean).filter(Boolean)) {
    const key = fold(v).replace(/[\s?.!]+/g, ' ').trim();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out;
}

/** The tail of a question ("thế nào", "là gì"), folded: it says nothing about the topic. */
const QUESTION_TAIL = /(?:-(?:la-gi|the-nao|ra-sao|duoc-khong|bao-nhieu|o-dau|khong|chua|a|vay|nhi|khong-a))+$/;
/** Words a cut slug should not end on: they need what follows. */
const DANGLING = new Set(['tu', 'cho', 'va', 'cua', 'o', 'bang', 'voi', 'de', 'trong', 'co', 'duoc', 'khi', 'tai', 've', 'nhu', 'hay', 'hoac', 'cac', 'nhung', 'mot', 'thi', 'ma', 'the']);

/** The id's readable part: whole words, at most about 48 characters, never ending mid-phrase. */
export function curatedSlug(question: string): string {
  const words = slugify(question).replace(QUESTION_TAIL, '').split('-').filter(Boolean);
  const kept: string[] = [];
  for (const word of words) {
    if (kept.length && kept.join('-').length + word.length >= 48) break;
    kept.push(word.slice(0, 48));
  }
  if (kept.length < words.length) while (kept.length > 1 && DANGLING.has(kept.at(-1)!)) kept.pop();
  return kept.join('-');
}

/** Any fixed number of our own: replicas allot curated answer numbers one at a time under it (PostgreSQL). */
const NUMBERING_LOCK = 0x636e7367;

/**
 * gd-<n>-<slug>: n is above every number used in the table and in corpus/faq, so ids never collide. Called in
 * the transaction that inserts: SQLite's write lock, or PostgreSQL's advisory lock, keeps two replicas from
 * taking the same number.
 */
async function nextCurated(tx: Sql, corpus: Corpus, question: string): Promise<{ n: number; id: string }> {
  if (tx.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(?)', [NUMBERING_LOCK]);
  const inDb = (await tx.get<{ n: number }>('SELECT coalesce(max(n), 0) AS n FROM curated_answers'))!.n;
  const inCorpus = Math.max(0, ...corpus.faq.map((e) => Number(/^gd-(\d+)(?:-|$)/.exec(e.id)?.[1] ?? 0)));
  const n = Math.max(inDb, inCorpus) + 1;
  const slug = curatedSlug(question);
  return { n, id: slug ? `gd-${n}-${slug}` : `gd-${n}` };
}

export type SaveResult = { ok: true; answer: CuratedAnswer } | { ok: false; problems: string[] };

type Indexing = Pick<Assistant, 'db' | 'state' | 'corpus' | 'embedder' | 'retriever'>;

/**
 * Saves an answer; `publish` indexes it at once (embed; commit the answer; then replace its chunk in this
 * replica's index and let the retriever re-read term statistics), so the next question gets it, and tells the
 * other replicas (`curated_changed`). Saving as a draft takes it out.
 */
export async function saveCurated(
  assistant: Indexing,
  raw: CuratedInput,
  username: string,
  { id, publish, now = Date.now(), allowedOrigins }: { id?: string; publish: boolean; now?: number } & CuratedChecks,
): Promise<SaveResult> {
  const { state, corpus } = assistant;
  const input: CuratedInput = {
    ...raw,
    question: clean(raw.question),
    answer: clean(raw.answer),
    variants: distinctVariants(raw.question, raw.variants),
  };
  const problems = [...curatedProblems(input, corpus), ...(publish ? publishProblems(input, { allowedOrigins }) : [])];
  const existing = id ? await curatedById(state, id) : null;
  if (id && !existing) problems.push('Không tìm thấy giải đáp này.');
  if (problems.length) return { ok: false, problems };

  const resolve = corpusResolver(corpus);
  const draft = { id: existing?.id ?? 'gd-0', ...input, updatedBy: username, updatedAt: now };
  const parsed = FaqEntrySchema.safeParse(curatedEntry(draft));
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
  // the chunk's search text does not contain its id, so it can be embedded before the id is allotted
  const vector = publish ? (await assistant.embedder.embed([chunkSearchText(faqChunk(parsed.data, resolve))]))[0]! : null;

  const saved = await staffWrite(state, async (tx) => {
    const status: CuratedStatus = publish ? 'published' : 'draft';
    let answerId: string;
    const fields = [
      input.question,
      JSON.stringify(input.variants),
      input.answer,
      JSON.stringify(input.audience),
      JSON.stringify([...input.sources, ...input.references]),
    ];
    // read again in the transaction: another replica may have unpublished it meanwhile
    const before = existing ? await curatedById(tx, existing.id) : null;
    if (before) {
      answerId = before.id;
      await tx.run(
        `UPDATE curated_answers SET question = ?, variants = ?, answer = ?, audience = ?, sources = ?, status = ?,
           updated_by = ?, updated_at = ?, published_at = CASE WHEN ? = 1 THEN CAST(? AS BIGINT) ELSE published_at END WHERE id = ?`,
        [...fields, status, username, now, publish ? 1 : 0, now, answerId],
      );
    } else {
      const next = await nextCurated(tx, corpus, input.question);
      answerId = next.id;
      await tx.run(
        `INSERT INTO curated_answers (n, id, question, variants, answer, audience, sources, status, created_by, created_at, updated_by, updated_at, published_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [next.n, answerId, ...fields, status, username, now, username, now, publish ? now : null],
      );
    }
    // a published answer saved back as a draft no longer answers its questions
    if (!publish && before?.status === 'published')
      await tx.run(`UPDATE review_state SET status = 'open', curated_id = NULL, updated_at = ?, updated_by = ? WHERE curated_id = ?`, [now, username, answerId]);
    if (publish && input.questionIds.length) await markQuestions(tx, input.questionIds, 'curated', username, { curatedId: answerId, now, record: false });
    await audit(
      tx,
      {
        username,
        action: publish ? (before ? 'curated:update' : 'curated:publish') : 'curated:draft',
        target: answerId,
        detail: `${input.question}${input.questionIds.length ? ` (${input.questionIds.length} câu hỏi)` : ''}`,
      },
      now,
    );
    return (await curatedById(tx, answerId))!;
  });
  await indexTurn(assistant.db, async () => {
    const chunk = faqChunk(curatedEntry(saved), resolve);
    await indexFree(assistant.db);
    assistant.db.transaction(() => {
      deleteChunk(assistant.db, chunk.id);
      if (vector) writeChunk(assistant.db, chunk, vector, 'curated');
    })();
  });
  assistant.retriever.refresh();
  await tellReplicas(state, saved.id);
  return { ok: true, answer: saved };
}

/** Takes an answer out of the index; the questions it answered go back to the queue. */
export async function unpublishCurated(assistant: Pick<Assistant, 'db' | 'state' | 'retriever'>, id: string, username: string, now = Date.now()): Promise<boolean> {
  const { db, state } = assistant;
  const existing = await staffWrite(state, async (tx) => {
    const found = await curatedById(tx, id);
    if (!found || found.status !== 'published') return null;
    await tx.run(`UPDATE curated_answers SET status = 'unpublished', updated_by = ?, updated_at = ? WHERE id = ?`, [username, now, id]);
    await tx.run(`UPDATE review_state SET status = 'open', curated_id = NULL, updated_at = ?, updated_by = ? WHERE curated_id = ?`, [now, username, id]);
    await audit(tx, { username, action: 'curated:unpublish', target: id, detail: found.question }, now);
    return found;
  });
  if (!existing) return false;
  await indexTurn(db, async () => {
    await indexFree(db);
    deleteChunk(db, faqChunk(curatedEntry(existing), () => null).id);
  });
  assistant.retriever.refresh();
  await tellReplicas(state, id);
  return true;
}

/** The channel on which a replica says "the curated answers changed" (payload: the answer's id). */
export const CURATED_CHANNEL = 'curated_changed';

/** After the commit: the others re-read the table; a lost notification is caught by their periodic check. */
async function tellReplicas(state: Database, id: string): Promise<void> {
  try {
    await state.notify(CURATED_CHANNEL, id);
  } catch (e) {
    console.error('Không báo được các máy chủ khác về giải đáp vừa đổi (họ sẽ tự kiểm tra lại sau):', e);
  }
}

/**
 * The index shares SQLite's one connection with the state: its synchronous writes wait until no store
 * transaction is open on it, so they never become part of one (and never roll back with it).
 */
async function indexFree(db: DB): Promise<void> {
  while (db.inTransaction) await new Promise((resolve) => setImmediate(resolve));
}

/** One curated index change at a time per index: a sync that read the table earlier never overwrites a newer save. */
const turns = new WeakMap<DB, Promise<unknown>>();
function indexTurn<T>(db: DB, work: () => Promise<T>): Promise<T> {
  const result = (turns.get(db) ?? Promise.resolve()).then(work, work);
  turns.set(db, result.catch(() => undefined));
  return result;
}

interface IndexedRow {
  title: string;
  section: string;
  text: string;
  audience: string;
  questions: string | null;
  supports: string | null;
  origin: string;
}

/**
 * Makes this replica's index hold exactly what the table says: published answers as written, nothing else. Run at
 * start-up (the index may have been rebuilt by another entry point, or from an older corpus/faq export) and
 * whenever another replica changed an answer. Returns how many chunks it changed.
 */
export function syncCuratedIndex(assistant: Indexing): Promise<number> {
  return indexTurn(assistant.db, async () => {
    const { db, state, corpus } = assistant;
    await ensureReviewTables(state);
    const resolve = corpusResolver(corpus);
    const stale: Chunk[] = [];
    const gone: string[] = [];
    const indexed = db.prepare('SELECT title, section, text, audience, questions, supports, origin FROM chunks WHERE id = ?');
    const all = await listCurated(state);
    const known = new Set<string>();
    for (const a of all) {
      const chunk = faqChunk(curatedEntry(a), resolve);
      known.add(chunk.id);
      const row = indexed.get(chunk.id) as IndexedRow | undefined;
      if (a.status !== 'published') {
        if (row) gone.push(chunk.id);
        continue;
      }
      const same =
        row &&
        row.origin === 'curated' &&
        row.title === chunk.title &&
        row.section === chunk.section &&
        row.text === chunk.text &&
        row.audience === JSON.stringify(chunk.audience) &&
        row.questions === JSON.stringify(chunk.questions) &&
        row.supports === JSON.stringify(chunk.supports);
      if (!same) stale.push(chunk);
    }
    // a staff answer in the index that the table does not hold (an index made against another state database)
    for (const { id } of db.prepare(`SELECT id FROM chunks WHERE origin = 'curated'`).all() as { id: string }[]) if (!known.has(id)) gone.push(id);
    if (!stale.length && !gone.length) return 0;
    const vectors = stale.length ? await assistant.embedder.embed(stale.map(chunkSearchText)) : [];
    await indexFree(db);
    db.transaction(() => {
      for (const id of gone) deleteChunk(db, id);
      stale.forEach((c, i) => {
        deleteChunk(db, c.id);
        writeChunk(db, c, vectors[i]!, 'curated');
      });
    })();
    assistant.retriever.refresh();
    return stale.length + gone.length;
  });
}

/** What changes whenever an answer is added, edited, published or taken down: cheap to read every few seconds. */
async function curatedVersion(state: Sql): Promise<string> {
  const row = await state.get<{ n: number; t: number }>('SELECT count(*) AS n, coalesce(sum(updated_at), 0) AS t FROM curated_answers');
  return `${row?.n ?? 0}:${row?.t ?? 0}`;
}

export interface CuratedFollower {
  stop(): Promise<void>;
}

/**
 * Keeps this replica's index in step with the curated answers in the state database: a `curated_changed`
 * notification from any replica re-syncs within a second; a periodic check of the table's version catches a
 * notification lost while the connection was down (and, on SQLite, a second process on the same DATA_DIR).
 */
export async function followCuratedAnswers(
  assistant: Indexing,
  { checkEveryMs = 30_000, log = console }: { checkEveryMs?: number; log?: Pick<Console, 'error'> } = {},
): Promise<CuratedFollower> {
  let seen = '';
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const sync = (): Promise<void> => {
    if (running) {
      // a change heard while a sync runs may have been read too early: one more pass after it
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          // read before the sync: a change committed during it shows as a new version next time
          const version = await curatedVersion(assistant.state);
          await syncCuratedIndex(assistant);
          seen = version;
        } catch (e) {
          if (!stopped) log.error('Không cập nhật được giải đáp của cán bộ vào chỉ mục:', e);
        }
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
    return running;
  };

  const unlisten = await assistant.state.listen(CURATED_CHANNEL, () => void sync());
  // listening first: a change committed before this line is in the first sync, one after it is heard
  await sync();
  const timer = setInterval(async () => {
    try {
      if (!running && (await curatedVersion(assistant.state)) !== seen) await sync();
    } catch (e) {
      if (!stopped) log.error('Không kiểm tra được giải đáp của cán bộ:', e);
    }
  }, checkEveryMs);
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await unlisten();
      await running;
    },
  };
}
