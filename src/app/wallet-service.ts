/**
 * @module The wallet seen through the node: balance (confirmed, pending, immature), paying with
 * coin selection and change to a fresh key, and the history of sent and received txs.
 */
import {
  WalletError,
  buildPayment,
  bytesToHex,
  encodeAddress,
  hashToHex,
  isImmature,
  isSpendablePending,
  outpointKey,
  txid,
  walletBalance,
  type Block,
  type Node,
  type OutpointKey,
  type PendingOutput,
  type Transaction,
  type WalletBalance,
  type WalletCoin,
} from '../core/index.ts';
import type { WalletKeys } from './wallet-keys.ts';

export interface SendRequest {
  readonly to: string;
  readonly amount: bigint;
  /** Absolute fee in base units; default: feeRate × size. */
  readonly fee?: bigint;
  /** Base units per byte; default 1. */
  readonly feeRate?: bigint;
  readonly memo?: string;
}

export interface HistoryEntry {
  readonly txid: string;
  /** Block height, or null while pending. */
  readonly height: number | null;
  readonly confirmations: number;
  /** Block time, or when the tx entered the pool. */
  readonly time: number;
  /** What the wallet's keys received in this tx (change included). */
  readonly received: bigint;
  /** What the wallet's coins spent in this tx. */
  readonly sent: bigint;
  /** received − sent: positive for income, negative for a payment (fee included). */
  readonly net: bigint;
  readonly coinbase: boolean;
  readonly memo: string;
  /** Addresses paid that are not the wallet's (for payments). */
  readonly to: string[];
}

/** A confirmed tx of the wallet: the sums over its keys' address-index entries. */
interface ConfirmedTx {
  readonly tx: Transaction;
  readonly height: number;
  readonly time: number;
  readonly received: bigint;
  readonly sent: bigint;
}

/** Blocks read at once when txs of the history are not cached yet. */
const BLOCK_READS = 16;

export class WalletService {
  /** Confirmed txs of the wallet already read, by `blockHash:position` (a reorg changes the hash). */
  private txCache = new Map<string, Transaction>();
  /** Public keys (hex) of ours that received on the active chain or in the pool. */
  private usedKeys = new Set<string>();

  constructor(
    private readonly node: Node,
    readonly keys: WalletKeys,
  ) {}

  private ownKeys(): Set<string> {
    return new Set(this.keys.publicKeys().map(bytesToHex));
  }

  /** Confirmed coins of every wallet key. */
  private async confirmedCoins() {
    const lists = await Promise.all(this.keys.publicKeys().map((k) => this.node.chain.coinsOf(k)));
    return lists.flat();
  }

  async balance(): Promise<WalletBalance> {
    const coins = await this.confirmedCoins();
    return walletBalance({
      coins,
      tipHeight: this.node.tip.height,
      coinbaseMaturity: this.node.params.coinbaseMaturity,
      spentByPending: (key) => this.node.mempool.spender(key) !== undefined,
      pendingOutputs: this.pendingOutputs(new Set(coins.map((c) => c.key))),
    });
  }

  /**
   * Outputs paying our keys in pool txs (spent or not), each marked `own` when its tx is one we can
   * trust as ours (Bitcoin Core's trusted rule): it spends at least one coin of ours, and every
   * unconfirmed coin it spends is an output of ours in a pool tx that is itself trusted. Change of
   * a tx that spends someone else's unconfirmed payment is not: the payer can still double-spend
   * that payment and take our tx, and the change, with it.
   */
  private pendingOutputs(confirmedKeys: ReadonlySet<OutpointKey>): (PendingOutput & { publicKey: Uint8Array })[] {
    const own = this.ownKeys();
    const { mempool } = this.node;
    const trusted = new Map<string, boolean>();
    const isTrusted = (id: string, tx: Transaction): boolean => {
      const known = trusted.get(id);
      if (known !== undefined) return known;
      let spendsOurs = false;
      let safe = true;
      for (const input of tx.inputs) {
        if (confirmedKeys.has(outpointKey(input.prevTxid, input.vout))) {
          spendsOurs = true;
          continue;
        }
        const parent = mempool.get(hashToHex(input.prevTxid));
        // Not in the pool: a confirmed coin (someone else's, in a tx we co-signed), never an unconfirmed one.
        if (!parent) continue;
        const output = parent.tx.outputs[input.vout];
        if (output === undefined || !own.has(bytesToHex(output.publicKey)) || !isTrusted(parent.txid, parent.tx)) {
          safe = false;
          break;
        }
        spendsOurs = true;
      }
      const result = spendsOurs && safe;
      trusted.set(id, result);
      return result;
    };
    const outputs: (PendingOutput & { publicKey: Uint8Array })[] = [];
    for (const entry of mempool.inArrivalOrder()) {
      const mine = entry.tx.outputs.map((output, vout) => ({ output, vout })).filter(({ output }) => own.has(bytesToHex(output.publicKey)));
      if (mine.length === 0) continue;
      const ownTx = isTrusted(entry.txid, entry.tx);
      for (const { output, vout } of mine) outputs.push({ key: `${entry.txid}:${vout}`, amount: output.amount, own: ownTx, publicKey: output.publicKey });
    }
    return outputs;
  }

  /**
   * Coins a new payment may spend, exactly what the balance calls available: mature confirmed
   * coins no pool tx spends, and the unspent change of our own pool txs (never unconfirmed coins
   * from others: they wait for a block).
   */
  private async spendableCoins(): Promise<WalletCoin[]> {
    const { mempool } = this.node;
    const tipHeight = this.node.tip.height;
    const spentByPending = (key: OutpointKey) => mempool.spender(key) !== undefined;
    const confirmed = await this.confirmedCoins();
    const coins: WalletCoin[] = [];
    for (const coin of confirmed) {
      if (isImmature(coin, tipHeight, this.node.params.coinbaseMaturity) || spentByPending(coin.key)) continue;
      coins.push({ key: coin.key, amount: coin.amount, publicKey: coin.publicKey, confirmed: true });
    }
    for (const output of this.pendingOutputs(new Set(confirmed.map((c) => c.key)))) {
      if (isSpendablePending(output, spentByPending)) coins.push({ key: output.key, amount: output.amount, publicKey: output.publicKey, confirmed: false });
    }
    return coins;
  }

  /**
   * Builds, signs and submits a payment (the tutorials' `/transactions/new`). Change goes to a
   * fresh key. Throws WalletError for anything wrong with the request; nothing is spent then.
   */
  async send(request: SendRequest): Promise<{ txid: string; fee: bigint }> {
    if (this.keys.locked) throw new WalletError('locked', 'the wallet is locked: unlock it with its passphrase first');
    const coins = await this.spendableCoins();
    const changePublicKey = this.keys.peekNextKey();
    const payment = buildPayment({
      params: this.node.params,
      coins,
      to: request.to,
      amount: request.amount,
      secretKeyFor: (k: Uint8Array) => this.keys.secretKeyFor(k),
      changePublicKey,
      ...(request.fee !== undefined ? { fee: request.fee } : {}),
      ...(request.feeRate !== undefined ? { feeRate: request.feeRate } : {}),
      ...(request.memo !== undefined ? { memo: request.memo } : {}),
    });
    // Change goes to a fresh key, stored before the tx that pays it leaves the wallet.
    if (payment.change > 0n) await this.keys.adoptChangeKey(changePublicKey);
    const result = await this.node.submitTx(payment.tx);
    // A payment whose inputs the node cannot see yet (offline, not synced) waits as pending.
    if (!result.ok && result.code !== 'missing-inputs') {
      throw new WalletError('rejected', `the node refused the payment: ${result.message} (${result.code})`);
    }
    return { txid: txid(payment.tx), fee: payment.fee };
  }

  /**
   * Sent and received txs, newest first, pending ones on top. The confirmed ones come from the
   * address index (one range read per key, however long the chain), so a reorg is reflected as
   * soon as it is written; only the blocks holding txs not read before are read.
   */
  async history(): Promise<HistoryEntry[]> {
    const own = this.ownKeys();
    const confirmed = await this.confirmedTxs();
    // The pool in arrival order: every entry is visited and the list is sorted by time below, so
    // the fee-rate sort would be wasted (a refresh runs after every accepted tx).
    const pool = this.node.mempool.inArrivalOrder();
    for (const p of pool) {
      for (const o of p.tx.outputs) if (own.has(bytesToHex(o.publicKey))) this.usedKeys.add(bytesToHex(o.publicKey));
    }
    await this.keys.skipUsed(this.usedKeys);
    const tipHeight = this.node.tip.height;
    const mine = this.ownKeys();
    const entries: HistoryEntry[] = [];
    // What pool txs spend of our confirmed coins: the coins of our keys (an index read per key),
    // not a coin-set read of every pool input, which grows with the pool and held every tx
    // entering it behind its reads during a burst (a wallet refresh follows each accepted tx).
    const ours = new Map((await this.confirmedCoins()).map((c) => [c.key, c]));
    for (const p of pool) {
      let sent = 0n;
      for (const input of p.tx.inputs) {
        const coin = ours.get(outpointKey(input.prevTxid, input.vout));
        if (coin) sent += coin.amount;
      }
      let received = 0n;
      for (const o of p.tx.outputs) if (mine.has(bytesToHex(o.publicKey))) received += o.amount;
      if (received === 0n && sent === 0n) continue;
      entries.push(this.entry(p.tx, null, 0, p.time, received, sent, mine));
    }
    entries.sort((a, b) => b.time - a.time);
    for (const c of confirmed) entries.push(this.entry(c.tx, c.height, tipHeight - c.height + 1, c.time, c.received, c.sent, mine));
    return entries;
  }

  /**
   * The wallet's confirmed txs, newest first: every key's address-index entries, summed per tx
   * (a tx may touch several of our keys), with the txs themselves from the cache or their blocks.
   * Keys that received are recorded as used.
   */
  private async confirmedTxs(): Promise<ConfirmedTx[]> {
    const chain = this.node.chain;
    const keys = this.keys.publicKeys();
    const lists = await Promise.all(keys.map((k) => chain.addressTxs(k)));
    const byPosition = new Map<string, { height: number; position: number; txid: string; received: bigint; sent: bigint }>();
    lists.forEach((list, i) => {
      for (const e of list) {
        if (e.received > 0n) this.usedKeys.add(bytesToHex(keys[i]!));
        const at = `${e.height}:${e.position}`;
        const sum = byPosition.get(at);
        if (sum) {
          sum.received += e.received;
          sum.sent += e.sent;
        } else byPosition.set(at, { ...e });
      }
    });
    const found = [...byPosition.values()].sort((a, b) => b.height - a.height || b.position - a.position);
    const missing = new Set<string>();
    for (const e of found) {
      const hash = chain.entryAt(e.height)?.hash;
      if (hash && !this.txCache.has(`${hash}:${e.position}`)) missing.add(hash);
    }
    const hashes = [...missing];
    for (let i = 0; i < hashes.length; i += BLOCK_READS) {
      await Promise.all(
        hashes.slice(i, i + BLOCK_READS).map(async (hash) => {
          const block: Block | undefined = await chain.getBlock(hash);
          block?.txs.forEach((tx, position) => this.txCache.set(`${hash}:${position}`, tx));
        }),
      );
    }
    const out: ConfirmedTx[] = [];
    for (const e of found) {
      const entry = chain.entryAt(e.height);
      const tx = entry && this.txCache.get(`${entry.hash}:${e.position}`);
      // A reorg between the index read and now: the next history answers with the new chain.
      if (!entry || !tx || txid(tx) !== e.txid) continue;
      out.push({ tx, height: e.height, time: entry.header.time, received: e.received, sent: e.sent });
    }
    return out;
  }

  private entry(tx: Transaction, height: number | null, confirmations: number, time: number, received: bigint, sent: bigint, own: Set<string>): HistoryEntry {
    const prefix = this.node.params.addressPrefix;
    return {
      txid: txid(tx),
      height,
      confirmations,
      time,
      received,
      sent,
      net: received - sent,
      coinbase: tx.inputs.length === 0,
      memo: new TextDecoder().decode(tx.memo),
      to: tx.outputs.filter((o) => !own.has(bytesToHex(o.publicKey))).map((o) => encodeAddress(o.publicKey, prefix)),
    };
  }

  /** Forgets what was read for the history (the wallet's keys were replaced by a restore). */
  reset(): void {
    this.txCache = new Map();
  }
}
