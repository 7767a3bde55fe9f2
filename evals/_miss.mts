import { createAssistant } from '../server/assistant.ts';
import { items, loadQuestions } from './evaluate.ts';
const a = await createAssistant({ dataDir: '/tmp/dq4', corpusDir: '/work/main/corpus' });
const list = items(loadQuestions('/work/main/evals/questions')).filter(i => i.expect && (process.argv[2] ? i.variant === process.argv[2] : true));
const db = a.db;
for (const it of list) {
  const ans = await a.answer({ message: it.question, audience: it.audience });
  if (ans.answered) continue;
  const r = await a.retriever.retrieve(it.question, { audience: it.audience });
  const best = r.hits.slice(0,5).sort((x,y)=>y.coverage-x.coverage)[0];
  const terms = new Set((db.prepare('select terms from chunks where rowid=?').get(best!.rowid) as any).terms.split(' '));
  const missing = [...r.query.content, ...r.query.bigrams].filter(t => !terms.has(t));
  console.log(best!.coverage.toFixed(2), best!.domain ? 'D' : '-', it.question, '| missing:', missing.join(' '));
}
