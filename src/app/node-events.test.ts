import { describe, expect, it } from 'vitest';
import { BanList, MemoryBanStore, MemoryChainStore, MemoryPendingTxStore, Network, Node, regtestParams } from '../core/index.ts';
import { ChainBuilder, ManualClock } from '../core/testing/chain-builder.ts';
import { loadNodeIdentity } from './node-identity.ts';
import { subscribeNodeEvents, watchSignaling, watchStorageFull, type NodeEventName, type NodeEventPayloads } from './node-events.ts';

async function setup() {
  const clock = new ManualClock(regtestParams.genesis.header.time + 100_000);
  const node = await Node.open({ params: regtestParams, chainStore: new MemoryChainStore(), pendingStore: new MemoryPendingTxStore(), clock });
  const bans = await BanList.open(new MemoryBanStore(), clock);
  let key: string | undefined;
  const identity = await loadNodeIdentity(
    async () => key,
    async (hex) => (key = hex),
  );
  const network = new Network({ node, identity, bans });
  const signaling = watchSignaling();
  const storageFull = watchStorageFull(node);
  const sources = { node, network, statusHandlers: signaling.handlers, fullHandlers: storageFull.handlers };
  /** Every payload of `event` until the returned list is read. */
  const collect = <E extends NodeEventName>(event: E) => {
    const seen: NodeEventPayloads[E][] = [];
    const off = subscribeNodeEvents(sources, event, (payload) => seen.push(payload));
    return { seen, off };
  };
  return { node, signaling, collect, sources };
}

describe('subscribeNodeEvents', () => {
  it('behavior: hands each event its typed JSON payload (tip, block, signaling) and stops after the unsubscribe', async () => {
    const s = await setup();
    const tips = s.collect('tip');
    const blocks = s.collect('block-connected');
    const statuses = s.collect('signaling');
    const b = new ChainBuilder();
    const [first, second] = b.extend(b.genesis, 2);
    expect((await s.node.submitBlock(first!.block)).status).toBe('connected');
    expect(tips.seen).toEqual([{ height: 1, hash: first!.hash, work: s.node.tip.chainWork.toString() }]);
    expect(blocks.seen.map((x) => [x.hash, x.height, x.active])).toEqual([[first!.hash, 1, true]]);
    s.signaling.onStatus('online');
    expect(statuses.seen).toEqual([{ status: 'online' }]);

    tips.off();
    blocks.off();
    statuses.off();
    expect((await s.node.submitBlock(second!.block)).status).toBe('connected');
    s.signaling.onStatus('offline');
    expect(tips.seen).toHaveLength(1);
    expect(blocks.seen).toHaveLength(1);
    expect(statuses.seen).toHaveLength(1);
  });

  it('behavior: an unknown event (an untyped page script) is a TypeError and subscribes nothing', async () => {
    const s = await setup();
    for (const name of ['nope', 'toString', '__proto__']) {
      expect(() => subscribeNodeEvents(s.sources, name as NodeEventName, () => {})).toThrow(TypeError);
    }
  });
});
