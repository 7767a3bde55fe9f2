/**
 * Decides which part of a streaming answer may already reach the user. Nothing is sent until the first
 * complete sentence passes the quick check; after that text flows as it comes, a few words behind the model
 * (so a run of words copied from the system prompt is caught before it shows), and from anything that could
 * start a tag, a link or a citation (`<`, `[`, `http`, `www.`) text is held until its sentence ends. Every
 * prefix is checked before it is sent. Once a check fails nothing more is sent: the final `done` event then
 * carries the extractive answer.
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

/** Where the last `words` words of a text start (the last one may still be growing). */
function lastWordsStart(text: string, words: number): number {
  if (words <= 0) return text.length;
  const starts = [...text.matchAll(/\S+/g)].map((m) => m.index);
  return starts.length > words ? starts[starts.length - words]! : 0;
}

export function createStreamGate(
  check: (prefix: string) => string | null,
  forward: (delta: string) => Promise<void>,
  { holdWords = 6 }: { holdWords?: number } = {},
): StreamGate {
  let text = '';
  let sent = 0;
  let opened = false;
  let problem: string | null = null;

  const sendUpTo = async (end: number): Promise<boolean> => {
    if (end <= sent) return true;
    // the whole text so far, held words included: a leak is caught before its first words show
    problem = check(text);
    if (problem) return false;
    const piece = text.slice(sent, end);
    sent = end;
    await forward(piece);
    return true;
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
        if (!(await sendUpTo(end))) return false;
        opened = true;
      }
      if (!opened) return true;
      const tail = text.slice(sent);
      const risky = tail.search(RISKY);
      const cut = Math.min(risky >= 0 ? risky : tail.length, lastWordsStart(tail, holdWords));
      return sendUpTo(sent + cut);
    },
    async flush() {
      if (!problem) await sendUpTo(text.length);
    },
  };
}
