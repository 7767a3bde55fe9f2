import type { Context } from 'hono';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { fail } from './errors.ts';

export const MAX_BODY_BYTES = 16 * 1024;

/** What @hono/node-server hands a handler besides the web Request: the Node request and response themselves. */
interface NodeBindings {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
}

function nodeOf(c: Context): NodeBindings {
  return (c.env as NodeBindings | undefined) ?? {};
}

/**
 * A request header. Read from Node's own parsed headers when there are any: the web Headers object that
 * `c.req.header()` builds on first use costs more than a cached answer does.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const { incoming } = nodeOf(c);
  if (!incoming?.headers) return c.req.header(name);
  const value = incoming.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Content-Type says JSON: application/json, or a +json type (application/merge-patch+json …). */
export const isJsonRequest = (c: Context) => /^application\/(?:[\w.+-]+\+)?json\b/i.test(requestHeader(c, 'content-type') ?? '');

/** The body as text, or null past `max` bytes (told by Content-Length, or counted while reading). */
function readIncoming(incoming: IncomingMessage, max: number): Promise<string | null> {
  if (Number(incoming.headers['content-length'] ?? 0) > max) return Promise.resolve(null);
  if (incoming.destroyed) return Promise.reject(new Error('request closed before its body was read'));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (part: Buffer) => {
      size += part.length;
      if (size > max) {
        incoming.off('data', onData);
        // the rest is not read here: @hono/node-server drains it once the 413 is sent, keeping the connection
        incoming.pause();
        resolve(null);
      } else parts.push(part);
    };
    incoming.on('data', onData);
    // TextDecoder drops a leading BOM, as reading a web Request does
    incoming.once('end', () => resolve(new TextDecoder().decode(Buffer.concat(parts))));
    incoming.once('error', reject);
    // a client gone mid-body: settles (a no-op after 'end' or the limit)
    incoming.once('close', () => reject(new Error('request closed before its body was read')));
  });
}

/**
 * The request body as text, at most `max` bytes. Read straight from Node's request when there is one: having
 * @hono/node-server build a web Request with a body stream costs more than answering a question already asked.
 * Without Node bindings (`app.request` in a script) the web Request is read instead.
 */
async function bodyText(c: Context, max: number): Promise<string | null> {
  const { incoming } = nodeOf(c);
  if (incoming && !incoming.readableEnded && !incoming.readableDidRead) return readIncoming(incoming, max);
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  return bytes.byteLength > max ? null : new TextDecoder().decode(bytes);
}

type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response };

/** A JSON body (≤ `max` bytes) checked against `schema`, or the Vietnamese JSON error to send instead. */
export async function readJson<T>(c: Context, schema: z.ZodType<T>, max = MAX_BODY_BYTES): Promise<Parsed<T>> {
  if (!isJsonRequest(c)) return { ok: false, response: fail(c, 'not_json') };
  const text = await bodyText(c, max).catch(() => '');
  if (text === null) return { ok: false, response: fail(c, 'body_too_large') };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, response: fail(c, 'bad_json') };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join('.') || 'nội dung';
    return { ok: false, response: fail(c, 'invalid', `Yêu cầu không hợp lệ: trường "${field}" sai kiểu hoặc thiếu.`) };
  }
  return { ok: true, value: parsed.data };
}

/** Calls `gone` when the client hangs up before the response is complete (once, at most). */
export function onClientGone(c: Context, gone: () => void): void {
  const { outgoing } = nodeOf(c);
  if (outgoing?.destroyed) {
    if (!outgoing.writableFinished) gone();
  } else if (outgoing) outgoing.once('close', () => (outgoing.writableFinished ? undefined : gone()));
  else c.req.raw.signal.addEventListener('abort', gone, { once: true });
}
