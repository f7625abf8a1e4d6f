import { describe, expect, it } from 'vitest';
import { AUTO_LOCK_KEY, DEFAULT_AUTO_LOCK_SECONDS, autoLockSeconds, idleTooLong, setAutoLockSeconds } from './auto-lock.ts';

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

describe('auto-lock', () => {
  it('behavior: 15 minutes by default; a chosen time (0 = never) is kept; junk falls back to the default', () => {
    const storage = memoryStorage();
    expect(autoLockSeconds(storage)).toBe(DEFAULT_AUTO_LOCK_SECONDS);
    expect(DEFAULT_AUTO_LOCK_SECONDS).toBe(900);
    setAutoLockSeconds(storage, 300);
    expect(autoLockSeconds(storage)).toBe(300);
    setAutoLockSeconds(storage, 0);
    expect(autoLockSeconds(storage)).toBe(0);
    for (const junk of ['-1', 'abc', '1.5', '99999999']) {
      storage.map.set(AUTO_LOCK_KEY, junk);
      expect(autoLockSeconds(storage), junk).toBe(DEFAULT_AUTO_LOCK_SECONDS);
    }
    expect(autoLockSeconds(undefined)).toBe(DEFAULT_AUTO_LOCK_SECONDS);
    expect(() => setAutoLockSeconds(storage, -5)).toThrow(RangeError);
  });

  it('behavior: idle too long only when a time is set and it has passed', () => {
    expect(idleTooLong(10_000, 0, 10)).toBe(true);
    expect(idleTooLong(9_999, 0, 10)).toBe(false);
    expect(idleTooLong(1e12, 0, 0)).toBe(false);
  });
});
