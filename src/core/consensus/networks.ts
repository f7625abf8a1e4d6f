/**
 * @module The two networks: `main`, which the app joins by default, and `test`, with an easy
 * difficulty and short maturity so tests and demos run fast. The genesis hash is the network id.
 *
 * Timing (main): a 30 s target spacing suits a network of browser tabs that come and go. ASERT's
 * 15-minute half-life follows hashrate within a few dozen blocks. Blocks may be at most 3 minutes
 * ahead of the local clock: enough for browser clocks that are off by a minute or two, while a
 * miner lying about time moves the next target by at most 2^(180/900) ≈ 1.15×.
 */
import { headerHash } from '../primitives/header.ts';
import { hashToHex } from '../encoding/hex.ts';
import { DEFAULT_LIMITS } from '../primitives/limits.ts';
import { buildGenesis } from './genesis.ts';
import { COIN, type NetworkName, type NetworkParams } from './params.ts';

const GENESIS_TIME = 1795305600; // 2026-11-22T00:00:00Z
const GENESIS_MEMO = 'tabchain 2026-11-22: every browser tab a full node';
/** Total money: the subsidy summed over all halvings, rounded up to a round number. */
const MAX_MONEY = 210_000_000n * COIN;

function network(
  fields: Omit<NetworkParams, 'genesis' | 'genesisHash' | 'networkId'> & { genesisBits: number; genesisNonce: number },
): NetworkParams {
  const { genesisBits, genesisNonce, ...rest } = fields;
  const genesis = buildGenesis({ time: GENESIS_TIME, bits: genesisBits, nonce: genesisNonce, memo: GENESIS_MEMO, subsidy: rest.initialSubsidy });
  const id = headerHash(genesis.header);
  return Object.freeze({ ...rest, genesis, genesisHash: hashToHex(id), networkId: id });
}

export const mainParams: NetworkParams = network({
  name: 'main',
  addressPrefix: 'tab',
  // About 16.7 million hashes: several seconds for one tab's worker (1–4 MH/s measured in
  // Chromium); ASERT moves it toward the 30 s spacing as miners come and go.
  genesisBits: 0x1e00ffff,
  genesisNonce: 90458781,
  powLimitBits: 0x1f00ffff,
  targetSpacing: 30,
  asertHalfLife: 900,
  maxTargetStep: 4,
  medianTimeSpan: 11,
  maxFutureBlockTime: 180,
  coinbaseMaturity: 100,
  initialSubsidy: 50n * COIN,
  halvingInterval: 2_100_000,
  maxMoney: MAX_MONEY,
  limits: DEFAULT_LIMITS,
});

export const testParams: NetworkParams = network({
  name: 'test',
  addressPrefix: 'ttab',
  // Regtest's limit: about two hashes a block.
  genesisBits: 0x207fffff,
  genesisNonce: 0,
  powLimitBits: 0x207fffff,
  targetSpacing: 2,
  asertHalfLife: 300,
  maxTargetStep: 4,
  medianTimeSpan: 11,
  // Tests mine hundreds of blocks in seconds and the median-time rule pushes their times ahead.
  maxFutureBlockTime: 300,
  coinbaseMaturity: 5,
  initialSubsidy: 50n * COIN,
  halvingInterval: 150,
  maxMoney: MAX_MONEY,
  limits: DEFAULT_LIMITS,
});

export const networks: Readonly<Record<NetworkName, NetworkParams>> = Object.freeze({ main: mainParams, test: testParams });
