/**
 * @module The parameters that make a network: its genesis, proof-of-work and difficulty settings,
 * money rules and size limits. Everything consensus needs to know about a network is here.
 */
import type { Block } from '../primitives/block.ts';
import type { CodecLimits } from '../primitives/limits.ts';

export type NetworkName = 'main' | 'test' | 'regtest';

export interface NetworkParams {
  readonly name: NetworkName;
  /**
   * What this network's stored chain (a tab's database, the headless node's data folder) is named
   * by. A network whose genesis changed gets a new one, so a chain stored by the old network is
   * never opened as the new one's (it would be refused as another network's, and the node would
   * not start).
   */
  readonly storageName: string;
  /** bech32m human-readable prefix of addresses. */
  readonly addressPrefix: string;
  /** The hard-coded first block; its hash is the network id. */
  readonly genesis: Block;
  /** Genesis hash, display order hex. */
  readonly genesisHash: string;
  /** Genesis hash in internal byte order: what the sighash and the handshake commit to. */
  readonly networkId: Uint8Array;

  /** The easiest target any block may have, in compact form. */
  readonly powLimitBits: number;
  /**
   * Every block carries the genesis bits and the retarget rule is off (regtest, as Bitcoin's
   * `fPowNoRetargeting`): tests mine hundreds of trivial blocks in a second, whatever their times.
   */
  readonly fixedDifficulty: boolean;
  /** Seconds the difficulty rule aims for between blocks. */
  readonly targetSpacing: number;
  /** ASERT half-life: seconds of schedule drift that double or halve the target. */
  readonly asertHalfLife: number;
  /** The target may change by at most this factor from one block to the next. */
  readonly maxTargetStep: number;
  /** How many past blocks the median time past spans. */
  readonly medianTimeSpan: number;
  /** How far ahead of the local clock a block's time may be, in seconds. */
  readonly maxFutureBlockTime: number;
  /**
   * Bitcoin's `nMinimumChainWork`: a chain with less total work is never worth storing headers
   * of (the floor of the anti-DoS work threshold, net/header-work-threshold.ts). 0 on every
   * network for now: without headers presync (Bitcoin Core's HeadersSyncState) a fresh node
   * stores its first 2000 headers only if they reach it alone, so it may never be above the work
   * of the real chain's first 2000 blocks, which is no protection worth having.
   */
  readonly minimumChainWork: bigint;

  /** Blocks after which a coinbase output may be spent. */
  readonly coinbaseMaturity: number;
  /** Block subsidy at height 1, in base units. */
  readonly initialSubsidy: bigint;
  /** Blocks between subsidy halvings. */
  readonly halvingInterval: number;
  /** No amount or sum of amounts may exceed this, in base units. */
  readonly maxMoney: bigint;

  readonly limits: CodecLimits;
}

/** Base units in one coin. */
export const COIN = 100_000_000n;
