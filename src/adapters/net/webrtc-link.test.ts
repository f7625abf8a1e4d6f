/**
 * WebRtcLink over real WebRTC in Node (test-plan E.29–E.31): two links, an initiator and a
 * responder, whose signaling is handed straight to each other; no ICE servers, so they connect
 * over host candidates on this machine. `@roamhq/wrtc` (node-webrtc's maintained fork, prebuilt
 * libwebrtc) is simple-peer's `wrtc`.
 *
 * node-webrtc's data channel has no `bufferedAmountLowThreshold` and never fires
 * `bufferedamountlow`, so here the link drains its queue by polling (its fallback); in a browser
 * the event drives it. Everything opened is closed in `afterEach`: a live RTCPeerConnection keeps
 * native threads (and so the test process) alive.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SignalData } from '../../core/index.ts';
import { WebRtcLink, type WebRtcLinkOptions } from './webrtc-link.ts';

const CHUNK = 16 * 1024;
const HIGH_WATER = 1024 * 1024;

let wrtc: unknown;
beforeAll(async () => {
  // A CommonJS module: its exports object (RTCPeerConnection, RTCSessionDescription, …) is `default`.
  wrtc = (await import('@roamhq/wrtc')).default;
});

const live: WebRtcLink[] = [];
afterEach(() => {
  for (const link of live.splice(0)) link.close();
});

interface Side {
  readonly link: WebRtcLink;
  readonly closes: string[];
  readonly chunks: Uint8Array[];
  /** Called on every chunk that arrives, after it is recorded. */
  onData?: (chunk: Uint8Array) => void;
}

type Extra = Partial<Omit<WebRtcLinkOptions, 'initiator' | 'onSignal' | 'onOpen' | 'onData' | 'onClose' | 'wrtc'>>;

function side(initiator: boolean, onSignal: (data: SignalData) => void, opened: () => void, extra: Extra = {}): Side {
  const s: { link?: WebRtcLink; closes: string[]; chunks: Uint8Array[]; onData?: (chunk: Uint8Array) => void } = { closes: [], chunks: [] };
  s.link = new WebRtcLink({
    initiator,
    wrtc,
    onSignal,
    onOpen: opened,
    onData: (chunk) => {
      s.chunks.push(chunk);
      s.onData?.(chunk);
    },
    onClose: (reason) => s.closes.push(reason),
    ...extra,
  });
  live.push(s.link);
  return s as Side;
}

/** Two links wired to each other; resolves once both are open. */
async function connectedPair(extra: Extra = {}): Promise<{ a: Side; b: Side }> {
  let open = 0;
  let resolveOpen!: () => void;
  const bothOpen = new Promise<void>((resolve) => (resolveOpen = resolve));
  const opened = () => {
    if (++open === 2) resolveOpen();
  };
  const sides: { a?: Side; b?: Side } = {};
  sides.a = side(true, (data) => sides.b!.link.signal(data), opened, extra);
  sides.b = side(false, (data) => sides.a!.link.signal(data), opened, extra);
  await bothOpen;
  return { a: sides.a, b: sides.b };
}

/** Waits until `condition` holds (polling), or fails with `what` after `timeoutMs`. */
// Bounds are generous: on a loaded machine WebRTC's own timers (ICE, SCTP) run late, and a bound
// only says when to give up, never how fast things must be.
async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Chunk `i` of a transfer: its index in the first 4 bytes, then bytes that depend on it. */
function chunkOf(i: number): Uint8Array {
  const chunk = new Uint8Array(CHUNK);
  new DataView(chunk.buffer).setUint32(0, i, true);
  for (let j = 4; j < CHUNK; j++) chunk[j] = (i * 31 + j * 7) & 0xff;
  return chunk;
}

describe('WebRtcLink over WebRTC (node-webrtc)', { timeout: 90_000 }, () => {
  it('behavior: E.29 a 20 MiB burst in 16 KiB chunks: send never throws, every byte arrives in order, the channel stays open, buffered rises past the high-water mark and drains to 0', async () => {
    const { a, b } = await connectedPair();
    expect(a.link.isOpen && b.link.isOpen).toBe(true);

    const count = (20 * 1024 * 1024) / CHUNK;
    const sent = createHash('sha256');
    const received = createHash('sha256');
    let receivedBytes = 0;
    let nextIndex = 0;
    const outOfOrder: string[] = [];
    b.onData = (chunk) => {
      if (chunk.length !== CHUNK) outOfOrder.push(`chunk ${nextIndex} has ${chunk.length} bytes`);
      const index = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength).getUint32(0, true);
      if (index !== nextIndex && outOfOrder.length < 5) outOfOrder.push(`chunk ${index} arrived when ${nextIndex} was due`);
      nextIndex = index + 1;
      received.update(chunk);
      receivedBytes += chunk.length;
    };
    b.chunks.length = 0;

    let throws = 0;
    let maxBuffered = 0;
    for (let i = 0; i < count; i++) {
      const chunk = chunkOf(i);
      sent.update(chunk);
      try {
        a.link.send(chunk);
      } catch {
        throws++;
      }
      maxBuffered = Math.max(maxBuffered, a.link.buffered);
    }
    expect(throws).toBe(0);
    expect(maxBuffered).toBeGreaterThan(HIGH_WATER);

    await until(() => receivedBytes >= count * CHUNK || a.closes.length > 0 || b.closes.length > 0, 'the whole burst to arrive');
    expect(outOfOrder).toEqual([]);
    expect(receivedBytes).toBe(count * CHUNK);
    expect(received.digest('hex')).toBe(sent.digest('hex'));
    await until(() => a.link.buffered === 0, 'the sender to drain to 0 buffered bytes');
    expect(a.closes).toEqual([]);
    expect(b.closes).toEqual([]);
    expect(a.link.isOpen && b.link.isOpen).toBe(true);
  });

  it.each(['sender', 'receiver'] as const)('behavior: E.30 a link closed mid-transfer by the %s: onClose fires once on both sides and later sends are ignored', async (closer) => {
    const { a, b } = await connectedPair({ disconnectedGrace: 1000 });
    let receivedBytes = 0;
    b.onData = (chunk) => (receivedBytes += chunk.length);
    // 8 MiB: far more than gets through before the close.
    for (let i = 0; i < 512; i++) a.link.send(chunkOf(i));
    await until(() => receivedBytes >= HIGH_WATER, 'the transfer to be under way');
    expect(receivedBytes).toBeLessThan(512 * CHUNK);

    (closer === 'sender' ? a : b).link.close();
    const other = closer === 'sender' ? b : a;
    await until(() => a.closes.length > 0 && b.closes.length > 0, 'both sides to report the close');
    expect((closer === 'sender' ? a : b).closes).toEqual(['closed']);
    expect(other.closes).toHaveLength(1);
    expect(a.link.isOpen || b.link.isOpen).toBe(false);

    for (const s of [a, b]) expect(() => s.link.send(chunkOf(0))).not.toThrow();
    expect(a.link.buffered).toBe(0);
    expect(() => a.link.close()).not.toThrow();
    // Nothing more: no second onClose from simple-peer's own close or error events.
    await sleep(300);
    expect(a.closes).toHaveLength(1);
    expect(b.closes).toHaveLength(1);
  });

  it('error: E.31 links that never get the other side\'s signals are destroyed by their connect timeout', async () => {
    const signals: SignalData[] = [];
    // The initiator makes an offer nobody answers; the responder never hears from anyone.
    const offering = side(true, (data) => signals.push(data), () => undefined, { connectTimeout: 300 });
    const waiting = side(false, () => undefined, () => undefined, { connectTimeout: 300 });
    await until(() => offering.closes.length > 0 && waiting.closes.length > 0, 'the connect timeouts');
    expect(signals.length).toBeGreaterThan(0);
    expect(offering.closes).toEqual(['connect timeout']);
    expect(waiting.closes).toEqual(['connect timeout']);
    expect(offering.link.isOpen || waiting.link.isOpen).toBe(false);
    // A late answer or a send after the timeout changes nothing and throws nothing.
    expect(() => offering.link.signal({ type: 'answer', sdp: 'v=0' })).not.toThrow();
    expect(() => offering.link.send(new Uint8Array(10))).not.toThrow();
    await sleep(100);
    expect(offering.closes).toHaveLength(1);
  });

  it.each([
    ['null', null],
    ['an object that is no signal', { hello: 'world' }],
    ['an offer whose SDP is garbage', { type: 'offer', sdp: 'not an sdp' }],
  ])('error: E.31 bad signaling data (%s) ends the link without throwing', async (_name, data) => {
    const link = side(false, () => undefined, () => undefined, { connectTimeout: 5000 });
    expect(() => link.link.signal(data as unknown as SignalData)).not.toThrow();
    // The reason below tells this close from the connect timeout's, so the bound can be generous.
    await until(() => link.closes.length > 0, 'the link to end');
    expect(link.closes).toHaveLength(1);
    expect(link.closes[0]).toMatch(/^(bad signaling data|link error: ERR_)/);
    expect(link.link.isOpen).toBe(false);
    expect(() => link.link.signal({ type: 'offer', sdp: 'v=0' })).not.toThrow();
    await sleep(100);
    expect(link.closes).toHaveLength(1);
  });
});

describe('WebRtcLink path and diagnostics', () => {
  it('behavior: an open link on one machine reports a host-to-host path from getStats, and its gathered candidates', async () => {
    const { a, b } = await connectedPair();
    let path = await a.link.path();
    // The selected pair may take a moment to show in the stats after the channel opens.
    for (let i = 0; !path && i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      path = await a.link.path();
    }
    expect(path).toMatchObject({ local: 'host', remote: 'host' });
    expect(a.link.diagnostics()).toMatchObject({ iceFailed: false, serverErrors: [] });
    expect(a.link.diagnostics().gathered).toContain('host');
    b.link.close();
    a.link.close();
    expect(await a.link.path()).toBeNull();
  });
});
