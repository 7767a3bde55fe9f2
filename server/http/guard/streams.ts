import type { MiddlewareHandler } from 'hono';
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

/**
 * At most `max` answers stream at once (each may hold an LLM call open for many seconds); the next one
 * gets 503 "busy" with Retry-After instead of waiting in a queue the user cannot see.
 */
export function streamLimit(max: number): StreamLimit {
  let active = 0;
  const middleware: MiddlewareHandler = async (c, next) => {
    if (c.req.method !== 'POST' || !(requestHeader(c, 'accept') ?? '').includes('text/event-stream')) return next();
    if (max > 0 && active >= max) return fail(c, 'busy', undefined, { 'Retry-After': '5' });
    active++;
    let released = false;
    const release = () => {
      if (!released) active--;
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
