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

  it('starts at most one new answer per turn of the event loop, so a request read meanwhile is not stuck behind a burst', async () => {
    const queue = fairQueue(2);
    const order: string[] = [];
    // work that never really waits (an answer from memory): without turns, all of it would run before anything else
    const work = async (client: string, tag: string) => {
      const done = await queue.acquire(client);
      order.push(tag);
      done();
    };
    // a hundred requests read in one go: each arrives in its own callback, as the server's poll phase runs them
    let victim!: Promise<void>;
    const burst = Array.from(
      { length: 100 },
      (_, i) =>
        new Promise<void>((resolve) =>
          setImmediate(() => {
            // another person's request, read on the next turn of the event loop
            if (i === 0) victim = new Promise<void>((r) => setImmediate(() => void work('người-dân', 'victim').then(r)));
            void work(`kẻ-${i % 10}`, `a${i}`).then(resolve);
          }),
        ),
    );
    await Promise.all(burst);
    await victim;
    expect(order.indexOf('victim')).toBeLessThan(15);
  });
});
