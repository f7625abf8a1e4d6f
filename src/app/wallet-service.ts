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

interface ScannedTx {
  readonly tx: Transaction;
  readonly height: number;
  readonly time: number;
  readonly received: bigint;
  readonly sent: bigint;
}

export class WalletService {
  /** Our outputs ever seen on the active chain, by outpoint (to recognise our spends). */
  private ours = new Map<OutpointKey, bigint>();
  private scanned: { height: number; hash: string }[] = [];
  private history_: ScannedTx[] = [];
  /** Public keys (hex) of ours that received on the active chain or in the pool. */
  private usedKeys = new Set<string>();
  private scanning: Promise<unknown> = Promise.resolve();

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
    for (const entry of mempool.sorted()) {
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

  /** Sent and received txs, newest first, pending ones on top. */
  async history(): Promise<HistoryEntry[]> {
    // One scan at a time: two interleaved scans would both record the same blocks.
    const scan = this.scanning.then(() => this.scan());
    this.scanning = scan.catch(() => undefined);
    await scan;
    const mine = this.ownKeys();
    for (const pool of this.node.mempool.sorted()) {
      for (const o of pool.tx.outputs) if (mine.has(bytesToHex(o.publicKey))) this.usedKeys.add(bytesToHex(o.publicKey));
    }
    await this.keys.skipUsed(this.usedKeys);
    const tipHeight = this.node.tip.height;
    const own = this.ownKeys();
    const entries: HistoryEntry[] = [];
    for (const pool of this.node.mempool.sorted()) {
      const { received, sent } = this.measure(pool.tx, own, false);
      if (received === 0n && sent === 0n) continue;
      entries.push(this.entry(pool.tx, null, 0, pool.time, received, sent, own));
    }
    entries.sort((a, b) => b.time - a.time);
    for (let i = this.history_.length - 1; i >= 0; i--) {
      const s = this.history_[i]!;
      entries.push(this.entry(s.tx, s.height, tipHeight - s.height + 1, s.time, s.received, s.sent, own));
    }
    return entries;
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

  /** What a tx gives to and takes from the wallet; records our outputs when `record`. */
  private measure(tx: Transaction, own: Set<string>, record: boolean): { received: bigint; sent: bigint } {
    let sent = 0n;
    for (const input of tx.inputs) sent += this.ours.get(outpointKey(input.prevTxid, input.vout)) ?? 0n;
    let received = 0n;
    const id = txid(tx);
    tx.outputs.forEach((output, vout) => {
      const key = bytesToHex(output.publicKey);
      if (!own.has(key)) return;
      received += output.amount;
      if (record) {
        this.ours.set(`${id}:${vout}`, output.amount);
        this.usedKeys.add(key);
      }
    });
    return { received, sent };
  }

  /**
   * Brings the history up to the tip, reading only blocks not scanned yet. After a reorg it
   * rescans from the fork point.
   */
  private async scan(): Promise<void> {
    const chain = this.node.chain;
    let from = this.scanned.length;
    while (from > 0 && chain.entryAt(from - 1)?.hash !== this.scanned[from - 1]!.hash) from--;
    if (from < this.scanned.length) {
      // A reorg: start again (our-output bookkeeping is cheap to rebuild; deep reorgs are rare).
      this.scanned = [];
      this.history_ = [];
      this.ours = new Map();
      from = 0;
    }
    const own = this.ownKeys();
    for (let h = Math.max(from, 1); h <= chain.height; h++) {
      const entry = chain.entryAt(h)!;
      const block: Block | undefined = await chain.getBlock(entry.hash);
      if (!block) break;
      for (const tx of block.txs) {
        const { received, sent } = this.measure(tx, own, true);
        if (received > 0n || sent > 0n) this.history_.push({ tx, height: h, time: block.header.time, received, sent });
      }
      this.scanned[h] = { height: h, hash: entry.hash };
    }
    this.scanned[0] = { height: 0, hash: chain.entryAt(0)!.hash };
  }

  /** Forgets the scanned history (the wallet's keys were replaced by a restore). */
  reset(): void {
    this.scanned = [];
    this.history_ = [];
    this.ours = new Map();
  }
}
