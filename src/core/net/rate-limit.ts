/**
 * @module Per-peer flood limits (docs/protocol.md, "Misbehaviour and bans"): a token bucket for
 * messages and a {@link ByteBudget} for bytes. Pure: the caller passes the time in milliseconds,
 * so tests need no clock; a clock that steps back refills nothing.
 */

/**
 * Holds up to `capacity` tokens, refilled continuously at `refillPerSecond`; starts full. A peer
 * may burst `capacity` messages, then keep to the refill rate.
 *
 * @example
 * const bucket = new TokenBucket(100, 200, now); // 100 messages a second, bursts of 200
 * if (!bucket.take(now)) ban(peer, 'message flood');
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly refillPerSecond: number,
    readonly capacity: number,
    now = 0,
  ) {
    if (!Number.isFinite(refillPerSecond) || refillPerSecond < 0) throw new RangeError(`refill rate must be a finite number ≥ 0: ${refillPerSecond}`);
    if (!Number.isFinite(capacity) || capacity <= 0) throw new RangeError(`capacity must be a finite number > 0: ${capacity}`);
    this.tokens = capacity;
    this.last = now;
  }

  private refill(now: number): void {
    if (now > this.last) this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.refillPerSecond);
    // A clock that stepped back moves the reference without refilling.
    if (Number.isFinite(now)) this.last = now;
  }

  /** Tokens available at `now`. */
  available(now: number): number {
    this.refill(now);
    return this.tokens;
  }

  /**
   * Takes `cost` tokens at `now` if there are that many, and says whether it did. A refused take
   * takes nothing, so a peer that slows down recovers.
   */
  take(now: number, cost = 1): boolean {
    if (!Number.isFinite(cost) || cost < 0) throw new RangeError(`cost must be a finite number ≥ 0: ${cost}`);
    this.refill(now);
    if (cost > this.tokens) return false;
    this.tokens -= cost;
    return true;
  }

  /**
   * Charges `cost` tokens at `now` whether or not there are that many, and returns the balance
   * after it: at least 0, the use is allowed; below 0, it is refused and `-balance` is the debt
   * (refused uses not yet paid back by the refill). For a caller that closes a sender whose debt
   * passes a bound (sustained abuse, as the signaling server does), while a sender that pauses is
   * served again once the refill brings the balance above zero.
   */
  charge(now: number, cost = 1): number {
    if (!Number.isFinite(cost) || cost < 0) throw new RangeError(`cost must be a finite number ≥ 0: ${cost}`);
    this.refill(now);
    this.tokens -= cost;
    return this.tokens;
  }
}

/**
 * A token bucket counted in bytes: `bytesPerSecond` sustained, bursts of `burstBytes`. For the
 * bytes of messages a node did not ask for (docs/protocol.md), so a peer serving requested blocks
 * at full speed is never mistaken for a flooder.
 */
export class ByteBudget {
  private readonly bucket: TokenBucket;

  constructor(bytesPerSecond: number, burstBytes: number, now = 0) {
    this.bucket = new TokenBucket(bytesPerSecond, burstBytes, now);
  }

  /** Spends `bytes` at `now`; false (spending nothing) when the budget cannot cover them. */
  spend(now: number, bytes: number): boolean {
    return this.bucket.take(now, bytes);
  }

  /** Bytes that could be spent at `now`. */
  available(now: number): number {
    return this.bucket.available(now);
  }
}

/** Suggested per-peer limits (each data-channel chunk counts as one message). */
export const DEFAULT_PEER_RATES = {
  /** Messages (chunks) a second, and the burst. A full 1 MiB message is 65 chunks. */
  messagesPerSecond: 200,
  messageBurst: 400,
  /** Unsolicited bytes a second, and the burst: a few maximum-size blocks and tx floods pass. */
  unsolicitedBytesPerSecond: 1024 * 1024,
  unsolicitedByteBurst: 4 * 1024 * 1024,
} as const;
