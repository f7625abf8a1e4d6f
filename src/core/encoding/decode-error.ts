/**
 * @module The one error every binary decoder throws. Anything else escaping a decoder is a bug.
 */

/** Why a byte string was refused. */
export type DecodeErrorCode =
  /** The input ended before the structure did. */
  | 'truncated'
  /** Bytes remained after the structure ended. */
  | 'trailing-bytes'
  /** A value had a shorter encoding than the one used (so two byte strings would mean one thing). */
  | 'non-canonical'
  /** A count or length is above its limit. */
  | 'limit-exceeded'
  /** A field holds a value its type does not allow. */
  | 'invalid-value';

/** A decoder refused its input. `offset` is where in the input it stopped. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly code: DecodeErrorCode,
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
  }
}
