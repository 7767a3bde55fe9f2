import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { cleanRequest, cleanText, type Assistant } from '../assistant.ts';
import { ChatRequestSchema, FeedbackRequestSchema, type ChatResponse } from '../contract.ts';
import { recordFeedback } from '../log/index.ts';
import { onClientGone, readJson, requestHeader } from './request.ts';
import { errorBody, fail } from './errors.ts';

export interface ApiOptions {
  /** the rate-limit key of the client (IPv4 address, IPv6 /64): model slots are shared per client */
  clientKey?: (c: Context) => string;
}

/** `POST /api/chat` and `POST /api/feedback`: the web channel of the one assistant. */
export function apiRoutes(assistant: Assistant, options: ApiOptions = {}) {
  const api = new Hono();

  const chat = async (...args: Parameters<Assistant['ask']>): Promise<ChatResponse> => {
    const { confidence: _confidence, reason: _reason, ...response } = await assistant.ask(...args);
    return response;
  };

  api.post('/chat', async (c) => {
    const body = await readJson(c, ChatRequestSchema);
    if (!body.ok) return body.response;
    const cleaned = cleanRequest({ ...body.value, ...(options.clientKey ? { client: options.clientKey(c) } : {}) });
    if (!cleaned.ok) return fail(c, cleaned.refusal);
    const req = cleaned.request;
    const controller = new AbortController();
    // a client that hangs up stops the work done for it (the language model's request above all)
    onClientGone(c, () => controller.abort());
    if (!(requestHeader(c, 'accept') ?? '').includes('text/event-stream')) {
      return c.json(await chat(req, { signal: controller.signal }));
    }
    const response = streamSSE(c, async (stream) => {
      stream.onAbort(() => controller.abort());
      let id = 0;
      const result = await chat(req, {
        signal: controller.signal,
        stream: async (delta) => {
          if (!controller.signal.aborted) await stream.writeSSE({ event: 'delta', data: JSON.stringify({ text: delta }), id: String(++id) });
        },
      });
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
    const body = await readJson(c, FeedbackRequestSchema);
    if (!body.ok) return body.response;
    const comment = body.value.comment ? cleanText(body.value.comment) : undefined;
    if (!(await recordFeedback(assistant.state, body.value.messageId, body.value.helpful, comment))) return fail(c, 'unknown_message');
    return c.body(null, 204);
  });

  return api;
}
