import type { Database } from '../store/index.ts';

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface Purged {
  questions: number;
  feedback: number;
}

/** The log's own tables, and the console's rows about a question (on SQLite they follow by cascade). */
const LOG_TABLES = ['questions', 'feedback'];
const ABOUT_A_QUESTION = ['review_state', 'review_notes'];

/**
 * Deletes questions older than `retentionDays` with their feedback, review state and notes (SQLite: by cascade;
 * PostgreSQL, where the console's tables have no foreign key to the log: in the same transaction), then makes sure
 * the deleted text is gone from the database's files, not only hidden:
 * - SQLite: `secure_delete` zeroes what it frees, but B-tree rebalancing leaves stale copies of moved rows in page
 *   gaps, so a VACUUM rewrites the file and a TRUNCATE checkpoint empties the WAL.
 * - PostgreSQL: a DELETE only marks rows dead, and a plain VACUUM frees their space without zeroing it (the bytes
 *   stay in the table's pages until overwritten). `VACUUM FULL` rewrites the tables into new files and removes the
 *   old ones, so the rows cannot be read back by any means the server offers. It holds the tables' lock while it
 *   runs, bounded by the pool's statement timeout (10 s); a longer one is cancelled and a plain VACUUM runs instead,
 *   with a message saying so. What PostgreSQL cannot take back: WAL segments keep the inserted rows until they are
 *   recycled after later checkpoints, and `npm run backup` dumps keep them until they are rotated out.
 * Only a purge that deleted something rewrites anything; with several replicas the first one to run does the work.
 */
export async function deleteExpiredQuestions(
  db: Database,
  retentionDays: number,
  now = Date.now(),
  log: Pick<Console, 'error'> = console,
): Promise<Purged> {
  const cutoff = now - retentionDays * DAY_MS;
  const following = db.dialect === 'postgres' ? await presentTables(db, ABOUT_A_QUESTION) : [];
  const remove = () =>
    db.transaction(async (tx): Promise<Purged> => {
      for (const table of following) await tx.run(`DELETE FROM ${table} WHERE question_id IN (SELECT id FROM questions WHERE created_at < ?)`, [cutoff]);
      const feedback = (await tx.run('DELETE FROM feedback WHERE message_id IN (SELECT id FROM questions WHERE created_at < ?)', [cutoff])).changes;
      const questions = (await tx.run('DELETE FROM questions WHERE created_at < ?', [cutoff])).changes;
      return { questions, feedback };
    });

  if (db.dialect === 'sqlite') {
    const before = (await db.get<{ secure_delete: number }>('PRAGMA secure_delete'))!.secure_delete;
    await db.run('PRAGMA secure_delete = ON');
    try {
      const purged = await remove();
      if (purged.questions || purged.feedback) {
        await db.run('VACUUM');
        await db.run('PRAGMA wal_checkpoint(TRUNCATE)');
      }
      return purged;
    } finally {
      await db.run(`PRAGMA secure_delete = ${Number(before)}`);
    }
  }

  const purged = await remove();
  if (purged.questions || purged.feedback) {
    const tables = [...LOG_TABLES, ...following].join(', ');
    try {
      await db.run(`VACUUM FULL ${tables}`);
    } catch (e) {
      await db.run(`VACUUM ${tables}`);
      log.error(
        `Đã xoá dữ liệu hết hạn nhưng VACUUM FULL không xong (${e instanceof Error ? e.message : String(e)}); đã chạy VACUUM thường. ` +
          `Để xoá hẳn khỏi tệp dữ liệu, chạy lúc vắng người dùng: psql "$DATABASE_URL" -c 'VACUUM FULL ${tables}'`,
      );
    }
  }
  return purged;
}

/** Those of `names` that exist in this database's schema (the console's tables may not, in a test or a bare log). */
async function presentTables(db: Database, names: string[]): Promise<string[]> {
  const rows = await db.all<{ name: string }>(
    `SELECT relname AS name FROM pg_class WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace AND relname IN (${names.map(() => '?').join(', ')})`,
    names,
  );
  return names.filter((n) => rows.some((r) => r.name === n));
}

export interface RetentionJob {
  /** stops the daily run and waits for one that is under way */
  stop(): Promise<void>;
}

/**
 * Runs the deletion now (resolving once it is done, so a server starts without expired questions) and then once
 * a day; the timer never keeps the process alive.
 */
export async function startRetention(db: Database, retentionDays: number, log: Pick<Console, 'log' | 'error'> = console): Promise<RetentionJob> {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = () => {
    if (stopped) return;
    running = (async () => {
      try {
        const { questions, feedback } = await deleteExpiredQuestions(db, retentionDays, Date.now(), log);
        if (questions || feedback) log.log(`Đã xoá ${questions} câu hỏi và ${feedback} góp ý cũ hơn ${retentionDays} ngày.`);
      } catch (e) {
        if (!stopped) log.error('Không xoá được dữ liệu hết hạn lưu giữ:', e);
      }
    })();
  };
  run();
  await running;
  const timer = setInterval(run, DAY_MS);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
