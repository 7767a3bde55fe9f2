import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { CorpusError, findSection, loadCorpus } from '../corpus/index.ts';
import { ERRORS } from '../http/errors.ts';
import { startTestServer, type TestServer } from '../testing.ts';
import { fold } from '../text/index.ts';
import { WIDGET_FILE } from '../../widget/build.ts';
import { loadQuizBank, optionId, TOPICS, type BankQuestion, type QuizBank } from './index.ts';
import { questionStats } from './stats.ts';

const CORPUS = join(import.meta.dirname, '..', '..', 'corpus');
const corpus = loadCorpus(CORPUS);
const bank = loadQuizBank(CORPUS, corpus);

describe('the question bank (corpus/quiz/*.yaml)', () => {
  it('has at least 60 questions with unique ids, in every topic enough for a round and more than one difficulty', () => {
    expect(bank.questions.length).toBeGreaterThanOrEqual(60);
    // ids across files, read without the loader (which would already refuse duplicates)
    const ids = readdirSync(join(CORPUS, 'quiz'))
      .filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => (parseYaml(readFileSync(join(CORPUS, 'quiz', f), 'utf8')) as { id: string }[]).map((q) => q.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(bank.questions.length);
    for (const topic of Object.keys(TOPICS)) {
      const inTopic = bank.questions.filter((q) => q.topic === topic);
      expect(inTopic.length, topic).toBeGreaterThanOrEqual(8);
      expect(new Set(inTopic.map((q) => q.difficulty)).size, topic).toBeGreaterThanOrEqual(2);
    }
  });

  it('has exactly one correct option and three different distractors in every question', () => {
    for (const q of bank.questions) {
      expect(q.distractors, q.id).toHaveLength(3);
      const options = [q.answer, ...q.distractors].map((o) => fold(o).replace(/\s+/g, ' ').trim());
      expect(new Set(options).size, `${q.id}: options repeat`).toBe(4);
      expect(q.options.filter((o) => o.id === q.correctChoice).map((o) => o.text), q.id).toEqual([q.answer]);
      // options are shuffled for students: none may point at the others
      for (const o of options) expect(o, q.id).not.toMatch(/ca (hai|ba|bon) (dap an|phuong an)|tat ca (cac )?(dap an|phuong an|y)|khong (co )?(dap an|phuong an) nao|^[abcd]\b/);
    }
  });

  it('cites, for every question, a section by its exact heading text that exists and has text', () => {
    for (const q of bank.questions) {
      const doc = corpus.documents.find((d) => d.id === q.source.docId);
      expect(doc, `${q.id}: ${q.source.docId}`).toBeDefined();
      const exact = doc!.sections.find((s) => s.heading === q.source.section);
      expect(exact, `${q.id}: no heading "${q.source.section}" in ${q.source.docId}`).toBeDefined();
      expect(findSection(doc!, q.source.section)).toBe(exact);
      expect(exact!.text.length, q.id).toBeGreaterThan(50);
      expect(q.resolved.url).toBe(`/nguon/${doc!.id}#${exact!.anchor}`);
    }
  });

  it('is written in NFC Vietnamese, with questions that ask and explanations that end', () => {
    for (const f of readdirSync(join(CORPUS, 'quiz'))) {
      const raw = readFileSync(join(CORPUS, 'quiz', f), 'utf8');
      expect(raw, f).toBe(raw.normalize('NFC'));
    }
    for (const q of bank.questions) {
      expect(q.question, q.id).toMatch(/\?$/);
      expect(q.explanation, q.id).toMatch(/[.!]$/);
      expect(q.explanation.length, q.id).toBeLessThan(400);
      for (const text of [q.question, q.answer, ...q.distractors, q.explanation]) {
        expect(text, q.id).toBe(text.trim());
        expect(text, q.id).not.toMatch(/\s{2,}|\s[,.;:?]/);
      }
    }
  });

  it('refuses a bank with a missing source, a repeated option or a wrong number of distractors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnsh-quiz-'));
    try {
      mkdirSync(join(dir, 'quiz'));
      const question = (id: string, extra: Record<string, unknown>) => ({
        id,
        topic: 'khi-sinh-hoc',
        difficulty: 'de',
        question: 'Khí sinh học là gì?',
        answer: 'Hỗn hợp khí do vi sinh vật tạo ra',
        distractors: ['Khí oxy', 'Khí nitơ', 'Hơi nước'],
        explanation: 'Giải thích.',
        source: { docId: 'hs-thu-khi-sinh-hoc', section: 'Khí sinh học là gì' },
        ...extra,
      });
      writeFileSync(
        join(dir, 'quiz', 'sai.yaml'),
        JSON.stringify([
          question('nguon-sai', { source: { docId: 'hs-thu-khi-sinh-hoc', section: 'Mục không có' } }),
          question('lap-phuong-an', { distractors: ['Khí oxy', 'khí oxy', 'Hơi nước'] }),
        ]),
      );
      expect(() => loadQuizBank(dir, corpus)).toThrow(CorpusError);
      try {
        loadQuizBank(dir, corpus);
      } catch (e) {
        expect((e as CorpusError).problems.join('\n')).toMatch(/nguon-sai: nguồn không tồn tại[\s\S]*lap-phuong-an: các phương án phải khác nhau/);
      }
      writeFileSync(join(dir, 'quiz', 'sai.yaml'), JSON.stringify([question('thieu', { distractors: ['Khí oxy', 'Hơi nước'] })]));
      expect(() => loadQuizBank(dir, corpus)).toThrow(/3 phương án nhiễu/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

interface Round {
  topic: { id: string; label: string };
  questions: { id: string; topic: string; difficulty: string; question: string; options: { id: string; text: string }[] }[];
}

describe('the quiz API, on the real server', () => {
  let server: TestServer;
  let serverBank: QuizBank;
  beforeAll(async () => {
    server = await startTestServer();
    serverBank = loadQuizBank(server.config.corpusDir, server.assistant.corpus);
  });
  afterAll(() => server.close());

  const get = (path: string) => fetch(`${server.url}${path}`);
  const post = (path: string, body: unknown, type = 'application/json') =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const byId = (id: string) => serverBank.byId.get(id)!;

  it('lists the topics with their labels and question counts', async () => {
    const res = await get('/api/quiz/topics');
    expect(res.status).toBe(200);
    const { topics } = (await res.json()) as { topics: { id: string; label: string; count: number }[] };
    expect(topics.map((t) => t.id)).toEqual(Object.keys(TOPICS));
    expect(topics.reduce((n, t) => n + t.count, 0)).toBe(serverBank.questions.length);
    expect(topics.find((t) => t.id === 'khi-sinh-hoc')?.label).toBe('Thu khí sinh học (biogas)');
  });

  it('gives a round of 5 questions of the topic, easier first, without answers or explanations', async () => {
    const res = await get('/api/quiz?topic=khi-sinh-hoc&n=5');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    const round = JSON.parse(text) as Round;
    expect(round.topic).toEqual({ id: 'khi-sinh-hoc', label: TOPICS['khi-sinh-hoc'] });
    expect(round.questions).toHaveLength(5);
    expect(new Set(round.questions.map((q) => q.id)).size).toBe(5);
    const order = { de: 0, 'trung-binh': 1, kho: 2 } as Record<string, number>;
    const levels = round.questions.map((q) => order[q.difficulty]!);
    expect(levels).toEqual([...levels].sort((a, b) => a - b));
    for (const q of round.questions) {
      const banked = byId(q.id);
      expect(q.topic).toBe('khi-sinh-hoc');
      expect(q.question).toBe(banked.question);
      expect(Object.keys(q).sort()).toEqual(['difficulty', 'id', 'options', 'question', 'topic']);
      expect(q.options.map((o) => o.text).sort()).toEqual([banked.answer, ...banked.distractors].sort());
      expect(q.options.every((o) => /^[0-9a-f]{8}$/.test(o.id))).toBe(true);
      expect(text).not.toContain(banked.explanation);
    }
    expect(text).not.toMatch(/"(answer|correct|correctChoice|explanation|distractors)"/);
  });

  it('mixes all topics when none is given, and counts every round and every question shown', async () => {
    const before = new Map((await questionStats(server.assistant.state)).map((s) => [s.questionId, s.shown]));
    const round = (await (await get('/api/quiz')).json()) as Round;
    expect(round.topic.id).toBe('tat-ca');
    expect(round.questions).toHaveLength(5);
    const after = new Map((await questionStats(server.assistant.state)).map((s) => [s.questionId, s.shown]));
    for (const q of round.questions) expect(after.get(q.id)).toBe((before.get(q.id) ?? 0) + 1);
    const rounds = server.assistant.db.prepare(`SELECT topic, started FROM quiz_rounds WHERE topic = 'tat-ca'`).all();
    expect(rounds).toEqual([{ topic: 'tat-ca', started: 1 }]);
  });

  it('checks an answer, explains it with its source, and counts it anonymously', async () => {
    const round = (await (await get('/api/quiz?topic=vi-sinh-vat-phan-giai&n=2')).json()) as Round;
    const [first, second] = round.questions.map((q) => byId(q.id));
    const right = await post('/api/quiz/answer', { questionId: first!.id, choice: optionId(first!.id, first!.answer) });
    expect(right.status).toBe(200);
    const checked = (await right.json()) as { correct: boolean; correctChoice: string; explanation: string; source: { title: string; section: string; url: string } };
    expect(checked).toEqual({
      correct: true,
      correctChoice: optionId(first!.id, first!.answer),
      explanation: first!.explanation,
      source: { title: first!.resolved.title, section: first!.resolved.section, url: first!.resolved.url },
    });
    // the source link opens the very section the question comes from
    const page = await (await get(checked.source.url.split('#')[0]!)).text();
    expect(page).toContain(`id="${checked.source.url.split('#')[1]}"`);

    const wrong = (await (await post('/api/quiz/answer', { questionId: second!.id, choice: optionId(second!.id, second!.distractors[1]!) })).json()) as typeof checked;
    expect(wrong.correct).toBe(false);
    expect(wrong.correctChoice).toBe(optionId(second!.id, second!.answer));

    const stats = new Map((await questionStats(server.assistant.state)).map((s) => [s.questionId, s]));
    expect(stats.get(first!.id)).toMatchObject({ answered: 1, correct: 1 });
    expect(stats.get(second!.id)).toMatchObject({ answered: 1, correct: 0 });
    expect(await (await post('/api/quiz/round-complete', { topic: 'vi-sinh-vat-phan-giai', score: 1, total: 2 })).status).toBe(204);
    expect(server.assistant.db.prepare(`SELECT started, finished, score_sum, question_sum FROM quiz_rounds WHERE topic = 'vi-sinh-vat-phan-giai'`).get()).toEqual({
      started: 1,
      finished: 1,
      score_sum: 1,
      question_sum: 2,
    });
  });

  it('counts one answer per question per client a day: 25 answers from one client do not top the hardest list (V16)', async () => {
    const round = (await (await get('/api/quiz?topic=vi-sinh-vat-phan-giai&n=3')).json()) as Round;
    const q = byId(round.questions[2]!.id);
    const before = new Map((await questionStats(server.assistant.state)).map((s) => [s.questionId, s])).get(q.id)?.answered ?? 0;
    for (let i = 0; i < 25; i++) {
      const res = await post('/api/quiz/answer', { questionId: q.id, choice: optionId(q.id, q.distractors[0]!) });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { correct: boolean }).correct).toBe(false);
    }
    const after = new Map((await questionStats(server.assistant.state)).map((s) => [s.questionId, s])).get(q.id)!.answered;
    expect(after - before).toBeLessThanOrEqual(1);
  });

  it('keeps nothing about the student: only counters, and no question log entry', async () => {
    const columns = (table: string) => (server.assistant.db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
    expect(columns('quiz_question_stats')).toEqual(['question_id', 'shown', 'answered', 'correct']);
    expect(columns('quiz_rounds')).toEqual(['day', 'topic', 'started', 'finished', 'score_sum', 'question_sum']);
    expect(server.assistant.db.prepare('SELECT COUNT(*) AS n FROM questions').get()).toEqual({ n: 0 });
  });

  it.each([
    ['/api/quiz?topic=khong-co', 400, 'invalid', /Chủ đề ôn tập không có/],
    ['/api/quiz?n=0', 400, 'invalid', /từ 1 đến 10/],
    ['/api/quiz?n=11', 400, 'invalid', /từ 1 đến 10/],
    ['/api/quiz?n=năm', 400, 'invalid', /từ 1 đến 10/],
  ])('GET %s → %i with a Vietnamese message', async (path, status, code, message) => {
    const res = await get(path);
    expect(res.status).toBe(status);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('answers bad answers with JSON errors in Vietnamese', async () => {
    const q = serverBank.questions[0]!;
    const cases: [Promise<Response>, number, RegExp][] = [
      [post('/api/quiz/answer', { questionId: 'khong-co', choice: 'abcdef12' }), 404, /Không tìm thấy câu hỏi này/],
      [post('/api/quiz/answer', { questionId: q.id, choice: optionId('cau-khac', q.answer) }), 400, /không thuộc câu hỏi này/],
      [post('/api/quiz/answer', { questionId: q.id }), 400, /trường "choice"/],
      [post('/api/quiz/answer', '{"questionId":', 'application/json'), 400, /không phải JSON hợp lệ/],
      [post('/api/quiz/answer', 'questionId=x', 'application/x-www-form-urlencoded'), 415, /dạng JSON/],
      [post('/api/quiz/round-complete', { topic: 'khi-sinh-hoc', score: 6, total: 5 }), 400, /trường "score"/],
      [post('/api/quiz/round-complete', { topic: 'khong-co', score: 1, total: 5 }), 400, /Chủ đề ôn tập không có/],
    ];
    for (const [request, status, message] of cases) {
      const res = await request;
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
  });

  it('fuzz: whatever arrives, a well-formed answer or a JSON error of the right status, never a 500', async () => {
    const question = fc.constantFrom(...serverBank.questions);
    const anything = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.boolean(), fc.object({ maxDepth: 1 }));
    const answerBody = fc.oneof(
      question.chain((q: BankQuestion) => fc.record({ questionId: fc.constant(q.id), choice: fc.constantFrom(...q.options.map((o) => o.id)) })),
      fc.record({ questionId: fc.oneof(fc.string(), anything), choice: fc.oneof(fc.string(), anything) }, { requiredKeys: [] }),
    );
    const completeBody = fc.record(
      { topic: fc.oneof(fc.constantFrom(...Object.keys(TOPICS), 'tat-ca'), fc.string()), score: fc.oneof(fc.integer({ min: -2, max: 12 }), anything), total: fc.oneof(fc.integer({ min: -2, max: 12 }), anything) },
      { requiredKeys: [] },
    );
    const request = fc.oneof(
      fc.record({ kind: fc.constant('round' as const), topic: fc.oneof(fc.constantFrom(...Object.keys(TOPICS), '', 'tat-ca'), fc.string()), n: fc.oneof(fc.nat({ max: 12 }).map(String), fc.string()) }),
      fc.record({ kind: fc.constant('answer' as const), body: answerBody.map((b) => JSON.stringify(b)) }),
      fc.record({ kind: fc.constant('complete' as const), body: fc.oneof(completeBody.map((b) => JSON.stringify(b)), fc.string()) }),
    );
    let ok = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const res =
          r.kind === 'round'
            ? await get(`/api/quiz?topic=${encodeURIComponent(r.topic)}&n=${encodeURIComponent(r.n)}`)
            : await post(r.kind === 'answer' ? '/api/quiz/answer' : '/api/quiz/round-complete', r.body);
        expect(res.status).not.toBe(500);
        if (res.status === 200 || res.status === 204) {
          ok++;
          return;
        }
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        const { error } = (await res.json()) as { error: { code: keyof typeof ERRORS; message: string } };
        expect(['invalid', 'bad_json', 'not_found', 'body_too_large']).toContain(error.code);
        expect(ERRORS[error.code][0]).toBe(res.status);
      }),
      { numRuns: 300 },
    );
    expect(ok).toBeGreaterThan(50);
  });
});

describe('the quiz API behind the API guard', () => {
  it('refuses sites that may not embed the assistant, and rate-limits like /api/chat', async () => {
    const school = 'https://thpt-chuyen.example.edu.vn';
    const server = await startTestServer({ ALLOWED_ORIGINS: school, RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const from = (origin: string) => fetch(`${server.url}/api/quiz/topics`, { headers: { origin } });
      const allowed = await from(school);
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(school);
      expect((await from('https://trang-la.example.com')).status).toBe(403);
      await from(school);
      await from(school);
      const limited = await fetch(`${server.url}/api/quiz?topic=khi-sinh-hoc`, { headers: { origin: school } });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});

describe('GET /widget-quiz-<hash>.js', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('serves the quiz chunk widget.js imports, next to it, with the same headers, and nothing it does not import', async () => {
    const widget = readFileSync(WIDGET_FILE, 'utf8');
    const chunk = /import\(`\.\/(widget-quiz-[\w-]+\.js)`\)/.exec(widget)?.[1];
    expect(chunk, 'widget.js imports the quiz chunk').toBeDefined();
    const res = await fetch(`${server.url}/${chunk}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const body = await res.text();
    expect(body).toBe(readFileSync(join(WIDGET_FILE, '..', chunk!), 'utf8'));
    // the chunk takes Lit from widget.js at run time: importing it would load a second copy
    expect(body).not.toMatch(/\bimport\b|\bfrom\s*["'`]/);
    expect(widget).not.toContain('Câu tiếp theo');
    const etag = res.headers.get('etag')!;
    expect((await fetch(`${server.url}/${chunk}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    for (const path of ['/widget-quiz-khongco.js', '/widget-..%2Fpackage.js', '/widget-quiz.json']) expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
  });
});

describe('the teacher page (/giao-vien)', () => {
  let server: TestServer;
  let dataBank: QuizBank;
  beforeAll(async () => {
    // behind a trusted proxy, so each answer below can come from its own student (one answer per client counts)
    server = await startTestServer({ TRUST_PROXY: '1' });
    dataBank = loadQuizBank(server.config.corpusDir, server.assistant.corpus);
  });
  afterAll(() => server.close());

  const page = async () => {
    const res = await fetch(`${server.url}/giao-vien`);
    expect(res.status).toBe(200);
    return { res, html: await res.text() };
  };

  it('is a Vietnamese page under our own CSP, with the embed snippet, topics, lesson ideas and the project guide', async () => {
    const { res, html } = await page();
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(html).toMatch(/^<!doctype html>\s*<html lang="vi">/);
    expect(html).toContain(`&lt;script type=&quot;module&quot; src=&quot;${server.url}/widget.js&quot;&gt;&lt;/script&gt;`);
    expect(html).toMatch(/&lt;cnsh-chat audience=&quot;student&quot; mode=&quot;inline&quot; topic=&quot;[a-z-]+&quot;/);
    for (const t of dataBank.topics) expect(html).toContain(`<code>${t.id}</code>`);
    expect(html).toContain('Chưa có lượt trả lời nào');
    // every link to a source page opens an existing section
    const links = [...html.matchAll(/href="(\/nguon\/[^"#]+)(?:#([^"]+))?"/g)];
    expect(links.length).toBeGreaterThan(8);
    expect(links.some((l) => l[1] === '/nguon/hs-du-an-dieu-tra-dia-phuong' && l[2] === 'quy-tac-an-toan')).toBe(true);
    for (const [, path, anchor] of links) {
      const target = await fetch(`${server.url}${path}`);
      expect(target.status, path).toBe(200);
      if (anchor) expect(await target.text(), `${path}#${anchor}`).toContain(`id="${anchor}"`);
    }
  });

  it('shows real per-question statistics, hardest first', async () => {

    let student = 0;
    const answer = (q: BankQuestion, text: string) =>
      fetch(`${server.url}/api/quiz/answer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${++student}` },
        body: JSON.stringify({ questionId: q.id, choice: optionId(q.id, text) }),
      });
    const round = (await (await fetch(`${server.url}/api/quiz?topic=khi-sinh-hoc&n=2`)).json()) as Round;
    const [easy, hard] = round.questions.map((q) => dataBank.byId.get(q.id)!);
    await answer(easy!, easy!.answer);
    await answer(easy!, easy!.answer);
    await answer(hard!, hard!.distractors[0]!);
    await answer(hard!, hard!.answer);
    await fetch(`${server.url}/api/quiz/round-complete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"topic":"khi-sinh-hoc","score":3,"total":4}' });

    const { html } = await page();
    expect(html).not.toContain('Chưa có lượt trả lời nào');
    const rows = [...html.matchAll(/<tr data-question="([^"]+)">([\s\S]*?)<\/tr>/g)].map(([, id, row]) => ({
      id,
      cells: [...row!.matchAll(/<td class="num[^"]*">([^<]*)/g)].map((m) => m[1]),
    }));
    expect(rows.map((r) => r.id)).toEqual([hard!.id, easy!.id]);
    expect(rows[0]!.cells).toEqual(['1', '2', '1', '50%']);
    expect(rows[1]!.cells).toEqual(['1', '2', '2', '100%']);
    expect(html).toContain(hard!.question);
    expect(html).toMatch(/<strong>1<\/strong> lượt ôn tập được bắt đầu, <strong>1<\/strong> lượt\s+làm xong, trả lời đúng trung bình <strong>75%<\/strong>/);
  });
});
