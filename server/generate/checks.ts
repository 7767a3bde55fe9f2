import { analyze } from '../text/index.ts';
import { NOT_COVERED, PROMPT_SENTENCES, type Source } from './prompt.ts';

/** Why a model's answer was replaced by the extractive one (written to the question log). */
export type Rejection =
  | 'empty'
  | 'html'
  | 'outside-link'
  | 'prompt-leak'
  | 'invented-citation'
  | 'no-citation'
  | 'model-declined'
  | 'too-long'
  | 'truncated';

export interface CheckContext {
  sources: Source[];
  /** origins a link or image may point to (ALLOWED_ORIGINS) */
  allowedOrigins: string[];
  boundary: string;
}

const CITATION = /\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]/g;

/** Every number cited as [n], [n, m] or [n][m], in order of appearance. */
export function citedNumbers(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(CITATION)) for (const n of m[1]!.split(/[,;]/)) out.push(Number(n.trim()));
  return out;
}

const HTML = /<\/?[a-z][a-z0-9-]*(?:\s[^<>]*)?\/?>|<!--|<![a-z[]/i;
const MARKDOWN_TARGET = /\]\(\s*<?([^)\s>]*)/g;
const AUTOLINK = /<([a-z][a-z0-9+.-]*:[^<>\s]*)>/gi;
const BARE_URL = /\b(?:https?:\/\/|www\.)[^\s<>()[\]"']+/gi;

/** Link and image targets in a text: Markdown `[..](x)` / `![..](x)`, `<scheme:…>` and bare URLs. */
export function linkTargets(text: string): string[] {
  return [
    ...[...text.matchAll(MARKDOWN_TARGET)].map((m) => m[1]!),
    ...[...text.matchAll(AUTOLINK)].map((m) => m[1]!),
    ...[...text.matchAll(BARE_URL)].map((m) => m[0]!.replace(/[.,;:!?]+$/, '')),
  ];
}

function isAllowedTarget(target: string, ctx: CheckContext): boolean {
  // the model may repeat an address written in its sources, and nothing else outside our origins
  if (target && ctx.sources.some((s) => s.chunk.text.includes(target))) return true;
  let url: URL;
  try {
    url = new URL(target.startsWith('www.') ? `https://${target}` : target);
  } catch {
    return false; // relative or malformed: it would resolve against the embedding page
  }
  return (url.protocol === 'https:' || url.protocol === 'http:') && ctx.allowedOrigins.includes(url.origin);
}

/** An answer sharing this many words in a row with the system prompt (and not with its sources) leaks it. */
export const LEAK_WORDS = 7;

function shingles(text: string): string[] {
  const words = analyze(text).folded;
  const out: string[] = [];
  for (let i = 0; i + LEAK_WORDS <= words.length; i++) out.push(words.slice(i, i + LEAK_WORDS).join(' '));
  return out;
}

let promptShingles: Set<string> | undefined;
/** The sentence the model is asked to write when the sources fall short is not a leak. */
function fromPrompt(): Set<string> {
  if (!promptShingles) {
    const allowed = new Set(shingles(NOT_COVERED));
    promptShingles = new Set(PROMPT_SENTENCES.flatMap(shingles).filter((s) => !allowed.has(s)));
  }
  return promptShingles;
}

const SAYS_NOT_COVERED = /chua de cap|khong de cap|chua co thong tin|khong co thong tin|khong biet|khong tim thay/;
/** the quick check looks for a leak only near the end: earlier text was checked already */
const QUICK_LEAK_WINDOW = 600;

export interface Checks {
  /** run while streaming, on each prefix about to be shown: a citation cannot be required yet */
  quick(prefix: string): Rejection | null;
  /** run on the whole answer */
  final(text: string): Rejection | null;
}

/** The checks of one answer, with what they need from its prompt computed once. */
export function createChecks(ctx: CheckContext): Checks {
  const sourceShingles = new Set(ctx.sources.flatMap((s) => shingles(s.chunk.text)));
  const prompt = fromPrompt();
  const leaks = (text: string) =>
    text.includes(ctx.boundary) ||
    /<<<\s*(?:HẾT )?NGUỒN/i.test(text) ||
    shingles(text).some((s) => prompt.has(s) && !sourceShingles.has(s));

  const common = (text: string, leakWindow: string): Rejection | null => {
    if (HTML.test(text)) return 'html';
    if (linkTargets(text).some((t) => !isAllowedTarget(t, ctx))) return 'outside-link';
    if (leaks(leakWindow)) return 'prompt-leak';
    if (citedNumbers(text).some((n) => n < 1 || n > ctx.sources.length)) return 'invented-citation';
    return null;
  };
  return {
    quick: (prefix) => common(prefix, prefix.slice(-QUICK_LEAK_WINDOW)),
    final(text) {
      const problem = common(text, text);
      if (problem) return problem;
      if (!text.trim()) return 'empty';
      if (!citedNumbers(text).length) return SAYS_NOT_COVERED.test(analyze(text).folded.join(' ')) ? 'model-declined' : 'no-citation';
      return null;
    },
  };
}

/**
 * Renumbers citations in order of first appearance, so that [1] is the first citation the user sees. Applied
 * piece by piece while streaming (a piece never splits a citation) and giving the same result as on the whole.
 */
export function createRenumbering() {
  const order: number[] = [];
  const next = (n: number) => {
    if (!order.includes(n)) order.push(n);
    return order.indexOf(n) + 1;
  };
  return {
    /** the source numbers in their new order */
    order,
    apply: (piece: string) =>
      piece.replace(CITATION, (_, list: string) => `[${list.split(/\s*[,;]\s*/).map((n) => next(Number(n))).join(', ')}]`),
  };
}
