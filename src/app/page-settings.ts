/**
 * @module The settings a tab keeps in its localStorage for the next start: the miner's worker
 * count and whether it uses the GPU, the user's own ICE servers, and markers of what this browser held (to say when data was
 * lost). The page reads and writes them for its node worker, which has no localStorage. Every
 * call is safe where storage throws (some private modes): a setting then holds until reload.
 */
import { ICE_SERVERS_KEY } from './ice-server-list.ts';

const MARKER = 'tabchain-had-data';
const WORKERS = 'tabchain-miner-workers';
const GPU = 'tabchain-miner-gpu';

/** The miner's worker count as the user last set it (a setting shared by the origin's tabs). */
export function savedWorkerCount(): number | undefined {
  try {
    const n = Number(localStorage.getItem(WORKERS));
    return Number.isInteger(n) && n >= 1 && n <= 64 ? n : undefined;
  } catch {
    return undefined;
  }
}

export function saveWorkerCount(n: number): void {
  try {
    localStorage.setItem(WORKERS, String(n));
  } catch {
    // Not remembered; the default applies next time.
  }
}

/** Whether the user asked the miner to use the GPU (WebGPU); off unless set. */
export function savedMinerGpu(): boolean | undefined {
  try {
    const value = localStorage.getItem(GPU);
    return value === null ? undefined : value === 'on';
  } catch {
    return undefined;
  }
}

export function saveMinerGpu(on: boolean): void {
  try {
    localStorage.setItem(GPU, on ? 'on' : 'off');
  } catch {
    // Not remembered; off next time.
  }
}

/** Keeps the user's own ICE servers (set in the Network view) for the next start; main.ts reads them back. */
export function saveIceServers(servers: readonly RTCIceServer[] | null): void {
  try {
    if (servers) localStorage.setItem(ICE_SERVERS_KEY, JSON.stringify(servers));
    else localStorage.removeItem(ICE_SERVERS_KEY);
  } catch {
    // No storage (a private mode): the list holds until the page reloads.
  }
}

/** What this browser held before (kept in localStorage, which outlives an IndexedDB eviction rarely but a manual clear of one store often). */
export function markers(): Record<string, boolean> {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(MARKER) ?? '{}');
    return typeof value === 'object' && value !== null ? (value as Record<string, boolean>) : {};
  } catch {
    return {};
  }
}

export function setMarker(key: string): void {
  try {
    localStorage.setItem(MARKER, JSON.stringify({ ...markers(), [key]: true }));
  } catch {
    // Storage may be unavailable (private mode): the markers are only a convenience.
  }
}
