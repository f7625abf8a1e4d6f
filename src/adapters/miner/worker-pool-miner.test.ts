import { describe, expect, it, vi } from 'vitest';
import {
  checkProofOfWork,
  decodeHeader,
  encodeHeader,
  headerMidstate,
  searchNonces,
  sha256,
  validTarget,
  type BlockHeader,
  type MinerPort,
} from '../../core/index.ts';
import type { MinerRequest, MinerResponse, WorkMessage } from './miner-messages.ts';
import { serveMiner, type MinerScope } from './miner.worker.ts';
import { createSimdNonceSearch } from './simd-nonce-search.ts';
import { WorkerPoolMiner, defaultWorkerCount, nonceRanges, type MinerWorker } from './worker-pool-miner.ts';

const EASY = 0x207fffff;
const utf8 = (s: string) => new TextEncoder().encode(s);

function template(seed: string, bits = EASY): BlockHeader {
  return { version: 1, prevHash: sha256(utf8(`prev ${seed}`)), merkleRoot: sha256(utf8(`merkle ${seed}`)), time: 1_700_000_000, bits, nonce: 0 };
}

const event = <T>(data: T) => ({ data }) as MessageEvent<T>;

/**
 * A worker that runs core's searchNonces synchronously when it gets work (at most `scanLimit`
 * nonces of its range; past that it declares the range exhausted, which is what a real worker
 * would do at a target nothing meets). Its answers wait in an outbox until the test delivers
 * them, as a real worker's messages wait in the event loop.
 */
class FakeWorker implements MinerWorker {
  onmessage: ((event: MessageEvent<MinerResponse>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  readonly received: MinerRequest[] = [];
  readonly outbox: MinerResponse[] = [];
  terminated = false;

  constructor(private readonly scanLimit: number) {}

  postMessage(message: MinerRequest): void {
    if (this.terminated) throw new Error('posted to a terminated worker');
    this.received.push(message);
    if (message.type !== 'work') return;
    const header = message.header.slice();
    const count = Math.min(this.scanLimit, message.endNonce - message.startNonce + 1);
    const result = searchNonces(header, headerMidstate(header), BigInt(message.target), message.startNonce, count);
    this.outbox.push({ type: 'progress', jobId: message.jobId, hashes: Math.floor(result.hashes / 2), kernel: 'js' });
    this.outbox.push(
      result.nonce === undefined
        ? { type: 'exhausted', jobId: message.jobId, hashes: result.hashes, kernel: 'js' }
        : { type: 'found', jobId: message.jobId, nonce: result.nonce, hashes: result.hashes, kernel: 'js' },
    );
  }

  terminate(): void {
    this.terminated = true;
  }

  /** Delivers queued answers (all, or the first `n`). */
  deliver(n = this.outbox.length): void {
    for (const message of this.outbox.splice(0, n)) this.emit(message);
  }

  /** Delivers a message as if this worker had posted it. */
  emit(message: MinerResponse): void {
    if (!this.terminated) this.onmessage?.(event(message));
  }

  get works(): WorkMessage[] {
    return this.received.filter((m): m is WorkMessage => m.type === 'work');
  }

  get lastWork(): WorkMessage {
    return this.works.at(-1)!;
  }
}

function pool(options: { scanLimit?: number; now?: () => number; later?: (fn: () => void, ms: number) => void } = {}) {
  const workers: FakeWorker[] = [];
  const miner = new WorkerPoolMiner({
    ...(options.later ? { later: options.later } : {}),
    createWorker: () => {
      const w = new FakeWorker(options.scanLimit ?? 1000);
      workers.push(w);
      return w;
    },
    workers: 3,
    ...(options.now ? { now: options.now } : {}),
  });
  const found: Uint8Array[] = [];
  let exhausted = 0;
  const errors: unknown[] = [];
  miner.onFound((h) => found.push(h));
  miner.onExhausted(() => exhausted++);
  miner.onError((e) => errors.push(e));
  const live = () => workers.filter((w) => !w.terminated);
  return { miner, workers, live, found, errors, exhausted: () => exhausted };
}

/** Checks that inclusive ranges cover 0..2^32-1 exactly once, in order. */
function expectPartition(ranges: readonly { start: number; end: number }[]): void {
  let next = 0;
  for (const { start, end } of ranges) {
    expect(start).toBe(next);
    expect(end).toBeGreaterThanOrEqual(start);
    next = end + 1;
  }
  expect(next).toBe(2 ** 32);
}

describe('WorkerPoolMiner', () => {
  it('behavior: fits the node\'s miner port', () => {
    const port: MinerPort = new WorkerPoolMiner({ createWorker: () => new FakeWorker(1) });
    expect(port.status()).toEqual({ running: false, workers: 0, hashrate: 0, perWorker: [] });
  });

  it('behavior: the default worker count is all cores but one, at least one', () => {
    try {
      vi.stubGlobal('navigator', { hardwareConcurrency: 8 });
      expect(defaultWorkerCount()).toBe(7);
      vi.stubGlobal('navigator', { hardwareConcurrency: 1 });
      expect(defaultWorkerCount()).toBe(1);
      vi.stubGlobal('navigator', {});
      expect(defaultWorkerCount()).toBe(1);
      vi.stubGlobal('navigator', undefined);
      expect(defaultWorkerCount()).toBe(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('behavior: nonce ranges partition 0..2^32-1 without overlap for any worker count', () => {
    for (const n of [1, 2, 3, 5, 7, 8, 12, 31, 64, 1000]) {
      const ranges = nonceRanges(n);
      expect(ranges).toHaveLength(n);
      expectPartition(ranges);
    }
  });

  it('behavior: ranges follow weights (hashrates) when all are positive, each worker at least one nonce; else they are equal', () => {
    expectPartition(nonceRanges(3, [1000, 1, 1]));
    const weighted = nonceRanges(3, [998, 1, 1]);
    expect(weighted[0]!.end - weighted[0]!.start + 1).toBe(Math.floor((998 * 2 ** 32) / 1000));
    const extreme = nonceRanges(4, [1e30, 1, 1, 1]);
    expectPartition(extreme);
    expect(extreme.slice(1).map((r) => r.end - r.start + 1)).toEqual([1, 1, 1]);
    for (const weights of [[1, 0, 1], [1, 2], [Number.NaN, 1, 1]]) expect(nonceRanges(3, weights)).toEqual(nonceRanges(3));
  });

  it('behavior: with the GPU on, the first worker is asked to search on it, and ranges follow the rates it reports', () => {
    let t = 0;
    const { miner, live } = pool({ now: () => t });
    miner.setTemplate(encodeHeader(template('gpu')), 1n);
    miner.start(3);
    expect(live().map((w) => w.lastWork.gpu)).toEqual([undefined, undefined, undefined]);
    miner.setGpu(true);
    expect(live().map((w) => w.lastWork.gpu)).toEqual([true, undefined, undefined]);
    // The GPU worker reports 100 times the others' hashes: the next split gives it ~100/102.
    const [gpu, ...cpus] = live();
    t = 1000;
    gpu!.emit({ type: 'progress', jobId: gpu!.lastWork.jobId, hashes: 100_000_000, kernel: 'webgpu' });
    for (const w of cpus) w.emit({ type: 'progress', jobId: w.lastWork.jobId, hashes: 1_000_000, kernel: 'wasm-simd' });
    expect(miner.status().kernel).toBe('webgpu');
    miner.setTemplate(encodeHeader(template('gpu 2')), 1n);
    const works = live().map((w) => w.lastWork);
    expectPartition(works.map((w) => ({ start: w.startNonce, end: w.endNonce })));
    expect((works[0]!.endNonce + 1) / 2 ** 32).toBeCloseTo(100 / 102, 3);
    expect(works.map((w) => w.gpu)).toEqual([true, undefined, undefined]);
    miner.setGpu(false);
    expect(live().map((w) => w.lastWork.gpu)).toEqual([undefined, undefined, undefined]);
    expect(live()[0]!.lastWork.endNonce).toBe(nonceRanges(3)[0]!.end);
  });

  it('behavior: start sends each worker its own part of the nonce space, all for the same job and template', () => {
    const { miner, live } = pool();
    const header = encodeHeader(template('a'));
    miner.setTemplate(header, 12345n);
    expect(live()).toHaveLength(0);
    miner.start(5);
    expect(live()).toHaveLength(5);
    const works = live().map((w) => w.lastWork);
    expectPartition(works.map((w) => ({ start: w.startNonce, end: w.endNonce })));
    expect(new Set(works.map((w) => w.jobId)).size).toBe(1);
    for (const w of works) {
      expect(w.header).toEqual(header);
      expect(w.target).toBe('12345');
    }
  });

  it('behavior: reports the first hit as the template with the winning nonce, and stops the other workers', () => {
    const { miner, live, found, exhausted } = pool();
    const t = template('b');
    miner.setTemplate(encodeHeader(t), validTarget(EASY)!);
    miner.start(3);
    const [w0, w1, w2] = live() as [FakeWorker, FakeWorker, FakeWorker];
    w1.deliver();
    expect(found).toHaveLength(1);
    const header = decodeHeader(found[0]!);
    expect({ ...header, nonce: 0 }).toEqual(t);
    const enc = encodeHeader(t);
    expect(header.nonce).toBe(searchNonces(enc, headerMidstate(enc), validTarget(EASY)!, w1.lastWork.startNonce, 1000).nonce);
    expect(checkProofOfWork(header)).toBe(true);
    expect(w0.received.at(-1)).toEqual({ type: 'stop' });
    expect(w2.received.at(-1)).toEqual({ type: 'stop' });
    // Later hits of the same job are not reported again, and a solved job never runs out.
    w0.deliver();
    w2.deliver();
    expect(found).toHaveLength(1);
    expect(exhausted()).toBe(0);
  });

  it('behavior: a new template gets a new job id and results of older templates are ignored', () => {
    const { miner, live, found, exhausted } = pool();
    const a = template('old');
    const b = template('new');
    miner.setTemplate(encodeHeader(a), validTarget(EASY)!);
    miner.start(2);
    const oldJob = live()[0]!.lastWork.jobId;
    miner.setTemplate(encodeHeader(b), validTarget(EASY)!);
    const newJob = live()[0]!.lastWork.jobId;
    expect(newJob).not.toBe(oldJob);
    for (const w of live()) expect(w.lastWork.jobId).toBe(newJob);
    // The old job's hits were posted before the workers saw the new template: they arrive first.
    for (const w of live()) w.deliver(2);
    expect(found).toHaveLength(0);
    live()[1]!.deliver();
    expect(found).toHaveLength(1);
    expect(decodeHeader(found[0]!).merkleRoot).toEqual(b.merkleRoot);
    expect(exhausted()).toBe(0);
  });

  it('behavior: exhausted fires once, when every worker has finished its range without a hit', () => {
    const { miner, live, found, exhausted } = pool({ scanLimit: 300 });
    miner.setTemplate(encodeHeader(template('c')), 1n);
    miner.start(4);
    const workers = live();
    for (const w of workers.slice(0, 3)) w.deliver();
    expect(exhausted()).toBe(0);
    workers[3]!.deliver();
    expect(exhausted()).toBe(1);
    // A duplicate or a late answer changes nothing.
    workers[0]!.emit({ type: 'exhausted', jobId: workers[0]!.lastWork.jobId, hashes: 300, kernel: 'js' });
    expect(exhausted()).toBe(1);
    expect(found).toHaveLength(0);
    // The next template runs out again on its own.
    miner.setTemplate(encodeHeader(template('d')), 1n);
    for (const w of workers) w.deliver();
    expect(exhausted()).toBe(2);
  });

  it('behavior: exhausted answers of an older job do not count towards the current one', () => {
    const { miner, live, exhausted } = pool({ scanLimit: 100 });
    miner.setTemplate(encodeHeader(template('e')), 1n);
    miner.start(2);
    const [w0, w1] = live() as [FakeWorker, FakeWorker];
    w0.deliver(); // old job: w0 exhausted
    miner.setTemplate(encodeHeader(template('f')), 1n);
    w1.deliver(2); // old job: w1 exhausted, too late
    expect(exhausted()).toBe(0);
    w0.deliver();
    expect(exhausted()).toBe(0);
    w1.deliver();
    expect(exhausted()).toBe(1);
  });

  it('behavior: hashrate is hashes reported per second over a sliding window, per worker and in total', () => {
    let now = 0;
    const { miner, live } = pool({ now: () => now });
    miner.setTemplate(encodeHeader(template('g')), 1n);
    miner.start(2);
    const [w0, w1] = live() as [FakeWorker, FakeWorker];
    const job = w0.lastWork.jobId;
    // Progress carries cumulative counts per job.
    now = 500;
    w0.emit({ type: 'progress', jobId: job, hashes: 500, kernel: 'js' });
    w1.emit({ type: 'progress', jobId: job, hashes: 1500, kernel: 'js' });
    now = 1000;
    w0.emit({ type: 'progress', jobId: job, hashes: 1000, kernel: 'js' });
    w1.emit({ type: 'progress', jobId: job, hashes: 3000, kernel: 'js' });
    expect(miner.status()).toEqual({ running: true, workers: 2, hashrate: 4000, perWorker: [1000, 3000], kernel: 'js' });
    // Steady for 10 s: the window (5 s) holds 5 s of reports.
    for (let t = 1500; t <= 11_000; t += 500) {
      now = t;
      w0.emit({ type: 'progress', jobId: job, hashes: t, kernel: 'js' });
      w1.emit({ type: 'progress', jobId: job, hashes: 3 * t, kernel: 'js' });
    }
    expect(miner.status().perWorker).toEqual([1000, 3000]);
    // A new job's counts start again from zero.
    miner.setTemplate(encodeHeader(template('h')), 1n);
    const job2 = w0.lastWork.jobId;
    now = 11_500;
    w0.emit({ type: 'progress', jobId: job2, hashes: 2000, kernel: 'js' });
    w1.emit({ type: 'progress', jobId: job2, hashes: 500, kernel: 'js' });
    const s = miner.status();
    expect(s.perWorker[0]).toBeCloseTo((4.5 * 1000 + 2000) / 5, 6);
    expect(s.perWorker[1]).toBeCloseTo((4.5 * 3000 + 500) / 5, 6);
    // Silence: the rate decays to zero once the window has passed.
    now = 17_000;
    expect(miner.status()).toEqual({ running: true, workers: 2, hashrate: 0, perWorker: [0, 0], kernel: 'js' });
  });

  it('behavior: status names the kernel the workers report searching with, once one reported', () => {
    const { miner, live } = pool();
    miner.setTemplate(encodeHeader(template('k')), 1n);
    miner.start(2);
    const [w0] = live() as [FakeWorker, FakeWorker];
    expect(miner.status().kernel).toBeUndefined();
    w0.emit({ type: 'progress', jobId: w0.lastWork.jobId, hashes: 10, kernel: 'wasm-simd' });
    expect(miner.status().kernel).toBe('wasm-simd');
    miner.stop();
    expect(miner.status().kernel).toBeUndefined();
  });

  it('behavior: stop stops every worker, ignores later results and reports zero; start resumes with a new job', () => {
    let now = 0;
    const { miner, live, found, exhausted } = pool({ now: () => now });
    miner.setTemplate(encodeHeader(template('i')), validTarget(EASY)!);
    miner.start(2);
    const [w0, w1] = live() as [FakeWorker, FakeWorker];
    const job = w0.lastWork.jobId;
    miner.stop();
    expect(w0.received.at(-1)).toEqual({ type: 'stop' });
    expect(w1.received.at(-1)).toEqual({ type: 'stop' });
    now = 1000;
    w0.deliver();
    w1.deliver();
    expect(found).toHaveLength(0);
    expect(exhausted()).toBe(0);
    expect(miner.status()).toEqual({ running: false, workers: 0, hashrate: 0, perWorker: [] });
    miner.stop();
    miner.start(2);
    expect(live()).toEqual([w0, w1]);
    expect(w0.lastWork.jobId).toBeGreaterThan(job);
    w0.deliver();
    expect(found).toHaveLength(1);
  });

  it('behavior: setWorkers re-splits the current template among the new count and terminates extra workers', () => {
    const { miner, live, workers } = pool();
    miner.setTemplate(encodeHeader(template('j')), 1n);
    miner.start(2);
    const job = live()[0]!.lastWork.jobId;
    miner.setWorkers(5);
    expect(live()).toHaveLength(5);
    const job5 = live()[0]!.lastWork.jobId;
    expect(job5).toBeGreaterThan(job);
    expect(live().every((w) => w.lastWork.jobId === job5)).toBe(true);
    expectPartition(live().map((w) => ({ start: w.lastWork.startNonce, end: w.lastWork.endNonce })));
    miner.setWorkers(3);
    expect(workers.filter((w) => w.terminated)).toHaveLength(2);
    const job3 = live()[0]!.lastWork.jobId;
    expect(job3).toBeGreaterThan(job5);
    expectPartition(live().map((w) => ({ start: w.lastWork.startNonce, end: w.lastWork.endNonce })));
    expect(miner.status().workers).toBe(3);
    // The same count again changes nothing.
    miner.setWorkers(3);
    expect(live()[0]!.lastWork.jobId).toBe(job3);
    // While stopped it only records the count (and drops extra workers).
    miner.stop();
    miner.setWorkers(1);
    expect(live()).toHaveLength(1);
    miner.start();
    expect(live()).toHaveLength(1);
    expect(live()[0]!.lastWork).toMatchObject({ startNonce: 0, endNonce: 0xffffffff });
  });

  it('error: a worker whose script fails to load is made again, later each time, and given the current job; then the pool finds', () => {
    const scheduled: { fn: () => void; ms: number }[] = [];
    const { miner, workers, live, found, errors } = pool({ later: (fn, ms) => scheduled.push({ fn, ms }) });
    miner.setTemplate(encodeHeader(template('lost')), validTarget(EASY)!);
    miner.start(1);
    const first = live()[0]!;
    // A script that did not load: the browser fires a plain Event (no message).
    first.onerror?.({ type: 'error' } as unknown as ErrorEvent);
    expect(first.terminated).toBe(true);
    expect(errors).toHaveLength(1);
    expect(scheduled.map((s) => s.ms)).toEqual([250]);
    // Nothing is posted to the lost worker meanwhile (a new template, a stop).
    miner.setTemplate(encodeHeader(template('lost 2')), validTarget(EASY)!);
    scheduled.shift()!.fn();
    const second = live()[0]!;
    expect(second).not.toBe(first);
    second.onerror?.({ type: 'error' } as unknown as ErrorEvent);
    expect(scheduled.map((s) => s.ms)).toEqual([500]);
    scheduled.shift()!.fn();
    const third = live()[0]!;
    expect(workers).toHaveLength(3);
    expect(third.lastWork.header).toEqual(encodeHeader(template('lost 2')));
    third.deliver();
    expect(found).toHaveLength(1);
    expect(miner.status().workers).toBe(1);
  });

  it('error: a worker that never loads makes the pool give up after five tries, once, and say why', () => {
    const scheduled: (() => void)[] = [];
    const { miner, live } = pool({ later: (fn) => scheduled.push(fn) });
    const failed: Error[] = [];
    miner.onFailed((e) => failed.push(e));
    miner.setTemplate(encodeHeader(template('never')), validTarget(EASY)!);
    miner.start(1);
    for (let i = 0; i < 5; i++) {
      live()[0]!.onerror?.({ type: 'error' } as unknown as ErrorEvent);
      scheduled.shift()?.();
    }
    expect(failed).toHaveLength(1);
    expect(failed[0]!.message).toMatch(/could not be started/);
  });

  it('behavior: an exception inside a worker that lives on is reported, and the worker kept', () => {
    const scheduled: (() => void)[] = [];
    const { miner, live, errors } = pool({ later: (fn) => scheduled.push(fn) });
    miner.setTemplate(encodeHeader(template('throws')), validTarget(EASY)!);
    miner.start(1);
    const worker = live()[0]!;
    // Node has no ErrorEvent; the browser's is an Event with the exception's message.
    class BrowserErrorEvent extends Event {
      constructor(
        type: string,
        readonly message: string,
      ) {
        super(type);
      }
    }
    vi.stubGlobal('ErrorEvent', BrowserErrorEvent);
    try {
      worker.onerror?.(new BrowserErrorEvent('error', 'oops') as unknown as ErrorEvent);
    } finally {
      vi.unstubAllGlobals();
    }
    expect(errors).toHaveLength(1);
    expect(worker.terminated).toBe(false);
    expect(scheduled).toEqual([]);
  });

  it('behavior: results from a terminated worker are ignored', () => {
    const { miner, live, workers, found } = pool();
    miner.setTemplate(encodeHeader(template('k')), validTarget(EASY)!);
    miner.start(3);
    const last = live()[2]!;
    const handler = last.onmessage!;
    miner.setWorkers(2);
    expect(workers.filter((w) => w.terminated)).toEqual([last]);
    // A hit for the current job, as if it had been in flight when the worker was terminated.
    const { jobId, header } = live()[0]!.lastWork;
    const nonce = searchNonces(header, headerMidstate(header), validTarget(EASY)!, 0, 100).nonce!;
    handler(event({ type: 'found', jobId, nonce, hashes: 1, kernel: 'js' }));
    expect(found).toHaveLength(0);
    live()[0]!.emit({ type: 'found', jobId, nonce, hashes: 1, kernel: 'js' });
    expect(found).toHaveLength(1);
  });

  it('error: a claimed nonce that misses the target is reported as an error, not a block', () => {
    const { miner, live, found, errors } = pool();
    miner.setTemplate(encodeHeader(template('l', 0x1d00ffff)), validTarget(0x1d00ffff)!);
    miner.start(1);
    const w = live()[0]!;
    w.emit({ type: 'found', jobId: w.lastWork.jobId, nonce: 7, hashes: 8, kernel: 'js' });
    expect(found).toHaveLength(0);
    expect(errors).toHaveLength(1);
  });

  it('error: refuses a header that is not 80 bytes, a target that is not positive, and bad worker counts', () => {
    const { miner } = pool();
    expect(() => miner.setTemplate(new Uint8Array(79), 1n)).toThrow(RangeError);
    expect(() => miner.setTemplate(new Uint8Array(80), 0n)).toThrow(RangeError);
    expect(() => miner.start(0)).toThrow(RangeError);
    expect(() => miner.setWorkers(1.5)).toThrow(RangeError);
  });
});

/** A scope for serveMiner whose messages are collected; the worker's loop runs on Node's event loop. */
function workerScope() {
  const posted: MinerResponse[] = [];
  let waiters: (() => void)[] = [];
  const scope: MinerScope = {
    onmessage: null,
    postMessage(message) {
      posted.push(message);
      const ws = waiters;
      waiters = [];
      for (const w of ws) w();
    },
  };
  const send = (message: MinerRequest) => scope.onmessage!(event(message));
  /** Resolves once a message matching `pred` has been posted. */
  const until = async (pred: (m: MinerResponse) => boolean): Promise<MinerResponse> => {
    for (;;) {
      const hit = posted.find(pred);
      if (hit) return hit;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { scope, posted, send, until };
}

const setImmediateYield = () => new Promise<void>((resolve) => setImmediate(resolve));

function work(jobId: number, header: Uint8Array, target: bigint, startNonce: number, endNonce: number): WorkMessage {
  return { type: 'work', jobId, header, target: target.toString(), startNonce, endNonce };
}

describe('miner worker (serveMiner)', () => {
  it('behavior: finds the same nonce as searchNonces over its range', async () => {
    const { scope, send, until } = workerScope();
    serveMiner(scope, { yieldToEventLoop: setImmediateYield, firstSlice: 4096 });
    const header = encodeHeader(template('w1', 0x1f7fffff));
    const target = validTarget(0x1f7fffff)!;
    const expected = searchNonces(header, headerMidstate(header), target, 100_000, 50_000);
    expect(expected.nonce).toBeDefined();
    send(work(7, header, target, 100_000, 149_999));
    expect(await until((m) => m.type === 'found')).toEqual({ type: 'found', jobId: 7, nonce: expected.nonce, hashes: expected.hashes, kernel: 'wasm-simd' });
  });

  it('behavior: a job that asks for the GPU searches on it where there is an adapter (same nonce and hashes), else with the CPU kernel; one that does not never asks', async () => {
    const header = encodeHeader(template('w-gpu', 0x1f7fffff));
    const target = validTarget(0x1f7fffff)!;
    const expected = searchNonces(header, headerMidstate(header), target, 100_000, 50_000);
    expect(expected.nonce).toBeDefined();
    let asked = 0;
    // The GPU's search as the WebGPU one answers: later, through a promise.
    const later = (...args: Parameters<typeof searchNonces>) => new Promise<ReturnType<typeof searchNonces>>((resolve) => setImmediate(() => resolve(searchNonces(...args))));
    for (const [gpu, kernel] of [[{ search: later, adapter: 'test' }, 'webgpu'], [{ unavailable: 'no adapter' }, 'wasm-simd']] as const) {
      const { scope, send, until } = workerScope();
      serveMiner(scope, { yieldToEventLoop: setImmediateYield, firstSlice: 4096, gpu: () => (asked++, Promise.resolve(gpu)) });
      send(work(1, header, target, 100_000, 149_999));
      expect(await until((m) => m.type === 'found')).toEqual({ type: 'found', jobId: 1, nonce: expected.nonce, hashes: expected.hashes, kernel: 'wasm-simd' });
      send({ ...work(2, header, target, 100_000, 149_999), gpu: true });
      expect(await until((m) => m.type === 'found' && m.jobId === 2)).toEqual({ type: 'found', jobId: 2, nonce: expected.nonce, hashes: expected.hashes, kernel });
      // Asked once per worker, on its first GPU job.
      send({ ...work(3, header, target, 100_000, 149_999), gpu: true });
      await until((m) => m.type === 'found' && m.jobId === 3);
    }
    expect(asked).toBe(2);
  });

  it('behavior: a GPU search that fails (a lost device) leaves the job to the CPU kernel, which finishes it', async () => {
    const header = encodeHeader(template('w-gpu-lost', 0x1f7fffff));
    const target = validTarget(0x1f7fffff)!;
    const expected = searchNonces(header, headerMidstate(header), target, 0, 60_000);
    const { scope, send, until } = workerScope();
    const lost = () => Promise.reject(new Error('device lost'));
    serveMiner(scope, { yieldToEventLoop: setImmediateYield, firstSlice: 4096, gpu: () => Promise.resolve({ search: lost, adapter: 'test' }) });
    send({ ...work(1, header, target, 0, 59_999), gpu: true });
    expect(await until((m) => m.type === 'found')).toEqual({ type: 'found', jobId: 1, nonce: expected.nonce, hashes: expected.hashes, kernel: 'wasm-simd' });
  });

  it('behavior: the fallback (core\'s scalar searchNonces, where WebAssembly SIMD is missing) finds the same nonce and hashes as the SIMD kernel', async () => {
    const header = encodeHeader(template('w1b', 0x1f7fffff));
    const target = validTarget(0x1f7fffff)!;
    const answers = [];
    for (const [search, kernel] of [[searchNonces, 'js'], [createSimdNonceSearch(), 'wasm-simd']] as const) {
      const { scope, send, until } = workerScope();
      serveMiner(scope, { yieldToEventLoop: setImmediateYield, firstSlice: 4096, search, kernel });
      send(work(9, header, target, 200_000, 259_999));
      answers.push(await until((m) => m.type === 'found' || m.type === 'exhausted'));
    }
    const expected = searchNonces(header, headerMidstate(header), target, 200_000, 60_000);
    expect(expected.nonce).toBeDefined();
    expect(answers).toEqual([
      { type: 'found', jobId: 9, nonce: expected.nonce, hashes: expected.hashes, kernel: 'js' },
      { type: 'found', jobId: 9, nonce: expected.nonce, hashes: expected.hashes, kernel: 'wasm-simd' },
    ]);
  });

  it('behavior: searches a range in slices with progress reports and ends with exhausted = the range size', async () => {
    let now = 0;
    const { scope, posted, send, until } = workerScope();
    // Every clock read advances 100 ms: slices look slow, so progress is reported often.
    serveMiner(scope, { yieldToEventLoop: setImmediateYield, now: () => (now += 100), reportEveryMs: 300 });
    send(work(3, encodeHeader(template('w2')), 1n, 0xffffffff - 40_000, 0xffffffff));
    expect(await until((m) => m.type === 'exhausted')).toEqual({ type: 'exhausted', jobId: 3, hashes: 40_001, kernel: 'wasm-simd' });
    const progress = posted.filter((m) => m.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    const counts = progress.map((m) => (m as { hashes: number }).hashes);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    // Node has WebAssembly SIMD: the worker chose the kernel by itself, and says so.
    expect(new Set(progress.map((m) => (m as { kernel: string }).kernel))).toEqual(new Set(['wasm-simd']));
    expect(counts.at(-1)!).toBeLessThan(40_001);
    expect(posted.at(-1)!.type).toBe('exhausted');
  });

  it('behavior: a new job interrupts the current one between slices; the old job\'s last progress comes first', async () => {
    const { scope, posted, send, until } = workerScope();
    serveMiner(scope, { yieldToEventLoop: setImmediateYield, firstSlice: 4096, sliceMs: 1 });
    send(work(1, encodeHeader(template('w3')), 1n, 0, 0xffffffff));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const header = encodeHeader(template('w4'));
    send(work(2, header, validTarget(EASY)!, 0, 1000));
    await until((m) => m.jobId === 2 && m.type === 'found');
    const firstOfJob2 = posted.findIndex((m) => m.jobId === 2);
    expect(posted.slice(firstOfJob2).every((m) => m.jobId === 2)).toBe(true);
    const last1 = posted[firstOfJob2 - 1]!;
    expect(last1).toMatchObject({ type: 'progress', jobId: 1 });
    expect((last1 as { hashes: number }).hashes).toBeGreaterThan(0);
    // Job 1 is abandoned: nothing more of it arrives.
    const count = posted.length;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(posted.length).toBe(count);
  });

  it('behavior: stop ends the job and the worker stays idle', async () => {
    const { scope, posted, send } = workerScope();
    serveMiner(scope, { yieldToEventLoop: setImmediateYield, firstSlice: 4096 });
    send(work(1, encodeHeader(template('w5')), 1n, 0, 0xffffffff));
    await new Promise((resolve) => setTimeout(resolve, 20));
    send({ type: 'stop' });
    expect(posted.at(-1)).toMatchObject({ type: 'progress', jobId: 1 });
    const count = posted.length;
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(posted.length).toBe(count);
  });

  it('error: a malformed job is answered with an error and not started', () => {
    const { scope, posted, send } = workerScope();
    serveMiner(scope, { yieldToEventLoop: setImmediateYield });
    const header = encodeHeader(template('w6'));
    send(work(1, header.subarray(1), 1n, 0, 10));
    send(work(2, header, 1n, 10, 9));
    send(work(3, header, 1n, 0, 2 ** 32));
    send({ ...work(4, header, 1n, 0, 10), target: '-5' });
    expect(posted.map((m) => [m.type, m.jobId])).toEqual([
      ['error', 1],
      ['error', 2],
      ['error', 3],
      ['error', 4],
    ]);
  });
});

describe('WorkerPoolMiner with serveMiner workers (the real protocol, asynchronous)', () => {
  /** A worker whose inside is serveMiner, with messages crossing the "thread" boundary a macrotask later. */
  class LoopbackWorker implements MinerWorker {
    onmessage: ((event: MessageEvent<MinerResponse>) => void) | null = null;
    onerror: ((event: ErrorEvent) => void) | null = null;
    private terminated = false;
    private readonly inside: MinerScope = {
      onmessage: null,
      postMessage: (message) => setImmediate(() => !this.terminated && this.onmessage?.(event(message))),
    };
    constructor() {
      serveMiner(this.inside, { yieldToEventLoop: setImmediateYield, firstSlice: 4096 });
    }
    postMessage(message: MinerRequest): void {
      const copy = structuredClone(message);
      setImmediate(() => !this.terminated && this.inside.onmessage?.(event(copy)));
    }
    terminate(): void {
      this.terminated = true;
      this.inside.onmessage?.(event({ type: 'stop' }));
    }
  }

  it('behavior: mines a block on an easy target, then the next template', async () => {
    const miner = new WorkerPoolMiner({ createWorker: () => new LoopbackWorker(), workers: 2 });
    const next = () => new Promise<Uint8Array>((resolve) => miner.onFound(resolve));
    const first = next();
    miner.setTemplate(encodeHeader(template('p1', 0x1f7fffff)), validTarget(0x1f7fffff)!);
    miner.start();
    const h1 = decodeHeader(await first);
    expect(checkProofOfWork(h1)).toBe(true);
    const second = next();
    miner.setTemplate(encodeHeader(template('p2', 0x1f7fffff)), validTarget(0x1f7fffff)!);
    const h2 = decodeHeader(await second);
    expect(h2.merkleRoot).toEqual(template('p2').merkleRoot);
    expect(checkProofOfWork(h2)).toBe(true);
    expect(miner.status().workers).toBe(2);
    miner.dispose();
  });
});
