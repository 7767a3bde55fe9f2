import { loadCorpus } from '../corpus/index.ts';
import { loadConfig } from '../config.ts';

/** `npm run chunks`: every indexed chunk of corpus/ as one JSON line. */
const { corpusDir } = loadConfig();
for (const c of loadCorpus(corpusDir).chunks)
  process.stdout.write(`${JSON.stringify({ id: c.id, docId: c.docId, kind: c.kind, title: c.title, section: c.section, text: c.text })}\n`);
