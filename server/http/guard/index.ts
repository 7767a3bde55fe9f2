import type { MiddlewareHandler } from 'hono';
import type { Config } from '../../config.ts';
import { clientAddress, rateKey, trustedProxies } from './client.ts';
import { apiOrigins } from './origins.ts';
import { rateLimit } from './rate-limit.ts';
import { secureHeaders } from './secure-headers.ts';
import { streamLimit, type StreamLimit } from './streams.ts';

export { cameOverTls, clientAddress, rateKey, trustedProxies } from './client.ts';
export { apiOrigins, canonicalOrigin } from './origins.ts';
export { createRateLimiter, rateLimit, type RateLimiter } from './rate-limit.ts';
export { contentSecurityPolicy, secureHeaders } from './secure-headers.ts';
export { streamLimit, type StreamLimit } from './streams.ts';

export interface Guard {
  /** on every response: nosniff, referrer policy, HSTS behind TLS, CSP on HTML */
  pages: MiddlewareHandler;
  /** on /api/*, in this order: CORS (so even a 429 is readable by the embedding site), rate limit, stream cap */
  api: MiddlewareHandler[];
  streams: StreamLimit;
}

/** What stands between the public internet and the assistant, built from the configuration. */
export function createGuard(config: Pick<Config, 'allowedOrigins' | 'rateLimitPerMinute' | 'trustProxy' | 'maxStreams'> & Partial<Pick<Config, 'publicBaseUrl'>>): Guard {
  const proxies = trustedProxies(config.trustProxy);
  const streams = streamLimit(config.maxStreams, { key: (c) => rateKey(clientAddress(c, proxies)) });
  return {
    pages: secureHeaders({ allowedOrigins: config.allowedOrigins, proxies }),
    api: [apiOrigins({ allowedOrigins: config.allowedOrigins, publicOrigin: config.publicBaseUrl ?? null }), rateLimit({ perMinute: config.rateLimitPerMinute, proxies }), streams.middleware],
    streams,
  };
}
