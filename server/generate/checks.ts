import { analyze } from '../text/index.ts';
import { NOT_COVERED, RULES, type Source } from './prompt.ts';

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

const LEAK_WORDS = 7;
const leakShingles = new Map<string, Set<string>>();

function shingles(words: string[], n = LEAK_WORDS): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= words.length; i++) out.push(words.slice(i, i + n).join(' '));
  return out;
}

/** Runs of words from the rules; the sentence the model is asked to write is not a leak. */
function ruleShingles(): Set<string> {
  const key = 'rules';
  let set = leakShingles.get(key);
  if (!set) {
    const allowed = new Set(shingles(analyze(NOT_COVERED).folded));
    set = new Set(RULES.flatMap((r) => shingles(analyze(r).folded)).filter((s) => !allowed.has(s)));
    leakShingles.set(key, set);
  }
  return set;
}

function leaksPrompt(text: string, ctx: CheckContext): boolean {
  if (text.includes(ctx.boundary) || /<<<\s*(?:HẾT )?NGUỒN/i.test(text)) return true;
  const rules = ruleShingles();
  const fromSources = new Set(ctx.sources.flatMap((s) => shingles(analyze(s.chunk.text).folded)));
  return shingles(analyze(text).folded).some((s) => rules.has(s) && !fromSources.has(s));
}

const SAYS_NOT_COVERED = /chua de cap|khong de cap|chua co thong tin|khong co thong tin|khong biet|khong tim thay/;

/**
 * What is wrong with (a prefix of) a model's answer, or null. `final: false` is the quick check run on each
 * complete sentence while streaming: it cannot yet require a citation.
 */
export function findProblem(text: string, ctx: CheckContext, { final }: { final: boolean }): Rejection | null {
  if (HTML.test(text)) return 'html';
  if (linkTargets(text).some((t) => !isAllowedTarget(t, ctx))) return 'outside-link';
  if (leaksPrompt(text, ctx)) return 'prompt-leak';
  const cited = citedNumbers(text);
  if (cited.some((n) => n < 1 || n > ctx.sources.length)) return 'invented-citation';
  if (!final) return null;
  if (!text.trim()) return 'empty';
  if (!cited.length) return SAYS_NOT_COVERED.test(analyze(text).folded.join(' ')) ? 'model-declined' : 'no-citation';
  return null;
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
