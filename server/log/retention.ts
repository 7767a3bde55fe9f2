import type { DB } from '../index/db.ts';

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface Purged {
  questions: number;
  feedback: number;
}

/**
 * Deletes questions older than `retentionDays` and their feedback (review notes follow by cascade).
 * `secure_delete` zeroes what it frees, but B-tree rebalancing leaves stale copies of moved rows in page
 * gaps, so a VACUUM rewrites the file and a TRUNCATE checkpoint empties the WAL: the text is gone from disk.
 */
export function deleteExpiredQuestions(db: DB, retentionDays: number, now = Date.now()): Purged {
  const cutoff = now - retentionDays * DAY_MS;
  const before = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    const purged = db.transaction((): Purged => {
      const feedback = db.prepare('DELETE FROM feedback WHERE message_id IN (SELECT id FROM questions WHERE created_at < ?)').run(cutoff).changes;
      const questions = db.prepare('DELETE FROM questions WHERE created_at < ?').run(cutoff).changes;
      return { questions, feedback };
    })();
    if (purged.questions || purged.feedback) {
      db.exec('VACUUM');
      db.pragma('wal_checkpoint(TRUNCATE)');
    }
    return purged;
  } finally {
    db.pragma(`secure_delete = ${before}`);
  }
}

export interface RetentionJob {
  stop(): void;
}

/** Runs the deletion now and then once a day; the timer never keeps the process alive. */
export function startRetention(db: DB, retentionDays: number, log: Pick<Console, 'log' | 'error'> = console): RetentionJob {
  const run = () => {
    try {
      const { questions, feedback } = deleteExpiredQuestions(db, retentionDays);
      if (questions || feedback) log.log(`Đã xoá ${questions} câu hỏi và ${feedback} góp ý cũ hơn ${retentionDays} ngày.`);
    } catch (e) {
      log.error('Không xoá được dữ liệu hết hạn lưu giữ:', e);
    }
  };
  run();
  const timer = setInterval(run, DAY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
