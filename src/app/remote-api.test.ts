/**
 * The page's stand-in for `window.tabchain` (remote-api.ts): the same shape as the in-page API,
 * calls carried through a structured clone as postMessage carries them, typed refusals arriving
 * as the same TabchainError, and events fanned out from one subscription per name.
 */
import { describe, expect, it } from 'vitest';
import { methodAt, REMOTE_METHODS } from './api-methods.ts';
import type { NodeServices } from './assemble-node.ts';
import { createRemoteApi, failureError, failureOf, type ApiChannel } from './remote-api.ts';
import { createTabchainApi, TabchainError, type TabchainApi } from './tabchain-api.ts';

/** Dotted paths of every member of an API object, with each member's kind. */
function shape(api: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(api)) {
    if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value as object)) out[`${key}.${k}`] = typeof v;
    else out[key] = typeof value;
  }
  return out;
}

/** A channel to an in-page API, every value crossing through a structured clone, as to a worker. */
function channelTo(inner: TabchainApi, subscriptions: string[] = []): ApiChannel {
  return {
    async call(method, args) {
      const fn = methodAt(inner, method)!;
      try {
        return structuredClone(await fn(...structuredClone(args)));
      } catch (error) {
        throw failureError(structuredClone(failureOf(error)));
      }
    },
    subscribe: (event, wanted) => subscriptions.push(`${wanted ? '+' : '-'}${event}`),
  };
}

const never = new Promise<NodeServices>(() => {});

describe('the remote tabchain API', () => {
  it('behavior: has every member the in-page API has, of the same kind, with or without debug', () => {
    for (const debug of [false, true]) {
      const local = createTabchainApi('regtest', never, { debug });
      const remote = createRemoteApi('regtest', channelTo(local), { debug }).api;
      expect(shape(remote)).toEqual(shape(local));
      expect(remote.network).toBe('regtest');
      expect(remote.params()).toEqual(local.params());
    }
    const local = createTabchainApi('regtest', never, { debug: true });
    for (const method of REMOTE_METHODS) expect(typeof methodAt(local, method), method).toBe('function');
    expect(methodAt(local, 'on')).toBeUndefined();
    expect(methodAt(local, 'constructor')).toBeUndefined();
  });

  it('behavior: answers cross whole, and a typed refusal arrives as the same TabchainError', async () => {
    const services = { bans: { list: () => [{ peerId: 'ab'.repeat(32), until: 5, reason: 'bad-blk-sig' }] }, connector: { setMaxPeers: () => {} } } as unknown as NodeServices;
    const remote = createRemoteApi('regtest', channelTo(createTabchainApi('regtest', Promise.resolve(services)))).api;
    expect(await remote.bans()).toEqual([{ peerId: 'ab'.repeat(32), until: 5, reason: 'bad-blk-sig' }]);
    const refusal = await remote.setMaxPeers(-1).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(TabchainError);
    expect(refusal).toMatchObject({ name: 'InputError', code: 'invalid-input', field: 'maxPeers' });
    // Anything else (a bug) keeps its name and message.
    const broken = createRemoteApi('regtest', channelTo(createTabchainApi('regtest', Promise.resolve({} as NodeServices)))).api;
    expect(await broken.bans().catch((error: unknown) => error)).toMatchObject({ name: 'TypeError' });
  });

  it('behavior: one subscription per event name, however many handlers; the last unsubscribe ends it; a throwing handler does not starve the others', async () => {
    const subscriptions: string[] = [];
    const remote = createRemoteApi('regtest', channelTo(createTabchainApi('regtest', never), subscriptions));
    const seen: unknown[] = [];
    const off1 = remote.api.on('tip', (tip) => seen.push(['1', tip.height]));
    remote.api.on('tip', () => {
      throw new Error('a page bug');
    });
    const off3 = remote.api.on('tip', (tip) => seen.push(['3', tip.height]));
    expect(subscriptions).toEqual(['+tip']);
    const uncaught: unknown[] = [];
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (fn) => original(() => {
      try {
        fn();
      } catch (error) {
        uncaught.push(error);
      }
    });
    try {
      remote.deliver('tip', { height: 4, hash: 'x', work: '5' });
      await Promise.resolve();
    } finally {
      globalThis.queueMicrotask = original;
    }
    expect(seen).toEqual([['1', 4], ['3', 4]]);
    expect(uncaught).toHaveLength(1);
    off1();
    off3();
    off1();
    expect(subscriptions).toEqual(['+tip']);
  });

  it('error: an unknown event or a handler that is not a function is refused at once', () => {
    const remote = createRemoteApi('regtest', channelTo(createTabchainApi('regtest', never))).api;
    expect(() => remote.on('nonsense' as never, () => {})).toThrow(TabchainError);
    expect(() => remote.on('tip', 'x' as never)).toThrow(expect.objectContaining({ field: 'handler' }));
  });
});
