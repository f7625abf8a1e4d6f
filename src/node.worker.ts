/**
 * The tab's node worker (a composition root, beside main.ts): runs the whole node — chain,
 * mempool, store, wallet, miner pool, network and signaling — off the page's main thread, so
 * validating and storing blocks never freezes the page (issue 15). It answers the page's
 * `window.tabchain` calls (remote-api.ts), sends the events the page subscribed to, and drives the
 * page's WebRTC links through remote links. Messages: app/worker-protocol.ts.
 */
import { networks } from './core/index.ts';
import { startNode } from './app/start-node.ts';
import { createTabchainApi, type TabchainApi } from './app/tabchain-api.ts';
import { methodAt } from './app/api-methods.ts';
import { failureOf } from './app/remote-api.ts';
import { RemoteLinks } from './adapters/net/remote-links.ts';
import { CHROMIUM_CONNECTION_LIMIT } from './adapters/net/connection-budget.ts';
import type { NodeEventName } from './app/node-events.ts';
import type { PageToWorker, StartRequest, WorkerToPage } from './app/worker-protocol.ts';

const scope = self as unknown as { postMessage(message: WorkerToPage): void; onmessage: ((event: MessageEvent<PageToWorker>) => void) | null };
const post = (message: WorkerToPage) => scope.postMessage(message);

const links = new RemoteLinks((command) => post(command), CHROMIUM_CONNECTION_LIMIT - 100);
let persisted = false;
let api: TabchainApi | undefined;
/** The events the page wants, with how to stop each. */
const subscriptions = new Map<string, () => void>();

function start(request: StartRequest): void {
  const params = networks[request.network];
  const services = startNode(
    params,
    {
      signalingUrl: request.signalingUrl,
      ...(request.iceServers ? { iceServers: request.iceServers } : {}),
      ...(request.maxPeers !== undefined ? { maxPeers: request.maxPeers } : {}),
    },
    {
      saved: request.saved,
      saveWorkerCount: (count) => post({ type: 'save-worker-count', count }),
      saveMinerGpu: (on) => post({ type: 'save-miner-gpu', on }),
      saveIceServers: (servers) => post({ type: 'save-ice-servers', servers: servers ? [...servers] : null }),
      setMarker: (key) => post({ type: 'set-marker', key }),
      persisted: () => persisted,
      onVersionChange: () => post({ type: 'version-change' }),
      links,
    },
  );
  services.catch((error: unknown) => post({ type: 'start-failed', failure: failureOf(error) }));
  api = createTabchainApi(request.network, services, { debug: request.debug });
}

async function call(id: number, method: string, args: unknown[]): Promise<void> {
  const fn = api && methodAt(api, method);
  if (!fn) {
    post({ type: 'result', id, ok: false, failure: { kind: 'other', name: 'TypeError', message: `tabchain has no method ${method}` } });
    return;
  }
  try {
    post({ type: 'result', id, ok: true, value: await fn(...args) });
  } catch (error) {
    post({ type: 'result', id, ok: false, failure: failureOf(error) });
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  switch (message.type) {
    case 'start':
      start(message);
      return;
    case 'call':
      void call(message.id, message.method, message.args);
      return;
    case 'subscribe':
      if (!api || subscriptions.has(message.event)) return;
      try {
        subscriptions.set(
          message.event,
          api.on(message.event as NodeEventName, (payload) => post({ type: 'event', event: message.event, payload })),
        );
      } catch {
        // Not an event (the page checks names first): nothing to deliver.
      }
      return;
    case 'unsubscribe':
      subscriptions.get(message.event)?.();
      subscriptions.delete(message.event);
      return;
    case 'budget':
      links.budget.update(message.budget);
      return;
    case 'persisted':
      persisted ||= message.persisted;
      return;
    default:
      links.handle(message);
  }
};

// Last: an exception before this line means the node cannot run at all (node-worker-client.ts).
post({ type: 'loaded' });
