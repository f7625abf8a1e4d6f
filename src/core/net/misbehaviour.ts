/**
 * @module How a peer's conduct is judged (docs/protocol.md, "Misbehaviour and bans"). Three
 * classes, never mixed up:
 *
 * - **broke consensus or the protocol** (an invalid block, a malformed frame): ban, as the
 *   rejection table's `punish` flag says. The Network bans only a key the peer proved in the
 *   handshake, never an id someone merely claimed.
 * - **slow or unhelpful** (a block request that timed out, a `notfound` for a block it announced,
 *   requested headers below the anti-DoS work threshold): a *stall*. The peer is asked last; after {@link DEFAULT_CONDUCT.maxStalls} stalls within
 *   {@link DEFAULT_CONDUCT.stallWindowMs} it is disconnected, without a ban (Bitcoin Core
 *   disconnects a peer stalling the block download window, and does not discourage it).
 * - **rate exceeded** (more unrequested messages than the budget): the excess is dropped
 *   (throttled); a peer that keeps it up is disconnected, without a ban.
 *
 * Pure: the caller passes the time in milliseconds.
 */
import { TokenBucket } from './rate-limit.ts';

export const DEFAULT_CONDUCT = {
  /** Stalls within the window that get a peer disconnected. */
  maxStalls: 3,
  stallWindowMs: 10 * 60_000,
} as const;

export type Verdict = 'keep' | 'disconnect';

export interface ConductOptions {
  readonly maxStalls?: number;
  readonly stallWindowMs?: number;
  /** Messages over budget tolerated in a burst before a disconnect, and their refill per second. */
  readonly throttleBurst: number;
  readonly throttleRefillPerSecond: number;
}

/** One peer's record of stalls and throttled messages. */
export class PeerConduct {
  private stalls: number[] = [];
  private readonly tolerance: TokenBucket;
  private readonly maxStalls: number;
  private readonly stallWindowMs: number;
  /** Messages dropped over budget so far (shown nowhere; for tests and logs). */
  throttled = 0;

  constructor(options: ConductOptions, now: number) {
    this.maxStalls = options.maxStalls ?? DEFAULT_CONDUCT.maxStalls;
    this.stallWindowMs = options.stallWindowMs ?? DEFAULT_CONDUCT.stallWindowMs;
    this.tolerance = new TokenBucket(options.throttleRefillPerSecond, options.throttleBurst, now);
  }

  /** Stalls within the window at `now`: fewer is asked first. */
  stallCount(now: number): number {
    this.stalls = this.stalls.filter((at) => now - at < this.stallWindowMs);
    return this.stalls.length;
  }

  /** A request this peer failed (timeout or `notfound`). */
  stall(now: number): Verdict {
    this.stalls.push(now);
    return this.stallCount(now) >= this.maxStalls ? 'disconnect' : 'keep';
  }

  /** An unrequested message over budget was dropped. */
  throttle(now: number): Verdict {
    this.throttled++;
    return this.tolerance.take(now) ? 'keep' : 'disconnect';
  }
}
