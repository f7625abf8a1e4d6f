/**
 * @module The node's events as `window.tabchain.on` (and the REST node) hands them out: plain
 * JSON payloads, one subscription function for every composition root (a tab, a headless node).
 */
import type { Network, Node } from '../core/index.ts';
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
