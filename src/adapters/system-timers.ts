/**
 * @module The platform's repeating timer, handed to the node's assembly (the core has none): the
 * same global `setInterval` on a page, in a Worker and under Node.
 */

/** Repeats `fn` every `ms` until the returned function is called. */
export type Every = (ms: number, fn: () => void) => () => void;

export const systemEvery: Every = (ms, fn) => {
  const timer = setInterval(fn, ms);
  return () => clearInterval(timer);
};
