import { ensureTables, type DB } from '../index/db.ts';
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
}

/** The generation column exists only where a language model was configured. */
export function ensureGenerationColumn(db: DB): void {
  ensureTables(db, 'questions-generation', 'ALTER TABLE questions ADD COLUMN generation TEXT');
}

export function logQuestion(db: DB, q: LoggedQuestion, now = Date.now()): void {
  const text = redact(normalize(q.text));
  db.prepare(
    `INSERT INTO questions (id, conversation_id, created_at, text, folded, audience, site, answered, reason, confidence, mode, cited, answer, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    q.id,
    q.conversationId,
    now,
    text,
    fold(text),
    q.audience,
    q.site ? redact(q.site).slice(0, 100) : null,
    q.answered ? 1 : 0,
    q.reason,
    q.confidence,
    q.mode,
    JSON.stringify(q.cited),
    redact(q.answer),
    q.answered ? 'answered' : 'open',
  );
  if (q.generation != null) {
    ensureGenerationColumn(db);
    db.prepare('UPDATE questions SET generation = ? WHERE id = ?').run(q.generation, q.id);
  }
}

export function recordFeedback(db: DB, messageId: string, helpful: boolean, comment: string | undefined, now = Date.now()): boolean {
  const exists = db.prepare('SELECT 1 FROM questions WHERE id = ?').get(messageId);
  if (!exists) return false;
  db.prepare('INSERT INTO feedback (message_id, created_at, helpful, comment) VALUES (?, ?, ?, ?)').run(
    messageId,
    now,
    helpful ? 1 : 0,
    comment ? redact(normalize(comment)) : null,
  );
  return true;
}

/** The last questions of a conversation, oldest first (context for follow-up questions). */
export function conversationHistory(db: DB, conversationId: string, limit = 3): { text: string; answered: boolean }[] {
  const rows = db
    .prepare('SELECT text, answered FROM questions WHERE conversation_id = ? ORDER BY created_at DESC LIMIT ?')
    .all(conversationId, limit) as { text: string; answered: number }[];
  return rows.reverse().map((r) => ({ text: r.text, answered: !!r.answered }));
}
