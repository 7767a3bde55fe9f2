import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../config.ts';
import { CATALOG_DOC_ID, CorpusError, findSection, loadCorpus } from './index.ts';

const corpus = loadCorpus(join(ROOT, 'corpus'));

describe('the real corpus', () => {
  it('parses against its schemas, with unique ids and sources on every document', () => {
    expect(corpus.documents.length).toBeGreaterThanOrEqual(18);
    for (const d of corpus.documents) expect(d.sources.length, d.id).toBeGreaterThan(0);
    expect(new Set(corpus.chunks.map((c) => c.id)).size).toBe(corpus.chunks.length);
  });

  it('is stored NFC', () => {
    for (const f of corpus.files) expect(f.content === f.content.normalize('NFC'), f.path).toBe(true);
  });

  it('keeps the plan numbering, so a citation can say "mục II.1.a"', () => {
    const plan = corpus.documents.find((d) => d.id === 'ke-hoach-cnsh-bvmt-2030')!;
    expect(plan.kind).toBe('plan');
    const s = findSection(plan, 'II.1.a')!;
    expect(s.label).toMatch(/^Mục II\.1\.a\. Phát triển và ứng dụng CNSH/);
    expect(s.text).toContain('công nghệ biogas, công nghệ đệm lót sinh học');
    expect(findSection(plan, 'V.1')!.text).toContain('cơ quan đầu mối');
    expect(findSection(plan, 'VI')!.text).toContain('15/12');
    expect(plan.meta.implements).toContain('1639/QĐ-TTg');
  });

  it('has chunks of every kind', () => {
    const kinds = new Set(corpus.chunks.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(['catalog', 'faq', 'guide', 'plan']);
    expect(corpus.chunks.some((c) => c.docId === CATALOG_DOC_ID)).toBe(true);
  });

  it('resolves every FAQ source to a real section', () => {
    for (const c of corpus.chunks.filter((c) => c.kind === 'faq'))
      expect(c.supports!.length, c.id).toBeGreaterThan(0);
  });
});

describe('loader checks', () => {
  const withCorpus = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'cnsh-corpus-'));
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), content);
    }
    try {
      return loadCorpus(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const guide = (front: string, body = '## Phần một\n\nNội dung.') => `---\n${front}\n---\n${body}\n`;
  const good = 'id: mot\ntitle: "Một"\naudience: [citizen]\nsources: [{ title: "Nguồn" }]\nupdated: 2026-11-29\nstatus: published';

  it('loads a well-formed guide into section chunks', () => {
    const c = withCorpus({ 'guides/mot.md': guide(good, '## Phần một\n\nCâu một.\n\n## Phần hai\n\n- Ý một\n- Ý hai') });
    expect(c.chunks.map((x) => x.id)).toEqual(['mot#phan-mot', 'mot#phan-hai']);
    expect(c.chunks[1]!.section).toBe('Phần hai');
  });

  it('refuses a document without sources', () => {
    expect(() => withCorpus({ 'guides/mot.md': guide(good.replace('sources: [{ title: "Nguồn" }]', 'sources: []')) })).toThrow(CorpusError);
  });

  it('refuses a FAQ entry whose source section does not exist', () => {
    const faq = '- id: hoi-mot\n  question: "Hỏi?"\n  answer: "Đáp."\n  sources: [{ docId: mot, section: "Không có" }]\n';
    expect(() => withCorpus({ 'guides/mot.md': guide(good), 'faq/a.yaml': faq })).toThrow(/nguồn không tồn tại/);
  });

  it('refuses a catalog entry missing a required field', () => {
    const entry = '- id: sp\n  name: "SP"\n  type: "Loại"\n  uses: ["Dùng"]\n  treats: ["Rác"]\n  howToUse: "Dùng."\n  sources: [{ title: "N" }]\n  verified: false\n';
    expect(() => withCorpus({ 'catalog/p.yaml': entry })).toThrow(/legalNote/);
  });

  it('refuses text that is not NFC', () => {
    const nfd = guide(good, '## Phần một\n\n' + 'Đệm lót.'.normalize('NFD'));
    expect(() => withCorpus({ 'guides/mot.md': nfd })).toThrow(/NFC/);
  });

  it('skips drafts', () => {
    const c = withCorpus({ 'guides/mot.md': guide(good.replace('published', 'draft')) });
    expect(c.documents).toHaveLength(0);
  });
});

describe('catalog and glossary content', () => {
  it('every catalog entry and glossary term carries sources', () => {
    expect(corpus.catalog.length).toBeGreaterThanOrEqual(20);
    for (const e of corpus.catalog) expect(e.sources.length, e.id).toBeGreaterThan(0);
    expect(corpus.glossary.length).toBeGreaterThanOrEqual(40);
  });

  it('never asserts that waste-treatment products must or need not be registered', () => {
    const text = readFileSync(join(ROOT, 'corpus', 'catalog', 'products.yaml'), 'utf8');
    expect(text).not.toMatch(/(bắt buộc phải|không cần|không phải) đăng ký/);
  });
});

describe('source links (I3)', () => {
  it('accepts http(s) source URLs only: javascript: and data: would run or render on /nguon pages', async () => {
    const { Source } = await import('./schema.ts');
    expect(Source.safeParse({ title: 'Cổng thông tin', url: 'https://sonla.gov.vn/a' }).success).toBe(true);
    for (const url of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'file:///etc/passwd', 'vbscript:x'])
      expect(Source.safeParse({ title: 'x', url }).success, url).toBe(false);
  });
});
