import { analyze, isVietnameseSyllable } from '../text/index.ts';
import { splitClauses, type Clause } from './clauses.ts';
import { findPhrases, hasPhrase, matchesAt, phrase, type CompiledLexicon, type Intent, type Phrase, type Tokens } from './lexicon.ts';
import { safetyRules } from './safety.ts';
import type { SafetyRule } from './lexicon.ts';

export type { Intent, SafetyRule } from './lexicon.ts';
export { loadLexicon, compileLexicon, type CompiledLexicon } from './lexicon.ts';

/** One thing the person asks. A message may hold two ("EM là gì, pha với nước tỉ lệ bao nhiêu?"). */
export interface Ask {
  /** the ask as typed, without greetings, lead-ins and final particles */
  text: string;
  intent: Intent;
  /** what retrieval reads: the ask, plus the topic it borrows when it names none ("bao lâu thì bón được?") */
  search: string;
  /** the same with people's words replaced by the corpus's terms ("heo" → "lợn"); null when nothing changes */
  alternative: string | null;
  /** topic words of the story around the ask or of the conversation: they order results, never decide them */
  context: string;
  /** concepts of corpus/lexicon.yaml the ask (with what it borrowed) names */
  concepts: string[];
  /** the ask names a topic of its own (a concept, or a term of the corpus's headings and glossary) */
  ownTopic: boolean;
  /** the topic was borrowed from earlier in the message or the conversation */
  borrowed: boolean;
  /** no topic of its own, and only everyday words besides the question frame ("bao lâu thì dùng được?") */
  vague: boolean;
  /** the words of `search` that name its topic (concepts, domain words): what a passage must be about */
  focus: string;
  /** the focus in the corpus's terms, or null */
  focusAlternative: string | null;
  /** `search` without the question frame: how much of it a passage covers decides whether it answers */
  measure: string;
  measureAlternative: string | null;
}

export type QueryKind = 'question' | 'empty' | 'greeting' | 'thanks' | 'identity' | 'distress';

export interface Query {
  message: string;
  kind: QueryKind;
  asks: Ask[];
  /** safety rules the message touches: their passage leads the answer, whatever was asked */
  safety: SafetyRule[];
  /** a follow-up that resolved its topic from the conversation */
  followUp: boolean;
  /** the conversation's topic after this message, for the next turn */
  topic: string;
}

/** What the corpus knows, as the retriever sees it. */
export interface Vocabulary {
  /** a folded word or word pair ("ham_biogas") of the corpus's headings or glossary, rare enough to name a topic */
  isDomain(term: string): boolean;
  /** a folded word found in so many chunks that it names no topic ("dùng", "làm", "được") */
  isGeneric(term: string): boolean;
  /** a folded word pair the corpus uses, in few enough chunks to name something ("ba_mia") */
  isKnownPair(pair: string): boolean;
  /** a folded word pair the corpus writes as a name ("moc_chau", "son_la") */
  isProperName(pair: string): boolean;
}

/** Words that open a follow-up ("thế còn vịt thì sao?", "vậy bao lâu thì dùng được?"): grammar, not domain. */
const FOLLOW_UP_OPENERS: Phrase[] = ['thế còn', 'vậy còn', 'còn', 'thế thì', 'vậy thì', 'thế', 'vậy', 'nếu vậy', 'nếu thế', 'cái đó', 'cái này', 'loại đó', 'nó', 'như vậy', 'thì sao'].map(phrase);

/** At most this many asks are answered from one message; the rest wait for the next. */
const MAX_ASKS = 3;
/** How many earlier messages a conversation's topic is followed through. */
export const HISTORY_TURNS = 3;

interface Context {
  lexicon: CompiledLexicon;
  vocabulary: Vocabulary;
}

function topicTerms(t: Tokens, skip: Set<number> = new Set()): string[] {
  const { folded, stop } = analyze(t.tokens.join(' '));
  const words = folded.filter((_, i) => !stop[i] && !skip.has(i));
  return [...words, ...words.slice(1).map((w, i) => `${words[i]}_${w}`)];
}

/** The surface phrases of a lexicon as one list, and each phrase's concept: built once per lexicon. */
const surfaceOf = new WeakMap<CompiledLexicon, { phrases: Phrase[]; entry: Map<Phrase, CompiledLexicon['surface'][number]> }>();

function conceptsIn(t: Tokens, lex: CompiledLexicon): { concept: string; at: number; length: number; term: readonly string[]; isTerm: boolean }[] {
  let surface = surfaceOf.get(lex);
  if (!surface) {
    surface = { phrases: lex.surface.map((s) => s.phrase), entry: new Map(lex.surface.map((s) => [s.phrase, s])) };
    surfaceOf.set(lex, surface);
  }
  return findPhrases(t, surface.phrases).map((f) => {
    const s = surface.entry.get(f.phrase)!;
    return { concept: s.concept.id, at: f.at, length: f.phrase.tokens.length, term: s.concept.term.tokens, isTerm: s.isTerm };
  });
}

/** The message with people's words replaced by the corpus's terms, or null when it names none. */
function alternativeOf(t: Tokens, lex: CompiledLexicon): string | null {
  const found = conceptsIn(t, lex).filter((c) => !c.isTerm);
  if (!found.length) return null;
  const out: string[] = [];
  let i = 0;
  for (const c of found) {
    out.push(...t.tokens.slice(i, c.at), ...c.term);
    i = c.at + c.length;
  }
  out.push(...t.tokens.slice(i));
  return out.join(' ');
}

/**
 * The words of a clause that name its topic: the concepts it names, as typed, and the corpus's domain words and
 * pairs ("nhà nuôi lợn nái, xây hầm biogas được 2 năm" → "lợn hầm biogas nái"). What an ask borrows is this, never
 * the whole story.
 */

/**
 * A lone syllable names a topic only when it is no Vietnamese syllable ("trichoderma", "balasa", "bacillus"):
 * "giảm" or "quân" are headings' words too, and folded, "liên quân" is "liên quan". Pairs and concepts carry the rest.
 */
function isTopicWord(folded: string, ctx: Context): boolean {
  return !isVietnameseSyllable(folded) && !/^\d+$/.test(folded) && ctx.vocabulary.isDomain(folded);
}

/** A word pair that names a topic: a heading's or the glossary's, or one the corpus uses in a few places. */
function isTopicPair(pair: string, ctx: Context): boolean {
  return ctx.vocabulary.isDomain(pair) || ctx.vocabulary.isKnownPair(pair);
}

export function topicOf(t: Tokens, ctx: Context, skip: ReadonlySet<number> = new Set()): string {
  const out: string[] = [];
  const taken = new Set<number>(skip);
  for (const c of conceptsIn(t, ctx.lexicon)) {
    if ([...Array(c.length).keys()].some((j) => taken.has(c.at + j))) continue;
    out.push(t.tokens.slice(c.at, c.at + c.length).join(' '));
    for (let j = 0; j < c.length; j++) taken.add(c.at + j);
  }
  const { stop } = analyze(t.tokens.join(' '));
  // a name ("Sơn La", "Mộc Châu") is no topic, and its syllables pair with nothing around it ("la năm")
  for (let i = 0; i + 1 < t.tokens.length; i++)
    if (ctx.vocabulary.isProperName(`${t.folded[i]}_${t.folded[i + 1]}`)) taken.add(i).add(i + 1);
  for (let i = 0; i < t.tokens.length; i++) {
    if (taken.has(i) || stop[i]) continue;
    if (i + 1 < t.tokens.length && !taken.has(i + 1) && !stop[i + 1] && isTopicPair(`${t.folded[i]}_${t.folded[i + 1]}`, ctx)) {
      out.push(`${t.tokens[i]} ${t.tokens[i + 1]}`);
      taken.add(i).add(i + 1);
    } else if (isTopicWord(t.folded[i]!, ctx)) {
      out.push(t.tokens[i]!);
      taken.add(i);
    }
  }
  // pieces apart: "kế hoạch, du lịch" is two topics, not the pair "hoạch du"
  return [...new Set(out)].join(', ');
}

function hasOwnTopic(clause: Clause, ctx: Context): boolean {
  if (conceptsIn(clause.tokens, ctx.lexicon).length) return true;
  return topicOf(clause.tokens, ctx, clause.frameAt) !== '';
}

/** One or two everyday words besides the frame ("bao lâu thì dùng được?"): an ask about something unnamed. */
function isVague(c: Clause, ctx: Context): boolean {
  const words = topicTerms(c.tokens, c.frameAt).filter((t) => !t.includes('_'));
  return words.length >= 1 && words.length <= 2 && words.every((t) => ctx.vocabulary.isGeneric(t));
}

function opensFollowUp(t: Tokens): boolean {
  return FOLLOW_UP_OPENERS.some((o) => matchesAt(t, o, 0));
}

function kindOf(all: Tokens, clauses: Clause[], ctx: Context): QueryKind {
  const lex = ctx.lexicon;
  if (!all.tokens.length) return 'empty';
  if (hasPhrase(all, lex.distress)) return 'distress';
  const topical = clauses.some((c) => hasOwnTopic(c, ctx));
  if (!topical && hasPhrase(all, lex.identity)) return 'identity';
  // what is left after greetings and particles: nothing, thanks, "ok"
  // ("ok cảm ơn nhiều nhé" is two closings in a row)
  const onlyClosings = (c: Clause) => {
    // positions reachable from the start by whole closing phrases, in any combination
    const n = c.tokens.tokens.length;
    const reach = [true, ...Array<boolean>(n).fill(false)];
    for (let i = 0; i < n; i++) if (reach[i]) for (const p of lex.closings) if (matchesAt(c.tokens, p, i)) reach[i + p.tokens.length] = true;
    return reach[n]!;
  };
  const rest = clauses.filter((c) => !onlyClosings(c));
  if (!rest.length) return hasPhrase(all, lex.thanks) ? 'thanks' : 'greeting';
  return 'question';
}

/**
 * Reads a message the way a person would: sets aside the greeting, the self-introduction and the story, finds
 * what is asked (one ask or several), what kind of answer each wants, and which topic each is about — its own,
 * or one borrowed from the story or from the conversation so far (`history`: earlier messages, oldest first).
 */
export function understand(message: string, history: readonly string[], ctx: Context): Query {
  const before = conversationState(history, ctx);
  const q = understandWithTopic(message, before.topic, history.length > 0, ctx);
  if (!history.length) return q;
  // a message that names nothing of its own continues the scene before it: after a cry for help, "em cũng không
  // biết nói với ai nữa" is still one; after a pit accident, "có phải đưa đi viện không" still is about it
  const namesNothing = namesNothingNew(q);
  if (before.last === 'distress' && namesNothing && q.kind !== 'thanks') return { ...q, kind: 'distress', asks: [] };
  if (!q.safety.length && q.kind === 'question' && namesNothing) {
    // the act told now, the place named before ("mấy hôm nữa có được xuống tiếp không" after the biogas pit)
    const withTopic = before.topic ? safetyRules(analyze(`${before.topic} ${message}`), ctx.lexicon) : [];
    const safety = withTopic.length ? withTopic : before.safety;
    if (safety.length) return { ...q, safety };
  }
  return q;
}

/** A message that names no topic of its own stays in the scene of the one before it. */
function namesNothingNew(q: Query): boolean {
  return q.kind !== 'question' || q.asks.every((a) => !a.ownTopic);
}

/** The conversation's topic after the given messages (at most the last HISTORY_TURNS of them). */
export function conversationTopic(history: readonly string[], ctx: Context): string {
  return conversationState(history, ctx).topic;
}

/** The topic after the given messages, and what the last of them was (its kind and safety rules). */
function conversationState(history: readonly string[], ctx: Context): { topic: string; last: QueryKind | null; safety: SafetyRule[] } {
  let topic = '';
  let had = false;
  let last: QueryKind | null = null;
  let safety: SafetyRule[] = [];
  for (const m of history.slice(-HISTORY_TURNS)) {
    const q = understandWithTopic(m, topic, had, ctx);
    if (q.kind === 'question' && q.topic) topic = q.topic;
    last = q.kind;
    safety = q.safety.length || !namesNothingNew(q) ? q.safety : safety;
    had = true;
  }
  return { topic, last, safety };
}

function understandWithTopic(message: string, topicBefore: string, inConversation: boolean, ctx: Context): Query {
  const lex = ctx.lexicon;
  const clauses = splitClauses(message, lex);
  const all = analyze(message);
  const kind = kindOf(all, clauses, ctx);
  const safety = safetyRules(all, lex);
  if (kind !== 'question') return { message, kind, asks: [], safety, followUp: false, topic: topicBefore };

  // asks: clauses with a question frame or a question mark; a message with none is one ask (its last clause)
  let askIdx = clauses.map((c, i) => (c.intent || c.asked ? i : -1)).filter((i) => i >= 0 && !clauses[i]!.selfIntro);
  if (!askIdx.length) askIdx = [clauses.length - 1];
  // a clause that only adds a frame to the one before ("…, bao lâu?") stays its own ask, borrowing the topic
  askIdx = askIdx.slice(-MAX_ASKS);
  const first = clauses[askIdx[0]!]!;
  const followUp = inConversation && !!topicBefore && (opensFollowUp(first.tokens) || !clauses.some((c) => hasOwnTopic(c, ctx)));

  // the story around the ask, where it names a topic (not "cháu học lớp 10 ở Thuận Châu")
  const storyWords = clauses
    .filter((c, i) => !askIdx.includes(i) && !c.selfIntro && hasOwnTopic(c, ctx))
    .map((c) => topicOf(c.tokens, ctx))
    .join(' ');
  const asks: Ask[] = [];
  let lastTopic = '';
  askIdx.forEach((ci, n) => {
    const c = clauses[ci]!;
    const own = hasOwnTopic(c, ctx);
    // a clause before the ask that names the topic ("Nhà em nuôi 30 con lợn, hàng xóm kêu hôi, làm sao?")
    const story = clauses
      .filter((x, i) => i !== ci && !askIdx.includes(i) && !x.selfIntro && hasOwnTopic(x, ctx))
      .map((x) => topicOf(x.tokens, ctx))
      .join(' ');
    let borrowedText = '';
    // a later ask of the same message is about the same thing unless it names a concept of its own
    if (n > 0 && lastTopic && !conceptsIn(c.tokens, lex).length) borrowedText = lastTopic;
    else if (!own) borrowedText = lastTopic || story || (inConversation ? topicBefore : '');
    else if (followUp && n === 0) borrowedText = topicBefore;
    const search = borrowedText ? `${c.text} ${borrowedText}` : c.text;
    // the frame ("mấy ngày", "bao nhiêu", "hướng dẫn") says what kind of answer, not what about: it helps find the
    // passage, but a passage need not contain it to answer
    const bare = c.tokens.tokens.filter((_, i) => !c.frameAt.has(i)).join(' ') || c.text;
    const measure = borrowedText ? `${bare} ${borrowedText}` : bare;
    const searchTokens = analyze(search);
    const concepts = [...new Set(conceptsIn(searchTokens, lex).map((x) => x.concept))];
    const focus = topicOf(searchTokens, ctx);
    asks.push({
      text: c.text,
      intent: c.intent ?? 'statement',
      search,
      alternative: alternativeOf(searchTokens, lex),
      context: [storyWords, inConversation && !borrowedText ? topicBefore : ''].filter(Boolean).join(' '),
      concepts,
      ownTopic: own,
      borrowed: !!borrowedText,
      vague: !own && isVague(c, ctx),
      focus,
      focusAlternative: focus ? alternativeOf(analyze(focus), lex) : null,
      measure,
      measureAlternative: alternativeOf(analyze(measure), lex),
    });
    if (own || borrowedText) lastTopic = topicOf(searchTokens, ctx);
  });
  const main = asks.find((a) => a.ownTopic || a.borrowed);
  return { message, kind, asks, safety, followUp, topic: main ? topicOf(analyze(main.search), ctx) : topicBefore };
}
