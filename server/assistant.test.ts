import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeOrderedId, type Assistant } from './assistant.ts';
import { startTestAssistant } from './testing.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let assistant: Assistant;
let close: () => void;
beforeAll(async () => ({ assistant, close } = await startTestAssistant()));
afterAll(() => close());

describe('a question asked again', () => {
  it('gets the same answer, and each caller its own copy of it', async () => {
    const question = { message: 'Đệm lót sinh học là gì?', audience: 'citizen' as const };
    const first = await assistant.answer(question);
    expect(first.answered).toBe(true);
    const cited = first.citations.map((c) => c.id);
    // what one caller does with its answer (the generative path reorders, the log reads) never reaches the next
    first.citations.reverse().pop();
    first.suggestions.length = 0;
    const second = await assistant.answer(question);
    expect(second.answer).toBe(first.answer);
    expect(second.citations.map((c) => c.id)).toEqual(cited);
    expect(second.suggestions.length).toBeGreaterThan(0);
  });

  it('is answered for its own audience', async () => {
    const message = 'Khí sinh học được tạo ra như thế nào?';
    const student = await assistant.answer({ message, audience: 'student' });
    const citizen = await assistant.answer({ message, audience: 'citizen' });
    expect(student.suggestions).not.toEqual(citizen.suggestions);
  });
});

describe('message and conversation ids', () => {
  it('are UUIDv7: the time first, so the question log grows at the end of its indexes', async () => {
    expect(timeOrderedId(0x0123456789ab)).toMatch(/^01234567-89ab-7/);
    expect(timeOrderedId()).toMatch(UUID_V7);
    const ids = new Set(Array.from({ length: 1000 }, () => timeOrderedId(1_800_000_000_000)));
    expect(ids.size).toBe(1000);

    const first = await assistant.ask({ message: 'Hầm biogas là gì?' }, { log: false });
    await new Promise((r) => setTimeout(r, 5));
    const second = await assistant.ask({ message: 'Hầm biogas là gì?', conversationId: first.conversationId }, { log: false });
    expect(first.messageId).toMatch(UUID_V7);
    expect(first.conversationId).toMatch(UUID_V7);
    expect(second.conversationId).toBe(first.conversationId);
    expect(second.messageId > first.messageId).toBe(true);
  });
});
