import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Lexicon as LexiconSchema, type GlossaryEntry, type Lexicon as LexiconData } from '../corpus/schema.ts';
import { analyze } from '../text/index.ts';

/** A phrase of the lexicon, run through the same text pipeline as every question. */
export interface Phrase {
  text: string;
  tokens: readonly string[];
  folded: readonly string[];
}

/** The tokens of a question (server/text `analyze`). */
export interface Tokens {
  tokens: readonly string[];
  folded: readonly string[];
}

export function phrase(text: string): Phrase {
  const { tokens, folded } = analyze(text);
  return { text, tokens, folded };
}

/**
 * A phrase written with marks matches a token typed with the same marks, or a token typed without any marks
 * ("bep ga" is "bếp ga"); a token typed with other marks is another word ("gà" is not "ga").
 */
export function matchesAt(t: Tokens, p: Phrase, i: number): boolean {
  if (!p.tokens.length || i + p.tokens.length > t.tokens.length) return false;
  for (let j = 0; j < p.tokens.length; j++) {
    const tok = t.tokens[i + j]!;
    const f = t.folded[i + j]!;
    if (tok !== p.tokens[j] && !(tok === f && f === p.folded[j])) return false;
  }
  return true;
}

/** Phrases by their first folded syllable, longest first: each list is indexed once (lists are built once). */
const byFirst = new WeakMap<readonly Phrase[], Map<string, Phrase[]>>();
function indexOf(list: readonly Phrase[]): Map<string, Phrase[]> {
  let index = byFirst.get(list);
  if (!index) {
    index = new Map();
    for (const p of [...list].sort((a, b) => b.tokens.length - a.tokens.length)) {
      const key = p.folded[0];
      if (key === undefined) continue;
      index.set(key, [...(index.get(key) ?? []), p]);
    }
    byFirst.set(list, index);
  }
  return index;
}

/** Every place a phrase of the list starts, longest phrase first at each place, without overlaps. */
export function findPhrases(t: Tokens, list: readonly Phrase[]): { at: number; phrase: Phrase }[] {
  const index = indexOf(list);
  const out: { at: number; phrase: Phrase }[] = [];
  for (let i = 0; i < t.tokens.length; ) {
    const hit = index.get(t.folded[i]!)?.find((p) => matchesAt(t, p, i));
    if (hit) {
      out.push({ at: i, phrase: hit });
      i += hit.tokens.length;
    } else i++;
  }
  return out;
}

export function hasPhrase(t: Tokens, list: readonly Phrase[]): boolean {
  const index = indexOf(list);
  for (let i = 0; i < t.tokens.length; i++) if (index.get(t.folded[i]!)?.some((p) => matchesAt(t, p, i))) return true;
  return false;
}

export interface Concept {
  id: string;
  /** how the corpus writes it */
  term: Phrase;
  /** how people write it */
  forms: Phrase[];
  source: string;
}

export type Intent = keyof LexiconData['frames'] | 'statement';

export interface SafetyRule {
  id: string;
  things: Phrase[];
  acts: Phrase[];
  docId: string;
  section: string;
  lead: string[];
}

export interface CompiledLexicon {
  concepts: Concept[];
  /** every surface form and term, with the concept it names */
  surface: { phrase: Phrase; concept: Concept; isTerm: boolean }[];
  /** frames in order of priority; a gapped frame ("giá … bao nhiêu") is two phrases with words between them */
  frames: { intent: Intent; phrases: Phrase[]; gapped: [Phrase, Phrase][] }[];
  greetings: Phrase[];
  address: Phrase[];
  leadIns: Phrase[];
  particles: Phrase[];
  selfIntro: Phrase[];
  pronouns: Phrase[];
  identity: Phrase[];
  thanks: Phrase[];
  greetingOnly: Phrase[];
  ok: Phrase[];
  /** thanks, "ok" and greetings together: a clause made only of one of these asks nothing */
  closings: Phrase[];
  distress: Phrase[];
  safety: SafetyRule[];
}

const phrases = (list: readonly string[]) => list.map(phrase).filter((p) => p.tokens.length > 0);

/** "Công nghệ sinh học (CNSH)" → "Công nghệ sinh học": the glossary's term without its parenthesis. */
const bareTerm = (term: string) => term.replace(/\s*\([^)]*\)\s*/g, ' ').trim();

export function compileLexicon(data: LexiconData, glossary: readonly Pick<GlossaryEntry, 'term' | 'aliases'>[] = []): CompiledLexicon {
  const concepts: Concept[] = data.concepts.map((c) => ({ id: c.id, term: phrase(c.term), forms: phrases(c.forms), source: c.source }));
  // every glossary term is a concept too, its aliases the ways people write it
  for (const g of glossary)
    concepts.push({ id: `thuat-ngu:${bareTerm(g.term)}`, term: phrase(bareTerm(g.term)), forms: phrases(g.aliases), source: 'corpus/glossary.yaml' });
  const surface = concepts.flatMap((c) => [
    { phrase: c.term, concept: c, isTerm: true },
    ...c.forms.map((f) => ({ phrase: f, concept: c, isTerm: false })),
  ]);
  const order: Intent[] = ['safety-ask', 'contact', 'brand', 'cost', 'duration', 'where-who', 'quantity', 'compare', 'why', 'how-to', 'yes-no', 'what-is'];
  return {
    concepts,
    surface,
    frames: order.map((intent) => {
      const all = data.frames[intent as keyof LexiconData['frames']] ?? [];
      return {
        intent,
        phrases: phrases(all.filter((f) => !f.includes('…'))),
        gapped: all.filter((f) => f.includes('…')).map((f) => f.split('…').map((x) => phrase(x.trim())) as [Phrase, Phrase]),
      };
    }),
    greetings: phrases(data.preamble.greetings),
    address: phrases(data.preamble.address),
    leadIns: phrases(data.preamble['lead-ins']),
    particles: phrases(data.preamble.particles),
    selfIntro: phrases(data.preamble['self-intro']),
    pronouns: phrases(data.preamble.pronouns),
    identity: phrases(data.smalltalk.identity),
    thanks: phrases(data.smalltalk.thanks),
    greetingOnly: phrases(data.smalltalk['greeting-only']),
    ok: phrases(data.smalltalk.ok),
    closings: phrases([...data.smalltalk.thanks, ...data.smalltalk.ok, ...data.smalltalk['greeting-only']]),
    distress: phrases(data.distress),
    safety: data.safety.map((s) => ({ id: s.id, things: phrases(s.things), acts: phrases(s.acts), docId: s.docId, section: s.section, lead: s.lead })),
  };
}

export const LEXICON_FILE = 'lexicon.yaml';

/** Reads corpus/lexicon.yaml (checked against its schema); the glossary's terms join as concepts. */
export function loadLexicon(corpusDir: string, glossary: readonly Pick<GlossaryEntry, 'term' | 'aliases'>[] = []): CompiledLexicon {
  const path = join(corpusDir, LEXICON_FILE);
  if (!existsSync(path)) throw new Error(`thiếu ${path}: từ vựng để hiểu câu hỏi`);
  const parsed = LexiconSchema.safeParse(parseYaml(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${LEXICON_FILE}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return compileLexicon(parsed.data, glossary);
}
