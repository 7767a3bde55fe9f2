import { createAssistant, type Assistant } from './assistant.ts';
import type { Config } from './config.ts';
import { createApp } from './http/app.ts';
import { connectEmbeddingModel } from './index/openai-embedder.ts';
import { createChannels, type ChannelOptions, type Channels } from './channels/index.ts';
import { startRetention } from './log/retention.ts';
import { curatedChunks, followCuratedAnswers, syncCuratedIndex } from './review/curated.ts';
import { ensureReviewTables, forgetRemovedQuestions } from './review/db.ts';

export interface Server {
  app: ReturnType<typeof createApp>;
  assistant: Assistant;
  channels: Channels;
  /** stops background jobs and closes the databases; resolves once they are closed (the SQLite WAL checkpointed) */
  close(): Promise<void>;
}

/** Everything `npm start` runs, composed once: main.ts and the tests use the same composition. */
export async function buildServer(config: Config, options: { channels?: ChannelOptions } = {}): Promise<Server> {
  const embedding = config.embedding ? await connectEmbeddingModel(config.embedding, config.dataDir) : null;
  const corpus = {
    dataDir: config.dataDir,
    corpusDir: config.corpusDir,
    databaseUrl: config.databaseUrl,
    extraChunks: curatedChunks,
    ...(config.llm ? { generation: { llm: config.llm, allowedOrigins: config.allowedOrigins } } : {}),
  };
  const assistant = await createAssistant({ ...corpus, embedder: embedding?.embedder }).catch((e) => {
    // a model that fails part-way through indexing must not keep the assistant down
    if (!embedding?.embedder) throw e;
    embedding.unusable(e);
    return createAssistant(corpus);
  });
  await ensureReviewTables(assistant.state);
  // an index rebuilt elsewhere (npm run ask, an older corpus/faq export) gets the staff's answers back as written
  await syncCuratedIndex(assistant);
  // and what staff change on any other replica reaches this one's index within about a second
  const curated = await followCuratedAnswers(assistant);
  const channels = await createChannels(assistant, config, options.channels);
  const app = createApp(assistant, {
    config,
    channels,
    health: () => ({ ...embedding?.health(), ...assistant.health() }),
  });
  const retention = await startRetention(assistant.state, config.retentionDays);
  const reviewRetention = startReviewRetention(assistant.state);
  return {
    app,
    assistant,
    channels,
    close: async () => {
      channels.stop();
      // a purge under way stops at its next statement: the database is closing under it
      void retention.stop();
      clearInterval(reviewRetention);
      await curated.stop();
      embedding?.close();
      await assistant.close();
    },
  };
}

/**
 * PostgreSQL keeps no foreign key from review state and notes to the question log (server/review/db.ts): what
 * belonged to questions retention removed goes here, at start and every hour.
 */
function startReviewRetention(state: Assistant['state']): NodeJS.Timeout {
  const run = () =>
    void forgetRemovedQuestions(state).catch((e) => console.error('Không xoá được ghi chú của câu hỏi đã hết hạn lưu giữ:', e));
  run();
  const timer = setInterval(run, 60 * 60 * 1000);
  timer.unref();
  return timer;
}
