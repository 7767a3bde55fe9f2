import type { Database, Migration, Sql } from '../store/index.ts';
import { vnDay } from '../review/stats.ts';

/**
 * Anonymous counters, and nothing else: per question (shown, answered, correct) and per topic per day (rounds
 * started, rounds finished, points scored). No row names a student, a browser, an address or a time of day.
 * On the state database, so every replica adds to the same counters; `quiz` is the step name SQLite files have.
 */
export const QUIZ_MIGRATIONS: Migration[] = [
  {
    name: 'quiz',
    sqlite: `
      CREATE TABLE IF NOT EXISTS quiz_question_stats (
        question_id TEXT PRIMARY KEY,
        shown INTEGER NOT NULL DEFAULT 0,
        answered INTEGER NOT NULL DEFAULT 0,
        correct INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS quiz_rounds (
        day TEXT NOT NULL,               -- YYYY-MM-DD, Vietnam time
        topic TEXT NOT NULL,             -- a topic id, or 'tat-ca' for a round across all topics
        started INTEGER NOT NULL DEFAULT 0,
        finished INTEGER NOT NULL DEFAULT 0,
        score_sum INTEGER NOT NULL DEFAULT 0,
        question_sum INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (day, topic)
      );
    `,
    postgres: `
      CREATE TABLE IF NOT EXISTS quiz_question_stats (
        question_id TEXT PRIMARY KEY,
        shown BIGINT NOT NULL DEFAULT 0,
        answered BIGINT NOT NULL DEFAULT 0,
        correct BIGINT NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS quiz_rounds (
        day TEXT NOT NULL,
        topic TEXT NOT NULL,
        started BIGINT NOT NULL DEFAULT 0,
        finished BIGINT NOT NULL DEFAULT 0,
        score_sum BIGINT NOT NULL DEFAULT 0,
        question_sum BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (day, topic)
      );
    `,
  },
];

const migrated = new WeakMap<Database, Promise<void>>();

/** The counters' tables, created once per database before the first count or read (a failure is retried next time). */
export function migrateQuiz(db: Database): Promise<void> {
  let done = migrated.get(db);
  if (!done) {
    migrated.set(db, (done = db.migrate(QUIZ_MIGRATIONS)));
    done.catch(() => migrated.delete(db));
  }
  return done;
}

// the existing row is named by its table: PostgreSQL reads a bare `shown` as ambiguous with `excluded.shown`
export async function recordRoundStarted(db: Database, topic: string, questionIds: string[], now = Date.now()): Promise<void> {
  // one row per question in one statement (PostgreSQL refuses to update a row twice in a statement: ids once each)
  const ids = [...new Set(questionIds)];
  await db.transaction(async (tx) => {
    if (ids.length)
      await tx.run(
        `INSERT INTO quiz_question_stats (question_id, shown) VALUES ${ids.map(() => '(?, 1)').join(', ')}
         ON CONFLICT (question_id) DO UPDATE SET shown = quiz_question_stats.shown + 1`,
        ids,
      );
    await tx.run(`INSERT INTO quiz_rounds (day, topic, started) VALUES (?, ?, 1) ON CONFLICT (day, topic) DO UPDATE SET started = quiz_rounds.started + 1`, [
      vnDay(now),
      topic,
    ]);
  });
}

export async function recordAnswer(db: Sql, questionId: string, correct: boolean): Promise<void> {
  await db.run(
    `INSERT INTO quiz_question_stats (question_id, answered, correct) VALUES (?, 1, ?)
     ON CONFLICT (question_id) DO UPDATE SET answered = quiz_question_stats.answered + 1, correct = quiz_question_stats.correct + excluded.correct`,
    [questionId, correct ? 1 : 0],
  );
}

export async function recordRoundFinished(db: Sql, topic: string, score: number, total: number, now = Date.now()): Promise<void> {
  await db.run(
    `INSERT INTO quiz_rounds (day, topic, finished, score_sum, question_sum) VALUES (?, ?, 1, ?, ?)
     ON CONFLICT (day, topic) DO UPDATE SET finished = quiz_rounds.finished + 1, score_sum = quiz_rounds.score_sum + excluded.score_sum,
       question_sum = quiz_rounds.question_sum + excluded.question_sum`,
    [vnDay(now), topic, score, total],
  );
}

export interface QuestionStats {
  questionId: string;
  shown: number;
  answered: number;
  correct: number;
}

export function questionStats(db: Sql): Promise<QuestionStats[]> {
  // PostgreSQL folds unquoted aliases to lower case
  return db.all<QuestionStats>(`SELECT question_id AS "questionId", shown, answered, correct FROM quiz_question_stats`);
}

export interface RoundStats {
  topic: string;
  started: number;
  finished: number;
  scoreSum: number;
  questionSum: number;
}

/** Rounds per topic over the last `days` days, today included. */
export function roundStats(db: Sql, days: number, now = Date.now()): Promise<RoundStats[]> {
  const since = vnDay(now - (days - 1) * 86_400_000);
  return db.all<RoundStats>(
    `SELECT topic, SUM(started) AS started, SUM(finished) AS finished, SUM(score_sum) AS "scoreSum", SUM(question_sum) AS "questionSum"
     FROM quiz_rounds WHERE day >= ? GROUP BY topic`,
    [since],
  );
}
