/**
 * @module The platform clock behind core's `Clock` port (unix seconds).
 */
import type { Clock } from '../core/index.ts';

export const systemClock: Clock = {
  now: () => Math.floor(Date.now() / 1000),
};
