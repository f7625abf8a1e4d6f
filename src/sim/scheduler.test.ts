import { describe, expect, it } from 'vitest';
import { Scheduler } from './scheduler.ts';

describe('Scheduler', () => {
  it('behavior: runs events by time, and events due at the same time in the order they were scheduled', async () => {
    const s = new Scheduler();
    const seen: string[] = [];
    s.at(30, () => seen.push('c@30'));
    s.at(10, () => seen.push('a@10'));
    s.at(20, () => seen.push('b1@20'));
    s.at(20, () => seen.push('b2@20'));
    s.at(10, () => seen.push('a2@10'));
    await s.runUntil(100);
    expect(seen).toEqual(['a@10', 'a2@10', 'b1@20', 'b2@20', 'c@30']);
    expect(s.now).toBe(100);
    expect(s.executed).toBe(5);
  });

  it('behavior: an event scheduled in the past runs now, after what is already due now', async () => {
    const s = new Scheduler();
    const seen: [string, number][] = [];
    s.at(50, () => {
      s.at(10, () => seen.push(['late', s.now]));
      seen.push(['first', s.now]);
    });
    s.at(50, () => seen.push(['second', s.now]));
    await s.runUntil(60);
    expect(seen).toEqual([
      ['first', 50],
      ['second', 50],
      ['late', 50],
    ]);
  });

  it('behavior: the promise chains an event starts finish at its virtual time, before the next event', async () => {
    const s = new Scheduler();
    const seen: string[] = [];
    s.at(5, () => {
      void Promise.resolve()
        .then(() => Promise.resolve())
        .then(() => seen.push(`chain done at ${s.now}`));
    });
    s.at(6, () => seen.push(`next event at ${s.now}`));
    let settled = 0;
    s.onSettled = () => settled++;
    await s.runUntil(10);
    expect(seen).toEqual(['chain done at 5', 'next event at 6']);
    expect(settled).toBe(2);
  });

  it('behavior: a cancelled event does not run; runUntil stops at the bound or when told', async () => {
    const s = new Scheduler();
    const seen: number[] = [];
    const cancel = s.at(1, () => seen.push(1));
    s.at(2, () => seen.push(2));
    s.at(3, () => seen.push(3));
    s.at(50, () => seen.push(50));
    cancel();
    await s.runUntil(10, () => seen.includes(2));
    expect(seen).toEqual([2]);
    await s.runUntil(10);
    expect(seen).toEqual([2, 3]);
    expect(s.now).toBe(10);
    expect(s.pending).toBe(1);
  });

  it('behavior: a thousand events at random times come out sorted (the heap)', async () => {
    const s = new Scheduler();
    const times: number[] = [];
    let x = 12345;
    for (let i = 0; i < 1000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const t = x % 997;
      s.at(t, () => times.push(s.now));
    }
    await s.runUntil(1000);
    expect(times).toHaveLength(1000);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
