/**
 * Bytes on the wire for one 500-tx block between two Networks of the real core linked in memory
 * (tests/adversary/memory-peers.ts), with and without compact block relay (issue 16, part 2):
 *
 * - compact, pushed: B took A as a high-bandwidth peer and holds every tx in its pool, so the
 *   block crosses as one `cmpctblock` (BIP152's half round trip);
 * - compact, empty pool: the same, but B's pool is empty, so it asks every tx with `getblocktxn`;
 * - compact, low bandwidth: B holds every tx but never took A as a high-bandwidth peer, so it
 *   learns of the block by `inv` and asks it as a compact block (`getdata` of kind 4);
 * - protocol 2 (no compact blocks): `inv`, `getheaders`/`headers`, `getdata`, `block`.
 *
 * Counted from A's submitBlock until B's tip is the block: every chunk both ways (headers of the
 * chunks included), so pings that happen to fall inside are counted too (a few dozen bytes).
 * Bytes, not speed: nothing here is timed.
 */
import { encodeBlock } from '../src/core/index.ts';
import { buildFullBlocks } from '../src/core/testing/full-blocks.ts';
import { MIN_PROTOCOL_VERSION } from '../src/core/net/messages.ts';
import { honestPeer, link, settleUntil, sharedClock } from '../tests/adversary/memory-peers.ts';
import { isMain } from './harness.ts';

const TXS = 500;

interface Crossing {
  readonly name: string;
  readonly bytes: number;
  readonly messages: number;
}

const sum = (chunks: readonly Uint8Array[]) => chunks.reduce((n, c) => n + c.length, 0);
/** First chunks (index 0) are messages. */
const messages = (chunks: readonly Uint8Array[]) => chunks.filter((c) => c[4] === 0 && c[5] === 0).length;

async function crossing(name: string, mode: 'pushed' | 'empty-pool' | 'low-bandwidth' | 'version-2'): Promise<Crossing & { blockBytes: number }> {
  const clock = sharedClock();
  const chain = buildFullBlocks(1, { now: clock.now(), maxTxsPerBlock: TXS });
  const blocks = chain.blocks.map((b) => b.block);
  const full = chain.full[0]!;
  // A message budget far above the default (200/s, burst 400): setting up, each pool announces
  // its 500 txs to the other one inv at a time, which the default budget drops and then answers
  // with a disconnect ('rate exceeded'). The block's crossing sends a handful of messages.
  const budget = { messageRate: 100_000 };
  const a = await honestPeer('a', clock, budget);
  const b = await honestPeer('b', clock, mode === 'version-2' ? { ...budget, protocolVersion: MIN_PROTOCOL_VERSION } : budget);
  await a.node.chain.processBlocks(blocks.slice(0, -2));
  // Low bandwidth: B gets the chain by itself, so A never gives it a block first.
  if (mode === 'low-bandwidth') await b.node.chain.processBlocks(blocks.slice(0, -2));
  const { ab, ba } = link(a, b);
  const peers = [a, b];
  const beforeLast = chain.blocks[chain.blocks.length - 3]!.hash;
  await settleUntil(peers, () => b.node.tip.hash === beforeLast, 'B syncs', 20_000);
  // A gives B a new block first: B asks A to push (version 3). Low bandwidth: B gets it itself.
  const parent = chain.blocks[chain.blocks.length - 2]!;
  if (mode === 'low-bandwidth') await b.node.submitBlock(parent.block);
  await a.node.submitBlock(parent.block);
  await settleUntil(peers, () => b.node.tip.hash === parent.hash, 'B follows');
  if (mode !== 'empty-pool') {
    // Into both pools directly, so B holds every tx whatever the relay does.
    for (const node of [a.node, b.node]) {
      for (const tx of full.block.txs.slice(1)) {
        const result = await node.receiveTx(tx);
        if (!result.ok) throw new Error(`benchmark tx refused: ${result.code}`);
      }
    }
    await settleUntil(peers, () => b.node.mempool.size === TXS, 'the txs in B\'s pool', 20_000);
  }
  // Until the pools' announcements to each other are over: nothing sent for 50 rounds.
  let quiet = 0;
  let last = -1;
  await settleUntil(
    peers,
    () => {
      const now = ab.sent.length + ba.sent.length;
      quiet = now === last ? quiet + 1 : 0;
      last = now;
      return quiet >= 5;
    },
    'the relay goes quiet',
    20_000,
  );
  const [aFrom, bFrom] = [ab.sent.length, ba.sent.length];
  await a.node.submitBlock(full.block);
  await settleUntil(peers, () => b.node.tip.hash === full.hash, 'B connects the block', 20_000);
  const sent = [...ab.sent.slice(aFrom), ...ba.sent.slice(bFrom)];
  for (const p of peers) p.network.dispose();
  return { name, bytes: sum(sent), messages: messages(sent), blockBytes: encodeBlock(full.block).length };
}

export async function run(): Promise<Crossing[]> {
  const rows = [
    await crossing('compact, pushed (txs in B\'s pool)', 'pushed'),
    await crossing('compact, B\'s pool empty (getblocktxn for all)', 'empty-pool'),
    await crossing('compact, low bandwidth (inv, headers, getdata)', 'low-bandwidth'),
    await crossing('protocol 2: inv, headers, getdata, block', 'version-2'),
  ];
  const blockBytes = rows[0]!.blockBytes;
  console.log(`\ncompact blocks: bytes on the wire (both ways) for one ${TXS}-tx block of ${blockBytes} bytes, two Networks in memory`);
  console.log('  case                                              bytes   messages   × block');
  for (const r of rows) console.log(`  ${r.name.padEnd(48)} ${String(r.bytes).padStart(8)} ${String(r.messages).padStart(8)}   ${(r.bytes / blockBytes).toFixed(3)}`);
  const [pushed, , , full] = rows;
  console.log(`  pushed / full-block path: ${(pushed!.bytes / full!.bytes).toFixed(4)} (${(full!.bytes / pushed!.bytes).toFixed(0)}× fewer bytes)`);
  return rows;
}

if (isMain(import.meta.url)) await run();
