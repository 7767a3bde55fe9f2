import type { Context, MiddlewareHandler } from 'hono';
import { fail } from '../errors.ts';
import { requestHeader } from '../request.ts';

interface NodeBindings {
  outgoing?: { once(event: 'close', listener: () => void): unknown };
}

export interface StreamLimit {
  middleware: MiddlewareHandler;
  /** streams being sent right now */
  active(): number;
}

export interface StreamLimitOptions {
  /** who is asking (the rate-limit key); with it, one client holds at most `perClient` streams */
  key?: (c: Context) => string;
  perClient?: number;
}

/** Streams one client may hold: an eighth of MAX_STREAMS, between 1 and 8 (a family behind one address asks a few at once). */
export const streamsPerClient = (max: number) => Math.max(1, Math.min(8, Math.floor(max / 8)));

/**
 * At most `max` answers stream at once (each may hold an LLM call open for many seconds), and at most
 * `perClient` for one client, so one client cannot take every stream; the next one gets 503 "busy" with
 * Retry-After instead of waiting in a queue the user cannot see.
 */
export function streamLimit(max: number, { key, perClient = streamsPerClient(max) }: StreamLimitOptions = {}): StreamLimit {
  let active = 0;
  const byClient = new Map<string, number>();
  const middleware: MiddlewareHandler = async (c, next) => {
    if (c.req.method !== 'POST' || !(requestHeader(c, 'accept') ?? '').includes('text/event-stream')) return next();
    if (max > 0 && active >= max) return fail(c, 'busy', undefined, { 'Retry-After': '5' });
    const client = key?.(c);
    if (client !== undefined && (byClient.get(client) ?? 0) >= perClient) return fail(c, 'busy', undefined, { 'Retry-After': '5' });
    active++;
    if (client !== undefined) byClient.set(client, (byClient.get(client) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (!released) {
        active--;
        if (client !== undefined) {
          const n = (byClient.get(client) ?? 1) - 1;
          if (n > 0) byClient.set(client, n);
          else byClient.delete(client);
        }
      }
      released = true;
    };
    const outgoing = (c.env as NodeBindings | undefined)?.outgoing;
    // the stream ends when the socket's response closes: finished, or the reader went away
    if (outgoing?.once) outgoing.once('close', release);
    try {
      await next();
    } finally {
      if (!outgoing?.once) release();
    }
  };
  return { middleware, active: () => active };
}
