import { pathToFileURL } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAssistant } from '../server/assistant.ts';
import { loadConfig, ROOT } from '../server/config.ts';
import type { Embedder } from '../server/index/embedder.ts';
import { connectEmbeddingModel } from '../server/index/openai-embedder.ts';
import type { RetrievalMode } from '../server/retrieve/index.ts';
import { existsSync, writeFileSync } from 'node:fs';
import { stringify as toYaml } from 'yaml';
import { answerKey, figures, groupsOf, HOLDOUT, loadConversations, loadDevConversations, loadGrades, runConversations, type TurnOutcome } from './conversations.ts';
import { evaluate, items, loadQuestions, report, type Outcome, type Report, type Scores } from './evaluate.ts';
import { generativeTable, runGenerativeEvals } from './generative.ts';

/**
 * `npm run eval [-- --json] [-- --failures] [-- --mode hybrid] [-- --generative]`: scores every question of evals/questions
 * with the full hybrid pipeline and with BM25 only, vector only and the naive FTS5 baseline.
 */
export async function runEvals(modes: RetrievalMode[] = ['hybrid', 'bm25', 'vector', 'naive'], embedder?: Embedder) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cnsh-eval-'));
  try {
    const assistant = await createAssistant({ dataDir, corpusDir: join(ROOT, 'corpus'), embedder });
    const list = items(loadQuestions(join(ROOT, 'evals', 'dev', 'questions')));
    const result = {} as Report;
    const outcomes = {} as Record<RetrievalMode, Outcome[]>;
    for (const mode of modes) {
      outcomes[mode] = await evaluate(assistant, list, mode);
      result[mode] = report(outcomes[mode]);
    }
    assistant.close();
    return { report: result, outcomes, questions: list.length };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Dev and holdout conversations, each asked turn by turn through a fresh assistant (its own log, for follow-ups). */
export async function runConversationEvals(which: ('dev' | 'holdout')[] = ['dev', 'holdout']): Promise<Partial<Record<'dev' | 'holdout', TurnOutcome[]>>> {
  const out: Partial<Record<'dev' | 'holdout', TurnOutcome[]>> = {};
  for (const set of which) {
    if (set === 'holdout' && !existsSync(HOLDOUT.conversations)) continue;
    const list = set === 'dev' ? loadDevConversations() : loadConversations(HOLDOUT.conversations, HOLDOUT.annotations);
    const dataDir = mkdtempSync(join(tmpdir(), `cnsh-eval-${set}-`));
    try {
      const assistant = await createAssistant({ dataDir, corpusDir: join(ROOT, 'corpus') });
      out[set] = await runConversations(assistant, list);
      assistant.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return out;
}

/** Per group: automatic pass rate and, where graded, judged accuracy. */
export function conversationTable(outcomes: TurnOutcome[], grades = loadGrades(HOLDOUT.grades)): string {
  const groups = new Map<string, TurnOutcome[]>([['overall', outcomes]]);
  for (const o of outcomes) for (const g of groupsOf(o)) groups.set(g, [...(groups.get(g) ?? []), o]);
  const head = `${'nhóm'.padEnd(26)} ${'n'.padStart(4)}   tự động   chấm   đúng(A+B+F)  sạch(A)  từ chối sai`;
  const rows = [...groups].map(([name, list]) => {
    const f = figures(list, grades);
    return `${name.padEnd(26)} ${String(f.n).padStart(4)}   ${pct(f.auto)}   ${String(f.graded).padStart(4)}     ${pct(f.judged)}    ${pct(f.clean)}     ${pct(f.wronglyDeclined)}`;
  });
  return [head, '-'.repeat(head.length), ...rows].join('\n');
}

/** The file a reader grades: every holdout reply with its question, citations and the automatic verdict. */
export function judgeFile(outcomes: TurnOutcome[]): string {
  return toYaml(
    outcomes.map((o) => ({
      id: o.id,
      turn: o.turn,
      audience: o.audience,
      question: o.text,
      expected: o.expect,
      answerKey: answerKey(o.answer),
      answered: o.answered,
      ...(o.clarify ? { clarify: true } : {}),
      ...(o.uncertain ? { uncertain: true } : {}),
      answer: o.answer,
      citations: o.citations.map((c) => `${c.docId} — ${c.section}`),
      auto: o.pass ? 'pass' : `fail: ${o.why}`,
    })),
    { lineWidth: 0 },
  );
}

const pct = (x: number | null) => (x === null ? '   –  ' : `${(100 * x).toFixed(1).padStart(5)}%`);

function table(title: string, rows: [string, Scores][]): string {
  const head = `${title.padEnd(16)} ${'n'.padStart(5)}  accuracy  recall@5    MRR@10  decl.prec  decl.rec`;
  const lines = rows.map(
    ([name, s]) =>
      `${name.padEnd(16)} ${String(s.n).padStart(5)}   ${pct(s.accuracy)}    ${pct(s.recall5)}    ${pct(s.mrr10)}     ${pct(s.declinePrecision)}    ${pct(s.declineRecall)}`,
  );
  return [head, '-'.repeat(head.length), ...lines].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const modeArg = args.indexOf('--mode');
  const modes = modeArg >= 0 ? [args[modeArg + 1] as RetrievalMode] : undefined;
  if (args.includes('--generative')) {
    // answer accuracy through the generative path over the test model server (server/generate/README.md)
    const g = await runGenerativeEvals();
    console.log(args.includes('--json') ? JSON.stringify(g) : generativeTable(g));
    process.exit(0);
  }
  if (args.includes('--fit')) {
    const { fitDecision } = await import('./fit.ts');
    console.log(await fitDecision());
    process.exit(0);
  }
  const judge = args.indexOf('--judge');
  if (judge >= 0) {
    const { holdout = [] } = await runConversationEvals(['holdout']);
    writeFileSync(args[judge + 1]!, judgeFile(holdout));
    console.log(`${holdout.length} lượt đã ghi vào ${args[judge + 1]}`);
    process.exit(0);
  }
  const { report: r, outcomes, questions } = await runEvals(modes);
  const conversations = await runConversationEvals();
  // with EMBEDDING_* set, retrieval is also scored with that model; its vectors are cached in DATA_DIR
  const config = loadConfig();
  const model = config.embedding ? await connectEmbeddingModel(config.embedding, config.dataDir) : null;
  const byEmbedder: Record<string, Partial<Report>> = {};
  if (model?.embedder) byEmbedder[model.embedder.id] = (await runEvals(modes ?? ['hybrid', 'vector'], model.embedder)).report;
  model?.close();
  if (args.includes('--json')) {
    const grades = loadGrades(HOLDOUT.grades);
    console.log(
      JSON.stringify({
        questions,
        report: r,
        conversations: Object.fromEntries(Object.entries(conversations).map(([k, v]) => [k, figures(v!, k === 'holdout' ? grades : [])])),
        ...(model ? { embedders: byEmbedder } : {}),
      }),
    );
  } else {
    const sections: [string, Report[RetrievalMode]][] = [
      ...Object.entries(r),
      ...Object.entries(byEmbedder).flatMap(([id, rep]) => Object.entries(rep).map(([mode, m]) => [`${mode} · ${id}`, m] as [string, Report[RetrievalMode]])),
    ];
    for (const [mode, rep] of sections) {
      console.log(`\n== ${mode} ==`);
      console.log(table('nhóm', [['overall', rep.overall], ...Object.entries(rep.byGroup)]));
      console.log();
      console.log(table('biến thể', Object.entries(rep.byVariant)));
    }
    for (const [set, list] of Object.entries(conversations)) {
      console.log(`\n== hội thoại · ${set} ==`);
      console.log(conversationTable(list!, set === 'holdout' ? undefined : []));
    }
    if (args.includes('--failures')) {
      // dev only: nobody reads a holdout miss to write a rule
      for (const o of conversations.dev ?? []) {
        if (o.pass) continue;
        console.log(`\n✗ ${o.id}#${o.turn} [${o.expect}] ${o.text}`);
        console.log(`  ${o.why} · answered=${o.answered} p=${o.confidence.toFixed(2)} → ${o.answer.replace(/\n/g, ' | ').slice(0, 300)}`);
      }
      for (const o of outcomes[modes?.[0] ?? 'hybrid']) {
        const bad = o.item.expect ? !o.correct || o.rank === null || o.rank > 5 : o.answered;
        if (!bad) continue;
        console.log(`\n✗ ${o.item.id} [${o.item.variant}] ${o.item.question}`);
        console.log(`  rank=${o.rank} answered=${o.answered} top=${o.top.join(', ')}`);
        if (o.item.expect) console.log(`  expect ${o.item.expect.docId} / ${o.item.expect.section ?? ''} facts=${o.item.expect.facts.join(' | ')}`);
        console.log(`  → ${o.answer.replace(/\n/g, ' ').slice(0, 300)}`);
      }
    }
  }
}
