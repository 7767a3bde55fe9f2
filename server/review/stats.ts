import type { Dialect, Sql } from '../store/index.ts';
import { LOW_CONFIDENCE, lowConfidenceSql, REVIEW_STATUSES, STATUS_LABEL, type ReviewStatus } from './queue.ts';

/** Sơn La keeps Vietnam time all year (UTC+7, no daylight saving): weeks and months are counted in it. */
export const VN_OFFSET_MS = 7 * 3600_000;
const DAY_MS = 86_400_000;

export interface Period {
  /** unix ms, inclusive */
  from: number;
  /** unix ms, exclusive */
  to: number;
}

/** 00:00 Vietnam time of a `YYYY-MM-DD` day, or null when it is not a date. */
/** `YYYY-MM-DD` from what staff type: `dd/mm/yyyy` (the console's date fields) or `YYYY-MM-DD` (links). */
export function isoDay(typed: string): string | null {
  const t = typed.trim();
  const dmy = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  const day = dmy ? `${dmy[3]}-${dmy[2]!.padStart(2, '0')}-${dmy[1]!.padStart(2, '0')}` : t;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  // 31/02 is not a day (Date.parse would roll it over to March)
  return new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day ? day : null;
}

/** A day as the console's date fields show it: dd/mm/yyyy. */
export function dayInput(day: string | undefined): string {
  const iso = day ? isoDay(day) : null;
  return iso ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : (day ?? '');
}

export function vnDayStart(typed: string): number | null {
  const day = isoDay(typed);
  if (!day) return null;
  const ms = Date.parse(`${day}T00:00:00+07:00`);
  return Number.isFinite(ms) ? ms : null;
}

/** `YYYY-MM-DD` of an instant, in Vietnam time. */
export function vnDay(ms: number): string {
  return new Date(ms + VN_OFFSET_MS).toISOString().slice(0, 10);
}

export function yearPeriod(year: number): Period {
  return { from: vnDayStart(`${year}-01-01`)!, to: vnDayStart(`${year + 1}-01-01`)! };
}

/** "29/11/2026" and "29/11/2026 14:05", in Vietnam time. */
export function formatDate(ms: number): string {
  const [y, m, d] = vnDay(ms).split('-');
  return `${d}/${m}/${y}`;
}
export function formatDateTime(ms: number): string {
  return `${formatDate(ms)} ${new Date(ms + VN_OFFSET_MS).toISOString().slice(11, 16)}`;
}
export const percent = (part: number, whole: number) => (whole ? `${Math.round((100 * part) / whole)}%` : '–');

export type Granularity = 'week' | 'month';

export interface Bucket {
  key: string;
  label: string;
  total: number;
  answered: number;
}

export interface Statistics {
  period: Period;
  total: number;
  answered: number;
  helpful: number;
  unhelpful: number;
  buckets: Bucket[];
  /** documents cited, by how many answered questions cited them */
  topics: { docId: string; title: string; count: number }[];
  audiences: { audience: string; label: string; total: number; answered: number }[];
  sites: { site: string | null; total: number; answered: number }[];
  /** queued questions (declined, 👎 or low confidence) by what staff did with them */
  review: Record<ReviewStatus, number>;
  curatedPublished: number;
}

export const AUDIENCE_LOG_LABEL: Record<string, string> = { citizen: 'Người dân', student: 'Học sinh' };

/** The week or month of a question in Vietnam time, as a key that sorts: `YYYY-MM`, or the Monday `YYYY-MM-DD`. */
const BUCKET_SQL: Record<Dialect, Record<Granularity, string>> = {
  sqlite: {
    month: `strftime('%Y-%m', created_at / 1000, 'unixepoch', '+7 hours')`,
    // the Monday that starts the week
    week: `date(created_at / 1000, 'unixepoch', '+7 hours', 'weekday 0', '-6 days')`,
  },
  // the instant shifted by 7 hours, read as UTC: Vietnam's wall clock (date_trunc's weeks start on Monday)
  postgres: {
    month: `to_char(to_timestamp((created_at + ${VN_OFFSET_MS}) / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM')`,
    week: `to_char(date_trunc('week', to_timestamp((created_at + ${VN_OFFSET_MS}) / 1000.0) AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`,
  },
};

const MAX_BUCKETS = 120;

/** Every week or month of the period, empty ones included, so the chart's time axis has no gaps. */
function bucketKeys(period: Period, granularity: Granularity): { key: string; label: string }[] {
  const out: { key: string; label: string }[] = [];
  const last = vnDay(period.to - 1);
  if (granularity === 'month') {
    let [y, m] = vnDay(period.from).split('-').map(Number) as [number, number];
    for (;;) {
      const key = `${y}-${String(m).padStart(2, '0')}`;
      if (key > last.slice(0, 7) || out.length >= MAX_BUCKETS) break;
      out.push({ key, label: `${String(m).padStart(2, '0')}/${y}` });
      if (++m > 12) [y, m] = [y + 1, 1];
    }
    return out;
  }
  const first = vnDayStart(vnDay(period.from))!;
  const weekday = (new Date(first + VN_OFFSET_MS).getUTCDay() + 6) % 7;
  for (let day = first - weekday * DAY_MS; vnDay(day) <= last && out.length < MAX_BUCKETS; day += 7 * DAY_MS) {
    const key = vnDay(day);
    out.push({ key, label: `${key.slice(8, 10)}/${key.slice(5, 7)}` });
  }
  return out;
}

/** What a cited chunk id counts as: its document, or the curated answers of staff as one topic. */
export function topicOf(chunkId: string): string {
  const [docId = chunkId, anchor = ''] = chunkId.split('#');
  return docId === 'hoi-dap' && /^gd-\d+/.test(anchor) ? 'giai-dap-cua-so' : docId;
}

/**
 * The figures of a period, from the state database (the question log, feedback, review state and curated answers
 * live there together, SQLite file or PostgreSQL).
 */
export async function statistics(db: Sql, period: Period, granularity: Granularity, titleOf: (docId: string) => string): Promise<Statistics> {
  const range = [period.from, period.to];
  const totals = (await db.get<{ total: number; answered: number }>(
    'SELECT count(*) AS total, coalesce(sum(answered), 0) AS answered FROM questions WHERE created_at >= ? AND created_at < ?',
    range,
  ))!;
  const feedback = (await db.get<{ up: number; down: number }>(
    `SELECT coalesce(sum(f.helpful), 0) AS up, coalesce(sum(1 - f.helpful), 0) AS down
     FROM feedback f JOIN questions q ON q.id = f.message_id WHERE q.created_at >= ? AND q.created_at < ?`,
    range,
  ))!;

  const counted = new Map(
    (
      await db.all<{ key: string; total: number; answered: number }>(
        `SELECT ${BUCKET_SQL[db.dialect][granularity]} AS key, count(*) AS total, sum(answered) AS answered
         FROM questions WHERE created_at >= ? AND created_at < ? GROUP BY 1`,
        range,
      )
    ).map((r) => [r.key, r]),
  );
  const buckets = bucketKeys(period, granularity).map(({ key, label }) => ({
    key,
    label,
    total: counted.get(key)?.total ?? 0,
    answered: counted.get(key)?.answered ?? 0,
  }));

  const topicCounts = new Map<string, number>();
  const cited = await db.all<{ cited: string }>('SELECT cited FROM questions WHERE answered = 1 AND created_at >= ? AND created_at < ?', range);
  for (const row of cited) for (const t of new Set((JSON.parse(row.cited) as string[]).map(topicOf))) topicCounts.set(t, (topicCounts.get(t) ?? 0) + 1);
  const topics = [...topicCounts]
    .map(([docId, count]) => ({ docId, title: titleOf(docId), count }))
    .sort((a, b) => b.count - a.count || a.title.localeCompare(b.title, 'vi'));

  const audiences = (
    await db.all<{ audience: string; total: number; answered: number }>(
      `SELECT audience, count(*) AS total, sum(answered) AS answered FROM questions
       WHERE created_at >= ? AND created_at < ? GROUP BY audience ORDER BY total DESC`,
      range,
    )
  ).map((r) => ({ ...r, label: AUDIENCE_LOG_LABEL[r.audience] ?? r.audience }));

  const sites = await db.all<{ site: string | null; total: number; answered: number }>(
    `SELECT site, count(*) AS total, sum(answered) AS answered FROM questions
     WHERE created_at >= ? AND created_at < ? GROUP BY site ORDER BY total DESC LIMIT 50`,
    range,
  );

  const review = Object.fromEntries(REVIEW_STATUSES.map((s) => [s, 0])) as Record<ReviewStatus, number>;
  const reviewRows = await db.all<{ status: ReviewStatus; n: number }>(
    `SELECT coalesce(r.status, 'open') AS status, count(*) AS n FROM questions q
     LEFT JOIN review_state r ON r.question_id = q.id
     WHERE q.created_at >= ? AND q.created_at < ?
       AND (q.answered = 0 OR ${lowConfidenceSql(db.dialect)} OR EXISTS (SELECT 1 FROM feedback f WHERE f.message_id = q.id AND f.helpful = 0))
     GROUP BY 1`,
    range,
  );
  for (const r of reviewRows) review[r.status] = r.n;

  const curatedPublished = (await db.get<{ n: number }>(
    `SELECT count(*) AS n FROM curated_answers WHERE status = 'published' AND published_at >= ? AND published_at < ?`,
    range,
  ))!.n;

  return {
    period,
    total: totals.total,
    answered: totals.answered,
    helpful: feedback.up,
    unhelpful: feedback.down,
    buckets,
    topics,
    audiences,
    sites,
    review,
    curatedPublished,
  };
}

/**
 * A formula start as spreadsheets read one: after any spaces or invisible characters, "=", "+", "-", "@" or
 * their fullwidth forms (Excel and LibreOffice trim the first and fold the second).
 */
const FORMULA_START = /^[\s\p{Cf}\u00AD]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\u2212]|^[\t\r\n]/u;

/** A cell a spreadsheet will not run as a formula (questions are typed by the public). */
export function csvCell(value: string | number | null): string {
  let s = value === null ? '' : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export const CSV_HEADER = [
  'Thời điểm',
  'Đối tượng',
  'Trang nhúng',
  'Câu hỏi',
  'Đã trả lời',
  'Lý do chưa trả lời',
  'Độ tin cậy (%)',
  'Tài liệu được trích dẫn',
  'Số lượt hữu ích',
  'Số lượt không hữu ích',
  'Trạng thái xem xét',
];

const REASON_LABEL: Record<string, string> = {
  'out-of-scope': 'Chưa có thông tin',
  unsafe: 'Yêu cầu không phù hợp',
  empty: 'Không có nội dung hỏi',
};

/**
 * The question log of a period as CSV: UTF-8 with a byte-order mark (so Excel shows Vietnamese), CRLF
 * line ends, every cell quoted.
 */
export async function questionsCsv(db: Sql, period: Period, titleOf: (docId: string) => string): Promise<string> {
  const rows = await db.all<{
    created_at: number;
    audience: string;
    site: string | null;
    text: string;
    answered: number;
    reason: string | null;
    confidence: number;
    cited: string;
    up: number;
    down: number;
    status: ReviewStatus;
  }>(
    `SELECT q.created_at, q.audience, q.site, q.text, q.answered, q.reason, q.confidence, q.cited,
            coalesce(f.up, 0) AS up, coalesce(f.down, 0) AS down, coalesce(r.status, 'open') AS status
     FROM questions q
     LEFT JOIN review_state r ON r.question_id = q.id
     LEFT JOIN (SELECT message_id, sum(helpful) AS up, sum(1 - helpful) AS down FROM feedback GROUP BY message_id) f ON f.message_id = q.id
     WHERE q.created_at >= ? AND q.created_at < ? ORDER BY q.created_at`,
    [period.from, period.to],
  );
  const lines = [CSV_HEADER.map(csvCell).join(',')];
  for (const r of rows) {
    const queued = !r.answered || r.down > 0 || (r.confidence < LOW_CONFIDENCE && !(JSON.parse(r.cited) as string[])[0]?.startsWith('hoi-dap#gd-'));
    lines.push(
      [
        formatDateTime(r.created_at),
        AUDIENCE_LOG_LABEL[r.audience] ?? r.audience,
        r.site,
        r.text,
        r.answered ? 'Có' : 'Không',
        r.reason ? (REASON_LABEL[r.reason] ?? r.reason) : '',
        Math.round(r.confidence * 100),
        [...new Set((JSON.parse(r.cited) as string[]).map(topicOf))].map(titleOf).join('; '),
        r.up,
        r.down,
        queued ? STATUS_LABEL[r.status] : '',
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
