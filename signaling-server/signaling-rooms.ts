/**
 * @module The signaling server's rooms: one per network id, each mapping a proven peer id to the
 * socket that joined under it, the only state the server keeps. Who is in a room, who gets told
 * when a peer leaves, and who gives up a place when a room is full: the newest peer of the most
 * represented address group, so sockets from a few addresses cannot keep out tabs from others.
 */
import type { PeerId } from '../src/core/net/peer-identity.ts';
import type { ServerMessage } from '../src/core/net/signaling-messages.ts';

/** What the rooms need of a socket (the endpoint's connection record). */
export interface RoomMember {
  /** The address group its per-address limits count in (client-address.ts addressGroup). */
  readonly group: string;
  /** Its proven id once it has joined (kept after it leaves its room, for the logs). */
  peerId: PeerId | null;
  room: string | null;
  /** When it joined its room (a sequence number): the newest are evicted first. */
  joinedSeq: number;
}

export class SignalingRooms<M extends RoomMember> {
  private readonly rooms = new Map<string, Map<PeerId, M>>();
  private joinSeq = 0;

  /** `tell` sends a member a message (`peer-left` when another leaves its room). */
  constructor(
    private readonly maxPeersPerRoom: number,
    private readonly tell: (member: M, message: ServerMessage) => void,
  ) {}

  /** The socket in `room` under `peerId`, if any. */
  member(room: string, peerId: PeerId): M | undefined {
    return this.rooms.get(room)?.get(peerId);
  }

  /** Every socket in `room`. */
  members(room: string): M[] {
    return [...(this.rooms.get(room)?.values() ?? [])];
  }

  /** Whether `room` has its maximum of peers. */
  isFull(room: string): boolean {
    return (this.rooms.get(room)?.size ?? 0) >= this.maxPeersPerRoom;
  }

  /**
   * Files `member` in `room` under `peerId` (its place must be free: see {@link leave}) and
   * returns the ids that were there before it.
   */
  join(member: M, room: string, peerId: PeerId): PeerId[] {
    const members = this.rooms.get(room) ?? new Map<PeerId, M>();
    const peers = [...members.keys()];
    members.set(peerId, member);
    this.rooms.set(room, members);
    member.peerId = peerId;
    member.room = room;
    member.joinedSeq = ++this.joinSeq;
    return peers;
  }

  /** Takes the member out of its room (if it is still the room's socket for its id) and tells the others. */
  leave(member: M): void {
    if (!member.room || !member.peerId) return;
    const members = this.rooms.get(member.room);
    if (members?.get(member.peerId) === member) {
      members.delete(member.peerId);
      if (members.size === 0) this.rooms.delete(member.room);
      for (const other of members.values()) this.tell(other, { type: 'peer-left', peerId: member.peerId });
    }
    member.room = null;
  }

  /**
   * The peer to evict from a full room for a joiner of `joinerGroup`: the newest joined peer of
   * the group with the most peers in the room, when that group has more than the joiner's; else
   * null (the joiner's group is already among the most represented: it gets `room-full`).
   */
  newestOfCrowdedGroup(room: string, joinerGroup: string): M | null {
    const members = this.members(room);
    const counts = new Map<string, number>();
    for (const m of members) counts.set(m.group, (counts.get(m.group) ?? 0) + 1);
    let crowded: string | null = null;
    let most = 0;
    for (const [group, n] of counts) if (n > most) [crowded, most] = [group, n];
    if (crowded === null || most <= (counts.get(joinerGroup) ?? 0) + 1) return null;
    // Among the groups tied for most, the newest peer of any of them.
    let newest: M | null = null;
    for (const m of members) if (counts.get(m.group) === most && (!newest || m.joinedSeq > newest.joinedSeq)) newest = m;
    return newest;
  }

  /** Rooms with at least one peer. */
  get roomCount(): number {
    return this.rooms.size;
  }

  /** Joined peers over all rooms. */
  get peerCount(): number {
    let peers = 0;
    for (const members of this.rooms.values()) peers += members.size;
    return peers;
  }
}
