import { randomUUID } from 'node:crypto';
import { answerFromChunks, type Answer, type Audience, type Citation } from './answer/index.ts';
import { loadCorpus, type Chunk, type Corpus } from './corpus/index.ts';
import { openDatabase, type DB } from './index/db.ts';
import { hashedEmbedder, type Embedder } from './index/embedder.ts';
import { ensureIndex, type IndexStatus } from './index/index.ts';
import { conversationHistory, questionLogWriter } from './log/index.ts';
import { createRetriever, type RetrievalMode, type Retriever } from './retrieve/index.ts';

export interface ChatRequest {
  message: string;
  conversationId?: string;
  audience?: Audience;
  site?: string;
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

/** A short follow-up ("còn gà thì sao?") borrows the topic words of the previous question. */
function withContext(message: string, previous: string | undefined, retriever: Retriever): string {
  if (!previous) return message;
  const own = retriever.analyzeQuery(message).content;
  return own.length <= 2 && message.length < 40 ? `${previous} ${message}` : message;
}

export async function createAssistant({ dataDir, corpusDir, embedder = hashedEmbedder(), extraChunks }: AssistantOptions): Promise<Assistant> {
  const corpus = loadCorpus(corpusDir);
  const db = openDatabase(dataDir);
  const index = await ensureIndex(db, corpus, embedder, extraChunks ? () => extraChunks(db, corpus) : undefined);
  const retriever = createRetriever(db, embedder);
  const logQuestion = questionLogWriter(db);

  const answer: Assistant['answer'] = async (req, options = {}) => {
    const audience = req.audience ?? 'citizen';
    const history = req.conversationId ? conversationHistory(db, req.conversationId, 1) : [];
    const question = withContext(req.message, history.at(-1)?.text, retriever);
    const retrieval = await retriever.retrieve(question, { mode: options.mode, audience });
    return answerFromChunks(req.message, retrieval, retriever, { audience });
  };

  return {
    corpus,
    db,
    retriever,
    embedder,
    index,
    answer,
    async ask(req, options = {}) {
      const conversationId = req.conversationId || randomUUID();
      const messageId = randomUUID();
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
