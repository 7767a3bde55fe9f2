import { createAssistant } from '../assistant.ts';
import { loadConfig } from '../config.ts';
import { curatedChunks } from '../review/curated.ts';

/** `npm run chunks`: every indexed chunk — corpus and published curated answers — as one JSON line each. */
// `npm run chunks | head` closes the pipe early: that is not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? 0 : 1));
const config = loadConfig();
const assistant = await createAssistant({ dataDir: config.dataDir, corpusDir: config.corpusDir, extraChunks: curatedChunks });
const rows = assistant.db
  .prepare('SELECT id, doc_id AS docId, kind, title, section, text FROM chunks ORDER BY rowid')
  .all() as { id: string; docId: string; kind: string; title: string; section: string; text: string }[];
for (const r of rows) process.stdout.write(`${JSON.stringify({ id: r.id, docId: r.docId, kind: r.kind, title: r.title, section: r.section, text: r.text })}\n`);
assistant.close();
