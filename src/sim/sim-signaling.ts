/**
 * @module The simulated signaling server, and the WebSocket each node's real SignalingClient
 * opens to it. It answers as signaling-server/signaling.ts does, reusing its room bookkeeping
 * (signaling-rooms.ts) and its message checks (client-messages.ts): a challenge on connect, a
 * `join` whose signature proves the key (verified, as the real server does), `joined` with every
 * peer already in the room, `peer-joined`/`peer-left` to the others, signals passed on with the
 * sender's proven id, and pongs. What it leaves out is the real server's socket layer (HTTP
 * upgrade, origin and per-address limits, TURN credentials): the simulation has one honest server
 * and no addresses.
 *
 * Messages take the server's one-way latency each way; the server itself costs no virtual time.
 * An `introduces` hook decides which members each joiner learns of and is announced to (all, by
 * default): how a scenario makes the server show a victim only attackers.
 */
import { bytesToHex, peerIdOf, roomContext, verifyIdentity, type PeerId, type ServerMessage } from '../core/index.ts';
import { SignalingRooms, type RoomMember } from '../../signaling-server/signaling-rooms.ts';
import { checkJoin, checkSignal, MessageRefusal, type UncheckedMessage } from '../../signaling-server/client-messages.ts';
import type { HostRunner, SimHost } from './sim-host.ts';
import type { SeededRandom } from './seeded-random.ts';

/** The real server's default room size (signaling-options.ts). */
const MAX_PEERS_PER_ROOM = 100_000;

interface Member extends RoomMember {
  readonly socket: SimSocket;
  readonly nonce: Uint8Array;
}

export class SimSignalingServer {
  private readonly rooms: SignalingRooms<Member>;
  /** Whether `joiner` and `other` are told of each other (default: always). */
  introduces: (joiner: PeerId, other: PeerId) => boolean = () => true;
  messages = 0;

  constructor(
    private readonly runner: HostRunner,
    private readonly random: SeededRandom,
    /** One-way latency between a node and the server (ms). */
    readonly latencyMs: number,
  ) {
    this.rooms = new SignalingRooms<Member>(MAX_PEERS_PER_ROOM, (member, message) => this.tell(member, message));
  }

  /** A WebSocket class bound to one host: what its PeerConnector's `WebSocketImpl` is. */
  socketClassFor(host: SimHost): typeof WebSocket {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const server = this;
    return class extends SimSocket {
      constructor(url: string) {
        super(server, host, url);
      }
    } as unknown as typeof WebSocket;
  }

  /** A socket connected (after the latency): it gets a challenge. */
  accept(socket: SimSocket): Member {
    const member: Member = { socket, group: 'sim', peerId: null, room: null, joinedSeq: 0, nonce: this.random.fill(new Uint8Array(32)) };
    this.send(member, { type: 'challenge', nonce: bytesToHex(member.nonce) });
    return member;
  }

  private send(member: Member, message: ServerMessage): void {
    this.messages++;
    member.socket.fromServer(JSON.stringify(message));
  }

  private tell(member: Member, message: ServerMessage): void {
    if (message.type === 'peer-left' && member.peerId && !this.introduces(member.peerId, message.peerId)) return;
    this.send(member, message);
  }

  receive(member: Member, text: string): void {
    let message: UncheckedMessage;
    try {
      message = JSON.parse(text) as UncheckedMessage;
    } catch {
      return;
    }
    if (message.type === 'ping') return this.send(member, { type: 'pong' });
    if (message.type === 'join') return this.join(member, message);
    if (message.type === 'signal') {
      const signal = checkSignal(message);
      if (signal instanceof MessageRefusal || !member.room || !member.peerId) return;
      const target = this.rooms.member(member.room, signal.to);
      if (!target || target === member) return;
      this.send(target, { type: 'signal', from: member.peerId, data: signal.data });
    }
  }

  private join(member: Member, message: UncheckedMessage): void {
    const join = checkJoin(message);
    if (join instanceof MessageRefusal || member.peerId) return;
    if (!verifyIdentity(join.publicKey, join.signature, 'signal-join', member.nonce, roomContext(join.room))) return;
    const peerId = peerIdOf(join.publicKey);
    const stale = this.rooms.member(join.room, peerId);
    if (stale) {
      this.rooms.leave(stale);
      stale.socket.serverClosed(4001);
    }
    const peers = this.rooms.join(member, join.room, peerId).filter((p) => this.introduces(peerId, p));
    this.send(member, { type: 'joined', peerId, peers, iceServers: [] });
    for (const other of this.rooms.members(join.room)) {
      if (other !== member && other.peerId && this.introduces(peerId, other.peerId)) this.send(other, { type: 'peer-joined', peerId });
    }
  }

  /** The socket closed (its node stopped or left): out of the room, the others told. */
  closed(member: Member): void {
    this.rooms.leave(member);
  }

  /** Schedules `fn` on the server's side after the latency (the server is not a host: it costs nothing). */
  later(fn: () => void): void {
    this.runner.scheduler.after(this.latencyMs, fn);
  }

  /** Delivers to a host after the latency, as an event of that host. */
  toHost(host: SimHost, fn: () => void): void {
    this.runner.after(host, this.latencyMs, fn);
  }
}

/** The WebSocket the SignalingClient sees: open after one trip, messages after the latency. */
export class SimSocket {
  readyState = 0;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  private member: Member | undefined;

  constructor(
    private readonly server: SimSignalingServer,
    private readonly host: SimHost,
    readonly url: string,
  ) {
    server.later(() => {
      if (this.readyState !== 0) return;
      this.member = server.accept(this);
    });
  }

  /** A message from the server, delivered to the node after the latency. */
  fromServer(text: string): void {
    this.server.toHost(this.host, () => {
      if (this.readyState === 3) return;
      this.readyState = 1;
      this.onmessage?.({ data: text });
    });
  }

  send(text: string): void {
    if (this.readyState !== 1) return;
    this.server.later(() => {
      if (this.member && this.readyState === 1) this.server.receive(this.member, text);
    });
  }

  close(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.server.later(() => this.member && this.server.closed(this.member));
  }

  /** The server closed this socket (another took its key's place). */
  serverClosed(code: number): void {
    this.server.toHost(this.host, () => {
      if (this.readyState === 3) return;
      this.readyState = 3;
      this.onclose?.({ code });
    });
  }
}

