import { describe, expect, it } from 'vitest';
import { regtestParams } from '../consensus/networks.ts';
import { sha256d } from '../crypto/hash.ts';
import { DecodeError } from '../encoding/decode-error.ts';
import { hashToHex } from '../encoding/hex.ts';
import { decodeBlock, encodeBlock } from '../primitives/block.ts';
import { ChainBuilder, type BuiltBlock } from '../testing/chain-builder.ts';
import { splitMessage } from './chunking.ts';
import { encodeMessage } from './wire-codec.ts';
import { honestPeer, link, MemoryLink, settle, settleUntil, sharedClock, type TestPeer } from '../../../tests/adversary/memory-peers.ts';

/** Frame type of `block` (at offset 12 + 5 of a first chunk: chunk header 12, magic 4, version 1). */
const BLOCK_FRAME = 10;

/** A link that sends some block bodies as other bytes (a malformed body under the real header), or not at all. */
class RewritingLink extends MemoryLink {
  /** Block hashes (display hex) whose body goes out as these bytes instead. */
  readonly replaceBody = new Map<string, Uint8Array>();
  /** Block hashes (display hex) never sent, and no notfound either: they stay in flight. */
  readonly withhold = new Set<string>();
  override send(chunk: Uint8Array): void {
    if (this.closed) return;
    // Test blocks fit one chunk: the header is the 80 bytes after the frame's 6.
    if (chunk[12 + 5] === BLOCK_FRAME) {
      const hash = hashToHex(sha256d(chunk.subarray(18, 98)));
      if (this.withhold.has(hash)) return;
      const body = this.replaceBody.get(hash);
      if (body) {
        for (const c of splitMessage(encodeMessage({ type: 'block', block: body }), 7000)) this.deliver(c);
        return;
      }
    }
    this.deliver(chunk);
  }
  /** Whether a block frame went out on this link. */
  sentBlock(): boolean {
    return this.sent.some((c) => c[12 + 5] === BLOCK_FRAME);
  }
}

/** Sends a `block` message with these bytes as its body, chunked as a network would. */
function sendMessage(end: MemoryLink, body: Uint8Array, id: number): void {
  for (const c of splitMessage(encodeMessage({ type: 'block', block: body }), id)) end.send(c);
}

/** The ban reason for a body today's rule gives: the decoder's own message. */
function malformedReason(body: Uint8Array): string {
  try {
    decodeBlock(body, regtestParams.limits);
  } catch (error) {
    if (error instanceof DecodeError) return `malformed block: ${error.message}`;
    throw error;
  }
  throw new Error('the body decodes');
}

/** A body whose header is the block's own (same hash) and which has one byte too many. */
function withTrailingByte(body: Uint8Array): Uint8Array {
  return Uint8Array.of(...body, 0);
}

async function holding(name: string, blocks: readonly BuiltBlock[]): Promise<TestPeer> {
  const peer = await honestPeer(name);
  await peer.node.chain.processBlocks(blocks.map((b) => b.block));
  return peer;
}

function banReason(of: TestPeer, peer: TestPeer): string | undefined {
  return of.bans.list().find((b) => b.peerId === peer.identity.peerId)?.reason;
}

describe('BlockSync: bodies wait as bytes and are decoded when their batch is connected (issue 14)', () => {
  it('error: a requested body that does not decode gets its sender banned with the decoder\'s reason, and the block is fetched from another peer', async () => {
    const builder = new ChainBuilder();
    const blocks = builder.extend(builder.genesis, 3);
    const v = await honestPeer('V');
    const evil = await holding('E', blocks);
    const disconnected: { id: string; reason: string; banned: boolean }[] = [];
    v.network.on('peer-disconnected', (e) => disconnected.push(e));
    const { ba: fromEvil } = link(v, evil, () => new RewritingLink());
    const bad = withTrailingByte(encodeBlock(blocks[1]!.block));
    fromEvil.replaceBody.set(blocks[1]!.hash, bad);
    await settleUntil([v, evil], () => v.bans.isBanned(evil.identity.peerId), 'V bans the sender of the malformed body');
    expect(disconnected).toEqual([{ id: evil.identity.peerId, reason: malformedReason(bad), banned: true }]);
    expect(v.node.chain.entry(blocks[1]!.hash)?.hasData).toBeFalsy();

    const h = await holding('H', blocks);
    link(v, h);
    await settleUntil([v, h], () => v.node.tip.hash === blocks[2]!.hash, 'V gets the block from H');
    expect(v.bans.isBanned(h.identity.peerId)).toBe(false);
  });

  it('error: the sender of a malformed body that left before its batch was connected is banned all the same', async () => {
    const builder = new ChainBuilder();
    const blocks = builder.extend(builder.genesis, 2);
    const v = await honestPeer('V');
    const evil = await holding('E', blocks);
    const { ba: fromEvil } = link(v, evil, () => new RewritingLink());
    const bad = withTrailingByte(encodeBlock(blocks[0]!.block));
    fromEvil.replaceBody.set(blocks[0]!.hash, bad);
    // The second block stays in flight, so the first waits for its batch.
    fromEvil.withhold.add(blocks[1]!.hash);
    await settleUntil([v, evil], () => fromEvil.sentBlock(), 'E sends the malformed body');
    await settle([v, evil], 5);
    // Waiting as bytes, not judged yet.
    expect(v.bans.isBanned(evil.identity.peerId)).toBe(false);
    evil.network.disconnect();
    await settleUntil([v, evil], () => v.bans.isBanned(evil.identity.peerId), 'V bans E after it left');
    expect(banReason(v, evil)).toBe(malformedReason(bad));
    expect(v.node.tip.height).toBe(0);
  });

  it('error: a body nobody asked for is judged at once: malformed (even too short for a header) gets the sender banned, a well-formed one is ignored', async () => {
    const builder = new ChainBuilder();
    const [b1] = builder.extend(builder.genesis, 1);
    const v = await honestPeer('V');
    const polite = await honestPeer('P');
    const short = await honestPeer('S');
    const long = await honestPeer('L');
    const { ba: fromPolite } = link(v, polite);
    const { ba: fromShort } = link(v, short);
    const { ba: fromLong } = link(v, long);
    await settle([v, polite, short, long]);
    const tooShort = Uint8Array.of(1, 2, 3);
    const trailing = withTrailingByte(encodeBlock(b1!.block));
    sendMessage(fromPolite, encodeBlock(b1!.block), 7001);
    sendMessage(fromShort, tooShort, 7002);
    sendMessage(fromLong, trailing, 7003);
    const everyone = [v, polite, short, long];
    await settleUntil(everyone, () => v.bans.isBanned(short.identity.peerId) && v.bans.isBanned(long.identity.peerId), 'V bans both senders');
    expect(banReason(v, short)).toBe(malformedReason(tooShort));
    expect(banReason(v, long)).toBe(malformedReason(trailing));
    expect(v.bans.isBanned(polite.identity.peerId)).toBe(false);
    expect(v.network.peerInfo().map((p) => p.id)).toEqual([polite.identity.peerId]);
    // Unrequested, so not taken.
    expect(v.node.tip.height).toBe(0);
  });
});

describe('BlockSync: blocks are connected as they come (issue 15, part 4)', () => {
  it('behavior: a long sync is connected in batches bounded in bytes, so the tip moves many times on the way, not once at the end', async () => {
    const builder = new ChainBuilder();
    const blocks = builder.extend(builder.genesis, 40);
    const blockBytes = encodeBlock(blocks[0]!.block).length;
    // About four blocks a batch.
    const v = await honestPeer('V', sharedClock(), { batchBytes: blockBytes * 4 });
    const h = await holding('H', blocks);
    const heights: number[] = [];
    v.node.on('tip', (tip) => heights.push(tip.height));
    link(v, h);
    await settleUntil([v, h], () => v.node.tip.hash === blocks[39]!.hash, 'V syncs all 40 blocks');
    expect(heights.length).toBeGreaterThanOrEqual(8);
    expect(heights).toEqual([...heights].sort((a, b) => a - b));
    expect(heights.at(-1)).toBe(40);
  });

  it('behavior: a block that arrived while another is still on its way is connected once it has waited the batch age', async () => {
    const builder = new ChainBuilder();
    const blocks = builder.extend(builder.genesis, 2);
    const v = await honestPeer('V');
    const h = await holding('H', blocks);
    const { ba: fromH } = link(v, h, () => new RewritingLink());
    // Block 2 stays in flight (never sent, no notfound).
    fromH.withhold.add(blocks[1]!.hash);
    await settleUntil([v, h], () => fromH.sentBlock(), 'H sends block 1');
    await settle([v, h], 5);
    expect(v.node.tip.height).toBe(0);
    // Within 10 s of the network's clock: before block 2's request times out (20 s) and moves.
    await settleUntil([v, h], () => v.node.tip.hash === blocks[0]!.hash, 'V connects block 1 without waiting for block 2', 1000);
  });
});
