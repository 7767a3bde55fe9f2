import type { Context, MiddlewareHandler } from 'hono';
import type { BlockList } from 'node:net';
import { fail } from '../errors.ts';
import { aggregateKey, clientAddress, rateKey } from './client.ts';

export interface RateLimitOptions {
  /** requests per client per minute; 0 turns the limit off */
  perMinute: number;
  proxies: BlockList;
  /** the wider network (IPv6 /56, IPv4 /24) gets this many times a client's budget, shared by all its clients */
  networkFactor?: number;
  /** the answer over the limit (the staff console answers with its own page); JSON 429 by default */
  onLimited?: (c: Context, waitSeconds: number) => Response | Promise<Response>;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** More clients than this are not remembered: the oldest are forgotten first, so memory stays bounded. */
const MAX_CLIENTS = 100_000;
/** A /56 holds 256 /64s: together they get four clients' budget, so a household is served and a subnet is not a botnet. */
export const NETWORK_FACTOR = 4;

/** Token buckets of one size, `capacity` at once and refilled over a minute, forgotten once full again. */
function buckets(capacity: number, now: () => number) {
  const perMs = capacity / 60_000;
  const all = new Map<string, Bucket>();
  let sweptAt = now();
  const sweep = (t: number) => {
    if (t - sweptAt < 60_000 && all.size < MAX_CLIENTS) return;
    sweptAt = t;
    // a bucket that has refilled is the same as no bucket
    for (const [key, b] of all) if (b.tokens + (t - b.at) * perMs >= capacity) all.delete(key);
    for (const key of all.keys()) {
      if (all.size < MAX_CLIENTS) break;
      all.delete(key);
    }
  };
  return {
    /** the bucket, refilled up to now */
    at(key: string, t: number): Bucket {
      sweep(t);
      const b = all.get(key) ?? { tokens: capacity, at: t };
      b.tokens = Math.min(capacity, b.tokens + (t - b.at) * perMs);
      b.at = t;
      all.set(key, b);
      return b;
    },
    /** seconds until the bucket holds one token again */
    wait: (b: Bucket) => Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000)),
  };
}

export interface RateLimiter {
  /** takes one request from `key`'s bucket: 0 when allowed, otherwise the seconds until the next one is */
  take(key: string): number;
}

/**
 * A token bucket per key (a channel user such as `zalo:<hash>`): `perMinute` requests at once, then one more
 * every 60/perMinute seconds. `perMinute` 0 allows everything.
 */
export function createRateLimiter({ perMinute, now = Date.now }: { perMinute: number; now?: () => number }): RateLimiter {
  if (perMinute <= 0) return { take: () => 0 };
  const users = buckets(perMinute, now);
  return {
    take(key) {
      const b = users.at(key, now());
      if (b.tokens < 1) return users.wait(b);
      b.tokens -= 1;
      return 0;
    },
  };
}

/**
 * A token bucket per client (IPv4 address, IPv6 /64): `perMinute` requests at once, then one more every
 * 60/perMinute seconds; and one per network (IPv6 /56, IPv4 /24) with `networkFactor` times that, which every
 * client of the network draws from too. Over either → 429 with Retry-After. Preflights are free.
 */
export function rateLimit({ perMinute, proxies, networkFactor = NETWORK_FACTOR, onLimited, now = Date.now }: RateLimitOptions): MiddlewareHandler {
  if (perMinute <= 0) return async (_c, next) => next();
  const clients = buckets(perMinute, now);
  const networks = buckets(perMinute * networkFactor, now);
  const limited =
    onLimited ??
    ((c: Context, wait: number) =>
      fail(c, 'rate_limited', `Bạn gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng chờ khoảng ${wait} giây rồi thử lại.`, {
        'Retry-After': String(wait),
      }));

  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return next();
    const t = now();
    const address = clientAddress(c, proxies);
    const own = clients.at(rateKey(address), t);
    const network = networks.at(aggregateKey(address), t);
    if (own.tokens < 1 || network.tokens < 1) {
      const wait = Math.max(own.tokens < 1 ? clients.wait(own) : 0, network.tokens < 1 ? networks.wait(network) : 0);
      return limited(c, wait);
    }
    own.tokens -= 1;
    network.tokens -= 1;
    return next();
  };
}
