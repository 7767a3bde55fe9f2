import { pathToFileURL } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAssistant } from '../server/assistant.ts';
import { loadConfig, ROOT } from '../server/config.ts';
import type { Embedder } from '../server/index/embedder.ts';
import { connectEmbeddingModel } from '../server/index/openai-embedder.ts';
import type { RetrievalMode } from '../server/retrieve/index.ts';
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
    const list = items(loadQuestions(join(ROOT, 'evals', 'questions')));
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
  const { report: r, outcomes, questions } = await runEvals(modes);
  // with EMBEDDING_* set, retrieval is also scored with that model; its vectors are cached in DATA_DIR
  const config = loadConfig();
  const model = config.embedding ? await connectEmbeddingModel(config.embedding, config.dataDir) : null;
  const byEmbedder: Record<string, Partial<Report>> = {};
  if (model?.embedder) byEmbedder[model.embedder.id] = (await runEvals(modes ?? ['hybrid', 'vector'], model.embedder)).report;
  model?.close();
  if (args.includes('--json')) {
    console.log(JSON.stringify({ questions, report: r, ...(model ? { embedders: byEmbedder } : {}) }));
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
    if (args.includes('--failures')) {
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
