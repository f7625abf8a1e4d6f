/**
 * @module The node's events as `window.tabchain.on` (and the REST node) hands them out: plain
 * JSON payloads, one subscription function for every composition root (a tab, a headless node),
 * and the two sources both roots wire alike: the signaling status and "storage full".
 */
import type { Network, Node } from '../core/index.ts';
import type { SignalingStatus } from '../adapters/net/signaling-client.ts';
import { StorageFullError } from '../adapters/storage-errors.ts';
import { blockJson, mempoolEntryJson } from './json.ts';

type Handler = (payload: unknown) => void;

export interface EventSources {
  readonly node: Node;
  readonly network: Network;
  /** Handlers of the signaling status (the composition root calls them). */
  readonly statusHandlers: Set<Handler>;
  /** Handlers of "storage full" (the composition root calls them). */
  readonly fullHandlers: Set<Handler>;
}

/** Subscribes `handler` to `event`; returns the unsubscribe function. Throws on an unknown event. */
export function subscribeNodeEvents(sources: EventSources, event: string, handler: Handler): () => void {
  const { node, network, statusHandlers, fullHandlers } = sources;
  const p = node.params;
  switch (event) {
    case 'tip':
      return node.on('tip', (t) => handler({ height: t.height, hash: t.hash, work: t.chainWork.toString() }));
    case 'block-connected':
    case 'block-disconnected':
      return node.on(event, (e) => handler(blockJson(e.block, { hash: e.hash, height: e.height, active: event === 'block-connected', tipHeight: node.tip.height }, p)));
    case 'tx-accepted':
      return node.on('tx-accepted', (e) => handler(mempoolEntryJson(e, p)));
    case 'block-found':
      return node.on('block-found', (e) => handler({ ...e }));
    case 'peer-connected':
      return network.on('peer-connected', (peer) => handler({ ...peer }));
    case 'peer-disconnected':
      return network.on('peer-disconnected', (peer) => handler({ ...peer }));
    case 'sync':
      return network.on('sync', (progress) => handler({ ...progress }));
    case 'tx-delivered':
      return network.on('tx-delivered', (e) => handler({ ...e }));
    case 'signaling':
      statusHandlers.add(handler);
      return () => statusHandlers.delete(handler);
    case 'storage-full':
      fullHandlers.add(handler);
      return () => fullHandlers.delete(handler);
    default:
      throw new TypeError(`unknown event ${JSON.stringify(event)}`);
  }
}

/** The signaling socket's status: `onStatus` goes to the peer connector, which reports each change. */
export function watchSignaling(): { status(): SignalingStatus; onStatus(status: SignalingStatus): void; readonly handlers: Set<Handler> } {
  let current: SignalingStatus = 'offline';
  const handlers = new Set<Handler>();
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
export function watchStorageFull(node: Node): { isFull(): boolean; readonly handlers: Set<Handler> } {
  let full = false;
  const handlers = new Set<Handler>();
  node.on('error', ({ error }) => {
    if (error instanceof StorageFullError && !full) {
      full = true;
      node.stopMining();
      for (const h of handlers) h({ message: error.message });
    }
  });
  return { isFull: () => full, handlers };
}
