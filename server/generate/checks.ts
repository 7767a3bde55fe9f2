import { CURATED_TITLE } from '../corpus/index.ts';
import { personalNumbers } from '../log/redact.ts';
import { analyze, topicWords } from '../text/index.ts';
import { NOT_COVERED, PROMPT_SENTENCES, type Source } from './prompt.ts';

/** Why a model's answer was replaced by the extractive one (written to the question log). */
export type Rejection =
  | 'empty'
  | 'html'
  | 'outside-link'
  | 'prompt-leak'
  | 'invented-citation'
  | 'invented-number'
  | 'unsupported-citation'
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

/** Any tag, closing tag, comment or declaration: "<" followed by a letter, "/", "!" or "?" ("<img/src=x …" too). */
const HTML = /<[\p{L}/!?]/u;
const MARKDOWN_TARGET = /\]\(\s*<?([^)\s>]*)/g;
const AUTOLINK = /<([a-z][a-z0-9+.-]*:[^<>\s]*)>/gi;
/** a scheme with "//", or a scheme that runs code or carries data without it */
const SCHEME_URL = /\b(?:[a-z][a-z0-9+.-]*:\/\/|(?:javascript|data|vbscript|file):)[^\s<>()[\]"']*/gi;
const PROTOCOL_RELATIVE = /(?<![\p{L}\p{N}:/])\/\/[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+[^\s<>()[\]"']*/gu;
/** "hotro-sonla-gov.example/dang-ky", "www.x.vn": a host name a reader could type, scheme or not */
const BARE_DOMAIN = /(?<![\p{L}\p{N}@._%+-])(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+([a-z]{2,24})(?![\p{L}\p{N}-])(?:[/:?#][^\s<>()[\]"']*)?/giu;
/** endings of host names a model might write; two letters are country codes */
const GENERIC_TLDS = new Set(
  'com net org info biz edu gov mil int example test invalid localhost online site app dev xyz top club shop store link click live news blog cloud tech website space asia mobi name pro tel travel'.split(' '),
);

/**
 * What a link check reads: invisible characters removed ("https\u200b://"), backslashes as slashes
 * ("https:\\\\evil"), fullwidth forms made plain.
 */
function linkView(text: string): string {
  return text.normalize('NFKC').replace(/[\p{Cf}\u00AD]/gu, '').replace(/\\/g, '/');
}

/** Link and image targets in a text: Markdown `[..](x)` / `![..](x)`, `<scheme:…>`, URLs and bare host names. */
export function linkTargets(text: string): string[] {
  const view = linkView(text);
  const trim = (t: string) => t.replace(/[.,;:!?]+$/, '');
  const urls = [...view.matchAll(SCHEME_URL)].map((m) => trim(m[0]!));
  const covered = (index: number, length: number) => urls.some((u) => view.indexOf(u) <= index && index + length <= view.indexOf(u) + u.length);
  return [
    ...[...view.matchAll(MARKDOWN_TARGET)].map((m) => m[1]!),
    ...[...view.matchAll(AUTOLINK)].map((m) => m[1]!),
    ...urls,
    ...[...view.matchAll(PROTOCOL_RELATIVE)].map((m) => trim(m[0]!)),
    ...[...view.matchAll(BARE_DOMAIN)]
      .filter((m) => {
        const tld = m[1]!.toLowerCase();
        // "TP.HCM", "v.v": abbreviations, not hosts
        return (tld.length === 2 || GENERIC_TLDS.has(tld)) && m[1] === tld && !covered(m.index, m[0].length);
      })
      .map((m) => trim(m[0]!)),
  ];
}

/** Sources whose text may qualify a link: the corpus, never a curated answer (staff text is not a reference for links). */
const linkSources = (ctx: CheckContext) => ctx.sources.filter((s) => s.chunk.title !== CURATED_TITLE).map((s) => linkView(s.chunk.text));

function isAllowedTarget(target: string, ctx: CheckContext, corpusTexts: string[]): boolean {
  // the model may repeat a whole address written in the corpus, and nothing else outside our origins
  if (target.length >= 8 && /[./]/.test(target) && corpusTexts.some((t) => new RegExp(`(?<![\\w.-])${escapeRegExp(target)}(?![\\w-])`).test(t))) return true;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(target) ? target : `https://${target.replace(/^\/\//, '')}`);
  } catch {
    return false; // malformed: it would resolve against the embedding page
  }
  if (!/^[a-z][a-z0-9+.-]*:/i.test(target) && !/^(?:\/\/)?[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/u.test(target)) return false; // relative
  return (url.protocol === 'https:' || url.protocol === 'http:') && ctx.allowedOrigins.includes(url.origin);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Sentences end at . ! ? … before a space (not inside "TP.HCM" or "12.500"), or at a line break. */
const sentencesOf = (text: string) => text.split(/(?<=[.!?…])\s+|\n+/);
/** A number of two or more digits in a text, separators removed ("12.500", "1,5" → "12500", "15"). */
const NUMBER = /\d(?:[\d.,]*\d)?/g;
const numbersOf = (text: string) => [...linkView(text).replace(CITATION, ' ').matchAll(NUMBER)].map((m) => m[0]!.replace(/[.,]/g, '')).filter((n) => n.length >= 2);

/**
 * Each sentence that cites must be about what it cites: a share of its topic words, and every number in it,
 * found in the cited sources. A claim pinned on the wrong source, or a figure no source gives, fails.
 */
const SUPPORT_SHARE = 0.4;

/** What a sentence citing a source may draw on: the source's topic words and its digits. */
interface SourceFacts {
  words: Set<string>;
  digits: string;
}

function sourceFacts(ctx: CheckContext): SourceFacts[] {
  return ctx.sources.map(({ chunk: c }) => ({
    words: new Set(topicWords(`${c.title} ${c.section}`).concat(...c.text.split(/(?<=[.!?…\n])/).map((s) => topicWords(s)))),
    digits: linkView(c.text).replace(/(?<=\d)[.,\s](?=\d)/g, ''),
  }));
}

function unsupportedSentence(text: string, facts: SourceFacts[]): boolean {
  for (const sentence of sentencesOf(text)) {
    const cited = citedNumbers(sentence).filter((n) => n >= 1 && n <= facts.length);
    if (!cited.length) continue;
    const sources = cited.map((n) => facts[n - 1]!);
    const words = [...new Set(topicWords(sentence.replace(CITATION, ' ')))].filter((w) => !/^\d+$/.test(w));
    if (words.length) {
      const shared = words.filter((w) => sources.some((s) => s.words.has(w))).length;
      if (shared < Math.min(2, words.length) || shared / words.length < SUPPORT_SHARE) return true;
    }
    if (numbersOf(sentence).some((n) => !sources.some((s) => s.digits.includes(n)))) return true;
  }
  return false;
}

/** Where the last finished sentence of a text ends (its citations included). */
function finishedUpTo(text: string): number {
  let end = 0;
  for (const m of text.matchAll(/[.!?…]+(?=\s)(?:\s*\[[\d,;\s]+\])*|\n/g)) end = m.index + m[0].length;
  return end;
}

/** A phone, account or ID number the sources do not give was invented (or planted): never shown. */
function inventedNumber(text: string, known: ReadonlySet<string>): boolean {
  return personalNumbers(text).some((n) => !known.has(n));
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

  const corpusTexts = linkSources(ctx);
  const facts = sourceFacts(ctx);
  const knownNumbers = new Set(ctx.sources.filter((s) => s.chunk.title !== CURATED_TITLE).flatMap((s) => personalNumbers(s.chunk.text)));
  const common = (text: string, leakWindow: string, sentences: string): Rejection | null => {
    if (leaks(leakWindow)) return 'prompt-leak';
    if (HTML.test(linkView(text))) return 'html';
    if (linkTargets(text).some((t) => !isAllowedTarget(t, ctx, corpusTexts))) return 'outside-link';
    if (citedNumbers(text).some((n) => n < 1 || n > ctx.sources.length)) return 'invented-citation';
    if (inventedNumber(text, knownNumbers)) return 'invented-number';
    if (unsupportedSentence(sentences, facts)) return 'unsupported-citation';
    return null;
  };
  return {
    // while streaming, only finished sentences are judged for support: the rest of one may still come
    quick: (prefix) => common(prefix, prefix.slice(-QUICK_LEAK_WINDOW), prefix.slice(0, finishedUpTo(prefix))),
    final(text) {
      const problem = common(text, text, text);
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
