import { afterEach, describe, expect, it } from 'vitest';
import { testBackends, testDatabase, type TestDatabase } from '../store/testing.ts';
import { migrateQuiz, questionStats, recordAnswer, recordRoundFinished, recordRoundStarted, roundStats } from './stats.ts';

const DAY = 86_400_000;

describe.each(testBackends())('the quiz counters on %s', (dialect) => {
  let t: TestDatabase;
  afterEach(async () => t?.drop());
  const fresh = async () => {
    t = await testDatabase(dialect);
    await Promise.all([migrateQuiz(t.db), migrateQuiz(t.db)]);
    return t.db;
  };

  it('count each question shown, answered and answered right', async () => {
    const db = await fresh();
    await recordRoundStarted(db, 'khi-sinh-hoc', ['ksh-1', 'ksh-2']);
    await recordRoundStarted(db, 'tat-ca', ['ksh-2', 'xlnt-1']);
    await recordAnswer(db, 'ksh-2', true);
    await recordAnswer(db, 'ksh-2', false);
    await recordAnswer(db, 'xlnt-9', true);
    const stats = (await questionStats(db)).sort((a, b) => a.questionId.localeCompare(b.questionId));
    expect(stats).toEqual([
      { questionId: 'ksh-1', shown: 1, answered: 0, correct: 0 },
      { questionId: 'ksh-2', shown: 2, answered: 2, correct: 1 },
      { questionId: 'xlnt-1', shown: 1, answered: 0, correct: 0 },
      { questionId: 'xlnt-9', shown: 0, answered: 1, correct: 1 },
    ]);
  });

  it('count rounds per topic per Vietnam day, and sum the recent days', async () => {
    const db = await fresh();
    // 23:30 on 2 December in Vietnam is still 2 December there, whatever UTC says
    const now = Date.parse('2026-12-03T10:00:00+07:00');
    const lateYesterday = Date.parse('2026-12-02T23:30:00+07:00');
    await recordRoundStarted(db, 'khi-sinh-hoc', ['ksh-1'], now);
    await recordRoundStarted(db, 'khi-sinh-hoc', ['ksh-1'], lateYesterday);
    await recordRoundFinished(db, 'khi-sinh-hoc', 4, 5, now);
    await recordRoundFinished(db, 'khi-sinh-hoc', 2, 5, lateYesterday);
    await recordRoundStarted(db, 'xu-ly-nuoc-thai', ['xlnt-1'], now - 40 * DAY);

    const days = await db.all('SELECT day, started, finished, score_sum, question_sum FROM quiz_rounds ORDER BY day');
    expect(days).toEqual([
      { day: '2026-10-24', started: 1, finished: 0, score_sum: 0, question_sum: 0 },
      { day: '2026-12-02', started: 1, finished: 1, score_sum: 2, question_sum: 5 },
      { day: '2026-12-03', started: 1, finished: 1, score_sum: 4, question_sum: 5 },
    ]);
    expect(await roundStats(db, 30, now)).toEqual([{ topic: 'khi-sinh-hoc', started: 2, finished: 2, scoreSum: 6, questionSum: 10 }]);
    expect(await roundStats(db, 1, now)).toEqual([{ topic: 'khi-sinh-hoc', started: 1, finished: 1, scoreSum: 4, questionSum: 5 }]);
  });

  it('lose no count when many students answer at once', async () => {
    const db = await fresh();
    await Promise.all(Array.from({ length: 60 }, (_, i) => recordAnswer(db, 'ksh-1', i % 3 === 0)));
    await Promise.all(Array.from({ length: 20 }, () => recordRoundStarted(db, 'khi-sinh-hoc', ['ksh-1', 'ksh-2'])));
    expect((await questionStats(db)).find((s) => s.questionId === 'ksh-1')).toEqual({ questionId: 'ksh-1', shown: 20, answered: 60, correct: 20 });
  });
});
