import { ensureTables, statement, type DB } from '../index/db.ts';
import { DAY_MS } from '../log/retention.ts';
import type { ChannelKeys } from './keys.ts';

/**
 * What the messenger channels received and sent, durably. An event (a Zalo `msg_id`, a Messenger `mid`) is
 * answered once: its row is written before the webhook is acknowledged, so a redelivery — after a restart
 * too — finds it. The reply address and the text are sealed (keys.ts) and forgotten once answered or stale;
 * the user is known only by a keyed hash.
 */
export type EventKind = 'text' | 'follow' | 'unreadable';
export type EventStatus = 'pending' | 'working' | 'answered' | 'failed';

export interface InboxEvent {
  channel: string;
  eventId: string;
  receivedAt: number;
  kind: EventKind;
  userHash: string;
  /** the reply address, sealed */
  recipient: string | null;
  /** the message text, sealed */
  text: string | null;
  status: EventStatus;
  questionId: string | null;
}

/** After this long an event still `working` belonged to a process that died: another may take it. */
export const STALE_CLAIM_MS = 5 * 60_000;
/** Events this old are not answered any more after a restart: the asker has moved on. */
export const RESUME_WITHIN_MS = 60 * 60_000;
/** A reply address is useful for as long as a messenger lets us write (Zalo: 7 days), then it is erased. */
export const RECIPIENT_KEPT_MS = 7 * DAY_MS;

export function ensureChannelTables(db: DB): void {
  ensureTables(
    db,
    'channels',
    `
    CREATE TABLE channel_events (
      channel TEXT NOT NULL,
      event_id TEXT NOT NULL,
      received_at INTEGER NOT NULL,
      kind TEXT NOT NULL,
      user_hash TEXT NOT NULL,
      recipient TEXT,                 -- sealed; erased after 7 days
      text TEXT,                      -- sealed; erased once answered
      status TEXT NOT NULL DEFAULT 'pending',
      claimed_at INTEGER,
      question_id TEXT,
      error TEXT,
      done_at INTEGER,
      PRIMARY KEY (channel, event_id)
    );
    CREATE INDEX channel_events_time ON channel_events (received_at);
    CREATE INDEX channel_events_question ON channel_events (question_id);

    -- every message sent on a channel, and what the messenger said
    CREATE TABLE channel_deliveries (
      id INTEGER PRIMARY KEY,
      channel TEXT NOT NULL,
      event_id TEXT,
      question_id TEXT,
      purpose TEXT NOT NULL,          -- answer | welcome | unreadable | refusal | staff
      status TEXT NOT NULL,           -- sent | failed | queued
      error_code INTEGER,
      error TEXT,
      parts INTEGER NOT NULL DEFAULT 0,
      staff TEXT,
      created_at INTEGER NOT NULL,
      due_at INTEGER,
      recipient TEXT,                 -- sealed, only while queued
      text TEXT,                      -- sealed, only while queued
      sent_at INTEGER
    );
    CREATE INDEX channel_deliveries_question ON channel_deliveries (question_id);
    CREATE INDEX channel_deliveries_due ON channel_deliveries (status, due_at);
    `,
  );
}

export interface Inbox {
  /** records an event; false when it was already recorded (a redelivery: nothing more is done) */
  receive(e: { channel: string; eventId: string; kind: EventKind; userId: string; text?: string }, now?: number): boolean;
  /** takes an event to answer; null when another worker has it or it is done */
  claim(channel: string, eventId: string, now?: number): InboxEvent | null;
  finish(channel: string, eventId: string, outcome: { status: 'answered' | 'failed'; questionId?: string | null; error?: string | null }, now?: number): void;
  /** the keyed hash of an event's sender (events of one user are answered in order) */
  userHashOf(channel: string, eventId: string): string | null;
  /** events left pending or working by a process that stopped, still worth answering */
  unfinished(channel: string, now?: number): { eventId: string }[];
  recordDelivery(d: Delivery, now?: number): number;
  /** erases stale reply addresses and drops rows older than the retention period */
  sweep(retentionDays: number, now?: number): void;
  keys: ChannelKeys;
}

export interface Delivery {
  channel: string;
  eventId?: string | null;
  questionId?: string | null;
  purpose: 'answer' | 'welcome' | 'unreadable' | 'refusal' | 'staff';
  status: 'sent' | 'failed' | 'queued';
  errorCode?: number | null;
  error?: string | null;
  parts: number;
  staff?: string | null;
  dueAt?: number | null;
  recipient?: string | null;
  text?: string | null;
}

interface Row {
  channel: string;
  event_id: string;
  received_at: number;
  kind: EventKind;
  user_hash: string;
  recipient: string | null;
  text: string | null;
  status: EventStatus;
  question_id: string | null;
}

export function createInbox(db: DB, keys: ChannelKeys): Inbox {
  ensureChannelTables(db);
  return {
    keys,
    receive(e, now = Date.now()) {
      const info = statement(
        db,
        `INSERT OR IGNORE INTO channel_events (channel, event_id, received_at, kind, user_hash, recipient, text)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(e.channel, e.eventId, now, e.kind, keys.userHash(e.channel, e.userId), keys.seal(e.userId), e.text === undefined ? null : keys.seal(e.text));
      return info.changes === 1;
    },
    claim(channel, eventId, now = Date.now()) {
      const taken = statement(
        db,
        `UPDATE channel_events SET status = 'working', claimed_at = ?
         WHERE channel = ? AND event_id = ? AND (status = 'pending' OR (status = 'working' AND claimed_at < ?))`,
      ).run(now, channel, eventId, now - STALE_CLAIM_MS);
      if (taken.changes !== 1) return null;
      const r = statement(db, 'SELECT * FROM channel_events WHERE channel = ? AND event_id = ?').get(channel, eventId) as Row;
      return {
        channel: r.channel,
        eventId: r.event_id,
        receivedAt: r.received_at,
        kind: r.kind,
        userHash: r.user_hash,
        recipient: r.recipient,
        text: r.text,
        status: r.status,
        questionId: r.question_id,
      };
    },
    finish(channel, eventId, outcome, now = Date.now()) {
      // the text is in the question log (redacted) from here on: its sealed copy goes
      statement(
        db,
        `UPDATE channel_events SET status = ?, question_id = coalesce(?, question_id), error = ?, done_at = ?, text = NULL
         WHERE channel = ? AND event_id = ?`,
      ).run(outcome.status, outcome.questionId ?? null, outcome.error ?? null, now, channel, eventId);
    },
    userHashOf(channel, eventId) {
      return (statement(db, 'SELECT user_hash FROM channel_events WHERE channel = ? AND event_id = ?').get(channel, eventId) as { user_hash: string } | undefined)?.user_hash ?? null;
    },
    unfinished(channel, now = Date.now()) {
      return (
        statement(
          db,
          `SELECT event_id FROM channel_events WHERE channel = ? AND received_at >= ?
           AND (status = 'pending' OR (status = 'working' AND claimed_at < ?)) ORDER BY received_at`,
        ).all(channel, now - RESUME_WITHIN_MS, now - STALE_CLAIM_MS) as { event_id: string }[]
      ).map((r) => ({ eventId: r.event_id }));
    },
    recordDelivery(d, now = Date.now()) {
      return Number(
        statement(
          db,
          `INSERT INTO channel_deliveries (channel, event_id, question_id, purpose, status, error_code, error, parts, staff, created_at, due_at, recipient, text, sent_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          d.channel,
          d.eventId ?? null,
          d.questionId ?? null,
          d.purpose,
          d.status,
          d.errorCode ?? null,
          d.error ?? null,
          d.parts,
          d.staff ?? null,
          now,
          d.dueAt ?? null,
          d.recipient ?? null,
          d.text ?? null,
          d.status === 'sent' ? now : null,
        ).lastInsertRowid,
      );
    },
    sweep(retentionDays, now = Date.now()) {
      db.transaction(() => {
        statement(db, 'UPDATE channel_events SET recipient = NULL, text = NULL WHERE received_at < ? AND recipient IS NOT NULL').run(now - RECIPIENT_KEPT_MS);
        statement(db, 'DELETE FROM channel_events WHERE received_at < ?').run(now - retentionDays * DAY_MS);
        statement(db, "UPDATE channel_deliveries SET recipient = NULL, text = NULL, status = 'failed', error = 'expired' WHERE status = 'queued' AND created_at < ?").run(now - RECIPIENT_KEPT_MS);
        statement(db, 'DELETE FROM channel_deliveries WHERE created_at < ?').run(now - retentionDays * DAY_MS);
      })();
    },
  };
}
