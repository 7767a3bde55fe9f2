import { html, type TemplateResult } from 'lit';
import type { GlossaryMatcher, GlossaryTerm } from './glossary.ts';

/**
 * The small Markdown subset answers may use: paragraphs (one per line), "- " lists, **bold**, links to the
 * assistant's own origin, and citation markers "[1]". Everything becomes Lit templates, where text is
 * always text: no innerHTML anywhere, so "<img onerror=…>" in an answer shows as those characters.
 */

export type Block = { list: false; text: string } | { list: true; items: string[] };

export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'bold'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'ref'; n: number };

export function parseBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const item = /^[-*•]\s+(.*)$/.exec(line)?.[1];
    const last = blocks.at(-1);
    if (item === undefined) blocks.push({ list: false, text: line });
    else if (last?.list) last.items.push(item);
    else blocks.push({ list: true, items: [item] });
  }
  return blocks;
}

const INLINE = /\*\*(.+?)\*\*|\[([^\]\n]+)\]\(([^)\s]+)\)|\[(\d{1,2})\]/g;

/** Links survive only when they point to `origin` over http(s); otherwise their text stays. */
export function parseInline(text: string, origin: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  const push = (piece: Inline) => {
    const prev = out.at(-1);
    if (piece.kind === 'text' && prev?.kind === 'text') prev.text += piece.text;
    else if (piece.kind !== 'text' || piece.text) out.push(piece);
  };
  for (const m of text.matchAll(INLINE)) {
    push({ kind: 'text', text: text.slice(last, m.index) });
    last = m.index + m[0].length;
    if (m[1] !== undefined) push({ kind: 'bold', text: m[1] });
    else if (m[4] !== undefined) push({ kind: 'ref', n: Number(m[4]) });
    else {
      let url: URL | null = null;
      try {
        url = new URL(m[3]!, `${origin}/`);
      } catch {
        // not a URL: keep the words
      }
      push(url && url.origin === origin && /^https?:$/.test(url.protocol) ? { kind: 'link', text: m[2]!, href: url.href } : { kind: 'text', text: m[2]! });
    }
  }
  push({ kind: 'text', text: text.slice(last) });
  return out;
}

export interface RenderContext {
  origin: string;
  /** number of citations: a marker beyond it stays plain text */
  refs: number;
  ref: (n: number) => TemplateResult;
  glossary: GlossaryMatcher | null;
  seen: Set<GlossaryTerm>;
  term: (entry: GlossaryTerm, text: string) => TemplateResult;
}

function inline(text: string, ctx: RenderContext) {
  return parseInline(text, ctx.origin).map((p) => {
    switch (p.kind) {
      case 'bold':
        return html`<strong>${p.text}</strong>`;
      case 'link':
        return html`<a href=${p.href} target="_blank" rel="noopener">${p.text}</a>`;
      case 'ref':
        return p.n >= 1 && p.n <= ctx.refs ? ctx.ref(p.n) : `[${p.n}]`;
      default:
        return ctx.glossary
          ? ctx.glossary(p.text, ctx.seen).map((g) => (typeof g === 'string' ? g : ctx.term(g.entry, g.text)))
          : p.text;
    }
  });
}

export function renderMarkdown(text: string, ctx: RenderContext) {
  return parseBlocks(text).map((b) =>
    b.list ? html`<ul>${b.items.map((i) => html`<li>${inline(i, ctx)}</li>`)}</ul>` : html`<p>${inline(b.text, ctx)}</p>`,
  );
}

/** The answer as a screen reader should hear it once: no markers, no asterisks. */
export function plainText(text: string): string {
  return parseBlocks(text)
    .flatMap((b) => (b.list ? b.items : [b.text]))
    .join(' ')
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/\[([^\]\n]+)\]\([^)\s]+\)/g, '$1')
    .replace(/\s*\[\d{1,2}\]/g, '');
}
