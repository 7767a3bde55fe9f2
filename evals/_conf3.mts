import { createAssistant } from '../server/assistant.ts';
import { items, loadQuestions } from './evaluate.ts';
const a = await createAssistant({ dataDir: '/tmp/dq3', corpusDir: '/work/main/corpus' });
const list = items(loadQuestions('/work/main/evals/questions'));
const rows: {oos:boolean; cov:number; dom:number; unk:number}[] = [];
for (const it of list) {
  const r = await a.retriever.retrieve(it.question, { audience: it.audience });
  const top = r.hits.slice(0, 3);
  rows.push({ oos: !it.expect, cov: Math.max(0, ...top.map(h=>h.coverage)), dom: Math.max(0, ...top.filter(h=>h.domain).map(h=>h.coverage)), unk: r.query.unknown.length });
}
for (const hi of [0.5, 0.55, 0.6]) for (const lo of [0.25, 0.3, 0.35]) {
  const ok = (x: typeof rows[0]) => (x.cov >= hi || x.dom >= lo) && (x.unk === 0 || x.cov >= 0.75);
  console.log(`hi=${hi} lo=${lo} in-scope declined ${rows.filter(x=>!x.oos && !ok(x)).length}/${rows.filter(x=>!x.oos).length} oos answered ${rows.filter(x=>x.oos && ok(x)).length}/${rows.filter(x=>x.oos).length}`);
}
const hi = 0.55, lo = 0.35;
let i = 0;
for (const it of list) {
  const x = rows[i++]!;
  if (x.oos && (x.cov >= hi || x.dom >= lo) && (x.unk === 0 || x.cov >= 0.75)) {
    const r = await a.retriever.retrieve(it.question, {});
    console.log('OOS', x.unk, x.cov.toFixed(2), x.dom.toFixed(2), it.question, '|', r.query.content.join(' '), '|', r.hits[0]?.chunk.id);
  }
}
