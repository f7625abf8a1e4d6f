/**
 * @module A token bucket for messages per second per connection. Refused takes still cost a
 * token, so the balance goes negative: a client that keeps sending while limited digs itself a
 * debt, and the caller closes it when the debt passes a bound (sustained abuse), while a client
 * that pauses is served again as soon as the bucket refills above zero.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  /**
   * @param ratePerSecond tokens added per second
   * @param burst the most tokens the bucket holds (and starts with)
   * @param now milliseconds from a monotonic clock
   */
  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /**
   * Takes `cost` tokens (one message, or its size in bytes) and returns the balance after it: `>= 0` means the message is allowed, a
   * negative balance means it is refused, and `-balance` is the debt (refused messages not yet
   * paid back by the refill).
   */
  take(cost = 1): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
    this.tokens -= cost;
    return this.tokens;
  }
}
