import { describe, expect, it } from 'vitest';
import { regtestParams } from '../consensus/networks.ts';
import { Chain } from './chain.ts';
import { openTestChain } from '../testing/test-chain.ts';

const setup = openTestChain;

/**
 * Issue 11 part 2: a body that breaks a rule for good, arriving for a header already in the tree,
 * marks that entry and its descendants invalid in the store (Bitcoin Core's BLOCK_FAILED_VALID and
 * BLOCK_FAILED_CHILD), so the node never wants that body again, even after a restart.
 */
describe('Chain: permanent failures are marked once (issue 11)', () => {
  it('error: a headers-only block whose body has a wrong coinbase height becomes invalid with its descendants; nothing of it is wanted again, after a reopen too', async () => {
    const s = await setup();
    const [good] = s.b.extend(s.b.genesis, 1);
    await s.chain.processBlock(good!.block);
    const bad = s.b.next(good!, { coinbaseHeight: 7 });
    const [c1, c2] = s.b.extend(bad, 2);
    expect((await s.chain.processHeaders([bad, c1!, c2!].map((x) => x.block.header))).map((o) => o.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(s.chain.blocksToDownload(10).map((e) => e.hash)).toEqual([bad.hash, c1!.hash, c2!.hash]);

    expect(await s.chain.processBlock(bad.block)).toMatchObject({ status: 'rejected', rejection: { code: 'bad-cb-height', permanent: true } });

    expect(s.chain.entry(bad.hash)?.invalid).toMatchObject({ code: 'bad-cb-height' });
    expect(s.chain.entry(c2!.hash)?.invalid).toMatchObject({ code: 'bad-prevblk' });
    expect(s.chain.blocksToDownload(10)).toEqual([]);
    expect(s.chain.bestHeader().hash).toBe(good!.hash);
    expect(s.chain.tips()).toContainEqual({ hash: c2!.hash, height: 4, branchLength: 3, status: 'invalid' });
    // Persisted for every entry of the branch, body not stored.
    for (const x of [bad, c1!, c2!]) expect(s.store.index.get(x.hash)?.invalid).toBeDefined();
    expect(s.store.bodies.has(bad.hash)).toBe(false);

    // A restart keeps it: not wanted, its header and body refused at once with the same code.
    const reopened = await Chain.open({ params: regtestParams, store: s.store, clock: s.clock });
    expect(reopened.entry(c1!.hash)?.invalid).toMatchObject({ code: 'bad-prevblk' });
    expect(reopened.blocksToDownload(10)).toEqual([]);
    expect(await reopened.processHeader(bad.block.header)).toMatchObject({ status: 'rejected', rejection: { code: 'bad-cb-height', permanent: true, punish: true } });
    expect(await reopened.processBlock(c1!.block)).toMatchObject({ status: 'rejected', rejection: { code: 'bad-prevblk', permanent: true } });
  });

  it('error: a header that extends an invalid one is refused at once with a permanent, punishing code and is not stored', async () => {
    const s = await setup();
    const bad = s.b.next(s.b.genesis, { coinbaseHeight: 3 });
    await s.chain.processHeader(bad.block.header);
    await s.chain.processBlock(bad.block);
    const child = s.b.next(bad);
    const grandchild = s.b.next(child);
    const writes = s.store.writes;
    const outcomes = await s.chain.processHeaders([child.block.header, grandchild.block.header]);
    // What a Network scores a peer by: each header descending from the invalid one is bad-prevblk.
    expect(outcomes).toMatchObject([
      { status: 'rejected', hash: child.hash, rejection: { code: 'bad-prevblk', permanent: true, punish: true } },
      { status: 'rejected', hash: grandchild.hash, rejection: { code: 'bad-prevblk', permanent: true, punish: true } },
    ]);
    expect(s.store.writes).toBe(writes);
    expect(s.store.index.has(child.hash)).toBe(false);
    expect(s.chain.blocksToDownload(10)).toEqual([]);
    // What sync asks before requesting an announced block: in the tree or only remembered.
    expect(s.chain.invalidity(bad.hash)).toMatchObject({ code: 'bad-cb-height', permanent: true, punish: true });
    expect(s.chain.invalidity(grandchild.hash)).toMatchObject({ code: 'bad-prevblk', permanent: true });
    expect(s.chain.invalidity(s.b.genesis.hash)).toBeUndefined();
    expect(s.chain.invalidity('00'.repeat(32))).toBeUndefined();
  });

  it('behavior: a body that does not match its header (a transient failure) leaves the entry valid and wanted', async () => {
    const s = await setup();
    const [b1] = s.b.extend(s.b.genesis, 1);
    await s.chain.processHeader(b1!.block.header);
    // Another body under the same header: its merkle root does not match, but the right body may still come.
    const other = s.b.next(s.b.genesis, { extraNonce: 5n });
    const mismatched = { header: b1!.block.header, txs: other.block.txs };
    expect(await s.chain.processBlock(mismatched)).toMatchObject({ status: 'rejected', rejection: { code: 'bad-txnmrklroot', permanent: false } });
    expect(s.chain.entry(b1!.hash)?.invalid).toBeUndefined();
    expect(s.chain.blocksToDownload(10).map((e) => e.hash)).toEqual([b1!.hash]);
    expect(await s.chain.processBlock(b1!.block)).toMatchObject({ status: 'connected' });
  });

  it('behavior: a store written before descendants were marked (an older version) is repaired on open', async () => {
    const s = await setup();
    const bad = s.b.next(s.b.genesis, { coinbaseHeight: 3 });
    const child = s.b.next(bad);
    await s.chain.processHeaders([bad.block.header, child.block.header]);
    // An invalid mark on the parent only, as a store might hold it.
    const stored = s.store.index.get(bad.hash)!;
    s.store.index.set(bad.hash, { ...stored, invalid: { code: 'bad-cb-height', message: 'wrong height' } });
    const reopened = await Chain.open({ params: regtestParams, store: s.store, clock: s.clock });
    expect(reopened.entry(child.hash)?.invalid).toMatchObject({ code: 'bad-prevblk' });
    expect(reopened.blocksToDownload(10)).toEqual([]);
  });
});
