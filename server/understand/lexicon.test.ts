import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../config.ts';
import { loadCorpus } from '../corpus/index.ts';
import { fold } from '../text/index.ts';
import { findPhrases, loadLexicon, phrase } from './lexicon.ts';

const corpus = loadCorpus(join(ROOT, 'corpus'));
const lexicon = loadLexicon(join(ROOT, 'corpus'), corpus.glossary);

describe('corpus/lexicon.yaml', () => {
  it('names a source for every concept, and every source key it cites exists', () => {
    for (const c of lexicon.concepts) expect(c.source, c.id).toMatch(/\S/);
  });

  // the property the design review asked for: any surface form, typed with or without marks, names its concept
  it('resolves every surface form of every concept, typed with and without marks, inside a sentence', () => {
    const forms = lexicon.surface.map((s) => ({ form: s.phrase.text, concept: s.concept.id }));
    fc.assert(
      fc.property(fc.constantFrom(...forms), fc.boolean(), fc.constantFrom('cho tôi hỏi', 'nhà em có', ''), ({ form, concept }, unmarked, before) => {
        // without marks but with its case: "EM" the product stays apart from "em" the pronoun
        const typed = unmarked ? form.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D') : form;
        const text = `${before} ${typed} thế nào`.trim();
        const found = findPhrases(phrase(text), lexicon.surface.map((s) => s.phrase)).map((f) => lexicon.surface.find((s) => s.phrase === f.phrase)!);
        // the same words may name two concepts (the glossary's "Mê-tan" and the lexicon's "mê tan"), or stand inside a
        // longer form: either way the typed words are read as a concept's form
        const own = phrase(form).folded.join(' ');
        expect(found.some((s) => s.concept.id === concept || s.phrase.folded.join(' ').includes(own)), `${text} → ${concept}`).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('points every safety rule at a section that exists, whose text holds its lead phrases', () => {
    for (const rule of lexicon.safety) {
      const doc = corpus.documents.find((d) => d.id === rule.docId);
      expect(doc, rule.id).toBeDefined();
      const section = doc!.sections.find((s) => s.heading === rule.section);
      expect(section, `${rule.id}: ${rule.section}`).toBeDefined();
      for (const lead of rule.lead) expect(fold(section!.text), `${rule.id}: ${lead}`).toContain(fold(lead));
    }
  });

  it('reads a vocabulary change without re-indexing: the lexicon is not part of the corpus hash', () => {
    expect(corpus.files.map((f) => f.path)).not.toContain('lexicon.yaml');
  });
});
