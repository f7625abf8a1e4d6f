/**
 * @module The nodes registered through `/nodes/register` (each one a signaling server of the
 * peer connector) and kept across restarts in a {@link NodeListStore}, and the state
 * `/nodes/resolve` reports from: whether the chain was replaced since the last resolve.
 */
import type { TabchainApi } from '../../app/tabchain-api.ts';
import { badField } from './http-error.ts';
import { nodeUrlOfSignal, signalUrlOfNode } from './node-url.ts';
import { MAX_NODES } from './schemas.ts';

/** What the REST layer needs of the peer connector (`services.connector`). */
export interface SignalingServers {
  addSignalingServer(url: string): boolean;
  /** When missing, `DELETE /nodes` forgets nodes but stays connected to them until a restart. */
  removeSignalingServer?(url: string): boolean;
  signalingServers(): { url: string; status: string; peers: number }[];
}

/** Where the registered nodes are kept across restarts (node URLs). */
export interface NodeListStore {
  load(): Promise<string[]>;
  /** Resolves once the list is durably stored. */
  save(nodes: string[]): Promise<void>;
}

export interface NodeRegistryOptions {
  readonly connector: SignalingServers;
  /** Default: memory only. */
  readonly store?: NodeListStore | undefined;
  /** This node's own URLs: never registered (its own `/signal` never either). */
  readonly ownUrls?: readonly string[] | undefined;
  /** A line about something that is not a request's fault (a stored node that cannot be read back). */
  readonly onWarning?: ((line: string) => void) | undefined;
}

type ParsedNode = { node: string; signal: string };

export class NodeRegistry {
  /** Resolves once the stored nodes were added back; never rejects. */
  readonly ready: Promise<void>;
  // The registered nodes' signal URLs: those added through the API or read back from the store.
  // `--signal` servers are the connector's but not in here, so they are not stored.
  private readonly registered = new Set<string>();
  private readonly ownSignals = new Set<string>();
  private work: Promise<unknown> = Promise.resolve();
  private coinbasesSince = new Set<string>();
  private disconnected = false;
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly options: NodeRegistryOptions,
    api: Pick<TabchainApi, 'on'>,
  ) {
    for (const [i, url] of (options.ownUrls ?? []).entries()) {
      try {
        this.ownSignals.add(signalUrlOfNode(url, i).signal);
      } catch {
        // Not a usable URL: nobody can register it anyway.
      }
    }
    this.ready = this.restore();
    // `/nodes/resolve` says whether the chain was replaced: this node syncs by itself as soon as
    // it links, so the replacement may have happened before the call. Blocks connected since the
    // last resolve whose coinbase pays someone else (not this wallet), or any block disconnected, count.
    this.unsubscribe = [
      api.on('block-connected', (payload) => {
        const address = payload.txs[0]?.outputs[0]?.address;
        if (address !== undefined && this.coinbasesSince.size < 10_000) this.coinbasesSince.add(address);
      }),
      api.on('block-disconnected', () => {
        this.disconnected = true;
      }),
    ];
  }

  /** Every registered node (and `--signal` one), as `http(s)://host:port`. */
  list(): string[] {
    return this.options.connector
      .signalingServers()
      .slice(1)
      .map((s) => nodeUrlOfSignal(s.url));
  }

  /** The `nodes` list of a `/nodes/register` or `DELETE /nodes` body, every entry checked. */
  static parse(list: unknown): ParsedNode[] {
    if (!Array.isArray(list) || list.length === 0) throw badField('nodes', 'Please supply a valid list of nodes', 'bad-nodes');
    if (list.length > MAX_NODES) throw badField('nodes', `at most ${MAX_NODES} nodes at once`, 'bad-nodes');
    return list.map((entry, i) => signalUrlOfNode(entry, i));
  }

  /** Adds the nodes (stored first, so a node registered once comes back after a restart). */
  async register(parsed: ParsedNode[]): Promise<{ message: string; total_nodes: string[] }> {
    await this.ready;
    const own = [...new Set(parsed.filter((p) => this.isOwn(p.signal)).map((p) => p.node))];
    const wanted = [...new Set(parsed.filter((p) => !this.isOwn(p.signal)).map((p) => p.signal))];
    const { connector, store } = this.options;
    return this.serial(async () => {
      const known = new Set(connector.signalingServers().map((s) => s.url));
      const fresh = wanted.filter((url) => !known.has(url));
      if (known.size - 1 + fresh.length > MAX_NODES) throw badField('nodes', `this node keeps at most ${MAX_NODES} registered nodes`, 'too-many-nodes');
      const next = new Set([...this.registered, ...wanted]);
      if (store && next.size !== this.registered.size) await store.save([...next].map(nodeUrlOfSignal));
      for (const url of wanted) this.registered.add(url);
      for (const url of fresh) connector.addSignalingServer(url);
      const skipped = own.length > 0 ? ` (skipped ${own.join(', ')}: that is this node itself)` : '';
      const message = wanted.length > 0 ? `New nodes have been added${skipped}` : `No nodes were added${skipped}`;
      return { message, total_nodes: this.list() };
    });
  }

  /** Forgets the nodes (stored first) and stops finding peers through them. */
  async forget(parsed: ParsedNode[]): Promise<{ message: string; removed: string[]; total_nodes: string[] }> {
    await this.ready;
    const targets = [...new Set(parsed.map((p) => p.signal))];
    const { connector, store } = this.options;
    return this.serial(async () => {
      const servers = connector.signalingServers().map((s) => s.url);
      const present = targets.filter((url) => servers.indexOf(url) > 0);
      const absent = targets.filter((url) => servers.indexOf(url) <= 0 && !this.registered.has(url));
      const notStored = present.filter((url) => !this.registered.has(url));
      const next = new Set([...this.registered].filter((url) => !targets.includes(url)));
      if (store && next.size !== this.registered.size) await store.save([...next].map(nodeUrlOfSignal));
      for (const url of targets) this.registered.delete(url);
      const canRemove = typeof connector.removeSignalingServer === 'function';
      if (canRemove) for (const url of present) connector.removeSignalingServer!(url);
      const removed = targets.filter((url) => !absent.includes(url)).map(nodeUrlOfSignal);
      const notes = [
        ...(!canRemove && present.length > 0 ? ['this node stays connected to them until it restarts'] : []),
        ...(notStored.length > 0 ? [`${notStored.map(nodeUrlOfSignal).join(', ')} came from the command line (--signal) and comes back when the node starts with it again`] : []),
        ...(absent.length > 0 ? [`not registered: ${absent.map(nodeUrlOfSignal).join(', ')}`] : []),
      ];
      const message = `${removed.length > 0 ? 'Nodes have been removed' : 'No nodes were removed'}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
      return { message, removed, total_nodes: this.list() };
    });
  }

  /**
   * Whether the active chain took blocks mined by others (coinbases not paying `ownAddresses`)
   * or dropped blocks since the previous call; starts counting afresh.
   */
  takeReplaced(ownAddresses: readonly string[]): boolean {
    const own = new Set(ownAddresses);
    const replaced = this.disconnected || [...this.coinbasesSince].some((a) => !own.has(a));
    this.coinbasesSince = new Set();
    this.disconnected = false;
    return replaced;
  }

  /** Stops listening to the node's events. */
  close(): void {
    for (const off of this.unsubscribe) off();
  }

  private isOwn(signal: string): boolean {
    return this.ownSignals.has(signal) || this.options.connector.signalingServers()[0]?.url === signal;
  }

  /** Runs register/forget calls one at a time, so each stored list includes the previous one's. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.work.then(work);
    this.work = run.catch(() => undefined);
    return run;
  }

  private async restore(): Promise<void> {
    const { store, connector, onWarning } = this.options;
    if (!store) return;
    let saved: string[];
    try {
      saved = await store.load();
    } catch (error) {
      onWarning?.(`the registered nodes could not be read back: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    for (const [i, text] of saved.slice(0, MAX_NODES).entries()) {
      try {
        const { signal } = signalUrlOfNode(text, i);
        if (this.isOwn(signal)) continue;
        this.registered.add(signal);
        connector.addSignalingServer(signal);
      } catch (error) {
        onWarning?.(`a stored node is skipped: ${(error as Error).message}`);
      }
    }
  }
}
