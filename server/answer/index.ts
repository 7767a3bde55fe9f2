import type { Chunk } from '../corpus/index.ts';
import type { Hit, QueryAnalysis, Retrieval, Retriever } from '../retrieve/index.ts';
import { analyze, fold, terms, topicWords } from '../text/index.ts';
import type { Audience, Citation } from '../contract.ts';
import { STARTERS } from '../starters.ts';

export type { Audience, Citation } from '../contract.ts';
export { STARTERS } from '../starters.ts';

export interface Answer {
  answered: boolean;
  answer: string;
  citations: Citation[];
  suggestions: string[];
  mode: 'extractive' | 'generative';
  /** 0..1, logged for staff review */
  confidence: number;
  /** why it was declined, for the log */
  reason?: 'empty' | 'unsafe' | 'out-of-scope';
  /** the chunks the answer was built from (for the generative path and the log) */
  hits: Hit[];
}

/** At this coverage of the question's topic words (and pairs), a chunk supports an answer. */
export const SUPPORTED_AT = 0.42;
/** …or at this lower coverage, when what it shares with the question is a term of the domain. */
export const SUPPORTED_WITH_DOMAIN_TERM_AT = 0.27;

/** how many of the best hits may support an answer or join it as a second source */
const SUPPORT_DEPTH = 5;

function supports(h: Hit): boolean {
  if (h.offTopic) return false;
  return h.coverage >= SUPPORTED_AT || (h.domain && h.coverage >= SUPPORTED_WITH_DOMAIN_TERM_AT);
}
/** A FAQ question covering the question this well is answered as written. */
const FAQ_MATCH = 0.8;
const FAQ_PAIR_WEIGHT = 0.3;

const UNSAFE = [
  /bỏ qua (mọi |tất cả |các )?(hướng dẫn|chỉ dẫn|lệnh)/,
  /ignore (all |any |the )?(previous|prior|above)/,
  /system prompt|prompt hệ thống|jailbreak/,
  /mật khẩu|password|api[ _-]?key/,
  /mã độc|malware|virus máy tính|hack/,
  /(chế tạo|làm|tạo ra) (khí độc|bom|chất nổ|thuốc nổ)|đầu độc|giết người|hại người|gây hại cho người/,
  /tự tử|tự sát/,
];

/** the same patterns without diacritics, for questions typed without them */
const UNSAFE_FOLDED = UNSAFE.map((re) => new RegExp(fold(re.source)));

export function isUnsafe(question: string): boolean {
  const q = question.normalize('NFC').toLowerCase();
  const f = fold(q);
  return UNSAFE.some((re, i) => re.test(q) || re.test(f) || UNSAFE_FOLDED[i]!.test(f));
}

const DECLINE_TEXT: Record<NonNullable<Answer['reason']>, string> = {
  empty: 'Bạn hãy nhập câu hỏi về công nghệ sinh học trong bảo vệ môi trường, ví dụ một trong các gợi ý dưới đây.',
  unsafe:
    'Xin lỗi, tôi không thể giúp yêu cầu này. Tôi chỉ trả lời các câu hỏi về công nghệ sinh học trong bảo vệ môi trường và Kế hoạch của tỉnh Sơn La.',
  'out-of-scope':
    'Xin lỗi, hiện tôi chưa có thông tin để trả lời câu hỏi này. Câu hỏi đã được chuyển tới cán bộ Sở Nông nghiệp và Môi trường để bổ sung. Tôi có thể giúp về chế phẩm sinh học, hầm biogas, đệm lót sinh học, ủ phân compost, phân bón vi sinh, xử lý rác và nước thải, và Kế hoạch phát triển công nghiệp sinh học của tỉnh.',
};

export function declined(reason: NonNullable<Answer['reason']>, audience: Audience, confidence = 0, hits: Hit[] = []): Answer {
  return {
    answered: false,
    answer: DECLINE_TEXT[reason],
    citations: [],
    suggestions: STARTERS[audience].slice(0, 3),
    mode: 'extractive',
    confidence,
    reason,
    hits,
  };
}

export function sourceUrl(c: Pick<Chunk, 'docId' | 'anchor' | 'kind'>): string {
  return `/nguon/${encodeURIComponent(c.docId)}#${encodeURIComponent(c.anchor)}`;
}

function snippet(text: string, max = 280): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, flat.lastIndexOf(' ', max))}…`;
}

export function citationOf(c: Chunk, snippetText = c.text): Citation {
  return {
    id: c.id,
    docId: c.docId,
    kind: c.kind,
    title: c.title,
    section: c.section,
    url: sourceUrl(c),
    snippet: snippet(snippetText),
  };
}

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

/** Query words in a sentence, weighted by IDF and by how rare the word is among the chunk's sentences. */
function sentenceScore(words: Set<string>, bigrams: Set<string>, q: QueryAnalysis, idf: (t: string) => number, local: (t: string) => number): number {
  let score = 0;
  for (const t of q.content) if (words.has(t)) score += idf(t) * local(t);
  for (const b of q.bigrams) if (bigrams.has(b)) score += 1.5 * local(b);
  return score;
}

const parsedSentences = new Map<string, { words: Set<string>; bigrams: Set<string> }>();

/** Topic words and word pairs of a corpus sentence, computed once per sentence (bounded); read-only. */
function sentenceTerms(s: string): { words: Set<string>; bigrams: Set<string> } {
  let parsed = parsedSentences.get(s);
  if (!parsed) {
    const { folded, breaks } = analyze(s);
    parsed = { words: new Set(topicWords(s)), bigrams: new Set(terms(folded, breaks).filter((t) => t.includes('_'))) };
    if (parsedSentences.size >= 20_000) parsedSentences.clear();
    parsedSentences.set(s, parsed);
  }
  return parsed;
}

/** Picks the sentences of a chunk that answer, keeping their order; short sections are given whole. */
export function pickSentences(chunk: Chunk, q: QueryAnalysis, idf: (t: string) => number, budget = 520): string[] {
  const all = sentences(chunk.text);
  const total = all.reduce((n, s) => n + s.length, 0);
  // a short section (a few items of the plan) is given whole: its heading, not its sentences, matched
  if (total <= budget || (all.length <= 3 && total <= budget * 1.5)) return all;
  const parsed = all.map(sentenceTerms);
  const local = (t: string) => {
    const n = parsed.filter((p) => p.words.has(t) || p.bigrams.has(t)).length;
    return Math.log(1 + all.length / Math.max(n, 1));
  };
  const scored = all.map((s, i) => ({
    s,
    i,
    // a section's first sentence usually states its point; a catalog entry's first line only names its type
    score: sentenceScore(parsed[i]!.words, parsed[i]!.bigrams, q, idf, local) + (i === 0 && chunk.kind !== 'catalog' ? 0.8 : 0),
  }));
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
  if (lead >= 0 && chosen.some((c) => c.i > lead && c.s.startsWith('- ')) && !chosen.some((c) => c.i === lead))
    chosen.push(scored[lead]!);
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
  return chosen.sort((a, b) => a.i - b.i).map((c) => c.s);
}

function faqQuestionCoverage(q: QueryAnalysis, chunk: Chunk, idf: (t: string) => number): number {
  if (!chunk.questions?.length || !q.content.length) return 0;
  let best = 0;
  for (const question of chunk.questions) {
    const set = new Set(analyze(question).folded);
    const content = [...new Set(topicWords(question))];
    let have = 0;
    let all = 0;
    for (const t of q.content) {
      all += idf(t);
      if (set.has(t)) have += idf(t);
    }
    // and the FAQ question must not be about much more than what was asked
    const extra = content.filter((t) => !q.content.includes(t)).reduce((n, t) => n + idf(t), 0);
    const words = all ? have / (all + 0.5 * extra) : 0;
    // word pairs too: "khí sinh học tạo ra thế nào" is not "khí sinh học gồm những khí gì"
    const { folded, breaks } = analyze(question);
    const pairs = new Set(terms(folded, breaks));
    const pairShare = q.bigrams.length ? q.bigrams.filter((b) => pairs.has(b)).length / q.bigrams.length : 1;
    best = Math.max(best, (1 - FAQ_PAIR_WEIGHT) * words + FAQ_PAIR_WEIGHT * pairShare);
  }
  return best;
}

export interface AnswerOptions {
  audience: Audience;
}

/**
 * The embedded default: decide from retrieval whether the corpus supports an answer, then quote the
 * sentences that answer, each part traceable to its citation ([1], [2]).
 */
export function answerFromChunks(question: string, retrieval: Retrieval, retriever: Retriever, { audience }: AnswerOptions): Answer {
  const q = retrieval.query;
  if (isUnsafe(question)) return declined('unsafe', audience);
  if (!q.content.length) return declined('empty', audience);
  const hits = retrieval.hits;
  const top = hits[0];
  const confidence = Math.max(0, ...hits.slice(0, SUPPORT_DEPTH).map((h) => h.coverage));
  const supported = hits.slice(0, SUPPORT_DEPTH).filter(supports);
  if (!top || !supported.length) return declined('out-of-scope', audience, confidence, hits);

  const idf = retriever.idf;
  // a curated FAQ entry that matches strongly is answered as written
  // among strong matches, one written for the asker ("hô hoán người lớn" is for students) comes first
  const forAsker = (c: Chunk) => (audience === 'student' ? c.audience.includes('student') : !c.audience.every((a) => a === 'student'));
  const faq = hits
    .slice(0, 5)
    .filter((h) => h.chunk.kind === 'faq')
    .map((h) => ({ h, m: faqQuestionCoverage(q, h.chunk, idf) }))
    .sort((a, b) => Number(b.m >= FAQ_MATCH && forAsker(b.h.chunk)) - Number(a.m >= FAQ_MATCH && forAsker(a.h.chunk)) || b.m - a.m)[0];
  if (faq && faq.m >= FAQ_MATCH && forAsker(faq.h.chunk)) {
    const chunk = faq.h.chunk;
    const support = (chunk.supports ?? [])
      .map((s) => retriever.chunkById(`${s.docId}#${s.anchor}`))
      .filter((c): c is Chunk => c !== null);
    return {
      answered: true,
      answer: `${chunk.text.trim()} [1]`,
      citations: [citationOf(chunk), ...support.slice(0, 2).map((c) => citationOf(c))],
      suggestions: followUps(question, hits, chunk, audience),
      mode: 'extractive',
      confidence: Math.max(confidence, faq.m),
      hits,
    };
  }

  // the best chunk answers; a second one joins when it covers the question about as well
  const primary = supported[0]!;
  const used: Hit[] = [primary];
  // a second source that also supports the question joins: one answer, two places to check
  const second = hits
    .slice(0, SUPPORT_DEPTH)
    .find((h) => h !== primary && h.chunk.kind !== 'faq' && supports(h));
  if (second) used.push(second);

  const parts: string[] = [];
  const citations: Citation[] = [];
  const said: Set<string>[] = [];
  used.forEach((h, i) => {
    // the FAQ and the guide often say the same thing: a sentence already given is not given twice
    const before = said.length;
    const picked = pickSentences(h.chunk, q, idf, i === 0 ? 560 : 300).filter((s) => {
      const words = new Set(topicWords(s));
      if (said.slice(0, before).some((w) => overlap(w, words) >= 0.4)) return false;
      said.push(words);
      return true;
    });
    if (!picked.length) return;
    const n = citations.length + 1;
    const last = picked.length - 1;
    picked[last] = `${picked[last]} [${n}]`;
    parts.push(...picked);
    citations.push(citationOf(h.chunk, picked.join(' ')));
  });
  return {
    answered: true,
    answer: parts.join('\n'),
    citations,
    suggestions: followUps(question, hits, primary.chunk, audience),
    mode: 'extractive',
    confidence,
    hits,
  };
}

function overlap(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / Math.max(1, a.size + b.size - shared);
}

/** Follow-up questions: FAQ questions near the answer, then the audience's starters. */
function followUps(question: string, hits: Hit[], answered: Chunk, audience: Audience): string[] {
  // never suggest what was just asked, however it was typed
  const asked = new Set(topicWords(question));
  const fresh = (s: string) => overlap(asked, new Set(topicWords(s))) < 0.8;
  const out: string[] = [];
  for (const h of hits) {
    if (h.chunk.kind !== 'faq' || h.chunk.id === answered.id) continue;
    const q = h.chunk.questions?.[0];
    if (q && !out.includes(q) && fresh(q)) out.push(q);
    if (out.length === 3) break;
  }
  for (const s of STARTERS[audience]) if (out.length < 3 && !out.includes(s) && fresh(s)) out.push(s);
  return out;
}
