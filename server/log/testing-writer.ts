/**
 * A process that writes to the question log as the assistant does and prints `ok <id>` the moment each write is
 * acknowledged, for server/log/durability.test.ts to SIGKILL. State: DATABASE_URL (PostgreSQL) or DATA_DIR (SQLite).
 */
import { openDatabase } from '../index/db.ts';
import { openStateDatabase } from '../store/index.ts';
import { migrateQuestionLog, questionLogWriter } from './index.ts';

const index = openDatabase(process.env.DATA_DIR!);
const state = await openStateDatabase(process.env.DATABASE_URL || null, index);
await migrateQuestionLog(state);
const write = questionLogWriter(state);
console.log('ready');

let n = 0;
// several writers at once, like concurrent answers: each turn of the event loop commits a batch
const writer = async () => {
  for (;;) {
    const id = `kill-${process.pid}-${n++}`;
    await write({
      id,
      conversationId: `c-${id}`,
      text: 'Hầm biogas vận hành thế nào?',
      audience: 'citizen',
      site: null,
      answered: true,
      reason: null,
      confidence: 0.8,
      mode: 'extractive',
      cited: ['bien-phap-xu-ly#biogas'],
      answer: 'Nạp phân đều đặn mỗi ngày.',
    });
    // a pipe's write is synchronous on Linux: once the parent reads this line, the write was acknowledged
    process.stdout.write(`ok ${id}\n`);
  }
};
await Promise.all(Array.from({ length: 8 }, writer));
