import { Hono, type Context } from 'hono';
import {
  MAX_ROUND_SIZE,
  QuizAnswerRequestSchema,
  RoundCompleteRequestSchema,
  type QuizChecked,
  type QuizQuestion,
  type QuizRoundResponse,
  type QuizTopicsResponse,
} from '../contract.ts';
import { readJson } from '../http/request.ts';
import { fail } from '../http/errors.ts';
import type { Database } from '../store/index.ts';
import type { BankQuestion, QuizBank } from './index.ts';
import { migrateQuiz, recordAnswer, recordRoundFinished, recordRoundStarted } from './stats.ts';
import { TOPICS, type Topic } from './schema.ts';

/** A round across every topic: what a student gets without choosing one. */
export const ALL_TOPICS = 'tat-ca';
export const ALL_TOPICS_LABEL = 'Tất cả chủ đề';
export const ROUND_SIZE = 5;
export { MAX_ROUND_SIZE };

const DIFFICULTY_ORDER = { de: 0, 'trung-binh': 1, kho: 2 } as const;

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** What a student sees of a question before answering: no answer, no explanation. */
function asked(q: BankQuestion): QuizQuestion {
  return { id: q.id, topic: q.topic, difficulty: q.difficulty, question: q.question, options: shuffled(q.options) };
}

/**
 * What one client may add to the teacher's counters in a day: one answer per question, a few rounds. Kept in
 * memory like the rate limiter (bounded, forgotten each day): 25 answers from one client no longer put a
 * question at the top of the "hardest" list.
 */
export const ROUNDS_PER_CLIENT_PER_DAY = 20;
const MAX_REMEMBERED = 200_000;

function perClientCounter(now: () => number) {
  let day = Math.floor(now() / 86_400_000);
  const seen = new Map<string, number>();
  return (key: string, max: number): boolean => {
    const today = Math.floor(now() / 86_400_000);
    if (today !== day || seen.size >= MAX_REMEMBERED) {
      day = today;
      seen.clear();
    }
    const n = seen.get(key) ?? 0;
    if (n >= max) return false;
    seen.set(key, n + 1);
    return true;
  };
}

function topicError(bank: QuizBank) {
  return `Chủ đề ôn tập không có trong ngân hàng câu hỏi. Các chủ đề hiện có: ${bank.topics.map((t) => t.id).join(', ')}.`;
}

/**
 * GET /api/quiz?topic=&n=5 → a round; POST /api/quiz/answer → whether it was right, with the explanation and
 * source; POST /api/quiz/round-complete → 204. The server keeps only the counters in ./stats.ts, on the state
 * database `db` (its tables are created before the first count).
 */
export function quizApi(db: Database, bank: QuizBank, { clientKey = () => '', now = Date.now }: { clientKey?: (c: Context) => string; now?: () => number } = {}) {
  const ready = migrateQuiz(db);
  // a failure shows on the first request that counts, not as an unhandled rejection at start
  ready.catch(() => undefined);
  const counts = perClientCounter(now);
  const api = new Hono();
  const known = (topic: string): topic is Topic => Object.hasOwn(TOPICS, topic) && bank.topics.some((t) => t.id === topic);

  api.get('/topics', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.json({ topics: bank.topics } satisfies QuizTopicsResponse);
  });

  api.get('/', async (c) => {
    const topic = c.req.query('topic')?.trim() || ALL_TOPICS;
    if (topic !== ALL_TOPICS && !known(topic)) return fail(c, 'invalid', topicError(bank));
    const n = c.req.query('n') ?? String(ROUND_SIZE);
    if (!/^\d{1,2}$/.test(n) || Number(n) < 1 || Number(n) > MAX_ROUND_SIZE)
      return fail(c, 'invalid', `Số câu mỗi lượt (n) phải là số nguyên từ 1 đến ${MAX_ROUND_SIZE}.`);
    const pool = topic === ALL_TOPICS ? bank.questions : bank.questions.filter((q) => q.topic === topic);
    // easier questions first, so a round warms up
    const round = shuffled(pool)
      .slice(0, Number(n))
      .sort((a, b) => DIFFICULTY_ORDER[a.difficulty] - DIFFICULTY_ORDER[b.difficulty]);
    if (counts(`start\u0000${clientKey(c)}`, ROUNDS_PER_CLIENT_PER_DAY)) {
      await ready;
      await recordRoundStarted(db, topic, round.map((q) => q.id));
    }
    c.header('Cache-Control', 'no-store');
    return c.json({
      topic: { id: topic, label: topic === ALL_TOPICS ? ALL_TOPICS_LABEL : TOPICS[topic as Topic] },
      questions: round.map(asked),
    } satisfies QuizRoundResponse);
  });

  api.post('/answer', async (c) => {
    const body = await readJson(c, QuizAnswerRequestSchema);
    if (!body.ok) return body.response;
    const q = bank.byId.get(body.value.questionId);
    if (!q) return fail(c, 'not_found', 'Không tìm thấy câu hỏi này trong ngân hàng câu hỏi ôn tập. Hãy bắt đầu một lượt mới.');
    if (!q.options.some((o) => o.id === body.value.choice)) return fail(c, 'invalid', 'Phương án đã chọn không thuộc câu hỏi này.');
    const correct = body.value.choice === q.correctChoice;
    // the student still learns whether it was right; only the first answer of a client counts for the teacher
    if (counts(`answer\u0000${clientKey(c)}\u0000${q.id}`, 1)) {
      await ready;
      await recordAnswer(db, q.id, correct);
    }
    c.header('Cache-Control', 'no-store');
    return c.json({
      correct,
      correctChoice: q.correctChoice,
      explanation: q.explanation,
      source: { title: q.resolved.title, section: q.resolved.section, url: q.resolved.url },
    } satisfies QuizChecked);
  });

  api.post('/round-complete', async (c) => {
    const body = await readJson(c, RoundCompleteRequestSchema);
    if (!body.ok) return body.response;
    const { topic, score, total } = body.value;
    if (topic !== ALL_TOPICS && !known(topic)) return fail(c, 'invalid', topicError(bank));
    if (counts(`done\u0000${clientKey(c)}`, ROUNDS_PER_CLIENT_PER_DAY)) {
      await ready;
      await recordRoundFinished(db, topic, score, total);
    }
    return c.body(null, 204);
  });

  return api;
}
