import { describe, expect, it } from 'vitest';
import { regtestParams, testParams } from '../consensus/networks.ts';
import { workFromBits } from '../consensus/pow.ts';
import { hashToHex } from '../encoding/hex.ts';
import { headerHash } from '../primitives/header.ts';
import { ChainBuilder, type BuiltBlock } from '../testing/chain-builder.ts';
import { ANTI_DOS_WORK_BLOCKS, antiDosWorkThreshold } from './header-work-threshold.ts';
import { adversaryPeer, honestPeer, link, linked, settle, settleUntil, sharedClock, type TestPeer } from '../../../tests/adversary/memory-peers.ts';

/** Regtest's work per block (every block carries the genesis bits). */
const BLOCK_WORK = workFromBits(regtestParams.genesis.header.bits);

async function holding(name: string, blocks: readonly BuiltBlock[], clock = sharedClock()): Promise<TestPeer> {
  const peer = await honestPeer(name, clock);
  for (let i = 0; i < blocks.length; i += 500) await peer.node.chain.processBlocks(blocks.slice(i, i + 500).map((b) => b.block));
  return peer;
}

/** A node that knows the honest chain's headers but has no body yet: its tip is genesis, its best header far ahead. */
async function knowingHeaders(name: string, blocks: readonly BuiltBlock[], clock = sharedClock()): Promise<TestPeer> {
  const peer = await honestPeer(name, clock);
  const outcomes = await peer.node.chain.processHeaders(blocks.map((b) => b.block.header));
  expect(outcomes.every((o) => o.status !== 'rejected')).toBe(true);
  return peer;
}

function disconnections(of: TestPeer): { id: string; reason: string; banned: boolean }[] {
  const seen: { id: string; reason: string; banned: boolean }[] = [];
  of.network.on('peer-disconnected', (e) => seen.push(e));
  return seen;
}

describe('antiDosWorkThreshold', () => {
  it('behavior: the best header\'s work less 144 blocks at its difficulty, never below the minimum chain work', () => {
    const genesis = { chainWork: BLOCK_WORK, header: regtestParams.genesis.header };
    // A fresh node: at most the genesis work, so the first honest batch always clears it.
    expect(antiDosWorkThreshold(genesis, 0n)).toBe(0n);
    expect(antiDosWorkThreshold(genesis, 5n)).toBe(5n);
    const best = { chainWork: 1000n * BLOCK_WORK, header: regtestParams.genesis.header };
    expect(antiDosWorkThreshold(best, 0n)).toBe((1000n - ANTI_DOS_WORK_BLOCKS) * BLOCK_WORK);
    expect(antiDosWorkThreshold(best, 2000n * BLOCK_WORK)).toBe(2000n * BLOCK_WORK);
    // The allowance is counted at the best header's own difficulty, not the genesis one's.
    const hard = { chainWork: 10n ** 12n, header: { bits: testParams.genesis.header.bits } };
    expect(antiDosWorkThreshold(hard, 0n)).toBe(10n ** 12n - ANTI_DOS_WORK_BLOCKS * workFromBits(testParams.genesis.header.bits));
  });

  it('every network has a minimum chain work a fresh node\'s first 2000 headers can reach (0 until headers presync exists)', () => {
    for (const params of [regtestParams, testParams]) expect(params.minimumChainWork).toBe(0n);
  });
});

describe('BlockSync: headers below the anti-DoS work threshold are not stored (issue 11, item 6)', () => {
  it('error: batches of cheap headers forking near genesis, sent to a node whose tip lags its best header, are not stored; the sender is dropped (no ban) and the node still syncs', async () => {
    const builder = new ChainBuilder();
    const honest = builder.extend(builder.genesis, 300);
    const clock = sharedClock();
    const v = await knowingHeaders('V', honest, clock);
    const disconnected = disconnections(v);
    const a = await adversaryPeer('A', clock);
    link(a, v);
    await settleUntil([v, a], () => linked(v, a), 'A and V linked');
    // Each batch reaches 150 blocks of work: above V's tip (genesis), below 300 − 144.
    const batches = [1n, 2n, 3n, 4n].map((n) => builder.extend(builder.genesis, 150, { extraNonce: 100n + n }).map((b) => b.block.header));
    let asked = 0;
    for (const headers of batches) {
      if (!a.network.linked(v.identity.peerId)) break;
      a.network.policy.headers = headers;
      a.network.announceBlocks(v.identity.peerId, [hashToHex(headerHash(headers.at(-1)!))]);
      await settleUntil([v, a], () => (a.network.link(v.identity.peerId).received.get('getheaders') ?? 0) > asked, 'V asks A for headers');
      asked++;
      await settle([v, a], 20);
      // Nothing of any batch was filed: the block index does not grow.
      for (const h of headers) expect(v.node.chain.entry(hashToHex(headerHash(h)))).toBeUndefined();
      expect(v.node.chain.tips().map((t) => t.hash).sort()).toEqual([regtestParams.genesisHash, honest[299]!.hash].sort());
    }
    // One batch is not a ban (an honest peer on a stale fork may send one); the third is a drop.
    expect(asked).toBe(3);
    await settleUntil([v, a], () => !linked(v, a), 'V drops A');
    expect(disconnected).toEqual([{ id: a.identity.peerId, reason: 'headers below the anti-DoS work threshold', banned: false }]);
    expect(v.bans.isBanned(a.identity.peerId)).toBe(false);
    expect(a.network.link(v.identity.peerId).blockRequests).toEqual([]);

    const h = await holding('H', honest, clock);
    link(v, h);
    await settleUntil([v, h], () => v.node.tip.hash === honest[299]!.hash, 'V syncs the honest chain from H');
  });

  it('behavior: a fresh node syncs a chain longer than one headers batch from an honest peer (each batch reaches past the best header the last one made)', async () => {
    const builder = new ChainBuilder();
    const blocks = builder.extend(builder.genesis, 2100);
    const clock = sharedClock();
    const h = await holding('H', blocks, clock);
    const v = await honestPeer('V', clock);
    const disconnected = disconnections(v);
    let bestWhenTipPassed2000: number | undefined;
    v.node.on('tip', (tip) => {
      if (tip.height >= 2000 && bestWhenTipPassed2000 === undefined) bestWhenTipPassed2000 = v.node.chain.bestHeader().height;
    });
    link(v, h);
    await settleUntil([v, h], () => v.node.tip.hash === blocks[2099]!.hash, 'V syncs all 2100 blocks', 30_000);
    // The second batch was filed while the tip still lagged the first batch's end (the threshold
    // was then 2000 − 144 blocks, far above the tip).
    expect(bestWhenTipPassed2000).toBe(2100);
    expect(disconnected).toEqual([]);
    expect(linked(v, h)).toBe(true);
  });

  it('behavior: while its tip lags, a node takes a competing branch that reaches within 144 blocks of its best header, and refuses one that does not without a ban', async () => {
    const builder = new ChainBuilder();
    const honest = builder.extend(builder.genesis, 300);
    const near = builder.extend(honest[149]!, 60, { extraNonce: 7n });
    const far = builder.extend(honest[99]!, 50, { extraNonce: 8n });
    const clock = sharedClock();
    const v = await knowingHeaders('V', honest, clock);
    const disconnected = disconnections(v);
    // S's chain reaches 150 blocks of work (< 300 − 144): nothing of it is stored, and S stays
    // linked (one batch is no crime).
    const s = await holding('S', [...honest.slice(0, 100), ...far], clock);
    link(v, s);
    await settleUntil([v, s], () => linked(v, s), 'V and S linked');
    await settle([v, s], 60);
    // R's reaches 210 (≥ 300 − 144): its branch is filed and its bodies fetched.
    const r = await holding('R', [...honest.slice(0, 150), ...near], clock);
    link(v, r);
    await settleUntil([v, r, s], () => v.node.tip.hash === near[59]!.hash, 'V takes R\'s branch and connects it');
    for (const b of far) expect(v.node.chain.entry(b.hash)).toBeUndefined();
    expect(linked(v, s) && linked(v, r)).toBe(true);
    expect(disconnected).toEqual([]);
    expect([r, s].some((p) => v.bans.isBanned(p.identity.peerId))).toBe(false);
  });

  it('behavior: a synced node follows a 150-block reorg whose branch forks far below the best header less 144 blocks', async () => {
    const builder = new ChainBuilder();
    const common = builder.extend(builder.genesis, 150);
    const old = builder.extend(common[149]!, 150);
    const branch = builder.extend(common[149]!, 151, { extraNonce: 9n });
    const clock = sharedClock();
    const v = await holding('V', [...common, ...old], clock);
    const r = await holding('R', [...common, ...branch], clock);
    link(v, r);
    // The branch's headers fork 150 blocks back (more than 144) but reach past the best header.
    await settleUntil([v, r], () => v.node.tip.hash === branch[150]!.hash, 'V reorgs onto R\'s branch');
    expect(v.bans.isBanned(r.identity.peerId)).toBe(false);
    expect(linked(v, r)).toBe(true);
  });
});
