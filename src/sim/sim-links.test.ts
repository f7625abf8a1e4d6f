import { describe, expect, it } from 'vitest';
import type { SignalData } from '../core/index.ts';
import type { WebRtcLinkOptions } from '../adapters/net/webrtc-link.ts';
import { Scheduler } from './scheduler.ts';
import { HostRunner, SimHost } from './sim-host.ts';
import { LinkFabric, type LinkModel, type SimLinkEnd } from './sim-links.ts';
import { SeededRandom } from './seeded-random.ts';
import { Traffic } from './traffic.ts';

/** Two hosts with a link between them, signaled by hand; arrivals recorded with their virtual times. */
async function pair(model: Partial<LinkModel>, messageMs = 0) {
  const scheduler = new Scheduler();
  const runner = new HostRunner(scheduler, { signatureMs: 0, messageMs });
  const full: LinkModel = { latencyMs: 100, jitterMs: 0, loss: 0, bandwidthMbit: 0, setupRoundTrips: 3, ...model };
  const fabric = new LinkFabric(runner, full, new SeededRandom(9), new Traffic());
  const a = new SimHost(0, 'a');
  const b = new SimHost(1, 'b');
  const received: { at: number; bytes: number[] }[] = [];
  const opened: [string, number][] = [];
  const signals: { from: 'a' | 'b'; data: SignalData }[] = [];
  const options = (side: 'a' | 'b', initiator: boolean): WebRtcLinkOptions => ({
    initiator,
    onSignal: (data) => signals.push({ from: side, data }),
    onOpen: () => opened.push([side, scheduler.now]),
    onData: (chunk) => side === 'b' && received.push({ at: scheduler.now, bytes: [...chunk] }),
    onClose: () => {},
  });
  let endA!: SimLinkEnd;
  let endB!: SimLinkEnd;
  runner.at(a, 0, () => {
    endA = fabric.factory(a)(options('a', true)) as SimLinkEnd;
  });
  await scheduler.runUntil(0);
  runner.at(b, 0, () => {
    endB = fabric.factory(b)(options('b', false)) as SimLinkEnd;
    endB.signal(signals.find((s) => s.from === 'a')!.data);
  });
  await scheduler.runUntil(0);
  runner.at(a, 0, () => endA.signal(signals.find((s) => s.from === 'b')!.data));
  await scheduler.runUntil(0);
  return { scheduler, runner, fabric, a, b, endA: () => endA, endB: () => endB, received, opened };
}

describe('simulated links', () => {
  it('behavior: open after the set-up round trips (the answerer half a trip sooner), latency within latency ± jitter', async () => {
    const { scheduler, opened } = await pair({ latencyMs: 100, jitterMs: 0 });
    await scheduler.runUntil(10_000);
    // 3 round trips of 2 × 100 ms.
    expect(opened).toEqual([
      ['b', 500],
      ['a', 600],
    ]);
  });

  it('behavior: a chunk arrives after its serialisation on the uplink plus the one-way latency; later chunks queue behind it', async () => {
    // 8 Mbit/s: 1,000 bytes take 1 ms on the wire.
    const { scheduler, runner, a, endA, received } = await pair({ latencyMs: 100, bandwidthMbit: 8 });
    await scheduler.runUntil(600);
    runner.at(a, 1000, () => {
      endA().send(new Uint8Array(1000).fill(1));
      endA().send(new Uint8Array(3000).fill(2));
    });
    await scheduler.runUntil(5000);
    expect(received.map((r) => [r.at, r.bytes[0], r.bytes.length])).toEqual([
      [1101, 1, 1000],
      [1104, 2, 3000],
    ]);
  });

  it('behavior: sends made while handling leave when the handling ends (its cost pushes the CPU on)', async () => {
    const { scheduler, runner, a, endA, received } = await pair({ latencyMs: 50 }, 2);
    await scheduler.runUntil(600);
    runner.at(a, 1000, () => {
      runner.charge(10);
      endA().send(Uint8Array.of(7));
    });
    await scheduler.runUntil(5000);
    // Handling starts at 1000, costs 2 (the message) + 10: the chunk leaves at 1012.
    expect(received.map((r) => r.at)).toEqual([1062]);
    expect(a.busyUntil).toBe(1012);
  });

  it('behavior: with jitter and loss, chunks still arrive in order, none earlier than the latency floor, lost ones a round trip late', async () => {
    const { scheduler, runner, a, endA, received } = await pair({ latencyMs: 100, jitterMs: 50, loss: 0.2 });
    await scheduler.runUntil(2000);
    for (let i = 0; i < 200; i++) runner.at(a, 2000 + i * 5, () => endA().send(Uint8Array.of(i)));
    await scheduler.runUntil(100_000);
    expect(received.map((r) => r.bytes[0])).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const delays = received.map((r, i) => r.at - (2000 + i * 5));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(50);
    // Some chunks were lost and retransmitted: at least one delay exceeds the worst one-way path.
    expect(Math.max(...delays)).toBeGreaterThan(150 + 10);
  });

  it('behavior: closing one side closes the other after one trip', async () => {
    const { scheduler, runner, a, endA, endB } = await pair({ latencyMs: 40 });
    await scheduler.runUntil(1000);
    expect(endB().isOpen).toBe(true);
    runner.at(a, 1000, () => endA().close());
    await scheduler.runUntil(1039);
    expect(endB().isOpen).toBe(true);
    await scheduler.runUntil(1041);
    expect(endB().isOpen).toBe(false);
    expect(a.links).toBe(0);
  });
});

describe('partitions', () => {
  it('behavior: chunks sent across a cut arrive after it heals, in order; others are not held', async () => {
    const { scheduler, runner, fabric, a, b, endA, received } = await pair({ latencyMs: 30 });
    await scheduler.runUntil(1000);
    fabric.partition(new Set([a]), 5000);
    expect(fabric.cutUntil(a, b, 1000)).toBe(5000);
    expect(fabric.cutUntil(b, a, 1000)).toBe(5000);
    expect(fabric.cutUntil(a, a, 1000)).toBe(0);
    runner.at(a, 2000, () => endA().send(Uint8Array.of(1)));
    runner.at(a, 6000, () => endA().send(Uint8Array.of(2)));
    await scheduler.runUntil(10_000);
    expect(received.map((r) => [r.at, r.bytes[0]])).toEqual([
      [5030, 1],
      [6030, 2],
    ]);
    expect(fabric.cutUntil(a, b, 6000)).toBe(0);
  });
});
