/**
 * Whether the model may be asked now: a cooldown after repeated failures (so citizens stop waiting on a
 * model that is down) and a cap on concurrent calls (so a slow model cannot pile up requests).
 */
export interface Availability {
  /** true while the model is skipped after repeated failures */
  coolingDown(): boolean;
  /** takes a slot for one model call; false when the cap is reached or during the cooldown */
  acquire(): boolean;
  release(): void;
  /** the model answered (whatever the checks then decided) */
  succeeded(): void;
  /** the model failed: error, timeout or broken stream, after our retry */
  failed(): void;
}

export interface AvailabilityOptions {
  maxConcurrent: number;
  /** consecutive failed requests before the cooldown starts */
  failuresBeforeCooldown?: number;
  cooldownMs?: number;
  now?: () => number;
}

export function createAvailability({
  maxConcurrent,
  failuresBeforeCooldown = 3,
  cooldownMs = 60_000,
  now = Date.now,
}: AvailabilityOptions): Availability {
  let inFlight = 0;
  let failures = 0;
  let coolingUntil = 0;
  const coolingDown = () => now() < coolingUntil;
  return {
    coolingDown,
    acquire() {
      if (coolingDown() || inFlight >= maxConcurrent) return false;
      inFlight++;
      return true;
    },
    release() {
      inFlight = Math.max(0, inFlight - 1);
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
