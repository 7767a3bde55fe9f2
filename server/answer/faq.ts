import type { Chunk } from '../corpus/index.ts';
import type { QueryAnalysis } from '../retrieve/index.ts';
import { analyze, terms, topicWords } from '../text/index.ts';

/** A FAQ question covering the ask this well is answered as written. */
export const FAQ_MATCH = 0.8;
/** …and for a yes/no ask, only this well: the FAQ's verdict must be about the very thing asked. */
export const FAQ_VERDICT_MATCH = 0.9;
const FAQ_PAIR_WEIGHT = 0.3;

/** How well one of a FAQ entry's wordings covers the ask: its words, its word pairs, and not much more. */
export function faqMatch(q: QueryAnalysis, chunk: Chunk, idf: (t: string) => number): number {
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

/** Among strong matches, one written for the asker comes first ("hô hoán người lớn" is for students). */
export function forAsker(c: Chunk, audience: 'citizen' | 'student'): boolean {
  // an entry that names no audience (a staff answer) is for everyone
  if (!c.audience.length) return true;
  return audience === 'student' ? c.audience.includes('student') : !c.audience.every((a) => a === 'student');
}
