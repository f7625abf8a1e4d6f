/**
 * @module How a tab's link slots are split and in what order it tries peers: what keeps the
 * network a random-looking graph instead of clusters of whoever the signaling server named first
 * (issue 16, part 3).
 *
 * - **Outbound slots** (Bitcoin's 8 outbound of 125): a tab opens at most `outboundSlots(maxPeers)`
 *   links of its own choosing, to peers picked uniformly at random among those the signaling
 *   servers and the mesh know. Those slots are its own: offers from others cannot fill them, so a
 *   flood of inbound offers or the first tabs to join cannot decide all of its neighbours.
 * - **Inbound slots**: the rest, `inboundSlots(maxPeers)`. Since every link has exactly one
 *   chooser, a network of tabs averages 2 × outbound links a tab (6 of 8), and a tab's inbound
 *   slots (5 of 8) are more than the 3 others choose it for on average: the slack is what lets a
 *   newcomer find a tab with room at once, without evicting anybody. Where a tab's inbound slots
 *   are all taken (the first tabs of a room are chosen more often: they were there for every later
 *   one), a newcomer's offer displaces one ready inbound link by Bitcoin Core's rules
 *   (link-eviction.ts), and the displaced peer chooses again at random: how the graph keeps mixing.
 * - **Random order**: candidates are drawn with the connector's randomness (Math.random in a
 *   tab; the simulator's seeded generator, so a run stays deterministic for a seed), not taken in
 *   the server's join order, **by source** (`bySource`): the signaling servers' rooms get half
 *   the draws while linked peers introduced anyone (each server an equal part of it), and each
 *   introducing peer an equal part of the other half, however long its list. A choice made
 *   again is drawn the same way, the old choice among the candidates. Drawn uniformly over all ids, one inbound peer listing
 *   the wire's limit of made-up or colluding ids beside a room of a few dozen got most of a
 *   tab's choices (a review's finding); Bitcoin Core's address manager likewise buckets
 *   addresses by who told it of them.
 * - **Choices made with little choice are made again**: a tab among the first in a room can only
 *   choose among the few there, so the first tabs would stay a clique of each other's choices
 *   while the room grows. An outbound link chosen among fewer than half the peers it could
 *   choose now (and fewer than 2 × maxPeers, so a settled room never rotates) is chosen again, at
 *   most one per ROTATE_INTERVAL_MS and only once it has been open ROTATE_MIN_AGE_MS: at random
 *   among the peers it could choose now that it has no link with, and the old choice itself (so
 *   a choice that would be made again stays, and with nobody new to choose nothing changes). A
 *   new choice is made before the old is broken, as Bitcoin Core's extra outbound peers are: the
 *   old link is dropped only once the new one is ready, and stays if it never is. Never chosen
 *   again: the peer that brought the tab its latest block (Bitcoin Core keeps the outbound
 *   peers that bring blocks when it drops one), so a tab's block source is not traded for a
 *   stranger. A link is chosen again at most each time the room doubles: a few times for the
 *   first tabs, never for a tab that joined a room already large.
 * - **Peers it could choose** are counted as they are chosen from: distinct ids in an online
 *   server's room or introduced by a linked peer, not itself, not banned. Counted with the mesh's
 *   introductions on top of the rooms (most ids are in both), a small room looked twice its
 *   size and every link chosen in it was chosen again every 30 s: the adversary spec's honest
 *   pair churned.
 * - **A choice stands until the tab makes it again**: an own choice whose link was lost (nobody
 *   answered, or it closed: a network change, a peer that dropped it) keeps its slot while its
 *   peer stays in the room, for CHOICE_HOLD_MS, and is offered to again as its backoff allows. A
 *   tab refuses offers from ids with no history while a flood of fresh ids holds their share of
 *   its half-open slots, and takes them once they have been in the room a while
 *   (link-admission.ts): drawn again at once, a newcomer's choice of a flooded tab was lost, and
 *   the flood decided whom it linked to; and two tabs whose link dropped drifted apart, each
 *   filling the slot with someone else.
 */

/**
 * Links a tab chooses itself: a little under half its slots (3 of 8), at least one. A half (4 of
 * 8) would leave the network's inbound slots exactly as many as its outbound choices, so the last
 * choices could only be met by evicting someone else's.
 */
export function outboundSlots(maxPeers: number): number {
  if (maxPeers <= 0) return 0;
  return Math.max(1, Math.ceil(maxPeers / 2) - 1);
}

/** Links others may choose this tab for: every slot not kept for its own choices (at least one while it links at all). */
export function inboundSlots(maxPeers: number): number {
  if (maxPeers <= 0) return 0;
  return Math.max(1, maxPeers - outboundSlots(maxPeers));
}

/** Where a tab learned of a peer: a signaling server's room (`url`: which server), or a linked peer's list (`via`). */
export type PeerSource<P> = { readonly kind: 'server'; readonly url?: string } | { readonly kind: 'relay'; readonly via: P };

/**
 * `candidates` in a random order drawn by source, lazily (see the module comment): each draw
 * takes the rooms with probability 1/2 while both the rooms and some introducer have candidates
 * left, then a server (of those with candidates left) or an introducer uniformly, then a
 * candidate of that source uniformly. Each server's room is a source of its own: a server that
 * lists a flood of ids takes no more than another server's share.
 */
export function* bySource<P, R extends PeerSource<P>>(candidates: Iterable<readonly [P, R]>, random: () => number): Generator<[P, R]> {
  const rooms = new Map<string | undefined, [P, R][]>();
  const byIntroducer = new Map<P, [P, R][]>();
  for (const [peer, route] of candidates) {
    const groups: Map<string | undefined | P, [P, R][]> = route.kind === 'server' ? rooms : byIntroducer;
    const key = route.kind === 'server' ? route.url : route.via;
    const list = groups.get(key);
    if (list) list.push([peer, route]);
    else groups.set(key, [[peer, route]]);
  }
  const room = [...rooms.values()];
  const introduced = [...byIntroducer.values()];
  // One draw picks among several; a single one is taken without drawing.
  const index = (n: number) => (n === 1 ? 0 : Math.floor(random() * n));
  const drawFrom = (sources: [P, R][][]): [P, R] => {
    const g = index(sources.length);
    const list = sources[g]!;
    const i = index(list.length);
    const picked = list[i]!;
    list[i] = list[list.length - 1]!;
    list.pop();
    if (list.length === 0) {
      sources[g] = sources[sources.length - 1]!;
      sources.pop();
    }
    return picked;
  };
  while (room.length > 0 || introduced.length > 0) {
    const fromRooms = room.length > 0 && (introduced.length === 0 || random() < 0.5);
    yield drawFrom(fromRooms ? room : introduced);
  }
}

/** At most one outbound link chosen again per this long (ms). */
export const ROTATE_INTERVAL_MS = 30_000;
/** A link is chosen again only once it has been open this long (ms): not while the room forms. */
const ROTATE_MIN_AGE_MS = 30_000;

/** What choosing again needs to know of an outbound link. */
export interface ChosenLink {
  readonly initiator: boolean;
  readonly openedAt?: number;
  /** How many peers this tab knew when it chose the link (outbound links only). */
  readonly chosenAmong?: number;
}

/**
 * An own choice whose link was lost is offered to again, its slot kept, for this long (ms) while
 * its peer stays in the room: longer than a peer with no history waits to be taken by a flooded
 * tab (SEASONED_MS in link-admission.ts, 30 s) plus a connect timeout.
 */
export const CHOICE_HOLD_MS = 45_000;

/**
 * The outbound link to choose again now, if any: the one chosen among the fewest peers, when
 * that was fewer than half of `known` (the peers it could choose now) and than 2 × maxPeers, and
 * it has been open ROTATE_MIN_AGE_MS; never `keep` (the peer that brought the latest block).
 */
export function linkToChooseAgain<K>(links: ReadonlyMap<K, ChosenLink>, known: number, maxPeers: number, now: number, keep?: K): K | null {
  let pick: K | null = null;
  let fewest = Infinity;
  for (const [id, link] of links) {
    const among = link.chosenAmong;
    if (id === keep) continue;
    if (!link.initiator || among === undefined || link.openedAt === undefined || now - link.openedAt < ROTATE_MIN_AGE_MS) continue;
    if (2 * among > known || among >= 2 * maxPeers || among >= fewest) continue;
    pick = id;
    fewest = among;
  }
  return pick;
}
