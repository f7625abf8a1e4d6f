/**
 * @module `window.tabchain`: the node of this tab for automation and power users, the
 * browser-native counterpart of the tutorials' REST endpoints (`/mine`, `/transactions/new`,
 * `/chain`). Amounts cross this boundary as decimal strings of base units; everything returned is
 * plain JSON, typed (results, and each event's payload in {@link TabchainEvents}); an expected
 * refusal, bad input from the caller included (an InputError), is a {@link TabchainError} whose
 * `code` callers narrow on. Every method waits for the node to be ready. Nothing here needs the
 * page's main thread (settings are kept through the platform's port), so the node and this API can
 * move into a Worker. Documented in the README.
 */
import { AddressError, networks, WalletError, bytesToHex, decodeAddress, splitMessage, hexToBytes, parseAmount, type NetworkName, type NetworkParams } from '../core/index.ts';
import { addressBalance, addressHistory, blockDetail, chainTips, headers, mempoolDetail, txDetail, type AddressHistoryJson, type BlockDetailJson, type ChainTipJson, type MempoolEntryDetailJson, type TxStatusJson } from './chain-queries.ts';
import type { HeaderJson } from './json.ts';
import type { NodeServices, StorageStatus } from './assemble-node.ts';
import type { HistoryEntry } from './wallet-service.ts';
import type { WalletBackup } from './wallet-keys.ts';
import type { NodeEventHandler, NodeEventName, NodeEventPayloads, TipJson } from './node-events.ts';
import { TabchainError } from './tabchain-error.ts';
import type { Connectivity, LinkInfo } from './peer-connector.ts';
import { parseIceServerList } from './ice-server-list.ts';
import { eventName, peerId as checkPeerId, wholeNumber } from './api-input.ts';
import { submitHexBlocks, type SubmitBlockOutcomeJson } from './submit-blocks.ts';
import { submitHexTxs, type SubmitTxOutcomeJson } from './submit-txs.ts';

export type { SubmitBlockOutcomeJson } from './submit-blocks.ts';
export type { SubmitTxOutcomeJson } from './submit-txs.ts';
export { TabchainError, type InputErrorCode, type TabchainErrorCode, type TabchainErrorCodes, type TabchainErrorJson, type TabchainErrorName } from './tabchain-error.ts';
export type { MempoolEntryDetailJson } from './chain-queries.ts';
export type { StorageStatus } from './assemble-node.ts';
export type { TipJson } from './node-events.ts';

/** Every event's payload by name (`tabchain.on(name, handler)`). */
export type TabchainEvents = NodeEventPayloads;
export type TabchainEventName = NodeEventName;

/** A wallet history entry as `wallet.history()` gives it: amounts as decimal strings of base units. */
export type HistoryEntryJson = Omit<HistoryEntry, 'received' | 'sent' | 'net'> & {
  received: string;
  sent: string;
  net: string;
  /** False for a pending tx no peer has yet (a payment made offline is queued, not sent). */
  delivered: boolean;
};

/** The wallet's balance in base units (decimal strings): see `wallet.balance()`. */
export interface WalletBalanceJson {
  confirmed: string;
  pending: string;
  immature: string;
  pendingIncoming: string;
  pendingChange: string;
  available: string;
}

/** What a script needs to know of the network (the full parameters stay inside the core). */
export interface NetworkSummary {
  readonly name: NetworkName;
  /** Seconds the difficulty rule aims for between blocks. */
  readonly targetSpacing: number;
  /** Blocks after which a coinbase output may be spent. */
  readonly coinbaseMaturity: number;
  /** The bech32m prefix of this network's addresses. */
  readonly addressPrefix: string;
}

export interface TabchainApi {
  readonly network: NetworkName;
  /** This network's name, block spacing, coinbase maturity and address prefix (known without the node). */
  params(): NetworkSummary;
  ready(): Promise<void>;
  wallet: {
    address(): Promise<string>;
    newAddress(): Promise<string>;
    addresses(): Promise<string[]>;
    /**
     * Confirmed (spendable now), pending (= pendingIncoming + pendingChange), immature; pendingIncoming
     * is unconfirmed coins from others (they wait for a block), pendingChange the change of our own
     * unconfirmed payments, available = confirmed + pendingChange (what a payment may spend).
     */
    balance(): Promise<WalletBalanceJson>;
    history(): Promise<HistoryEntryJson[]>;
    locked(): Promise<boolean>;
    /** The recovery phrase is sealed under a passphrase (so the wallet can be locked). */
    hasPassphrase(): Promise<boolean>;
    /** This network has a wallet (main has none until `create`, `restore` or `importBackup`). */
    exists(): Promise<boolean>;
    /** A new wallet sealed under `passphrase` (`null`: unencrypted, test network only). */
    create(passphrase: string | null): Promise<void>;
    /** A new passphrase (`null` removes it, test network only); `current` when it has one. */
    setPassphrase(passphrase: string | null, current?: string): Promise<void>;
    lock(): Promise<void>;
    unlock(passphrase: string): Promise<void>;
    /** The recovery phrase; the wallet's passphrase is asked again when it has one. */
    backupPhrase(passphrase?: string): Promise<string>;
    restore(phrase: string, options?: { keys?: number; replace?: boolean; passphrase?: string }): Promise<void>;
    exportBackup(passphrase: string): Promise<WalletBackup>;
    importBackup(backup: unknown, passphrase: string, options?: { replace?: boolean; passphrase?: string }): Promise<void>;
  };
  send(request: { to: string; amount: string; fee?: string; feeRate?: string; memo?: string }): Promise<{ txid: string; fee: string }>;
  mine(n?: number): Promise<string[]>;
  miner: {
    /**
     * `workers` and `gpu` are remembered: `gpu` true has the first worker search on the GPU where
     * its `navigator.gpu` gives an adapter (off unless set).
     */
    start(options?: { workers?: number; gpu?: boolean }): Promise<void>;
    stop(): Promise<void>;
    /**
     * `kernel`: how the workers hash ('webgpu' when one searches on the GPU, 'wasm-simd', or 'js'
     * where WebAssembly SIMD is missing or refused), once one reported; `gpu` the setting.
     */
    status(): Promise<{ running: boolean; workers: number; hashrate: number; perWorker: number[]; kernel?: string; gpu: boolean }>;
  };
  chain: {
    tip(): Promise<TipJson>;
    /**
     * A block by active-chain height or by hash (any branch), or null. Inputs carry the amount and
     * address of the output they spend, txs their fee (null for a coinbase); `nextHash` is the
     * next block of the active chain.
     */
    block(hashOrHeight: string | number): Promise<BlockDetailJson | null>;
    /** A pool or active-chain tx with its inputs resolved, its fee and its time, or null. */
    tx(txid: string): Promise<TxStatusJson | null>;
    /**
     * Active-chain headers from `fromHeight` up (at most `count` ≤ 500; fewer at the tip), lowest
     * first, from memory. `details` adds `txCount` and `size` (one store read per block).
     * An InputError for anything but whole numbers in range.
     */
    headers(fromHeight: number, count: number, options?: { details?: boolean }): Promise<HeaderJson[]>;
    /** Leaves of the block tree and the active tip, highest first (bitcoind's getchaintips). */
    tips(): Promise<ChainTipJson[]>;
    /**
     * Txs paying to or spending from any address, pool ones first, then newest first: at most
     * `limit` (default 50, ≤ 500), none deeper than `maxBlocks` below the tip when given. From the
     * address index (one range read, no block read). `complete` says nothing was left out.
     */
    addressHistory(address: string, options?: { limit?: number; maxBlocks?: number }): Promise<AddressHistoryJson>;
    /**
     * Validates and connects raw blocks (canonical encoding, hex), all in one store write, like
     * bitcoind's `submitblock`. Malformed hex or bytes give a `bad-encoding` outcome.
     */
    submitBlocks(hexes: string[]): Promise<SubmitBlockOutcomeJson[]>;
    /** What this node's chain says an address holds (any address, not only the wallet's). */
    address(address: string): Promise<{ address: string; confirmed: string; immature: string; coins: number }>;
    /** Rebuilds the coin set from the stored blocks and compares it with the stored one. */
    verify(): Promise<{ ok: boolean; height: number; tip: string; coins: number; problems: string[] }>;
  };
  /**
   * Pool txs, highest fee rate first: each tx's JSON with `fee`, `feeRate`, `time` and `paid` (what
   * it pays: outputs not back to its inputs' keys, nor to this wallet's when it sent it; null when
   * an input is unknown).
   */
  mempool(): Promise<MempoolEntryDetailJson[]>;
  /**
   * Offers raw txs (canonical encoding, hex) to the pool, like bitcoind's `sendrawtransaction`:
   * validated, relayed once accepted, kept in the pool as a relayed tx is (not stored across
   * restarts). One outcome per tx, in order; malformed hex or bytes give `bad-encoding`.
   */
  submitTxs(hexes: string[]): Promise<SubmitTxOutcomeJson[]>;
  /**
   * Links to other tabs: `state` is connecting (WebRTC), handshaking or ready; `path` and
   * `remotePath` the selected candidate pair's types (host: on the LAN, srflx/prflx: through NAT,
   * relay: through TURN), `route` the same in words, `rttMs` the pair's round-trip time.
   */
  peers(): Promise<LinkInfo[]>;
  /** What this tab can reach (direct links, only relayed ones, a relay needed or refused) and its connection budget. */
  connectivity(): Promise<Connectivity>;
  /** The user's own ICE servers (null: those the signaling server hands out are used). */
  iceServers(): Promise<RTCIceServer[] | null>;
  /**
   * Sets the user's own ICE servers for new links and keeps them in this browser: lines of
   * `URL [username credential]` or a JSON array of RTCIceServer; null or '' goes back to the
   * signaling server's. An `IceServerListError` (code and line) for a malformed list.
   */
  setIceServers(list: string | null): Promise<RTCIceServer[] | null>;
  /** Syncs with every peer now (the tutorials' `/nodes/resolve`). */
  resolve(): Promise<{ replaced: boolean; tip: { height: number; hash: string } }>;
  disconnect(peerId?: string): Promise<void>;
  ban(peerId: string): Promise<void>;
  unban(peerId: string): Promise<void>;
  /** How many peers this tab links to at most (default 8; also `?maxPeers=` in the URL). */
  setMaxPeers(n: number): Promise<void>;
  bans(): Promise<{ peerId: string; until: number; reason: string }[]>;
  /** This tab's peer id, the signaling server's status and URL. */
  self(): Promise<{ peerId: string; signaling: string; signalingUrl: string; maxPeers: number }>;
  storage(): Promise<StorageStatus>;
  /**
   * Only with `?debug` in the URL: plays a misbehaving peer in tests. `sendRaw` puts bytes on a
   * link as one data-channel send; `sendMessage` frames a message (hex of its encoding) in chunks.
   */
  debug?: {
    sendRaw(peerId: string, hex: string): Promise<boolean>;
    sendMessage(peerId: string, hex: string): Promise<boolean>;
  };
  /** Calls `handler` with each `event`'s payload (see {@link TabchainEvents}); returns the unsubscribe function. */
  on<E extends TabchainEventName>(event: E, handler: NodeEventHandler<E>): () => void;
}

/**
 * A typed refusal as a {@link TabchainError} (plain `name`, `code`, `message` for page scripts,
 * and a class typed callers narrow on); other errors as they are.
 */
function apiError(error: unknown): Error {
  return TabchainError.of(error) ?? (error instanceof Error ? error : new Error(String(error)));
}

/** The key an address pays to; a WalletError (`bad-address`, `wrong-network`) otherwise. */
function keyOfAddress(address: string, params: NetworkParams): Uint8Array {
  try {
    return decodeAddress(address, params.addressPrefix);
  } catch (error) {
    if (error instanceof AddressError) throw new WalletError(error.code === 'wrong-network' ? 'wrong-network' : 'bad-address', error.message, error.code);
    throw error;
  }
}

function optionalAmount(text: string | undefined): bigint | undefined {
  return text === undefined ? undefined : parseAmount(text);
}

/** Mining pays the wallet's receive key: main has none until a wallet is created or restored. */
function requireWallet(s: NodeServices): void {
  if (!s.keys.exists) throw new WalletError('no-wallet', `there is no wallet on the ${s.node.params.name} network yet to pay mined coins to: create or restore one first`);
}

/** This wallet's public keys (hex), so what it pays is told from its change (chain-queries.ts). */
function walletKeysOf(s: NodeServices): Set<string> {
  return new Set(s.keys?.exists ? s.keys.publicKeys().map(bytesToHex) : []);
}

/** What `tabchain.params()` answers: known from the network's name alone, without the node. */
export function networkSummary(network: NetworkName): NetworkSummary {
  const { targetSpacing, coinbaseMaturity, addressPrefix } = networks[network];
  return Object.freeze({ name: network, targetSpacing, coinbaseMaturity, addressPrefix });
}

export function createTabchainApi(network: NetworkName, services: Promise<NodeServices>, options: { debug?: boolean } = {}): TabchainApi {
  const use = async <T>(fn: (s: NodeServices) => T | Promise<T>): Promise<T> => {
    const s = await services;
    try {
      return await fn(s);
    } catch (error) {
      throw apiError(error);
    }
  };

  const debug = {
    sendRaw: (peerId: string, hex: string) => use((s) => s.connector.sendRaw(peerId, hexToBytes(hex))),
    sendMessage: (peerId: string, hex: string) =>
      use((s) => splitMessage(hexToBytes(hex), 0x7fffffff).every((chunk) => s.connector.sendRaw(peerId, chunk))),
  };
  const summary = networkSummary(network);
  return {
    network,
    params: () => ({ ...summary }),
    ...(options.debug ? { debug } : {}),
    ready: () => use(() => undefined),
    wallet: {
      address: () => use((s) => s.keys.address()),
      newAddress: () => use((s) => s.keys.newAddress()),
      addresses: () => use((s) => s.keys.addresses()),
      balance: () =>
        use(async (s) => {
          const b = await s.wallet.balance();
          return {
            confirmed: b.confirmed.toString(),
            pending: b.pending.toString(),
            immature: b.immature.toString(),
            pendingIncoming: b.pendingIncoming.toString(),
            pendingChange: b.pendingChange.toString(),
            available: b.available.toString(),
          };
        }),
      history: () =>
        use(async (s) =>
          (await s.wallet.history()).map((h) => ({
            ...h,
            received: h.received.toString(),
            sent: h.sent.toString(),
            net: h.net.toString(),
            // A pending tx no peer has yet is queued here (made offline, say); a mined one went out.
            delivered: h.height !== null || s.network.delivered(h.txid),
          })),
        ),
      locked: () => use((s) => s.keys.locked),
      hasPassphrase: () => use((s) => s.keys.hasPassphrase),
      exists: () => use((s) => s.keys.exists),
      create: (passphrase) =>
        use(async (s) => {
          await s.keys.create(passphrase);
          s.wallet.reset();
        }),
      setPassphrase: (passphrase, current) => use((s) => s.keys.setPassphrase(passphrase, current)),
      lock: () => use((s) => s.keys.lock()),
      unlock: (passphrase) => use((s) => s.keys.unlock(passphrase)),
      backupPhrase: (passphrase) => use((s) => s.keys.backupPhrase(passphrase)),
      restore: (phrase, options) =>
        use(async (s) => {
          await s.keys.restore(phrase, options);
          s.wallet.reset();
        }),
      exportBackup: (passphrase) => use((s) => s.keys.exportBackup(passphrase)),
      importBackup: (backup, passphrase, options) =>
        use(async (s) => {
          await s.keys.importBackup(backup as never, passphrase, options);
          s.wallet.reset();
        }),
    },
    send: (request) =>
      use(async (s) => {
        if (typeof request !== 'object' || request === null) throw TabchainError.invalidInput('request', 'send takes { to, amount, fee?, feeRate?, memo? }');
        const fee = optionalAmount(request.fee);
        const feeRate = optionalAmount(request.feeRate);
        const result = await s.wallet.send({
          to: request.to,
          amount: parseAmount(request.amount, s.node.params.maxMoney),
          ...(fee !== undefined ? { fee } : {}),
          ...(feeRate !== undefined ? { feeRate } : {}),
          ...(request.memo !== undefined ? { memo: request.memo } : {}),
        });
        return { txid: result.txid, fee: result.fee.toString() };
      }),
    mine: (n = 1) =>
      use((s) => {
        wholeNumber(n, 'n', 1);
        requireWallet(s);
        return s.node.mine(n, s.miner.workerCount());
      }),
    miner: {
      start: (options = {}) =>
        use((s) => {
          requireWallet(s);
          if (options.workers !== undefined) s.miner.setWorkerCount(wholeNumber(options.workers, 'workers', 1, 64));
          if (options.gpu !== undefined) {
            if (typeof options.gpu !== 'boolean') throw TabchainError.invalidInput('gpu', 'gpu is true or false');
            s.miner.useGpu(options.gpu);
          }
          s.node.startMining(options.workers ?? s.miner.workerCount());
        }),
      stop: () => use((s) => s.node.stopMining()),
      status: () =>
        use((s) => {
          const st = s.node.minerStatus();
          return { running: st.running, workers: st.workers, hashrate: st.hashrate, perWorker: [...st.perWorker], ...(st.kernel ? { kernel: st.kernel } : {}), gpu: s.miner.usesGpu() };
        }),
    },
    chain: {
      tip: () =>
        use((s) => {
          const tip = s.node.tip;
          return { height: tip.height, hash: tip.hash, work: tip.chainWork.toString() };
        }),
      block: (hashOrHeight) => use((s) => blockDetail(s.node, hashOrHeight)),
      tx: (id) => use((s) => txDetail(s.node, id, walletKeysOf(s))),
      headers: (fromHeight, count, options = {}) => use((s) => headers(s.node, fromHeight, count, options)),
      tips: () => use((s) => chainTips(s.node)),
      addressHistory: (address, options = {}) => use((s) => addressHistory(s.node, address, keyOfAddress(address, s.node.params), options)),
      submitBlocks: (hexes) => use((s) => submitHexBlocks(s.node, hexes)),
      address: (address) => use((s) => addressBalance(s.node, address, keyOfAddress(address, s.node.params))),
      verify: () =>
        use(async (s) => {
          const check = await s.node.chain.verifyCoins();
          return { ...check, problems: [...check.problems] };
        }),
    },
    mempool: () => use((s) => mempoolDetail(s.node, walletKeysOf(s))),
    submitTxs: (hexes) => use((s) => submitHexTxs(s.node, hexes)),
    storage: () => use((s) => s.storageStatus()),
    peers: () => use((s) => s.connector.linkInfo().map((l) => ({ ...l }))),
    connectivity: () => use((s) => ({ ...s.connector.connectivity() })),
    iceServers: () => use((s) => s.connector.userIceServerList()),
    setIceServers: (list) =>
      use((s) => {
        if (list !== null && typeof list !== 'string') throw TabchainError.invalidInput('list', 'the list is text (or null)');
        const servers = list === null || list.trim() === '' ? null : parseIceServerList(list);
        // Kept by the platform (a tab's localStorage): the API itself touches no page global.
        s.settings.saveIceServers(servers);
        s.connector.setIceServers(servers);
        return servers;
      }),
    resolve: () => use((s) => s.network.resolve()),
    disconnect: (peerId) => use((s) => s.connector.disconnect(peerId)),
    ban: (peerId) =>
      use(async (s) => {
        checkPeerId(peerId);
        await s.network.ban(peerId);
        s.connector.disconnect(peerId);
      }),
    setMaxPeers: (n) =>
      use((s) => {
        s.connector.setMaxPeers(wholeNumber(n, 'maxPeers', 0, 64));
      }),
    unban: (peerId) =>
      use(async (s) => {
        await s.bans.unban(peerId);
        s.connector.forgetRetry(peerId);
      }),
    bans: () => use((s) => s.bans.list().map((b) => ({ ...b }))),
    self: () => use((s) => ({ peerId: s.identity.peerId, signaling: s.signalingStatus(), signalingUrl: s.connector.signalingServers()[0]?.url ?? '', maxPeers: s.connector.maxPeerCount })),
    on: (event, handler) => {
      // Checked here, synchronously: an unknown event must be the caller's error, not a
      // rejection no one awaits.
      eventName(event);
      if (typeof handler !== 'function') throw TabchainError.invalidInput('handler', 'the handler must be a function');
      let off: (() => void) | undefined;
      let cancelled = false;
      void services.then((s) => {
        if (!cancelled) off = s.subscribe(event, handler);
      });
      return () => {
        cancelled = true;
        off?.();
      };
    },
  };
}

