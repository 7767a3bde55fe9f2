import { randomUUID } from 'node:crypto';
import { answerAsk, answerQuery, isUnsafe, type Answer, type AnswerContext } from './answer/index.ts';
import type { Audience, ChatRequest, ChatResponse } from './contract.ts';
import { findSection, loadCorpus, type Chunk, type Corpus } from './corpus/index.ts';
import { openDatabase, type DB } from './index/db.ts';
import { openStateDatabase, type Database } from './store/index.ts';
import { hashedEmbedder, type Embedder } from './index/embedder.ts';
import { ensureIndex, type IndexStatus } from './index/index.ts';
import { streamPieces } from './format/index.ts';
import { createGenerator, type Generator, type GeneratorOptions } from './generate/index.ts';
import { conversationHistory, migrateQuestionLog, questionLogWriter } from './log/index.ts';
import { boundedCache, roughSize } from './cache/index.ts';
import { createRetriever, MEMO_LIMITS, SHARED, type RetrievalMode, type Retriever } from './retrieve/index.ts';
import { fairQueue } from './schedule/fair-queue.ts';
import { HISTORY_TURNS, loadLexicon, understand, type CompiledLexicon, type Query } from './understand/index.ts';

export type { ChatRequest, ChatResponse } from './contract.ts';

/** Where a question came from, kept in the log so staff see it in the queue. */
export type Channel = 'web' | 'zalo' | 'messenger' | 'cli' | (string & {});

/** What a channel hands the assistant: a cleaned request, and where it came from. */
export interface AskRequest extends ChatRequest {
  channel?: Channel;
  /** who asks, as the rate limiter keys them (never logged): a client gets its share of model slots, not all */
  client?: string;
}

export const MAX_MESSAGE_CHARS = 1500;

/** Control characters, bidi overrides and lone surrogates never reach the pipeline or the log. */
export function cleanText(s: string): string {
  return s
    .toWellFormed()
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069\uFEFF]/g, '')
    .trim();
}

/** Why a message cannot be asked; each channel says it in its own words (HTTP: shared/CONTRACT.md errors). */
export type Refusal = 'empty_message' | 'too_long';

/** A request as it arrived on any channel, cleaned and measured: the same limits everywhere. */
export function cleanRequest(raw: {
  message: string;
  conversationId?: string | null;
  audience?: Audience | null;
  site?: string | null;
  channel?: Channel;
  client?: string;
}): { ok: true; request: AskRequest } | { ok: false; refusal: Refusal } {
  const message = cleanText(raw.message);
  if (!message) return { ok: false, refusal: 'empty_message' };
  if ([...message].length > MAX_MESSAGE_CHARS) return { ok: false, refusal: 'too_long' };
  const site = raw.site ? cleanText(raw.site) : '';
  return {
    ok: true,
    request: {
      message,
      ...(raw.conversationId ? { conversationId: raw.conversationId } : {}),
      audience: raw.audience ?? 'citizen',
      ...(site ? { site } : {}),
      ...(raw.channel ? { channel: raw.channel } : {}),
      ...(raw.client ? { client: raw.client } : {}),
    },
  };
}

/** Thrown by `ask` for a message `cleanRequest` refuses (channels check first and answer in their own words). */
export class RefusedMessage extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal);
  }
}

export interface AskOptions {
  mode?: RetrievalMode;
  /** false: do not write to the question log (evals, benchmarks of retrieval alone) */
  log?: boolean;
  /** receives the answer as it is written: the model's checked text, or the extractive answer in pieces */
  stream?: ((delta: string) => Promise<void>) | null;
  /** the asker is gone: the model's request stops, and nothing more is streamed */
  signal?: AbortSignal;
}

export interface Assistant {
  corpus: Corpus;
  /** the search index (a local SQLite file of this process, derived from corpus/ and curated answers) */
  db: DB;
  /** the state: question log, feedback, staff, curated answers, audit, quiz, channels (SQLite `db` or PostgreSQL) */
  state: Database;
  retriever: Retriever;
  embedder: Embedder;
  index: IndexStatus;
  lexicon: CompiledLexicon;
  /** what the message asks, read against the conversation so far (server/understand) */
  understand(message: string, history?: readonly string[]): Query;
  /** retrieval + extractive answer, without logging */
  answer(req: AskRequest, options?: AskOptions): Promise<Answer>;
  /** what every channel does: clean, answer (generated when a model is configured), stream, log */
  ask(req: AskRequest, options?: AskOptions): Promise<ChatResponse & { confidence: number; reason: Answer['reason'] | null }>;
  /** the language model's side of the answer, when one is configured */
  generator: Generator | null;
  /** fields of `/healthz` */
  health(): Record<string, unknown>;
  close(): Promise<void>;
}

export interface AssistantOptions {
  dataDir: string;
  corpusDir: string;
  /** DATABASE_URL: state in PostgreSQL, shared by replicas; null/absent = in the SQLite file of `dataDir` */
  databaseUrl?: string | null;
  embedder?: Embedder;
  /** chunks kept outside corpus/ (curated answers of staff), re-indexed whenever the corpus index is rebuilt */
  extraChunks?: (state: Database, corpus: Corpus) => Promise<Chunk[]>;
  /** a language model (LLM_*): answers are written by it from the retrieved sources, and checked */
  generation?: GeneratorOptions;
}

/**
 * A UUIDv7: the time in ms, then random bits. Log rows keyed by it land at the end of their indexes instead of
 * on a random page, several times cheaper to write once the log is large. The random part comes from
 * randomUUID(), which draws from a pooled buffer (a fresh getRandomValues per id costs more than the insert).
 */
export function timeOrderedId(now = Date.now()): string {
  const t = now.toString(16).padStart(12, '0');
  const r = randomUUID();
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${r.slice(15, 18)}-${r.slice(19)}`;
}

export async function createAssistant({ dataDir, corpusDir, databaseUrl = null, embedder = hashedEmbedder(), extraChunks, generation: generating }: AssistantOptions): Promise<Assistant> {
  const corpus = loadCorpus(corpusDir);
  const db = openDatabase(dataDir);
  const state = await openStateDatabase(databaseUrl, db);
  // the log comes first: other stores' tables (review state and notes) refer to its questions
  await migrateQuestionLog(state);
  const index = await ensureIndex(db, corpus, embedder, extraChunks ? () => extraChunks(state, corpus) : undefined);
  const retriever = createRetriever(db, embedder);
  const logQuestion = questionLogWriter(state);
  const lexicon = loadLexicon(corpusDir, corpus.glossary);
  const understandMessage = (message: string, history: readonly string[] = []) => understand(message, history, { lexicon, vocabulary: retriever });
  const section = (docId: string, heading: string): Chunk | null => {
    const doc = corpus.documents.find((d) => d.id === docId);
    const found = doc ? findSection(doc, heading) : null;
    return found ? retriever.chunkById(`${docId}#${found.anchor}`) : null;
  };

  /**
   * Questions repeat — the starters every visitor is shown, the FAQ — so an extractive answer is remembered,
   * like its retrieval, until the index changes (a curated answer published). Bounded; oldest out first.
   */
  const remembered = boundedCache<Answer>({ ...MEMO_LIMITS, maxKeyLength: 2 * MEMO_LIMITS.maxKeyLength, sizeOf: (a) => roughSize(a, SHARED) });
  let rememberedAt = retriever.generation;

  /** retrieval and the extractive answer take turns per client: a burst from a few clients cannot stall the others */
  const turns = fairQueue(2);

  /** each caller gets its own lists: the generative path and the log may reorder them */
  const copy = (a: Answer): Answer => ({ ...a, citations: [...a.citations], suggestions: [...a.suggestions], hits: [...a.hits] });

  const answer: Assistant['answer'] = async (req, options = {}) => {
    // first: the index may have changed (here or in another process), and everything below reads it
    const generation = retriever.generation;
    if (rememberedAt !== generation) {
      remembered.clear();
      rememberedAt = generation;
    }
    const audience = req.audience ?? 'citizen';
    const history = req.conversationId ? (await conversationHistory(state, req.conversationId, HISTORY_TURNS)).map((h) => h.text) : [];
    const key = `${options.mode ?? 'hybrid'}\u0000${audience}\u0000${req.message}\u0000${history.join('\u0001')}`;
    // a remembered answer costs microseconds: only new work waits its turn
    const known = remembered.get(key);
    if (known) return copy(known);
    const done = await turns.acquire(req.client);
    try {
      return copy(await answerNew(req, options, { audience, history, key, generation }));
    } finally {
      done();
    }
  };

  const answerNew = async (
    req: AskRequest,
    options: AskOptions,
    { audience, history, key, generation }: { audience: Audience; history: string[]; key: string; generation: number },
  ): Promise<Answer> => {
    let result = remembered.get(key);
    if (!result) {
      const query = understandMessage(req.message, history);
      const ctx: AnswerContext = { retriever, audience, section };
      let complete = true;
      const outcomes = [];
      for (const ask of query.kind === 'question' ? query.asks : []) {
        const retrieval = await retriever.retrieve(ask.search, { mode: options.mode, audience, alternative: ask.alternative, context: ask.context, focus: ask.focus, focusAlternative: ask.focusAlternative, measure: ask.measure, measureAlternative: ask.measureAlternative });
        complete &&= retrieval.complete;
        outcomes.push(answerAsk(ask, retrieval, ctx));
      }
      result = answerQuery(query, outcomes, ctx, isUnsafe(req.message));
      // not remembered: a retrieval the embedding model missed, or one the index changed under while it ran
      if (complete && generation === retriever.generation) remembered.set(key, result);
    }
    return result;
  };

  const assistant: Assistant = {
    corpus,
    db,
    state,
    retriever,
    embedder,
    index,
    lexicon,
    understand: understandMessage,
    answer,
    generator: null,
    health: () => assistant.generator?.health() ?? {},
    async ask(raw, options = {}) {
      const cleaned = cleanRequest(raw);
      if (!cleaned.ok) throw new RefusedMessage(cleaned.refusal);
      const req = cleaned.request;
      const { stream = null, signal = new AbortController().signal } = options;
      // time-ordered ids (UUIDv7): a new log row lands at the end of its indexes instead of a random page,
      // several times cheaper to write once the log is large
      const conversationId = req.conversationId || timeOrderedId();
      const messageId = timeOrderedId();
      // a conversation started just now has no history to look up
      const extractive = await answer(req.conversationId ? { ...req, conversationId } : req, options);
      let result: Answer & { generation?: string } = extractive;
      if (assistant.generator) result = await assistant.generator.compose(extractive, req, stream, signal);
      else if (stream) for (const p of streamPieces(extractive.answer)) if (!signal.aborted) await stream(p);
      const flags = result as { clarify?: boolean; uncertain?: boolean };
      if (options.log !== false)
        await logQuestion({
          id: messageId,
          conversationId,
          text: req.message,
          audience: req.audience ?? 'citizen',
          site: req.site ?? null,
          channel: req.channel ?? null,
          answered: result.answered,
          reason: result.reason ?? null,
          confidence: result.confidence,
          mode: result.mode,
          cited: result.citations.map((c) => c.id),
          answer: result.answer,
          generation: result.generation,
        });
      return {
        conversationId,
        messageId,
        answered: result.answered,
        answer: result.answer,
        citations: result.citations,
        suggestions: result.suggestions,
        mode: result.mode,
        ...(result.clarify ? { clarify: true } : {}),
        ...(result.uncertain ? { uncertain: true } : {}),
        confidence: result.confidence,
        reason: result.reason ?? null,
      };
    },
    async close() {
      await state.close();
      db.close();
    },
  };
  if (generating) assistant.generator = createGenerator(assistant, generating);
  return assistant;
}
