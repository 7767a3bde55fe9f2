import type { Context, MiddlewareHandler } from 'hono';
import type { BlockList } from 'node:net';
import { fail } from '../errors.ts';
import { clientAddress, rateKey } from './client.ts';

export interface RateLimitOptions {
  /** requests per client per minute; 0 turns the limit off */
  perMinute: number;
  proxies: BlockList;
  now?: () => number;
  /** whose bucket a request takes from; default: the client address (per /64 for IPv6) */
  key?: (c: Context) => string;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** More clients than this are not remembered: the oldest are forgotten first, so memory stays bounded. */
const MAX_CLIENTS = 100_000;

export interface RateLimiter {
  /** takes one request from `key`'s bucket: 0 when allowed, otherwise the seconds until the next one is */
  take(key: string): number;
}

/**
 * A token bucket per key (a client address, or a channel user such as `zalo:<hash>`): `perMinute` requests at
 * once, then one more every 60/perMinute seconds. `perMinute` 0 allows everything.
 */
export function createRateLimiter({ perMinute, now = Date.now }: { perMinute: number; now?: () => number }): RateLimiter {
  if (perMinute <= 0) return { take: () => 0 };
  const perMs = perMinute / 60_000;
  const buckets = new Map<string, Bucket>();
  let sweptAt = now();

  // a bucket that has refilled is the same as no bucket: drop those once a minute
  const sweep = (t: number) => {
    if (t - sweptAt < 60_000 && buckets.size < MAX_CLIENTS) return;
    sweptAt = t;
    for (const [key, b] of buckets) if (b.tokens + (t - b.at) * perMs >= perMinute) buckets.delete(key);
    for (const key of buckets.keys()) {
      if (buckets.size < MAX_CLIENTS) break;
      buckets.delete(key);
    }
  };

  return {
    take(key) {
      const t = now();
      sweep(t);
      const bucket = buckets.get(key) ?? { tokens: perMinute, at: t };
      bucket.tokens = Math.min(perMinute, bucket.tokens + (t - bucket.at) * perMs);
      bucket.at = t;
      buckets.set(key, bucket);
      if (bucket.tokens < 1) return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      bucket.tokens -= 1;
      return 0;
    },
  };
}

/**
 * The limit on /api/*, keyed by client address (`key` plugs in another one). Over the limit → 429 with
 * Retry-After (seconds until the next request is allowed). Preflights are free.
 */
export function rateLimit({ perMinute, proxies, now = Date.now, key = (c) => rateKey(clientAddress(c, proxies)) }: RateLimitOptions): MiddlewareHandler {
  if (perMinute <= 0) return async (_c, next) => next();
  const limiter = createRateLimiter({ perMinute, now });
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return next();
    const wait = limiter.take(key(c));
    if (wait) {
      return fail(c, 'rate_limited', `Bạn gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng chờ khoảng ${wait} giây rồi thử lại.`, {
        'Retry-After': String(wait),
      });
    }
    return next();
  };
}
