import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { Assistant, ChatResponse } from '../assistant.ts';
import { recordFeedback } from '../log/index.ts';
import { onClientGone, readJson, requestHeader } from './request.ts';
import { errorBody, fail } from './errors.ts';

export const MAX_MESSAGE_CHARS = 1500;

/** Control characters, bidi overrides and lone surrogates never reach the pipeline or the log. */
export function cleanText(s: string): string {
  return s
    .toWellFormed()
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069\uFEFF]/g, '')
    .trim();
}

const ChatBody = z.object({
  message: z.string(),
  // only an id this server issued (a UUID): anything else would be stored as sent, a phone number included
  conversationId: z
    .string()
    .regex(/^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$/i)
    .optional()
    .nullable(),
  audience: z.enum(['citizen', 'student']).optional().nullable(),
  site: z.string().max(200).optional().nullable(),
});

const FeedbackBody = z.object({
  messageId: z.string().min(1).max(100),
  helpful: z.boolean(),
  comment: z.string().max(2000).optional().nullable(),
});

/** Splits an answer into pieces for streaming, at word boundaries. */
function pieces(text: string, size = 24): string[] {
  const out: string[] = [];
  const words = text.split(/(?<=\s)/);
  for (let i = 0; i < words.length; i += size) out.push(words.slice(i, i + size).join(''));
  return out;
}

export interface ApiOptions {
  /** the rate-limit key of the client (IPv4 address, IPv6 /64): model slots are shared per client */
  clientKey?: (c: Context) => string;
  /** how the chat answer is produced; defaults to the assistant's extractive answer */
  chat?: (req: Parameters<Assistant['ask']>[0], stream: ((delta: string) => Promise<void>) | null, signal: AbortSignal) => Promise<ChatResponse>;
}

export function apiRoutes(assistant: Assistant, options: ApiOptions = {}) {
  const api = new Hono();

  const chat =
    options.chat ??
    (async (req, stream) => {
      const { confidence: _confidence, ...response } = await assistant.ask(req);
      if (stream) for (const p of pieces(response.answer)) await stream(p);
      return response;
    });

  api.post('/chat', async (c) => {
    const body = await readJson(c, ChatBody);
    if (!body.ok) return body.response;
    const message = cleanText(body.value.message);
    if (!message) return fail(c, 'empty_message');
    if ([...message].length > MAX_MESSAGE_CHARS) return fail(c, 'too_long');
    const req = {
      message,
      conversationId: body.value.conversationId || undefined,
      audience: body.value.audience ?? 'citizen',
      site: body.value.site ? cleanText(body.value.site) : undefined,
      ...(options.clientKey ? { client: options.clientKey(c) } : {}),
    };
    const controller = new AbortController();
    // a client that hangs up stops the work done for it (the language model's request above all)
    onClientGone(c, () => controller.abort());
    if (!(requestHeader(c, 'accept') ?? '').includes('text/event-stream')) {
      return c.json(await chat(req, null, controller.signal));
    }
    const response = streamSSE(c, async (stream) => {
      stream.onAbort(() => controller.abort());
      let id = 0;
      const result = await chat(
        req,
        async (delta) => {
          if (!controller.signal.aborted) await stream.writeSSE({ event: 'delta', data: JSON.stringify({ text: delta }), id: String(++id) });
        },
        controller.signal,
      );
      if (!controller.signal.aborted) await stream.writeSSE({ event: 'done', data: JSON.stringify(result), id: String(++id) });
    }, async (err, stream) => {
      // the widget shows its friendly error on this event, instead of waiting for a `done` that never comes
      console.error(err);
      await stream.writeSSE({ event: 'error', data: JSON.stringify(errorBody('internal')) });
    });
    // say the charset: a client that guesses reads Vietnamese as Latin-1
    response.headers.set('content-type', 'text/event-stream; charset=utf-8');
    return response;
  });

  api.post('/feedback', async (c) => {
    const body = await readJson(c, FeedbackBody);
    if (!body.ok) return body.response;
    const comment = body.value.comment ? cleanText(body.value.comment) : undefined;
    if (!recordFeedback(assistant.db, body.value.messageId, body.value.helpful, comment)) return fail(c, 'unknown_message');
    return c.body(null, 204);
  });

  return api;
}
