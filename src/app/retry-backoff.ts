/**
 * @module When the connector may try a peer again, or take its offer, after a link to it ended:
 * exponential backoff with jitter, from seconds to minutes, starting again from the minimum after
 * a link that was good for a while. A peer a tab cannot reach costs a connection per try (connection-budget.ts),
 * so a tab that tries it every 5 minutes creates fewer than 300 connections a day for it.
 */
import type { PeerId } from '../core/index.ts';

/** Retries to one peer wait this long at first, doubling per failure up to RETRY_MAX_MS. */
const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 5 * 60_000;
/** A link that stayed open this long was good: the next retry starts from the minimum again. */
const GOOD_LINK_MS = 60_000;

export class RetryBackoff {
  /** `random`: the jitter's source (Math.random; the simulator's seeded one). */
  constructor(private readonly random: () => number = Math.random) {}

  /** By peer: when it may be tried again, and the delay that gave it (performance.now ms). */
  private readonly retryAt = new Map<PeerId, { at: number; delay: number }>();

  /** Whether `peer` may be tried at `now` (never tried, or its backoff has passed). */
  due(peer: PeerId, now: number): boolean {
    const retry = this.retryAt.get(peer);
    return !(retry && retry.at > now);
  }

  /**
   * Whether an offer from `peer` may start a link at `now`. Links this tab answered back off too:
   * an id whose links keep failing (offers never completed, by a peer that can offer under that id
   * again and again) otherwise costs a new connection and a half-open slot per offer. The offerer
   * keeps a backoff of its own, with jitter, so its honest retries are taken from half the delay
   * before our own retry would be due, not refused for arriving a little early; and never less
   * early than the first delay at its longest jitter, so the first retry, and one after a good
   * link or a rejoin ({@link soon}), is never refused.
   */
  offerDue(peer: PeerId, now: number): boolean {
    const retry = this.retryAt.get(peer);
    return !(retry && retry.at - Math.max(retry.delay / 2, RETRY_MIN_MS * 1.25) > now);
  }

  /** A peer that (re)joined is worth one prompt try, whatever its backoff says: it was away. */
  soon(peer: PeerId, now: number): void {
    const retry = this.retryAt.get(peer);
    if (retry) retry.at = Math.min(retry.at, now + RETRY_MIN_MS);
  }

  /**
   * Schedules the next try after a link to `peer` ended at `now` (opened at `openedAt`, if it
   * opened): double the last delay, or the minimum after a good link; with ±25% jitter.
   */
  afterLink(peer: PeerId, openedAt: number | undefined, now: number): void {
    const good = openedAt !== undefined && now - openedAt >= GOOD_LINK_MS;
    const previous = this.retryAt.get(peer)?.delay;
    const delay = good || previous === undefined ? RETRY_MIN_MS : Math.min(previous * 2, RETRY_MAX_MS);
    this.retryAt.set(peer, { at: now + delay * (0.75 + this.random() * 0.5), delay });
  }

  /** How many peers have a backoff. */
  get size(): number {
    return this.retryAt.size;
  }

  /** Lets a peer be tried again at once (after an unban). */
  forget(peer: PeerId): void {
    this.retryAt.delete(peer);
  }

  /**
   * Forgets the backoff of peers not tried for longer than the longest backoff (gone, or made up
   * by a peer-list) unless `linked` says a link to it is kept: the table would otherwise grow
   * with every peer id ever tried.
   */
  forgetOld(now: number, linked: (peer: PeerId) => boolean): void {
    for (const [peer, retry] of this.retryAt) if (now - retry.at > 2 * RETRY_MAX_MS && !linked(peer)) this.retryAt.delete(peer);
  }
}
