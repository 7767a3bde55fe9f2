import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative, basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { fold, normalize } from '../text/index.ts';
import {
  Catalog,
  DocumentFrontMatter,
  Faq,
  Glossary,
  type Audience,
  type CatalogEntry,
  type FaqEntry,
  type Source,
} from './schema.ts';
import type { Kind } from '../contract.ts';

/** What a document is; part of the HTTP contract, since every citation says it. */
export type { Kind } from '../contract.ts';

export interface Section {
  /** URL fragment on the source page */
  anchor: string;
  /** how a citation names it: "Mục II.1.a. Phát triển …" or the heading */
  label: string;
  /** the plan's number ("II.1.a") or the heading text: what FAQ entries and evals refer to */
  ref: string;
  heading: string;
  level: number;
  /** Markdown-ish body: paragraphs and "- " list items, one per line */
  text: string;
  /** other names people use (glossary aliases): searched, not shown */
  keywords?: string[];
}

export interface CorpusDocument {
  id: string;
  kind: Kind;
  title: string;
  shortTitle: string;
  audience: Audience[];
  topics: string[];
  summary: string;
  sources: Source[];
  updated: string;
  lead: string;
  sections: Section[];
  meta: Record<string, unknown>;
  file: string;
}

export interface Chunk {
  id: string;
  docId: string;
  kind: Kind;
  title: string;
  section: string;
  anchor: string;
  text: string;
  audience: Audience[];
  /** for FAQ chunks: the question and its paraphrases, matched strongly */
  questions?: string[];
  /** for FAQ chunks: the sections that support the answer */
  supports?: { docId: string; anchor: string }[];
}

export interface Corpus {
  documents: CorpusDocument[];
  chunks: Chunk[];
  glossary: { term: string; aliases: string[]; definition: string }[];
  faq: FaqEntry[];
  catalog: CatalogEntry[];
  /** files read, for the content hash */
  files: { path: string; content: string }[];
}

export class CorpusError extends Error {
  constructor(readonly problems: string[]) {
    super(`Corpus không hợp lệ:\n- ${problems.join('\n- ')}`);
  }
}

export function slugify(text: string): string {
  return fold(text)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
}

const PLAN_NUMBER = /^(?<num>[IVX]+\.|\d+\.|[a-zđ]\))\s*(?<rest>.*)$/u;

/** Normalizes every string of parsed YAML; done after parsing, so “curly quotes” inside a quoted scalar stay legal. */
function normalizeValues(value: unknown): unknown {
  if (typeof value === 'string') return normalize(value);
  if (Array.isArray(value)) return value.map(normalizeValues);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeValues(v)]));
  return value;
}

function splitFrontMatter(raw: string, file: string): { data: unknown; body: string } {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(raw);
  if (!m) throw new CorpusError([`${file}: thiếu front matter (---)`]);
  return { data: normalizeValues(parseYaml(m[1]!)), body: normalize(raw.slice(m[0].length)) };
}

function parseSections(body: string, kind: Kind): { lead: string; sections: Section[] } {
  const sections: Section[] = [];
  const lead: string[] = [];
  const numbers: string[] = [];
  let current: Section | null = null;
  let buffer: string[] = [];
  const flush = () => {
    const text = buffer
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
    if (current) current.text = text;
    else if (text) lead.push(text);
    buffer = [];
  };
  for (const line of body.split(/\r?\n/)) {
    const h = /^(#{2,4})\s+(.+?)\s*$/.exec(line);
    if (!h) {
      buffer.push(line);
      continue;
    }
    flush();
    const level = h[1]!.length;
    const heading = h[2]!.replace(/\.$/, '');
    let ref = heading;
    let label = heading;
    const num = kind === 'plan' ? PLAN_NUMBER.exec(heading) : null;
    if (num) {
      numbers.length = level - 2;
      numbers[level - 2] = num.groups!.num!.replace(/[.)]$/, '');
      ref = numbers.join('.');
      label = `Mục ${ref}. ${num.groups!.rest}`;
    } else if (kind === 'plan') {
      numbers.length = 0;
    }
    current = { anchor: slugify(ref), label, ref, heading, level, text: '' };
    sections.push(current);
  }
  flush();
  return { lead: lead.join('\n\n'), sections };
}

function readYaml<T extends z.ZodType>(path: string, schema: T, problems: string[], root: string) {
  const text = readFileSync(path, 'utf8');
  const raw = normalize(text);
  const parsed = schema.safeParse(normalizeValues(parseYaml(text.normalize('NFC'))));
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push(`${relative(root, path)}: ${issue.path.join('.')}: ${issue.message}`);
    return { raw, value: undefined };
  }
  return { raw, value: parsed.data as z.infer<T> };
}

function listFiles(dir: string, ext: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => join(dir, f));
}

const MAX_CHUNK_CHARS = 1400;

/** One chunk per section; a long section is split between paragraphs, each part keeping the heading. */
function sectionChunks(doc: CorpusDocument, section: Section): Chunk[] {
  if (!section.text) return [];
  const parts: string[] = [];
  let part = '';
  for (const para of section.text.split(/\n\s*\n/)) {
    if (part && part.length + para.length > MAX_CHUNK_CHARS) {
      parts.push(part);
      part = '';
    }
    part = part ? `${part}\n\n${para}` : para;
  }
  if (part) parts.push(part);
  return parts.map((text, i) => ({
    id: `${doc.id}#${section.anchor}${i ? `-${i + 1}` : ''}`,
    docId: doc.id,
    kind: doc.kind,
    title: doc.shortTitle,
    section: section.label,
    anchor: section.anchor,
    text,
    audience: doc.audience,
    ...(section.keywords?.length ? { questions: [section.heading, ...section.keywords] } : {}),
  }));
}

/** "a, b và c": a Vietnamese list inside a sentence; commas only when an item has its own "và". */
function listVi(items: string[]): string {
  if (items.length < 2) return items[0] ?? '';
  if (items.some((i) => / và /.test(i))) return items.join(', ');
  return `${items.slice(0, -1).join(', ')} và ${items.at(-1)}`;
}

/** A type placed after "là": "Chế phẩm vi sinh …" becomes "chế phẩm vi sinh …"; "EM …" stays. */
function lowerFirst(s: string): string {
  return /^\p{Lu}\p{Ll}/u.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

const sentence = (s: string) => (/[.!?…]$/.test(s.trim()) ? s.trim() : `${s.trim()}.`);

/** A catalog entry as sentences, one a line, each naming the product: an extractive answer may quote any one of them.
 * Treated materials and organisms get a sentence of their own only when the entry's prose does not already say them. */
export function catalogText(e: CatalogEntry): string {
  const words = (t: string) => fold(t.replace(/\bspp\.?/g, '')).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const prose = new Set(words([e.name, e.type, ...e.uses, e.howToUse, ...e.cautions].join(' ')));
  // an item counts as said when most of its words already stand in the entry's prose
  const unsaid = (items: string[]) =>
    items.filter((i) => words(i).filter((w) => prose.has(w)).length < 0.7 * words(i).length);
  const treats = unsaid(e.treats);
  const organisms = unsaid(e.organisms);
  const lines = [
    `${e.name} là ${lowerFirst(e.type.trim().replace(/\.$/, ''))}.`,
    ...e.uses.map(sentence),
    treats.length ? sentence(`${e.name} được dùng cho ${listVi(treats)}`) : '',
    organisms.length ? sentence(`${e.name} chứa ${listVi(organisms)}`) : '',
    sentence(e.howToUse),
    ...e.cautions.map(sentence),
    sentence(e.legalNote),
    e.maker ? (/[.!?]$/.test(e.maker.trim()) ? e.maker.trim() : `Theo nguồn, ${e.name} do ${e.maker.trim()} sản xuất.`) : '',
    e.verified ? '' : `Thông tin về ${e.name} chưa được xác minh đầy đủ; hãy hỏi cán bộ kỹ thuật trước khi dùng.`,
  ];
  return lines.filter(Boolean).join('\n');
}

export const CATALOG_DOC_ID = 'danh-muc-san-pham';
/** "catalog" is accepted as a short name for the catalog document in references. */
export function canonicalDocId(docId: string): string {
  return docId === 'catalog' ? CATALOG_DOC_ID : docId;
}
export const GLOSSARY_DOC_ID = 'thuat-ngu';
export const FAQ_DOC_ID = 'hoi-dap';
export const CURATED_TITLE = 'Giải đáp của Sở Nông nghiệp và Môi trường';
/** The file under faq/ that `npm run faq:export` writes from the staff console; edited there, not by hand. */
export const CURATED_FAQ_FILE = 'curated.yaml';

/** Turns FAQ entries into chunks; `title` distinguishes curated answers of staff from the corpus FAQ. */
export function faqChunk(entry: FaqEntry, resolve: (docId: string, section?: string) => { docId: string; anchor: string } | null): Chunk {
  return {
    id: `${FAQ_DOC_ID}#${entry.id}`,
    docId: FAQ_DOC_ID,
    kind: 'faq',
    title: entry.curatedBy ? CURATED_TITLE : 'Hỏi đáp thường gặp',
    section: entry.question,
    anchor: entry.id,
    text: entry.answer,
    audience: entry.audience.length ? entry.audience : ['citizen', 'farmer', 'enterprise', 'student'],
    questions: [entry.question, ...entry.variants],
    supports: entry.sources.map((s) => resolve(s.docId, s.section)).filter((s) => s !== null),
  };
}

/** Finds the section a reference names: plan number ("II.1"), heading text, or anchor; prefixes match. */
export function findSection(doc: CorpusDocument, ref?: string): Section | null {
  if (!ref) return doc.sections.find((s) => s.text) ?? doc.sections[0] ?? null;
  const want = slugify(ref.replace(/^mục\s+(?=[IVX]+\b|\d)/iu, ''));
  return (
    doc.sections.find((s) => s.anchor === want || slugify(s.heading) === want) ??
    doc.sections.find((s) => s.anchor.startsWith(`${want}-`) && s.text) ??
    null
  );
}

export function loadCorpus(root: string): Corpus {
  const problems: string[] = [];
  const files: Corpus['files'] = [];
  const documents: CorpusDocument[] = [];

  const markdown = [
    ...listFiles(join(root, 'plan'), '.md').map((f) => ({ f, kind: 'plan' as const })),
    ...listFiles(join(root, 'guides'), '.md').map((f) => ({ f, kind: 'guide' as const })),
  ];
  for (const { f, kind } of markdown) {
    const raw = readFileSync(f, 'utf8');
    files.push({ path: relative(root, f), content: raw });
    if (raw !== raw.normalize('NFC')) problems.push(`${relative(root, f)}: văn bản chưa ở dạng NFC`);
    let split;
    try {
      split = splitFrontMatter(raw.normalize('NFC'), relative(root, f));
    } catch (e) {
      problems.push(e instanceof CorpusError ? e.problems[0]! : `${relative(root, f)}: ${String(e)}`);
      continue;
    }
    const fm = DocumentFrontMatter.safeParse(split.data);
    if (!fm.success) {
      for (const issue of fm.error.issues)
        problems.push(`${relative(root, f)}: ${issue.path.join('.')}: ${issue.message}`);
      continue;
    }
    if (fm.data.id !== basename(f, '.md')) problems.push(`${relative(root, f)}: id khác tên tệp`);
    if (fm.data.status !== 'published') continue;
    const { lead, sections } = parseSections(split.body, kind);
    const { id, title, shortTitle, audience, topics, summary, sources, updated, ...meta } = fm.data;
    if (lead) sections.unshift({ anchor: 'mo-dau', label: 'Phần mở đầu', ref: 'Phần mở đầu', heading: 'Phần mở đầu', level: 2, text: lead });
    documents.push({
      id,
      kind,
      title,
      shortTitle: shortTitle ?? title,
      audience,
      topics,
      summary: summary ?? '',
      sources,
      updated,
      lead,
      sections,
      meta,
      file: relative(root, f),
    });
  }

  const glossaryPath = join(root, 'glossary.yaml');
  let glossary: Corpus['glossary'] = [];
  if (existsSync(glossaryPath)) {
    const { raw, value } = readYaml(glossaryPath, Glossary, problems, root);
    files.push({ path: 'glossary.yaml', content: raw });
    if (value) {
      glossary = value;
      const sourceKeys = new Set<string>();
      const glossarySources = value.flatMap((g) => g.sources).filter((s) => {
        const key = `${s.title}|${s.ref ?? ''}`;
        return !sourceKeys.has(key) && sourceKeys.add(key);
      });
      documents.push({
        id: GLOSSARY_DOC_ID,
        kind: 'guide',
        title: 'Thuật ngữ công nghệ sinh học môi trường',
        shortTitle: 'Thuật ngữ',
        audience: ['citizen', 'farmer', 'enterprise', 'student'],
        topics: ['thuat-ngu'],
        summary: 'Giải thích ngắn các thuật ngữ thường gặp.',
        sources: glossarySources,
        updated: '',
        lead: '',
        sections: value.map((g) => ({
          anchor: slugify(g.term),
          label: g.term,
          ref: g.term,
          heading: g.term,
          level: 2,
          text: `${g.term}: ${g.definition}`,
          keywords: g.aliases,
        })),
        meta: {},
        file: 'glossary.yaml',
      });
    }
  }

  let catalog: CatalogEntry[] = [];
  for (const f of listFiles(join(root, 'catalog'), '.yaml')) {
    const { raw, value } = readYaml(f, Catalog, problems, root);
    files.push({ path: relative(root, f), content: raw });
    if (value) catalog = catalog.concat(value);
  }
  if (catalog.length) {
    documents.push({
      id: CATALOG_DOC_ID,
      kind: 'catalog',
      title: 'Danh mục loại chế phẩm và sản phẩm sinh học',
      shortTitle: 'Danh mục sản phẩm',
      audience: ['citizen', 'farmer', 'enterprise', 'student'],
      topics: ['san-pham'],
      summary: 'Các loại chế phẩm sinh học dùng trong xử lý chất thải, có nguồn cho từng mục.',
      sources: catalog.flatMap((e) => e.sources).filter((s, i, all) => all.findIndex((o) => o.title === s.title) === i),
      updated: '',
      lead: '',
      sections: catalog.map((e) => ({
        anchor: e.id,
        label: e.name,
        ref: e.name,
        heading: e.name,
        level: 2,
        text: catalogText(e),
      })),
      meta: { entries: catalog },
      file: 'catalog/',
    });
  }

  let faq: FaqEntry[] = [];
  for (const f of listFiles(join(root, 'faq'), '.yaml')) {
    const { raw, value } = readYaml(f, Faq, problems, root);
    files.push({ path: relative(root, f), content: raw });
    if (value) faq = faq.concat(value);
  }

  const byId = new Map<string, CorpusDocument>();
  for (const d of documents) {
    if (byId.has(d.id)) problems.push(`id tài liệu trùng: ${d.id}`);
    byId.set(d.id, d);
  }
  const resolve = (docId: string, section?: string) => {
    const doc = byId.get(canonicalDocId(docId));
    const s = doc ? findSection(doc, section) : null;
    return doc && s ? { docId: doc.id, anchor: s.anchor } : null;
  };

  const faqIds = new Set<string>();
  for (const e of faq) {
    if (faqIds.has(e.id)) problems.push(`id hỏi đáp trùng: ${e.id}`);
    faqIds.add(e.id);
    for (const s of e.sources)
      if (!resolve(s.docId, s.section))
        problems.push(`hỏi đáp ${e.id}: nguồn không tồn tại: ${s.docId} / ${s.section ?? ''}`);
  }

  const chunks = documents.flatMap((d) => d.sections.flatMap((s) => sectionChunks(d, s)));
  chunks.push(...faq.map((e) => faqChunk(e, resolve)));
  const chunkIds = new Set<string>();
  for (const c of chunks) {
    if (chunkIds.has(c.id)) problems.push(`id đoạn trùng: ${c.id}`);
    chunkIds.add(c.id);
  }

  if (problems.length) throw new CorpusError(problems);
  return { documents, chunks, glossary, faq, catalog, files };
}
