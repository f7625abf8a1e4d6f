/**
 * @module What this browser lacks that a tabchain node needs, checked before the node starts so
 * that a page that cannot run explains why instead of failing with a script error.
 *
 * Browsers give Web Locks, Web Crypto (`crypto.subtle`) and service workers only to secure
 * contexts: https:// pages, and http://localhost. A page opened over plain http from another
 * device (`http://192.168.1.20:8080`) is not one, so the missing features there all come from
 * one cause, which the page names first. WebRTC and IndexedDB can be missing on their own: a
 * browser setting or extension that turns WebRTC off, a private window without IndexedDB.
 *
 * The check reads presence only: it opens no database, so it leaves nothing behind and costs
 * nothing at start-up. A browser that has IndexedDB but refuses to open it fails in start-up,
 * which reports the error as it does any other.
 */

/** A reason the node cannot run here, most fundamental first. */
export type MissingFeature = 'secure-context' | 'webrtc' | 'indexeddb' | 'web-locks' | 'web-crypto';

/** The globals the check reads (`globalThis` in a page; a plain object in tests). */
export interface EnvironmentGlobals {
  readonly isSecureContext?: boolean;
  readonly RTCPeerConnection?: unknown;
  readonly indexedDB?: unknown;
  readonly navigator?: { readonly locks?: unknown };
  readonly crypto?: { readonly subtle?: unknown };
}

/**
 * Every feature the node needs that `env` lacks, in the order of {@link MissingFeature}; empty
 * when the node can start. `isSecureContext` counts as missing only when it is explicitly false
 * (a browser too old to report it is judged by the features themselves).
 */
export function missingFeatures(env: EnvironmentGlobals): MissingFeature[] {
  const missing: MissingFeature[] = [];
  if (env.isSecureContext === false) missing.push('secure-context');
  if (typeof env.RTCPeerConnection !== 'function') missing.push('webrtc');
  if (!present(env.indexedDB)) missing.push('indexeddb');
  if (!present(env.navigator?.locks)) missing.push('web-locks');
  if (!present(env.crypto?.subtle)) missing.push('web-crypto');
  return missing;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** What a script sees as `window.tabchainUnsupported` on a page where the node did not start. */
export interface UnsupportedReport {
  readonly missing: readonly MissingFeature[];
}
