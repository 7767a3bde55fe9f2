import { randomUUID } from 'node:crypto';
import { answerFromChunks, type Answer, type Audience, type Citation } from './answer/index.ts';
import { loadCorpus, type Chunk, type Corpus } from './corpus/index.ts';
import { openDatabase, type DB } from './index/db.ts';
import { hashedEmbedder, type Embedder } from './index/embedder.ts';
import { ensureIndex, type IndexStatus } from './index/index.ts';
import { conversationHistory, questionLogWriter } from './log/index.ts';
import { boundedCache, roughSize } from './cache/index.ts';
import { fairQueue } from './schedule/fair-queue.ts';
import { createRetriever, MEMO_LIMITS, SHARED, type RetrievalMode, type Retriever } from './retrieve/index.ts';

export interface ChatRequest {
  message: string;
  conversationId?: string;
  audience?: Audience;
  site?: string;
  /** who asks, as the rate limiter keys them (never logged): a client gets its share of model slots, not all */
  client?: string;
}

/** The body of `POST /api/chat` (shared/CONTRACT.md). */
export interface ChatResponse {
  conversationId: string;
  messageId: string;
  answered: boolean;
  answer: string;
  citations: Citation[];
  suggestions: string[];
  mode: 'extractive' | 'generative';
}

export interface AskOptions {
  mode?: RetrievalMode;
  /** false: do not write to the question log (evals, benchmarks of retrieval alone) */
  log?: boolean;
  /** turns the extractive answer into the final one (the generative path); `generation` goes to the log */
  compose?: (extractive: Answer) => Promise<Answer & { generation?: string }>;
}

export interface Assistant {
  corpus: Corpus;
  db: DB;
  retriever: Retriever;
  embedder: Embedder;
  index: IndexStatus;
  /** retrieval + extractive answer, without logging */
  answer(req: ChatRequest, options?: AskOptions): Promise<Answer>;
  /** what `POST /api/chat` does: answer and log */
  ask(req: ChatRequest, options?: AskOptions): Promise<ChatResponse & { confidence: number }>;
  close(): void;
}

export interface AssistantOptions {
  dataDir: string;
  corpusDir: string;
  embedder?: Embedder;
  /** chunks kept outside corpus/ (curated answers of staff), re-indexed whenever the corpus index is rebuilt */
  extraChunks?: (db: DB, corpus: Corpus) => Chunk[];
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

/** A short follow-up ("còn gà thì sao?") borrows the topic words of the previous question. */
function withContext(message: string, previous: string | undefined, retriever: Retriever): string {
  if (!previous || message.length >= 40) return message;
  const own = retriever.analyzeQuery(message).content;
  return own.length <= 2 ? `${previous} ${message}` : message;
}

export async function createAssistant({ dataDir, corpusDir, embedder = hashedEmbedder(), extraChunks }: AssistantOptions): Promise<Assistant> {
  const corpus = loadCorpus(corpusDir);
  const db = openDatabase(dataDir);
  const index = await ensureIndex(db, corpus, embedder, extraChunks ? () => extraChunks(db, corpus) : undefined);
  const retriever = createRetriever(db, embedder);
  const logQuestion = questionLogWriter(db);

  /**
   * Questions repeat — the starters every visitor is shown, the FAQ — so an extractive answer is remembered,
   * like its retrieval, until the index changes (a curated answer published). Bounded; oldest out first.
   */
  const remembered = boundedCache<Answer>({ ...MEMO_LIMITS, maxKeyLength: 2 * MEMO_LIMITS.maxKeyLength, sizeOf: (a) => roughSize(a, SHARED) });
  let rememberedAt = retriever.generation;

  /** retrieval and the extractive answer take turns per client: a burst from a few clients cannot stall the others */
  const turns = fairQueue(2);

  const answer: Assistant['answer'] = async (req, options = {}) => {
    const done = await turns.acquire(req.client);
    try {
      return await answerNow(req, options);
    } finally {
      done();
    }
  };

  const answerNow: Assistant['answer'] = async (req, options = {}) => {
    // first: the index may have changed (here or in another process), and everything below reads it
    const generation = retriever.generation;
    if (rememberedAt !== generation) {
      remembered.clear();
      rememberedAt = generation;
    }
    const audience = req.audience ?? 'citizen';
    const history = req.conversationId ? conversationHistory(db, req.conversationId, 1) : [];
    const question = withContext(req.message, history.at(-1)?.text, retriever);
    const key = `${options.mode ?? 'hybrid'}\u0000${audience}\u0000${question}\u0000${req.message}`;
    let result = remembered.get(key);
    if (!result) {
      const retrieval = await retriever.retrieve(question, { mode: options.mode, audience });
      result = answerFromChunks(req.message, retrieval, retriever, { audience });
      // not remembered: a retrieval the embedding model missed, or one the index changed under while it ran
      if (retrieval.complete && generation === retriever.generation) remembered.set(key, result);
    }
    // each caller gets its own lists: the generative path and the log may reorder them
    return { ...result, citations: [...result.citations], suggestions: [...result.suggestions], hits: [...result.hits] };
  };

  return {
    corpus,
    db,
    retriever,
    embedder,
    index,
    answer,
    async ask(req, options = {}) {
      // time-ordered ids (UUIDv7): a new log row lands at the end of its indexes instead of a random page,
      // several times cheaper to write once the log is large
      const conversationId = req.conversationId || timeOrderedId();
      const messageId = timeOrderedId();
      // a conversation started just now has no history to look up
      const extractive = await answer(req.conversationId ? { ...req, conversationId } : req, options);
      const result: Answer & { generation?: string } = options.compose ? await options.compose(extractive) : extractive;
      if (options.log !== false)
        await logQuestion({
          id: messageId,
          conversationId,
          text: req.message,
          audience: req.audience ?? 'citizen',
          site: req.site ?? null,
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
        confidence: result.confidence,
      };
    },
    close: () => db.close(),
  };
}
