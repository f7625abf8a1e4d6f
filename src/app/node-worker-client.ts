/**
 * @module Starts this tab's node in its own dedicated worker (src/node.worker.ts) and gives the
 * page `window.tabchain` for it (remote-api.ts). The page keeps what only a window has: the
 * WebRTC links (link-host.ts), the settings in localStorage (page-settings.ts) and the request
 * that the browser keep the data (`navigator.storage.persist()`).
 */
import type { NetworkName } from '../core/index.ts';
import { LinkHost } from '../adapters/net/link-host.ts';
import type { LinkCommand } from '../adapters/net/link-messages.ts';
import { createRemoteApi, failureError } from './remote-api.ts';
import type { TabchainApi } from './tabchain-api.ts';
import type { CallFailure, PageToWorker, WorkerToPage } from './worker-protocol.ts';
import { markers, saveIceServers, saveMinerGpu, savedMinerGpu, savedWorkerCount, saveWorkerCount, setMarker } from './page-settings.ts';

/**
 * The worker's script URL. A worker is governed by the Content-Security-Policy its own script
 * came with, not the page's: when the page uses another signaling server (an allowed `?signal=`),
 * the script is asked for with the same `?signal=`, so the server's policy for it lets the
 * worker's WebSocket reach that server as the page's policy would (security-headers.ts). Without
 * one it is the plain URL the offline cache holds.
 */
export function nodeWorkerScript(base: string, signalingUrl: string, pageUrl: string): URL {
  const url = new URL(base, pageUrl);
  const page = new URL(pageUrl);
  const own = `${page.protocol === 'https:' ? 'wss:' : 'ws:'}//${page.host}`;
  let origin: string;
  try {
    const signal = new URL(signalingUrl);
    origin = `${signal.protocol}//${signal.host}`;
  } catch {
    return url;
  }
  if (origin !== own) url.searchParams.set('signal', signalingUrl);
  return url;
}

export interface NodeWorkerOptions {
  /** The node worker's script (main.ts: `import … from './node.worker.ts?worker&url'`). */
  readonly workerUrl: string;
  readonly network: NetworkName;
  /** ws:// URL of the signaling endpoint. */
  readonly signalingUrl: string;
  readonly iceServers?: RTCIceServer[];
  readonly maxPeers?: number;
  readonly debug?: boolean;
  /** Another tab opened a newer version of the database: this one must reload. */
  readonly onVersionChange?: () => void;
}

export function startNodeWorker(options: NodeWorkerOptions): TabchainApi {
  const worker = new Worker(nodeWorkerScript(options.workerUrl, options.signalingUrl, location.href), { type: 'module', name: 'tabchain-node' });
  const send = (message: PageToWorker, transfer: Transferable[] = []) => worker.postMessage(message, transfer);
  const calls = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextCall = 1;
  /** Set when the node could not start (or its worker died): every call fails with it. */
  let failed: CallFailure | undefined;
  /** The worker's script ran to its end (its last statement says so). */
  let loaded = false;

  const remote = createRemoteApi(
    options.network,
    {
      call(method, args) {
        if (failed) return Promise.reject(failureError(failed));
        const id = nextCall++;
        return new Promise((resolve, reject) => {
          calls.set(id, { resolve, reject });
          try {
            send({ type: 'call', id, method, args });
          } catch (error) {
            // An argument that cannot cross to the worker (a function, a DOM node).
            calls.delete(id);
            reject(new TypeError(`tabchain.${method}: an argument cannot be passed to the node (${error instanceof Error ? error.message : String(error)})`));
          }
        });
      },
      subscribe: (event, wanted) => send({ type: wanted ? 'subscribe' : 'unsubscribe', event }),
    },
    options.debug ? { debug: true } : {},
  );

  const links = new LinkHost({
    post: (event, transfer) => send(event, transfer),
    postBudget: (budget) => send({ type: 'budget', budget }),
  });

  const fail = (failure: CallFailure) => {
    failed ??= failure;
    for (const { reject } of calls.values()) reject(failureError(failure));
    calls.clear();
  };

  worker.onmessage = (event: MessageEvent<WorkerToPage>) => {
    const message = event.data;
    switch (message.type) {
      case 'result': {
        const pending = calls.get(message.id);
        calls.delete(message.id);
        if (message.ok) pending?.resolve(message.value);
        else pending?.reject(failureError(message.failure));
        return;
      }
      case 'event':
        remote.deliver(message.event, message.payload);
        return;
      case 'save-worker-count':
        saveWorkerCount(message.count);
        return;
      case 'save-miner-gpu':
        saveMinerGpu(message.on);
        return;
      case 'save-ice-servers':
        saveIceServers(message.servers);
        return;
      case 'set-marker':
        setMarker(message.key);
        return;
      case 'version-change':
        options.onVersionChange?.();
        return;
      case 'start-failed':
        fail(message.failure);
        return;
      case 'loaded':
        loaded = true;
        return;
      default:
        links.handle(message satisfies LinkCommand);
    }
  };
  // Once loaded, an ErrorEvent is an exception the worker did not catch (it runs on and the
  // console shows it). Before that, or a plain Event (its script could not be fetched), the
  // worker never got to answer: no node in this tab, and every call says so instead of waiting.
  worker.onerror = (event: Event) => {
    if (loaded && event instanceof ErrorEvent) return;
    links.closeAll();
    const why = event instanceof ErrorEvent && event.message ? event.message : 'its worker failed to load';
    fail({ kind: 'other', name: 'Error', message: `the node could not start: ${why}` });
  };

  const workerCount = savedWorkerCount();
  const minerGpu = savedMinerGpu();
  send({
    type: 'start',
    network: options.network,
    debug: options.debug ?? false,
    signalingUrl: options.signalingUrl,
    ...(options.iceServers ? { iceServers: options.iceServers } : {}),
    ...(options.maxPeers !== undefined ? { maxPeers: options.maxPeers } : {}),
    saved: { ...(workerCount !== undefined ? { workerCount } : {}), ...(minerGpu !== undefined ? { minerGpu } : {}), markers: markers() },
  });

  // Ask the browser to keep the data, without waiting for the answer: Firefox shows a permission
  // prompt and resolves only when the user answers it (the node would never start). The footer
  // shows the answer once it comes; `persisted()` reads the state without prompting anywhere.
  const persisted = (granted: boolean) => send({ type: 'persisted', persisted: granted });
  void navigator.storage?.persisted?.().then(persisted, () => {});
  void navigator.storage?.persist?.().then(persisted, () => {});

  return remote.api;
}
