import { boundedCache } from '../cache/index.ts';
import { ensureTables, statement, type DB } from '../index/db.ts';
import { fold, normalize } from '../text/index.ts';
import { redact } from './redact.ts';

export { redact } from './redact.ts';

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

/** The channel column exists once a question came from a messenger channel. */
export function ensureChannelColumn(db: DB): void {
  ensureTables(db, 'questions-channel', 'ALTER TABLE questions ADD COLUMN channel TEXT');
}

/** The generation column exists only where a language model was configured. */
export function ensureGenerationColumn(db: DB): void {
  ensureTables(db, 'questions-generation', 'ALTER TABLE questions ADD COLUMN generation TEXT');
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

export function logQuestion(db: DB, q: LoggedQuestion, now = Date.now()): void {
  const text = redact(normalize(q.text));
  statement(
    db,
    `INSERT INTO questions (id, conversation_id, created_at, text, folded, audience, site, answered, reason, confidence, mode, cited, answer, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    q.id,
    q.conversationId,
    now,
    text,
    fold(text),
    q.audience,
    // the label comes from the embedding page, and may carry anything a visitor typed into it
    q.site ? redact(normalize(q.site)).slice(0, 100) : null,
    q.answered ? 1 : 0,
    q.reason,
    q.confidence,
    q.mode,
    JSON.stringify(q.cited),
    redactAnswer(q.answer),
    q.answered ? 'answered' : 'open',
  );
  if (q.generation != null) {
    ensureGenerationColumn(db);
    db.prepare('UPDATE questions SET generation = ? WHERE id = ?').run(q.generation, q.id);
  }
  if (q.channel != null) {
    ensureChannelColumn(db);
    statement(db, 'UPDATE questions SET channel = ? WHERE id = ?').run(q.channel, q.id);
  }
}

interface PendingQuestion {
  q: LoggedQuestion;
  now: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for the question log: questions answered in the same turn of the event loop are written in one
 * transaction, and each caller's promise settles once its row is committed — still durable before the answer is
 * sent, at a fraction of one commit per question under load.
 */
export function questionLogWriter(db: DB): (q: LoggedQuestion) => Promise<void> {
  let pending: PendingQuestion[] = [];
  const commit = () => {
    const batch = pending;
    pending = [];
    try {
      // adding the column opens its own transaction: never inside the batch's
      if (batch.some((p) => p.q.generation != null)) ensureGenerationColumn(db);
      if (batch.some((p) => p.q.channel != null)) ensureChannelColumn(db);
      db.transaction(() => {
        for (const p of batch) logQuestion(db, p.q, p.now);
      })();
      for (const p of batch) p.resolve();
    } catch {
      // one bad row must not lose the others
      for (const p of batch) {
        try {
          logQuestion(db, p.q, p.now);
          p.resolve();
        } catch (e) {
          p.reject(e);
        }
      }
    }
  };
  return (q) =>
    new Promise<void>((resolve, reject) => {
      if (!pending.length) setImmediate(commit);
      pending.push({ q, now: Date.now(), resolve, reject });
    });
}

export function recordFeedback(db: DB, messageId: string, helpful: boolean, comment: string | undefined, now = Date.now()): boolean {
  const exists = statement(db, 'SELECT 1 FROM questions WHERE id = ?').get(messageId);
  if (!exists) return false;
  statement(db, 'INSERT INTO feedback (message_id, created_at, helpful, comment) VALUES (?, ?, ?, ?)').run(
    messageId,
    now,
    helpful ? 1 : 0,
    comment ? redact(normalize(comment)) : null,
  );
  return true;
}

/** The last questions of a conversation, oldest first (context for follow-up questions). */
export function conversationHistory(db: DB, conversationId: string, limit = 3): { text: string; answered: boolean }[] {
  const rows = statement(db, 'SELECT text, answered FROM questions WHERE conversation_id = ? ORDER BY created_at DESC LIMIT ?')
    .all(conversationId, limit) as { text: string; answered: number }[];
  return rows.reverse().map((r) => ({ text: r.text, answered: !!r.answered }));
}
