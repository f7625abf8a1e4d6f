/**
 * @module The node as the UI sees it: runes fed by `window.tabchain` events, refreshed when the
 * tip or the pool changes. Components read this state and call the API; they hold no logic.
 */
import type { Connectivity, LinkInfo } from '../app/peer-connector.ts';
import { formatCoins } from '../core/index.ts';
import type { TabchainApi, WalletBalanceJson } from '../app/tabchain-api.ts';
import { t } from './i18n/i18n.svelte.ts';
import { Notifications } from './notifications.svelte.ts';

/** One wallet history entry as the UI shows it (amounts in base units, as decimal strings). */
export interface HistoryItem {
  txid: string;
  height: number | null;
  confirmations: number;
  time: number;
  net: string;
  coinbase: boolean;
  memo: string;
  /** The tx spends the wallet's coins: a payment we made (its pending change is ours). */
  own: boolean;
  /** Some peer has it (false: a pending tx still queued in this tab, made offline say). */
  delivered: boolean;
}

/** The wallet card shows this many history entries a page. */
export const HISTORY_PAGE = 20;

/** Hashrate samples kept (one a second): an hour, for the mining chart's longest range. */
export const HASHRATE_SAMPLES = 3600;

/** Reorganizations kept for the explorer, newest first. */
export const REORG_LIMIT = 20;

/** One reorganization: blocks of the old branch disconnected, then the new tip. */
export interface ReorgRecord {
  /** Unix seconds when it happened. */
  time: number;
  /** How many blocks left the active chain. */
  disconnected: number;
  /** Hashes of the disconnected blocks, tip first. */
  oldHashes: string[];
  /** The height of the fork point (the last common block). */
  forkHeight: number;
  newTip: { height: number; hash: string };
}

export interface BanRecord {
  peerId: string;
  until: number;
  reason: string;
}

export class NodeState {
  status = $state<'starting' | 'ready' | 'failed'>('starting');
  error = $state<string | null>(null);
  tip = $state<{ height: number; hash: string } | null>(null);
  address = $state('');
  balance = $state<WalletBalanceJson>({ confirmed: '0', pending: '0', immature: '0', pendingIncoming: '0', pendingChange: '0', available: '0' });
  /** Newest first (pending txs, then confirmed ones); the card pages it, {@link HISTORY_PAGE} at a time. */
  history = $state<HistoryItem[]>([]);
  /** The history has been read once (until then the wallet shows it is loading, not empty). */
  historyLoaded = $state(false);
  locked = $state(false);
  /** This network has a wallet (main has none until the user creates or restores one). */
  walletExists = $state(true);
  /** The wallet's phrase is sealed under a passphrase; null before the first refresh. */
  hasPassphrase = $state<boolean | null>(null);
  mining = $state(false);
  hashrate = $state(0);
  workers = $state(0);
  /** How the miner's workers hash ('webgpu', 'wasm-simd' or 'js'), once one reported while mining. */
  minerKernel = $state<string | undefined>(undefined);
  /** The miner's GPU setting (the first worker searches on the GPU where it has an adapter); null before the first refresh. */
  minerGpu = $state<boolean | null>(null);
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
  peers = $state<LinkInfo[]>([]);
  /** What this tab can reach, read with the peers. */
  connectivity = $state<Connectivity | null>(null);
  signaling = $state('offline');
  /** The signaling server this tab finds peers through (shown, since it chooses whom the tab meets). */
  signalingUrl = $state('');
  peerId = $state('');
  sync = $state<{ done: number; total: number } | null>(null);
  /** Blocks per second the sync is downloading (over the last ten seconds), or null when idle. */
  syncRate = $state<number | null>(null);
  bans = $state<BanRecord[]>([]);
  /** Reorganizations seen since the page opened, newest first. */
  reorgs = $state<ReorgRecord[]>([]);
  storage = $state<{ usage: number | null; quota: number | null; persisted: boolean }>({ usage: null, quota: null, persisted: false });
  readonly notifications = new Notifications();
  /** Unix seconds, updated every second, for ages and "time ago" (one clock for every view). */
  now = $state(Math.floor(Date.now() / 1000));

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
    this.api.on('tip', () => this.requestRefresh());
    this.api.on('tx-accepted', () => this.requestRefresh());
    // A queued payment reached a first peer: its row stops waiting.
    this.api.on('tx-delivered', () => void this.refreshHistory());
    this.api.on('storage-full', () => (this.storageFull = true));
    let burst = 0;
    this.api.on('block-found', (e) => {
      this.blocksFound += 1;
      // Blocks found while the last notice is still up are counted in it.
      burst = this.notifications.showing('block-found') ? burst + 1 : 1;
      const height = e.height;
      this.notifications.push('block-found', burst === 1 ? t('app.notify.blockFound', { height }) : t('app.notify.blocksFound', { count: burst, height }), { replace: true });
    });
    this.api.on('block-disconnected', (e) => this.noteDisconnected(e));
    this.api.on('tip', (tip) => this.noteTip(tip));
    this.api.on('sync', (p) => this.noteSync(p));
    this.api.on('signaling', (s) => (this.signaling = s.status));
    this.api.on('peer-connected', () => void this.refreshPeers());
    this.api.on('peer-disconnected', () => void this.refreshPeers());
    const self = await this.api.self();
    this.peerId = self.peerId;
    this.signaling = self.signaling;
    this.signalingUrl = self.signalingUrl;
    const storage = await this.api.storage();
    this.slot = storage.slot;
    this.lost = storage.lost;
    this.storageFull = storage.full;
    this.storage = { usage: storage.usage, quota: storage.quota, persisted: storage.persisted };
    await this.refresh();
    this.status = 'ready';
    let ticks = 0;
    setInterval(() => {
      ticks += 1;
      this.now = Math.floor(Date.now() / 1000);
      void this.refreshMiner().then(() => this.sampleHashrate());
      void this.refreshPeers();
      void this.api.bans().then((bans) => (this.bans = bans));
      if (ticks % 10 === 0) void this.refreshStorage();
      this.sampleSync();
      // Locking and unlocking send no event (another tab or the console may do it).
      void this.api.wallet.locked().then((locked) => (this.locked = locked));
      void this.api.wallet.hasPassphrase().then((has) => (this.hasPassphrase = has));
    }, 1000);
  }

  private refreshes = 0;
  /** The refresh running on behalf of events, and whether another was asked for meanwhile. */
  private eventRefresh: Promise<void> | null = null;
  private refreshAgain = false;

  /**
   * A refresh for an event: at most one runs at a time, and those asked for while it runs make
   * one more after it. A burst of thousands of relayed txs then costs a few refreshes, not one
   * (each several calls to the node, the history among them) per tx.
   */
  private requestRefresh(): void {
    if (this.eventRefresh) {
      this.refreshAgain = true;
      return;
    }
    this.eventRefresh = this.refresh()
      .catch(() => undefined)
      .finally(() => {
        this.eventRefresh = null;
        if (this.refreshAgain) {
          this.refreshAgain = false;
          this.requestRefresh();
        }
      });
  }

  async refresh(): Promise<void> {
    // Refreshes overlap when blocks and txs arrive quickly: only the latest one is applied.
    const seq = ++this.refreshes;
    const exists = await this.api.wallet.exists();
    const [tip, address, balance, locked, hasPassphrase] = await Promise.all([
      this.api.chain.tip(),
      exists ? this.api.wallet.address() : '',
      this.api.wallet.balance(),
      this.api.wallet.locked(),
      this.api.wallet.hasPassphrase(),
    ]);
    if (seq === this.refreshes) {
      if (tip.hash !== this.tip?.hash) void this.refreshBits(tip.hash);
      this.tip = tip;
      this.walletExists = exists;
      this.address = address;
      this.balance = balance;
      this.locked = locked;
      this.hasPassphrase = hasPassphrase;
    }
    // The history's first scan reads the whole chain (seconds for a long one): it must not hold
    // up the balance and the send form, so it is applied when it arrives.
    void this.refreshHistory();
    await this.refreshMiner();
  }

  private historyRefreshes = 0;

  private async refreshHistory(): Promise<void> {
    const seq = ++this.historyRefreshes;
    const history = await this.api.wallet.history();
    if (seq !== this.historyRefreshes) return;
    const items = history.map((h) => ({
      txid: h.txid,
      height: h.height,
      confirmations: h.confirmations,
      time: h.time,
      net: h.net,
      coinbase: h.coinbase,
      memo: h.memo,
      own: BigInt(h.sent) > 0n,
      delivered: h.delivered,
    }));
    this.noteReceived(items);
    this.history = items;
    this.historyLoaded = true;
  }

  /** Txids in the wallet's history at the last refresh; null before the first one. */
  private seenTxids: Set<string> | null = null;

  /** A new incoming payment (not a coinbase) in the history is a notice. */
  private noteReceived(history: HistoryItem[]): void {
    const first = this.seenTxids === null;
    const seen = this.seenTxids ?? new Set<string>();
    for (const h of history) {
      if (seen.has(h.txid)) continue;
      seen.add(h.txid);
      if (!first && !h.coinbase && BigInt(h.net) > 0n) {
        this.notifications.push('received', t('app.notify.received', { amount: coins(h.net) }));
      }
    }
    this.seenTxids = seen;
  }

  /** Blocks disconnected since the last tip event: a reorg in progress. */
  private pendingDisconnects: { hash: string; height: number }[] = [];

  private noteDisconnected(block: { hash: string; height: number }): void {
    this.pendingDisconnects.push({ hash: block.hash, height: block.height });
  }

  private noteTip(tip: { height: number; hash: string }): void {
    const gone = this.pendingDisconnects;
    if (gone.length === 0) return;
    this.pendingDisconnects = [];
    const forkHeight = Math.min(...gone.map((b) => b.height)) - 1;
    const record: ReorgRecord = {
      time: Math.floor(Date.now() / 1000),
      disconnected: gone.length,
      oldHashes: gone.map((b) => b.hash),
      forkHeight,
      newTip: { height: tip.height, hash: tip.hash },
    };
    this.reorgs = [record, ...this.reorgs].slice(0, REORG_LIMIT);
    this.notifications.push('reorg', t('app.notify.reorg', { count: gone.length, height: tip.height }));
  }

  /** (time in ms, blocks done) of the current sync, for its rate. */
  private syncSamples: { at: number; done: number }[] = [];

  private noteSync(progress: { done: number; total: number }): void {
    this.sync = progress;
    if (progress.done >= progress.total) {
      this.syncSamples = [];
      this.syncRate = null;
    }
  }

  private sampleSync(): void {
    const sync = this.sync;
    if (!sync || sync.done >= sync.total) return;
    const at = Date.now();
    this.syncSamples = [...this.syncSamples, { at, done: sync.done }].filter((s) => at - s.at <= 10_000);
    const oldest = this.syncSamples[0];
    if (oldest && at > oldest.at && sync.done >= oldest.done) this.syncRate = ((sync.done - oldest.done) * 1000) / (at - oldest.at);
  }

  private async refreshStorage(): Promise<void> {
    const storage = await this.api.storage();
    this.storage = { usage: storage.usage, quota: storage.quota, persisted: storage.persisted };
    if (storage.full) this.storageFull = true;
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
    this.connectivity = await this.api.connectivity();
  }

  private async refreshMiner(): Promise<void> {
    const m = await this.api.miner.status();
    this.mining = m.running;
    this.hashrate = m.hashrate;
    this.workers = m.workers;
    this.minerKernel = m.kernel;
    this.minerGpu = m.gpu;
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
