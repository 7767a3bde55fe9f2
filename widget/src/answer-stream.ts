import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** A citation as `POST /api/chat` sends it (shared/CONTRACT.md). */
export interface Citation {
  id: string;
  docId: string;
  kind: string;
  title: string;
  section: string;
  url?: string;
  snippet: string;
}

/** The final `done` event of `POST /api/chat`. */
export interface ChatResponse {
  conversationId: string;
  messageId: string;
  answered: boolean;
  answer: string;
  citations: Citation[];
  suggestions: string[];
  mode: string;
  /** answered, but below the answers' confidence threshold: it may not fit the question */
  uncertain?: boolean;
  /** a clarifying question back: `answer` asks, `suggestions` are the choices */
  clarify?: boolean;
}

export type FailureKind = 'offline' | 'network' | 'interrupted' | 'rate' | 'server';

export interface Failure {
  kind: FailureKind;
  /** the server's own Vietnamese message, when it sent one */
  message?: string;
  /** for `rate`: when asking again is allowed (ms since epoch) */
  retryAt?: number;
}

export type StreamOutcome =
  | { kind: 'done'; response: ChatResponse }
  | { kind: 'stopped'; text: string }
  | { kind: 'failed'; failure: Failure; text: string };

/** Seconds from a Retry-After header (seconds or an HTTP date); 30 when absent or unreadable. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number {
  if (!header) return 30;
  const s = Number(header);
  if (Number.isFinite(s)) return Math.max(1, Math.ceil(s));
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(1, Math.ceil((at - now) / 1000)) : 30;
}

/** Yields `{event, data}` for each Server-Sent Event in a byte stream. */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        const [, field, value = ''] = /^([^:]*):? ?(.*)$/.exec(line) ?? [];
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length) yield { event, data: data.join('\n') };
    }
  }
}

async function errorMessage(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.json()) as { error?: { message?: unknown } };
    return typeof body.error?.message === 'string' ? body.error.message : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One streamed question at a time: POSTs with `Accept: text/event-stream` (EventSource cannot POST), reads
 * `delta` events into `text`, resolves with the `done` answer, and notices when the answer is slow.
 */
export class AnswerStream implements ReactiveController {
  busy = false;
  text = '';
  slow = false;
  /** quiet time after which the user is told the answer is slow */
  slowAfterMs = 8000;
  #abort: AbortController | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostDisconnected() {
    this.stop();
  }

  /** the answer is still coming: restart the "slow" clock */
  #progress() {
    clearTimeout(this.#timer);
    this.slow = false;
    this.#timer = setTimeout(() => {
      this.slow = true;
      this.host.requestUpdate();
    }, this.slowAfterMs);
    this.host.requestUpdate();
  }

  stop() {
    this.#abort?.abort();
  }

  async ask(url: string, body: object): Promise<StreamOutcome> {
    const abort = (this.#abort = new AbortController());
    this.busy = true;
    this.text = '';
    this.#progress();
    const failed = (failure: Failure): StreamOutcome =>
      abort.signal.aborted ? { kind: 'stopped', text: this.text } : { kind: 'failed', failure, text: this.text };
    try {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
          body: JSON.stringify(body),
          signal: abort.signal,
          credentials: 'omit',
        });
      } catch {
        return failed({ kind: navigator.onLine === false ? 'offline' : 'network' });
      }
      if (response.status === 429) {
        const wait = retryAfterSeconds(response.headers.get('Retry-After'));
        return failed({ kind: 'rate', message: await errorMessage(response), retryAt: Date.now() + wait * 1000 });
      }
      if (!response.ok || !response.body) return failed({ kind: 'server', message: await errorMessage(response) });
      if ((response.headers.get('Content-Type') ?? '').includes('application/json'))
        return { kind: 'done', response: (await response.json()) as ChatResponse };
      try {
        for await (const { event, data } of readEvents(response.body)) {
          if (event === 'delta') {
            this.text += (JSON.parse(data) as { text: string }).text;
            this.#progress();
          } else if (event === 'done') {
            return { kind: 'done', response: JSON.parse(data) as ChatResponse };
          } else if (event === 'error') {
            const message = (JSON.parse(data) as { error?: { message?: string } }).error?.message;
            return failed({ kind: 'server', message });
          }
        }
      } catch {
        // a dropped connection surfaces here as a TypeError from the reader
      }
      return failed({ kind: navigator.onLine === false ? 'offline' : 'interrupted' });
    } finally {
      clearTimeout(this.#timer);
      if (this.#abort === abort) this.#abort = null;
      this.busy = false;
      this.slow = false;
      this.host.requestUpdate();
    }
  }
}
