/**
 * @module The browser's side of the signaling server: connect, prove the node's key by signing
 * the server's challenge, join the network's room, and pass offers/answers/candidates along.
 * Reconnects by itself with exponential backoff (and jitter) when the server goes away; links
 * already open are not affected (test-plan F.38).
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
  readonly minBackoff?: number;
  readonly maxBackoff?: number;
  readonly WebSocketImpl?: typeof WebSocket;
}

export class SignalingClient {
  private socket: WebSocket | undefined;
  private backoff: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  status: SignalingStatus = 'offline';

  constructor(private readonly options: SignalingClientOptions) {
    this.backoff = options.minBackoff ?? 1000;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close();
    this.setStatus('offline');
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
    socket.onmessage = (event) => this.onMessage(typeof event.data === 'string' ? event.data : '');
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.setStatus('offline');
      // 4001: another socket with this node's key took the place (a duplicated tab): do not
      // fight over it.
      if (event.code === 4001) return;
      this.scheduleReconnect();
    };
    socket.onerror = () => socket.close();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const delay = this.backoff * (0.75 + Math.random() * 0.5);
    this.backoff = Math.min(this.backoff * 2, this.options.maxBackoff ?? 10_000);
    this.timer = setTimeout(() => this.connect(), delay);
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
        if (Array.isArray(message.peers)) this.options.onPeers(message.peers.filter((p) => typeof p === 'string'));
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
