import { describe, expect, it } from 'vitest';
import { TxDelivery } from './tx-delivery.ts';

describe('TxDelivery', () => {
  it('behavior: a pool tx is delivered once a peer has it, told once, and forgotten when it leaves the pool', () => {
    const pool = new Set(['a', 'b']);
    const told: string[] = [];
    const delivery = new TxDelivery((id) => pool.has(id), (id) => told.push(id));
    expect(delivery.has('a')).toBe(false);
    delivery.mark('a');
    delivery.mark('a');
    expect(delivery.has('a')).toBe(true);
    expect(delivery.has('b')).toBe(false);
    expect(told).toEqual(['a']);
    pool.delete('a');
    delivery.forget('a');
    expect(delivery.has('a')).toBe(false);
    expect(delivery.size).toBe(0);
  });

  it('error: a tx not in the pool is not remembered (the set never outgrows the pool)', () => {
    const told: string[] = [];
    const delivery = new TxDelivery(() => false, (id) => told.push(id));
    for (let i = 0; i < 100; i++) delivery.mark(`tx${i}`);
    expect(delivery.size).toBe(0);
    expect(told).toEqual([]);
  });

  it('behavior: a mark whose tx left the pool without being forgotten (out for a reorg, not back) reads false and is pruned', () => {
    const pool = new Set<string>();
    const delivery = new TxDelivery((id) => pool.has(id), () => undefined);
    for (let i = 0; i < 2_000; i++) {
      pool.add(`tx${i}`);
      delivery.mark(`tx${i}`);
    }
    pool.clear();
    expect(delivery.has('tx1')).toBe(false);
    pool.add('new');
    delivery.mark('new');
    expect(delivery.size).toBe(1);
  });
});
