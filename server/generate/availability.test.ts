import { describe, expect, it } from 'vitest';
import { createAvailability } from './availability.ts';

describe('when the model may be asked', () => {
  it('gives one client a share of the slots, not all of them (V14)', () => {
    const a = createAvailability({ maxConcurrent: 4 });
    expect(a.acquire('203.0.113.5')).toBe(true);
    expect(a.acquire('203.0.113.5')).toBe(false);
    expect(a.acquire('198.51.100.7')).toBe(true);
    a.release('203.0.113.5');
    expect(a.acquire('203.0.113.5')).toBe(true);
  });

  it('skips the model for the cooldown after three failures in a row, then tries again', () => {
    let now = 0;
    const a = createAvailability({ maxConcurrent: 4, cooldownMs: 60_000, now: () => now });
    a.failed();
    a.failed();
    a.succeeded(); // a success in between starts the count again
    a.failed();
    a.failed();
    expect(a.coolingDown()).toBe(false);
    a.failed();
    expect(a.coolingDown()).toBe(true);
    expect(a.acquire()).toBe(false);
    now = 60_001;
    expect(a.acquire()).toBe(true);
    // the first call after the cooldown fails too: straight back to the cooldown
    a.failed();
    a.release();
    expect(a.coolingDown()).toBe(true);
    now = 120_002;
    expect(a.acquire()).toBe(true);
    a.succeeded();
    a.release();
    a.failed();
    expect(a.coolingDown()).toBe(false);
  });

  it('caps the calls at once, freeing a slot when a call ends', () => {
    const a = createAvailability({ maxConcurrent: 2 });
    expect([a.acquire(), a.acquire(), a.acquire()]).toEqual([true, true, false]);
    a.release();
    expect(a.acquire()).toBe(true);
  });
});
