import { LOW_CONFIDENCE as DECISION_UNCERTAIN, NOT_QUEUED } from '../answer/index.ts';
import type { Dialect, Sql } from '../store/index.ts';
import { fold, topicWords } from '../text/index.ts';
import { audit, jsonValues } from './db.ts';

export type ReviewStatus = 'open' | 'curated' | 'out-of-scope' | 'spam';
export const REVIEW_STATUSES: ReviewStatus[] = ['open', 'curated', 'out-of-scope', 'spam'];
export const STATUS_LABEL: Record<ReviewStatus, string> = {
  open: 'Chờ xử lý',
  curated: 'Đã có giải đáp',
  'out-of-scope': 'Ngoài phạm vi',
  spam: 'Rác, spam',
};

/** Why a question is in the queue. */
export type Why = 'declined' | 'unhelpful' | 'low-confidence';
export const WHY_LABEL: Record<Why, string> = {
  declined: 'Chưa trả lời được',
  unhelpful: 'Bị đánh giá 👎',
  'low-confidence': 'Độ tin cậy thấp',
};
/**
 * Answered, but below this confidence a staff member should look at the answer: the decision's "uncertain"
 * point (server/answer/decision.json `uncertainAt`), the same answers the widget marks "chưa chắc".
 */
export const LOW_CONFIDENCE = DECISION_UNCERTAIN;
/** Two questions whose topic words overlap this much (IDF-weighted Jaccard) are the same question. */
export const SAME_QUESTION = 0.5;

export interface ReviewItem {
  id: string;
  text: string;
  createdAt: number;
  audience: string;
  site: string | null;
  /** `zalo`, `messenger`: asked in a messenger rather than the widget */
  channel: string | null;
  answered: boolean;
  reason: string | null;
  confidence: number;
  cited: string[];
  answer: string;
  helpful: number;
  unhelpful: number;
  comments: string[];
  status: ReviewStatus;
  curatedId: string | null;
  why: Why[];
}

export interface ReviewGroup {
  /** the newest question of the group: its page shows the whole group */
  id: string;
  text: string;
  items: ReviewItem[];
  /** the distinct wordings, most asked first */
  texts: { text: string; count: number }[];
  firstAt: number;
  lastAt: number;
  why: Why[];
  status: ReviewStatus;
  audiences: Record<string, number>;
  sites: string[];
  notes: number;
}

export interface QueueFilter {
  status?: ReviewStatus | 'all';
  audience?: string;
  /** '' = questions asked without a site label */
  site?: string;
  from?: number;
  to?: number;
  /** matched without diacritics, every word */
  search?: string;
  why?: Why;
}

interface ItemRow {
  id: string;
  created_at: number;
  text: string;
  audience: string;
  site: string | null;
  channel: string | null;
  answered: number;
  reason: string | null;
  confidence: number;
  cited: string;
  answer: string;
  up: number | null;
  down: number | null;
  comments: string | null;
  review_status: ReviewStatus;
  curated_id: string | null;
}

const COMMENT_SEPARATOR = '\u001f';

/** The questions with their feedback and review state; the comments joined by a separator no one types. */
const itemSelect = (dialect: Dialect) => `
  SELECT q.id, q.created_at, q.text, q.audience, q.site, q.channel, q.answered, q.reason, q.confidence, q.cited, q.answer,
         f.up, f.down, f.comments, coalesce(r.status, 'open') AS review_status, r.curated_id
  FROM questions q
  LEFT JOIN review_state r ON r.question_id = q.id
  LEFT JOIN (
    SELECT message_id, sum(helpful) AS up, sum(1 - helpful) AS down,
           ${dialect === 'sqlite' ? 'group_concat(comment, char(31))' : 'string_agg(comment, chr(31))'} AS comments
    FROM feedback GROUP BY message_id
  ) f ON f.message_id = q.id`;

/** Low confidence, unless the answer given was a staff member's own: that one was already reviewed. */
export const lowConfidenceSql = (dialect: Dialect) =>
  `(q.answered = 1 AND q.confidence < ${LOW_CONFIDENCE} AND coalesce(${dialect === 'sqlite' ? `json_extract(q.cited, '$[0]')` : 'CAST(q.cited AS json) ->> 0'}, '') NOT LIKE 'hoi-dap#gd-%')`;
/** The same, for SQLite (the statistics' queries). */
export const LOW_CONFIDENCE_SQL = lowConfidenceSql('sqlite');

/** Declines with nothing for staff to add (off-topic, small talk, distress, a question back) stay out of the queue. */
const QUEUED_DECLINE = `(q.answered = 0 AND coalesce(q.reason, '') NOT IN (${NOT_QUEUED.map((r) => `'${r}'`).join(', ')}))`;

const inQueue = (dialect: Dialect) => `(${QUEUED_DECLINE} OR coalesce(f.down, 0) > 0 OR ${lowConfidenceSql(dialect)})`;

function toItem(r: ItemRow): ReviewItem {
  const why: Why[] = [];
  if (!r.answered) why.push('declined');
  if ((r.down ?? 0) > 0) why.push('unhelpful');
  if (r.answered && r.confidence < LOW_CONFIDENCE && !isCurated(JSON.parse(r.cited)[0])) why.push('low-confidence');
  return {
    id: r.id,
    text: r.text,
    createdAt: r.created_at,
    audience: r.audience,
    site: r.site,
    channel: r.channel,
    answered: !!r.answered,
    reason: r.reason,
    confidence: r.confidence,
    cited: JSON.parse(r.cited) as string[],
    answer: r.answer,
    helpful: r.up ?? 0,
    unhelpful: r.down ?? 0,
    comments: r.comments ? r.comments.split(COMMENT_SEPARATOR).filter(Boolean) : [],
    status: r.review_status,
    curatedId: r.curated_id,
    why,
  };
}

const isCurated = (chunkId: string | undefined) => !!chunkId?.startsWith('hoi-dap#gd-');

/** `%`, `_` and `\` typed by staff are literal in LIKE. */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

/** The questions in the queue that match the filter, newest first. */
export async function queueItems(sql: Sql, filter: QueueFilter = {}, limit = 5000): Promise<ReviewItem[]> {
  const where = [inQueue(sql.dialect)];
  const params: (string | number)[] = [];
  if (filter.status && filter.status !== 'all') {
    where.push(`coalesce(r.status, 'open') = ?`);
    params.push(filter.status);
  }
  if (filter.audience) {
    where.push('q.audience = ?');
    params.push(filter.audience);
  }
  if (filter.site !== undefined) {
    if (filter.site === '') where.push('q.site IS NULL');
    else {
      where.push('q.site = ?');
      params.push(filter.site);
    }
  }
  if (filter.from !== undefined) {
    where.push('q.created_at >= ?');
    params.push(filter.from);
  }
  if (filter.to !== undefined) {
    where.push('q.created_at < ?');
    params.push(filter.to);
  }
  for (const word of fold(filter.search ?? '').split(/\s+/).filter(Boolean).slice(0, 8)) {
    where.push(`q.folded LIKE ? ESCAPE '\\'`);
    params.push(`%${likeEscape(word)}%`);
  }
  if (filter.why === 'declined') where.push('q.answered = 0');
  if (filter.why === 'unhelpful') where.push('coalesce(f.down, 0) > 0');
  if (filter.why === 'low-confidence') where.push(lowConfidenceSql(sql.dialect));
  const rows = await sql.all<ItemRow>(`${itemSelect(sql.dialect)} WHERE ${where.join(' AND ')} ORDER BY q.created_at DESC LIMIT ?`, [...params, limit]);
  return rows.map(toItem);
}

export async function reviewItem(sql: Sql, id: string): Promise<ReviewItem | null> {
  const row = await sql.get<ItemRow>(`${itemSelect(sql.dialect)} WHERE q.id = ?`, [id]);
  return row ? toItem(row) : null;
}

/** A redacted phone, ID, account number or e-mail, with the words that named it ("SĐT [số điện thoại đã ẩn]"). */
const REDACTED = /(?:\b(?:SĐT|sđt|sdt|số điện thoại|điện thoại|email|e-mail|CCCD|số CCCD|số tài khoản|STK)\s*:?\s*)?\[[^\]\n]{0,40}đã ẩn\]/gu;
/** A person named by how Vietnamese address each other ("chị Lan", "bác Tư") or introduce themselves ("tôi tên Lan"). */
const NAME = String.raw`\p{Lu}\p{Ll}*(?:\s+\p{Lu}\p{Ll}*){0,2}`;
const PERSON = new RegExp(
  String.raw`(?<!\p{L})(?:(?:[Tt]ôi|[Ee]m|[Mm]ình|[Cc]háu|[Cc]on)\s+(?:tên\s+(?:là\s+)?|là\s+)|(?:[Cc]hị|[Aa]nh|[Ee]m|[Cc]ô|[Cc]hú|[Bb]ác|[Ôô]ng|[Bb]à|[Cc]háu|[Dd]ì|[Cc]ậu|[Mm]ợ|[Tt]hím)\s+)${NAME}`,
  'gu',
);

/** The question without who asked it: two people asking the same thing are one group. */
export function questionCore(text: string): string {
  return text.normalize('NFC').replace(REDACTED, ' ').replace(PERSON, ' ').replace(/\s+/g, ' ').trim();
}

/** The topic words of a question, folded: what "the same question" is judged by. */
export function wordSet(text: string): Set<string> {
  return new Set(topicWords(questionCore(text)));
}

/** IDF-weighted Jaccard: sharing "sinh học" says less than sharing "biogas". */
export function similarity(a: Set<string>, b: Set<string>, idf: (t: string) => number): number {
  return weightedSimilarity(weigh(a, idf), weigh(b, idf), idf);
}

interface Weighed {
  words: Set<string>;
  total: number;
}

const weigh = (words: Set<string>, idf: (t: string) => number): Weighed => ({ words, total: [...words].reduce((n, t) => n + idf(t), 0) });

/**
 * The heaviest words of a set (in one global order: weight, then spelling) that leave out less than the
 * share of weight any question SAME_QUESTION-alike must have in common with it.
 */
function prefix(w: Weighed, weight: (t: string) => number): string[] {
  const sorted = [...w.words].sort((a, b) => weight(b) - weight(a) || (a < b ? -1 : a > b ? 1 : 0));
  const mustShare = (SAME_QUESTION / (1 + SAME_QUESTION)) * w.total;
  const out: string[] = [];
  let rest = w.total;
  for (const t of sorted) {
    if (rest < mustShare) break;
    out.push(t);
    rest -= weight(t);
  }
  return out;
}

function weightedSimilarity(a: Weighed, b: Weighed, idf: (t: string) => number): number {
  if (!a.words.size || !b.words.size) return 0;
  const [small, large] = a.words.size <= b.words.size ? [a.words, b.words] : [b.words, a.words];
  let both = 0;
  for (const t of small) if (large.has(t)) both += idf(t);
  const either = a.total + b.total - both;
  return either ? both / either : 0;
}

function summarize(items: ReviewItem[], notes: Map<string, number>): ReviewGroup {
  const byText = new Map<string, { text: string; count: number }>();
  for (const it of items) {
    const key = fold(it.text).replace(/\s+/g, ' ').trim();
    const entry = byText.get(key) ?? { text: it.text, count: 0 };
    entry.count++;
    byText.set(key, entry);
  }
  const texts = [...byText.values()].sort((a, b) => b.count - a.count);
  const statuses = new Map<ReviewStatus, number>();
  for (const it of items) statuses.set(it.status, (statuses.get(it.status) ?? 0) + 1);
  const audiences: Record<string, number> = {};
  for (const it of items) audiences[it.audience] = (audiences[it.audience] ?? 0) + 1;
  return {
    id: items[0]!.id,
    text: texts[0]!.text,
    items,
    texts,
    firstAt: Math.min(...items.map((i) => i.createdAt)),
    lastAt: Math.max(...items.map((i) => i.createdAt)),
    why: (['declined', 'unhelpful', 'low-confidence'] as Why[]).filter((w) => items.some((i) => i.why.includes(w))),
    status: statuses.has('open') ? 'open' : [...statuses].sort((a, b) => b[1] - a[1])[0]![0],
    audiences,
    sites: [...new Set(items.map((i) => i.site).filter((s): s is string => !!s))],
    notes: items.reduce((n, i) => n + (notes.get(i.id) ?? 0), 0),
  };
}

async function noteCounts(sql: Sql): Promise<Map<string, number>> {
  const rows = await sql.all<{ question_id: string; n: number }>('SELECT question_id, count(*) AS n FROM review_notes GROUP BY question_id');
  return new Map(rows.map((r) => [r.question_id, r.n]));
}

/**
 * Near-duplicates grouped: each question joins the group whose first (newest) question it resembles most,
 * when at least SAME_QUESTION alike. Most-asked groups first.
 */
export async function groupQuestions(sql: Sql, items: ReviewItem[], idf: (t: string) => number): Promise<ReviewGroup[]> {
  const cache = new Map<string, number>();
  const weight = (t: string) => cache.get(t) ?? (cache.set(t, idf(t)), cache.get(t)!);
  type Group = { words: Weighed; key: string; items: ReviewItem[] };
  const groups: Group[] = [];
  // prefix filtering: two alike questions always share a word of both prefixes, so only those are indexed
  const byWord = new Map<string, Group[]>();
  const byKey = new Map<string, Group>();
  for (const item of items) {
    const words = weigh(wordSet(item.text), weight);
    const key = fold(item.text).trim();
    let best: Group | null = words.words.size ? null : (byKey.get(key) ?? null);
    let bestScore = 0;
    const seen = new Set<Group>();
    const head = prefix(words, weight);
    for (const w of head)
      for (const g of byWord.get(w) ?? []) {
        if (seen.has(g)) continue;
        seen.add(g);
        const score = weightedSimilarity(words, g.words, weight);
        if (score >= SAME_QUESTION && score > bestScore) {
          best = g;
          bestScore = score;
        }
      }
    if (best) {
      best.items.push(item);
      continue;
    }
    const group: Group = { words, key, items: [item] };
    groups.push(group);
    for (const w of head) {
      const list = byWord.get(w);
      if (list) list.push(group);
      else byWord.set(w, [group]);
    }
    if (!words.words.size) byKey.set(key, group);
  }
  const notes = await noteCounts(sql);
  return groups.map((g) => summarize(g.items, notes)).sort((a, b) => b.items.length - a.items.length || b.lastAt - a.lastAt);
}

/** The group a question belongs to: every queued question alike to it, whatever its status. */
export async function groupOf(sql: Sql, id: string, idf: (t: string) => number): Promise<ReviewGroup | null> {
  const self = await reviewItem(sql, id);
  if (!self) return null;
  const words = wordSet(self.text);
  const key = fold(self.text).trim();
  const alike = (await queueItems(sql)).filter(
    (it) => it.id !== id && (words.size ? similarity(words, wordSet(it.text), idf) >= SAME_QUESTION : fold(it.text).trim() === key),
  );
  return summarize([self, ...alike], await noteCounts(sql));
}

export interface Note {
  id: number;
  questionId: string;
  username: string;
  createdAt: number;
  text: string;
}

export async function notesOf(sql: Sql, questionIds: string[]): Promise<Note[]> {
  if (!questionIds.length) return [];
  const rows = await sql.all<{ id: number; question_id: string; username: string; created_at: number; text: string }>(
    `SELECT * FROM review_notes WHERE question_id IN (${jsonValues(sql.dialect)}) ORDER BY created_at, id`,
    [JSON.stringify(questionIds)],
  );
  return rows.map((r) => ({ id: r.id, questionId: r.question_id, username: r.username, createdAt: r.created_at, text: r.text }));
}

/** Whether a question is (still) in the log: notes and marks are only for those. */
export async function questionExists(sql: Sql, id: string): Promise<boolean> {
  return !!(await sql.get('SELECT 1 AS x FROM questions WHERE id = ?', [id]));
}

export async function addNote(sql: Sql, questionId: string, username: string, text: string, now = Date.now()): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.run('INSERT INTO review_notes (question_id, username, created_at, text) VALUES (?, ?, ?, ?)', [questionId, username, now, text]);
    await audit(tx, { username, action: 'note', target: questionId, detail: text.slice(0, 200) }, now);
  });
}

/** Sets the review status of questions (only those that exist); returns how many changed. */
export async function markQuestions(
  sql: Sql,
  ids: string[],
  status: ReviewStatus,
  username: string,
  { curatedId = null, now = Date.now(), record = true }: { curatedId?: string | null; now?: number; record?: boolean } = {},
): Promise<number> {
  const unique = [...new Set(ids)];
  return sql.transaction(async (tx) => {
    const { changes } = await tx.run(
      `INSERT INTO review_state (question_id, status, curated_id, updated_at, updated_by)
       SELECT id, ?, ?, CAST(? AS BIGINT), ? FROM questions WHERE id IN (${jsonValues(tx.dialect)})
       ON CONFLICT (question_id) DO UPDATE SET status = excluded.status, curated_id = excluded.curated_id,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [status, curatedId, now, username, JSON.stringify(unique)],
    );
    if (record && changes) await audit(tx, { username, action: `mark:${status}`, target: unique.slice(0, 50).join(','), detail: `${changes} câu hỏi` }, now);
    return changes;
  });
}

/** The curated answers these questions were marked as answered by. */
export async function curatedIdsOf(sql: Sql, questionIds: string[]): Promise<string[]> {
  const rows = await sql.all<{ curated_id: string }>(
    `SELECT DISTINCT curated_id FROM review_state WHERE curated_id IS NOT NULL AND question_id IN (${jsonValues(sql.dialect)}) ORDER BY curated_id`,
    [JSON.stringify(questionIds)],
  );
  return rows.map((r) => r.curated_id);
}

/** The questions a curated answer answers. */
export async function questionsAnsweredBy(sql: Sql, curatedId: string): Promise<string[]> {
  return (await sql.all<{ question_id: string }>('SELECT question_id FROM review_state WHERE curated_id = ? ORDER BY question_id', [curatedId])).map(
    (r) => r.question_id,
  );
}

/** Distinct site labels in the log, for the filter. */
export async function knownSites(sql: Sql): Promise<string[]> {
  return (await sql.all<{ site: string }>('SELECT DISTINCT site FROM questions WHERE site IS NOT NULL ORDER BY site LIMIT 200')).map((r) => r.site);
}
