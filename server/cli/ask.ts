import { createAssistant } from '../assistant.ts';
import { loadConfig } from '../config.ts';
import { curatedChunks } from '../review/curated.ts';

/**
 * `npm run ask -- "câu hỏi" [--student]`: the same JSON as POST /api/chat, without a server. It uses the same
 * index (curated answers included) and does not write to the question log: staff statistics stay the public's.
 */
const args = process.argv.slice(2);
const message = args.filter((a) => !a.startsWith('--')).join(' ').trim();
if (!message) {
  console.error('Cách dùng: npm run ask -- "câu hỏi của bạn" [--student]');
  process.exit(2);
}
const config = loadConfig();
const assistant = await createAssistant({
  dataDir: config.dataDir,
  corpusDir: config.corpusDir,
  extraChunks: curatedChunks,
  // the same answer as the server gives: written by the model when one is configured
  ...(config.llm ? { generation: { llm: config.llm, allowedOrigins: config.allowedOrigins } } : {}),
});
const { confidence: _confidence, reason: _reason, ...response } = await assistant.ask(
  { message, audience: args.includes('--student') ? 'student' : 'citizen', site: 'cli', channel: 'cli' },
  { log: false },
);
console.log(JSON.stringify(response, null, 2));
assistant.close();
