/**
 * @module The browser miner: a pool of module Web Workers (`miner.worker.ts`) that split the
 * 2^32 nonces of one header template between them. It implements the node's miner port
 * (`setTemplate`, `start`, `stop`, `status`, `onFound`, `onExhausted`): it only searches; the node
 * builds templates and validates what is found like any block.
 *
 * Every template, and every re-split of the nonce space (a new worker count, a restart), is a new
 * job with a new id; answers from older jobs only count towards the hashrate. After a hit the
 * pool stops the other workers and idles until the next template; after every worker has
 * exhausted its range it reports `exhausted` (the node rolls the extra nonce or the time and sets
 * a new template).
 */
import { hashToBigInt, sha256d } from '../../core/index.ts';
import type { MinerKernel, MinerRequest, MinerResponse } from './miner-messages.ts';

/** What the pool needs of a `Worker` (a fake in tests). */
export interface MinerWorker {
  postMessage(message: MinerRequest): void;
  terminate(): void;
  onmessage: ((event: MessageEvent<MinerResponse>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

export type MinerWorkerFactory = () => MinerWorker;

export interface MinerStatusSnapshot {
  readonly running: boolean;
  /** Workers searching (0 when stopped). */
  readonly workers: number;
  /** Hashes per second of all workers over the sliding window. */
  readonly hashrate: number;
  /** Hashes per second of each worker. */
  readonly perWorker: readonly number[];
  /**
   * How the workers hash, once one reported: the WebAssembly SIMD kernel, or core's scalar JS
   * loop (no WebAssembly SIMD, or a page policy that refuses to compile it).
   */
  readonly kernel?: MinerKernel;
}

export interface WorkerPoolMinerOptions {
  /** Creates one worker (default: the module worker `miner.worker.ts`). */
  readonly createWorker?: MinerWorkerFactory;
  /** Milliseconds, for the hashrate (default `performance.now`). */
  readonly now?: () => number;
  /** Length of the hashrate's sliding window in ms (default 5000). */
  readonly hashrateWindowMs?: number;
  /** Workers used when `start` is called without a count (default {@link defaultWorkerCount}). */
  readonly workers?: number;
  /** Whether the first worker searches on the GPU where it has a WebGPU adapter (default false). */
  readonly gpu?: boolean;
  /** Runs `fn` after `ms` milliseconds (default setTimeout): when a worker that failed is made again. */
  readonly later?: (fn: () => void, ms: number) => void;
}

/** A worker that failed to load is made again after this long, doubling each time, at most {@link RESPAWN_MAX_MS}. */
const RESPAWN_FIRST_MS = 250;
const RESPAWN_MAX_MS = 30_000;
/** After this many failed starts in a row (about 8 s of tries), the pool gives up: {@link WorkerPoolMiner.onFailed}. */
const MAX_STARTS = 5;

/**
 * Whether a worker's error event says it is gone: its script did not load or run (a plain Event
 * in browsers), or its thread ended (worker_threads). An ErrorEvent with a message is an
 * exception inside a worker that lives on.
 */
function workerLost(event: unknown): boolean {
  return !(typeof ErrorEvent !== 'undefined' && event instanceof ErrorEvent && event.message);
}

const NONCE_SPACE = 2 ** 32;

/** All cores but one (for the page), at least one. */
export function defaultWorkerCount(): number {
  const cores = typeof navigator === 'undefined' ? undefined : navigator.hardwareConcurrency;
  return Math.max(1, (cores || 2) - 1);
}

function createModuleWorker(): MinerWorker {
  // Written out in full so Vite sees and bundles the worker.
  return new Worker(new URL('./miner.worker.ts', import.meta.url), { type: 'module' });
}

/**
 * Nonce ranges (inclusive) of `n` workers: contiguous, disjoint, together 0..0xffffffff; equal, or
 * in proportion to `weights` (hashrates: a GPU worker gets a range to match), at least one each.
 */
export function nonceRanges(n: number, weights?: readonly number[]): { readonly start: number; readonly end: number }[] {
  const usable = weights && weights.length === n && weights.every((w) => Number.isFinite(w) && w > 0);
  const total = usable ? weights.reduce((a, b) => a + b, 0) : n;
  const ranges: { start: number; end: number }[] = [];
  let sum = 0;
  let start = 0;
  for (let i = 0; i < n; i++) {
    sum += usable ? weights[i]! : 1;
    const end = i === n - 1 ? NONCE_SPACE - 1 : Math.max(start, Math.min(NONCE_SPACE - (n - 1 - i), Math.floor((sum * NONCE_SPACE) / total)) - 1);
    ranges.push({ start, end });
    start = end + 1;
  }
  return ranges;
}

interface Slot {
  worker: MinerWorker;
  /** Times in a row its worker failed to load (0 once one answered). */
  failures: number;
  /** Its worker was lost and a new one is made later: nothing is posted to it meanwhile. */
  waiting?: boolean;
  /** The job whose cumulative hash count `reported` is (workers answer jobs in order). */
  jobId: number;
  reported: number;
  /** Hashes reported, with the time they arrived, within the hashrate window. */
  samples: { readonly at: number; readonly hashes: number }[];
  /** When this worker started counting towards the hashrate. */
  since: number;
  /** The kernel it last said it searches with. */
  kernel?: MinerKernel;
}

interface Job {
  readonly id: number;
  readonly header: Uint8Array;
  readonly target: bigint;
  /** Workers that have not finished their range. */
  readonly pending: Set<Slot>;
  done: boolean;
}

function checkCount(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new RangeError(`worker count must be an integer in 1..1024, got ${n}`);
  return n;
}

export class WorkerPoolMiner {
  private readonly createWorker: MinerWorkerFactory;
  private readonly now: () => number;
  private readonly windowMs: number;
  private count: number;
  private onGpu: boolean;
  private slots: Slot[] = [];
  private running = false;
  private template: { readonly header: Uint8Array; readonly target: bigint } | undefined;
  private job: Job | undefined;
  private lastJobId = 0;
  private readonly foundHandlers: ((header: Uint8Array) => void)[] = [];
  private readonly exhaustedHandlers: (() => void)[] = [];
  private readonly errorHandlers: ((error: unknown) => void)[] = [];
  private readonly failedHandlers: ((error: Error) => void)[] = [];
  private readonly later: (fn: () => void, ms: number) => void;

  constructor(options: WorkerPoolMinerOptions = {}) {
    this.createWorker = options.createWorker ?? createModuleWorker;
    this.now = options.now ?? (() => performance.now());
    this.windowMs = options.hashrateWindowMs ?? 5000;
    this.count = checkCount(options.workers ?? defaultWorkerCount());
    this.onGpu = options.gpu ?? false;
    this.later = options.later ?? ((fn, ms) => void setTimeout(fn, ms));
  }

  /**
   * Whether the first worker searches on the GPU (where its `navigator.gpu` gives an adapter;
   * else it hashes like the others). While running, the current template is re-split.
   */
  setGpu(on: boolean): void {
    if (on === this.onGpu) return;
    this.onGpu = on;
    this.dispatch();
  }

  /** A header hit the target: `header` is the template with the winning nonce. */
  onFound(handler: (header: Uint8Array) => void): void {
    this.foundHandlers.push(handler);
  }

  /** Every worker searched its range without a hit: set a new template (extra nonce, time). */
  onExhausted(handler: () => void): void {
    this.exhaustedHandlers.push(handler);
  }

  /** A worker could not be started, again and again: the pool cannot mine (the node stops mining and says why). */
  onFailed(handler: (error: Error) => void): void {
    this.failedHandlers.push(handler);
  }

  /** A worker failed (did not load, threw, refused a malformed job, or claimed a wrong nonce). */
  onError(handler: (error: unknown) => void): void {
    this.errorHandlers.push(handler);
  }

  /** A new header to search (its nonce is ignored) and its target; older work is abandoned. */
  setTemplate(header80: Uint8Array, target: bigint): void {
    if (header80.length !== 80) throw new RangeError('a block header is 80 bytes');
    if (target <= 0n) throw new RangeError('the target must be positive');
    this.template = { header: header80.slice(), target };
    this.dispatch();
  }

  /** Starts mining with `workers` workers (default: the count given before, or all cores but one). */
  start(workers: number = this.count): void {
    this.count = checkCount(workers);
    if (this.running) return this.resize(true);
    this.running = true;
    const now = this.now();
    for (const slot of this.slots) {
      slot.samples = [];
      slot.since = now;
    }
    this.resize(false);
    this.dispatch();
  }

  /** Stops every worker (they stay loaded for a quick restart; {@link dispose} ends them). */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.job = undefined;
    for (const slot of this.slots) {
      if (!slot.waiting) slot.worker.postMessage({ type: 'stop' });
      slot.samples = [];
    }
  }

  /** Changes the number of workers; while running, the current template is re-split among them. */
  setWorkers(n: number): void {
    this.count = checkCount(n);
    if (this.running) this.resize(true);
    else this.shrink();
  }

  /** Stops and terminates every worker. */
  dispose(): void {
    this.stop();
    for (const slot of this.slots) slot.worker.terminate();
    this.slots = [];
  }

  status(): MinerStatusSnapshot {
    if (!this.running) return { running: false, workers: 0, hashrate: 0, perWorker: [] };
    const now = this.now();
    const perWorker = this.slots.map((slot) => this.rate(slot, now));
    const kernel = this.slots.find((slot) => slot.kernel === 'webgpu')?.kernel ?? this.slots.find((slot) => slot.kernel)?.kernel;
    return { running: true, workers: this.slots.length, hashrate: perWorker.reduce((a, b) => a + b, 0), perWorker, ...(kernel ? { kernel } : {}) };
  }

  private rate(slot: Slot, now: number): number {
    this.prune(slot, now);
    const span = Math.min(this.windowMs, now - slot.since);
    if (span <= 0) return 0;
    let hashes = 0;
    for (const s of slot.samples) hashes += s.hashes;
    return (hashes * 1000) / span;
  }

  private prune(slot: Slot, now: number): void {
    const from = now - this.windowMs;
    let drop = 0;
    while (drop < slot.samples.length && slot.samples[drop]!.at <= from) drop++;
    if (drop) slot.samples.splice(0, drop);
  }

  private shrink(): void {
    while (this.slots.length > this.count) {
      const slot = this.slots.pop()!;
      slot.worker.onmessage = null;
      slot.worker.onerror = null;
      slot.worker.terminate();
    }
  }

  /** Brings the pool to `count` workers; re-dispatches when `restart` and the count changed. */
  private resize(restart: boolean): void {
    if (this.slots.length === this.count) return;
    this.shrink();
    while (this.slots.length < this.count) this.slots.push(this.spawn());
    if (restart) this.dispatch();
  }

  private spawn(): Slot {
    const slot: Slot = { worker: this.createWorker(), failures: 0, jobId: -1, reported: 0, samples: [], since: this.now() };
    this.wire(slot);
    return slot;
  }

  private wire(slot: Slot): void {
    const { worker } = slot;
    worker.onmessage = (event) => {
      slot.failures = 0;
      this.receive(slot, event.data);
    };
    worker.onerror = (event) => {
      this.emitError(event);
      if (workerLost(event)) this.replaceLater(slot);
    };
  }

  /**
   * A worker whose script did not load (a network hiccup, a server restarting under an update) or
   * whose thread ended is made again, later and later, and given the current job: a pool that
   * silently lost its workers would mine nothing and `mine()` would never end.
   */
  private replaceLater(slot: Slot): void {
    const lost = slot.worker;
    lost.onmessage = null;
    lost.onerror = null;
    lost.terminate();
    slot.waiting = true;
    slot.failures++;
    if (slot.failures >= MAX_STARTS) {
      // Its script will not load here (blocked, unreachable): say so rather than mine with nothing.
      slot.failures = 0;
      const error = new Error(`a miner worker could not be started (${MAX_STARTS} tries): its script did not load`);
      for (const handler of this.failedHandlers) handler(error);
      this.later(() => this.replaceNow(slot, lost), 0);
      return;
    }
    const delay = Math.min(RESPAWN_MAX_MS, RESPAWN_FIRST_MS * 2 ** (slot.failures - 1));
    this.later(() => this.replaceNow(slot, lost), delay);
  }

  private replaceNow(slot: Slot, lost: MinerWorker): void {
    if (!this.slots.includes(slot) || slot.worker !== lost) return;
    slot.worker = this.createWorker();
    slot.waiting = false;
    slot.jobId = -1;
    slot.reported = 0;
    this.wire(slot);
    // The current template is split again over every worker, this one included.
    if (this.running) this.dispatch();
  }

  /** Starts a new job on the current template over every worker. */
  private dispatch(): void {
    if (!this.running || !this.template || this.slots.length === 0) return;
    const { header, target } = this.template;
    const job: Job = { id: ++this.lastJobId, header, target, pending: new Set(this.slots), done: false };
    this.job = job;
    // With the GPU, ranges follow the workers' rates: a GPU may hash a thousand times faster.
    const now = this.now();
    const ranges = nonceRanges(this.slots.length, this.onGpu ? this.slots.map((slot) => this.rate(slot, now)) : undefined);
    const targetText = target.toString();
    this.slots.forEach((slot, i) => {
      const { start, end } = ranges[i]!;
      // A slot waiting for a new worker gets its range when that worker is made (a new job then).
      if (slot.waiting) return;
      slot.worker.postMessage({ type: 'work', jobId: job.id, header, target: targetText, startNonce: start, endNonce: end, ...(this.onGpu && i === 0 ? { gpu: true } : {}) });
    });
  }

  private receive(slot: Slot, message: MinerResponse): void {
    if (!this.slots.includes(slot)) return;
    if (message.type === 'error') {
      this.emitError(new Error(`miner worker refused job ${message.jobId}: ${message.message}`));
      return;
    }
    slot.kernel = message.kernel;
    this.countHashes(slot, message.jobId, message.hashes);
    const job = this.job;
    if (!job || job.done || message.jobId !== job.id) return;
    if (message.type === 'found') {
      const header = job.header.slice();
      new DataView(header.buffer).setUint32(76, message.nonce, true);
      if (hashToBigInt(sha256d(header)) > job.target) {
        this.emitError(new Error(`miner worker claimed nonce ${message.nonce}, which misses the target`));
        return;
      }
      job.done = true;
      for (const other of job.pending) if (other !== slot && !other.waiting) other.worker.postMessage({ type: 'stop' });
      for (const handler of this.foundHandlers) handler(header.slice());
    } else if (message.type === 'exhausted') {
      job.pending.delete(slot);
      if (job.pending.size === 0) {
        job.done = true;
        for (const handler of this.exhaustedHandlers) handler();
      }
    }
  }

  /** Counts hashes a worker reported (cumulative per job) towards the hashrate. */
  private countHashes(slot: Slot, jobId: number, cumulative: number): void {
    if (slot.jobId !== jobId) {
      slot.jobId = jobId;
      slot.reported = 0;
    }
    const hashes = cumulative - slot.reported;
    slot.reported = cumulative;
    if (!this.running || hashes <= 0) return;
    const now = this.now();
    slot.samples.push({ at: now, hashes });
    this.prune(slot, now);
  }

  private emitError(error: unknown): void {
    if (this.errorHandlers.length === 0) console.error('miner:', error);
    for (const handler of this.errorHandlers) handler(error);
  }
}
