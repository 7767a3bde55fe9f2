import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Assistant } from '../server/assistant.ts';
import { canonicalDocId, findSection, type Chunk } from '../server/corpus/index.ts';
import type { RetrievalMode } from '../server/retrieve/index.ts';
import { fold, normalize } from '../server/text/index.ts';

export const VARIANTS = ['original', 'no_diacritics', 'abbreviation', 'tone', 'typo', 'student'] as const;
export type Variant = (typeof VARIANTS)[number];
export const GROUPS = ['plan', 'guide', 'catalog', 'faq', 'out-of-scope'] as const;

const Question = z
  .object({
    id: z.string().min(1),
    group: z.enum(GROUPS),
    question: z.string().min(1),
    audience: z.enum(['citizen', 'student']).optional(),
    expect: z
      .object({ docId: z.string(), section: z.string().optional(), facts: z.array(z.string().min(1)).min(1) })
      .strict()
      .optional(),
    variants: z.partialRecord(z.enum(VARIANTS.slice(1) as [Variant, ...Variant[]]), z.string().min(1)).optional(),
  })
  .strict()
  .refine((q) => (q.group === 'out-of-scope') === !q.expect, { message: 'out-of-scope questions have no expect; others must' });
export type Question = z.infer<typeof Question>;

export interface Item {
  id: string;
  group: Question['group'];
  variant: Variant;
  question: string;
  audience: 'citizen' | 'student';
  expect?: Question['expect'];
}

export function loadQuestions(dir: string): Question[] {
  const out: Question[] = [];
  const ids = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const parsed = z.array(Question).safeParse(parseYaml(readFileSync(join(dir, file), 'utf8')));
    if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    for (const q of parsed.data) {
      if (ids.has(q.id)) throw new Error(`${file}: id trùng ${q.id}`);
      ids.add(q.id);
      out.push(file.startsWith('student') && !q.audience ? { ...q, audience: 'student' } : q);
    }
  }
  return out;
}

export function items(questions: Question[]): Item[] {
  return questions.flatMap((q) => {
    const base = { id: q.id, group: q.group, expect: q.expect, audience: q.audience ?? 'citizen' };
    const list: Item[] = [{ ...base, variant: 'original', question: q.question }];
    for (const v of VARIANTS.slice(1))
      if (q.variants?.[v]) list.push({ ...base, variant: v, question: q.variants[v]!, audience: v === 'student' ? 'student' : base.audience });
    return list;
  });
}

/** Does this chunk answer what the question expects? A FAQ chunk does when it cites the expected place. */
export function isRelevant(chunk: Chunk, expect: NonNullable<Item['expect']>, assistant: Assistant): boolean {
  const docId = canonicalDocId(expect.docId);
  const doc = assistant.corpus.documents.find((d) => d.id === docId);
  const section = doc && expect.section ? findSection(doc, expect.section) : null;
  const anchor = section?.anchor;
  const matches = (d: string, a: string) => d === docId && (!anchor || a === anchor || a.startsWith(`${anchor}-`));
  if (matches(chunk.docId, chunk.anchor)) return true;
  return chunk.kind === 'faq' && (chunk.supports ?? []).some((s) => matches(s.docId, s.anchor));
}

export function hasFacts(answer: string, facts: string[]): boolean {
  const text = fold(normalize(answer)).replace(/\s+/g, ' ');
  return facts.every((f) => text.includes(fold(normalize(f)).replace(/\s+/g, ' ')));
}

export interface Outcome {
  item: Item;
  answered: boolean;
  correct: boolean;
  rank: number | null;
  answer: string;
  top: string[];
  confidence: number;
}

export async function evaluate(assistant: Assistant, list: Item[], mode: RetrievalMode): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const item of list) {
    const a = await assistant.answer({ message: item.question, audience: item.audience }, { mode });
    let rank: number | null = null;
    if (item.expect) {
      const i = a.hits.findIndex((h) => isRelevant(h.chunk, item.expect!, assistant));
      rank = i >= 0 ? i + 1 : null;
    }
    out.push({
      item,
      answered: a.answered,
      correct: !!item.expect && a.answered && hasFacts(a.answer, item.expect.facts),
      rank,
      answer: a.answer,
      top: a.hits.slice(0, 3).map((h) => h.chunk.id),
      confidence: a.confidence,
    });
  }
  return out;
}

export interface Scores {
  n: number;
  accuracy: number | null;
  recall5: number | null;
  mrr10: number | null;
  declinePrecision: number | null;
  declineRecall: number | null;
}

export function score(outcomes: Outcome[], all: Outcome[] = outcomes): Scores {
  const inScope = outcomes.filter((o) => o.item.expect);
  const oos = outcomes.filter((o) => !o.item.expect);
  const ratio = (a: number, b: number) => (b ? a / b : null);
  // precision over the whole run: of everything declined, how much should have been
  const declinedAll = all.filter((o) => !o.answered);
  return {
    n: outcomes.length,
    accuracy: ratio(inScope.filter((o) => o.correct).length, inScope.length),
    recall5: ratio(inScope.filter((o) => o.rank !== null && o.rank <= 5).length, inScope.length),
    mrr10: ratio(
      inScope.reduce((s, o) => s + (o.rank !== null && o.rank <= 10 ? 1 / o.rank : 0), 0),
      inScope.length,
    ),
    declinePrecision: oos.length ? ratio(declinedAll.filter((o) => !o.item.expect).length, declinedAll.length) : null,
    declineRecall: ratio(oos.filter((o) => !o.answered).length, oos.length),
  };
}

export type Report = Record<RetrievalMode, { overall: Scores; byGroup: Record<string, Scores>; byVariant: Record<string, Scores> }>;

export function report(outcomes: Outcome[]): Report[RetrievalMode] {
  const byGroup: Record<string, Scores> = {};
  const byVariant: Record<string, Scores> = {};
  for (const g of GROUPS) {
    const sub = outcomes.filter((o) => o.item.group === g);
    if (sub.length) byGroup[g] = score(sub, outcomes);
  }
  for (const v of VARIANTS) {
    const sub = outcomes.filter((o) => o.item.variant === v);
    if (sub.length) byVariant[v] = score(sub, outcomes);
  }
  return { overall: score(outcomes), byGroup, byVariant };
}
