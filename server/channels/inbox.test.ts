import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../log/retention.ts';
import { postgresDatabase } from '../store/postgres.ts';
import { testBackends, testDatabase, type TestDatabase } from '../store/testing.ts';
import { createInbox, RECIPIENT_KEPT_MS, STALE_CLAIM_MS, zaloAskerRows, type Inbox } from './inbox.ts';
import { channelKeys, type ChannelKeys } from './keys.ts';

const T0 = Date.UTC(2026, 11, 3, 3, 0, 0);
const text = (eventId: string, userId = '8490000001') => ({ channel: 'zalo', eventId, kind: 'text' as const, userId, text: 'Đệm lót sinh học là gì?' });

describe.each(testBackends())('the channel inbox on %s', (dialect) => {
  let t: TestDatabase;
  let keyDir: string;
  let keys: ChannelKeys;
  let inbox: Inbox;
  beforeAll(() => {
    keyDir = mkdtempSync(join(tmpdir(), 'cnsh-keys-'));
    keys = channelKeys(keyDir);
  });
  afterAll(() => rmSync(keyDir, { recursive: true, force: true }));
  afterEach(async () => t?.drop());
  const fresh = async () => {
    t = await testDatabase(dialect);
    inbox = await createInbox(t.db, keys);
  };

  it('records an event once, keeps the sender only sealed and hashed, and hands it to one claimer', async () => {
    await fresh();
    expect(await inbox.receive(text('m-1'), T0)).toBe(true);
    expect(await inbox.receive(text('m-1'), T0 + 1000)).toBe(false);
    const row = await t.db.get<{ recipient: string; text: string; user_hash: string }>('SELECT recipient, text, user_hash FROM channel_events');
    expect(row!.recipient).not.toContain('8490000001');
    expect(keys.open(row!.recipient)).toBe('8490000001');
    expect(keys.open(row!.text)).toBe('Đệm lót sinh học là gì?');
    expect(await inbox.userHashOf('zalo', 'm-1')).toBe(keys.userHash('zalo', '8490000001'));

    const claimed = await inbox.claim('zalo', 'm-1', T0 + 2000);
    expect(claimed).toMatchObject({ eventId: 'm-1', status: 'working', kind: 'text', receivedAt: T0 });
    expect(await inbox.claim('zalo', 'm-1', T0 + 3000)).toBeNull();
    // a claim left by a process that died goes stale, and another may take it
    expect(await inbox.claim('zalo', 'm-1', T0 + 2000 + STALE_CLAIM_MS + 1)).not.toBeNull();
    await inbox.finish('zalo', 'm-1', { status: 'answered', questionId: 'q-1' }, T0 + 4000);
    expect(await t.db.get('SELECT status, question_id, text FROM channel_events')).toEqual({ status: 'answered', question_id: 'q-1', text: null });
    expect(await inbox.claim('zalo', 'm-1', T0 + 10 * STALE_CLAIM_MS)).toBeNull();
  });

  it('lists what a stopped process left unanswered, and not what is answered or too old', async () => {
    await fresh();
    await inbox.receive(text('cu'), T0 - 2 * 3600_000);
    await inbox.receive(text('cho'), T0 - 60_000);
    await inbox.receive(text('dang-lam'), T0 - 50_000);
    await inbox.claim('zalo', 'dang-lam', T0 - 40_000);
    await inbox.receive(text('xong'), T0 - 30_000);
    await inbox.claim('zalo', 'xong', T0 - 20_000);
    await inbox.finish('zalo', 'xong', { status: 'answered' }, T0 - 10_000);
    expect(await inbox.unfinished('zalo', T0)).toEqual([{ eventId: 'cho' }]);
    expect(await inbox.unfinished('zalo', T0 + STALE_CLAIM_MS)).toEqual([{ eventId: 'cho' }, { eventId: 'dang-lam' }]);
  });

  it('records deliveries with increasing ids, and a sweep erases stale addresses and old rows', async () => {
    await fresh();
    await inbox.receive(text('m-1'), T0);
    const a = await inbox.recordDelivery({ channel: 'zalo', eventId: 'm-1', purpose: 'answer', status: 'sent', parts: 2 }, T0);
    const b = await inbox.recordDelivery({ channel: 'zalo', eventId: 'm-1', purpose: 'staff', status: 'queued', parts: 0, staff: 'canbo', dueAt: T0 + 1, text: keys.seal('x') }, T0);
    expect(typeof a).toBe('number');
    expect(b).toBeGreaterThan(a);
    expect(await t.db.get('SELECT parts, sent_at FROM channel_deliveries WHERE id = ?', [a])).toEqual({ parts: 2, sent_at: T0 });

    await inbox.sweep(30, T0 + RECIPIENT_KEPT_MS + 1);
    expect(await t.db.get('SELECT recipient, text FROM channel_events')).toEqual({ recipient: null, text: null });
    expect(await t.db.get('SELECT status, error, text FROM channel_deliveries WHERE id = ?', [b])).toEqual({ status: 'failed', error: 'expired', text: null });
    await inbox.sweep(30, T0 + 31 * DAY_MS);
    expect(await t.db.all('SELECT * FROM channel_events')).toEqual([]);
    expect(await t.db.all('SELECT * FROM channel_deliveries')).toEqual([]);
  });

  it('moves a queued staff answer to "sending" once, however many processes try', async () => {
    await fresh();
    await inbox.receive(text('m-1'), T0);
    const id = await inbox.recordDelivery({ channel: 'zalo', eventId: 'm-1', questionId: 'q-1', purpose: 'staff', status: 'queued', parts: 0, staff: 'canbo', dueAt: T0 + 10, text: keys.seal('giải đáp') }, T0);
    expect(await inbox.dueStaff(T0)).toEqual([]);
    const [due] = await inbox.dueStaff(T0 + 10);
    expect(due).toMatchObject({ id, eventId: 'm-1', questionId: 'q-1', staff: 'canbo' });
    expect(keys.open(due!.text)).toBe('giải đáp');
    const moves = await Promise.all([1, 2, 3].map(() => inbox.moveDelivery(id, 'queued', 'sending')));
    expect(moves.filter(Boolean)).toHaveLength(1);
    expect(await inbox.recipientOf('zalo', 'm-1')).not.toBeNull();
    await inbox.moveDelivery(id, null, 'delivered-later');
    expect(await t.db.get('SELECT status, text FROM channel_deliveries WHERE id = ?', [id])).toEqual({ status: 'delivered-later', text: null });
  });

  it('finds no Zalo askers where the channels never ran, and keeps its schema once migrated', async () => {
    t = await testDatabase(dialect);
    await t.db.migrate([
      {
        name: 'askers-test',
        // the log's and review's tables, as far as the askers read them (their own stores make them in the server)
        sqlite: `CREATE TABLE IF NOT EXISTS questions (id TEXT PRIMARY KEY, conversation_id TEXT, created_at INTEGER, text TEXT, folded TEXT, audience TEXT,
                   answered INTEGER, confidence REAL, mode TEXT, cited TEXT, answer TEXT);
                 CREATE TABLE IF NOT EXISTS review_state (question_id TEXT, curated_id TEXT)`,
        postgres: `CREATE TABLE questions (id TEXT PRIMARY KEY, conversation_id TEXT, created_at BIGINT, text TEXT, folded TEXT, audience TEXT,
                     answered INTEGER, confidence DOUBLE PRECISION, mode TEXT, cited TEXT, answer TEXT);
                   CREATE TABLE review_state (question_id TEXT, curated_id TEXT)`,
      },
    ]);
    expect(await zaloAskerRows(t.db, 'gd-1', 0)).toEqual([]);
    inbox = await createInbox(t.db, keys);
    await createInbox(t.db, keys);
    expect(await t.db.get('SELECT count(*) AS n FROM schema_parts WHERE name = ?', ['channels'])).toEqual({ n: 1 });

    for (const [id, question, at] of [['q-1', 'Nuôi ruồi lính đen?', T0], ['q-2', 'Câu cũ', T0 - 8 * DAY_MS]] as const)
      await t.db.run(
        `INSERT INTO questions (id, conversation_id, created_at, text, folded, audience, answered, confidence, mode, cited, answer)
         VALUES (?, 'c', ?, ?, '', 'citizen', 0, 0, 'extractive', '[]', '')`,
        [id, at, question],
      );
    await t.db.run('INSERT INTO review_state (question_id, curated_id) VALUES (?, ?), (?, ?)', ['q-1', 'gd-1', 'q-2', 'gd-1']);
    for (const [e, q] of [['m-1', 'q-1'], ['m-2', 'q-2']] as const) {
      await inbox.receive(text(e), T0);
      await inbox.finish('zalo', e, { status: 'answered', questionId: q }, T0);
    }
    expect(await zaloAskerRows(t.db, 'gd-1', T0 - DAY_MS)).toEqual([{ questionId: 'q-1', text: 'Nuôi ruồi lính đen?', askedAt: T0, delivery: null }]);
    await inbox.recordDelivery({ channel: 'zalo', eventId: 'm-1', questionId: 'q-1', purpose: 'staff', status: 'failed', errorCode: -230, parts: 0 }, T0 + 1);
    await inbox.recordDelivery({ channel: 'zalo', eventId: 'm-1', questionId: 'q-1', purpose: 'staff', status: 'sent', parts: 1 }, T0 + 2);
    expect((await zaloAskerRows(t.db, 'gd-1', T0 - DAY_MS))[0]!.delivery).toEqual({ status: 'sent', at: T0 + 2, errorCode: null });
  });

  it.runIf(dialect === 'postgres')('two replicas handed the same webhook delivery record it once and answer it once', async () => {
    t = await testDatabase(dialect);
    const replicas = await Promise.all([0, 1].map(() => postgresDatabase(t.url!, { max: 4 })));
    try {
      const [a, b] = await Promise.all(replicas.map((db) => createInbox(db, keys)));
      for (let i = 0; i < 20; i++) {
        const e = text(`m-${i}`, `84900000${i}`);
        const received = await Promise.all([a!.receive(e, T0), b!.receive(e, T0), a!.receive(e, T0), b!.receive(e, T0)]);
        expect(received.filter(Boolean)).toHaveLength(1);
        const claims = await Promise.all([a!.claim('zalo', e.eventId, T0 + 1), b!.claim('zalo', e.eventId, T0 + 1)]);
        expect(claims.filter((c) => c !== null)).toHaveLength(1);
      }
      expect(await t.db.get('SELECT count(*) AS n FROM channel_events')).toEqual({ n: 20 });
    } finally {
      await Promise.all(replicas.map((db) => db.close()));
    }
  });
});

describe.runIf(testBackends().includes('postgres'))('replicas and the channels key', () => {
  it('a replica whose kenh.key differs from the others does not start its channels, and says which file to copy', async () => {
    const t = await testDatabase('postgres');
    const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'cnsh-keys-')));
    const other = await postgresDatabase(t.url!, { max: 2 });
    try {
      await createInbox(t.db, channelKeys(dirs[0]!));
      await expect(createInbox(other, channelKeys(dirs[1]!))).rejects.toThrow(/kenh\.key/);
      // the same key file copied over: it starts
      await expect(createInbox(other, channelKeys(dirs[0]!))).resolves.toBeDefined();
    } finally {
      await other.close();
      await t.drop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
