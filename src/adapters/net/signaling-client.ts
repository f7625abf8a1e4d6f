/**
 * @module The browser's side of the signaling server: connect, prove the node's key by signing
 * the server's challenge, join the network's room, take the ICE servers it hands out, and pass
 * offers/answers/candidates along. Reconnects by itself with exponential backoff (and jitter)
 * when the server goes away; links already open are not affected (test-plan F.38).
 *
 * A dead uplink (a home's router off, a laptop asleep) leaves a WebSocket open for minutes: TCP
 * sees nothing until it sends, and pages cannot see WebSocket ping frames. So the client sends
 * its own `ping` while joined and counts the socket dead when the server has said nothing for
 * `heartbeatTimeout`; it then reconnects as after any close.
 */
import {
  bytesToHex,
  hexToBytes,
  parseJsonSafely,
  roomContext,
  signIdentity,
  type ClientMessage,
  type NodeIdentity,
  type PeerId,
  type ServerMessage,
  type SignalData,
} from '../../core/index.ts';
import { isIceUrl, isTurnCredential } from './ice-url.ts';
import { systemHostTimers, type HostTimers } from '../host-timers.ts';

export type SignalingStatus = 'connecting' | 'online' | 'offline';

export interface SignalingClientOptions {
  /** ws:// or wss:// URL of the /signal endpoint. */
  readonly url: string;
  /** The room: the network id (genesis hash hex). */
  readonly room: string;
  readonly identity: NodeIdentity;
  readonly onStatus: (status: SignalingStatus) => void;
  readonly onPeers: (peers: PeerId[]) => void;
  readonly onPeerJoined: (peer: PeerId) => void;
  readonly onPeerLeft: (peer: PeerId) => void;
  readonly onSignal: (from: PeerId, data: SignalData) => void;
  /** The ICE servers the server hands out (at join, and after `refreshIceServers`). */
  readonly onIceServers?: (servers: RTCIceServer[]) => void;
  readonly minBackoff?: number;
  readonly maxBackoff?: number;
  readonly WebSocketImpl?: typeof WebSocket;
  /** How often to ping the server while joined (ms). Default 10,000. */
  readonly heartbeatInterval?: number;
  /** Silence from the server after which the socket counts as dead (ms). Default 25,000. */
  readonly heartbeatTimeout?: number;
  /** Clock, timers and randomness (default: the host's; the simulator's virtual ones). */
  readonly timers?: HostTimers;
}

export class SignalingClient {
  private socket: WebSocket | undefined;
  private backoff: number;
  private cancelReconnect: (() => void) | undefined;
  private stopped = false;
  private stopHeartbeat: (() => void) | undefined;
  private heardAt = 0;
  private readonly timers: HostTimers;
  status: SignalingStatus = 'offline';

  constructor(private readonly options: SignalingClientOptions) {
    this.backoff = options.minBackoff ?? 1000;
    this.timers = options.timers ?? systemHostTimers;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.cancelReconnect?.();
    this.stopHeartbeat?.();
    this.socket?.close();
    this.setStatus('offline');
  }

  /** Asks for fresh ICE servers (new TURN credentials); false when the server is not reachable. */
  refreshIceServers(): boolean {
    return this.send({ type: 'ice-refresh' });
  }

  /** Sends signaling data to a peer in the room; false when the server is not reachable. */
  signal(to: PeerId, data: SignalData): boolean {
    return this.send({ type: 'signal', to, data });
  }

  private send(message: ClientMessage): boolean {
    if (this.status !== 'online' && message.type !== 'join') return false;
    if (this.socket?.readyState !== 1) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private setStatus(status: SignalingStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.options.onStatus(status);
  }

  private connect(): void {
    if (this.stopped) return;
    this.setStatus('connecting');
    let socket: WebSocket;
    try {
      socket = new (this.options.WebSocketImpl ?? WebSocket)(this.options.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    // A dead uplink can leave a connect hanging for minutes (TCP retries its SYN): start over.
    this.startHeartbeat();
    socket.onmessage = (event) => {
      this.heardAt = this.timers.now();
      this.onMessage(typeof event.data === 'string' ? event.data : '');
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.lost();
      // 4001: another socket with this node's key took the place (a duplicated tab): do not
      // fight over it.
      if (event.code === 4001) return;
      this.scheduleReconnect();
    };
    socket.onerror = () => socket.close();
  }

  /** The socket is gone (closed, or silent past the heartbeat timeout): forget it. */
  private lost(): void {
    this.stopHeartbeat?.();
    this.stopHeartbeat = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.onmessage = socket.onclose = socket.onerror = null;
      // A dead link would take minutes to finish the close handshake: do not wait for it.
      try {
        socket.close();
      } catch {
        // Already closed.
      }
    }
    this.setStatus('offline');
  }

  /**
   * While connecting: a socket not joined within `heartbeatTimeout` is given up. While joined:
   * a ping each `heartbeatInterval`, and a ping unanswered for `heartbeatTimeout` means the
   * socket is dead. Hidden tabs run timers late (once a minute after a while): silence is
   * judged from when the ping was sent, so a late timer never mistakes its own lateness for a
   * dead server.
   */
  private startHeartbeat(): void {
    this.stopHeartbeat?.();
    const interval = this.options.heartbeatInterval ?? 10_000;
    const timeout = this.options.heartbeatTimeout ?? 25_000;
    const startedAt = this.timers.now();
    this.heardAt = startedAt;
    let pingSentAt: number | null = null;
    this.stopHeartbeat = this.timers.every(interval, () => {
      const now = this.timers.now();
      const unanswered = pingSentAt !== null && this.heardAt < pingSentAt;
      const dead = this.status === 'online' ? unanswered && now - pingSentAt! > timeout : now - startedAt > timeout;
      if (dead) {
        this.lost();
        this.scheduleReconnect();
        return;
      }
      if (this.status === 'online' && !unanswered && this.send({ type: 'ping' })) pingSentAt = now;
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.cancelReconnect?.();
    const delay = this.backoff * (0.75 + this.timers.random() * 0.5);
    this.backoff = Math.min(this.backoff * 2, this.options.maxBackoff ?? 10_000);
    this.cancelReconnect = this.timers.after(delay, () => this.connect());
  }

  private onMessage(text: string): void {
    const message = parseJsonSafely(text) as ServerMessage | undefined;
    if (!message || typeof message !== 'object' || typeof message.type !== 'string') return;
    switch (message.type) {
      case 'challenge': {
        if (typeof message.nonce !== 'string' || !/^[0-9a-f]{64}$/.test(message.nonce)) return;
        const { identity, room } = this.options;
        const signature = signIdentity(identity.secretKey, 'signal-join', hexToBytes(message.nonce), roomContext(room));
        this.send({ type: 'join', room, publicKey: bytesToHex(identity.publicKey), signature: bytesToHex(signature) });
        return;
      }
      case 'joined':
        this.backoff = this.options.minBackoff ?? 1000;
        this.setStatus('online');
        this.options.onIceServers?.(iceServersOf(message.iceServers));
        if (Array.isArray(message.peers)) this.options.onPeers(message.peers.filter((p) => typeof p === 'string'));
        return;
      case 'ice-servers':
        this.options.onIceServers?.(iceServersOf(message.iceServers));
        return;
      case 'peer-joined':
        if (typeof message.peerId === 'string') this.options.onPeerJoined(message.peerId);
        return;
      case 'peer-left':
        if (typeof message.peerId === 'string') this.options.onPeerLeft(message.peerId);
        return;
      case 'signal':
        if (typeof message.from === 'string' && message.data && typeof message.data === 'object') this.options.onSignal(message.from, message.data);
        return;
      default:
        return;
    }
  }
}

/**
 * The well-formed entries of a server's `iceServers` (anything else is dropped: a server is not
 * trusted to hand the browser a shape that makes `RTCPeerConnection` throw).
 */
export function iceServersOf(value: unknown): RTCIceServer[] {
  if (!Array.isArray(value)) return [];
  const servers: RTCIceServer[] = [];
  for (const entry of value.slice(0, 16)) {
    if (!entry || typeof entry !== 'object') continue;
    const { urls, username, credential } = entry as Record<string, unknown>;
    // Only URLs RTCPeerConnection accepts (a bare prefix check let `stun:h?transport=udp`, `stun:`
    // or `stun:h:0` through, and each of those makes every link fail).
    const list = (Array.isArray(urls) ? urls : [urls]).filter((u): u is string => typeof u === 'string' && isIceUrl(u));
    if (list.length === 0) continue;
    const server: RTCIceServer = { urls: list };
    if (list.some((u) => u.startsWith('turn'))) {
      if (!isTurnCredential(username, credential)) continue;
      server.username = username as string;
      server.credential = credential as string;
    }
    servers.push(server);
  }
  return servers;
}
