/**
 * @module The simulator's virtual clock: a discrete-event scheduler. Events are kept in a binary
 * heap keyed by (time, sequence), so events due at the same virtual time run in the order they
 * were scheduled: a run is deterministic. Nothing waits in real time.
 *
 * The core's stores and the in-process signature verifier answer through promises, so after each
 * event the scheduler lets the microtask queue drain (one `setImmediate` turn runs every microtask
 * queued before it): all work an event causes happens at that event's virtual time, before the
 * next event starts.
 */

interface Entry {
  readonly time: number;
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

/** A min-heap of entries by (time, seq). */
class EventHeap {
  private readonly items: Entry[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Entry | undefined {
    return this.items[0];
  }

  push(entry: Entry): void {
    const items = this.items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): Entry | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let least = i;
        if (l < items.length && before(items[l]!, items[least]!)) least = l;
        if (r < items.length && before(items[r]!, items[least]!)) least = r;
        if (least === i) break;
        [items[i], items[least]] = [items[least]!, items[i]!];
        i = least;
      }
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

const drainMicrotasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Scheduler {
  private readonly heap = new EventHeap();
  private seq = 0;
  private current = 0;
  /** Events run so far. */
  executed = 0;
  /** Called after each event once its microtasks have drained (the host runner settles its bill). */
  onSettled: (() => void) | undefined;

  /** Virtual time in milliseconds since the simulation started. */
  get now(): number {
    return this.current;
  }

  /** Runs `fn` at virtual time `time` (ms; never before now). Returns a cancel function. */
  at(time: number, fn: () => void): () => void {
    const entry: Entry = { time: Math.max(time, this.current), seq: this.seq++, run: fn, cancelled: false };
    this.heap.push(entry);
    return () => {
      entry.cancelled = true;
    };
  }

  /** Runs `fn` `delay` ms from now. */
  after(delay: number, fn: () => void): () => void {
    return this.at(this.current + Math.max(0, delay), fn);
  }

  /** How many events wait (cancelled ones included until they come up). */
  get pending(): number {
    return this.heap.size;
  }

  /**
   * Runs events in order until none is due at or before `until` (ms), or `stop()` says so; the
   * clock ends at `until` (or where it stopped). Microtasks are drained after every event.
   */
  async runUntil(until: number, stop: () => boolean = () => false): Promise<void> {
    for (;;) {
      const next = this.heap.peek();
      if (!next || next.time > until || stop()) break;
      this.heap.pop();
      if (next.cancelled) continue;
      this.current = next.time;
      next.run();
      this.executed++;
      await drainMicrotasks();
      this.onSettled?.();
    }
    if (!stop()) this.current = Math.max(this.current, until);
  }
}
