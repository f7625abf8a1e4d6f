/**
 * @module A layered, in-memory change set over a {@link CoinView}: validation spends and adds
 * coins here, and only a fully valid block (or reorg) is merged down or written to the store.
 */
import type { Coin, CoinView, OutpointKey } from './coin.ts';

export class CoinCache implements CoinView {
  /** Coins created in this layer (and not spent again in it). */
  readonly added = new Map<OutpointKey, Coin>();
  /** Coins of the layers below that this layer spent (a key may also be re-added in `added`). */
  readonly spent = new Set<OutpointKey>();

  constructor(private readonly base: CoinView) {}

  getCoin(key: OutpointKey): Coin | undefined {
    const own = this.added.get(key);
    if (own) return own;
    if (this.spent.has(key)) return undefined;
    return this.base.getCoin(key);
  }

  /** Removes a coin; returns it, or undefined when it is not there (missing or already spent). */
  spend(key: OutpointKey): Coin | undefined {
    const own = this.added.get(key);
    if (own) {
      this.added.delete(key);
      return own;
    }
    if (this.spent.has(key)) return undefined;
    const coin = this.base.getCoin(key);
    if (coin) this.spent.add(key);
    return coin;
  }

  /**
   * Removes a coin known to exist below without reading it (disconnecting a block removes its
   * outputs, which the store holds but this cache may never have loaded).
   */
  remove(key: OutpointKey): void {
    this.added.delete(key);
    this.spent.add(key);
  }

  add(key: OutpointKey, coin: Coin): void {
    // A coin spent here and created again (the same tx on both sides of a reorg) is written anew:
    // its height may differ, so the layer's version must win over the base's. The key stays in
    // `spent` (the base's coin is gone either way): were the new coin spent in turn, dropping it
    // from `added` must not bring the base's coin back. Writes delete `spent` before putting `added`.
    this.added.set(key, coin);
  }

  /** Applies this layer's changes onto a parent cache. */
  mergeInto(parent: CoinCache): void {
    for (const key of this.spent) parent.remove(key);
    for (const [key, coin] of this.added) parent.add(key, coin);
  }
}

/** A view over a plain map (coins fetched from a store). */
export class MapCoinView implements CoinView {
  constructor(readonly coins: Map<OutpointKey, Coin | undefined> = new Map()) {}
  getCoin(key: OutpointKey): Coin | undefined {
    return this.coins.get(key);
  }
}
