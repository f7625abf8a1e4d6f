import { describe, expect, it } from 'vitest';
import { chooseNetwork } from './choose-network.ts';

function memory(): Pick<Storage, 'getItem' | 'setItem'> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('chooseNetwork', () => {
  it('behavior: defaults to main', () => {
    expect(chooseNetwork('', memory())).toBe('main');
  });
  it('behavior: ?network=test is remembered for the tab', () => {
    const s = memory();
    expect(chooseNetwork('?network=test', s)).toBe('test');
    expect(chooseNetwork('', s)).toBe('test');
    expect(chooseNetwork('?network=main', s)).toBe('main');
    expect(chooseNetwork('', s)).toBe('main');
  });
  it('behavior: ?network=regtest picks regtest, which is remembered too', () => {
    const s = memory();
    expect(chooseNetwork('?network=regtest', s)).toBe('regtest');
    expect(chooseNetwork('', s)).toBe('regtest');
  });
  it('error: a name that is an object key but not a network (constructor, __proto__) is unknown', () => {
    expect(chooseNetwork('?network=constructor', memory())).toBe('main');
    expect(chooseNetwork('?network=__proto__', memory())).toBe('main');
  });
  it('error: an unknown network name falls back to the remembered one, then main', () => {
    const s = memory();
    expect(chooseNetwork('?network=mars', s)).toBe('main');
    s.setItem('tabchain-network', 'test');
    expect(chooseNetwork('?network=mars', s)).toBe('test');
  });
  it('behavior: works without storage, or with storage that throws', () => {
    expect(chooseNetwork('?network=test', undefined)).toBe('test');
    const throwing = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); } };
    expect(chooseNetwork('', throwing)).toBe('main');
  });
});
