/**
 * @module The messages between a tab's page and its node worker (src/node.worker.ts). The node —
 * chain, mempool, store, wallet, network and signaling — runs in a dedicated worker so that
 * validating and storing blocks never blocks the page; the page keeps the UI and what only a
 * window has: `RTCPeerConnection` (not exposed in workers), localStorage (settings) and
 * `navigator.storage.persist()`. Everything crossing is structured-cloneable; chunks of link data
 * travel as transferred buffers (no copy).
 */
import type { NetworkName } from '../core/index.ts';
import type { ConnectionBudgetSnapshot } from '../adapters/net/connection-budget.ts';
import type { LinkCommand, LinkEvent } from '../adapters/net/link-messages.ts';
import type { TabchainErrorJson } from './tabchain-error.ts';

/** What the node needs from the page to start. */
export interface StartRequest {
  readonly type: 'start';
  readonly network: NetworkName;
  readonly debug: boolean;
  readonly signalingUrl: string;
  readonly iceServers?: RTCIceServer[];
  readonly maxPeers?: number;
  /** The page's localStorage settings, read once (a worker has no localStorage). */
  readonly saved: { readonly workerCount?: number; readonly minerGpu?: boolean; readonly markers: Record<string, boolean> };
}

/** A call of a `window.tabchain` method, by its dotted path ('wallet.balance'). */
export interface CallRequest {
  readonly type: 'call';
  readonly id: number;
  readonly method: string;
  readonly args: unknown[];
}

/** The page wants (or no longer wants) an event's payloads. */
export interface SubscribeRequest {
  readonly type: 'subscribe' | 'unsubscribe';
  readonly event: string;
}

/** Everything the page sends the worker. */
export type PageToWorker =
  | StartRequest
  | CallRequest
  | SubscribeRequest
  | LinkEvent
  | { readonly type: 'budget'; readonly budget: ConnectionBudgetSnapshot }
  | { readonly type: 'persisted'; readonly persisted: boolean };

/** A failed call: a typed refusal as its JSON, anything else as its name and message. */
export type CallFailure = { readonly kind: 'tabchain'; readonly error: TabchainErrorJson } | { readonly kind: 'other'; readonly name: string; readonly message: string };

/** Everything the worker sends the page. */
export type WorkerToPage =
  | { readonly type: 'result'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'result'; readonly id: number; readonly ok: false; readonly failure: CallFailure }
  | { readonly type: 'event'; readonly event: string; readonly payload: unknown }
  | LinkCommand
  /** Settings the page keeps in localStorage for the next start. */
  | { readonly type: 'save-worker-count'; readonly count: number }
  | { readonly type: 'save-miner-gpu'; readonly on: boolean }
  | { readonly type: 'save-ice-servers'; readonly servers: RTCIceServer[] | null }
  | { readonly type: 'set-marker'; readonly key: string }
  /** Another tab opened a newer version of the database: this one must reload. */
  | { readonly type: 'version-change' }
  /** The worker's script ran to its end: from now on an uncaught exception there is not fatal. */
  | { readonly type: 'loaded' }
  /** Start-up failed: the API's calls fail with this. */
  | { readonly type: 'start-failed'; readonly failure: CallFailure };

