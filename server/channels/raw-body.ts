import type { Context } from 'hono';

/** A webhook body is small; past this it is not one. */
export const MAX_WEBHOOK_BYTES = 64 * 1024;

/**
 * The body exactly as it arrived, as bytes: both messengers sign these bytes, and re-serialising the JSON
 * (Vietnamese written as \u escapes or raw UTF-8, key order, spacing) would break the signature.
 */
export async function readRaw(c: Context, max = MAX_WEBHOOK_BYTES): Promise<Uint8Array | null> {
  if (Number(c.req.header('content-length') ?? 0) > max) return null;
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  return bytes.byteLength > max ? null : bytes;
}
