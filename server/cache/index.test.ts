import { describe, expect, it } from 'vitest';
import { analyze, analyzeCacheStats } from '../text/index.ts';
import { boundedCache } from './index.ts';

describe('bounded caches: a flood of distinct long texts cannot grow the heap', () => {
  it('forgets the least recently used entries once the byte budget is reached', () => {
    const cache = boundedCache<string>({ maxEntries: 1000, maxBytes: 100_000, maxKeyLength: 100 });
    for (let i = 0; i < 1000; i++) cache.set(`k${i}`, 'x'.repeat(1000));
    expect(cache.bytes).toBeLessThanOrEqual(100_000);
    expect(cache.size).toBeLessThan(60);
    expect(cache.get('k999')).toBeDefined();
    expect(cache.get('k0')).toBeUndefined();
  });

  it('never keeps a long key', () => {
    const cache = boundedCache<string>({ maxEntries: 10, maxBytes: 1e6, maxKeyLength: 100 });
    cache.set('x'.repeat(101), 'v');
    expect(cache.size).toBe(0);
  });

  it('analyze(): distinct questions full of abbreviations stay within the cache budget; long ones are not kept', () => {
    // "nn ptnt" expands to 7 tokens per 8 characters: the shape that filled the heap in the review (V1)
    const before = analyzeCacheStats().bytes;
    for (let i = 0; i < 6000; i++) analyze(`${'nn ptnt '.repeat(48)} z${i}`);
    const { bytes } = analyzeCacheStats();
    expect(bytes).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(bytes - before).toBeGreaterThan(0);
    const size = analyzeCacheStats().size;
    analyze(`${'nn ptnt '.repeat(120)} dài`);
    expect(analyzeCacheStats().size).toBe(size);
  });
});
