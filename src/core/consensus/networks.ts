/**
 * @module The three networks, as Bitcoin has them: `main`, which the app joins by default; `test`,
 * a public test network with real 2 s blocks; `regtest`, with a trivial fixed difficulty and short
 * maturity so tests and demos mine hundreds of blocks in seconds. The genesis hash is the network id.
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
  storageName: 'main',
  addressPrefix: 'tab',
  // About 16.7 million hashes: several seconds for one tab's worker (1–4 MH/s measured in
  // Chromium); ASERT moves it toward the 30 s spacing as miners come and go.
  genesisBits: 0x1e00ffff,
  genesisNonce: 90458781,
  powLimitBits: 0x1f00ffff,
  fixedDifficulty: false,
  targetSpacing: 30,
  asertHalfLife: 900,
  maxTargetStep: 4,
  medianTimeSpan: 11,
  maxFutureBlockTime: 180,
  minimumChainWork: 0n,
  coinbaseMaturity: 100,
  initialSubsidy: 50n * COIN,
  halvingInterval: 2_100_000,
  maxMoney: MAX_MONEY,
  limits: DEFAULT_LIMITS,
});

/**
 * The public test network: blocks really come about every 2 s with one to a few tabs mining. Its
 * genesis bits ask about 4.2 million hashes a block (2 s of one tab's worker at about 2 MH/s) and
 * a 60 s half-life moves the target to the miners present within minutes: simulated with one
 * miner at 0.5, 2 and 8 MH/s, the spacing is within 10 % of 2 s after 10 to 12 minutes and no
 * block is stamped more than a second ahead of the clock (networks.test.ts runs that simulation).
 * The pow limit (about 16,000 hashes) keeps a lone slow device from mining thousands of blocks a
 * minute, which is what the old test network did when it shared regtest's trivial limit.
 */
export const testParams: NetworkParams = network({
  name: 'test',
  // Not 'test': chains stored under that name are the test network's before issue 13, whose
  // genesis is regtest's now.
  storageName: 'test2',
  addressPrefix: 'ttab',
  genesisBits: 0x1e040000,
  genesisNonce: 639071,
  powLimitBits: 0x1f040000,
  fixedDifficulty: false,
  targetSpacing: 2,
  asertHalfLife: 60,
  maxTargetStep: 4,
  medianTimeSpan: 11,
  // Two half-lives: a miner's clock cannot move the next target by more than the step bound.
  maxFutureBlockTime: 120,
  minimumChainWork: 0n,
  // One minute of blocks: long enough to see maturity work, short enough for a demo.
  coinbaseMaturity: 30,
  initialSubsidy: 50n * COIN,
  // About five days of 2 s blocks.
  halvingInterval: 210_000,
  maxMoney: MAX_MONEY,
  limits: DEFAULT_LIMITS,
});

/**
 * Regression test mode, never a public network: about two hashes a block and no retarget, so
 * tests and demos mine hundreds of blocks in a second; coinbase maturity 5 and a halving every
 * 150 blocks so the subsidy rules are reachable in a test.
 */
export const regtestParams: NetworkParams = network({
  name: 'regtest',
  storageName: 'regtest',
  addressPrefix: 'rtab',
  genesisBits: 0x207fffff,
  genesisNonce: 0,
  powLimitBits: 0x207fffff,
  fixedDifficulty: true,
  targetSpacing: 2,
  asertHalfLife: 300,
  maxTargetStep: 4,
  medianTimeSpan: 11,
  // Tests mine hundreds of blocks in seconds and the median-time rule pushes their times ahead.
  maxFutureBlockTime: 300,
  minimumChainWork: 0n,
  coinbaseMaturity: 5,
  initialSubsidy: 50n * COIN,
  halvingInterval: 150,
  maxMoney: MAX_MONEY,
  limits: DEFAULT_LIMITS,
});

export const networks: Readonly<Record<NetworkName, NetworkParams>> = Object.freeze({ main: mainParams, test: testParams, regtest: regtestParams });

/** Whether `name` names one of the networks (not merely any key of an object, such as `constructor`). */
export function isNetworkName(name: unknown): name is NetworkName {
  return typeof name === 'string' && Object.hasOwn(networks, name);
}

/** Networks a person may join in the app (regtest is for tests and demos, reached only by name). */
export const PUBLIC_NETWORKS: readonly NetworkName[] = ['main', 'test'];
