import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../config.ts';
import { fold, normalize } from '../text/index.ts';
import { catalogText, loadCorpus, type Corpus } from './index.ts';
import type { CatalogEntry, GlossaryEntry, Source } from './schema.ts';

/** Content checks that keep the fixes of the content audit of 2026-12-02 (shared/reviews/content-audit.md) in place. */

const CORPUS = join(ROOT, 'corpus');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every document, catalog entry and glossary term names a source that can be traced: a fact-sheet ref, a url or a note. */
export function sourceProblems(corpus: Corpus): string[] {
  const owners = [
    ...corpus.documents.map((d) => ({ what: `tài liệu ${d.id}`, sources: d.sources })),
    ...corpus.catalog.map((e) => ({ what: `danh mục ${e.id}`, sources: e.sources })),
    // the loader keeps each term's sources at run time; Corpus types the glossary without them
    ...(corpus.glossary as GlossaryEntry[]).map((g) => ({ what: `thuật ngữ ${g.term}`, sources: g.sources })),
  ] satisfies { what: string; sources: Source[] }[];
  return owners.flatMap(({ what, sources }) => [
    ...(sources.length ? [] : [`${what}: không có nguồn`]),
    ...sources.filter((s) => !s.ref && !s.url && !s.note).map((s) => `${what}: nguồn “${s.title}” không có ref, url hay ghi chú`),
    ...sources.filter((s) => s.url && !/ngày xem \d{4}-\d{2}-\d{2}/.test(s.note ?? s.ref ?? '')).map((s) => `${what}: nguồn ${s.url} thiếu “ngày xem”`),
  ]);
}

const GENERIC_TYPES = ['sản phẩm có tên', 'nhóm sản phẩm', 'phân bón', 'chế phẩm', 'sản phẩm'];
const words = (s: string) => fold(normalize(s)).split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/** Catalog prose: no line that only restates the name, no generic placeholders, no joined-list artifacts, one legal caveat. */
export function catalogProblems(entries: CatalogEntry[]): string[] {
  const problems: string[] = [];
  for (const e of entries) {
    const type = fold(normalize(e.type)).replace(/\.$/, '').trim();
    if (GENERIC_TYPES.map((t) => fold(t)).includes(type)) problems.push(`${e.id}: type chung chung “${e.type}”`);
    const typeWords = words(e.type);
    const nameWords = new Set(words(e.name));
    if (typeWords.filter((w) => nameWords.has(w)).length >= 0.8 * typeWords.length)
      problems.push(`${e.id}: type lặp lại tên “${e.type}”`);
    for (const o of e.organisms) if (fold(o) === fold('vi sinh vật')) problems.push(`${e.id}: organisms chỉ ghi “${o}”`);
    for (const line of catalogText(e).split('\n')) {
      if (/^[^:\n]+: (Sản phẩm có tên|Nhóm sản phẩm|Phân bón)\.$/u.test(line)) problems.push(`${e.id}: dòng khuôn mẫu “${line}”`);
      if (/\.;|;\.|[^.]\.\.(?!\.)/.test(line)) problems.push(`${e.id}: dấu câu ghép sai trong “${line}”`);
      if (/^(Công dụng của|Về pháp lý:|Cách dùng .+: )/u.test(line)) problems.push(`${e.id}: dòng nhãn kiểu mẫu “${line.slice(0, 60)}…”`);
    }
  }
  const caveat = /(có|còn) phải đăng ký( lưu hành)? hay không/u;
  const withCaveat = entries.filter((e) => caveat.test(normalize(e.legalNote))).map((e) => e.id);
  if (withCaveat.length > 1) problems.push(`lời nhắc về đăng ký lặp lại ở ${withCaveat.length} mục: ${withCaveat.join(', ')}`);
  return problems;
}

/** Facts the audit found superseded or illogical must not come back, in any file of corpus/ (quiz included). */
export function staleTextProblems(root: string): string[] {
  const stale: [RegExp, string][] = [
    [/\b0?8\/12\/2023\b/u, 'ngày của danh mục thuốc BVTV cũ (Thông tư 09/2023, đã được thay)'],
    [/từ 8\/12\b/u, 'nguồn về danh mục thuốc BVTV cũ “từ 8/12”'],
    [/chậm nhất từ ngày/u, '“chậm nhất từ ngày” (viết “chậm nhất là ngày”)'],
    [/xét nghiệm pH và E\. coli/u, 'chỉ xét nghiệm pH và E. coli (QCVN 01-195 còn giới hạn clorua và kim loại nặng)'],
  ];
  return filesUnder(root).flatMap((path) => {
    const text = normalize(readFileSync(path, 'utf8'));
    return stale.filter(([re]) => re.test(text)).map(([, why]) => `${relative(root, path)}: ${why}`);
  });
}

/** A passage that says which crops livestock wastewater may water gives every tier and the non-microbial limits too. */
export function irrigationProblems(corpus: Corpus): string[] {
  return corpus.chunks
    .filter((c) => /MPN/.test(c.text) && /(tưới được|được tưới|được dùng để tưới)/u.test(c.text))
    .flatMap((c) => [
      ...(/clorua/u.test(c.text) ? [] : [`${c.id}: nói tưới được mà không nêu giới hạn clorua, kim loại nặng của QCVN 01-195`]),
      ...(/200 (đến|–) ?1\.000/u.test(c.text) && !/1\.000 (đến|–) ?5\.000/u.test(c.text)
        ? [`${c.id}: thiếu bậc E. coli trên 1.000–5.000 MPN/100 mL`]
        : []),
    ]);
}

describe('the corpus after the content audit', () => {
  const corpus = loadCorpus(CORPUS);

  it('traces every source: a ref, a url or a note, and a date seen for each url', () => {
    expect(sourceProblems(corpus)).toEqual([]);
  });

  it('writes the catalog as prose, with the registration caveat in one place', () => {
    expect(catalogProblems(corpus.catalog)).toEqual([]);
  });

  it('no longer carries the superseded pesticide list date or the other stale wordings', () => {
    expect(staleTextProblems(CORPUS)).toEqual([]);
  });

  it('gives all QCVN 01-195 limits wherever it says wastewater may water crops', () => {
    expect(irrigationProblems(corpus)).toEqual([]);
  });
});

describe('the content checks catch what the audit found', () => {
  const entry = (over: Partial<CatalogEntry>): CatalogEntry => ({
    id: 'sp',
    name: 'Balasa No.1',
    type: 'Chế phẩm vi sinh làm đệm lót chuồng nuôi',
    uses: ['Balasa No.1 được dùng để làm đệm lót.'],
    treats: [],
    organisms: [],
    howToUse: 'Balasa No.1 được trộn với mùn cưa.',
    cautions: [],
    legalNote: 'Về đăng ký, xem mục chung.',
    sources: [{ title: 'Nguồn', ref: 'FACTS [41]' }],
    verified: true,
    ...over,
  });

  it('flags a document, entry or term whose source cannot be traced', () => {
    const empty = { documents: [], catalog: [], glossary: [], faq: [], chunks: [], files: [] } as unknown as Corpus;
    expect(sourceProblems(empty)).toEqual([]);
    const withSources = (sources: CatalogEntry['sources']) => ({ ...empty, catalog: [entry({ sources })] }) as Corpus;
    expect(sourceProblems(withSources([]))).not.toEqual([]);
    expect(sourceProblems(withSources([{ title: 'Một trang nào đó' }]))).not.toEqual([]);
    expect(sourceProblems(withSources([{ title: 'Trang', url: 'https://example.org/a' }]))).not.toEqual([]);
    expect(sourceProblems(withSources([{ title: 'Trang', url: 'https://example.org/a', note: 'ngày xem 2026-12-03' }]))).toEqual([]);
  });

  it('flags the template shapes of the old catalog', () => {
    expect(catalogProblems([entry({})])).toEqual([]);
    expect(catalogProblems([entry({ type: 'Sản phẩm có tên' })])).not.toEqual([]);
    expect(catalogProblems([entry({ name: 'Phân bón vi sinh vật', type: 'Phân bón' })])).not.toEqual([]);
    const repeats = entry({ name: 'Chế phẩm vi sinh xử lý chất thải rắn chăn nuôi', type: 'Chế phẩm vi sinh xử lý chất thải chăn nuôi' });
    expect(catalogProblems([repeats])).not.toEqual([]);
    expect(catalogProblems([entry({ organisms: ['vi sinh vật'] })])).not.toEqual([]);
    expect(catalogProblems([entry({ uses: ['Ủ phân chuồng.; Giúp phân hủy nhanh hơn.'] })])).not.toEqual([]);
    const old = 'Việc chế phẩm sinh học hiện nay có phải đăng ký lưu hành hay không chưa được xác minh; hãy hỏi Sở Nông nghiệp và Môi trường.';
    expect(catalogProblems([entry({ id: 'a', legalNote: old }), entry({ id: 'b', legalNote: old })])).not.toEqual([]);
  });
});
