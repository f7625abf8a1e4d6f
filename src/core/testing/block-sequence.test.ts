import { describe, expect, it } from 'vitest';
import { Chain } from '../chain/chain.ts';
import { MemoryChainStore } from '../chain/memory-chain-store.ts';
import { decodeBlock } from '../primitives/block.ts';
import { generateBlockSequence } from './block-sequence.ts';
import { ManualClock } from './chain-builder.ts';

describe('block sequence fixture (fullblocktests)', () => {
  const sequence = generateBlockSequence();

  it('behavior: is deterministic', () => {
    const again = generateBlockSequence();
    expect(again.steps.map((s) => s.hash)).toEqual(sequence.steps.map((s) => s.hash));
    expect(again.finalTip).toBe(sequence.finalTip);
  });

  it('behavior: covers every outcome and the rules it names', () => {
    const outcomes = new Set(sequence.steps.map((s) => s.expect));
    expect([...outcomes].sort()).toEqual(['connected', 'known', 'orphan', 'rejected', 'side-chain']);
    const codes = new Set(sequence.steps.map((s) => s.code).filter(Boolean));
    for (const code of ['bad-txns-premature-spend-of-coinbase', 'bad-cb-amount', 'bad-txnmrklroot', 'bad-txns-duplicate', 'bad-txns-inputs-missingorspent', 'bad-txns-inputs-duplicate', 'bad-diffbits', 'time-too-old', 'high-hash', 'bad-prevblk']) {
      expect(codes.has(code as never), code).toBe(true);
    }
  });

  it('behavior: replayed block by block, every step has its expected outcome and tip', async () => {
    const store = new MemoryChainStore();
    const chain = await Chain.open({ params: sequence.params, store, clock: new ManualClock(sequence.earliestClock + 3600) });
    for (const step of sequence.steps) {
      const outcome = await chain.processBlock(decodeBlock(step.block));
      expect({ step: step.name, status: outcome.status }).toEqual({ step: step.name, status: step.expect });
      if (step.code) expect(outcome.status === 'rejected' && outcome.rejection.code, step.name).toBe(step.code);
      expect(chain.tip.hash, step.name).toBe(step.tip);
      expect(chain.tip.height, step.name).toBe(step.tipHeight);
    }
    expect(chain.tip.hash).toBe(sequence.finalTip);
  });

  it('behavior: replayed in one batch, it ends on the same tip in one store write', async () => {
    const store = new MemoryChainStore();
    const chain = await Chain.open({ params: sequence.params, store, clock: new ManualClock(sequence.earliestClock + 3600) });
    const writes = store.writes;
    await chain.processBlocks(sequence.steps.map((s) => decodeBlock(s.block)));
    expect(chain.tip.hash).toBe(sequence.finalTip);
    expect(chain.tip.height).toBe(sequence.finalHeight);
    expect(store.writes).toBe(writes + 1);
  });
});
