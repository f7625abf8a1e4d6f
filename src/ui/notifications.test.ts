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

  it('behavior: a replacing notice takes the place of the earlier one of its kind, with its own full time', () => {
    const n = new Notifications();
    n.push('reorg', 'reorg');
    n.push('block-found', 'one', { replace: true });
    vi.advanceTimersByTime(3000);
    n.push('block-found', 'two', { replace: true });
    expect(n.items.map((x) => x.text)).toEqual(['reorg', 'two']);
    // Past when "one" would have gone, "two" stays.
    vi.advanceTimersByTime(3500);
    expect(n.items.map((x) => x.text)).toEqual(['reorg', 'two']);
    expect(n.showing('block-found')).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(n.showing('block-found')).toBe(false);
  });

  it('behavior: news goes in a few seconds, a reorganization (it changed what the user saw) stays longer', () => {
    const n = new Notifications();
    n.push('block-found', 'block');
    n.push('received', 'paid');
    n.push('reorg', 'reorg');
    vi.advanceTimersByTime(4000);
    expect(n.items.map((x) => x.text)).toEqual(['paid', 'reorg']);
    vi.advanceTimersByTime(2000);
    expect(n.items.map((x) => x.text)).toEqual(['reorg']);
    vi.advanceTimersByTime(4000);
    expect(n.items).toEqual([]);
  });
});
