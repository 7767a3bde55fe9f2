import type { ChatResponse, Citation } from '../contract.ts';

/**
 * How an answer is written for where it is read. The widget reads the small Markdown subset of
 * widget/src/markdown.ts as the pipeline writes it; a messenger shows plain text, so there the answer loses
 * its Markdown and its sources follow as a short numbered list of absolute links.
 */

export type AnswerFormat = 'markdown' | 'plain';

export interface PlainOptions {
  /** PUBLIC_BASE_URL: relative source links become absolute; without it a source is named, not linked */
  baseUrl?: string | null;
  /** the heading of the follow-up questions */
  suggestionsLabel?: string;
}

export const SOURCES_LABEL = 'Nguồn:';
export const SUGGESTIONS_LABEL = 'Bạn có thể hỏi:';

/** A source link a person can open from a phone: absolute, on the public origin. */
export function absoluteUrl(url: string | undefined, baseUrl: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const absolute = new URL(url, baseUrl ? `${baseUrl.replace(/\/+$/, '')}/` : undefined);
    // a phone opens what it is given: only web links are written out
    return /^https?:$/.test(absolute.protocol) ? absolute.href : null;
  } catch {
    return null; // relative, and no public origin to resolve it against
  }
}

/** One line per cited source: "[1] Title – Section: https://…/nguon/…". */
export function sourceLines(citations: Citation[], baseUrl: string | null | undefined): string[] {
  return citations.map((c, i) => {
    const name = c.section && c.section !== c.title ? `${c.title} – ${c.section}` : c.title;
    const link = absoluteUrl(c.url, baseUrl);
    return `[${i + 1}] ${name}${link ? `: ${link}` : ''}`;
  });
}

/** The Markdown subset as plain text: no bold markers, list dashes as bullets, links as "text (url)". */
export function plainText(markdown: string, baseUrl?: string | null): string {
  return markdown
    .split('\n')
    .map((line) =>
      line
        .trim()
        .replace(/^[-*•]\s+/, '• ')
        .replace(/\*\*(.+?)\*\*/g, '$1')
        .replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (_m, text: string, href: string) => {
          const link = absoluteUrl(href, baseUrl);
          return link ? `${text} (${link})` : text;
        }),
    )
    .filter(Boolean)
    .join('\n');
}

/** The whole reply for a messenger: the answer, its numbered sources, and the choices when there are any. */
export function formatPlain(response: Pick<ChatResponse, 'answer' | 'answered' | 'citations' | 'suggestions' | 'clarify'>, options: PlainOptions = {}): string {
  const parts = [plainText(response.answer, options.baseUrl)];
  if (response.citations.length) parts.push([SOURCES_LABEL, ...sourceLines(response.citations, options.baseUrl)].join('\n'));
  // a declined or clarifying answer points somewhere: its suggestions are the way on
  if ((!response.answered || response.clarify) && response.suggestions.length)
    parts.push([options.suggestionsLabel ?? SUGGESTIONS_LABEL, ...response.suggestions.map((s) => `• ${s}`)].join('\n'));
  return parts.join('\n\n');
}

/** The answer in the given format. */
export function formatAnswer(response: ChatResponse, format: AnswerFormat, options: PlainOptions = {}): string {
  return format === 'markdown' ? response.answer : formatPlain(response, options);
}

const length = (s: string) => [...s].length;

/** Cuts `text` at the last boundary matched by `re` that leaves at most `max` characters before it. */
function cutAt(text: string, max: number, re: RegExp): number {
  let best = -1;
  for (const m of text.matchAll(re)) {
    const end = m.index + m[0].length;
    if (length(text.slice(0, end).trimEnd()) > max) break;
    best = end;
  }
  return best;
}

/**
 * Splits a reply into messages of at most `max` characters (Zalo and Messenger both take 2,000): at a blank
 * line first, then at a line (a list item), then after a sentence, then between words; a single word longer
 * than a message is cut where it must be.
 */
export function splitMessage(text: string, max = 2000): string[] {
  const out: string[] = [];
  let rest = text.trim();
  while (length(rest) > max) {
    let cut = -1;
    for (const re of [/\n\s*\n/g, /\n/g, /[.!?…;:](?=\s)/g, /\s+/g]) {
      cut = cutAt(rest, max, re);
      if (cut > 0) break;
    }
    if (cut <= 0) cut = [...rest].slice(0, max).join('').length;
    out.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) out.push(rest);
  return out;
}

/** Splits an answer into pieces for streaming, at word boundaries (what a client sees when nothing is generated). */
export function streamPieces(text: string, size = 24): string[] {
  const out: string[] = [];
  const words = text.split(/(?<=\s)/);
  for (let i = 0; i < words.length; i += size) out.push(words.slice(i, i + size).join(''));
  return out;
}
