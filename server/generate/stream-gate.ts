/**
 * Decides which part of a streaming answer may already reach the user. Text is sent a sentence at a time, and
 * only up to the end of the last finished sentence that cites a source: an uncited sentence waits for the next
 * cited one (or for the final check), so a claim, a number or a link nobody vouches for is never shown and then
 * taken back. Every prefix is checked, held text included, before anything is sent; once a check fails nothing
 * more is sent, and the final `done` event carries the extractive answer.
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
const CITES = /\[\d{1,3}(?:\s*[,;]\s*\d{1,3})*\]/;

/** The end of the last finished sentence after `from` that cites a source; -1 if none. */
function lastCitedSentenceEnd(text: string, from: number): number {
  let end = -1;
  let start = from;
  SENTENCE_END.lastIndex = from;
  for (let m = SENTENCE_END.exec(text); m; m = SENTENCE_END.exec(text)) {
    const at = m.index + m[0].length;
    if (CITES.test(text.slice(start, at))) end = at;
    start = at;
  }
  return end;
}

export function createStreamGate(check: (prefix: string) => string | null, forward: (delta: string) => Promise<void>): StreamGate {
  let text = '';
  let sent = 0;
  let problem: string | null = null;

  const sendUpTo = async (end: number): Promise<boolean> => {
    if (end <= sent) return true;
    // the whole text so far, held sentences included: a leak is caught before its first words show
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
      const end = lastCitedSentenceEnd(text, sent);
      if (end > sent) return sendUpTo(end);
      // an uncited sentence just ended: checked now, so a tag or a leak stops the model without waiting
      SENTENCE_END.lastIndex = Math.max(sent, text.length - delta.length - 1);
      if (SENTENCE_END.test(text)) problem = check(text);
      return !problem;
    },
    async flush() {
      if (!problem) await sendUpTo(text.length);
    },
  };
}
