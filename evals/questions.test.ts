import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../server/config.ts';
import { canonicalDocId, findSection, loadCorpus } from '../server/corpus/index.ts';
import { fold, normalize } from '../server/text/index.ts';
import { items, loadQuestions } from './evaluate.ts';

const corpus = loadCorpus(join(ROOT, 'corpus'));
const questions = loadQuestions(join(ROOT, 'evals', 'dev', 'questions'));

describe('the eval questions', () => {
  it('are at least 150, with out-of-scope ones, and every in-scope one asked six ways', () => {
    expect(questions.length).toBeGreaterThanOrEqual(150);
    expect(questions.filter((q) => q.group === 'out-of-scope').length).toBeGreaterThanOrEqual(30);
    for (const q of questions.filter((q) => q.expect))
      expect(Object.keys(q.variants ?? {}).sort(), q.id).toEqual(['abbreviation', 'no_diacritics', 'student', 'tone', 'typo']);
  });

  it('expect facts that stand verbatim in the section they point to', () => {
    const problems: string[] = [];
    for (const q of questions) {
      if (!q.expect) continue;
      const doc = corpus.documents.find((d) => d.id === canonicalDocId(q.expect!.docId));
      if (!doc) {
        problems.push(`${q.id}: no document ${q.expect.docId}`);
        continue;
      }
      const sections = q.expect.section
        ? doc.sections.filter((s) => s.anchor === findSection(doc, q.expect!.section)?.anchor || s.anchor.startsWith(`${findSection(doc, q.expect!.section)?.anchor}-`))
        : doc.sections;
      if (!sections.length) problems.push(`${q.id}: no section ${q.expect.section}`);
      const text = fold(normalize(sections.map((s) => `${s.heading}\n${s.text}`).join('\n'))).replace(/\s+/g, ' ');
      for (const f of q.expect.facts) if (!text.includes(fold(normalize(f)).replace(/\s+/g, ' '))) problems.push(`${q.id}: fact "${f}" not in ${q.expect.section}`);
    }
    expect(problems).toEqual([]);
  });

  it('cover every guide at least once, and the catalog', () => {
    const asked = new Set(questions.filter((q) => q.expect).map((q) => canonicalDocId(q.expect!.docId)));
    for (const d of corpus.documents.filter((d) => d.kind === 'guide' && d.id !== 'thuat-ngu')) expect(asked.has(d.id), d.id).toBe(true);
    const catalogAsked = new Set(questions.filter((q) => q.group === 'catalog').map((q) => q.expect!.section));
    expect(catalogAsked.size).toBeGreaterThanOrEqual(20);
    expect(items(questions).length).toBeGreaterThan(900);
  });
});
