/**
 * @module A WebRTC data channel to one peer (simple-peer), as the network's `LinkPort`.
 *
 * - Sends respect back-pressure: above `highWater` buffered bytes, chunks wait in a queue that
 *   drains on `bufferedamountlow`, so a burst of many MiB never throws and never grows the
 *   browser's buffer without bound (test-plan E.29). Where the channel has no
 *   `bufferedAmountLowThreshold` (node-webrtc, used by the Node tests) it polls instead, as
 *   simple-peer itself does.
 * - A link that does not open within `connectTimeout`, or whose ICE stays `disconnected` for
 *   `disconnectedGrace`, is destroyed: no zombie peers (E.31).
 */
import SimplePeer, { type SimplePeerInstance } from 'simple-peer/simplepeer.min.js';
import type { LinkPort, SignalData } from '../../core/index.ts';
import { pageConnectionBudget, type ConnectionBudget } from './connection-budget.ts';
import { selectedPath, type CandidateType, type LinkPath } from './link-path.ts';

/** What ICE did on a link: for telling "a relay is needed" from "the relay refused us". */
export interface IceDiagnostics {
  /** Types of the local candidates gathered (a `relay` one means a TURN server gave an allocation). */
  readonly gathered: readonly CandidateType[];
  /** `icecandidateerror` codes from STUN/TURN servers: 401 a refused credential, 701 no answer. */
  readonly serverErrors: readonly number[];
  /** ICE tried every pair and none worked (`iceConnectionState` failed). */
  readonly iceFailed: boolean;
}

export interface WebRtcLinkOptions {
  readonly initiator: boolean;
  readonly iceServers?: RTCIceServer[];
  /** Signaling data to hand to the other side (through the server or a relaying peer). */
  readonly onSignal: (data: SignalData) => void;
  readonly onOpen: () => void;
  readonly onData: (chunk: Uint8Array) => void;
  /** Called once, however the link ends. */
  readonly onClose: (reason: string) => void;
  readonly connectTimeout?: number;
  readonly disconnectedGrace?: number;
  readonly highWater?: number;
  /** For Node tests: the `wrtc` implementation. */
  readonly wrtc?: unknown;
  /** Counts the connection against the page's limit (default: the page's one budget). */
  readonly budget?: ConnectionBudget;
  /** Called when {@link WebRtcLink.diagnostics} changed (a candidate type gathered, a server error, ICE failed). */
  readonly onDiagnostics?: () => void;
}

export class WebRtcLink implements LinkPort {
  private readonly peer: SimplePeerInstance;
  private readonly queue: Uint8Array[] = [];
  private closed = false;
  private opened = false;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  /** Drains the queue when the channel never fires `bufferedamountlow` (node-webrtc). */
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private lowEvent = true;
  private readonly highWater: number;
  private readonly gathered = new Set<CandidateType>();
  private readonly serverErrors: number[] = [];
  private iceFailed = false;

  constructor(private readonly options: WebRtcLinkOptions) {
    this.highWater = options.highWater ?? 1024 * 1024;
    this.peer = new SimplePeer({
      initiator: options.initiator,
      trickle: true,
      config: { iceServers: options.iceServers ?? [] },
      channelConfig: { ordered: true },
      ...(options.wrtc ? { wrtc: options.wrtc } : {}),
    });
    const pc = this.peer._pc;
    if (pc) {
      (options.budget ?? pageConnectionBudget).track(pc);
      // Listeners only (no reference kept beyond simple-peer's own): the budget needs the
      // connection to be collectable once the link is gone.
      pc.addEventListener('icecandidate', (event) => {
        const type = (event as RTCPeerConnectionIceEvent).candidate?.type;
        if (type && !this.gathered.has(type)) {
          this.gathered.add(type);
          options.onDiagnostics?.();
        }
      });
      pc.addEventListener('icecandidateerror', (event) => {
        const code = (event as RTCPeerConnectionIceErrorEvent).errorCode;
        if (typeof code === 'number' && this.serverErrors.length < 32) {
          this.serverErrors.push(code);
          options.onDiagnostics?.();
        }
      });
    }
    this.peer.on('signal', (data) => {
      if (!this.closed) options.onSignal(data);
    });
    this.peer.on('connect', () => {
      if (this.closed) return;
      this.opened = true;
      clearTimeout(this.connectTimer);
      const channel = this.peer._channel;
      this.lowEvent = typeof channel?.bufferedAmountLowThreshold === 'number';
      channel?.addEventListener('bufferedamountlow', () => this.drain());
      options.onOpen();
    });
    this.peer.on('data', (data) => {
      if (!this.closed) options.onData(data instanceof Uint8Array ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data));
    });
    this.peer.on('iceStateChange', (state) => {
      if (state === 'failed' && !this.iceFailed) {
        this.iceFailed = true;
        options.onDiagnostics?.();
      }
      if (state === 'disconnected') {
        this.graceTimer ??= setTimeout(() => this.finish('ICE stayed disconnected'), options.disconnectedGrace ?? 8_000);
      } else if (state === 'connected' || state === 'completed') {
        clearTimeout(this.graceTimer);
        this.graceTimer = undefined;
      }
    });
    this.peer.on('error', (error) => this.finish(`link error: ${error.code ?? error.message}`));
    this.peer.on('close', () => this.finish('link closed'));
    this.connectTimer = setTimeout(() => this.finish('connect timeout'), options.connectTimeout ?? 20_000);
  }

  get isOpen(): boolean {
    return this.opened && !this.closed;
  }

  /** What ICE did so far on this link. */
  diagnostics(): IceDiagnostics {
    return { gathered: [...this.gathered], serverErrors: [...this.serverErrors], iceFailed: this.iceFailed };
  }

  /** The selected candidate pair (how the bytes travel) and its RTT; null before ICE chose one or after close. */
  async path(): Promise<LinkPath | null> {
    const pc = this.peer._pc;
    // Never ask a closing connection for stats: node-webrtc (the headless node's WebRTC) can
    // crash the process in its stats collector when the other side closed meanwhile.
    if (this.closed || !pc || pc.signalingState === 'closed' || pc.connectionState === 'closed') return null;
    try {
      return selectedPath(await pc.getStats());
    } catch {
      return null;
    }
  }

  /** Signaling data from the other side. Malformed data ends the link (never throws). */
  signal(data: SignalData): void {
    if (this.closed) return;
    try {
      this.peer.signal(data);
    } catch {
      this.finish('bad signaling data');
    }
  }

  send(chunk: Uint8Array): void {
    if (this.closed) return;
    if (this.queue.length > 0 || this.peer.bufferSize > this.highWater) {
      this.queue.push(chunk);
      if (!this.lowEvent) this.pollTimer ??= setInterval(() => this.drain(), 10);
      return;
    }
    this.write(chunk);
  }

  private write(chunk: Uint8Array): void {
    // node-webrtc (the headless node's WebRTC) frees a channel's native half on its own thread
    // once the channel closes, and a send racing that crashes the whole process (SIGSEGV in
    // RTCDataChannel::Send, seen with a peer that closed the link under a burst of sends). A
    // channel already closing gets nothing more; browsers would only throw here.
    const state = this.peer._channel?.readyState;
    if (state === 'closing' || state === 'closed') return this.finish('link closed');
    try {
      this.peer.send(chunk);
    } catch {
      this.finish('send failed');
    }
  }

  private drain(): void {
    while (!this.closed && this.queue.length > 0 && this.peer.bufferSize <= this.highWater) this.write(this.queue.shift()!);
    if (this.queue.length === 0) {
      clearInterval(this.pollTimer);
      this.pollTimer = undefined;
    }
  }

  /** Bytes waiting, in the browser's buffer and in the queue (LinkPort.buffered). */
  get buffered(): number {
    return this.peer.bufferSize + this.queue.reduce((n, c) => n + c.length, 0);
  }

  close(): void {
    this.finish('closed');
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.connectTimer);
    clearTimeout(this.graceTimer);
    clearInterval(this.pollTimer);
    this.queue.length = 0;
    this.peer.destroy();
    this.options.onClose(reason);
  }
}
