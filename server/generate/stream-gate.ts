/**
 * Decides which part of a streaming answer may already reach the user. Nothing is sent until the first
 * complete sentence passes the quick check; after that text flows as it comes, except that from anything
 * that could start a tag, a link or a citation (`<`, `[`, `http`, `www.`) text is held until its sentence
 * ends and passes the check. Once a check fails nothing more is sent: the final `done` event then carries
 * the extractive answer.
 */
export interface StreamGate {
  /** adds model text; false once a check failed (the caller stops the model) */
  push(delta: string): Promise<boolean>;
  /** sends what is still held; call only after the final check passed */
  flush(): Promise<void>;
  /** the reason of the failed check, if any */
  readonly problem: string | null;
  /** true once any model text reached the user */
  readonly forwarded: boolean;
  readonly text: string;
}

const SENTENCE_END = /[.!?…:](?=\s)|\n/g;
const RISKY = /[<[]|https?:|www\./i;

function lastSentenceEnd(text: string, from: number): number {
  let end = -1;
  SENTENCE_END.lastIndex = from;
  for (let m = SENTENCE_END.exec(text); m; m = SENTENCE_END.exec(text)) end = m.index + m[0].length;
  return end;
}

export function createStreamGate(check: (prefix: string) => string | null, forward: (delta: string) => Promise<void>): StreamGate {
  let text = '';
  let sent = 0;
  let opened = false;
  let problem: string | null = null;

  const sendUpTo = async (end: number) => {
    if (end <= sent) return;
    const piece = text.slice(sent, end);
    sent = end;
    await forward(piece);
  };

  return {
    get problem() {
      return problem;
    },
    get forwarded() {
      return sent > 0;
    },
    get text() {
      return text;
    },
    async push(delta) {
      if (problem) return false;
      text += delta;
      const end = lastSentenceEnd(text, sent);
      if (end > sent) {
        problem = check(text.slice(0, end));
        if (problem) return false;
        opened = true;
        await sendUpTo(end);
      }
      if (!opened) return true;
      const tail = text.slice(sent);
      const risky = tail.search(RISKY);
      // whole words only: the last one may still grow into "http…" or "www."
      await sendUpTo(sent + (risky >= 0 ? risky : tail.search(/\s\S*$/) + 1));
      return true;
    },
    async flush() {
      if (!problem) await sendUpTo(text.length);
    },
  };
}
