import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answerAsk, answerQuery } from '../server/answer/index.ts';
import { DECISION_FILE, FEATURES, type Decision, type Features } from '../server/answer/decide.ts';
import { createAssistant } from '../server/assistant.ts';
import { ROOT } from '../server/config.ts';
import { findSection } from '../server/corpus/index.ts';
import { loadDevConversations } from './conversations.ts';
import { hasFacts, items, loadQuestions } from './evaluate.ts';

/**
 * Fits the answer/decline decision (server/answer/decision.json) on evals/dev only — never on the holdout.
 * Each dev question is composed as if it were answered; the label is whether that answer would be right
 * (its expected facts are in it) or, for questions that must be declined, 0. A logistic regression (L2, batch
 * gradient descent) learns P(right | features); the operating point minimises COST × wrong answers + wrong
 * declines; below `uncertainAt` (where dev precision reaches UNCERTAIN_PRECISION) an answer is marked uncertain.
 */
const COST = 2;
const UNCERTAIN_PRECISION = 0.93;
const L2 = 0.002;
const STEPS = 6000;
const RATE = 1;

interface Example {
  x: number[];
  y: number;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Classes weigh the same (dev has far more answerable questions than off-topic ones). */
function train(data: Example[]): { w: number[]; b: number } {
  const d = FEATURES.length;
  const pos = data.filter((e) => e.y === 1).length;
  const weightOf = (y: number) => data.length / (2 * Math.max(1, y === 1 ? pos : data.length - pos));
  const w = new Array<number>(d).fill(0);
  let b = 0;
  for (let step = 0; step < STEPS; step++) {
    const gw = new Array<number>(d).fill(0);
    let gb = 0;
    for (const e of data) {
      const p = sigmoid(b + e.x.reduce((n, v, i) => n + v * w[i]!, 0));
      const err = (p - e.y) * weightOf(e.y);
      for (let i = 0; i < d; i++) gw[i] = gw[i]! + err * e.x[i]!;
      gb += err;
    }
    for (let i = 0; i < d; i++) w[i] = w[i]! - RATE * (gw[i]! / data.length + L2 * w[i]!);
    b -= (RATE * gb) / data.length;
  }
  return { w, b };
}

export async function fitDecision(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cnsh-fit-'));
  const examples: Example[] = [];
  try {
    const assistant = await createAssistant({ dataDir, corpusDir: join(ROOT, 'corpus') });
    const section = (docId: string, heading: string) => {
      const doc = assistant.corpus.documents.find((x) => x.id === docId);
      const found = doc ? findSection(doc, heading) : null;
      return found ? assistant.retriever.chunkById(`${docId}#${found.anchor}`) : null;
    };
    const one = async (message: string, audience: 'citizen' | 'student', history: string[]) => {
      const query = assistant.understand(message, history);
      if (query.kind !== 'question' || !query.asks.length) return null;
      const ctx = { retriever: assistant.retriever, audience, section };
      const outcomes = [];
      for (const ask of query.asks) {
        const retrieval = await assistant.retriever.retrieve(ask.search, { audience, alternative: ask.alternative, context: ask.context, focus: ask.focus, focusAlternative: ask.focusAlternative, measure: ask.measure, measureAlternative: ask.measureAlternative });
        outcomes.push(answerAsk(ask, retrieval, ctx, { force: true }));
      }
      const forced = answerQuery({ ...query, safety: [] }, outcomes.map((o) => ({ ...o, verdict: o.verdict === 'missing' ? 'answer' : o.verdict })), ctx, false);
      return { features: outcomes[0]!.features, answer: forced.answer };
    };
    const add = (f: Features, y: number) => examples.push({ x: FEATURES.map((k) => f[k]), y });
    for (const item of items(loadQuestions(join(ROOT, 'evals', 'dev', 'questions')))) {
      const r = await one(item.question, item.audience, []);
      if (!r) continue;
      add(r.features, item.expect ? Number(hasFacts(r.answer, item.expect.facts)) : 0);
    }
    for (const c of loadDevConversations()) {
      const history: string[] = [];
      for (const t of c.turns) {
        const r = await one(t.text, c.audience, history);
        history.push(t.text);
        if (!r || !['answer', 'decline'].includes(t.expect)) continue;
        const facts = (t.facts ?? []).map((g) => (Array.isArray(g) ? g : [g]));
        const right = t.expect === 'answer' && facts.every((alts) => alts.some((a) => hasFacts(r.answer, [a])));
        add(r.features, Number(right));
      }
    }
    assistant.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }

  const { w, b } = train(examples);
  const scored = examples.map((e) => ({ p: sigmoid(b + e.x.reduce((n, v, i) => n + v * w[i]!, 0)), y: e.y }));
  const positives = scored.filter((s) => s.y === 1).length;
  const curve: { t: number; precision: number; recall: number; cost: number }[] = [];
  for (let t = 0.05; t < 0.96; t += 0.05) {
    const answered = scored.filter((s) => s.p >= t);
    const right = answered.filter((s) => s.y === 1).length;
    const wrongAnswers = answered.length - right;
    const wrongDeclines = positives - right;
    curve.push({ t: Math.round(t * 100) / 100, precision: answered.length ? right / answered.length : 1, recall: positives ? right / positives : 0, cost: COST * wrongAnswers + wrongDeclines });
  }
  const best = curve.reduce((a, c) => (c.cost < a.cost ? c : a));
  const uncertain = curve.find((c) => c.t >= best.t && c.precision >= UNCERTAIN_PRECISION) ?? best;
  const decision: Decision = {
    features: [...FEATURES],
    weights: w.map((v) => Math.round(v * 1000) / 1000),
    bias: Math.round(b * 1000) / 1000,
    answerAt: best.t,
    uncertainAt: Math.max(best.t, uncertain.t),
    provenance: {
      fittedBy: 'npm run eval -- --fit (evals/fit.ts)',
      date: new Date().toISOString().slice(0, 10),
      data: ['evals/dev/questions/*.yaml (every variant)', 'evals/dev/conversations.yaml (turns expecting answer or decline)'],
      examples: examples.length,
      positives,
      model: `logistic regression, classes weighted equally, L2 ${L2}, ${STEPS} steps of batch gradient descent at rate ${RATE}`,
      operatingPoint: `answer when p ≥ answerAt, which minimises ${COST} × wrong answers + wrong declines on dev`,
      uncertain: `answers with p < uncertainAt (where dev precision first reaches ${UNCERTAIN_PRECISION}) are marked uncertain and queued for staff`,
      atAnswerAt: { precision: Math.round(best.precision * 1000) / 1000, recall: Math.round(best.recall * 1000) / 1000 },
    },
  };
  writeFileSync(DECISION_FILE, `${JSON.stringify(decision, null, 2)}\n`);
  const lines = curve.map((c) => `  t=${c.t.toFixed(2)}  precision ${(100 * c.precision).toFixed(1)}%  recall ${(100 * c.recall).toFixed(1)}%  cost ${c.cost}`);
  return [`${examples.length} dev examples, ${positives} answerable-and-right`, ...lines, `→ answerAt ${decision.answerAt}, uncertainAt ${decision.uncertainAt}`, `weights ${JSON.stringify(Object.fromEntries(FEATURES.map((f, i) => [f, decision.weights[i]])))} bias ${decision.bias}`].join('\n');
}
