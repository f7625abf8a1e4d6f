import { describe, expect, it } from 'vitest';
import { MemoryChainStore, MemoryPendingTxStore, Node, WalletError, regtestParams, type WalletErrorCode } from '../core/index.ts';
import { ManualClock } from '../core/testing/chain-builder.ts';
import type { NodeServices } from './assemble-node.ts';
import { IceServerListError } from './ice-server-list.ts';
import { createTabchainApi } from './tabchain-api.ts';
import { TabchainError, type TabchainErrorCode } from './tabchain-error.ts';
import { rejection } from '../core/testing/rejection.ts';

describe('TabchainError', () => {
  it('behavior: an API refusal is a TabchainError whose name and code a typed caller narrows on, with the plain fields page scripts read', async () => {
    const node = await Node.open({ params: regtestParams, chainStore: new MemoryChainStore(), pendingStore: new MemoryPendingTxStore(), clock: new ManualClock(regtestParams.genesis.header.time + 100) });
    const api = createTabchainApi('regtest', Promise.resolve({ node } as unknown as NodeServices));
    const error = await rejection(api.chain.address('tab1notanaddress'));
    expect(TabchainError.is(error, 'WalletError')).toBe(true);
    if (!TabchainError.is(error, 'WalletError')) return;
    // Narrowed by name: `code` is a WalletErrorCode here (the ICE list's codes would not assign).
    const code: WalletErrorCode = error.code;
    expect(code).toBe('bad-address');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('WalletError');
    expect(typeof error.detail).toBe('string');
    // What a page script sees: own data fields, and JSON that names them.
    expect(Object.keys(error)).toEqual(expect.arrayContaining(['name', 'code', 'detail']));
    expect(JSON.parse(JSON.stringify(error))).toEqual({ name: 'WalletError', code: 'bad-address', message: error.message, detail: error.detail });
  });

  it('behavior: survives a structured clone (a postMessage from a worker) through toJSON and fromJSON', () => {
    const cases = [
      new TabchainError({ name: 'WalletError', code: 'insufficient-funds', message: 'not enough' }),
      new TabchainError({ name: 'WalletError', code: 'bad-address', message: 'typo', detail: 'bad-checksum' }),
      new TabchainError({ name: 'IceServerListError', code: 'bad-url', message: 'line 2: not a URL', line: 2 }),
      TabchainError.invalidInput('count', 'count must be a whole number from 0 to 500'),
    ];
    for (const original of cases) {
      const revived = TabchainError.fromJSON(structuredClone(original.toJSON()));
      expect(revived).toBeInstanceOf(TabchainError);
      expect(revived?.toJSON()).toEqual(original.toJSON());
      expect(revived?.message).toBe(original.message);
    }
  });

  it('behavior: fromJSON refuses what is not one of its errors; of() converts only the typed refusals', () => {
    for (const value of [null, 'WalletError', { name: 'TypeError', code: 'x', message: 'm' }, { name: 'WalletError', message: 'no code' }, { name: 'IceServerListError', code: 'bad-url', message: 'no line' }, { name: 'InputError', code: 'invalid-input', message: 'no field' }, { name: 'InputError', code: 'x', message: 'm', field: 'f' }]) {
      expect(TabchainError.fromJSON(value)).toBeNull();
    }
    const wallet = TabchainError.of(new WalletError('fee-too-low', 'too low'));
    expect(wallet?.toJSON()).toEqual({ name: 'WalletError', code: 'fee-too-low', message: 'too low' });
    const ice = TabchainError.of(new IceServerListError('too-many', 0, 'at most 8'));
    expect(ice?.toJSON()).toEqual({ name: 'IceServerListError', code: 'too-many', message: 'at most 8', line: 0 });
    expect(TabchainError.of(new RangeError('out of range'))).toBeNull();
    const codes: TabchainErrorCode[] = [wallet!.code, ice!.code];
    expect(codes).toEqual(['fee-too-low', 'too-many']);
  });
});
