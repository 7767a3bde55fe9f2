import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type DB = Database.Database;

/**
 * One SQLite file holds the index (chunks, FTS5, vec0) and, by default, the state (question log, feedback, staff:
 * each store migrates its own tables through server/store). The index part is derived from corpus/ and rebuilt when
 * the corpus changes; the state is never rebuilt.
 */
export function openDatabase(dataDir: string, file = 'cnsh.sqlite'): DB {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, file));
  sqliteVec.load(db);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

const MIGRATIONS: string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  CREATE TABLE chunks (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('plan', 'guide', 'catalog', 'faq')),
    title TEXT NOT NULL,
    section TEXT NOT NULL,
    anchor TEXT NOT NULL,
    text TEXT NOT NULL,
    audience TEXT NOT NULL,          -- JSON array
    questions TEXT,                  -- JSON array, FAQ only
    supports TEXT,                   -- JSON array of {docId, anchor}, FAQ only
    origin TEXT NOT NULL DEFAULT 'corpus' CHECK (origin IN ('corpus', 'curated')),
    terms TEXT NOT NULL              -- folded syllables and bigrams, space separated
  );
  CREATE INDEX chunks_doc ON chunks (doc_id);

  -- folded columns match with or without diacritics; *_acc columns reward the right diacritics
  CREATE VIRTUAL TABLE chunks_fts USING fts5(
    title, section, body, head_acc, body_acc,
    tokenize = "unicode61 remove_diacritics 0 tokenchars '_'"
  );
  -- the naive baseline of the evals: FTS5's default tokenizer on the raw text
  CREATE VIRTUAL TABLE chunks_naive USING fts5(text);

  -- the question log and feedback were created here until issue 17: files made before it have them, newer ones get
  -- them from the log's own migrations (server/log/store.ts), the same tables in the same layout
  `,
  // every change to the index counts, so a process that caches what it read knows when another one changed it
  `
  INSERT OR IGNORE INTO meta (key, value) VALUES ('index_version', 0);
  CREATE TRIGGER chunks_inserted AFTER INSERT ON chunks BEGIN UPDATE meta SET value = value + 1 WHERE key = 'index_version'; END;
  CREATE TRIGGER chunks_updated AFTER UPDATE ON chunks BEGIN UPDATE meta SET value = value + 1 WHERE key = 'index_version'; END;
  CREATE TRIGGER chunks_deleted AFTER DELETE ON chunks BEGIN UPDATE meta SET value = value + 1 WHERE key = 'index_version'; END;
  `,
];

function migrate(db: DB): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version < MIGRATIONS.length) {
    db.exec('BEGIN IMMEDIATE');
    try {
      // another process may have migrated while we waited for the lock
      const now = db.pragma('user_version', { simple: true }) as number;
      for (let v = now; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${MIGRATIONS.length}`);
      db.exec('COMMIT');
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    }
  }
}

const statements = new WeakMap<DB, Map<string, Database.Statement>>();

/** A prepared statement, compiled once per connection: preparing costs more than running a small INSERT. */
export function statement(db: DB, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let prepared = cache.get(sql);
  if (!prepared) cache.set(sql, (prepared = db.prepare(sql)));
  return prepared;
}

/** Later issues add their tables through this, each with its own name. */
export function ensureTables(db: DB, name: string, sql: string): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_parts (name TEXT PRIMARY KEY)`);
  if (db.prepare('SELECT 1 FROM schema_parts WHERE name = ?').get(name)) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    if (!db.prepare('SELECT 1 FROM schema_parts WHERE name = ?').get(name)) {
      db.exec(sql);
      db.prepare('INSERT INTO schema_parts (name) VALUES (?)').run(name);
    }
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
}

export function getMeta(db: DB, key: string): string | undefined {
  return (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
}

export function setMeta(db: DB, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

/**
 * Runs `fn` in one transaction with `synchronous=FULL`: staff writes (curated answers, accounts, audit) are
 * fsynced at commit and survive a power cut, while the question log keeps the faster NORMAL. `fn` must be
 * synchronous, which also means nothing else runs on this connection while FULL is on.
 */
export function withFullSync<T>(db: DB, fn: () => T): T {
  // SQLite refuses to change the safety level inside a transaction: this must be the outermost one
  if (db.inTransaction) throw new Error('withFullSync: gọi ngoài mọi transaction (SQLite không đổi synchronous giữa chừng)');
  const before = db.pragma('synchronous', { simple: true }) as number;
  db.pragma('synchronous = FULL');
  try {
    return db.transaction(fn)();
  } finally {
    db.pragma(`synchronous = ${before}`);
  }
}
