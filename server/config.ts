import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Everything the environment can set (names fixed in shared/CONTRACT.md). */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** DATABASE_URL (postgres://…): shared state for several replicas; null = the SQLite file in dataDir */
  databaseUrl: string | null;
  corpusDir: string;
  allowedOrigins: string[];
  /** the public origin (PUBLIC_BASE_URL, "https://hoidap.example.gov.vn"), or null: decides what is same-origin (never the
   * Host header) and makes the absolute source links of messenger replies */
  publicBaseUrl: string | null;
  rateLimitPerMinute: number;
  /** addresses of the reverse proxies whose X-Forwarded-For is trusted; empty = use the socket address */
  trustProxy: string[];
  retentionDays: number;
  /** answers streaming at once (MAX_STREAMS); the next one gets 503 "busy" */
  maxStreams: number;
  llm: { baseURL: string; apiKey: string; model: string; maxConcurrent?: number } | null;
  embedding: { baseURL: string; apiKey: string; model: string } | null;
  /** the Zalo Official Account channel; null = off (`/kenh/zalo` answers 404) */
  zalo: ZaloConfig | null;
  /** the Facebook Messenger channel; null = off (`/kenh/messenger` answers 404) */
  messenger: MessengerConfig | null;
}

export interface ZaloConfig {
  appId: string;
  appSecret: string;
  oaSecretKey: string;
  /** the first token pair; later pairs are rotated and kept in the database */
  accessToken: string | null;
  refreshToken: string | null;
  apiBaseUrl: string;
  oauthBaseUrl: string;
}

export interface MessengerConfig {
  appSecret: string;
  pageAccessToken: string;
  verifyToken: string;
  apiBaseUrl: string;
}

function int(value: string | undefined, fallback: number): number {
  const n = value === undefined || value === '' ? NaN : Number(value);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : fallback;
}

const trimmed = (value: string | undefined) => value?.trim() || null;
const withoutSlash = (url: string) => url.replace(/\/+$/, '');

function zaloConfig(env: NodeJS.ProcessEnv): ZaloConfig | null {
  const appId = trimmed(env.ZALO_APP_ID);
  const appSecret = trimmed(env.ZALO_APP_SECRET);
  const oaSecretKey = trimmed(env.ZALO_OA_SECRET_KEY);
  if (!appId || !appSecret || !oaSecretKey) return null;
  return {
    appId,
    appSecret,
    oaSecretKey,
    accessToken: trimmed(env.ZALO_ACCESS_TOKEN),
    refreshToken: trimmed(env.ZALO_REFRESH_TOKEN),
    apiBaseUrl: withoutSlash(trimmed(env.ZALO_API_BASE_URL) ?? 'https://openapi.zalo.me'),
    oauthBaseUrl: withoutSlash(trimmed(env.ZALO_OAUTH_BASE_URL) ?? 'https://oauth.zaloapp.com'),
  };
}

function messengerConfig(env: NodeJS.ProcessEnv): MessengerConfig | null {
  const appSecret = trimmed(env.MESSENGER_APP_SECRET);
  const pageAccessToken = trimmed(env.MESSENGER_PAGE_ACCESS_TOKEN);
  const verifyToken = trimmed(env.MESSENGER_VERIFY_TOKEN);
  if (!appSecret || !pageAccessToken || !verifyToken) return null;
  return { appSecret, pageAccessToken, verifyToken, apiBaseUrl: withoutSlash(trimmed(env.MESSENGER_API_BASE_URL) ?? 'https://graph.facebook.com/v21.0') };
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** "https://hoidap.example.gov.vn/" → "https://hoidap.example.gov.vn"; anything that is not an http(s) origin → null. */
function publicOrigin(value: string | undefined): string | null {
  try {
    const url = new URL(value?.trim() ?? '');
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null;
  } catch {
    return null;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const llmBase = env.LLM_BASE_URL?.trim();
  const llmModel = env.LLM_MODEL?.trim();
  const embBase = env.EMBEDDING_BASE_URL?.trim() || llmBase;
  const embModel = env.EMBEDDING_MODEL?.trim();
  const trust = env.TRUST_PROXY?.trim();
  return {
    port: int(env.PORT, 3000),
    host: env.HOST?.trim() || '127.0.0.1',
    dataDir: resolve(env.DATA_DIR?.trim() || resolve(ROOT, 'data')),
    databaseUrl: trimmed(env.DATABASE_URL),
    corpusDir: resolve(env.CORPUS_DIR?.trim() || resolve(ROOT, 'corpus')),
    allowedOrigins: list(env.ALLOWED_ORIGINS),
    publicBaseUrl: publicOrigin(env.PUBLIC_BASE_URL),
    rateLimitPerMinute: int(env.RATE_LIMIT_PER_MINUTE, 30),
    // "1"/"true" trusts the loopback proxy; otherwise a comma-separated list of proxy addresses
    trustProxy: !trust || trust === '0' || trust === 'false' ? [] : trust === '1' || trust === 'true' ? ['127.0.0.1', '::1'] : list(trust),
    retentionDays: int(env.RETENTION_DAYS, 180) || 180,
    maxStreams: int(env.MAX_STREAMS, 64) || 64,
    // the key goes into an HTTP header, which must be ASCII: local servers accept any placeholder
    llm: llmBase && llmModel
      ? { baseURL: llmBase, apiKey: env.LLM_API_KEY?.trim() || 'no-key', model: llmModel, maxConcurrent: int(env.LLM_MAX_CONCURRENT, 4) || 4 }
      : null,
    embedding:
      embBase && embModel
        ? { baseURL: embBase, apiKey: env.EMBEDDING_API_KEY?.trim() || env.LLM_API_KEY?.trim() || 'no-key', model: embModel }
        : null,
    zalo: zaloConfig(env),
    messenger: messengerConfig(env),
  };
}
