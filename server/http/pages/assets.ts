import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Context } from 'hono';

export interface Asset {
  body: Buffer;
  /** strong validator: the first 16 hex digits of the content's SHA-256, quoted */
  etag: string;
  hash: string;
}

/** Reads a file once and again only when it changes on disk (a rebuilt widget). */
export function fileAsset(path: string): () => Asset | null {
  let cached: (Asset & { mtimeMs: number; size: number }) | null = null;
  return () => {
    if (!existsSync(path)) return (cached = null);
    const { mtimeMs, size } = statSync(path);
    if (cached && cached.mtimeMs === mtimeMs && cached.size === size) return cached;
    const body = readFileSync(path);
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
    cached = { body, hash, etag: `"${hash}"`, mtimeMs, size };
    return cached;
  };
}

export interface SendOptions {
  type: string;
  /** seconds a browser may reuse the file without asking */
  maxAge: number;
  /** the request names this exact version (`?v=<hash>`): cache for a year */
  immutable?: boolean;
  headers?: Record<string, string>;
}

/** Sends an asset with its ETag, answering 304 to a matching If-None-Match. */
export function sendAsset(c: Context, asset: Asset, { type, maxAge, immutable, headers = {} }: SendOptions) {
  const common: Record<string, string> = {
    ETag: asset.etag,
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : `public, max-age=${maxAge}`,
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  };
  const match = c.req.header('if-none-match');
  if (match && match.split(',').some((t) => t.trim().replace(/^W\//, '') === asset.etag)) return c.body(null, 304, common);
  return c.body(new Uint8Array(asset.body), 200, { ...common, 'Content-Type': type });
}
