/**
 * @module The wrtc adversary in a process of its own (tests only; started by adversary-child.ts).
 *
 * `@roamhq/wrtc`'s native code can crash its whole process (SIGSEGV) when a link closes under it
 * (node-webrtc issues #391 and #576). In the Playwright worker that crash took the test with it,
 * although the tabs under test had done nothing wrong. Here it can only end this process: the
 * test sees the exit and runs the attack again with a new adversary.
 *
 * Each attack is one named command, run on a `WrtcAdversary` joined to the signaling server
 * given as the first argument. Commands arrive over the IPC channel as `{ id, command }` and are
 * answered with `{ id, ok: true, value }` or `{ id, ok: false, error }`. The process is killed,
 * never closed, so no WebRTC teardown runs in it at all.
 */
import { randomBytes } from '@noble/hashes/utils.js';
import { encodeBlock, hashToHex, headerHash } from '../../src/core/index.ts';
import { INV_BLOCK } from '../../src/core/net/messages.ts';
import { BranchForge } from './branch-forge.ts';
import { forgedRelayedSignal, orphanTxs } from './hostile-messages.ts';
import { OFFER_ONLY, type AdversaryCommand, type AdversaryHello, type AdversaryReply, type OfferReply } from './adversary-protocol.ts';
import { realOffer, startWrtcAdversary, type WrtcAdversary } from './wrtc-adversary.ts';

async function run(a: WrtcAdversary, command: AdversaryCommand): Promise<unknown> {
  switch (command.op) {
    case 'linked':
      return a.network.linked(command.peer);
    case 'tip':
      return { hash: a.node.tip.hash, height: a.node.tip.height };
    case 'withhold-branch': {
      const forge = await BranchForge.fork(a.node, a.node.tip.height);
      const branch = await forge.mine(command.length);
      for (const b of branch) a.network.policy.withhold.add(hashToHex(headerHash(b.header)));
      await a.node.chain.processBlocks(branch);
      return undefined;
    }
    case 'block-requests':
      return a.network.link(command.peer).blockRequests.length;
    case 'notfound-storm':
      for (let i = 0; i < command.count; i++) a.network.inject(command.peer, { type: 'notfound', items: [{ kind: INV_BLOCK, hash: randomBytes(32) }] });
      return undefined;
    case 'forged-relay':
      a.network.inject(command.to, forgedRelayedSignal(a.identity, command.framed, command.to, a.node.params));
      return undefined;
    case 'offer-orphans':
      a.network.offerTxs(command.peer, orphanTxs(command.count, a.node.params));
      return undefined;
    case 'received':
      return a.network.link(command.peer).received.get(command.type) ?? 0;
    case 'announce-bad-coinbase-height': {
      const forge = await BranchForge.fork(a.node, a.node.tip.height);
      const bad = forge.badCoinbaseHeight();
      const badHash = hashToHex(headerHash(bad.header));
      a.network.policy.headers = [bad.header];
      a.network.policy.blocks.set(badHash, encodeBlock(bad));
      a.network.announceBlocks(command.peer, [badHash]);
      return badHash;
    }
    case 'ban':
      for (const peer of command.peers) await a.network.ban(peer, 'banned by the test');
      return undefined;
    case 'reorg': {
      const forge = await BranchForge.fork(a.node, a.node.tip.height - command.depth);
      const branch = await forge.outgrow(a.node.tip, command.depth + 1);
      await a.node.chain.processBlocks(branch);
      const expected = hashToHex(headerHash(branch.at(-1)!.header));
      if (a.node.tip.hash !== expected) throw new Error(`the adversary did not take its own branch: tip ${a.node.tip.hash}, branch ${expected}`);
      return expected;
    }
  }
}

const signalingUrl = process.argv[2];
const send = (message: AdversaryHello | AdversaryReply | OfferReply) => process.send!(message);
if (!signalingUrl || !process.send) {
  console.error('usage: started by adversary-child.ts with a signaling URL (or --offer) and an IPC channel');
  process.exit(2);
}
// The parent gone (its test ended or crashed): nothing here is worth keeping.
process.on('disconnect', () => process.exit(0));
/** Joins the signaling server and answers commands until the parent kills the process. */
async function serve(url: string): Promise<void> {
  try {
    const adversary = await startWrtcAdversary(url);
    process.on('message', (message: { id: number; command: AdversaryCommand }) => {
      run(adversary, message.command).then(
        (value) => send({ id: message.id, ok: true, value }),
        (error: unknown) => send({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
    });
    send({ ready: true, peerId: adversary.peerId });
  } catch (error) {
    send({ ready: false, error: error instanceof Error ? error.message : String(error) });
  }
}

// With OFFER_ONLY, only a real SDP offer, joining nobody (the parent kills the process after).
if (signalingUrl === OFFER_ONLY) send({ offer: await realOffer() });
else await serve(signalingUrl);
