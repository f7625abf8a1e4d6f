/**
 * @module The host's clock, timers and randomness as the peer connector and signaling client use
 * them: `performance.now()`, `setTimeout`, `setInterval` and `Math.random()` by default. The
 * network simulator (src/sim) gives its own, driven by its virtual clock and a seeded generator,
 * so the real connector forms the simulated topology deterministically and without real waiting.
 */

export interface HostTimers {
  /** Milliseconds on a monotonic clock (performance.now()). */
  now(): number;
  /** Runs `fn` once after `ms`; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void;
  /** Runs `fn` every `ms`; the returned function stops it. */
  every(ms: number, fn: () => void): () => void;
  /** A uniform number in [0, 1) (Math.random()). */
  random(): number;
}

export const systemHostTimers: HostTimers = {
  now: () => performance.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    return () => clearInterval(timer);
  },
  random: () => Math.random(),
};
