import { analyze } from '../text/index.ts';
import { findPhrases, type CompiledLexicon, type SafetyRule, type Tokens } from './lexicon.ts';

/** How far (in syllables) the act may stand from the thing: "định chui xuống thông ống biogas" is one scene. */
const WINDOW = 8;

/**
 * "xuống" after a verb of putting ("đổ phân xuống hầm", "cho nước vào bể") says where a thing goes, not that a
 * person goes in: a closed class of Vietnamese transfer verbs.
 */
const PUTTING = new Set(['đổ', 'cho', 'bỏ', 'nạp', 'thả', 'vứt', 'xả', 'rót', 'ném', 'rải', 'rắc', 'tưới', 'bơm', 'dẫn', 'chảy', 'trộn'].map((w) => analyze(w).folded[0]!));

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
    const acts = findPhrases(t, rule.acts).filter((a) => !(['xuong', 'vao'].includes(a.phrase.folded[0]!) && isPutting(t, a.at)));
    const near = acts.some((a) => things.some((th) => Math.abs(a.at - th.at) <= WINDOW));
    // a child near a pit, a pesticide swallowed: the act may be anywhere in a short message
    if (near || (acts.length && t.tokens.length <= 2 * WINDOW)) out.push(rule);
  }
  return out;
}
