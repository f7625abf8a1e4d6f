import { describe, expect, it } from 'vitest';
import { CoinCache, MapCoinView } from './coin-cache.ts';
import type { Coin, OutpointKey } from './coin.ts';

const key = (n: number): OutpointKey => `${n.toString(16).padStart(64, '0')}:0`;
const coin = (amount: bigint, height = 1, coinbase = false): Coin => ({ amount, publicKey: new Uint8Array(32).fill(7), height, coinbase });

/** A base view holding coins 1 and 2. */
function base(): MapCoinView {
  return new MapCoinView(
    new Map<OutpointKey, Coin | undefined>([
      [key(1), coin(100n)],
      [key(2), coin(200n)],
    ]),
  );
}

/** The coins a chain of layers shows for the given keys. */
function visible(view: { getCoin(k: OutpointKey): Coin | undefined }, keys: readonly OutpointKey[]): Record<string, bigint | undefined> {
  return Object.fromEntries(keys.map((k) => [k, view.getCoin(k)?.amount]));
}

describe('CoinCache', () => {
  it('behavior: reads fall through to the base until the layer changes a key', () => {
    const cache = new CoinCache(base());
    expect(cache.getCoin(key(1))?.amount).toBe(100n);
    expect(cache.getCoin(key(3))).toBeUndefined();
    expect(cache.added.size).toBe(0);
    expect(cache.spent.size).toBe(0);
  });

  it('behavior: spend returns the coin once, records it as spent and hides it', () => {
    const cache = new CoinCache(base());
    expect(cache.spend(key(1))?.amount).toBe(100n);
    expect(cache.getCoin(key(1))).toBeUndefined();
    expect(cache.spend(key(1))).toBeUndefined();
    expect([...cache.spent]).toEqual([key(1)]);
  });

  it('behavior: spending a missing key returns undefined and records nothing', () => {
    const cache = new CoinCache(base());
    expect(cache.spend(key(9))).toBeUndefined();
    expect(cache.spent.size).toBe(0);
  });

  it('behavior: a coin added and spent in the same layer leaves no trace', () => {
    const cache = new CoinCache(base());
    cache.add(key(3), coin(300n));
    expect(cache.getCoin(key(3))?.amount).toBe(300n);
    expect(cache.spend(key(3))?.amount).toBe(300n);
    expect(cache.getCoin(key(3))).toBeUndefined();
    expect(cache.added.size).toBe(0);
    expect(cache.spent.size).toBe(0);
  });

  it('behavior: remove hides a base coin without reading it, and drops an own coin', () => {
    const cache = new CoinCache(base());
    cache.remove(key(2));
    cache.add(key(3), coin(300n));
    cache.remove(key(3));
    expect(visible(cache, [key(1), key(2), key(3)])).toEqual({ [key(1)]: 100n, [key(2)]: undefined, [key(3)]: undefined });
  });

  it('behavior: re-adding a spent key shows the new coin (its height may differ)', () => {
    const cache = new CoinCache(base());
    cache.spend(key(1));
    cache.add(key(1), coin(100n, 7));
    expect(cache.getCoin(key(1))).toEqual(coin(100n, 7));
    const parent = new CoinCache(base());
    cache.mergeInto(parent);
    expect(parent.getCoin(key(1))).toEqual(coin(100n, 7));
  });

  it('behavior: a re-added key spent again stays spent (the base coin does not come back)', () => {
    const cache = new CoinCache(base());
    cache.remove(key(1));
    cache.add(key(1), coin(100n, 7));
    expect(cache.spend(key(1))).toEqual(coin(100n, 7));
    expect(cache.getCoin(key(1))).toBeUndefined();
    expect(cache.spend(key(1))).toBeUndefined();
    const parent = new CoinCache(base());
    cache.mergeInto(parent);
    expect(parent.getCoin(key(1))).toBeUndefined();
  });

  it('behavior: layers stack: an upper layer sees the lower layer, not the other way round', () => {
    const lower = new CoinCache(base());
    lower.spend(key(1));
    lower.add(key(3), coin(300n));
    const upper = new CoinCache(lower);
    expect(visible(upper, [key(1), key(2), key(3)])).toEqual({ [key(1)]: undefined, [key(2)]: 200n, [key(3)]: 300n });
    upper.spend(key(3));
    upper.add(key(4), coin(400n));
    expect(visible(lower, [key(3), key(4)])).toEqual({ [key(3)]: 300n, [key(4)]: undefined });
    expect(visible(upper, [key(3), key(4)])).toEqual({ [key(3)]: undefined, [key(4)]: 400n });
  });

  it('behavior: mergeInto applies spends and adds onto the parent', () => {
    const lower = new CoinCache(base());
    lower.add(key(3), coin(300n));
    const upper = new CoinCache(lower);
    upper.spend(key(2));
    upper.spend(key(3));
    upper.add(key(4), coin(400n));
    upper.mergeInto(lower);
    expect(visible(lower, [key(1), key(2), key(3), key(4)])).toEqual({
      [key(1)]: 100n,
      [key(2)]: undefined,
      [key(3)]: undefined,
      [key(4)]: 400n,
    });
    // What a store write would carry: key 2 deleted, key 4 put, key 3 never reached the base.
    expect(new Set(lower.spent)).toEqual(new Set([key(2), key(3)]));
    expect([...lower.added.keys()]).toEqual([key(4)]);
  });

  it('behavior: applying a layer as a store write (spent deleted, then added put) matches what the layer shows', () => {
    const store = new Map<OutpointKey, Coin | undefined>([
      [key(1), coin(100n)],
      [key(2), coin(200n)],
    ]);
    const cache = new CoinCache(new MapCoinView(store));
    cache.remove(key(1));
    cache.add(key(1), coin(111n, 9));
    cache.remove(key(2));
    cache.add(key(2), coin(222n, 9));
    cache.spend(key(2));
    const keys = [key(1), key(2)];
    const shown = visible(cache, keys);
    for (const k of cache.spent) store.delete(k);
    for (const [k, c] of cache.added) store.set(k, c);
    expect(visible(new MapCoinView(store), keys)).toEqual(shown);
    expect(shown).toEqual({ [key(1)]: 111n, [key(2)]: undefined });
  });

  it('behavior: MapCoinView treats a key mapped to undefined as known absent', () => {
    const view = new MapCoinView(new Map([[key(1), undefined]]));
    expect(view.getCoin(key(1))).toBeUndefined();
    expect(view.coins.has(key(1))).toBe(true);
  });
});
