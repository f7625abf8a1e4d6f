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

/**
 * 250 kB blocks: a full block holds about 2,500 signed inputs, and a browser tab verifying BIP340
 * signatures with @noble/secp256k1 manages a few hundred to a couple of thousand a second
 * (bench/validation.bench.ts), so a full block validates in seconds, well inside the 30 s spacing.
 */
export const DEFAULT_LIMITS: CodecLimits = {
  maxBlockSize: 250_000,
  maxTxSize: 100_000,
  maxTxInputs: 1_000,
  maxTxOutputs: 1_000,
  maxMemoSize: 80,
};
