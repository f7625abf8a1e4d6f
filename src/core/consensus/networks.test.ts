import { describe, expect, it } from 'vitest';
import { sha256 } from '../crypto/hash.ts';
import { bytesToHex, hashToHex, hexToHash } from '../encoding/hex.ts';
import { decodeBlock, encodeBlock } from '../primitives/block.ts';
import { blockHash, headerHash } from '../primitives/header.ts';
import { DEFAULT_LIMITS } from '../primitives/limits.ts';
import { isCoinbase, txidBytes } from '../primitives/transaction.ts';
import { computeMerkleRoot } from './merkle.ts';
import { mainParams, networks, testParams } from './networks.ts';
import { COIN } from './params.ts';
import { checkProofOfWork, validTarget } from './pow.ts';

const MAIN_GENESIS_HASH = '00000012857534c5133d0e3ef2bf68a8e79ae28ce67a7f1ec0f9afeb0ef6b08d';
const TEST_GENESIS_HASH = '4b612c363be35d715b395d5790aadc3ed29e90eee0c69a8c4faa4129f70f1345';

const both = [
  ['main', mainParams],
  ['test', testParams],
] as const;

describe('genesis blocks', () => {
  it('behavior: the genesis hashes are pinned', () => {
    expect(mainParams.genesisHash).toBe(MAIN_GENESIS_HASH);
    expect(testParams.genesisHash).toBe(TEST_GENESIS_HASH);
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
    // The test genesis is so easy that any nonce may pass: demand a hash no real one has.
    expect(checkProofOfWork(header, new Uint8Array(32).fill(0xff))).toBe(false);
    if (params.name === 'main') expect(checkProofOfWork({ ...header, nonce: header.nonce + 1 })).toBe(false);
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

  it('behavior: the genesis bits are as documented (main about 16.7 million hashes, test regtest-easy)', () => {
    expect(mainParams.genesis.header.bits).toBe(0x1e00ffff);
    expect(mainParams.genesis.header.nonce).toBe(90458781);
    expect(testParams.genesis.header.bits).toBe(0x207fffff);
    expect(testParams.genesis.header.nonce).toBe(0);
  });
});

describe('network parameters', () => {
  it('behavior: networks maps each name to its params', () => {
    expect(networks.main).toBe(mainParams);
    expect(networks.test).toBe(testParams);
    expect(mainParams.name).toBe('main');
    expect(testParams.name).toBe('test');
    expect(Object.keys(networks).sort()).toEqual(['main', 'test']);
  });

  it('behavior: the two networks have different ids and address prefixes', () => {
    expect(mainParams.genesisHash).not.toBe(testParams.genesisHash);
    expect(mainParams.addressPrefix).toBe('tab');
    expect(testParams.addressPrefix).toBe('ttab');
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
