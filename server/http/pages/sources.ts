import { html } from 'hono/html';
import type { Assistant } from '../../assistant.ts';
import { CURATED_TITLE, FAQ_DOC_ID, type CorpusDocument } from '../../corpus/index.ts';
import type { CatalogEntry, OfficialRef, Source } from '../../corpus/schema.ts';
import { curatedById, listCurated } from '../../review/curated.ts';
import { page, prose, serviceFooter, serviceHeader, viDate } from './layout.ts';

const KIND_LABEL: Record<CorpusDocument['kind'], string> = {
  plan: 'Văn bản kế hoạch',
  guide: 'Tài liệu hướng dẫn',
  catalog: 'Danh mục',
  faq: 'Hỏi đáp',
};

function sourceList(sources: Source[]) {
  if (!sources.length) return '';
  return html`<section class="sources" aria-labelledby="nguon-tai-lieu">
    <h2 id="nguon-tai-lieu">Nguồn của tài liệu này</h2>
    <ol>
      ${sources.map(
        (s) => html`<li>
          ${s.url ? html`<a href="${s.url}" rel="noopener noreferrer external">${s.title}</a>` : html`<cite>${s.title}</cite>`}${s.publisher
            ? html` — ${s.publisher}`
            : ''}${s.note ? html`. ${s.note}` : ''}${s.ref ? html` <span class="ref">(tham chiếu: ${s.ref})</span>` : ''}
        </li>`,
      )}
    </ol>
  </section>`;
}

const PLAN_META: [key: string, label: string][] = [
  ['issuer', 'Cơ quan ban hành'],
  ['implements', 'Thực hiện'],
  ['submission', 'Theo đề nghị tại'],
  ['signer', 'Người ký'],
  ['note', 'Ghi chú'],
];

function planFacts(doc: CorpusDocument) {
  const rows = PLAN_META.filter(([k]) => typeof doc.meta[k] === 'string' && doc.meta[k]);
  const noNumber = 'documentNumber' in doc.meta && !doc.meta.documentNumber;
  if (!rows.length && !noNumber) return '';
  return html`<dl class="facts">
    ${rows.map(([k, label]) => html`<div><dt>${label}</dt><dd>${String(doc.meta[k])}</dd></div>`)}
    ${noNumber ? html`<div><dt>Số hiệu</dt><dd>Bản nguồn không ghi số và ngày ban hành của văn bản này.</dd></div>` : ''}
  </dl>`;
}

function catalogEntry(e: CatalogEntry) {
  const row = (label: string, value: string | string[] | undefined) => {
    const items = (Array.isArray(value) ? value : [value]).filter((v): v is string => !!v);
    if (!items.length) return '';
    return html`<div><dt>${label}</dt><dd>${items.length > 1 ? html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>` : items[0]}</dd></div>`;
  };
  return html`${e.verified
      ? ''
      : html`<p class="badge warn">Chưa xác minh đầy đủ — hãy hỏi cán bộ kỹ thuật trước khi dùng.</p>`}
    <dl class="facts">
      ${row('Loại', e.type)} ${row('Công dụng', e.uses)} ${row('Dùng cho', e.treats)} ${row('Vi sinh vật chính', e.organisms)}
      ${row('Cách dùng', e.howToUse)} ${row('Lưu ý', e.cautions)} ${row('Pháp lý', e.legalNote)} ${row('Nhà sản xuất (theo nguồn)', e.maker)}
    </dl>
    ${e.sources.length
      ? html`<p class="entry-sources">Nguồn: ${e.sources.map((s, i) => html`${i ? '; ' : ''}${s.url ? html`<a href="${s.url}" rel="noopener noreferrer external">${s.title}</a>` : s.title}`)}</p>`
      : ''}`;
}

/** The widget early in the page, so its launcher (fixed to a corner) comes early in the Tab order. */
const launcher = (widget: string | null) => (widget ? html`<cnsh-chat site="trang-nguon"></cnsh-chat>` : '');

const HEADING = { 2: 'h2', 3: 'h3', 4: 'h4' } as const;

/** `ref`: the plan's full number ("II.1.a") above a sub-heading that shows only "a)": citations name it so. */
function heading(level: number, id: string, text: string, ref?: string) {
  const tag = HEADING[Math.min(4, Math.max(2, level)) as 2 | 3 | 4];
  return html`<${tag} id="${id}">${ref ? html`<span class="secref">Mục ${ref}</span> ` : ''}${text}</${tag}>`;
}

function toc(items: { anchor: string; text: string; level: number }[]) {
  if (items.length < 3) return '';
  return html`<nav class="toc" aria-labelledby="muc-luc">
    <h2 id="muc-luc">Mục lục</h2>
    <ol>
      ${items.map((s) => html`<li class="l${s.level}"><a href="#${s.anchor}">${s.text}</a></li>`)}
    </ol>
  </nav>`;
}

function documentPage(doc: CorpusDocument, widget: string | null) {
  const entries = doc.kind === 'catalog' ? ((doc.meta.entries as CatalogEntry[] | undefined) ?? []) : [];
  const body = html`${launcher(widget)}${serviceHeader('sources')}
    <main id="noi-dung" class="wrap doc">
      <nav aria-label="Vị trí trang" class="crumbs"><a href="/nguon">Tài liệu nguồn</a> › <span>${doc.shortTitle}</span></nav>
      <header class="doc-head">
        <p class="kicker">${KIND_LABEL[doc.kind]}${doc.updated ? html` · Cập nhật ${viDate(doc.updated)}` : ''}</p>
        <h1>${doc.title}</h1>
        ${doc.summary ? html`<p class="lede">${doc.summary}</p>` : ''}
        ${doc.kind === 'plan' ? planFacts(doc) : ''}
      </header>
      ${toc(doc.sections.map((s) => ({ anchor: s.anchor, text: s.heading, level: s.level })))}
      <div class="prose">
        ${doc.sections.map((s) => {
          const entry = entries.find((e) => e.id === s.anchor);
          return html`<section class="part">
            ${heading(s.level, s.anchor, s.heading, doc.kind === 'plan' && s.level > 2 && s.label.startsWith('Mục ') ? s.ref : undefined)}
            ${entry ? catalogEntry(entry) : prose(s.text)}
          </section>`;
        })}
      </div>
      ${sourceList(doc.sources)}
    </main>
    ${serviceFooter()}`;
  return page({ title: `${doc.shortTitle} — Tài liệu nguồn Hỏi đáp CNSH`, description: doc.summary || doc.title, theme: 'service', body, widget });
}

interface FaqRow {
  section: string;
  anchor: string;
  text: string;
  supports: string | null;
  origin: 'corpus' | 'curated';
}

/** The outside documents FAQ entries rest on: from corpus/faq, or from the console's table for staff answers. */
async function officialRefs(assistant: Assistant, entryIds: string[]): Promise<Map<string, OfficialRef[]>> {
  const refs = new Map<string, OfficialRef[]>();
  const curated: string[] = [];
  for (const id of entryIds) {
    const entry = assistant.corpus.faq.find((e) => e.id === id);
    if (entry) refs.set(id, entry.references);
    else curated.push(id);
  }
  if (curated.length === 1) refs.set(curated[0]!, (await curatedById(assistant.state, curated[0]!))?.references ?? []);
  else if (curated.length) {
    const all = new Map((await listCurated(assistant.state)).map((a) => [a.id, a.references]));
    for (const id of curated) refs.set(id, all.get(id) ?? []);
  }
  return refs;
}

/** What a FAQ entry rests on, as links: the corpus sections it cites (the chunk's `supports`), then outside documents. */
function basisOf(assistant: Assistant, supports: string | null, references: OfficialRef[]): { text: string; href: string }[] {
  const docs = new Map(assistant.corpus.documents.map((d) => [d.id, d]));
  return [
    ...(JSON.parse(supports ?? '[]') as { docId: string; anchor: string }[]).flatMap((s) => {
      const doc = docs.get(s.docId);
      const section = doc?.sections.find((x) => x.anchor === s.anchor);
      return doc ? [{ href: `/nguon/${encodeURIComponent(s.docId)}#${encodeURIComponent(s.anchor)}`, text: `${doc.shortTitle}${section ? ` — ${section.label}` : ''}` }] : [];
    }),
    ...references.map((r) => ({ href: r.url, text: r.title })),
  ];
}

export interface SectionText {
  docId: string;
  title: string;
  section: string;
  text: string;
  url: string;
  /** where the section's own claims come from (FAQ entries) */
  basis: { text: string; href: string }[];
}

/** One section as text, for the widget's reader on a phone: the same words as the source page, no markup. */
export async function sectionText(assistant: Assistant, docId: string, anchor: string): Promise<SectionText | null> {
  const url = `/nguon/${encodeURIComponent(docId)}#${encodeURIComponent(anchor)}`;
  if (docId === FAQ_DOC_ID) {
    const row = assistant.db.prepare(`SELECT title, section, text, supports FROM chunks WHERE doc_id = ? AND anchor = ? LIMIT 1`).get(docId, anchor) as
      | { title: string; section: string; text: string; supports: string | null }
      | undefined;
    if (!row) return null;
    const refs = await officialRefs(assistant, [anchor]);
    return { docId, title: row.title, section: row.section, text: row.text, url, basis: basisOf(assistant, row.supports, refs.get(anchor) ?? []) };
  }
  const doc = assistant.corpus.documents.find((d) => d.id === docId);
  const at = doc?.sections.findIndex((s) => s.anchor === anchor) ?? -1;
  if (!doc || at < 0) return null;
  const head = doc.sections[at]!;
  // a heading without text of its own reads as its sub-sections
  const parts = [head.text];
  for (let i = at + 1; !head.text && i < doc.sections.length && doc.sections[i]!.level > head.level; i++)
    parts.push(`${doc.sections[i]!.heading}\n${doc.sections[i]!.text}`);
  return { docId, title: doc.shortTitle, section: head.label, text: parts.filter(Boolean).join('\n'), url, basis: [] };
}

/** FAQ entries as indexed, so answers curated by staff appear here as soon as they are published. */
async function faqPage(assistant: Assistant, widget: string | null) {
  const rows = assistant.db
    .prepare(`SELECT section, anchor, text, supports, origin FROM chunks WHERE doc_id = ? ORDER BY origin = 'curated' DESC, rowid`)
    .all(FAQ_DOC_ID) as FaqRow[];
  const refs = await officialRefs(assistant, rows.map((r) => r.anchor));
  const body = html`${launcher(widget)}${serviceHeader('sources')}
    <main id="noi-dung" class="wrap doc">
      <nav aria-label="Vị trí trang" class="crumbs"><a href="/nguon">Tài liệu nguồn</a> › <span>Hỏi đáp thường gặp</span></nav>
      <header class="doc-head">
        <p class="kicker">Hỏi đáp</p>
        <h1>Hỏi đáp thường gặp</h1>
        <p class="lede">Câu trả lời ngắn cho những câu hỏi hay gặp, mỗi câu dẫn tới mục tài liệu làm căn cứ.</p>
      </header>
      ${toc(rows.map((r) => ({ anchor: r.anchor, text: r.section, level: 2 })))}
      <div class="prose">
        ${rows.map((r) => {
          const links = basisOf(assistant, r.supports, refs.get(r.anchor) ?? []);
          return html`<section class="part">
            ${heading(2, r.anchor, r.section)} ${r.origin === 'curated' ? html`<p class="badge">${CURATED_TITLE}</p>` : ''} ${prose(r.text)}
            ${links.length
              ? html`<p class="entry-sources">Căn cứ: ${links.map((l, i) => html`${i ? '; ' : ''}<a href="${l.href}">${l.text}</a>`)}</p>`
              : ''}
          </section>`;
        })}
      </div>
    </main>
    ${serviceFooter()}`;
  return page({ title: 'Hỏi đáp thường gặp — Hỏi đáp CNSH', description: 'Câu hỏi thường gặp về công nghệ sinh học bảo vệ môi trường ở Sơn La.', theme: 'service', body, widget });
}

function indexPage(assistant: Assistant, widget: string | null) {
  const docs = assistant.corpus.documents;
  const group = (title: string, list: CorpusDocument[]) =>
    list.length
      ? html`<section class="group">
          <h2>${title}</h2>
          <ul class="cards">
            ${list.map(
              (d) => html`<li class="card">
                <h3><a href="/nguon/${d.id}">${d.title}</a></h3>
                ${d.summary ? html`<p>${d.summary}</p>` : ''}
              </li>`,
            )}
          </ul>
        </section>`
      : '';
  const student = (d: CorpusDocument) => d.audience.length === 1 && d.audience[0] === 'student';
  const body = html`${launcher(widget)}${serviceHeader('sources')}
    <main id="noi-dung" class="wrap doc">
      <header class="doc-head">
        <h1>Tài liệu nguồn</h1>
        <p class="lede">
          Mọi câu trả lời của trợ lý đều trích từ các tài liệu dưới đây. Mỗi tài liệu ghi rõ nguồn gốc; bấm vào để đọc toàn văn.
        </p>
      </header>
      ${group('Văn bản kế hoạch', docs.filter((d) => d.kind === 'plan'))}
      ${group('Hướng dẫn cho người dân, nhà nông và doanh nghiệp', docs.filter((d) => d.kind === 'guide' && !student(d)))}
      ${group('Bài học cho học sinh', docs.filter((d) => d.kind === 'guide' && student(d)))}
      ${group('Danh mục', docs.filter((d) => d.kind === 'catalog'))}
      <section class="group">
        <h2>Hỏi đáp</h2>
        <ul class="cards">
          <li class="card">
            <h3><a href="/nguon/${FAQ_DOC_ID}">Hỏi đáp thường gặp</a></h3>
            <p>Câu trả lời ngắn cho những câu hỏi hay gặp, kèm căn cứ.</p>
          </li>
        </ul>
      </section>
    </main>
    ${serviceFooter()}`;
  return page({ title: 'Tài liệu nguồn — Hỏi đáp CNSH', description: 'Các tài liệu mà trợ lý Hỏi đáp CNSH trích dẫn.', theme: 'service', body, widget });
}

export function notFoundPage() {
  const body = html`${serviceHeader()}
    <main id="noi-dung" class="wrap doc">
      <h1>Không tìm thấy trang</h1>
      <p>Tài liệu bạn tìm không có hoặc đã đổi địa chỉ. Xem <a href="/nguon">danh sách tài liệu nguồn</a>.</p>
    </main>
    ${serviceFooter()}`;
  return page({ title: 'Không tìm thấy trang — Hỏi đáp CNSH', description: 'Không tìm thấy trang.', theme: 'service', body });
}

/** The readable source pages that citations link to: `/nguon/<docId>#<section anchor>`. */
export async function sourcePage(assistant: Assistant, docId: string | null, widget: string | null) {
  if (docId === null) return indexPage(assistant, widget);
  if (docId === FAQ_DOC_ID) return await faqPage(assistant, widget);
  const doc = assistant.corpus.documents.find((d) => d.id === docId);
  return doc ? documentPage(doc, widget) : null;
}
