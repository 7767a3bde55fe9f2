import { analyze } from '../text/index.ts';
import { findPhrases, matchesAt, type CompiledLexicon, type Intent, type Phrase, type Tokens } from './lexicon.ts';

/** A piece of a message between punctuation, with what surrounds the ask set aside. */
export interface Clause {
  /** the clause as typed, greetings, lead-ins and final particles removed */
  text: string;
  tokens: Tokens;
  /** the question frame it uses, if any ("bao lâu" → duration) */
  intent: Intent | null;
  /** token positions of the frame's words (not topic words) */
  frameAt: Set<number>;
  /** the person tells about themselves ("cháu học lớp 10 ở Thuận Châu") */
  selfIntro: boolean;
  /** typed with a question mark */
  asked: boolean;
}

/** Words read from one clause (its last ones). */
export const MAX_CLAUSE_WORDS = 60;

/** Clauses end at sentence punctuation, commas and line breaks. */
const CLAUSE_END = /([.?!;,\n…]+)/u;

function sliceText(words: string[], from: number, to: number): string {
  return words.slice(from, to).join(' ');
}

/**
 * Greetings, address terms ("bác ơi"), lead-ins ("cho cháu hỏi") at the start and final particles ("ạ", "với ạ")
 * at the end carry no topic: they are set aside, repeatedly, before anything is measured.
 */
function trim(words: string[], lex: CompiledLexicon): string[] {
  let w = words;
  const tokensOf = (list: string[]): Tokens => analyze(list.join(' '));
  // the words of a phrase, counted in typed words (analyze may expand "ko" → "không": one typed word)
  const startsWith = (list: string[], phrases: Phrase[]): number => {
    for (let n = Math.min(list.length, 6); n >= 1; n--) {
      const t = tokensOf(list.slice(0, n));
      if (phrases.some((p) => p.tokens.length === t.tokens.length && matchesAt(t, p, 0))) return n;
    }
    return 0;
  };
  const endsWith = (list: string[], phrases: Phrase[]): number => {
    for (let n = Math.min(list.length, 3); n >= 1; n--) {
      const t = tokensOf(list.slice(list.length - n));
      if (phrases.some((p) => p.tokens.length === t.tokens.length && matchesAt(t, p, 0))) return n;
    }
    return 0;
  };
  for (let changed = true; changed && w.length; ) {
    changed = false;
    for (const list of [lex.greetings, lex.address, lex.leadIns]) {
      const n = startsWith(w, list);
      if (n && n < w.length + 1) {
        w = w.slice(n);
        changed = true;
      }
    }
    // "bác cho cháu hỏi …", "cô ơi cho em hỏi": a pronoun or kinship word before a lead-in goes with it
    if (!changed && w.length > 2) {
      const lead = startsWith(w.slice(1), lex.leadIns);
      if (lead) {
        w = w.slice(1 + lead);
        changed = true;
      }
    }
    const end = endsWith(w, lex.particles);
    if (end) {
      w = w.slice(0, w.length - end);
      changed = true;
    }
  }
  return w;
}

function frameOf(t: Tokens, lex: CompiledLexicon): { intent: Intent | null; at: Set<number> } {
  // the longest frame wins ("do đâu" is why, not where); among equals, the intent listed first
  let best: { intent: Intent; at: Set<number>; size: number } | null = null;
  for (const { intent, phrases, gapped } of lex.frames) {
    // "giá lợn hơi hôm nay bao nhiêu": a frame in two parts with the topic between them
    for (const [a, b] of gapped) {
      const first = findPhrases(t, [a])[0];
      const second = first && findPhrases(t, [b]).find((f) => f.at > first.at);
      if (first && second) {
        const at = new Set<number>();
        for (const f of [first, second]) for (let j = 0; j < f.phrase.tokens.length; j++) at.add(f.at + j);
        if (!best || at.size > best.size) best = { intent, at, size: at.size };
      }
    }
    const found = findPhrases(t, phrases);
    if (!found.length) continue;
    const size = Math.max(...found.map((f) => f.phrase.tokens.length));
    if (best && size <= best.size) continue;
    const at = new Set<number>();
    for (const f of found) for (let j = 0; j < f.phrase.tokens.length; j++) at.add(f.at + j);
    best = { intent, at, size };
  }
  return best ? { intent: best.intent, at: best.at } : { intent: null, at: new Set() };
}

function isSelfIntro(t: Tokens, lex: CompiledLexicon): boolean {
  // a first-person pronoun, then "là / học / ở / nuôi …" within the first words
  const pronoun = lex.pronouns.find((p) => matchesAt(t, p, 0));
  if (!pronoun) return false;
  const after = pronoun.tokens.length;
  return lex.selfIntro.some((v) => matchesAt(t, v, after) || matchesAt(t, v, after + 1));
}

export function splitClauses(message: string, lex: CompiledLexicon): Clause[] {
  const out: Clause[] = [];
  const pieces = message.normalize('NFC').split(CLAUSE_END);
  for (let i = 0; i < pieces.length; i += 2) {
    const body = pieces[i]!;
    const punct = pieces[i + 1] ?? '';
    // a clause is a few dozen words; a wall of words without punctuation is read by its end, where the ask is
    const words = trim(body.split(/\s+/).filter(Boolean).slice(-MAX_CLAUSE_WORDS), lex);
    if (!words.length) continue;
    const text = sliceText(words, 0, words.length);
    const tokens = analyze(text);
    if (!tokens.tokens.length) continue;
    const { intent, at } = frameOf(tokens, lex);
    out.push({ text, tokens, intent, frameAt: at, selfIntro: isSelfIntro(tokens, lex), asked: punct.includes('?') });
  }
  return out;
}
