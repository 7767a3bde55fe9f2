import { ensureTables, statement, type DB } from '../index/db.ts';
import { vnDay } from '../review/stats.ts';

/**
 * Anonymous counters, and nothing else: per question (shown, answered, correct) and per topic per day (rounds
 * started, rounds finished, points scored). No row names a student, a browser, an address or a time of day.
 */
export function ensureQuizTables(db: DB): void {
  ensureTables(
    db,
    'quiz',
    `
    CREATE TABLE quiz_question_stats (
      question_id TEXT PRIMARY KEY,
      shown INTEGER NOT NULL DEFAULT 0,
      answered INTEGER NOT NULL DEFAULT 0,
      correct INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE quiz_rounds (
      day TEXT NOT NULL,               -- YYYY-MM-DD, Vietnam time
      topic TEXT NOT NULL,             -- a topic id, or 'tat-ca' for a round across all topics
      started INTEGER NOT NULL DEFAULT 0,
      finished INTEGER NOT NULL DEFAULT 0,
      score_sum INTEGER NOT NULL DEFAULT 0,
      question_sum INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (day, topic)
    );
    `,
  );
}

export function recordRoundStarted(db: DB, topic: string, questionIds: string[], now = Date.now()): void {
  db.transaction(() => {
    const shown = statement(db, `INSERT INTO quiz_question_stats (question_id, shown) VALUES (?, 1) ON CONFLICT (question_id) DO UPDATE SET shown = shown + 1`);
    for (const id of questionIds) shown.run(id);
    statement(db, `INSERT INTO quiz_rounds (day, topic, started) VALUES (?, ?, 1) ON CONFLICT (day, topic) DO UPDATE SET started = started + 1`).run(vnDay(now), topic);
  })();
}

export function recordAnswer(db: DB, questionId: string, correct: boolean): void {
  statement(
    db,
    `INSERT INTO quiz_question_stats (question_id, answered, correct) VALUES (?, 1, ?)
     ON CONFLICT (question_id) DO UPDATE SET answered = answered + 1, correct = correct + excluded.correct`,
  ).run(questionId, correct ? 1 : 0);
}

export function recordRoundFinished(db: DB, topic: string, score: number, total: number, now = Date.now()): void {
  statement(
    db,
    `INSERT INTO quiz_rounds (day, topic, finished, score_sum, question_sum) VALUES (?, ?, 1, ?, ?)
     ON CONFLICT (day, topic) DO UPDATE SET finished = finished + 1, score_sum = score_sum + excluded.score_sum, question_sum = question_sum + excluded.question_sum`,
  ).run(vnDay(now), topic, score, total);
}

export interface QuestionStats {
  questionId: string;
  shown: number;
  answered: number;
  correct: number;
}

export function questionStats(db: DB): QuestionStats[] {
  return statement(db, `SELECT question_id AS questionId, shown, answered, correct FROM quiz_question_stats`).all() as QuestionStats[];
}

export interface RoundStats {
  topic: string;
  started: number;
  finished: number;
  scoreSum: number;
  questionSum: number;
}

/** Rounds per topic over the last `days` days, today included. */
export function roundStats(db: DB, days: number, now = Date.now()): RoundStats[] {
  const since = vnDay(now - (days - 1) * 86_400_000);
  return statement(
    db,
    `SELECT topic, SUM(started) AS started, SUM(finished) AS finished, SUM(score_sum) AS scoreSum, SUM(question_sum) AS questionSum
     FROM quiz_rounds WHERE day >= ? GROUP BY topic`,
  ).all(since) as RoundStats[];
}
