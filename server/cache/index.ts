/**
 * A least-recently-used cache bounded by entries **and** by an estimate of the bytes it holds. Every cache of
 * the request path goes through it: a flood of distinct long questions can fill a count-bounded cache with
 * megabytes each until the heap dies; here the oldest entries leave first once either bound is reached, and
 * keys longer than `maxKeyLength` (long texts, which rarely repeat) are never kept.
 */
export interface BoundedCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  clear(): void;
  readonly size: number;
  /** the estimate of what is held, bytes */
  readonly bytes: number;
}

export interface BoundedCacheOptions<V> {
  maxEntries: number;
  maxBytes: number;
  /** longer keys are not cached at all */
  maxKeyLength: number;
  /** bytes one value holds (an estimate; `roughSize` by default) */
  sizeOf?: (value: V) => number;
}

/**
 * Bytes a value holds on the V8 heap, roughly: strings two bytes a character plus a header, arrays and objects
 * a slot per element. Keys in `shared` are skipped (objects owned elsewhere, like indexed chunks).
 */
export function roughSize(value: unknown, shared: ReadonlySet<string> = new Set(), depth = 0): number {
  if (typeof value === 'string') return 24 + 2 * value.length;
  if (typeof value !== 'object' || value === null) return 8;
  if (depth > 8) return 64;
  let n = 32;
  if (Array.isArray(value)) {
    for (const v of value) n += 8 + roughSize(v, shared, depth + 1);
    return n;
  }
  for (const [k, v] of Object.entries(value)) n += 16 + (shared.has(k) ? 8 : roughSize(v, shared, depth + 1));
  return n;
}

export function boundedCache<V>({ maxEntries, maxBytes, maxKeyLength, sizeOf = (v) => roughSize(v) }: BoundedCacheOptions<V>): BoundedCache<V> {
  const entries = new Map<string, { value: V; bytes: number }>();
  let bytes = 0;
  const drop = (key: string) => {
    const e = entries.get(key);
    if (!e) return;
    bytes -= e.bytes;
    entries.delete(key);
  };
  return {
    get(key) {
      const e = entries.get(key);
      if (!e) return undefined;
      // most recently used last: what everybody asks is never what is forgotten
      entries.delete(key);
      entries.set(key, e);
      return e.value;
    },
    set(key, value) {
      if (key.length > maxKeyLength) return;
      drop(key);
      const size = 2 * key.length + 48 + sizeOf(value);
      if (size > maxBytes / 4) return; // one value must never push out most of the others
      entries.set(key, { value, bytes: size });
      bytes += size;
      while (entries.size > maxEntries || bytes > maxBytes) drop(entries.keys().next().value!);
    },
    clear() {
      entries.clear();
      bytes = 0;
    },
    get size() {
      return entries.size;
    },
    get bytes() {
      return bytes;
    },
  };
}
