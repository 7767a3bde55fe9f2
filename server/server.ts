import { createAssistant, type Assistant } from './assistant.ts';
import type { Config } from './config.ts';
import { createGenerator } from './generate/index.ts';
import { createApp } from './http/app.ts';
import { connectEmbeddingModel } from './index/openai-embedder.ts';
import { startRetention } from './log/retention.ts';
import { curatedChunks, syncCuratedIndex } from './review/curated.ts';

export interface Server {
  app: ReturnType<typeof createApp>;
  assistant: Assistant;
  /** stops background jobs and closes the database */
  close(): void;
}

/** Everything `npm start` runs, composed once: main.ts and the tests use the same composition. */
export async function buildServer(config: Config): Promise<Server> {
  const embedding = config.embedding ? await connectEmbeddingModel(config.embedding, config.dataDir) : null;
  const corpus = { dataDir: config.dataDir, corpusDir: config.corpusDir, extraChunks: curatedChunks };
  const assistant = await createAssistant({ ...corpus, embedder: embedding?.embedder }).catch((e) => {
    // a model that fails part-way through indexing must not keep the assistant down
    if (!embedding?.embedder) throw e;
    embedding.unusable(e);
    return createAssistant(corpus);
  });
  // an index rebuilt elsewhere (npm run ask, an older corpus/faq export) gets the staff's answers back as written
  await syncCuratedIndex(assistant);
  const generator = config.llm ? createGenerator(assistant, { llm: config.llm, allowedOrigins: config.allowedOrigins }) : null;
  const app = createApp(assistant, {
    config,
    ...(generator ? { chat: generator.chat } : {}),
    health: () => ({ ...embedding?.health(), ...generator?.health() }),
  });
  const retention = startRetention(assistant.db, config.retentionDays);
  return {
    app,
    assistant,
    close: () => {
      retention.stop();
      assistant.close();
      embedding?.close();
    },
  };
}
