/**
 * @module Structural limits the decoders enforce before allocating. They are network parameters
 * (see `NetworkParams.limits`); decoders default to {@link DEFAULT_LIMITS}.
 */

export interface CodecLimits {
  /** Largest serialized block, in bytes. */
  readonly maxBlockSize: number;
  /** Largest serialized transaction, in bytes. */
  readonly maxTxSize: number;
  readonly maxTxInputs: number;
  readonly maxTxOutputs: number;
  /** Longest memo (the tutorials' `data` field), in bytes. */
  readonly maxMemoSize: number;
}

export const DEFAULT_LIMITS: CodecLimits = {
  maxBlockSize: 1_000_000,
  maxTxSize: 100_000,
  maxTxInputs: 1_000,
  maxTxOutputs: 1_000,
  maxMemoSize: 80,
};
