/**
 * Issue 11, part 7: a hostile peer (the real core's Network with a tap, tests/adversary/) runs
 * the attacks that once stalled, split or framed honest nodes, one after another, against two
 * honest nodes V and H linked in memory. After each attack V and H are still linked to each
 * other, have banned nobody honest, and sync both ways.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from '@noble/hashes/utils.js';
import { encodeBlock, hashToHex, headerHash, type Block } from '../../src/core/index.ts';
import { BranchForge, mineBlocks } from '../adversary/branch-forge.ts';
import { forgedRelayedSignal, orphanTxs } from '../adversary/hostile-messages.ts';
import { adversaryPeer, honestPeer, link, linked, settle, settleUntil, sharedClock, type TestPeer } from '../adversary/memory-peers.ts';
import type { AdversaryNetwork } from '../adversary/adversary-network.ts';
import { INV_BLOCK } from '../../src/core/net/messages.ts';

let v: TestPeer;
let h: TestPeer;
const everyone: TestPeer[] = [];
/** One clock for every node of the test. */
const clock = sharedClock();

/** A fresh adversary linked to V and H, synced with them (honest until the test says otherwise). */
async function newAdversary(name: string): Promise<TestPeer<AdversaryNetwork>> {
  const a = await adversaryPeer(name, clock);
  everyone.push(a);
  link(a, v);
  link(h, a);
  await settleUntil(everyone, () => linked(v, a) && linked(h, a) && a.node.tip.hash === v.node.tip.hash, `${name} linked and synced`);
  return a;
}

/**
 * Moves every node's clock to the newest block time in `blocks`: branches are mined a second a
 * block, so a long one runs ahead of the clock, which the nodes would refuse as time-too-new.
 */
function clocksReach(blocks: readonly Block[]): void {
  clock.time = Math.max(clock.time, ...blocks.map((b) => b.header.time));
}

/** V and H are linked, have banned nobody honest, and each one's new block reaches the other. */
async function honestPairStillSyncs(): Promise<void> {
  expect(linked(v, h) && linked(h, v)).toBe(true);
  expect(v.bans.isBanned(h.identity.peerId) || h.bans.isBanned(v.identity.peerId)).toBe(false);
  for (const [from, to] of [[h, v], [v, h]] as const) {
    await settleUntil(everyone, () => from.node.tip.hash === to.node.tip.hash, `${from.name} and ${to.name} agree before mining`);
    const [block] = await mineBlocks(from.node, from.clock, 1);
    const hash = hashToHex(headerHash(block!.header));
    await settleUntil(everyone, () => to.node.tip.hash === hash, `${to.name} follows ${from.name}'s new block`);
  }
}

describe('an adversarial peer against two honest nodes (issue 11)', () => {
  beforeAll(async () => {
    v = await honestPeer('V', clock);
    h = await honestPeer('H', clock);
    everyone.push(v, h);
    await mineBlocks(h.node, h.clock, 110);
    link(v, h);
    await settleUntil(everyone, () => v.node.tip.hash === h.node.tip.hash, 'V syncs from H');
  });

  it('behavior: 200 headers above the tip with every body withheld (notfound) do not stop V and H following each other; the withholder is dropped, not banned', async () => {
    const a = await newAdversary('A-withhold');
    const forge = await BranchForge.fork(a.node, a.node.tip.height);
    const branch = await forge.mine(200);
    clocksReach(branch);
    for (const b of branch) a.network.policy.withhold.add(hashToHex(headerHash(b.header)));
    // The adversary's own node takes the branch and announces it like any new tip.
    expect(new Set((await a.node.chain.processBlocks(branch)).map((o) => (o.status === 'rejected' ? o.rejection.code : o.status)))).toEqual(new Set(['connected']));
    await settleUntil(everyone, () => !linked(v, a) && !linked(h, a), 'both drop the staller');
    // They did ask (the attack ran), and were answered notfound, which is no flood.
    expect(a.network.link(v.identity.peerId).blockRequests.length).toBeGreaterThan(0);
    expect(v.bans.isBanned(a.identity.peerId) || h.bans.isBanned(a.identity.peerId)).toBe(false);
    await honestPairStillSyncs();
  });

  it('behavior: a withheld body that is never answered at all (silence) times out, and the honest pair goes on', async () => {
    const a = await newAdversary('A-silent');
    a.network.policy.silent = true;
    const forge = await BranchForge.fork(a.node, a.node.tip.height);
    const [block] = await forge.mine(1);
    a.network.policy.withhold.add(hashToHex(headerHash(block!.header)));
    await a.node.chain.processBlocks([block!]);
    await settleUntil(everyone, () => a.network.link(v.identity.peerId).blockRequests.length > 0, 'V asks the withholder');
    // The request's deadline passes (20 s of ticks) and the next blocks come from H.
    await settle(everyone, 300, 100);
    await honestPairStillSyncs();
  });

  it('behavior: a notfound storm of blocks nobody asked for is throttled, then disconnected without a ban', async () => {
    const a = await newAdversary('A-notfound');
    for (let i = 0; i < 2_000; i++) a.network.inject(v.identity.peerId, { type: 'notfound', items: [{ kind: INV_BLOCK, hash: randomBytes(32) }] });
    await settleUntil(everyone, () => !linked(v, a), 'V drops the flooder');
    expect(v.bans.isBanned(a.identity.peerId)).toBe(false);
    await honestPairStillSyncs();
  });

  it('error: a relayed signal forged in H\'s name gets the forger banned, never H', async () => {
    const a = await newAdversary('A-forger');
    a.network.inject(v.identity.peerId, forgedRelayedSignal(a.identity, h.identity.peerId, v.identity.peerId, v.node.params));
    // Also one to pass through V to H, claiming to be from V.
    a.network.inject(h.identity.peerId, forgedRelayedSignal(a.identity, v.identity.peerId, h.identity.peerId, h.node.params));
    await settleUntil(everyone, () => v.bans.isBanned(a.identity.peerId) && h.bans.isBanned(a.identity.peerId), 'both ban the forger');
    expect(v.bans.isBanned(h.identity.peerId) || h.bans.isBanned(v.identity.peerId)).toBe(false);
    await honestPairStillSyncs();
  });

  it('behavior: 400 orphan txs are taken into memory within its bound and never written to storage', async () => {
    const a = await newAdversary('A-orphans');
    const txs = orphanTxs(400, v.node.params);
    a.network.offerTxs(v.identity.peerId, txs);
    await settleUntil(everyone, () => (a.network.link(v.identity.peerId).received.get('getdata') ?? 0) > 0 && a.network.policy.txs.size === 400, 'V asks for the txs');
    await settle(everyone, 100);
    expect(v.pending.txs.size).toBe(0);
    expect(v.node.mempool.size).toBe(0);
    // Orphans are nobody's fault: the peer stays.
    expect(linked(v, a)).toBe(true);
    await honestPairStillSyncs();
  });

  it('error: a block that breaks a rule for good is marked invalid once; a peer announcing its child, or the block itself, is banned, and its body is never asked for again', async () => {
    const a = await newAdversary('A-invalid');
    const forge = await BranchForge.fork(a.node, a.node.tip.height);
    const bad = forge.badCoinbaseHeight();
    const badHash = hashToHex(headerHash(bad.header));
    a.network.policy.headers = [bad.header];
    a.network.policy.blocks.set(badHash, encodeBlock(bad));
    a.network.announceBlocks(v.identity.peerId, [badHash]);
    await settleUntil(everyone, () => v.bans.isBanned(a.identity.peerId), 'V bans the sender of the invalid block');
    expect(a.network.link(v.identity.peerId).blockRequests).toContain(badHash);
    expect(v.node.chain.invalidity(badHash)?.code).toBe('bad-cb-height');

    const b = await newAdversary('A-descendant');
    const child = forge.childOf(bad);
    const childHash = hashToHex(headerHash(child.header));
    b.network.policy.headers = [bad.header, child.header];
    b.network.policy.blocks.set(badHash, encodeBlock(bad));
    b.network.announceBlocks(v.identity.peerId, [childHash]);
    await settleUntil(everyone, () => v.bans.isBanned(b.identity.peerId), 'V bans the peer that built on the invalid block');
    expect(v.bans.list().find((x) => x.peerId === b.identity.peerId)?.reason).toMatch(/^invalid header: /);
    expect(b.network.link(v.identity.peerId).blockRequests.filter((x) => x === badHash)).toEqual([]);
    expect(v.node.chain.entry(childHash)).toBeUndefined();

    // Announcing the invalid block itself is scored too: its announcer is banned, and V asks for nothing.
    const c = await newAdversary('A-announcer');
    const askedBefore = c.network.link(v.identity.peerId).received.get('getheaders') ?? 0;
    c.network.announceBlocks(v.identity.peerId, [badHash]);
    await settleUntil(everyone, () => v.bans.isBanned(c.identity.peerId), 'V bans the peer that announced the invalid block');
    expect(v.bans.list().find((x) => x.peerId === c.identity.peerId)?.reason).toBe('announced an invalid block: bad-cb-height');
    expect(c.network.link(v.identity.peerId).received.get('getheaders') ?? 0).toBe(askedBefore);
    expect(c.network.link(v.identity.peerId).blockRequests).toEqual([]);
    await honestPairStillSyncs();
  });

  it('behavior: low-work headers, asked for or not, are neither stored nor downloaded', async () => {
    const a = await newAdversary('A-lowwork');
    const forge = await BranchForge.fork(a.node, a.node.tip.height - 40);
    const branch = await forge.mine(30);
    const headers = branch.map((b) => b.header);
    a.network.inject(v.identity.peerId, { type: 'headers', headers });
    a.network.policy.headers = headers;
    a.network.announceBlocks(v.identity.peerId, [hashToHex(headerHash(headers[29]!))]);
    await settleUntil(everyone, () => (a.network.link(v.identity.peerId).received.get('getheaders') ?? 0) > 0, 'V asks for the headers');
    await settle(everyone, 50);
    for (const header of headers) expect(v.node.chain.entry(hashToHex(headerHash(header)))).toBeUndefined();
    expect(a.network.link(v.identity.peerId).blockRequests).toEqual([]);
    await honestPairStillSyncs();
  });

  it.each([10, 100])('behavior: a %i-block reorg from a peer is followed by both honest nodes without a ban anywhere', async (depth) => {
    const a = await newAdversary(`A-reorg-${depth}`);
    const bansBefore = [v, h].map((p) => p.bans.list().length);
    const forkHeight = a.node.tip.height - depth;
    const forge = await BranchForge.fork(a.node, forkHeight);
    const branch = await forge.outgrow(a.node.tip, depth + 1);
    clocksReach(branch);
    expect((await a.node.chain.processBlocks(branch)).every((o) => o.status === 'connected')).toBe(true);
    const tip = a.node.tip.hash;
    await settleUntil(everyone, () => v.node.tip.hash === tip && h.node.tip.hash === tip, 'V and H reorg onto the branch');
    expect([v, h].map((p) => p.bans.list().length)).toEqual(bansBefore);
    expect(a.bans.list()).toEqual([]);
    expect(linked(v, a) && linked(h, a)).toBe(true);
    await honestPairStillSyncs();
  });

  it('behavior: after the whole series V and H are linked, agree, and banned only the peers that broke the rules', async () => {
    await honestPairStillSyncs();
    expect(v.node.tip.hash).toBe(h.node.tip.hash);
    const banned = new Set(v.bans.list().map((b) => b.peerId));
    for (const p of everyone) if (banned.has(p.identity.peerId)) expect(p.name).toMatch(/^A-(forger|invalid|descendant|announcer)$/);
  });
});
