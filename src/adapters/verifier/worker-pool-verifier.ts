/**
 * @module The signature verifier on every core: a pool of workers (module Web Workers in the
 * browser, worker_threads headless) behind the core's `SignatureVerifier` port.
 *
 * A batch is cut into chunks that are handed out as workers finish (two in flight per worker, so
 * a worker never waits for its next chunk and a slow worker — one sharing its core with a miner —
 * takes fewer); each chunk travels as one transferred buffer (verifier-messages.ts). Answers are
 * put back in job order, so the result is what verifying one after the other gives. Small
 * batches (one tx entering the mempool) are verified in process: a round trip to a worker would
 * cost more than it saves. Where workers cannot be made (no `Worker`, a policy that refuses the
 * script) or one fails, its work is verified in process instead and the pool stops using workers.
 */
import { verifyInProcess, type SignatureJob, type SignatureVerifier } from '../../core/index.ts';
import { JOB_BYTES, type VerifierResponse, type VerifyRequest } from './verifier-messages.ts';

/** What the pool needs of a `Worker` (a fake in tests). */
export interface VerifierWorker {
  postMessage(message: VerifyRequest, transfer: Transferable[]): void;
  terminate(): void;
  onmessage: ((event: MessageEvent<VerifierResponse>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

export type VerifierWorkerFactory = () => VerifierWorker;

export interface WorkerPoolVerifierOptions {
  /** Creates one worker (default: the module worker `verifier.worker.ts`). */
  readonly createWorker?: VerifierWorkerFactory;
  /** Workers to use for the next batch, asked at every batch (it follows the miner). */
  readonly workers: () => number;
  /** Batches with fewer jobs are verified in process (default {@link IN_PROCESS_BELOW}). */
  readonly inProcessBelow?: number;
}

/** About the cost of a few message round trips: below this, workers would not pay. */
export const IN_PROCESS_BELOW = 16;
/** Jobs per chunk at least: a chunk must outweigh its message. */
const MIN_CHUNK = 16;
/** Chunks per worker a batch is cut into, so the fast take more from the slow. */
const CHUNKS_PER_WORKER = 4;

/**
 * How many verification workers to run: every core (`cores`: navigator.hardwareConcurrency, or
 * os.availableParallelism headless) but those the miner's workers hash on while it runs, at least
 * one. The thread that asked waits for the answers, so it needs no core of its own; and the
 * user's mining setting says how much of the machine mining may have, which verification does not
 * take from it (a worker more than the cores left would only time-share with the miner).
 */
export function verifierWorkerCount(cores: number, miningWorkers: number): number {
  const all = Number.isFinite(cores) && cores >= 1 ? Math.floor(cores) : 2;
  return Math.max(1, all - Math.max(0, Math.floor(miningWorkers)));
}

function createModuleWorker(): VerifierWorker {
  // Written out in full so Vite sees and bundles the worker.
  return new Worker(new URL('./verifier.worker.ts', import.meta.url), { type: 'module' }) as unknown as VerifierWorker;
}

interface Chunk {
  readonly from: number;
  readonly to: number;
}

interface Batch {
  readonly jobs: readonly SignatureJob[];
  readonly results: boolean[];
  readonly queue: Chunk[];
  /** Chunks sent and not answered yet, by request id. */
  readonly sent: Map<number, Chunk>;
  readonly resolve: (results: boolean[]) => void;
  readonly reject: (error: unknown) => void;
}

interface Slot {
  readonly worker: VerifierWorker;
  /** Requests sent to it and not answered, by id: the batch and chunk each belongs to. */
  readonly pending: Map<number, { batch: Batch; chunk: Chunk }>;
}

export class WorkerPoolVerifier implements SignatureVerifier {
  private readonly createWorker: VerifierWorkerFactory;
  private readonly workerCount: () => number;
  private readonly inProcessBelow: number;
  private slots: Slot[] = [];
  /** False once workers could not be made or one failed: everything is verified in process. */
  private usable = true;
  private nextId = 0;
  /** Batches waiting for chunks to be handed out, oldest first. */
  private readonly batches: Batch[] = [];

  constructor(options: WorkerPoolVerifierOptions) {
    this.createWorker = options.createWorker ?? createModuleWorker;
    this.workerCount = options.workers;
    this.inProcessBelow = options.inProcessBelow ?? IN_PROCESS_BELOW;
  }

  /** Workers alive (made on the first large batch, kept for the next). */
  get workers(): number {
    return this.slots.length;
  }

  /** False when the pool fell back to verifying in process for good. */
  get usingWorkers(): boolean {
    return this.usable;
  }

  verify(jobs: readonly SignatureJob[]): Promise<boolean[]> {
    if (jobs.length < this.inProcessBelow || !this.usable) return Promise.resolve(verifyInProcess(jobs));
    const count = Math.max(1, Math.min(1024, Math.floor(this.workerCount())));
    if (!this.grow(count)) return Promise.resolve(verifyInProcess(jobs));
    return new Promise<boolean[]>((resolve, reject) => {
      const size = Math.max(MIN_CHUNK, Math.ceil(jobs.length / (count * CHUNKS_PER_WORKER)));
      const queue: Chunk[] = [];
      for (let from = 0; from < jobs.length; from += size) queue.push({ from, to: Math.min(jobs.length, from + size) });
      this.batches.push({ jobs, results: new Array<boolean>(jobs.length), queue, sent: new Map(), resolve, reject });
      this.feed(count);
    });
  }

  /** Terminates every worker; batches still running are finished in process. */
  dispose(): void {
    this.fallBack();
  }

  /** Makes workers up to `count`; false (and in process from now on) when that fails. */
  private grow(count: number): boolean {
    try {
      while (this.slots.length < count) this.slots.push(this.spawn());
      return true;
    } catch {
      this.fallBack();
      return false;
    }
  }

  private spawn(): Slot {
    const worker = this.createWorker();
    const slot: Slot = { worker, pending: new Map() };
    worker.onmessage = (event) => this.receive(slot, event.data);
    worker.onerror = (event) => {
      event.preventDefault?.();
      this.fallBack();
    };
    return slot;
  }

  /** Hands out chunks, oldest batch first, to the first `count` workers, two in flight each. */
  private feed(count: number = Math.max(1, Math.floor(this.workerCount()))): void {
    const slots = this.slots.slice(0, count);
    for (let round = 0; round < 2; round++) {
      for (const slot of slots) {
        if (slot.pending.size > round) continue;
        const batch = this.batches.find((b) => b.queue.length > 0);
        if (!batch) return;
        this.send(slot, batch, batch.queue.shift()!);
      }
    }
  }

  private send(slot: Slot, batch: Batch, chunk: Chunk): void {
    const id = ++this.nextId;
    const packed = new Uint8Array((chunk.to - chunk.from) * JOB_BYTES);
    for (let i = chunk.from, at = 0; i < chunk.to; i++, at += JOB_BYTES) {
      const job = batch.jobs[i]!;
      // Sizes other than 64/32/32 cannot verify; zeros keep the record's layout and fail as they would.
      if (job.signature.length === 64 && job.message.length === 32 && job.publicKey.length === 32) {
        packed.set(job.signature, at);
        packed.set(job.message, at + 64);
        packed.set(job.publicKey, at + 96);
      }
    }
    slot.pending.set(id, { batch, chunk });
    batch.sent.set(id, chunk);
    slot.worker.postMessage({ type: 'verify', id, jobs: packed }, [packed.buffer]);
  }

  private receive(slot: Slot, message: VerifierResponse): void {
    const request = slot.pending.get(message.id);
    if (!request) return;
    slot.pending.delete(message.id);
    const { batch, chunk } = request;
    batch.sent.delete(message.id);
    if (message.type === 'error' || message.results.length !== chunk.to - chunk.from) {
      // A bug on one side or the other: verify it here, and stop trusting workers.
      this.verifyHere(batch, chunk);
      this.fallBack();
      return;
    }
    for (let i = chunk.from; i < chunk.to; i++) batch.results[i] = message.results[i - chunk.from] === 1;
    this.settle(batch);
    this.feed();
  }

  private verifyHere(batch: Batch, chunk: Chunk): void {
    verifyInProcess(batch.jobs.slice(chunk.from, chunk.to)).forEach((ok, k) => (batch.results[chunk.from + k] = ok));
  }

  /** Resolves a batch once nothing of it is waiting or out. */
  private settle(batch: Batch): void {
    if (batch.queue.length > 0 || batch.sent.size > 0) return;
    const at = this.batches.indexOf(batch);
    if (at >= 0) this.batches.splice(at, 1);
    batch.resolve(batch.results);
  }

  /**
   * Workers are gone for good (one failed, or the pool is disposed): every chunk still out or
   * waiting is verified here, so every batch still gets its answer.
   */
  private fallBack(): void {
    this.usable = false;
    const slots = this.slots;
    this.slots = [];
    for (const slot of slots) {
      slot.worker.onmessage = null;
      slot.worker.onerror = null;
      slot.worker.terminate();
      for (const { batch, chunk } of slot.pending.values()) {
        batch.sent.clear();
        batch.queue.push(chunk);
      }
    }
    for (const batch of this.batches.splice(0)) {
      try {
        for (const chunk of batch.queue.splice(0)) this.verifyHere(batch, chunk);
        batch.resolve(batch.results);
      } catch (error) {
        batch.reject(error);
      }
    }
  }
}
