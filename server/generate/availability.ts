/**
 * Whether the model may be asked now: a cooldown after repeated failures (so citizens stop waiting on a
 * model that is down) and a cap on concurrent calls (so a slow model cannot pile up requests).
 */
export interface Availability {
  /** true while the model is skipped after repeated failures */
  coolingDown(): boolean;
  /**
   * takes a slot for one model call; false when the cap is reached, during the cooldown, or when this client
   * (its rate-limit key) already holds its share: one client cannot take every slot
   */
  acquire(client?: string): boolean;
  release(client?: string): void;
  /** the model answered (whatever the checks then decided) */
  succeeded(): void;
  /** the model failed: error, timeout or broken stream, after our retry */
  failed(): void;
}

export interface AvailabilityOptions {
  maxConcurrent: number;
  /** slots one client may hold at once; default a quarter of maxConcurrent, at least one */
  perClient?: number;
  /** consecutive failed requests before the cooldown starts */
  failuresBeforeCooldown?: number;
  cooldownMs?: number;
  now?: () => number;
}

export function createAvailability({
  maxConcurrent,
  perClient = Math.max(1, Math.floor(maxConcurrent / 4)),
  failuresBeforeCooldown = 3,
  cooldownMs = 60_000,
  now = Date.now,
}: AvailabilityOptions): Availability {
  let inFlight = 0;
  const byClient = new Map<string, number>();
  let failures = 0;
  let coolingUntil = 0;
  const coolingDown = () => now() < coolingUntil;
  return {
    coolingDown,
    acquire(client) {
      if (coolingDown() || inFlight >= maxConcurrent) return false;
      if (client !== undefined && (byClient.get(client) ?? 0) >= perClient) return false;
      inFlight++;
      if (client !== undefined) byClient.set(client, (byClient.get(client) ?? 0) + 1);
      return true;
    },
    release(client) {
      inFlight = Math.max(0, inFlight - 1);
      if (client === undefined) return;
      const n = (byClient.get(client) ?? 1) - 1;
      if (n > 0) byClient.set(client, n);
      else byClient.delete(client);
    },
    succeeded() {
      failures = 0;
      coolingUntil = 0;
    },
    failed() {
      failures++;
      // failures are not reset by the cooldown: once it ends, one more failure starts it again
      if (failures >= failuresBeforeCooldown) coolingUntil = now() + cooldownMs;
    },
  };
}
