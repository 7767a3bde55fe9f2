import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ROOT } from '../config.ts';
import { fold } from '../text/index.ts';
import { CURATED_FAQ_FILE, loadCorpus } from './index.ts';
import { Faq } from './schema.ts';

/**
 * People type a question in many ways (no marks, chat spellings, a long story first); an FAQ entry matches only
 * the wordings it lists. Staff answers exported by `npm run faq:export` are written in the console and exempt.
 */
const MIN_WORDINGS = 3;

const corpus = loadCorpus(join(ROOT, 'corpus'));
const faqFiles = corpus.files.filter((f) => f.path.startsWith('faq/') && f.path !== `faq/${CURATED_FAQ_FILE}`);

/** what a matcher sees: no marks, no punctuation, single spaces */
const bare = (text: string) =>
  fold(text)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
const words = (text: string) => bare(text).split(' ').length;

describe('FAQ entries in people’s words', () => {
  const entries = faqFiles.flatMap((f) => Faq.parse(parseYaml(f.content)).map((e) => ({ ...e, file: f.path })));

  it('reads the corpus FAQ files', () => {
    expect(faqFiles.length).toBeGreaterThan(0);
    expect(entries.length).toBeGreaterThanOrEqual(90);
  });

  it(`gives every entry at least ${MIN_WORDINGS} other wordings that a matcher can tell apart`, () => {
    const short = entries
      .map((e) => {
        const seen = new Set([bare(e.question)]);
        const distinct = e.variants.filter((v) => !seen.has(bare(v)) && seen.add(bare(v)));
        return { where: `${e.file} ${e.id}`, distinct: distinct.length };
      })
      .filter((e) => e.distinct < MIN_WORDINGS);
    expect(short).toEqual([]);
  });

  it('includes one wording typed without diacritics and one longer than the question', () => {
    const missing: string[] = [];
    for (const e of entries) {
      if (!e.variants.some((v) => fold(v) === v.toLowerCase())) missing.push(`${e.file} ${e.id}: không dấu`);
      if (!e.variants.some((v) => words(v) > words(e.question))) missing.push(`${e.file} ${e.id}: dài hơn câu hỏi`);
    }
    expect(missing).toEqual([]);
  });
});
