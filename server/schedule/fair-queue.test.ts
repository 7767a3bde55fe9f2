import { describe, expect, it } from 'vitest';
import { fairQueue } from './fair-queue.ts';

describe('turns for CPU-heavy work', () => {
  it('serves a client that arrives behind a burst after one turn of each busy client, not after the whole burst', async () => {
    const queue = fairQueue(1);
    const order: string[] = [];
    const work = async (client: string, tag: string) => {
      const done = await queue.acquire(client);
      order.push(tag);
      await new Promise((r) => setTimeout(r, 1));
      done();
    };
    const burst = [
      ...Array.from({ length: 30 }, (_, i) => work('kẻ-a', `a${i}`)),
      ...Array.from({ length: 30 }, (_, i) => work('kẻ-b', `b${i}`)),
    ];
    const victim = work('người-dân', 'victim');
    await Promise.all([...burst, victim]);
    // a0 started at once; then turns go a → b → người-dân → a …
    expect(order.indexOf('victim')).toBeLessThanOrEqual(3);
    expect(order).toHaveLength(61);
    expect(queue.load()).toEqual({ running: 0, waiting: 0 });
  });
});
