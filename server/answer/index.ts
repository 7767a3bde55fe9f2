import { CURATED_TITLE, type Chunk } from '../corpus/index.ts';
import type { Hit, Retrieval, Retriever } from '../retrieve/index.ts';
import { analyze, fold, isVietnameseSyllable, topicWords } from '../text/index.ts';
import type { Ask, Query, SafetyRule } from '../understand/index.ts';
import type { Audience, Citation } from '../contract.ts';
import { STARTERS } from '../starters.ts';
import { fillsSlot, overlap, pickSentences, sentences, slotOf } from './compose.ts';
import {
  clarifyText,
  declineText,
  distressText,
  greetingText,
  identityText,
  missingAttributeText,
  NO_VERDICT,
  RELATED,
  thanksText,
  type DeclineReason,
} from './copy.ts';
import { decision, probability, type Features } from './decide.ts';
import { FAQ_MATCH, FAQ_VERDICT_MATCH, faqMatch, forAsker } from './faq.ts';

export type { Audience, Citation } from '../contract.ts';
export { STARTERS } from '../starters.ts';
export { isUnsafe } from './guard.ts';
export { sentences, pickSentences, isMetaSentence } from './compose.ts';
export { LOW_CONFIDENCE } from './decide.ts';

export type Reason = DeclineReason | 'not-in-sources' | 'distress' | 'smalltalk' | 'clarify';

export interface Answer {
  answered: boolean;
  answer: string;
  citations: Citation[];
  suggestions: string[];
  mode: 'extractive' | 'generative';
  /** 0..1: the decision's probability that the answer is right (logged for staff review) */
  confidence: number;
  /** answered, but below the decision's confidence: the widget says it may not fit */
  uncertain?: boolean;
  /** a question back: `answer` asks, `suggestions` are the choices (shared/CONTRACT.md) */
  clarify?: boolean;
  /** why it was not answered, for the log and the staff queue */
  reason?: Reason;
  /** the chunks the answer was built from (for the generative path and the log) */
  hits: Hit[];
}

/** how many of the best hits may support an answer or join it as a second source */
const SUPPORT_DEPTH = 5;
/** a passage is about the ask's topic when it has at least this share of the focus's word pairs (IDF-weighted) */
const FOCUS_PAIRS_AT = 0.5;

/**
 * Reasons that never reach the staff queue: nothing there for staff to add. Off-topic declines do reach it (staff
 * mark them "ngoài phạm vi" in bulk, and see what people ask for), but their text promises no follow-up.
 */
export const NOT_QUEUED: readonly Reason[] = ['empty', 'unsafe', 'distress', 'smalltalk', 'clarify'];

function reply(text: string, reason: Reason, audience: Audience, extra: Partial<Answer> = {}): Answer {
  return {
    answered: false,
    answer: text,
    citations: [],
    suggestions: STARTERS[audience].slice(0, 3),
    mode: 'extractive',
    confidence: 0,
    reason,
    hits: [],
    ...extra,
  };
}

export function declined(reason: DeclineReason, audience: Audience, confidence = 0, hits: Hit[] = []): Answer {
  return reply(declineText(reason, audience), reason, audience, { confidence, hits });
}

export function sourceUrl(c: Pick<Chunk, 'docId' | 'anchor' | 'kind'>): string {
  return `/nguon/${encodeURIComponent(c.docId)}#${encodeURIComponent(c.anchor)}`;
}

function snippet(text: string, max = 280): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, flat.lastIndexOf(' ', max))}…`;
}

export function citationOf(c: Chunk, snippetText = c.text): Citation {
  return { id: c.id, docId: c.docId, kind: c.kind, title: c.title, section: c.section, url: sourceUrl(c), snippet: snippet(snippetText) };
}

/** Sentences quoted from one source. */
interface Segment {
  chunk: Chunk;
  lines: string[];
  /** further places to check, cited but not quoted (a FAQ entry's sections) */
  also?: Chunk[];
}

/** What one ask came to. */
export interface AskOutcome {
  ask: Ask;
  retrieval: Retrieval;
  features: Features;
  /** the decision's probability that the composed answer is right */
  p: number;
  /** answer: segments answer it; missing: the topic is there but not the attribute asked; decline: nothing fits */
  verdict: 'answer' | 'missing' | 'decline';
  segments: Segment[];
  /** the ask is about the corpus's subject (its own topic, a concept, or a domain term in what was found) */
  inDomain: boolean;
  /** the opening line said in the assistant's own words (no verdict in the sources) */
  preface?: string;
}

export interface AnswerContext {
  retriever: Retriever;
  audience: Audience;
  /** the chunk of a document's section, for safety passages */
  section: (docId: string, section: string) => Chunk | null;
}

/** Asks about a practice rather than a product: a guide's section answers them before a catalog entry. */
const PRACTICE_INTENTS: ReadonlySet<Ask['intent']> = new Set(['how-to', 'yes-no', 'why', 'duration', 'where-who', 'compare', 'safety-ask']);

const VERDICT = /\b(khong nen|nen|khong duoc|duoc|cam|tuyet doi|co the|khong the|khong can|can)\b/;

/** Decide and compose one ask from its retrieval. */
export function answerAsk(ask: Ask, retrieval: Retrieval, { retriever, audience }: AnswerContext, { force = false }: { force?: boolean } = {}): AskOutcome {
  const q = retrieval.query;
  const idf = retriever.idf;
  const top = retrieval.hits.slice(0, SUPPORT_DEPTH);
  const best = Math.max(0, ...top.map((h) => h.coverage));
  // the best-ranked hit that covers the ask about as well as the best one does — and has the ask's topic: most of
  // its focus pairs, IDF-weighted ("du lịch" in "kế hoạch phát triển du lịch" weighs more than "kế hoạch")
  const onTopic = (h: Hit) => !ask.focus || h.focusPairs >= FOCUS_PAIRS_AT;
  const near = top.filter((h) => h.coverage >= 0.85 * best);
  // a catalog entry says what a product is and its dose; how to do something, whether, why or when is a guide's
  // — unless the ask names the product itself ("nấm xanh Metarhizium" is a name no Vietnamese syllable makes)
  const names = (h: Hit) => analyze(h.chunk.section).folded.some((t) => !isVietnameseSyllable(t) && !/^\d+$/.test(t) && q.content.includes(t));
  const practice = (h: Hit) => !(PRACTICE_INTENTS.has(ask.intent) && h.chunk.kind === 'catalog' && !names(h));
  const primary = near.find((h) => onTopic(h) && practice(h)) ?? near.find(onTopic) ?? near[0];
  // the ask in the corpus's own words (heo → lợn, bể phốt → bể tự hoại), as retrieval read it: a FAQ wording
  // matches either form
  const qAlternative = retrieval.alternative;
  // among strong matches a staff answer (curated for real questions like this one) comes first
  const curated = (h: Hit) => h.chunk.title === CURATED_TITLE;
  const faq = top
    .filter((h) => h.chunk.kind === 'faq' && forAsker(h.chunk, audience))
    .map((h) => {
      const typed = faqMatch(q, h.chunk, idf);
      return { h, typed, m: Math.max(typed, qAlternative ? faqMatch(qAlternative, h.chunk, idf) : 0) };
    })
    .sort((a, b) => Number(b.m >= FAQ_MATCH && curated(b.h)) - Number(a.m >= FAQ_MATCH && curated(a.h)) || b.m - a.m)[0];
  const unknownMass = q.content.reduce((n, t) => n + (q.unknown.includes(t) ? idf(t) : 0), 0);
  const mass = q.content.reduce((n, t) => n + idf(t), 0);
  const features: Features = {
    coverage: primary?.coverage ?? 0,
    focus: primary?.focusCoverage ?? 0,
    focusPairs: primary?.focusPairs ?? 0,
    context: primary?.contextCoverage ?? 0,
    coverageDomain: primary && primary.domain ? primary.coverage : 0,
    concept: ask.concepts.length ? 1 : 0,
    ownTopic: ask.ownTopic || ask.borrowed ? 1 : 0,
    unknown: mass ? unknownMass / mass : 1,
    // as fitted: the words typed (the lexicon's forms choose which entry is answered, not whether to answer)
    faq: faq?.typed ?? 0,
    single: q.content.length <= 1 ? 1 : 0,
  };
  const p = q.content.length ? probability(features) : 0;
  // in the corpus's subject by what the ask names (retrieval's folded match would take "vàng" for "váng")
  const inDomain = ask.ownTopic || ask.borrowed || ask.concepts.length > 0;
  const base = { ask, retrieval, features, p, inDomain, segments: [] as Segment[] };
  // a FAQ wording that covers the ask this well (its words, its pairs, and not much more) was written for this
  // very question — by staff, or in the corpus — whatever the other features say
  const anticipated = !!faq && faq.typed >= FAQ_MATCH;
  // `force`: compose whatever the decision says (evals/fit.ts learns the decision from what would be answered)
  if (!primary || (p < decision.answerAt && !anticipated && !force)) return { ...base, verdict: 'decline' };

  const slot = slotOf(ask.intent);
  // a curated FAQ entry that matches strongly is answered as written — a yes/no verdict only when its
  // question is about the very thing asked, an attribute only when the entry gives it
  // (a near-exact wording was written for this very question, attribute and all: a staff answer, or an honest "the
  // documents give no price" entry)
  if (faq && faq.m >= FAQ_MATCH && (ask.intent !== 'yes-no' || faq.m >= FAQ_VERDICT_MATCH) && (!slot || faq.m >= FAQ_VERDICT_MATCH || fillsSlot(faq.h.chunk.text, ask.intent))) {
    const chunk = faq.h.chunk;
    const also = (chunk.supports ?? []).map((s) => retriever.chunkById(`${s.docId}#${s.anchor}`)).filter((c): c is Chunk => c !== null);
    return { ...base, p: Math.max(p, faq.m), verdict: 'answer', segments: [{ chunk, lines: [chunk.text.trim()], also: also.slice(0, 2) }] };
  }

  // with an attribute asked, the first supported hit that gives it answers
  const supported = top.filter((h) => h.coverage >= 0.6 * best);
  let lead = primary;
  if (slot) {
    const giving = supported.find((h) => sentences(h.chunk.text).some((s) => fillsSlot(s, ask.intent)));
    if (!giving) {
      // only for the corpus's subject: "tỷ giá hôm nay bao nhiêu" is not a price the documents lack
      if (!ask.ownTopic && !ask.borrowed && !ask.concepts.length) return { ...base, verdict: 'decline' };
      const related = pickSentences(primary.chunk, q, idf, { budget: 260 }).slice(0, 2);
      return { ...base, verdict: 'missing', segments: related.length ? [{ chunk: primary.chunk, lines: related }] : [] };
    }
    lead = giving;
  }
  const segments: Segment[] = [];
  const said: Set<string>[] = [];
  const add = (h: Hit, budget: number) => {
    const before = said.length;
    // the FAQ and the guide often say the same thing: a sentence already given is not given twice
    const lines = pickSentences(h.chunk, q, idf, { budget, intent: ask.intent }).filter((s) => {
      const words = new Set(topicWords(s));
      if (said.slice(0, before).some((w) => overlap(w, words) >= 0.4)) return false;
      said.push(words);
      return true;
    });
    if (lines.length) segments.push({ chunk: h.chunk, lines });
    return lines;
  };
  add(lead, 560);
  // a second source joins only when it adds an on-topic fact: a sentence with a word of the ask not yet said
  const asked = new Set(q.content);
  const second = supported.find((h) => h !== lead && h.chunk.kind !== 'faq' && h.chunk.id !== lead.chunk.id && h.coverage >= 0.85 * best);
  if (second) {
    const saidWords = new Set(said.flatMap((w) => [...w]));
    const fresh = pickSentences(second.chunk, q, idf, { budget: 300, intent: ask.intent }).some((s) =>
      topicWords(s).some((w) => asked.has(w) && !saidWords.has(w)),
    );
    if (fresh) add(second, 300);
  }
  let preface: string | undefined;
  if (ask.intent === 'yes-no' && !segments.some((s) => s.lines.some((l) => VERDICT.test(fold(l))))) preface = NO_VERDICT;
  return { ...base, verdict: segments.length ? 'answer' : 'decline', segments, ...(preface ? { preface } : {}) };
}

/** The safety passage of a rule: its lead sentences (those naming the danger), else its first. */
function safetySegment(rule: SafetyRule, ctx: AnswerContext): Segment | null {
  const chunk = ctx.section(rule.docId, rule.section);
  if (!chunk) return null;
  const all = sentences(chunk.text);
  // in the order the rule names them: the first lead phrase names what to do first
  const leads = [...new Set(rule.lead.flatMap((l) => all.filter((s) => fold(s).includes(fold(l)))))].slice(0, 2);
  return { chunk, lines: leads.length ? leads : all.slice(0, 1) };
}

/** Follow-up questions: FAQ questions near the answer, then the audience's starters. */
function followUps(message: string, hits: Hit[], answered: Chunk | undefined, audience: Audience): string[] {
  // never suggest what was just asked, however it was typed
  const asked = new Set(topicWords(message));
  const fresh = (s: string) => overlap(asked, new Set(topicWords(s))) < 0.8;
  const out: string[] = [];
  for (const h of hits) {
    if (h.chunk.kind !== 'faq' || h.chunk.id === answered?.id || !forAsker(h.chunk, audience)) continue;
    const q = h.chunk.questions?.[0];
    if (q && !out.includes(q) && fresh(q)) out.push(q);
    if (out.length === 3) break;
  }
  for (const s of STARTERS[audience]) if (out.length < 3 && !out.includes(s) && fresh(s)) out.push(s);
  return out;
}

/** Choices for a clarifying question: what the corpus answers about the topic named. */
function clarifyChoices(hits: Hit[], audience: Audience): string[] {
  const out: string[] = [];
  for (const h of hits) {
    const q = h.chunk.kind === 'faq' && forAsker(h.chunk, audience) ? h.chunk.questions?.[0] : null;
    if (q && !out.includes(q)) out.push(q);
    if (out.length === 4) break;
  }
  for (const s of STARTERS[audience]) if (out.length < 2 && !out.includes(s)) out.push(s);
  return out;
}

/**
 * A message that only names a topic ("biogas", "phân bón") asks nothing yet; one that asks but names no topic
 * and has none to borrow ("bao lâu thì dùng được?" as a first message) cannot be answered without asking back.
 */
function needsClarifying(query: Query): 'topic' | 'what' | null {
  if (query.asks.length !== 1 || query.followUp) return null;
  const ask = query.asks[0]!;
  if (ask.borrowed) return null;
  // only an attribute asked of nothing named: "bao lâu thì dùng được?", not "bạn có người yêu chưa"
  if (!ask.ownTopic && !ask.concepts.length) return ask.vague && ['duration', 'quantity', 'cost', 'where-who', 'how-to'].includes(ask.intent) ? 'what' : null;
  if (ask.intent !== 'statement') return null;
  return topicWords(ask.text).length <= 3 && ask.text.split(/\s+/).length <= 4 && !/\?/.test(query.message) ? 'topic' : null;
}

/**
 * The embedded default: what the message is (a question, small talk, distress), then per ask decide and
 * compose, with the safety passage first when the message touches one; each quoted part traceable to its
 * citation ([1], [2]).
 */
export function answerQuery(query: Query, outcomes: AskOutcome[], ctx: AnswerContext, unsafe: boolean): Answer {
  const { audience } = ctx;
  if (query.kind === 'distress') return reply(distressText(audience), 'distress', audience, { suggestions: [] });
  if (unsafe) return declined('unsafe', audience);
  if (query.kind === 'empty') return declined('empty', audience);
  if (query.kind === 'identity') return reply(identityText(audience), 'smalltalk', audience);
  if (query.kind === 'greeting') return reply(greetingText(audience), 'smalltalk', audience);
  if (query.kind === 'thanks') return reply(thanksText(audience), 'smalltalk', audience);

  const hits = outcomes[0]?.retrieval.hits ?? [];
  const safety = query.safety.map((r) => safetySegment(r, ctx)).filter((s): s is Segment => s !== null);
  const answered = outcomes.filter((o) => o.verdict === 'answer');
  const missing = outcomes.filter((o) => o.verdict === 'missing');

  const unclear = safety.length || outcomes.length !== 1 ? null : needsClarifying(query);
  if (unclear === 'what') return reply(clarifyText(null), 'clarify', audience, { clarify: true, suggestions: STARTERS[audience].slice(0, 4) });
  if (unclear === 'topic' && (query.asks[0]!.ownTopic || query.asks[0]!.concepts.length > 0)) {
    const choices = clarifyChoices(hits, audience);
    if (choices.length >= 2) return reply(clarifyText(query.asks[0]!.text), 'clarify', audience, { clarify: true, suggestions: choices, hits });
  }
  if (!safety.length && !answered.length && !missing.length) {
    const confidence = Math.max(0, ...outcomes.map((o) => o.p));
    // in the corpus's subject: the staff queue gets it, and the text says so; off-topic: nothing is promised
    const reason: DeclineReason = outcomes.some((o) => o.inDomain) ? 'unsupported' : 'out-of-scope';
    return declined(reason, audience, confidence, hits);
  }

  // number the sources in the order they are quoted; the same chunk keeps its number
  const citations: Citation[] = [];
  const numberOf = new Map<string, number>();
  const cite = (chunk: Chunk, text: string) => {
    let n = numberOf.get(chunk.id);
    if (!n) {
      citations.push(citationOf(chunk, text));
      n = citations.length;
      numberOf.set(chunk.id, n);
    }
    return n;
  };
  const render = (segments: Segment[]) =>
    segments.flatMap((s) => {
      const n = cite(s.chunk, s.lines.join(' '));
      for (const c of s.also ?? []) cite(c, c.text);
      const lines = [...s.lines];
      lines[lines.length - 1] = `${lines[lines.length - 1]} [${n}]`;
      return lines;
    });

  const blocks: string[] = [];
  if (safety.length) blocks.push(render(safety).join('\n'));
  const labelled = outcomes.length > 1;
  for (const o of outcomes) {
    const body: string[] = [];
    if (o.verdict === 'answer') {
      if (o.preface) body.push(o.preface);
      body.push(...render(o.segments));
    } else if (o.verdict === 'missing') {
      body.push(missingAttributeText(o.ask.intent, audience));
      if (o.segments.length) body.push(RELATED, ...render(o.segments));
    } else if (labelled) {
      body.push(audience === 'student' ? 'Phần này tài liệu của mình chưa trả lời được.' : 'Phần này tài liệu hiện có chưa trả lời được.');
    } else continue;
    blocks.push(labelled ? [`**${o.ask.text.replace(/\*/g, '')}?**`, ...body].join('\n') : body.join('\n'));
  }
  const answeredAny = answered.length > 0 || safety.length > 0;
  const confidence = answered.length ? Math.min(...answered.map((o) => o.p)) : safety.length ? 1 : Math.max(0, ...outcomes.map((o) => o.p));
  const primaryChunk = answered[0]?.segments[0]?.chunk;
  return {
    answered: answeredAny,
    answer: blocks.join('\n'),
    citations,
    suggestions: followUps(query.message, hits, primaryChunk, audience),
    mode: 'extractive',
    confidence,
    ...(answeredAny && !safety.length && confidence < decision.uncertainAt ? { uncertain: true } : {}),
    ...(answeredAny ? {} : { reason: 'not-in-sources' as const }),
    hits,
  };
}
