/**
 * @module The links a tab keeps, by peer, open or still opening: each with how its signaling
 * travels (route), what its peer had shown (standing), when it was made and opened, the chunks
 * that came before the Network took it, and its path once read. And what is read off the table:
 * each link's info for the Network view, the paths of open links, and which connects stalled.
 * The PeerConnector decides which links to make and keep; this keeps them.
 */
import type { PeerId, PeerInfo, SignalData } from '../core/index.ts';
import type { IceDiagnostics } from '../adapters/net/webrtc-link.ts';
import { pathKind, type LinkPath } from '../adapters/net/link-path.ts';
import type { LinkInfo } from './connectivity.ts';
import type { AdmittedLink, Standing } from './link-admission.ts';

/** What the connector needs of a link (a WebRtcLink; tests give their own). */
export interface ConnectorLink {
  readonly isOpen: boolean;
  readonly buffered: number;
  signal(data: SignalData): void;
  send(chunk: Uint8Array): void;
  close(): void;
  diagnostics(): IceDiagnostics;
  path(): Promise<LinkPath | null>;
}

/** How a link's signaling travels: through a signaling server (by URL), or relayed by a connected peer. */
export type Route = { readonly kind: 'server'; readonly url: string } | { readonly kind: 'relay'; readonly via: PeerId };

/** One link and what the connector knows of it. */
export interface KeptLink extends AdmittedLink {
  readonly link: ConnectorLink;
  readonly initiator: boolean;
  route: Route;
  handle?: { receive(chunk: Uint8Array, now?: number): void; closed(): void };
  /** Chunks that arrived before simple-peer reported the link open (the other side was faster). */
  early: Uint8Array[];
  readonly createdAt: number;
  openedAt?: number;
  /** The other side said something on this link (an answer or a candidate): it is there. */
  answered: boolean;
  /** How many peers this tab could choose when it chose this link (outbound links; peer-selection.ts). */
  chosenAmong?: number;
  /** This tab let go of this choice (it chose again): once closed, it is not made again. */
  released?: boolean;
  /** What the peer had shown when the link was made (see Standing). */
  readonly standing: Standing;
  path?: LinkPath;
}

export class LinkTable {
  private readonly links = new Map<PeerId, KeptLink>();

  get(peer: PeerId): KeptLink | undefined {
    return this.links.get(peer);
  }

  has(peer: PeerId): boolean {
    return this.links.has(peer);
  }

  set(peer: PeerId, kept: KeptLink): void {
    this.links.set(peer, kept);
  }

  get size(): number {
    return this.links.size;
  }

  /** Links this tab offered (its own choices), open or opening. */
  outbound(): number {
    let n = 0;
    for (const kept of this.links.values()) if (kept.initiator) n++;
    return n;
  }

  /** Every link by peer (read only). */
  all(): ReadonlyMap<PeerId, KeptLink> {
    return this.links;
  }

  /** Forgets the link to `peer` and closes it. */
  drop(peer: PeerId): void {
    const kept = this.links.get(peer);
    if (!kept) return;
    this.links.delete(peer);
    kept.link.close();
  }

  /** Forgets `kept` (a link that closed) if it is still the one filed for `peer`. */
  forget(peer: PeerId, kept: KeptLink): void {
    if (this.links.get(peer) === kept) this.links.delete(peer);
  }

  /**
   * Drops the links still opening through `via` (a peer that left): they have lost their
   * signaling path (the answer and candidates would come through it) and could only hold a slot
   * until they time out.
   */
  dropOpeningThrough(via: PeerId): void {
    for (const [p, kept] of [...this.links]) {
      if (kept.route.kind === 'relay' && kept.route.via === via && kept.openedAt === undefined) {
        this.links.delete(p);
        kept.link.close();
      }
    }
  }

  /**
   * Closes links whose WebRTC connect has not opened within `timeoutMs` (links that opened and
   * stall in the handshake are the Network's: its handshake timeout closes them). Each link's
   * close handler then forgets it and schedules its retry, as for any failed link.
   */
  closeStalledConnects(now: number, timeoutMs: number): void {
    for (const kept of [...this.links.values()]) if (kept.openedAt === undefined && now - kept.createdAt >= timeoutMs) kept.link.close();
  }

  /** Closes the link to `peer`, or every link (each close handler forgets its own). */
  close(peer?: PeerId): void {
    for (const [id, { link }] of [...this.links]) if (peer === undefined || id === peer) link.close();
  }

  /** Closes every link as the connector stops (a link another's close already dropped is not closed twice). */
  closeAll(): void {
    for (const { link } of this.links.values()) link.close();
  }

  /** Reads the selected candidate pair of every open link (getStats is asynchronous and cheap). */
  async pollPaths(): Promise<void> {
    await Promise.all(
      [...this.links.values()].map(async (kept) => {
        if (!kept.link.isOpen) return;
        const path = await kept.link.path();
        if (path) kept.path = path;
      }),
    );
  }

  /** The paths of open links whose path is known. */
  openPaths(): LinkPath[] {
    return [...this.links.values()].filter((p) => p.link.isOpen && p.path).map((p) => p.path!);
  }

  /** Every link, including those still opening, as the Network view shows it (`peers`: the Network's peerInfo). */
  info(peers: readonly PeerInfo[]): LinkInfo[] {
    const byId = new Map(peers.map((p) => [p.id, p]));
    return [...this.links.entries()].map(([id, kept]) => {
      const peer = byId.get(id);
      const path = kept.link.isOpen ? kept.path : undefined;
      return {
        id,
        state: peer ? (peer.state === 'ready' ? 'ready' : 'handshaking') : 'connecting',
        height: peer?.height ?? 0,
        latencyMs: peer?.latencyMs ?? null,
        inbound: !kept.initiator,
        path: path?.local ?? null,
        remotePath: path?.remote ?? null,
        route: path ? pathKind(path) : null,
        rttMs: path?.rttMs ?? null,
      };
    });
  }
}
