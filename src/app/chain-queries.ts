/**
 * @module The explorer's questions to the node, answered from what the chain already keeps:
 * the in-memory block index (headers, tips), stored bodies, undo data (the coins each block
 * spent), the tx index and the address index (an address's history is one range read of it, see
 * {@link addressHistory}). Everything returned is plain JSON.
 */
import { ByteReader, bytesToHex, hashToHex, isImmature, txid, type Block, type Node, type OutpointKey, type Transaction } from '../core/index.ts';
import { wholeNumber } from './api-input.ts';
import { blockJson, mempoolEntryJson, paidAmount, txDetailJson, type BlockJson, type HeaderJson, type MempoolEntryJson, type SpentOutputInfo, type TxDetailJson } from './json.ts';

/** `chain.headers()` answers at most this many headers a call. */
export const MAX_HEADERS = 500;
/** `chain.addressHistory()` lists at most this many txs a call. */
export const MAX_HISTORY = 500;
export const DEFAULT_HISTORY = 50;

export interface BlockDetailJson extends Omit<BlockJson, 'txs'> {
  txs: TxDetailJson[];
  /** The next block of the active chain (null at the tip and off the active chain). */
  nextHash: string | null;
}

export type TxStatusJson = TxDetailJson & {
  blockHash: string | null;
  height: number | null;
  confirmations: number;
  /** Block time, or when the tx entered the pool. */
  time: number;
};

export interface ChainTipJson {
  height: number;
  hash: string;
  branchLength: number;
  status: 'active' | 'valid-fork' | 'headers-only' | 'invalid';
}

export interface AddressTxJson {
  txid: string;
  /** null while in the pool. */
  height: number | null;
  confirmations: number;
  /** Block time, or when the tx entered the pool. */
  time: number;
  /** Paid to the address in this tx. */
  received: string;
  /** Spent from the address's coins in this tx. */
  sent: string;
  /** received − sent. */
  net: string;
  coinbase: boolean;
}

export interface AddressHistoryJson {
  address: string;
  /** Pending first (newest first), then confirmed, newest first. */
  txs: AddressTxJson[];
  /**
   * The lowest height the answer covers: 0 when it is complete; else the height of the oldest tx
   * listed (the limit was reached), or where `maxBlocks` stopped it.
   */
  scannedTo: number;
  /** Nothing was left out: this is the address's full history. */
  complete: boolean;
}

/** Tx count and size of a stored block from its bytes, without decoding its txs. */
function bodyStats(bytes: Uint8Array): { txCount: number; size: number } {
  const r = new ByteReader(bytes);
  r.bytes(80, 'header');
  return { txCount: r.varint(bytes.length, 'tx count'), size: bytes.length };
}

/**
 * Active-chain headers from `fromHeight` up, at most `count` (≤ {@link MAX_HEADERS}), lowest
 * first; fewer at the tip. From the in-memory index; `details` adds each block's tx count and
 * size, at one store read per block.
 */
export async function headers(node: Node, fromHeight: unknown, count: unknown, options: { details?: boolean } = {}): Promise<HeaderJson[]> {
  const from = wholeNumber(fromHeight, 'fromHeight', 0, Number.MAX_SAFE_INTEGER);
  const n = wholeNumber(count, 'count', 0, MAX_HEADERS);
  const chain = node.chain;
  const out: HeaderJson[] = [];
  for (let h = from; h < from + n && h <= chain.height; h++) {
    const e = chain.entryAt(h)!;
    out.push({ height: h, hash: e.hash, time: e.header.time, bits: `0x${e.header.bits.toString(16).padStart(8, '0')}` });
  }
  if (options.details) {
    await Promise.all(
      out.map(async (item) => {
        const bytes = await chain.getBlockBytes(item.hash);
        if (bytes) Object.assign(item, bodyStats(bytes));
      }),
    );
  }
  return out;
}

export function chainTips(node: Node): ChainTipJson[] {
  return node.chain.tips().map((t) => ({ height: t.height, hash: t.hash, branchLength: t.branchLength, status: t.status }));
}

const keyOf = (id: string, vout: number): OutpointKey => `${id}:${vout}`;

/** Outputs of a tx's txid found in the pool or through the active chain's tx index. */
async function outputsOf(node: Node, id: string): Promise<Transaction | undefined> {
  return node.mempool.get(id)?.tx ?? (await node.chain.findTx(id))?.tx;
}

/**
 * Adds to `known` the outputs that `txs` spend and it lacks, looking their txs up in the pool
 * and the tx index (one block read per distinct tx): the fallback when no undo data has them.
 */
async function resolveRest(node: Node, txs: readonly Transaction[], known: Map<OutpointKey, SpentOutputInfo>): Promise<void> {
  const wanted = new Map<string, number[]>();
  for (const tx of txs) {
    for (const input of tx.inputs) {
      const id = hashToHex(input.prevTxid);
      if (known.has(keyOf(id, input.vout))) continue;
      wanted.set(id, [...(wanted.get(id) ?? []), input.vout]);
    }
  }
  await Promise.all(
    [...wanted].map(async ([id, vouts]) => {
      const prev = await outputsOf(node, id);
      for (const vout of vouts) {
        const out = prev?.outputs[vout];
        if (out) known.set(keyOf(id, vout), out);
      }
    }),
  );
}

/** What a block's inputs spent: its undo data, then outputs made earlier in the block itself. */
async function spentByBlock(node: Node, hash: string, block: Block): Promise<Map<OutpointKey, SpentOutputInfo>> {
  const known = new Map<OutpointKey, SpentOutputInfo>();
  for (const coin of (await node.chain.spentCoins(hash)) ?? []) known.set(coin.key, coin);
  for (const tx of block.txs) {
    const id = txid(tx);
    tx.outputs.forEach((out, vout) => known.set(keyOf(id, vout), out));
  }
  return known;
}

/**
 * A block (by active-chain height or by hash, on any branch) with every input resolved: one body
 * and one undo read, plus a tx lookup per input the undo data lacks (a block never connected).
 */
export async function blockDetail(node: Node, hashOrHeight: string | number): Promise<BlockDetailJson | null> {
  const chain = node.chain;
  const entry = typeof hashOrHeight === 'number' ? chain.entryAt(hashOrHeight) : chain.entry(String(hashOrHeight).toLowerCase());
  if (!entry || !entry.hasData) return null;
  const block = await chain.getBlock(entry.hash);
  if (!block) return null;
  const spent = await spentByBlock(node, entry.hash, block);
  await resolveRest(node, block.txs, spent);
  const active = chain.isActive(entry.hash);
  const base = blockJson(block, { hash: entry.hash, height: entry.height, active, tipHeight: chain.height }, node.params);
  return {
    ...base,
    txs: block.txs.map((tx) => txDetailJson(tx, node.params, spent)),
    nextHash: active ? (chain.entryAt(entry.height + 1)?.hash ?? null) : null,
  };
}

/** A pool entry with what it pays (`paid`: outputs not back to its inputs' keys; null when unknown). */
export type MempoolEntryDetailJson = MempoolEntryJson & { paid: string | null };

/**
 * The pool, highest fee rate first, each tx with what it pays (see `paidAmount`; `walletKeys`:
 * this wallet's public keys, hex, so its own change counts as change): one coin read for every
 * input the chain holds, then the pool (or tx index) for the rest.
 */
export async function mempoolDetail(node: Node, walletKeys?: ReadonlySet<string>): Promise<MempoolEntryDetailJson[]> {
  const entries = node.mempool.sorted();
  const keys = entries.flatMap((e) => e.tx.inputs.map((i) => keyOf(hashToHex(i.prevTxid), i.vout)));
  const known = new Map<OutpointKey, SpentOutputInfo>(await node.chain.getCoins(keys));
  await resolveRest(
    node,
    entries.map((e) => e.tx),
    known,
  );
  return entries.map((e) => {
    const paid = paidAmount(e.tx, known, walletKeys);
    return { ...mempoolEntryJson(e, node.params), paid: paid === null ? null : paid.toString() };
  });
}

/** A tx of the pool or of the active chain, with its inputs resolved; null when neither has it. */
export async function txDetail(node: Node, id: string, walletKeys?: ReadonlySet<string>): Promise<TxStatusJson | null> {
  const wanted = String(id).toLowerCase();
  const pooled = node.mempool.get(wanted);
  if (pooled) {
    const keys = pooled.tx.inputs.map((i) => keyOf(hashToHex(i.prevTxid), i.vout));
    const known = new Map<OutpointKey, SpentOutputInfo>(await node.chain.getCoins(keys));
    await resolveRest(node, [pooled.tx], known);
    return { ...txDetailJson(pooled.tx, node.params, known, pooled.fee, walletKeys), blockHash: null, height: null, confirmations: 0, time: pooled.time };
  }
  const found = await node.chain.findTx(wanted);
  if (!found) return null;
  const known = new Map<OutpointKey, SpentOutputInfo>();
  for (const coin of (await node.chain.spentCoins(found.blockHash)) ?? []) known.set(coin.key, coin);
  // Outputs made earlier in the same block are not in its undo data: the tx index finds them.
  await resolveRest(node, [found.tx], known);
  return {
    ...txDetailJson(found.tx, node.params, known, undefined, walletKeys),
    blockHash: found.blockHash,
    height: found.height,
    confirmations: node.tip.height - found.height + 1,
    time: node.chain.entry(found.blockHash)?.header.time ?? 0,
  };
}

function measure(tx: Transaction, key: string, spent: ReadonlyMap<OutpointKey, SpentOutputInfo>): { received: bigint; sent: bigint } {
  let received = 0n;
  for (const out of tx.outputs) if (bytesToHex(out.publicKey) === key) received += out.amount;
  let sent = 0n;
  for (const input of tx.inputs) {
    const out = spent.get(keyOf(hashToHex(input.prevTxid), input.vout));
    if (out && bytesToHex(out.publicKey) === key) sent += out.amount;
  }
  return { received, sent };
}

function item(id: string, height: number | null, confirmations: number, time: number, m: { readonly received: bigint; readonly sent: bigint }, coinbase: boolean): AddressTxJson {
  return {
    txid: id,
    height,
    confirmations,
    time,
    received: m.received.toString(),
    sent: m.sent.toString(),
    net: (m.received - m.sent).toString(),
    coinbase,
  };
}

/**
 * The txs that pay to or spend from a key: pool txs first (newest first), then the active
 * chain's, newest first, at most `limit`; `maxBlocks`, when given, leaves out txs more than that
 * many blocks below the tip.
 *
 * Cost: the confirmed part is one range read of the address index (`Chain.addressTxs`), which
 * holds what each tx received and sent, so no block is read, whatever the chain's length and
 * however long ago the address was used. Pool txs cost one coin-set read for all of them.
 */
export async function addressHistory(
  node: Node,
  address: string,
  publicKey: Uint8Array,
  options: { limit?: unknown; maxBlocks?: unknown } = {},
): Promise<AddressHistoryJson> {
  const limit = options.limit === undefined ? DEFAULT_HISTORY : wholeNumber(options.limit, 'limit', 1, MAX_HISTORY);
  const maxBlocks = options.maxBlocks === undefined ? undefined : wholeNumber(options.maxBlocks, 'maxBlocks', 1, Number.MAX_SAFE_INTEGER);
  const key = bytesToHex(publicKey);
  const chain = node.chain;

  const pool = node.mempool.sorted();
  const poolKeys = pool.flatMap((e) => e.tx.inputs.map((i) => keyOf(hashToHex(i.prevTxid), i.vout)));
  const poolSpent = new Map<OutpointKey, SpentOutputInfo>(await chain.getCoins(poolKeys));
  for (const e of pool) e.tx.outputs.forEach((out, vout) => poolSpent.set(keyOf(e.txid, vout), out));
  const txs: AddressTxJson[] = [];
  for (const e of pool) {
    const m = measure(e.tx, key, poolSpent);
    if (m.received > 0n || m.sent > 0n) txs.push(item(e.txid, null, 0, e.time, m, false));
  }
  txs.sort((a, b) => b.time - a.time);

  const tipHeight = chain.height;
  const lowest = maxBlocks === undefined ? 0 : Math.max(0, tipHeight - maxBlocks + 1);
  // One more than fits says whether anything was left out.
  const confirmed = await chain.addressTxs(publicKey, { limit: Math.max(0, limit - txs.length) + 1 });
  let complete = txs.length <= limit;
  let scannedTo = complete ? 0 : tipHeight + 1;
  for (const e of confirmed) {
    const entry = chain.entryAt(e.height);
    // Above the tip: a reorg shortened the chain between the read and now; the tx is not confirmed.
    if (!entry) continue;
    if (e.height < lowest) {
      complete = false;
      scannedTo = lowest;
      break;
    }
    if (txs.length >= limit) {
      complete = false;
      scannedTo = txs.at(-1)?.height ?? tipHeight + 1;
      break;
    }
    txs.push(item(e.txid, e.height, tipHeight - e.height + 1, entry.header.time, e, e.position === 0));
  }
  return { address, txs: txs.slice(0, limit), scannedTo, complete };
}

/** What the chain says an address holds (any address, not only the wallet's): `publicKey` is the key it pays. */
export async function addressBalance(node: Node, address: string, publicKey: Uint8Array): Promise<{ address: string; confirmed: string; immature: string; coins: number }> {
  const coins = await node.chain.coinsOf(publicKey);
  let confirmed = 0n;
  let immature = 0n;
  for (const coin of coins) {
    if (isImmature(coin, node.tip.height, node.params.coinbaseMaturity)) immature += coin.amount;
    else confirmed += coin.amount;
  }
  return { address, confirmed: confirmed.toString(), immature: immature.toString(), coins: coins.length };
}
