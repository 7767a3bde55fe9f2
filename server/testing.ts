import { serve, type ServerType } from '@hono/node-server';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { trustedProxies } from './http/guard/client.ts';
import { limitConnections } from './http/guard/connections.ts';
import { createAssistant, type Assistant } from './assistant.ts';
import { loadConfig, ROOT, type Config } from './config.ts';
import type { ChannelOptions, Channels } from './channels/index.ts';
import { buildServer } from './server.ts';

export interface TestServer {
  url: string;
  assistant: Assistant;
  channels: Channels;
  config: Config;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * The real server on loopback, on a free port, with a fresh DATA_DIR and the real corpus.
 * `env` overrides environment variables (RATE_LIMIT_PER_MINUTE, ALLOWED_ORIGINS, LLM_BASE_URL …).
 */
export async function startTestServer(env: Record<string, string> = {}, options: { channels?: ChannelOptions } = {}): Promise<TestServer> {
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'cnsh-test-'));
  const config = loadConfig({ RATE_LIMIT_PER_MINUTE: '0', ...env, DATA_DIR: dataDir, PORT: '0' });
  const built = await buildServer(config, options);
  const { app, assistant, channels } = built;
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  // the same connection limits as `npm start`
  limitConnections(server as HttpServer, trustedProxies(config.trustProxy));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    assistant,
    channels,
    config,
    dataDir,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(async () => {
          await built.close();
          if (!env.DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
          resolve();
        });
        // streams left open by a test must not keep the server alive
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

/** The real assistant over the real corpus, without a server, in a fresh DATA_DIR removed by `close`. */
export async function startTestAssistant(): Promise<{ assistant: Assistant; dataDir: string; close(): void }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cnsh-test-'));
  const assistant = await createAssistant({ dataDir, corpusDir: join(ROOT, 'corpus') });
  return {
    assistant,
    dataDir,
    close: () => {
      assistant.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
