import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing.ts';
import { PLANTED_PII, plainForSearch, tellTale } from './planted-pii.ts';
import { redact } from './redact.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const post = (path: string, body: unknown) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Digits of a text with the separators between them dropped, letters in lower case. */
const searchable = (text: string) => plainForSearch(text).replace(/(?<=\d)[\s.\-–—/_,()+]+(?=\d)/g, '');

describe('planted personal data never reaches the disk (security review V4: 45 of 82 did)', () => {
  it(`${PLANTED_PII.length} values in messages, site labels and feedback: none found in the database files, none in the rows`, async () => {
    expect(PLANTED_PII.length).toBeGreaterThanOrEqual(80);
    for (const { value } of PLANTED_PII) {
      const res = await post('/api/chat', { message: `Hầm biogas nạp phân thế nào, liên hệ ${value} giúp em`, site: `trường ${value}` });
      expect(res.status).toBe(200);
      const { messageId } = await res.json();
      expect((await post('/api/feedback', { messageId, helpful: false, comment: `gọi lại ${value} nhé` })).status).toBe(204);
      // a conversation id is one the server issued, never a number someone typed
      expect((await post('/api/chat', { message: 'Hầm biogas là gì?', conversationId: value })).status).toBe(400);
    }
    const rows = server.assistant.db
      .prepare('SELECT q.text, q.site, q.answer, q.conversation_id, f.comment FROM questions q LEFT JOIN feedback f ON f.message_id = q.id')
      .all() as Record<string, string | null>[];
    const stored = searchable(rows.map((r) => Object.values(r).join(' \u0001 ')).join('\n'));
    const files = readdirSync(server.dataDir)
      .filter((f) => f.startsWith('cnsh'))
      .map((f) => readFileSync(join(server.dataDir, f)));
    const found = PLANTED_PII.filter(({ value }) => stored.includes(tellTale(value)) || files.some((b) => b.includes(Buffer.from(value))));
    expect(found.map((f) => `${f.kind}: ${JSON.stringify(f.value)}`)).toEqual([]);
  });

  it('the same redaction runs on what goes to a model (every planted value is gone from the text)', () => {
    const left = PLANTED_PII.filter(({ value }) => searchable(redact(`số tôi ${value} nhé`)).includes(tellTale(value)));
    expect(left.map((f) => f.value)).toEqual([]);
  });
});
