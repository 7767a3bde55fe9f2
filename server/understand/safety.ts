import { analyze } from '../text/index.ts';
import { findPhrases, type CompiledLexicon, type SafetyRule, type Tokens } from './lexicon.ts';

/** How far (in syllables) the act may stand from the thing: "định chui xuống thông ống biogas" is one scene. */
const WINDOW = 12;

/**
 * "xuống" after a verb of putting ("đổ phân xuống hầm", "cho nước vào bể") says where a thing goes, not that a
 * person goes in: a closed class of Vietnamese transfer verbs.
 */
const PUTTING = new Set(['đổ', 'cho', 'bỏ', 'nạp', 'thả', 'vứt', 'xả', 'rót', 'ném', 'rải', 'rắc', 'tưới', 'bơm', 'dẫn', 'chảy', 'trộn'].map((w) => analyze(w).folded[0]!));

/** Bare directions: "xuống", "vào" say where, not who. */
const DIRECTIONS = new Set(['xuong', 'vao', 'vo', 'vao trong', 'vo trong']);

function isPutting(t: Tokens, at: number): boolean {
  for (let k = Math.max(0, at - 3); k < at; k++) if (PUTTING.has(t.folded[k]!)) return true;
  return false;
}

/** The safety rules a message touches: a dangerous place or thing, and an act near it. */
export function safetyRules(t: Tokens, lex: CompiledLexicon): SafetyRule[] {
  const out: SafetyRule[] = [];
  for (const rule of lex.safety) {
    const things = findPhrases(t, rule.things);
    if (!things.length) continue;
    if (!rule.acts.length) {
      out.push(rule);
      continue;
    }
    // the act may stand anywhere in the message ("…, thằng em định chui xuống thông, có sao không"); only a bare
    // direction ("xuống", "vào") must stand near the place, and not after a verb of putting
    const acts = findPhrases(t, rule.acts).filter(
      (a) =>
        !DIRECTIONS.has(a.phrase.folded.join(' ')) ||
        (!isPutting(t, a.at) && things.some((th) => Math.abs(a.at - th.at) <= WINDOW)),
    );
    if (acts.some((a) => things.every((th) => th.at !== a.at))) out.push(rule);
  }
  return out;
}
