/**
 * @module The simulator's cost model: each simulated node has one CPU, busy until some virtual
 * time. Everything a node does (a chunk arriving, a timer, a tx handed to it, a block found) is an
 * event of its host: it starts at max(its time, busy-until), and what it costs (a small charge per
 * message plus the signatures its node verified, times a per-signature time) pushes busy-until on.
 * Sends made while handling leave when the handling ends. Only one event runs at a time, so the
 * host in charge is a single "current" slot the links and the verifier read.
 */
import type { Scheduler } from './scheduler.ts';

/** What a host's handling costs, in virtual milliseconds. */
export interface CostModel {
  /** Per signature verified by the node (its own cache missed). */
  readonly signatureMs: number;
  /** Per message (chunk batch) handled, and per timer or injected event. */
  readonly messageMs: number;
}

/** Something queued to leave when the current handling ends. */
export type Departure = (at: number) => void;

export class SimHost {
  /** Virtual ms until which the CPU is busy. */
  busyUntil = 0;
  alive = true;
  /** Virtual CPU ms spent, over the run. */
  cpuMs = 0;
  /** Signatures charged to this node. */
  signatures = 0;
  /** Simulated links of this host not yet closed (its connection budget counts them). */
  links = 0;
  /** Charged within the current event. */
  charge = 0;
  readonly departures: Departure[] = [];

  constructor(
    readonly index: number,
    readonly label: string,
  ) {}
}

/** Runs host events on the scheduler, charging their cost and releasing their sends at the end. */
export class HostRunner {
  private current: SimHost | null = null;

  constructor(
    readonly scheduler: Scheduler,
    readonly costs: CostModel,
  ) {
    scheduler.onSettled = () => this.settle();
  }

  /** The host whose event is running, if any. */
  get active(): SimHost | null {
    return this.current;
  }

  /** Adds to the running host's bill (no host: free, e.g. set-up before the clock starts). */
  charge(ms: number): void {
    if (this.current) this.current.charge += ms;
  }

  /** Runs `fn` as an event of `host` at `time` (later if its CPU is busy then). */
  at(host: SimHost, time: number, fn: () => void, cost = this.costs.messageMs): () => void {
    let cancel = this.scheduler.at(time, () => this.run(host, fn, cost, (c) => (cancel = c)));
    return () => cancel();
  }

  after(host: SimHost, delay: number, fn: () => void, cost?: number): () => void {
    return this.at(host, this.scheduler.now + delay, fn, cost);
  }

  private run(host: SimHost, fn: () => void, cost: number, rescheduled: (cancel: () => void) => void): void {
    if (!host.alive) return;
    const now = this.scheduler.now;
    if (host.busyUntil > now) {
      rescheduled(this.scheduler.at(host.busyUntil, () => this.run(host, fn, cost, rescheduled)));
      return;
    }
    this.current = host;
    host.charge = cost;
    fn();
  }

  /** After an event and its microtasks: the host's CPU is busy for what it cost; its sends leave. */
  private settle(): void {
    const host = this.current;
    if (!host) return;
    this.current = null;
    const end = this.scheduler.now + host.charge;
    host.cpuMs += host.charge;
    host.busyUntil = end;
    host.charge = 0;
    for (const depart of host.departures.splice(0)) depart(end);
  }
}
