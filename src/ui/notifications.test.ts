import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Notifications } from './notifications.svelte.ts';

describe('notifications', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('behavior: notices expire, can be dismissed, and at most four stay on screen', () => {
    const n = new Notifications();
    for (let i = 0; i < 6; i++) n.push('received', `r${i}`);
    expect(n.items.map((x) => x.text)).toEqual(['r2', 'r3', 'r4', 'r5']);
    n.dismiss(n.items[0]!.id);
    expect(n.items).toHaveLength(3);
    vi.advanceTimersByTime(8000);
    expect(n.items).toEqual([]);
  });

  it('behavior: a replacing notice takes the place of the earlier one of its kind', () => {
    const n = new Notifications();
    n.push('reorg', 'reorg');
    n.push('block-found', 'one', { replace: true });
    vi.advanceTimersByTime(5000);
    n.push('block-found', 'two', { replace: true });
    expect(n.items.map((x) => x.text)).toEqual(['reorg', 'two']);
    expect(n.showing('block-found')).toBe(true);
    // The replacement has its own full time on screen.
    vi.advanceTimersByTime(5000);
    expect(n.items.map((x) => x.text)).toEqual(['two']);
    vi.advanceTimersByTime(3000);
    expect(n.showing('block-found')).toBe(false);
  });
});
