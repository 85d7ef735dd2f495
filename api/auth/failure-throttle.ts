// Failed authentication counted per client address: after `limit` failures within `windowMs` of the
// first, the address is refused (429) until that window ends — checked before a key is even looked at,
// so guessing keys costs the guesser time and the database nothing. A later success does not reset the
// count (an attacker holding one valid key could otherwise keep guessing others). Bounded memory.
const MAX_ADDRESSES = 100_000;

export interface FailureThrottleSettings {
  /** Failed authentications an address may have within the window. */
  limit: number;
  windowMs: number;
}

export class FailureThrottle {
  private readonly windows = new Map<string, { count: number; until: number }>();

  constructor(private readonly settings: FailureThrottleSettings) {}

  /** Milliseconds until `address` may try again, or 0 when it may now. */
  retryAfterMs(address: string, now = Date.now()): number {
    const w = this.windows.get(address);
    if (!w) return 0;
    if (w.until <= now) {
      this.windows.delete(address);
      return 0;
    }
    return w.count >= this.settings.limit ? w.until - now : 0;
  }

  recordFailure(address: string, now = Date.now()) {
    const w = this.windows.get(address);
    if (w && w.until > now) {
      w.count += 1;
      return;
    }
    if (w) this.windows.delete(address);
    if (this.windows.size >= MAX_ADDRESSES) this.prune(now);
    this.windows.set(address, { count: 1, until: now + this.settings.windowMs });
  }

  /** Drops ended windows; if every window is live, the oldest (insertion order = oldest first). */
  private prune(now: number) {
    for (const [address, w] of this.windows) if (w.until <= now) this.windows.delete(address);
    const excess = this.windows.size - MAX_ADDRESSES + 1;
    if (excess <= 0) return;
    let dropped = 0;
    for (const address of this.windows.keys()) {
      if (dropped++ >= excess) break;
      this.windows.delete(address);
    }
  }
}
