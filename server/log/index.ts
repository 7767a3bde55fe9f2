import { boundedCache } from '../cache/index.ts';
import type { Database, Sql } from '../store/index.ts';
import { fold, normalize } from '../text/index.ts';
import { redact } from './redact.ts';
import { insertFeedback, insertQuestion, insertQuestions, latestOfConversation, type QuestionRow } from './store.ts';

export { redact } from './redact.ts';
export { migrateQuestionLog, QUESTION_LOG_MIGRATIONS } from './store.ts';

/** One logged question, as staff review it. Only redacted text is ever stored; no IP, no user agent. */
export interface LoggedQuestion {
  id: string;
  conversationId: string;
  text: string;
  audience: string;
  site: string | null;
  answered: boolean;
  reason: string | null;
  confidence: number;
  mode: string;
  cited: string[];
  answer: string;
  /** what happened to the language model's answer (server/generate): `used`, `replaced:<check>`, `unavailable:<failure>` … */
  generation?: string | null;
  /** where it was asked: `zalo`, `messenger`, … (null: the web widget or the API) */
  channel?: string | null;
}

/**
 * Answers repeat far more than questions do (the starters, the FAQ): an answer's redacted form is remembered, bounded.
 * What is remembered is already redacted, and answers are built from the corpus (plus the asker's own words, which the
 * same redaction has just cleaned), so nothing personal is kept that the log would not keep.
 */
const redactedAnswers = boundedCache<string>({ maxEntries: 2000, maxBytes: 4 * 1024 * 1024, maxKeyLength: 4000, sizeOf: (v) => 2 * v.length });

function redactAnswer(answer: string): string {
  let clean = redactedAnswers.get(answer);
  if (clean === undefined) {
    clean = redact(answer);
    // an answer that carried something personal is not remembered under its raw text
    if (clean === answer) redactedAnswers.set(answer, clean);
  }
  return clean;
}

/** The row that is stored for a question: every free text redacted here, before anything reaches the database. */
function stored(q: LoggedQuestion, now: number): QuestionRow {
  const text = redact(normalize(q.text));
  return {
    id: q.id,
    conversationId: q.conversationId,
    createdAt: now,
    text,
    folded: fold(text),
    audience: q.audience,
    // the label comes from the embedding page, and may carry anything a visitor typed into it
    site: q.site ? redact(normalize(q.site)).slice(0, 100) : null,
    answered: q.answered,
    reason: q.reason,
    confidence: q.confidence,
    mode: q.mode,
    cited: q.cited,
    answer: redactAnswer(q.answer),
    generation: q.generation ?? null,
    channel: q.channel ?? null,
  };
}

/** One question, written at once (tests, imports); the assistant goes through `questionLogWriter`. */
export async function logQuestion(db: Sql, q: LoggedQuestion, now = Date.now()): Promise<void> {
  await insertQuestion(db, stored(q, now));
}

interface PendingQuestion {
  row: QuestionRow;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for the question log: questions answered in the same turn of the event loop are written in one
 * transaction, and each caller's promise settles once its row is committed — still durable before the answer is
 * sent, at a fraction of one commit per question under load.
 */
export function questionLogWriter(db: Database): (q: LoggedQuestion) => Promise<void> {
  let pending: PendingQuestion[] = [];
  const commit = async () => {
    const batch = pending;
    pending = [];
    try {
      await insertQuestions(
        db,
        batch.map((p) => p.row),
      );
      for (const p of batch) p.resolve();
    } catch {
      // one bad row must not lose the others
      for (const p of batch) {
        try {
          await insertQuestion(db, p.row);
          p.resolve();
        } catch (e) {
          p.reject(e);
        }
      }
    }
  };
  return (q) =>
    new Promise<void>((resolve, reject) => {
      // redacted now, in the caller's turn: a row that waits for its commit holds nothing personal
      const row = stored(q, Date.now());
      if (!pending.length) setImmediate(() => void commit());
      pending.push({ row, resolve, reject });
    });
}

/** Feedback on a logged answer; false when the message is not in the log (never logged, or past retention). */
export function recordFeedback(db: Sql, messageId: string, helpful: boolean, comment: string | undefined, now = Date.now()): Promise<boolean> {
  return insertFeedback(db, { messageId, createdAt: now, helpful, comment: comment ? redact(normalize(comment)) : null });
}

/** The last questions of a conversation, oldest first (context for follow-up questions). */
export async function conversationHistory(db: Sql, conversationId: string, limit = 3): Promise<{ text: string; answered: boolean }[]> {
  const rows = await latestOfConversation(db, conversationId, limit);
  return rows.reverse().map((r) => ({ text: r.text, answered: !!r.answered }));
}
