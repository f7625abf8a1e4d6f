/**
 * @module How many `RTCPeerConnection`s this page may still create. Chromium refuses a new one
 * ("Cannot create so many PeerConnections") while 500 of the page's connections are alive, and a
 * closed connection stays alive until the garbage collector takes it, which may be long after it
 * was closed (crbug.com/41378764; measured here: 500 created and closed in a loop, the 501st
 * throws; after a collection, new ones work again). So the budget counts connections created and
 * not yet collected (a FinalizationRegistry says when one is), and refuses to go past a limit
 * below Chromium's. Callers wait (their retries back off) instead of breaking the page.
 */

/** Chromium's limit on live connections per page. */
export const CHROMIUM_CONNECTION_LIMIT = 500;

export interface ConnectionBudgetSnapshot {
  /** Connections created since the page loaded. */
  readonly created: number;
  /** Created and not yet collected (closed ones included until the collector takes them). */
  readonly live: number;
  /** `live` may not reach this. */
  readonly limit: number;
}

/** What deciding whether to make a link needs: the page's budget, or a node worker's copy of it (remote-links.ts). */
export interface ConnectionBudgetView {
  /** True when one more connection may be created now. */
  canCreate(): boolean;
  snapshot(): ConnectionBudgetSnapshot;
}

export class ConnectionBudget implements ConnectionBudgetView {
  private created = 0;
  private live = 0;
  private readonly registry: FinalizationRegistry<null> | null;
  private readonly listeners = new Set<() => void>();

  /**
   * @param limit live connections allowed; the default keeps 100 in reserve below Chromium's 500.
   * @param Registry how collection is observed (tests give their own).
   */
  constructor(
    readonly limit = CHROMIUM_CONNECTION_LIMIT - 100,
    Registry: typeof FinalizationRegistry | undefined = globalThis.FinalizationRegistry,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, not ${limit}`);
    this.registry = typeof Registry === 'function' ? new Registry<null>(() => {
            this.live--;
            this.changed();
          }) : null;
  }

  /** True when one more connection may be created now. */
  canCreate(): boolean {
    return this.live < this.limit;
  }

  /**
   * Counts a connection just created. Without a FinalizationRegistry (old engines) nothing is
   * ever known collected, so the budget is the lifetime count: stricter, never wrong.
   */
  track(connection: object): void {
    this.created++;
    this.live++;
    this.registry?.register(connection, null);
    this.changed();
  }

  /** Calls `listener` whenever a connection is counted or known collected; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  snapshot(): ConnectionBudgetSnapshot {
    return { created: this.created, live: this.live, limit: this.limit };
  }
}

/** The page's one budget: every link of every connector counts against the same browser limit. */
export const pageConnectionBudget = new ConnectionBudget();
