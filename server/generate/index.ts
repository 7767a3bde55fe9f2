import OpenAI, { APIConnectionError, APIError } from 'openai';
import { citationOf, type Answer } from '../answer/index.ts';
import type { Assistant } from '../assistant.ts';
import type { Audience, ChatRequest } from '../contract.ts';
import type { Chunk } from '../corpus/index.ts';
import { streamPieces } from '../format/index.ts';
import { redact } from '../log/index.ts';
import { createAvailability } from './availability.ts';
import { createChecks, createRenumbering, type Rejection } from './checks.ts';
import { buildPrompt, type Source } from './prompt.ts';
import { createStreamGate, type StreamGate } from './stream-gate.ts';

export interface LlmConfig {
  baseURL: string;
  apiKey: string;
  model: string;
  /** model calls at once; over it the extractive answer is given */
  maxConcurrent?: number;
}

export interface GeneratorOptions {
  llm: LlmConfig;
  /** origins a link or image in an answer may point to */
  allowedOrigins: string[];
  firstTokenMs?: number;
  totalMs?: number;
  cooldownMs?: number;
}

/**
 * What happened to the model's answer, written to the question log: `used`; `replaced:<check>` (the
 * extractive answer was given instead); `unavailable:<failure>`; `skipped:cooldown|busy`; `client-gone`.
 */
export type Generation = 'used' | `replaced:${Rejection}` | `unavailable:${string}` | 'skipped:cooldown' | 'skipped:busy' | 'client-gone';

export type Composed = Answer & { generation?: Generation };

type Stream = ((delta: string) => Promise<void>) | null;

export interface Generator {
  /** turns the extractive answer into the final one, streaming what passes the checks */
  compose(extractive: Answer, req: Pick<ChatRequest, 'message' | 'audience'> & { client?: string }, stream: Stream, signal: AbortSignal): Promise<Composed>;
  /** fields of `/healthz` */
  health(): Record<string, unknown>;
}

export const FIRST_TOKEN_MS = 8_000;
export const TOTAL_MS = 30_000;
/** our single retry is only worth it while the citizen has not waited long */
const RETRY_WITHIN_MS = 2_500;
const MAX_SOURCES = 5;
/** hits beyond the extractive answer's citations join the sources above this coverage */
const SOURCE_COVERAGE = 0.5;
const MAX_ANSWER_CHARS = 4_000;

/** The chunks the model may use: the extractive answer's citations first, then the other good hits. */
export function pickSources(extractive: Answer, chunkById: (id: string) => Chunk | null): Source[] {
  const chunks: Chunk[] = [];
  const add = (c: Chunk | null | undefined) => {
    if (c && chunks.length < MAX_SOURCES && !chunks.some((x) => x.id === c.id)) chunks.push(c);
  };
  for (const c of extractive.citations) add(extractive.hits.find((h) => h.chunk.id === c.id)?.chunk ?? chunkById(c.id));
  for (const h of extractive.hits) if (h.coverage >= SOURCE_COVERAGE) add(h.chunk);
  return chunks.map((chunk, i) => ({ n: i + 1, chunk }));
}

type Attempt =
  | { kind: 'answered'; finish: string | null }
  | { kind: 'stopped'; why: 'check' | 'too-long' | 'client-gone' }
  | { kind: 'failed'; failure: string; retryable: boolean };

function describeFailure(e: unknown): { failure: string; retryable: boolean } {
  if (e instanceof APIConnectionError) return { failure: 'connection', retryable: true };
  if (e instanceof APIError && typeof e.status === 'number')
    return { failure: `http-${e.status}`, retryable: e.status >= 500 || e.status === 429 };
  // the connection broke in the middle of the stream
  return { failure: 'stream-broken', retryable: true };
}

export function createGenerator(assistant: Pick<Assistant, 'db' | 'retriever'>, options: GeneratorOptions): Generator {
  const { llm, allowedOrigins, firstTokenMs = FIRST_TOKEN_MS, totalMs = TOTAL_MS } = options;
  const client = new OpenAI({ baseURL: llm.baseURL, apiKey: llm.apiKey, maxRetries: 0, timeout: totalMs });
  const availability = createAvailability({ maxConcurrent: llm.maxConcurrent ?? 4, cooldownMs: options.cooldownMs });
  // some hosted models accept only their default temperature; learnt from the first refusal
  let sendTemperature = true;

  async function attempt(messages: ReturnType<typeof buildPrompt>['messages'], gate: StreamGate, signal: AbortSignal, started: number): Promise<Attempt> {
    const controller = new AbortController();
    let why: 'check' | 'too-long' | 'client-gone' | 'timeout-first-token' | 'timeout-total' | null = null;
    const stop = (reason: NonNullable<typeof why>) => {
      why ??= reason;
      controller.abort();
    };
    const onClientGone = () => stop('client-gone');
    signal.addEventListener('abort', onClientGone);
    if (signal.aborted) stop('client-gone');
    const firstToken = setTimeout(() => stop('timeout-first-token'), Math.max(0, started + firstTokenMs - Date.now()));
    const total = setTimeout(() => stop('timeout-total'), Math.max(0, started + totalMs - Date.now()));
    let finish: string | null = null;
    try {
      const stream = await client.chat.completions.create(
        { model: llm.model, messages, stream: true, ...(sendTemperature ? { temperature: 0.2 } : {}) },
        { signal: controller.signal },
      );
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        if (choice?.finish_reason) finish = choice.finish_reason;
        const delta = choice?.delta?.content ?? '';
        if (!delta) continue;
        clearTimeout(firstToken);
        if (gate.text.length + delta.length > MAX_ANSWER_CHARS) {
          stop('too-long');
          break;
        }
        if (!(await gate.push(delta))) {
          stop('check');
          break;
        }
        if (why) break;
      }
    } catch (e) {
      if (!why) {
        if (e instanceof APIError && e.status === 400 && sendTemperature && /temperature/i.test(e.message)) {
          sendTemperature = false;
          return { kind: 'failed', failure: 'http-400', retryable: true };
        }
        return { kind: 'failed', ...describeFailure(e), ...(gate.text ? { retryable: false } : {}) };
      }
    } finally {
      clearTimeout(firstToken);
      clearTimeout(total);
      signal.removeEventListener('abort', onClientGone);
    }
    if (why === 'timeout-first-token' || why === 'timeout-total') return { kind: 'failed', failure: why, retryable: false };
    if (why) return { kind: 'stopped', why };
    return { kind: 'answered', finish };
  }

  /** Asks the model: its checked answer, or why the extractive answer stands (and whether text was shown). */
  async function generate(
    extractive: Answer,
    req: Pick<ChatRequest, 'message' | 'audience'>,
    stream: Stream,
    signal: AbortSignal,
  ): Promise<{ answer: Composed } | { generation: Generation; shown: boolean }> {
    const audience: Audience = req.audience ?? 'citizen';
    const sources = pickSources(extractive, (id) => assistant.retriever.chunkById(id));
    // phone numbers, e-mails and ID numbers never help answer, and must not leave for a hosted model
    const prompt = buildPrompt(redact(req.message), sources, audience);
    const checks = createChecks({ sources, allowedOrigins, boundary: prompt.boundary });
    const renumbering = createRenumbering();
    let shown = '';
    const gate = createStreamGate(checks.quick, async (piece) => {
      const text = renumbering.apply(piece);
      shown += text;
      if (stream && !signal.aborted) await stream(text);
    });
    const instead = (generation: Generation) => ({ generation, shown: gate.forwarded });

    const started = Date.now();
    let result = await attempt(prompt.messages, gate, signal, started);
    if (result.kind === 'failed' && result.retryable && Date.now() - started < RETRY_WITHIN_MS && !signal.aborted) {
      await new Promise((r) => setTimeout(r, 200));
      result = await attempt(prompt.messages, gate, signal, started);
    }
    if (result.kind === 'failed') {
      availability.failed();
      if (availability.coolingDown()) console.warn(`Mô hình ngôn ngữ không phản hồi (${result.failure}): tạm dùng câu trả lời trích dẫn.`);
      return instead(`unavailable:${result.failure}`);
    }
    if (result.kind === 'stopped' && result.why === 'client-gone') return instead('client-gone');
    availability.succeeded();
    if (result.kind === 'stopped') return instead(`replaced:${result.why === 'check' ? (gate.problem as Rejection) : 'too-long'}`);
    if (result.finish === 'length') return instead('replaced:truncated');
    const problem = checks.final(gate.text);
    if (problem) return instead(`replaced:${problem}`);

    await gate.flush();
    return {
      answer: {
        ...extractive,
        answer: shown.trim(),
        citations: renumbering.order.map((n) => citationOf(sources[n - 1]!.chunk)),
        mode: 'generative',
        generation: 'used',
      },
    };
  }

  const compose: Generator['compose'] = async (extractive, req, stream, signal) => {
    // the decision to decline stays with retrieval: the model never answers what retrieval turned down
    if (!extractive.answered) return extractive;
    let outcome: Awaited<ReturnType<typeof generate>>;
    if (availability.coolingDown()) outcome = { generation: 'skipped:cooldown', shown: false };
    else if (!availability.acquire(req.client)) outcome = { generation: 'skipped:busy', shown: false };
    else
      try {
        outcome = await generate(extractive, req, stream, signal);
      } finally {
        availability.release(req.client);
      }
    if ('answer' in outcome) return outcome.answer;
    // nothing of the model's shown yet: the extractive answer streams as it would without a model
    if (stream && !outcome.shown && !signal.aborted) for (const p of streamPieces(extractive.answer)) await stream(p);
    return { ...extractive, generation: outcome.generation };
  };

  return {
    compose,
    health: () => (availability.coolingDown() ? { status: 'degraded', llm: 'unavailable' } : { llm: 'ok' }),
  };
}
