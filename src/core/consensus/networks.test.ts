import { describe, expect, it } from 'vitest';
import { sha256 } from '../crypto/hash.ts';
import { bytesToHex, hashToHex, hexToHash } from '../encoding/hex.ts';
import { decodeBlock, encodeBlock } from '../primitives/block.ts';
import { blockHash, headerHash } from '../primitives/header.ts';
import { DEFAULT_LIMITS } from '../primitives/limits.ts';
import { isCoinbase, txidBytes } from '../primitives/transaction.ts';
import { computeMerkleRoot } from './merkle.ts';
import { isNetworkName, mainParams, networks, PUBLIC_NETWORKS, regtestParams, testParams } from './networks.ts';
import { COIN } from './params.ts';
import { checkProofOfWork, validTarget, workFromBits } from './pow.ts';
import { medianTime, requiredBits, type DifficultyPoint } from './difficulty.ts';
import type { NetworkParams } from './params.ts';

const MAIN_GENESIS_HASH = '00000012857534c5133d0e3ef2bf68a8e79ae28ce67a7f1ec0f9afeb0ef6b08d';
const TEST_GENESIS_HASH = '000003868e94a8eb663a14c973fc6d744461a4efad1086e2f36f3f0c73910778';
const REGTEST_GENESIS_HASH = '4b612c363be35d715b395d5790aadc3ed29e90eee0c69a8c4faa4129f70f1345';

const both = [
  ['main', mainParams],
  ['test', testParams],
  ['regtest', regtestParams],
] as const;

describe('genesis blocks', () => {
  it('behavior: the genesis hashes are pinned', () => {
    expect(mainParams.genesisHash).toBe(MAIN_GENESIS_HASH);
    expect(testParams.genesisHash).toBe(TEST_GENESIS_HASH);
    expect(regtestParams.genesisHash).toBe(REGTEST_GENESIS_HASH);
  });

  it.each(both)('behavior: %s genesisHash is blockHash of its genesis header and networkId is the same hash in internal order', (_name, params) => {
    expect(blockHash(params.genesis.header)).toBe(params.genesisHash);
    expect(bytesToHex(params.networkId)).toBe(bytesToHex(headerHash(params.genesis.header)));
    expect(bytesToHex(params.networkId)).toBe(bytesToHex(hexToHash(params.genesisHash)));
    expect(hashToHex(params.networkId)).toBe(params.genesisHash);
  });

  it.each(both)('behavior: %s genesis passes proof of work at its own bits', (_name, params) => {
    expect(checkProofOfWork(params.genesis.header)).toBe(true);
    expect(validTarget(params.genesis.header.bits)).toBeDefined();
  });

  it.each(both)('error: %s genesis fails proof of work with another nonce or a harder target', (_name, params) => {
    const { header } = params.genesis;
    // The regtest genesis is so easy that any nonce may pass: demand a hash no real one has.
    expect(checkProofOfWork(header, new Uint8Array(32).fill(0xff))).toBe(false);
    if (params.name !== 'regtest') expect(checkProofOfWork({ ...header, nonce: header.nonce + 1 })).toBe(false);
    expect(checkProofOfWork({ ...header, bits: 0x03000001 })).toBe(false);
  });

  it.each(both)('behavior: %s genesis merkle root matches its coinbase', (_name, params) => {
    const { header, txs } = params.genesis;
    expect(txs.length).toBe(1);
    const root = computeMerkleRoot(txs.map(txidBytes));
    expect(root.mutated).toBe(false);
    expect(bytesToHex(header.merkleRoot)).toBe(bytesToHex(root.root));
    // A single-tx block's root is that tx's id.
    expect(bytesToHex(header.merkleRoot)).toBe(bytesToHex(txidBytes(txs[0]!)));
  });

  it.each(both)('behavior: %s genesis is a height-0 coinbase block with no parent paying the initial subsidy', (_name, params) => {
    const { header, txs } = params.genesis;
    const coinbase = txs[0]!;
    expect(header.version).toBe(1);
    expect(header.prevHash).toEqual(new Uint8Array(32));
    expect(header.time).toBe(1795305600);
    expect(isCoinbase(coinbase)).toBe(true);
    expect(coinbase.coinbase).toEqual({ height: 0, extraNonce: 0n });
    expect(coinbase.outputs).toEqual([{ amount: 50n * COIN, publicKey: sha256(new TextEncoder().encode('tabchain genesis output')) }]);
    expect(new TextDecoder().decode(coinbase.memo)).toBe('tabchain 2026-11-22: every browser tab a full node');
  });

  it.each(both)('behavior: %s genesis round-trips through the block codec', (_name, params) => {
    const bytes = encodeBlock(params.genesis);
    const decoded = decodeBlock(bytes, params.limits);
    expect(decoded).toEqual(params.genesis);
    expect(blockHash(decoded.header)).toBe(params.genesisHash);
  });

  it('behavior: the genesis bits are as documented (main about 16.7 million hashes, test about 4.2 million, regtest about 2)', () => {
    expect(mainParams.genesis.header.bits).toBe(0x1e00ffff);
    expect(mainParams.genesis.header.nonce).toBe(90458781);
    expect(testParams.genesis.header.bits).toBe(0x1e040000);
    expect(workFromBits(testParams.genesis.header.bits)).toBe(4_194_303n);
    expect(testParams.genesis.header.nonce).toBe(639071);
    expect(regtestParams.genesis.header.bits).toBe(0x207fffff);
    expect(regtestParams.genesis.header.nonce).toBe(0);
  });
});

describe('network parameters', () => {
  it('behavior: networks maps each name to its params', () => {
    expect(networks.main).toBe(mainParams);
    expect(networks.test).toBe(testParams);
    expect(networks.regtest).toBe(regtestParams);
    for (const [name, params] of both) expect(params.name).toBe(name);
    expect(Object.keys(networks).sort()).toEqual(['main', 'regtest', 'test']);
    expect(PUBLIC_NETWORKS).toEqual(['main', 'test']);
  });

  it('behavior: isNetworkName knows the three names and nothing else (not an object key such as constructor)', () => {
    for (const name of ['main', 'test', 'regtest']) expect(isNetworkName(name)).toBe(true);
    for (const name of ['constructor', '__proto__', 'toString', 'simnet', '', 7, null, undefined]) expect(isNetworkName(name)).toBe(false);
  });

  it('behavior: the three networks have different ids and address prefixes', () => {
    expect(new Set(both.map(([, p]) => p.genesisHash)).size).toBe(3);
    expect(both.map(([, p]) => p.addressPrefix)).toEqual(['tab', 'ttab', 'rtab']);
    // The test network's chain is stored under a new name: 'test' holds the old network's (regtest's genesis).
    expect(both.map(([, p]) => p.storageName)).toEqual(['main', 'test2', 'regtest']);
  });

  it('behavior: only regtest has a fixed difficulty; its pow limit is its genesis bits', () => {
    expect(both.map(([, p]) => p.fixedDifficulty)).toEqual([false, false, true]);
    expect(regtestParams.powLimitBits).toBe(regtestParams.genesis.header.bits);
    expect(regtestParams.coinbaseMaturity).toBe(5);
  });

  it.each(both)('behavior: %s params are frozen and use the default codec limits', (_name, params) => {
    expect(Object.isFrozen(params)).toBe(true);
    expect(Object.isFrozen(networks)).toBe(true);
    expect(params.limits).toEqual(DEFAULT_LIMITS);
    expect(params.maxMoney).toBe(210_000_000n * COIN);
  });

  it.each(both)('behavior: %s genesis target is within its proof-of-work limit', (_name, params) => {
    expect(validTarget(params.genesis.header.bits)! <= validTarget(params.powLimitBits)!).toBe(true);
  });
});

/**
 * One miner of a fixed hashrate on a network, in simulated time: blocks come as a Poisson process
 * (exponential waits of work/hashrate), each stamped as the app's miner stamps it (the clock, or
 * the median time past + 1 when that is later) and given the bits the chain requires.
 */
function simulateMining(params: NetworkParams, hashesPerSecond: number, seconds: number, seed: number) {
  let state = seed;
  // A 31-bit LCG: deterministic and good enough to draw exponential waits.
  const uniform = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state + 0.5) / 2147483648;
  };
  const start = params.genesis.header.time + 30 * 86_400; // a network started a month after its genesis date
  const chain: DifficultyPoint[] = [{ height: 0, time: params.genesis.header.time, bits: params.genesis.header.bits }];
  let now = start;
  let maxAhead = 0;
  while (now < start + seconds) {
    const parent = chain.at(-1)!;
    const bits = requiredBits(parent, chain[1], params);
    now += (-Math.log(uniform()) * Number(workFromBits(bits))) / hashesPerSecond;
    const time = Math.max(Math.floor(now), medianTime(chain.slice(-params.medianTimeSpan).map((b) => b.time)) + 1);
    maxAhead = Math.max(maxAhead, time - now);
    chain.push({ height: parent.height + 1, time, bits });
  }
  /** Mean spacing of the blocks stamped in [from, to) seconds after the start. */
  const meanSpacing = (from: number, to: number) => {
    const inside = chain.filter((b) => b.time >= start + from && b.time < start + to);
    return (inside.at(-1)!.time - inside[0]!.time) / (inside.length - 1);
  };
  return { blocks: chain.length - 1, chain, maxAhead, meanSpacing };
}

describe('the test network block spacing (simulated)', () => {
  // A worker of the scalar fallback hashes 1–2 MH/s, one of the SIMD kernel about 6 MH/s in
  // Chromium (bench/README.md): from half a scalar worker to one tab of four SIMD workers (24 MH/s)
  // and a few such tabs (64 MH/s). The faster the start, the more blocks come in the first minutes
  // before the retarget catches up, and the median-time rule stamps them ahead of the clock: up to
  // about 2 s for one tab, about 6 s for a few (a block may be 2 minutes ahead on test).
  it.each([
    [0.5e6, 3],
    [2e6, 3],
    [8e6, 3],
    [24e6, 3],
    [64e6, 8],
  ])('behavior: one miner at %d hashes/s settles within 10 percent of 2 s, and never stamps a block more than %d s ahead', (rate, ahead) => {
    for (const seed of [1, 2, 3]) {
      const run = simulateMining(testParams, rate, 3600, seed);
      // Within 10 % over every 10-minute window of the second half of the hour…
      for (let from = 1800; from < 3600; from += 600) expect(Math.abs(run.meanSpacing(from, from + 600) - 2) / 2).toBeLessThan(0.1);
      // …and already over the first 10 minutes after the first quarter hour.
      expect(Math.abs(run.meanSpacing(900, 1500) - 2) / 2).toBeLessThan(0.1);
      expect(run.maxAhead).toBeLessThanOrEqual(ahead);
    }
  });

  it('behavior: regtest does not retarget: one worker mines hundreds of blocks in a few milliseconds, all at the genesis bits', () => {
    const run = simulateMining(regtestParams, 2e6, 0.002, 1);
    expect(run.blocks).toBeGreaterThan(500);
    expect(new Set(run.chain.map((b) => b.bits))).toEqual(new Set([regtestParams.genesis.header.bits]));
  });
});
