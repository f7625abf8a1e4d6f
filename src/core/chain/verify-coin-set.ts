/**
 * @module Rebuilds the coin set from the active chain's blocks and compares it with the stored
 * one: the check that blocks, coins and tip agree after a crash or a failed write.
 */
import { connectBlock } from '../consensus/connect-block.ts';
import type { NetworkParams } from '../consensus/params.ts';
import type { Block } from '../primitives/block.ts';
import { CoinCache, MapCoinView } from '../coins/coin-cache.ts';
import type { ChainStore } from '../ports/chain-store.ts';

export interface CoinSetCheck {
  readonly ok: boolean;
  readonly height: number;
  readonly tip: string;
  /** Coins in the rebuilt set. */
  readonly coins: number;
  /** What disagrees, in words (empty when ok). */
  readonly problems: string[];
}

interface ChainView {
  readonly height: number;
  entryAt(height: number): { readonly hash: string } | undefined;
  getBlock(hash: string): Promise<Block | undefined>;
}

export async function verifyCoinSet(chain: ChainView, store: ChainStore, params: NetworkParams): Promise<CoinSetCheck> {
  const problems: string[] = [];
  const rebuilt = new CoinCache(new MapCoinView());
  const height = chain.height;
  for (let h = 1; h <= height && problems.length === 0; h++) {
    const entry = chain.entryAt(h);
    const block = entry && (await chain.getBlock(entry.hash));
    if (!entry || !block) {
      problems.push(`block ${h} of the active chain has no stored body`);
      break;
    }
    // Signatures were checked when the block connected; this is about bookkeeping.
    const result = connectBlock(block, h, rebuilt, params, false);
    if (!result.ok) problems.push(`block ${h} (${entry.hash}) does not connect on the rebuilt set: ${result.code}`);
  }
  const keys = [...rebuilt.added.keys()];
  if (problems.length === 0) {
    const stored = await store.getCoins(keys);
    for (const key of keys) {
      const want = rebuilt.added.get(key)!;
      const got = stored.get(key);
      if (!got) problems.push(`coin ${key} is missing from the store`);
      else if (got.amount !== want.amount || got.height !== want.height || got.coinbase !== want.coinbase) problems.push(`coin ${key} differs`);
      if (problems.length > 20) break;
    }
    const count = await store.coinCount();
    if (count !== keys.length) problems.push(`the store holds ${count} coins, the blocks make ${keys.length}`);
  }
  const { tip } = await store.load().then((l) => ({ tip: l.tip ?? '' }));
  const tipHash = chain.entryAt(height)?.hash ?? '';
  if (tip !== tipHash) problems.push(`the stored tip ${tip} is not the active tip ${tipHash}`);
  return { ok: problems.length === 0, height, tip: tipHash, coins: keys.length, problems };
}
