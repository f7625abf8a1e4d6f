/**
 * @module The network view's numbers and words, as pure functions: the sync's progress and ETA,
 * short peer ids, and which translated message explains a ban reason (the node records reasons
 * as English text; those it uses are recognized, anything else is shown as it is).
 */

/** How far a sync is: blocks left, the share done, and the seconds left at the current rate. */
export interface SyncSummary {
  done: number;
  total: number;
  left: number;
  /** 0 to 100. */
  percent: number;
  /** Null when the rate is unknown or zero. */
  etaSeconds: number | null;
}

/** Null when there is no sync under way (none, or done = total). */
export function syncSummary(sync: { done: number; total: number } | null, rate: number | null): SyncSummary | null {
  if (!sync || sync.total <= 0 || sync.done >= sync.total) return null;
  const done = Math.max(0, sync.done);
  const left = sync.total - done;
  return {
    done,
    total: sync.total,
    left,
    percent: Math.min(100, Math.max(0, (done / sync.total) * 100)),
    etaSeconds: rate !== null && Number.isFinite(rate) && rate > 0 ? left / rate : null,
  };
}

/** The first 8 characters of a peer id and an ellipsis (the table shows the full id on hover). */
export function shortPeerId(id: string): string {
  return id.length > 10 ? `${id.slice(0, 8)}…` : id;
}

/** Ban reasons the UI translates; `detail` is the code or error after the colon. */
export type BanReasonKind = 'user' | 'flood' | 'oversize' | 'network' | 'identity' | 'invalid-block' | 'invalid-tx' | 'invalid-header' | 'malformed' | 'protocol';

const EXACT: Record<string, BanReasonKind> = {
  'banned by the user': 'user',
  'message flood': 'flood',
  'oversized message': 'oversize',
  'another network': 'network',
  'public key does not match the peer id': 'identity',
  'failed key proof': 'identity',
  'verack before version': 'protocol',
  'headers are not a continuous chain': 'protocol',
};

const PREFIXES: [string, BanReasonKind][] = [
  ['invalid block: ', 'invalid-block'],
  ['invalid tx: ', 'invalid-tx'],
  ['invalid header: ', 'invalid-header'],
  ['malformed ', 'malformed'],
];

/** The kind of a recorded ban reason, with its detail; null for a reason the UI does not know. */
export function banReason(reason: string): { kind: BanReasonKind; detail: string } | null {
  const exact = EXACT[reason];
  if (exact) return { kind: exact, detail: '' };
  for (const [prefix, kind] of PREFIXES) if (reason.startsWith(prefix)) return { kind, detail: reason.slice(prefix.length) };
  return null;
}

/** Whether the text of a max-peers field is a valid setting (a whole number from 0 to 64). */
export function parseMaxPeers(text: string | number): number | null {
  const n = typeof text === 'number' ? text : text.trim() === '' ? Number.NaN : Number(text);
  return Number.isInteger(n) && n >= 0 && n <= 64 ? n : null;
}
