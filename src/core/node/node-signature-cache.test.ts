/**
 * The verified-signature cache shared by the node's mempool and chain (issue 15, part 2): a tx
 * verified when it entered the pool is not verified again when its block connects.
 */
import { describe, expect, it } from 'vitest';
import { MemoryChainStore } from '../chain/memory-chain-store.ts';
import { regtestParams } from '../consensus/networks.ts';
import { verifyInProcess } from '../consensus/signature-checks.ts';
import type { SignatureJob } from '../crypto/keys.ts';
import type { SignatureVerifier } from '../ports/signature-verifier.ts';
import { ChainBuilder, ManualClock } from '../testing/chain-builder.ts';
import { Node } from './node.ts';

/** An in-process verifier that counts the signatures it was asked to verify. */
class CountingVerifier implements SignatureVerifier {
  jobs = 0;
  async verify(jobs: readonly SignatureJob[]): Promise<boolean[]> {
    this.jobs += jobs.length;
    return verifyInProcess(jobs);
  }
}

async function setUp() {
  const b = new ChainBuilder();
  const verifier = new CountingVerifier();
  const clock = new ManualClock(regtestParams.genesis.header.time + 100_000);
  const node = await Node.open({ params: regtestParams, chainStore: new MemoryChainStore(), clock, signatureVerifier: verifier });
  const base = b.extend(b.genesis, regtestParams.coinbaseMaturity + 1);
  for (const built of base) expect((await node.submitBlock(built.block)).status).toBe('connected');
  const funding = b.coinbaseOf(base[0]!);
  const tx = b.spend([funding], [funding.output.amount - 10_000n]);
  const two = b.spend([b.coinbaseOf(base[1]!)], [funding.output.amount / 2n, funding.output.amount / 2n - 10_000n]);
  const block = b.next(base[base.length - 1]!, { txs: [tx, two] });
  return { node, verifier, tx, two, block };
}

describe('Node: verified-signature cache', () => {
  it('behavior: txs verified in the mempool are not verified again in their block', async () => {
    const { node, verifier, tx, two, block } = await setUp();
    expect((await node.submitTx(tx)).ok).toBe(true);
    expect((await node.submitTx(two)).ok).toBe(true);
    expect(verifier.jobs).toBe(2);
    expect((await node.submitBlock(block.block)).status).toBe('connected');
    expect(verifier.jobs).toBe(2);
    expect(node.mempool.size).toBe(0);
  });

  it('behavior: a block of txs the pool never saw has each signature verified once', async () => {
    const { node, verifier, tx, block } = await setUp();
    expect((await node.submitTx(tx)).ok).toBe(true);
    expect(verifier.jobs).toBe(1);
    expect((await node.submitBlock(block.block)).status).toBe('connected');
    expect(verifier.jobs).toBe(2);
  });
});
