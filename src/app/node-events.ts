/**
 * @module The node's events as `window.tabchain.on` (and the REST node) hands them out: plain
 * JSON payloads, one subscription function for every composition root (a tab, a headless node),
 * and the two sources both roots wire alike: the signaling status and "storage full".
 */
import type { Network, Node, PeerInfo, SyncProgress } from '../core/index.ts';
import type { SignalingStatus } from '../adapters/net/signaling-client.ts';
import { StorageFullError } from '../adapters/storage-errors.ts';
import { blockJson, mempoolEntryJson, type BlockJson, type MempoolEntryJson } from './json.ts';

/** The active tip as the `tip` event and `chain.tip()` give it; `work` is the chain's total work (decimal). */
export interface TipJson {
  height: number;
  hash: string;
  work: string;
}

/** Every event's payload, by name: what `tabchain.on(name, handler)` hands the handler. */
export interface NodeEventPayloads {
  tip: TipJson;
  'block-connected': BlockJson;
  /** A block of the old branch in a reorganisation (`active` false). */
  'block-disconnected': BlockJson;
  'tx-accepted': MempoolEntryJson;
  /** A block this node mined was accepted. */
  'block-found': { hash: string; height: number };
  'peer-connected': PeerInfo;
  'peer-disconnected': { id: string; reason: string; banned: boolean };
  sync: SyncProgress;
  /** A first peer has this pool tx. */
  'tx-delivered': { txid: string };
  signaling: { status: SignalingStatus };
  /** A write failed for lack of space: mining stopped, no more blocks are taken. */
  'storage-full': { message: string };
}

export type NodeEventName = keyof NodeEventPayloads;

/** Every event name, for checks of untyped callers (the type below keeps it complete). */
export const NODE_EVENT_NAMES = [
  'tip',
  'block-connected',
  'block-disconnected',
  'tx-accepted',
  'block-found',
  'peer-connected',
  'peer-disconnected',
  'sync',
  'tx-delivered',
  'signaling',
  'storage-full',
] as const satisfies readonly NodeEventName[];
// A compile error here means an event of NodeEventPayloads is missing from the list.
const everyEventListed: Exclude<NodeEventName, (typeof NODE_EVENT_NAMES)[number]> extends never ? true : false = true;
void everyEventListed;
export type NodeEventHandler<E extends NodeEventName> = (payload: NodeEventPayloads[E]) => void;

export interface EventSources {
  readonly node: Node;
  readonly network: Network;
  /** Handlers of the signaling status (the composition root calls them). */
  readonly statusHandlers: Set<NodeEventHandler<'signaling'>>;
  /** Handlers of "storage full" (the composition root calls them). */
  readonly fullHandlers: Set<NodeEventHandler<'storage-full'>>;
}

/**
 * Subscribes `handler` to `event`; returns the unsubscribe function. Throws a TypeError on an
 * unknown event (page scripts call it untyped).
 */
export function subscribeNodeEvents<E extends NodeEventName>(sources: EventSources, event: E, handler: NodeEventHandler<E>): () => void {
  const { node, network, statusHandlers, fullHandlers } = sources;
  const p = node.params;
  const blockEvent = (name: 'block-connected' | 'block-disconnected', h: (payload: BlockJson) => void) =>
    node.on(name, (e) => h(blockJson(e.block, { hash: e.hash, height: e.height, active: name === 'block-connected', tipHeight: node.tip.height }, p)));
  const subscribers: { [K in NodeEventName]: (h: NodeEventHandler<K>) => () => void } = {
    tip: (h) => node.on('tip', (t) => h({ height: t.height, hash: t.hash, work: t.chainWork.toString() })),
    'block-connected': (h) => blockEvent('block-connected', h),
    'block-disconnected': (h) => blockEvent('block-disconnected', h),
    'tx-accepted': (h) => node.on('tx-accepted', (e) => h(mempoolEntryJson(e, p))),
    'block-found': (h) => node.on('block-found', (e) => h({ ...e })),
    'peer-connected': (h) => network.on('peer-connected', (peer) => h({ ...peer })),
    'peer-disconnected': (h) => network.on('peer-disconnected', (peer) => h({ ...peer })),
    sync: (h) => network.on('sync', (progress) => h({ ...progress })),
    'tx-delivered': (h) => network.on('tx-delivered', (e) => h({ ...e })),
    signaling: (h) => {
      statusHandlers.add(h);
      return () => statusHandlers.delete(h);
    },
    'storage-full': (h) => {
      fullHandlers.add(h);
      return () => fullHandlers.delete(h);
    },
  };
  if (!Object.hasOwn(subscribers, event)) throw new TypeError(`unknown event ${JSON.stringify(event)}`);
  return subscribers[event](handler);
}

/** The signaling socket's status: `onStatus` goes to the peer connector, which reports each change. */
export function watchSignaling(): { status(): SignalingStatus; onStatus(status: SignalingStatus): void; readonly handlers: Set<NodeEventHandler<'signaling'>> } {
  let current: SignalingStatus = 'offline';
  const handlers = new Set<NodeEventHandler<'signaling'>>();
  return {
    status: () => current,
    onStatus: (status) => {
      current = status;
      for (const h of handlers) h({ status });
    },
    handlers,
  };
}

/**
 * "Storage full": the first StorageFullError the node reports stops mining and is told to the
 * handlers; the node stays consistent but takes no more blocks.
 */
export function watchStorageFull(node: Node): { isFull(): boolean; readonly handlers: Set<NodeEventHandler<'storage-full'>> } {
  let full = false;
  const handlers = new Set<NodeEventHandler<'storage-full'>>();
  node.on('error', ({ error }) => {
    if (error instanceof StorageFullError && !full) {
      full = true;
      node.stopMining();
      for (const h of handlers) h({ message: error.message });
    }
  });
  return { isFull: () => full, handlers };
}
