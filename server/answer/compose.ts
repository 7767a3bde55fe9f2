import type { Chunk } from '../corpus/index.ts';
import type { QueryAnalysis } from '../retrieve/index.ts';
import { analyze, fold, normalize, terms, topicWords } from '../text/index.ts';
import type { Intent } from '../understand/index.ts';

/** Sentences and list items of a chunk, in order. */
export function sentences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\n+/)) {
    const item = line.trim();
    // an image, a raw tag or an outside link in a source is never quoted into an answer
    if (!item || /!\[|<\/?[a-z][^>]*>|https?:\/\//i.test(item)) continue;
    const isList = /^[-*•]\s+|^\d+\.\s+/.test(item);
    const body = item.replace(/^[-*•]\s+/, '');
    if (isList || body.length < 220) {
      out.push(isList ? `- ${body}` : body);
      continue;
    }
    // split long paragraphs at sentence ends: ". " or "; " followed by an upper-case letter
    for (const s of body.split(/(?<=[.!?;])\s+(?=[\p{Lu}"(])/u)) if (s.trim()) out.push(s.trim());
  }
  return out;
}

/**
 * A sentence about the document rather than the subject ("Bài này dành cho…", "Công thức dưới đây lấy từ một
 * trang thương mại"): true of any article, it never answers. Matched on the folded sentence.
 */
const META = [
  /^(bai|huong dan|tai lieu|trang|muc|phan) (nay|duoi day|sau day)\b/,
  /\b(duoi day|sau day) (lay|dua|theo|duoc lay|trich)\b/,
  /\blay tu (mot |cac )?(trang|bai|nguon|tai lieu)\b/,
  /\b(bai|huong dan|tai lieu) (nay )?(chi )?(dung|neu|de) (de )?(minh hoa|tham khao|gioi thieu)/,
  /\bbai nay\b/,
  /\b(huong dan|tai lieu) nay (giai thich|gioi thieu|giup|tom tat|chi)\b/,
];

export function isMetaSentence(s: string): boolean {
  const f = fold(s).replace(/^-\s*/, '');
  return META.some((re) => re.test(f));
}

/**
 * What fills the slot an intent asks for: a duration for "bao lâu", a number with its unit for "bao nhiêu",
 * a price for "hết bao nhiêu tiền", an office or person for "hỏi ai / ở đâu". Matched on the sentence with its
 * marks, lower case (corpus sentences are written with marks: "3 ngăn" is not "3 ngàn").
 */
/** A word boundary for Vietnamese: JavaScript's \\b knows only ASCII letters ("giờ\\b" never matches). */
const B = '(?:(?<![\\p{L}\\p{N}])(?=[\\p{L}\\p{N}])|(?<=[\\p{L}\\p{N}])(?![\\p{L}\\p{N}]))';
const unicodeWords = (re: RegExp) => new RegExp(re.source.replaceAll('\\b', B), 'u');

const SLOT: Partial<Record<Intent, RegExp>> = {
  duration:
    /\d+\s*((–|-|đến|tới)\s*\d+\s*)?(ngày|tuần|tháng|năm|giờ|phút|lứa)\b|\b(hằng|hàng|mỗi) (ngày|tuần|tháng|năm)\b|\bđịnh kỳ\b|\bthời gian cách ly\b|\b(đến|trước) (năm|ngày) \d|\bchậm nhất\b/u,
  // any number, a ratio, or — for "mấy loại / mấy bước" — a count in words
  quantity: /\d|\b(một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười) (loại|nhóm|bước|giai đoạn|cách|ngăn|lớp|bể|phần|nguyên tắc|mục tiêu|nhiệm vụ|tiết)\b|\btỉ lệ\b|\btỷ lệ\b/u,
  cost: /\d[\d.,]*\s*(đồng|nghìn|ngàn|triệu|tỷ|tỉ|vnđ|đ)(?![\p{L}])|\bmiễn phí\b|\bkhông mất tiền\b/u,
  'where-who':
    /\bsở (nông nghiệp|khoa học|giáo dục|tài chính|tài nguyên)|\bubnd\b|\bủy ban\b|\btrung tâm\b|\bkhuyến nông\b|\b(xã|phường)\b|\bcán bộ\b|\bchi cục\b|\btrạm\b|\bcơ quan\b|\bhội nông dân\b|\bhợp tác xã\b|\bcửa hàng\b|\bđại lý\b|\bdoanh nghiệp\b|\bcông ty\b|\bthầy cô\b|\bgiáo viên\b/u,
  // a phone number or an e-mail address: the corpus gives none, so these asks are always answered honestly
  contact: /\b0\d{8,10}\b|@[a-z0-9-]+\./u,
  // the corpus ranks no brand: a "which is best" ask is answered with how to choose, never a name
  brand: /(?!)/u,
};

for (const k of Object.keys(SLOT) as Intent[]) SLOT[k] = unicodeWords(SLOT[k]!);

export function slotOf(intent: Intent): RegExp | null {
  return SLOT[intent] ?? null;
}

/** The sentence as the slot patterns read it: normalized, lower case, padded. */
function slotText(sentence: string): string {
  return ` ${normalize(sentence).toLowerCase()} `;
}

export function fillsSlot(sentence: string, intent: Intent): boolean {
  const re = SLOT[intent];
  return !!re && re.test(slotText(sentence));
}

/** Query words in a sentence, weighted by IDF and by how rare the word is among the chunk's sentences. */
function sentenceScore(words: Set<string>, bigrams: Set<string>, q: QueryAnalysis, idf: (t: string) => number, local: (t: string) => number): number {
  let score = 0;
  for (const t of q.content) if (words.has(t)) score += idf(t) * local(t);
  for (const b of q.bigrams) if (bigrams.has(b)) score += 1.5 * local(b);
  return score;
}

const parsedSentences = new Map<string, { words: Set<string>; bigrams: Set<string> }>();

/** Topic words and word pairs of a corpus sentence, computed once per sentence (bounded); read-only. */
export function sentenceTerms(s: string): { words: Set<string>; bigrams: Set<string> } {
  let parsed = parsedSentences.get(s);
  if (!parsed) {
    const { folded, breaks } = analyze(s);
    parsed = { words: new Set(topicWords(s)), bigrams: new Set(terms(folded, breaks).filter((t) => t.includes('_'))) };
    if (parsedSentences.size >= 20_000) parsedSentences.clear();
    parsedSentences.set(s, parsed);
  }
  return parsed;
}

export interface PickOptions {
  budget?: number;
  /** what the ask wants: a sentence that fills its slot leads */
  intent?: Intent;
}

/** A sentence that fills the asked slot weighs as much as this many strong query words. */
const SLOT_BONUS = 6;
/** A section's first sentence usually states its point. */
const FIRST_SENTENCE_BONUS = 0.8;

/**
 * Picks the sentences of a chunk that answer, keeping their order; short sections are given whole.
 * Never a sentence about the document itself; with an intent, a sentence that fills its slot leads.
 */
export function pickSentences(chunk: Chunk, q: QueryAnalysis, idf: (t: string) => number, { budget = 520, intent }: PickOptions = {}): string[] {
  const all = sentences(chunk.text).filter((s) => !isMetaSentence(s));
  const slot = intent ? slotOf(intent) : null;
  const total = all.reduce((n, s) => n + s.length, 0);
  // a short section (a few items of the plan) is given whole: its heading, not its sentences, matched
  if (!slot && (total <= budget || (all.length <= 3 && total <= budget * 1.5))) return all;
  const parsed = all.map(sentenceTerms);
  const local = (t: string) => {
    const n = parsed.filter((p) => p.words.has(t) || p.bigrams.has(t)).length;
    return Math.log(1 + all.length / Math.max(n, 1));
  };
  const scored = all.map((s, i) => {
    const base = sentenceScore(parsed[i]!.words, parsed[i]!.bigrams, q, idf, local);
    const fills = !!slot && slot.test(slotText(s));
    return {
      s,
      i,
      fills,
      // a catalog entry's first line only names its type
      score: base + (i === 0 && chunk.kind !== 'catalog' ? FIRST_SENTENCE_BONUS : 0) + (fills ? SLOT_BONUS : 0),
    };
  });
  const chosen: typeof scored = [];
  let used = 0;
  for (const cand of [...scored].sort((a, b) => b.score - a.score || a.i - b.i)) {
    if (cand.score <= 0 && chosen.length) break;
    if (used + cand.s.length > budget && chosen.length) continue;
    chosen.push(cand);
    used += cand.s.length;
    if (chosen.length >= 4) break;
  }
  // a list item read alone loses its lead-in: keep the sentence that introduces the list
  const lead = all.findIndex((s) => s.endsWith(':'));
  if (lead >= 0 && chosen.some((c) => c.i > lead && c.s.startsWith('- ')) && !chosen.some((c) => c.i === lead)) chosen.push(scored[lead]!);
  // …and a chosen lead-in ("gồm ba giai đoạn:") brings its short list whole
  if (lead >= 0 && chosen.some((c) => c.i === lead)) {
    let size = chosen.reduce((n, c) => n + c.s.length, 0);
    for (let i = lead + 1; i < all.length && all[i]!.startsWith('- '); i++) {
      if (chosen.some((c) => c.i === i)) continue;
      if (size + all[i]!.length > budget * 1.5) break;
      chosen.push(scored[i]!);
      size += all[i]!.length;
    }
  }
  const ordered = chosen.sort((a, b) => a.i - b.i);
  // the answer's first line is its point: the sentence that fills the asked slot goes first
  const filling = ordered.find((c) => c.fills && !c.s.startsWith('- '));
  if (filling && ordered[0] !== filling) {
    ordered.splice(ordered.indexOf(filling), 1);
    ordered.unshift(filling);
  }
  return ordered.map((c) => c.s);
}

export function overlap(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / Math.max(1, a.size + b.size - shared);
}
