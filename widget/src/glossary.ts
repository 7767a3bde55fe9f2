/** Glossary terms that a student can tap in an answer (GET /api/glossary, fetched once, lazily). */
export interface GlossaryTerm {
  term: string;
  aliases: string[];
  definition: string;
}

/** A piece of answer text: plain, or a glossary term as written in the answer. */
export type GlossaryPiece = string | { entry: GlossaryTerm; text: string };

export type GlossaryMatcher = (text: string, seen: Set<GlossaryTerm>) => GlossaryPiece[];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Finds glossary terms and their aliases in text, longest name first, whole words only, and each
 * entry once per answer (a term tapped once is enough; ten underlines are noise).
 */
export function glossaryMatcher(terms: GlossaryTerm[]): GlossaryMatcher {
  const byName = new Map<string, GlossaryTerm>();
  for (const entry of terms)
    for (const name of [entry.term.replace(/\s*\(.*\)\s*$/, ''), ...entry.aliases]) {
      const key = name.trim().toLocaleLowerCase('vi');
      if (key.length >= 3 && /\p{L}/u.test(key) && !byName.has(key)) byName.set(key, entry);
    }
  if (!byName.size) return (text) => [text];
  const names = [...byName.keys()].sort((a, b) => b.length - a.length).map(escape);
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${names.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  return (text, seen) => {
    const out: GlossaryPiece[] = [];
    let last = 0;
    for (const m of text.matchAll(pattern)) {
      const entry = byName.get(m[0].toLocaleLowerCase('vi'));
      if (!entry || seen.has(entry)) continue;
      seen.add(entry);
      if (m.index > last) out.push(text.slice(last, m.index));
      out.push({ entry, text: m[0] });
      last = m.index + m[0].length;
    }
    if (last < text.length) out.push(text.slice(last));
    return out;
  };
}

const loaded = new Map<string, Promise<GlossaryTerm[]>>();

export function loadGlossary(apiBase: string): Promise<GlossaryTerm[]> {
  let p = loaded.get(apiBase);
  if (!p) {
    p = fetch(`${apiBase}/api/glossary`, { credentials: 'omit' })
      .then((r) => (r.ok ? (r.json() as Promise<GlossaryTerm[]>) : []))
      .catch(() => []);
    // a failed fetch may be retried by the next answer
    p.then((list) => list.length || loaded.delete(apiBase));
    loaded.set(apiBase, p);
  }
  return p;
}
