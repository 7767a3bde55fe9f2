import { createAssistant } from '../server/assistant.ts';
const a = await createAssistant({ dataDir: '/tmp/dq', corpusDir: '/work/main/corpus' });
for (const q of process.argv.slice(2)) {
  const r = a.retriever.analyzeQuery(q);
  console.log(q, JSON.stringify(r), r.content.map(t=>t+':'+a.retriever.idf(t).toFixed(1)).join(' '), r.bigrams.map(t=>t+':'+a.retriever.idf(t).toFixed(1)).join(' '));
}
