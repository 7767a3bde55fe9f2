import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAssistant } from '../server/assistant.ts';
import { ROOT } from '../server/config.ts';
import { startFakeLlm, type FakeBehaviour } from '../server/generate/fake-llm.ts';
import { createGenerator } from '../server/generate/index.ts';
import { askApi } from '../server/generate/testing.ts';
import { startTestServer } from '../server/testing.ts';
import { GROUPS, hasFacts, items, loadQuestions } from './evaluate.ts';

/**
 * `npm run eval -- --generative`: answer accuracy of the extractive path and of the generative path over
 * the test OpenAI-compatible server (server/generate/fake-llm.ts, started here), then how long citizens
 * wait for an answer while that model stalls or fails. The fake "model" composes its answer from the sentences
 * of its sources that share the most words with the question, so the numbers measure the pipeline (sources
 * → model → checks → final answer), not the quality of a real model.
 */
export interface GenerativeReport {
  questions: number;
  accuracy: Record<string, { n: number; extractive: number; generative: number }>;
  /** of the answered in-scope questions: how the model's answer fared */
  generation: Record<string, number>;
  outage: Record<string, { questions: number; extractive: number; maxSeconds: number; medianSeconds: number }>;
}

const ratio = (a: number, b: number) => (b ? a / b : 0);

async function accuracy(): Promise<Omit<GenerativeReport, 'outage'>> {
  const fake = await startFakeLlm('answer', { tokenDelayMs: 0 });
  const dataDir = mkdtempSync(join(tmpdir(), 'cnsh-eval-gen-'));
  try {
    const assistant = await createAssistant({ dataDir, corpusDir: join(ROOT, 'corpus') });
    const generator = createGenerator(assistant, { llm: { baseURL: fake.baseURL, apiKey: 'no-key', model: 'fake-chat' }, allowedOrigins: [] });
    const list = items(loadQuestions(join(ROOT, 'evals', 'dev', 'questions'))).filter((i) => i.expect);
    const rows: { group: string; extractive: boolean; generative: boolean }[] = [];
    const generation: Record<string, number> = {};
    for (const item of list) {
      const req = { message: item.question, audience: item.audience };
      const extractive = await assistant.answer(req);
      const composed = await generator.compose(extractive, req, null, new AbortController().signal);
      if (composed.answered) generation[composed.generation ?? 'none'] = (generation[composed.generation ?? 'none'] ?? 0) + 1;
      const facts = item.expect!.facts;
      rows.push({
        group: item.group,
        extractive: extractive.answered && hasFacts(extractive.answer, facts),
        generative: composed.answered && hasFacts(composed.answer, facts),
      });
    }
    assistant.close();
    const score = (sub: typeof rows) => ({
      n: sub.length,
      extractive: ratio(sub.filter((r) => r.extractive).length, sub.length),
      generative: ratio(sub.filter((r) => r.generative).length, sub.length),
    });
    const byGroup = Object.fromEntries(
      GROUPS.map((g) => [g, rows.filter((r) => r.group === g)] as const)
        .filter(([, sub]) => sub.length)
        .map(([g, sub]) => [g, score(sub)]),
    );
    return { questions: list.length, accuracy: { overall: score(rows), ...byGroup }, generation };
  } finally {
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const OUTAGE_QUESTIONS = ['Làm sao vận hành hầm biogas an toàn?', 'Đệm lót sinh học là gì?', 'Rác hữu cơ trong nhà xử lý thế nào?', 'Ủ phân compost với Trichoderma thế nào?'];

/** Through the real HTTP server, as the widget asks (SSE): the first three at once, then one more. */
async function outage(behaviour: FakeBehaviour) {
  const fake = await startFakeLlm(behaviour);
  const server = await startTestServer({ LLM_BASE_URL: fake.baseURL, LLM_MODEL: 'fake-chat' });
  try {
    const timed = async (q: string) => {
      const started = performance.now();
      const { body } = await askApi(server.url, q, { stream: true });
      return { seconds: (performance.now() - started) / 1000, extractive: body.answered && body.mode === 'extractive' };
    };
    const results = [...(await Promise.all(OUTAGE_QUESTIONS.slice(0, 3).map(timed))), await timed(OUTAGE_QUESTIONS[3]!)];
    const seconds = results.map((r) => r.seconds).sort((a, b) => a - b);
    return {
      questions: results.length,
      extractive: results.filter((r) => r.extractive).length,
      maxSeconds: seconds.at(-1)!,
      medianSeconds: (seconds[1]! + seconds[2]!) / 2,
    };
  } finally {
    await server.close();
    await fake.close();
  }
}

export async function runGenerativeEvals(): Promise<GenerativeReport> {
  const base = await accuracy();
  return { ...base, outage: { stall: await outage('stall'), 'error-500': await outage('error-500') } };
}

const pct = (x: number) => `${(100 * x).toFixed(1).padStart(5)}%`;

export function generativeTable(r: GenerativeReport): string {
  const lines = [
    `Độ chính xác câu trả lời (${r.questions} câu trong phạm vi; mô hình thử nghiệm server/generate/fake-llm.ts)`,
    `${'nhóm'.padEnd(12)} ${'n'.padStart(5)}  trích dẫn  tạo sinh`,
    ...Object.entries(r.accuracy).map(([g, s]) => `${g.padEnd(12)} ${String(s.n).padStart(5)}     ${pct(s.extractive)}    ${pct(s.generative)}`),
    '',
    'Câu trả lời của mô hình: ' + Object.entries(r.generation).map(([k, v]) => `${k} ${v}`).join(', '),
    '',
    'Khi mô hình gặp sự cố (4 câu hỏi qua HTTP/SSE, 3 câu cùng lúc rồi 1 câu):',
    ...Object.entries(r.outage).map(
      ([b, o]) => `${b.padEnd(12)} trích dẫn ${o.extractive}/${o.questions}, chờ lâu nhất ${o.maxSeconds.toFixed(2)} s, trung vị ${o.medianSeconds.toFixed(2)} s`,
    ),
  ];
  return lines.join('\n');
}
