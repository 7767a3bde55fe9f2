import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistant, type Assistant } from '../assistant.ts';
import { ROOT } from '../config.ts';
import { ChatResponseSchema } from '../contract.ts';
import { formatPlain } from '../format/index.ts';
import { startFakeLlm, type FakeLlm } from '../generate/fake-llm.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A whole channel in a few lines: what a new messenger needs from the assistant, and nothing more. */
function testChannel(assistant: Assistant) {
  const outbox: string[] = [];
  return {
    outbox,
    async receive(userId: string, text: string, onDelta?: (d: string) => Promise<void>) {
      const response = await assistant.ask({ message: text, conversationId: `thu-${userId}`, channel: 'thu' }, { stream: onDelta ?? null });
      outbox.push(formatPlain(response, { baseUrl: 'https://hoidap.example.gov.vn' }));
      return response;
    },
  };
}

describe('one assistant seam for every channel', () => {
  let fake: FakeLlm;
  let assistant: Assistant;
  let dataDir: string;
  beforeAll(async () => {
    fake = await startFakeLlm('answer');
    dataDir = mkdtempSync(join(tmpdir(), 'cnsh-seam-'));
    assistant = await createAssistant({
      dataDir,
      corpusDir: join(ROOT, 'corpus'),
      generation: { llm: { baseURL: fake.baseURL, apiKey: 'no-key', model: 'fake-chat' }, allowedOrigins: [] },
    });
  });
  afterAll(async () => {
    assistant.close();
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a channel calling assistant.ask gets the generated answer, streamed, and a log row with its channel', async () => {
    const channel = testChannel(assistant);
    const deltas: string[] = [];
    const response = await channel.receive('u1', '  Làm sao vận hành hầm biogas an toàn?\u202E ', async (d) => void deltas.push(d));
    expect(response.mode).toBe('generative');
    // the shape every channel and the widget rely on, exactly (nothing more than `confidence` and `reason`, kept server-side)
    const { confidence: _confidence, reason: _reason, ...wire } = response;
    expect(ChatResponseSchema.strict().safeParse(wire).success).toBe(true);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('').trim()).toBe(response.answer);
    expect(channel.outbox[0]).toMatch(/Nguồn:\n\[1\] .+https:\/\/hoidap\.example\.gov\.vn\/nguon\//);
    const row = assistant.db.prepare('SELECT text, channel, generation, conversation_id FROM questions WHERE id = ?').get(response.messageId);
    // cleaned by the assistant: trimmed, the bidi override gone
    expect(row).toEqual({ text: 'Làm sao vận hành hầm biogas an toàn?', channel: 'thu', generation: 'used', conversation_id: 'thu-u1' });
  });

  it('refuses an empty or over-long message whatever the channel', async () => {
    await expect(assistant.ask({ message: ' \u202E\u0007 ' })).rejects.toMatchObject({ refusal: 'empty_message' });
    await expect(assistant.ask({ message: 'ủ phân '.repeat(300) })).rejects.toMatchObject({ refusal: 'too_long' });
  });
});
