import { ensureTables, withFullSync, type DB } from '../index/db.ts';

/**
 * A staff write (curated answers, accounts, the audit log): fsynced at commit (synchronous=FULL), so it
 * survives a power cut; inside an outer transaction, it commits with that one (which is itself a staff write).
 */
export function staffWrite<T>(db: DB, fn: () => T): T {
  return db.inTransaction ? fn() : withFullSync(db, fn);
}

/**
 * The staff console's own tables. They hold state, never derived data: a rebuilt index keeps them.
 * Review state and notes follow the question log (a question removed by retention takes its notes with it);
 * the audit log and curated answers do not.
 */
const REVIEW_SCHEMA = `
  CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'reviewer')),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL,
    last_login_at INTEGER
  );

  -- id_hash is the SHA-256 of the cookie value: a copy of the database holds no usable session
  CREATE TABLE staff_sessions (
    id_hash TEXT PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
  );
  CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);

  -- key: 'account:<username>' or 'ip:<address>'
  CREATE TABLE login_failures (key TEXT NOT NULL, at INTEGER NOT NULL);
  CREATE INDEX login_failures_key ON login_failures (key, at);

  CREATE TABLE review_state (
    question_id TEXT PRIMARY KEY REFERENCES questions (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('open', 'curated', 'out-of-scope', 'spam')),
    curated_id TEXT,
    updated_at INTEGER NOT NULL,
    updated_by TEXT
  );
  CREATE INDEX review_state_curated ON review_state (curated_id);

  CREATE TABLE review_notes (
    id INTEGER PRIMARY KEY,
    question_id TEXT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    text TEXT NOT NULL
  );
  CREATE INDEX review_notes_question ON review_notes (question_id);

  CREATE TABLE curated_answers (
    n INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    question TEXT NOT NULL,
    variants TEXT NOT NULL,          -- JSON array
    answer TEXT NOT NULL,
    audience TEXT NOT NULL,          -- JSON array
    sources TEXT NOT NULL,           -- JSON array of {docId, section}
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'unpublished')),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    published_at INTEGER
  );

  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    username TEXT,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT,
    ip TEXT
  );
  CREATE INDEX audit_log_time ON audit_log (at);
`;

export function ensureReviewTables(db: DB): void {
  ensureTables(db, 'review-1', REVIEW_SCHEMA);
}

export interface AuditEntry {
  username: string | null;
  action: string;
  target?: string | null;
  detail?: string | null;
  ip?: string | null;
}

/**
 * Anonymous events (refused sign-ins, cross-site posts) come from the internet: each kind keeps at most this
 * many rows a minute, and what is over it is counted in one summary row of that kind, never dropped silently.
 */
const ANONYMOUS_PER_MINUTE = 60;
/** Failed sign-ins are always written: the sign-in limits bound how many there can be, and they are what matters. */
const ALWAYS_KEPT = new Set(['login:fail']);
const windows = new Map<string, { start: number; count: number; dropped: number; summary: number | null }>();

/** Every staff action goes here: who, what, when (and from where, for sign-ins). */
export function audit(db: DB, e: AuditEntry, now = Date.now()): void {
  if (e.username === null && !ALWAYS_KEPT.has(e.action)) {
    let w = windows.get(e.action);
    if (!w || now - w.start >= 60_000) windows.set(e.action, (w = { start: now, count: 0, dropped: 0, summary: null }));
    if (++w.count > ANONYMOUS_PER_MINUTE) {
      w.dropped++;
      const detail = `Lược bớt: thêm ${w.dropped} sự kiện cùng loại trong phút này (quá ${ANONYMOUS_PER_MINUTE} một phút).`;
      if (w.summary === null)
        w.summary = Number(
          db.prepare('INSERT INTO audit_log (at, username, action, target, detail, ip) VALUES (?, NULL, ?, NULL, ?, NULL)').run(now, e.action, detail)
            .lastInsertRowid,
        );
      else db.prepare('UPDATE audit_log SET detail = ? WHERE id = ?').run(detail, w.summary);
      return;
    }
  }
  staffWrite(db, () =>
    db.prepare('INSERT INTO audit_log (at, username, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?)').run(
      now,
      e.username,
      e.action,
      e.target ?? null,
      e.detail ? e.detail.slice(0, 200) : null,
      e.ip ?? null,
    ),
  );
}

export interface AuditRow {
  id: number;
  at: number;
  username: string | null;
  action: string;
  target: string | null;
  detail: string | null;
  ip: string | null;
}

export function auditLog(db: DB, { limit = 200, before }: { limit?: number; before?: number } = {}): AuditRow[] {
  return db
    .prepare('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?')
    .all(before ?? Number.MAX_SAFE_INTEGER, limit) as AuditRow[];
}
