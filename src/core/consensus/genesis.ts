/**
 * @module How a network's genesis block is built. The genesis is hard-coded per network (time,
 * bits and a nonce mined once); its outputs are never added to the coin set, as in Bitcoin.
 */
import { sha256 } from '../crypto/hash.ts';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { Block } from '../primitives/block.ts';
import { txidBytes, type Transaction } from '../primitives/transaction.ts';
import { computeMerkleRoot } from './merkle.ts';

export interface GenesisSpec {
  readonly time: number;
  readonly bits: number;
  readonly nonce: number;
  readonly memo: string;
  readonly subsidy: bigint;
}

export function buildGenesis(spec: GenesisSpec): Block {
  const coinbase: Transaction = {
    version: 1,
    inputs: [],
    coinbase: { height: 0, extraNonce: 0n },
    // Nothing-up-my-sleeve key; genesis outputs are unspendable by rule anyway.
    outputs: [{ amount: spec.subsidy, publicKey: sha256(utf8ToBytes('tabchain genesis output')) }],
    memo: utf8ToBytes(spec.memo),
  };
  return {
    header: {
      version: 1,
      prevHash: new Uint8Array(32),
      merkleRoot: computeMerkleRoot([txidBytes(coinbase)]).root,
      time: spec.time,
      bits: spec.bits,
      nonce: spec.nonce,
    },
    txs: [coinbase],
  };
}
