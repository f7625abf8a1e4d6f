/**
 * @module What a tab's links tell about its network: each link's path (LinkInfo), and from the
 * links that work and the attempts that failed, whether this network needs a relay (the
 * Network view's connectivity check). Kept by the PeerConnector, which makes the links.
 */
import type { PeerId } from '../core/index.ts';
import { pathKind, type CandidateType, type LinkPath } from '../adapters/net/link-path.ts';

/** Failed attempts older than this no longer count in the connectivity verdict. */
const ATTEMPT_MEMORY_MS = 10 * 60_000;
/** Failed attempts remembered at most. */
const MAX_FAILURES = 32;

export interface LinkInfo {
  readonly id: PeerId;
  readonly state: 'connecting' | 'handshaking' | 'ready';
  readonly height: number;
  readonly latencyMs: number | null;
  readonly inbound: boolean;
  /** This side's candidate type on the selected pair: host (LAN), srflx/prflx (through NAT), relay (TURN). */
  readonly path: CandidateType | null;
  /** The other side's candidate type. */
  readonly remotePath: CandidateType | null;
  /** What a person calls it: direct on the LAN, through NAT, or relayed. */
  readonly route: 'direct' | 'nat' | 'relay' | null;
  /** RTT of the selected pair's connectivity checks (getStats), ms. */
  readonly rttMs: number | null;
}

/**
 * What this tab can reach:
 * - `direct`: a link works without a relay (on the LAN or through NAT);
 * - `relay-only`: links work, all through the relay (TURN);
 * - `needs-relay`: peers answered but no path between us worked, and no relay helped: a TURN
 *   server is needed (or the one configured did not answer);
 * - `relay-refused`: the TURN server refused our credentials (401) and no link works;
 * - `unknown`: nothing tried yet.
 */
export type ConnectivityVerdict = 'unknown' | 'direct' | 'relay-only' | 'needs-relay' | 'relay-refused';

export interface Connectivity {
  readonly verdict: ConnectivityVerdict;
  /** ICE servers new links use, and where they came from. */
  readonly iceServers: number;
  readonly iceSource: 'user' | 'server' | 'none';
  readonly relayConfigured: boolean;
  /** A TURN server refused our credentials recently (even if other links work). */
  readonly relayRefused: boolean;
  /** Attempts that failed recently (peers answered, no path worked). */
  readonly failedAttempts: number;
  /**
   * Linked to peers, yet none brought a new block for 3 target spacings (Bitcoin Core's stale-tip
   * check, extra-outbound.ts): nobody mines, or every peer hides blocks from this tab (an eclipse).
   */
  readonly staleTip: boolean;
  /** RTCPeerConnections this page created, and those not yet collected, against the limit. */
  readonly connectionsCreated: number;
  readonly connectionsLive: number;
  readonly connectionBudget: number;
}

/** Whether a list of ICE servers has a relay (a turn: or turns: URL). */
export function hasRelay(servers: readonly RTCIceServer[]): boolean {
  return servers.some((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]).some((u: string) => u.startsWith('turn')));
}

/** The attempts that failed lately and the relay's refusals, from which the verdict is made. */
export class ConnectivityRecord {
  /** When recent attempts failed where the peer answered but no path worked (ms). */
  private failures: number[] = [];
  /** When a TURN server last refused our credentials (ms). */
  private relayRefusedAt = -Infinity;

  /** A peer answered, yet no path between us worked. */
  noteFailedAttempt(now: number): void {
    this.failures.push(now);
    if (this.failures.length > MAX_FAILURES) this.failures.shift();
  }

  /** A TURN server answered 401 to our credentials. */
  noteRelayRefused(now: number): void {
    this.relayRefusedAt = now;
  }

  /** Forgets everything (new ICE servers make old failures say nothing). */
  reset(): void {
    this.failures = [];
    this.relayRefusedAt = -Infinity;
  }

  /** The verdict from the paths of the links open now (see {@link ConnectivityVerdict}). */
  verdict(openPaths: readonly LinkPath[], now: number): { verdict: ConnectivityVerdict; relayRefused: boolean; failedAttempts: number } {
    this.failures = this.failures.filter((at) => now - at < ATTEMPT_MEMORY_MS);
    const routes = openPaths.map(pathKind);
    const relayRefused = now - this.relayRefusedAt < ATTEMPT_MEMORY_MS;
    let verdict: ConnectivityVerdict = 'unknown';
    if (routes.some((r) => r !== 'relay')) verdict = 'direct';
    else if (routes.length > 0) verdict = 'relay-only';
    else if (relayRefused) verdict = 'relay-refused';
    else if (this.failures.length > 0) verdict = 'needs-relay';
    return { verdict, relayRefused, failedAttempts: this.failures.length };
  }
}
