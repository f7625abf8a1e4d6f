/**
 * @module `window.tabchain` in the page while the node runs in its worker: the same
 * {@link TabchainApi}, each method a call to the worker (api-methods.ts lists them). A typed
 * refusal comes back as the same {@link TabchainError}; `params()` and `on()` are answered here:
 * the page keeps the handlers and asks the worker once per event name for its payloads.
 */
import type { NetworkName } from '../core/index.ts';
import { eventName } from './api-input.ts';
import { REMOTE_METHODS, type RemoteMethod } from './api-methods.ts';
import { networkSummary, type TabchainApi } from './tabchain-api.ts';
import { TabchainError } from './tabchain-error.ts';
import type { CallFailure } from './worker-protocol.ts';

/** How the stand-in reaches the node. */
export interface ApiChannel {
  call(method: RemoteMethod, args: unknown[]): Promise<unknown>;
  /** Starts (true) or stops (false) the worker's delivery of an event. */
  subscribe(event: string, wanted: boolean): void;
}

/** The error a failed call rejects with in the page. */
export function failureError(failure: CallFailure): Error {
  if (failure.kind === 'tabchain') return TabchainError.fromJSON(failure.error) ?? new Error(failure.error.message);
  const error = new Error(failure.message);
  error.name = failure.name;
  return error;
}

/** What a failed call is sent back as (worker side). */
export function failureOf(error: unknown): CallFailure {
  const typed = TabchainError.of(error);
  if (typed) return { kind: 'tabchain', error: typed.toJSON() };
  if (error instanceof Error) return { kind: 'other', name: error.name, message: error.message };
  return { kind: 'other', name: 'Error', message: String(error) };
}

export interface RemoteApi {
  readonly api: TabchainApi;
  /** Hands an event's payload from the worker to the page's handlers. */
  deliver(event: string, payload: unknown): void;
}

export function createRemoteApi(network: NetworkName, channel: ApiChannel, options: { debug?: boolean } = {}): RemoteApi {
  const summary = networkSummary(network);
  const handlers = new Map<string, Set<(payload: unknown) => void>>();
  const root: Record<string, unknown> = {
    network,
    params: () => ({ ...summary }),
    on: (event: unknown, handler: unknown) => {
      // Checked here, synchronously, as the in-page API does: the caller's error, not a rejection.
      const name = eventName(event);
      if (typeof handler !== 'function') throw TabchainError.invalidInput('handler', 'the handler must be a function');
      let set = handlers.get(name);
      if (!set) {
        set = new Set();
        handlers.set(name, set);
        channel.subscribe(name, true);
      }
      // One subscription per call, even for the same function twice (as the in-page API).
      const entry = (payload: unknown) => (handler as (payload: unknown) => void)(payload);
      set.add(entry);
      return () => {
        if (!set.delete(entry) || set.size > 0) return;
        handlers.delete(name);
        channel.subscribe(name, false);
      };
    },
  };
  for (const method of REMOTE_METHODS) {
    const [group, name] = method.includes('.') ? method.split('.') : [undefined, method];
    if (group === 'debug' && !options.debug) continue;
    const owner = group === undefined ? root : ((root[group] ??= {}) as Record<string, unknown>);
    owner[name!] = (...args: unknown[]) => channel.call(method, args);
  }
  return {
    api: root as unknown as TabchainApi,
    deliver(event, payload) {
      for (const handler of [...(handlers.get(event) ?? [])]) {
        try {
          handler(payload);
        } catch (error) {
          // A page handler's bug must not keep the other handlers from their event.
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    },
  };
}
