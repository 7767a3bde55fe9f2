import { createAssistant, type Assistant } from './assistant.ts';
import type { Config } from './config.ts';
import { createApp } from './http/app.ts';
import { connectEmbeddingModel } from './index/openai-embedder.ts';
import { createChannels, type ChannelOptions, type Channels } from './channels/index.ts';
import { startRetention } from './log/retention.ts';
import { curatedChunks, syncCuratedIndex } from './review/curated.ts';

export interface Server {
  app: ReturnType<typeof createApp>;
  assistant: Assistant;
  channels: Channels;
  /** stops background jobs and closes the database */
  close(): void;
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
  // an index rebuilt elsewhere (npm run ask, an older corpus/faq export) gets the staff's answers back as written
  await syncCuratedIndex(assistant);
  const channels = await createChannels(assistant, config, options.channels);
  const app = createApp(assistant, {
    config,
    channels,
    health: () => ({ ...embedding?.health(), ...assistant.health() }),
  });
  const retention = startRetention(assistant.db, config.retentionDays);
  return {
    app,
    assistant,
    channels,
    close: () => {
      channels.stop();
      retention.stop();
      assistant.close();
      embedding?.close();
    },
  };
}
