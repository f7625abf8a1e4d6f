/**
 * @module Which way a WebRTC link's bytes travel, read from `RTCPeerConnection.getStats()`: the
 * selected candidate pair's local and remote candidate types and its round-trip time.
 *
 * - `host`: a local interface address, a direct link on one LAN (or machine);
 * - `srflx` / `prflx`: an address as a NAT maps it (learned by STUN, or from the peer's checks):
 *   a direct link through NAT;
 * - `relay`: through a TURN server.
 *
 * The selected pair is the one the transport names (`selectedCandidatePairId`, Chromium and
 * Firefox's transport stats), else a pair flagged `selected` (older Firefox), else the nominated
 * succeeded pair (node-webrtc). See https://www.w3.org/TR/webrtc-stats/#candidatepair-dict*.
 */

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

export interface LinkPath {
  /** This side's candidate type of the selected pair. */
  readonly local: CandidateType;
  /** The other side's candidate type. */
  readonly remote: CandidateType;
  /** The transport protocol between this side and the first hop ('udp' or 'tcp'). */
  readonly protocol: string | null;
  /** Current round-trip time of the pair's STUN checks, in ms (null before one was measured). */
  readonly rttMs: number | null;
}

type Stat = Record<string, unknown> & { id?: string; type?: string };

const TYPES = new Set<string>(['host', 'srflx', 'prflx', 'relay']);

function candidateType(stat: Stat | undefined): CandidateType | null {
  const type = stat?.candidateType;
  return typeof type === 'string' && TYPES.has(type) ? (type as CandidateType) : null;
}

/**
 * The selected pair of a stats report (anything iterable as `[id, stat]` or `stat`, like an
 * `RTCStatsReport` or a Map), or null when no pair is selected yet.
 *
 * @example
 * const path = selectedPath(await pc.getStats()); // { local: 'srflx', remote: 'host', rttMs: 41, … }
 */
export function selectedPath(report: Iterable<unknown> | { forEach(cb: (stat: unknown) => void): void }): LinkPath | null {
  const byId = new Map<string, Stat>();
  const add = (value: unknown) => {
    const stat = (Array.isArray(value) ? value[1] : value) as Stat;
    if (stat && typeof stat === 'object' && typeof stat.id === 'string') byId.set(stat.id, stat);
  };
  if (Symbol.iterator in report) for (const value of report as Iterable<unknown>) add(value);
  else report.forEach(add);

  let pair: Stat | undefined;
  for (const stat of byId.values()) {
    if (stat.type === 'transport' && typeof stat.selectedCandidatePairId === 'string') pair = byId.get(stat.selectedCandidatePairId);
    if (pair) break;
  }
  pair ??= [...byId.values()].find((s) => s.type === 'candidate-pair' && s.selected === true);
  pair ??= [...byId.values()].find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
  if (!pair) return null;
  const localStat = byId.get(String(pair.localCandidateId));
  const local = candidateType(localStat);
  const remote = candidateType(byId.get(String(pair.remoteCandidateId)));
  if (!local || !remote) return null;
  const rtt = pair.currentRoundTripTime;
  const protocol = localStat?.protocol;
  return {
    local,
    remote,
    protocol: typeof protocol === 'string' ? protocol : null,
    rttMs: typeof rtt === 'number' && Number.isFinite(rtt) ? Math.round(rtt * 1000) : null,
  };
}

/** How a person would name a path: a relay on either side makes it relayed; NAT types make it "through NAT". */
export function pathKind(path: Pick<LinkPath, 'local' | 'remote'>): 'direct' | 'nat' | 'relay' {
  if (path.local === 'relay' || path.remote === 'relay') return 'relay';
  if (path.local === 'host' && path.remote === 'host') return 'direct';
  return 'nat';
}
