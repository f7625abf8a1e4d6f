/**
 * @module The node as the UI sees it: runes fed by `window.tabchain` events, refreshed when the
 * tip or the pool changes. Components read this state and call the API; they hold no logic.
 */
import { formatCoins } from '../core/index.ts';
import type { TabchainApi } from '../app/tabchain-api.ts';

/** One wallet history entry as the UI shows it (amounts in base units, as decimal strings). */
export interface HistoryItem {
  txid: string;
  height: number | null;
  confirmations: number;
  time: number;
  net: string;
  coinbase: boolean;
  memo: string;
}

/** The wallet card shows at most this many history entries. */
export const HISTORY_LIMIT = 20;

/** The mining card's sparkline keeps this many hashrate samples (one a second). */
export const HASHRATE_SAMPLES = 60;

export class NodeState {
  status = $state<'starting' | 'ready' | 'failed'>('starting');
  error = $state<string | null>(null);
  tip = $state<{ height: number; hash: string } | null>(null);
  address = $state('');
  balance = $state({ confirmed: '0', pending: '0', immature: '0' });
  /** Newest first (pending txs, then confirmed ones), at most {@link HISTORY_LIMIT}. */
  history = $state<HistoryItem[]>([]);
  locked = $state(false);
  mining = $state(false);
  hashrate = $state(0);
  workers = $state(0);
  /** Hashrate samples (hashes per second), oldest first, one per second, at most {@link HASHRATE_SAMPLES}. */
  hashrateHistory = $state<number[]>([]);
  /** Blocks this tab's miner found since the page opened ('block-found' events). */
  blocksFound = $state(0);
  /** The tip header's compact target (`bits`), or null before the first refresh. */
  tipBits = $state<number | null>(null);
  slot = $state<number | null>(null);
  storageFull = $state(false);
  lost = $state<string[]>([]);
  /** Another tab upgraded the database: this one must reload. */
  outdated = $state(false);
  busy = $state(false);
  peers = $state<{ id: string; height: number; latencyMs: number | null; state: string }[]>([]);
  signaling = $state('offline');
  peerId = $state('');
  sync = $state<{ done: number; total: number } | null>(null);

  constructor(readonly api: TabchainApi) {
    api.ready().then(
      () => this.start(),
      (e: unknown) => {
        this.status = 'failed';
        this.error = e instanceof Error ? e.message : String(e);
      },
    );
  }

  private async start(): Promise<void> {
    this.api.on('tip', () => void this.refresh());
    this.api.on('tx-accepted', () => void this.refresh());
    this.api.on('storage-full', () => (this.storageFull = true));
    this.api.on('block-found', () => (this.blocksFound += 1));
    this.api.on('sync', (p) => (this.sync = p as { done: number; total: number }));
    this.api.on('signaling', (s) => (this.signaling = (s as { status: string }).status));
    this.api.on('peer-connected', () => void this.refreshPeers());
    this.api.on('peer-disconnected', () => void this.refreshPeers());
    const self = await this.api.self();
    this.peerId = self.peerId;
    this.signaling = self.signaling;
    const storage = await this.api.storage();
    this.slot = storage.slot;
    this.lost = storage.lost;
    this.storageFull = storage.full;
    await this.refresh();
    this.status = 'ready';
    setInterval(() => {
      void this.refreshMiner().then(() => this.sampleHashrate());
      void this.refreshPeers();
      // Locking and unlocking send no event (another tab or the console may do it).
      void this.api.wallet.locked().then((locked) => (this.locked = locked));
    }, 1000);
  }

  private refreshes = 0;

  async refresh(): Promise<void> {
    // Refreshes overlap when blocks and txs arrive quickly: only the latest one is applied.
    const seq = ++this.refreshes;
    const [tip, address, balance, locked, history] = await Promise.all([
      this.api.chain.tip(),
      this.api.wallet.address(),
      this.api.wallet.balance(),
      this.api.wallet.locked(),
      this.api.wallet.history(),
    ]);
    if (seq === this.refreshes) {
      if (tip.hash !== this.tip?.hash) void this.refreshBits(tip.hash);
      this.tip = tip;
      this.address = address;
      this.balance = balance;
      this.locked = locked;
      this.history = (history as HistoryItem[]).slice(0, HISTORY_LIMIT).map((h) => ({
        txid: h.txid,
        height: h.height,
        confirmations: h.confirmations,
        time: h.time,
        net: h.net,
        coinbase: h.coinbase,
        memo: h.memo,
      }));
    }
    await this.refreshMiner();
  }

  private async refreshBits(hash: string): Promise<void> {
    const block = await this.api.chain.block(hash);
    if (block && this.tip?.hash === hash) this.tipBits = Number.parseInt(block.header.bits, 16);
  }

  private sampleHashrate(): void {
    this.hashrateHistory = [...this.hashrateHistory, this.mining ? this.hashrate : 0].slice(-HASHRATE_SAMPLES);
  }

  private async refreshPeers(): Promise<void> {
    this.peers = await this.api.peers();
  }

  private async refreshMiner(): Promise<void> {
    const m = await this.api.miner.status();
    this.mining = m.running;
    this.hashrate = m.hashrate;
    this.workers = m.workers;
  }

  /** Runs a user action, showing its error if it fails. */
  async act(action: () => Promise<unknown>): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      await action();
      await this.refresh();
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      this.busy = false;
    }
  }
}

/** Base units as coins, for display. */
export function coins(units: string): string {
  return formatCoins(BigInt(units));
}
