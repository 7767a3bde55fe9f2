import { GLOSSARY_DOC_ID, type Chunk } from '../corpus/index.ts';
import type { DB } from '../index/db.ts';
import type { Embedder } from '../index/embedder.ts';
import { boundedCache, roughSize } from '../cache/index.ts';
import { analyze, fold, ftsQuote, hasDiacritics, tokenize, topicWords } from '../text/index.ts';

export type RetrievalMode = 'hybrid' | 'bm25' | 'vector' | 'naive';

export interface Hit {
  rowid: number;
  chunk: Chunk;
  /** 0..1: how much of the question's topic words (IDF-weighted) the chunk contains */
  coverage: number;
  /** 0..1: the same for the ask's focus (its topic words only), when one was given */
  focusCoverage: number;
  /** 0..1: of the focus's word pairs ("du lịch" in "kế hoạch, du lịch"), the share the chunk has */
  focusPairs: number;
  /** 0..1: how much of the story around the ask (or the conversation's topic) the chunk covers; 0 without one */
  contextCoverage: number;
  /** the chunk and the question share a term of the domain (a heading or glossary word, not a generic one) */
  domain: boolean;
  score: number;
}

export interface QueryAnalysis {
  /** topic words, folded and typo-corrected */
  content: string[];
  /** adjacent topic-word bigrams, folded */
  bigrams: string[];
  /** accented topic words as typed (only those not corrected), when the question has diacritics */
  accented: string[];
  corrected: Record<string, string>;
  /** words unknown to the corpus even after typo correction */
  unknown: string[];
  /** every folded token of the question, stopwords included */
  all: string[];
}

/**
 * Everyday words that say little about the topic ("nhanh", "sức khỏe", "thực tế"): a chunk that lacks them
 * still answers the question, so they weigh less in coverage. Folded, so both typings count.
 */
const GENERAL_WORDS = new Set(
  topicWords(
    'nhiều ít nhanh chậm người nhà biết xem thực tế an toàn sức khỏe khỏe tốt xấu hơn nhất lớn nhỏ cao thấp cũ ' +
      'lấy bỏ đổ đặt giữ mua bán nghe nhìn thấy hiểu học chung riêng thường ngay sau trước ngoài giữa ngày tháng ' +
      'tuần giờ lần lúc bây thời gian gần xa đủ thiếu hết còn khác giống thể ảnh hưởng lợi ích cách việc điều ' +
      'chuyện thứ trời nóng lạnh sạch bẩn ăn uống ngủ nằm ngồi đứng mở đóng kéo đẩy tìm thử dễ khó thật hỏng ' +
      'kịp rõ mình',
  ),
);

export interface Retrieval {
  query: QueryAnalysis;
  /** the question in the corpus's terms (the `alternative` option), analyzed, or null */
  alternative: QueryAnalysis | null;
  hits: Hit[];
  /** false when a list was missing (the embedding model did not answer): not worth remembering */
  complete: boolean;
}

interface ChunkRow {
  rowid: number;
  id: string;
  doc_id: string;
  kind: Chunk['kind'];
  title: string;
  section: string;
  anchor: string;
  text: string;
  audience: string;
  questions: string | null;
  supports: string | null;
  terms: string;
}

function toChunk(r: ChunkRow): Chunk {
  return {
    id: r.id,
    docId: r.doc_id,
    kind: r.kind,
    title: r.title,
    section: r.section,
    anchor: r.anchor,
    text: r.text,
    audience: JSON.parse(r.audience),
    ...(r.questions ? { questions: JSON.parse(r.questions) } : {}),
    ...(r.supports ? { supports: JSON.parse(r.supports) } : {}),
  };
}

/** Optimal string alignment distance, stopping early past `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    let rowMin = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
  }
  return d[a.length]![b.length]!;
}

/** What the retrieval and answer memos keep: questions up to 300 characters, 8 MB each at most. */
export const MEMO_LIMITS = { maxEntries: 2000, maxBytes: 8 * 1024 * 1024, maxKeyLength: 340 };
/** objects a memo entry only points to (owned by the index): not counted in its size */
export const SHARED = new Set(['chunk']);

/** Vocabulary scans for typo correction per question: more unknown words than this are left as typed. */
export const MAX_SCANS_PER_QUESTION = 3;

/** Topic words read from one question (its last ones): more are a wall of words, not a question. */
export const MAX_QUERY_WORDS = 60;
/**
 * Every weight of ranking in one place. Fitted by hand on evals/dev (never on the holdout); the history of each
 * is in git. RRF fuses the BM25 and vector ranks; the others nudge near-equal fused scores (RRF scores are ~0.016).
 */
export const WEIGHTS = {
  /** reciprocal rank fusion constant (the usual 60) */
  rrfK: 60,
  /** a term in more than this share of chunks is too common to name a topic ("kế hoạch", "sinh học") */
  genericShare: 0.06,
  /** share of coverage that comes from word pairs rather than single syllables */
  bigram: 0.5,
  /** what the chunk covers of the ask decides among near-equal ranks */
  coverage: 0.03,
  /** a heading that says what was asked ("Đệm lót sinh học là gì") */
  heading: 0.01,
  /** topic words of the story around the ask or of the conversation: order results, never decide them */
  context: 0.006,
  /** a glossary line defines a word; a guide section explains it */
  glossaryPenalty: 0.01,
  /** a citizen asking how to run a pit wants the farmers' guide before the biology lesson */
  studentOnlyPenalty: 0.004,
  /** content written for the asker */
  audienceBonus: 0.001,
  /** the question in the corpus's terms ("heo" read as "lợn") weighs a little less than the words typed */
  alternative: 0.85,
  /** everyday words ("nhanh", "sức khỏe") weigh this much in coverage */
  general: 0.3,
  /** candidates read from each ranked list */
  depth: 40,
} as const;

/**
 * Word pairs that the corpus writes with both syllables capitalised in most of their occurrences after the
 * start of a sentence: names of places and bodies. "Hôm nay Mộc Châu có mưa không" names no topic.
 */
export function properNamesOf(texts: readonly string[]): Set<string> {
  const capital = new Map<string, number>();
  const seen = new Map<string, number>();
  for (const text of texts)
    for (const sentence of text.split(/[.!?:;\n]+/)) {
      const words = sentence.match(/[\p{L}\p{N}]+/gu) ?? [];
      for (let i = 1; i + 1 < words.length; i++) {
        const key = `${fold(words[i]!)}_${fold(words[i + 1]!)}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        if (/^\p{Lu}/u.test(words[i]!) && /^\p{Lu}/u.test(words[i + 1]!)) capital.set(key, (capital.get(key) ?? 0) + 1);
      }
    }
  const out = new Set<string>();
  for (const [key, n] of capital) if (n >= 2 && n / seen.get(key)! >= 0.8) out.add(key);
  return out;
}

export interface RetrieveOptions {
  mode?: RetrievalMode;
  audience?: string;
  limit?: number;
  /** the question in the corpus's terms (server/understand): a chunk may cover either reading */
  alternative?: string | null;
  /** topic words around the ask (the story, the conversation): they order results, never decide them */
  context?: string;
  /** what coverage is measured on (the question without its frame), and the same in the corpus's terms */
  measure?: string;
  measureAlternative?: string | null;
  /** the ask's topic words, and the same in the corpus's terms: measured as `focusCoverage` */
  focus?: string;
  focusAlternative?: string | null;
}

export interface Retriever {
  retrieve(question: string, options?: RetrieveOptions): Promise<Retrieval>;
  /** a folded word or pair of the corpus's headings and glossary, rare enough to name a topic */
  isDomain(term: string): boolean;
  /** a folded word in more than `WEIGHTS.genericShare` of chunks: it names no topic */
  isGeneric(term: string): boolean;
  /** a folded word pair in at least one chunk and at most `WEIGHTS.genericShare` of them */
  isKnownPair(pair: string): boolean;
  /** a folded word pair the corpus writes capitalised, a name of a place or body (`properNamesOf`) */
  isProperName(pair: string): boolean;
  /** IDF of a folded syllable; unknown words weigh the most */
  idf(term: string): number;
  analyzeQuery(question: string): QueryAnalysis;
  /** re-reads document frequencies after the index changed (a curated answer was published) */
  refresh(): void;
  /**
   * Changes whenever the index does — here (refresh()) or in another process on the same DATA_DIR (a second
   * server where staff published an answer, a CLI that rebuilt the index): what was worked out before is stale.
   */
  readonly generation: number;
  chunkById(id: string): Chunk | null;
}

export function createRetriever(db: DB, embedder: Embedder): Retriever {
  let df = new Map<string, number>();
  let total = 1;
  let vocabulary: string[] = [];
  /** corrections already worked out (cleared with the vocabulary): a word costs its scan once */
  const corrections = boundedCache<{ fix: string | null }>({ maxEntries: 20_000, maxBytes: 2 * 1024 * 1024, maxKeyLength: 40, sizeOf: () => 64 });
  const termSets = new Map<number, Set<string>>();
  const indexed = new Map<number, { chunk: Chunk; heading: string[] }>();
  /**
   * questions repeat (the starters every visitor is shown): a retrieval is remembered until the index changes;
   * bounded by bytes too, and only for short questions (the chunks it names are the index's, not counted)
   */
  const recent = boundedCache<Retrieval>({ ...MEMO_LIMITS, sizeOf: (r) => roughSize(r, SHARED) });
  /** words and word pairs of headings and glossary terms that are specific (rare enough) to name a topic */
  let lexicon = new Set<string>();
  /** word pairs the corpus writes capitalised: places and bodies ("Mộc Châu", "Tây Ninh"), never a topic */
  let properNames = new Set<string>();

  let generation = 0;
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const indexVersion = db.prepare("SELECT value FROM meta WHERE key = 'index_version'").pluck();
  let seenData: unknown = null;
  let seenIndex: unknown = null;
  /** SQLite's data_version moves when another connection commits; only then is the index's own counter read */
  const current = () => {
    const data = dataVersion.get();
    if (data === seenData) return;
    seenData = data;
    if (indexVersion.get() !== seenIndex) refresh();
  };

  const refresh = () => {
    generation++;
    seenData = dataVersion.get();
    seenIndex = indexVersion.get();
    df = new Map();
    termSets.clear();
    indexed.clear();
    recent.clear();
    const rows = db.prepare('SELECT rowid, terms FROM chunks').all() as { rowid: number; terms: string }[];
    for (const r of rows) {
      const set = new Set(r.terms.split(' '));
      termSets.set(r.rowid, set);
      for (const t of set) df.set(t, (df.get(t) ?? 0) + 1);
    }
    total = Math.max(rows.length, 1);
    vocabulary = [...df.keys()].filter((t) => !t.includes('_') && t.length >= 2 && !/^\d+$/.test(t));
    properNames = properNamesOf(db.prepare('SELECT text FROM chunks').pluck().all() as string[]);
    corrections.clear();
    lexicon = new Set();
    const names = db.prepare("SELECT section, questions FROM chunks WHERE kind != 'faq'").all() as { section: string; questions: string | null }[];
    for (const n of names)
      for (const name of [n.section, ...(n.questions ? (JSON.parse(n.questions) as string[]) : [])]) {
        const words = topicWords(name);
        const candidates = [...words.filter((w) => w.length >= 3), ...words.slice(1).map((w, i) => `${words[i]}_${w}`)];
        for (const c of candidates) if ((df.get(c) ?? 0) / total <= WEIGHTS.genericShare && !/^\d+$/.test(c)) lexicon.add(c);
      }
  };
  refresh();

  const idf = (t: string) => Math.log(1 + (total + 1) / ((df.get(t) ?? 0) + 0.5));


  /**
   * The closest vocabulary word to an unknown one. `budget.scans` counts the vocabulary scans this question may
   * still do (MAX_SCANS_PER_QUESTION): a question of 250 made-up words costs a few normal ones, not 250 scans.
   */
  const correct = (t: string, typedWithMarks: boolean, budget: { scans: number }): string | null => {
    if (df.has(t) || /\d/.test(t)) return null;
    // a doubled key ("aii", "ammm") is the commonest slip on a phone
    const single = t.replace(/(.)\1+/g, '$1');
    if (single !== t && single.length >= 2 && df.has(single)) return single;
    // a word typed with its marks is a real word the corpus lacks ("chống"), not a slip for "không"
    if (t.length < 5 || typedWithMarks) return null;
    const known = corrections.get(t);
    if (known) return known.fix;
    if (budget.scans <= 0) return null;
    budget.scans--;
    const max = t.length >= 8 ? 2 : 1;
    let best: string | null = null;
    let bestD = max + 1;
    let bestDf = 0;
    for (const v of vocabulary) {
      if (Math.abs(v.length - t.length) > max) continue;
      const d = editDistance(t, v, max);
      const f = df.get(v)!;
      if (d < bestD || (d === bestD && f > bestDf)) {
        best = v;
        bestD = d;
        bestDf = f;
      }
    }
    const fix = bestD <= max ? best : null;
    corrections.set(t, { fix });
    return fix;
  };

  const analyzeQuery = (question: string): QueryAnalysis => {
    const whole = analyze(question);
    // a question names a few dozen words at most: past MAX_QUERY_WORDS topic words only the last are read (the ask
    // ends a message), so a crafted wall of words costs what a long question does
    let from = 0;
    for (let i = whole.tokens.length - 1, n = 0; i >= 0; i--) if (!whole.stop[i] && ++n > MAX_QUERY_WORDS) {
      from = i + 1;
      break;
    }
    const tokens = whole.tokens.slice(from);
    const folded = whole.folded.slice(from);
    const stop = whole.stop.slice(from);
    const breaks = whole.breaks.slice(from);
    const corrected: Record<string, string> = {};
    const budget = { scans: MAX_SCANS_PER_QUESTION };
    const keep: { folded: string; accented: string | null }[] = [];
    tokens.forEach((tok, i) => {
      // "aaaaaa", "bbbb": a key held down is not a word
      if (stop[i] || /^(.)\1+$/.test(folded[i]!)) {
        keep.push({ folded: '', accented: null });
        return;
      }
      const fix = correct(folded[i]!, hasDiacritics(tok), budget);
      if (fix) corrected[folded[i]!] = fix;
      keep.push({ folded: fix ?? folded[i]!, accented: fix || !hasDiacritics(tok) ? null : tok });
    });
    const content = keep.map((k) => k.folded).filter(Boolean);
    const bigrams: string[] = [];
    for (let i = 0; i + 1 < keep.length; i++)
      if (keep[i]!.folded && keep[i + 1]!.folded && !breaks[i + 1]) bigrams.push(`${keep[i]!.folded}_${keep[i + 1]!.folded}`);
    const accented = keep.map((k) => k.accented).filter((a): a is string => !!a);
    const unknown = [...new Set(content.filter((t) => !df.has(t)))];
    return {
      content: [...new Set(content)],
      bigrams: [...new Set(bigrams)],
      accented: [...new Set(accented)],
      corrected,
      unknown,
      all: keep.map((k, i) => k.folded || folded[i]!),
    };
  };

  const chunkStmt = db.prepare('SELECT * FROM chunks WHERE rowid = ?');
  /** a chunk and its analyzed heading, read once per index version (refresh() clears it): the hot path of every question */
  const chunkAt = (rowid: number): { chunk: Chunk; heading: string[] } | null => {
    let entry = indexed.get(rowid);
    if (!entry) {
      const row = chunkStmt.get(rowid) as ChunkRow | undefined;
      if (!row) return null;
      const chunk = toChunk(row);
      entry = { chunk, heading: analyze(chunk.section).folded };
      indexed.set(rowid, entry);
    }
    return entry;
  };
  const chunkByIdStmt = db.prepare('SELECT * FROM chunks WHERE id = ?');
  const ftsStmt = db.prepare(
    'SELECT rowid, bm25(chunks_fts, 3.0, 2.5, 1.0, 2.0, 0.6) AS score FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY score LIMIT ?',
  );
  const naiveStmt = db.prepare('SELECT rowid FROM chunks_naive WHERE chunks_naive MATCH ? ORDER BY rank LIMIT ?');
  const vecStmt = () =>
    db.prepare('SELECT rowid, distance FROM chunks_vec WHERE embedding MATCH ? AND k = ? ORDER BY distance');

  /**
   * How much of the question the chunk contains, IDF-weighted: syllables, and the syllable pairs that make
   * Vietnamese words — "người yêu" is not covered by a chunk that has "người" and "yêu cầu".
   */
  /** Of the question's word pairs, how many (IDF-weighted) the chunk has; 1 when it has none. */
  /**
   * The weights of a query's terms, worked out once per query analysis: every candidate chunk (up to 80 per ask, for
   * up to five readings of it) is then measured by set lookups alone.
   */
  interface Weighted {
    terms: string[];
    weights: Float64Array;
    total: number;
  }
  const weighing = new WeakMap<QueryAnalysis, { content: Weighted; bigrams: Weighted; pairs: Weighted }>();
  const weighted = (list: readonly string[], general: boolean): Weighted => {
    const weights = new Float64Array(list.length);
    let total = 0;
    list.forEach((t, i) => {
      const w = idf(t) * (general && t.split('_').every((p) => GENERAL_WORDS.has(p)) ? WEIGHTS.general : 1);
      weights[i] = w;
      total += w;
    });
    return { terms: [...list], weights, total };
  };
  const weightsOf = (q: QueryAnalysis) => {
    let w = weighing.get(q);
    if (!w) weighing.set(q, (w = { content: weighted(q.content, true), bigrams: weighted(q.bigrams, true), pairs: weighted(q.bigrams, false) }));
    return w;
  };
  const share = (w: Weighted, set: Set<string>): number => {
    if (!w.total) return 1;
    let have = 0;
    for (let i = 0; i < w.terms.length; i++) if (set.has(w.terms[i]!)) have += w.weights[i]!;
    return have / w.total;
  };

  const pairCoverage = (q: QueryAnalysis, rowid: number): number => {
    const set = termSets.get(rowid);
    if (!set || !q.bigrams.length) return q.bigrams.length ? 0 : 1;
    return share(weightsOf(q).pairs, set);
  };

  const coverage = (q: QueryAnalysis, rowid: number): number => {
    const set = termSets.get(rowid);
    if (!set || !q.content.length) return 0;
    const w = weightsOf(q);
    const uni = share(w.content, set);
    return q.bigrams.length ? (1 - WEIGHTS.bigram) * uni + WEIGHTS.bigram * share(w.bigrams, set) : uni;
  };

  const bm25Ranks = (q: QueryAnalysis, limit: number): number[] => {
    const folded = [...q.content, ...q.bigrams].map(ftsQuote);
    if (!folded.length) return [];
    let match = `{title section body} : (${folded.join(' OR ')})`;
    if (q.accented.length) match += ` OR {head_acc body_acc} : (${q.accented.map(ftsQuote).join(' OR ')})`;
    return (ftsStmt.all(match, limit) as { rowid: number }[]).map((r) => r.rowid);
  };

  const naiveRanks = (question: string, limit: number): number[] => {
    const words = question.normalize('NFC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
    if (!words.length) return [];
    return (naiveStmt.all(words.map(ftsQuote).join(' OR '), limit) as { rowid: number }[]).map((r) => r.rowid);
  };

  const vectorRanks = async (q: QueryAnalysis, question: string, limit: number): Promise<number[]> => {
    // the built-in embedder reads topic words; a real embedding model understands the question as typed
    const text = embedder.id.startsWith('hashed')
      ? q.content.length
        ? q.content.join(' ')
        : tokenize(question).map(fold).join(' ')
      : question.trim();
    if (!text) return [];
    const [v] = await embedder.embed([text]);
    return (vecStmt().all(v, limit) as { rowid: number }[]).map((r) => r.rowid);
  };

  return {
    idf,
    analyzeQuery,
    refresh,
    get generation() {
      current();
      return generation;
    },
    chunkById: (id) => {
      const row = chunkByIdStmt.get(id) as ChunkRow | undefined;
      return row ? toChunk(row) : null;
    },
    // "balasaa": the commonest slip on a phone, a doubled key, is read through as retrieval reads it
    isDomain: (term) => !properNames.has(term) && (lexicon.has(term) || lexicon.has(term.replace(/(.)\1+/g, '$1'))),
    isGeneric: (term) => (df.get(term) ?? 0) / total > WEIGHTS.genericShare,
    isProperName: (pair) => properNames.has(pair),
    isKnownPair: (pair) => {
      const n = df.get(pair) ?? 0;
      return n > 0 && n / total <= WEIGHTS.genericShare && !properNames.has(pair);
    },
    async retrieve(question, { mode = 'hybrid', audience, limit = 10, alternative = null, context = '', focus = '', focusAlternative = null, measure = '', measureAlternative = null } = {}) {
      current();
      const at = generation;
      const key = `${mode}\u0000${audience ?? ''}\u0000${limit}\u0000${question}\u0000${alternative ?? ''}\u0000${context}\u0000${focus}\u0000${focusAlternative ?? ''}\u0000${measure}\u0000${measureAlternative ?? ''}`;
      const remembered = recent.get(key);
      if (remembered) {
        return { query: remembered.query, alternative: remembered.alternative, hits: [...remembered.hits], complete: true };
      }
      const q = analyzeQuery(question);
      const alt = alternative ? analyzeQuery(alternative) : null;
      const around = context ? analyzeQuery(context) : null;
      const focused = focus ? analyzeQuery(focus) : null;
      const measured = measure ? analyzeQuery(measure) : q;
      const measuredAlt = measure ? (measureAlternative ? analyzeQuery(measureAlternative) : null) : alt;
      const focusedAlt = focusAlternative ? analyzeQuery(focusAlternative) : null;
      // both readings are searched: the words typed and the corpus's terms for them
      const searched: QueryAnalysis = alt
        ? { ...q, content: [...new Set([...q.content, ...alt.content])], bigrams: [...new Set([...q.bigrams, ...alt.bigrams])], accented: [...new Set([...q.accented, ...alt.accented])] }
        : q;
      const depth = WEIGHTS.depth;
      const lists: number[][] = [];
      let complete = true;
      if (mode === 'naive') lists.push(naiveRanks(question, depth));
      if (mode === 'hybrid' || mode === 'bm25') lists.push(bm25Ranks(searched, depth));
      // an embedding model that is down leaves the lexical ranks: never an error for the citizen
      if (mode === 'hybrid' || mode === 'vector')
        lists.push(
          await vectorRanks(searched, question, depth).catch(() => {
            complete = false;
            return [];
          }),
        );
      const fused = new Map<number, number>();
      for (const list of lists) list.forEach((rowid, rank) => fused.set(rowid, (fused.get(rowid) ?? 0) + 1 / (WEIGHTS.rrfK + rank + 1)));
      const hits: Hit[] = [];
      const asked = new Set([...q.all, ...(alt?.all ?? [])]);
      const topic = [...searched.content, ...searched.bigrams];
      for (const [rowid, rrf] of fused) {
        const entry = chunkAt(rowid);
        if (!entry) continue;
        const { chunk, heading } = entry;
        const cov = Math.max(coverage(measured, rowid), measuredAlt ? WEIGHTS.alternative * coverage(measuredAlt, rowid) : 0);
        let score = rrf;
        // "Đệm lót sinh học là gì?" is best answered by the section headed "Đệm lót sinh học là gì"
        const headingMatch = heading.length ? heading.filter((t) => asked.has(t)).length / heading.length : 0;
        if (mode === 'hybrid') {
          score += WEIGHTS.coverage * cov + WEIGHTS.heading * headingMatch * cov;
          if (around) score += WEIGHTS.context * coverage(around, rowid);
          if (audience && chunk.audience.includes(audience as Chunk['audience'][number])) score += WEIGHTS.audienceBonus;
          if (audience === 'student' && !chunk.audience.includes('student')) score -= WEIGHTS.audienceBonus / 2;
          if (audience && audience !== 'student' && chunk.audience.every((a) => a === 'student')) score -= WEIGHTS.studentOnlyPenalty;
          if (chunk.docId === GLOSSARY_DOC_ID) score -= WEIGHTS.glossaryPenalty;
        }
        const set = termSets.get(rowid);
        const domain = !!set && topic.some((t) => lexicon.has(t) && set.has(t));
        const focusCoverage = focused ? Math.max(coverage(focused, rowid), focusedAlt ? WEIGHTS.alternative * coverage(focusedAlt, rowid) : 0) : 0;
        const focusPairs = focused ? Math.max(pairCoverage(focused, rowid), focusedAlt ? pairCoverage(focusedAlt, rowid) : 0) : 0;
        const contextCoverage = around ? coverage(around, rowid) : 0;
        hits.push({ rowid, chunk, coverage: cov, focusCoverage, focusPairs, contextCoverage, domain, score });
      }
      hits.sort((a, b) => b.score - a.score);
      const retrieval = { query: q, alternative: alt, hits: hits.slice(0, limit), complete };
      // a retrieval without its vector ranks is not remembered: the model may be back for the next question;
      // nor one the index changed under while the embedder was asked
      if (complete && at === generation) recent.set(key, retrieval);
      return { query: q, alternative: alt, hits: [...retrieval.hits], complete };
    },
  };
}
