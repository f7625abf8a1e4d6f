/**
 * @module What one signaling socket may send: messages per second and bytes per second, each a
 * token bucket, both charged to the sender whatever becomes of the message (relaying is never
 * charged to whom it is sent, so nobody can get a peer cut off by sending to it). A message over
 * either budget is refused; a sender that keeps sending while refused (a flood, not a burst) has
 * its socket closed.
 */
import type { RawData } from 'ws';
import { TokenBucket } from '../src/core/net/rate-limit.ts';

export interface SocketLimits {
  /** Messages per second (token bucket refill). */
  readonly messagesPerSecond: number;
  /** Messages a socket may send at once. */
  readonly messageBurst: number;
  /** Refused messages not yet paid back by the refill after which the socket is closed. */
  readonly floodLimit: number;
  /** Bytes per second (token bucket refill). */
  readonly bytesPerSecond: number;
  /** Bytes a socket may send at once. */
  readonly byteBurst: number;
}

/** What to do with a message: pass it on, refuse it (saying which budget it is over), or close the socket. */
export type BudgetVerdict = { readonly kind: 'ok' } | { readonly kind: 'refused'; readonly why: string } | { readonly kind: 'flood' };

/** One socket's message and byte allowances. */
export class SocketBudget {
  private readonly messages: TokenBucket;
  /** Bytes it may send: relaying is charged to the sender, never to whom it is sent. */
  private readonly bytes: TokenBucket;

  constructor(private readonly limits: SocketLimits) {
    this.messages = new TokenBucket(limits.messagesPerSecond, limits.messageBurst, performance.now());
    this.bytes = new TokenBucket(limits.bytesPerSecond, limits.byteBurst, performance.now());
  }

  /** Charges one message of `size` bytes. */
  charge(size: number): BudgetVerdict {
    const { messagesPerSecond, messageBurst, floodLimit, bytesPerSecond, byteBurst } = this.limits;
    const balance = this.messages.charge(performance.now());
    // Bytes are charged to the sender whatever becomes of the message: a flood costs its sender.
    const byteBalance = this.bytes.charge(performance.now(), size);
    if (balance >= 0 && byteBalance >= 0) return { kind: 'ok' };
    // Refused messages (or bytes) not yet paid back (a partly refilled token still counts as one).
    if (Math.ceil(-balance) >= floodLimit || -byteBalance >= floodLimit * (byteBurst / messageBurst)) return { kind: 'flood' };
    return { kind: 'refused', why: balance < 0 ? `more than ${messagesPerSecond} messages per second` : `more than ${bytesPerSecond} bytes per second` };
  }
}

/** The size in bytes of a message as `ws` hands it over (one buffer, fragments, or an ArrayBuffer). */
export function rawDataSize(data: RawData): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length;
}
