/**
 * @module Which signaling server a tab uses when its address names one (`?signal=ws://…`). The
 * signaling server chooses whom a tab meets, so a link must not move a tab to another server
 * silently: a URL of another origin than the page's is used only once the user agreed, and the
 * answer (yes or no) is remembered per URL in this browser. A URL of the page's own origin (its
 * own `/signal` over ws or wss) needs no question.
 */

/** Where the answers are kept (localStorage). */
export const SIGNAL_CHOICES_KEY = 'tabchain-signal-choices';

/** What to do about the address's `?signal=`. */
export type SignalRequest =
  /** No usable `?signal=` (none, or not a ws:// or wss:// URL). */
  | { readonly kind: 'none' }
  /** Use it: the page's own origin, or the user agreed before. */
  | { readonly kind: 'use'; readonly url: string }
  /** The user said no before: use the default. */
  | { readonly kind: 'declined'; readonly url: string }
  /** Another origin, never asked: ask first. */
  | { readonly kind: 'ask'; readonly url: string };

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem'>;

/** The answers given so far, by URL; a missing or malformed entry is no answer. */
function choices(storage: Storage | null): Record<string, boolean> {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(SIGNAL_CHOICES_KEY) ?? '{}');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, boolean] => typeof e[1] === 'boolean'));
  } catch {
    return {};
  }
}

/** Whether `url` (ws/wss) is the WebSocket form of the page's own origin (`http(s)://host:port`). */
export function isOwnOrigin(url: string, pageOrigin: string): boolean {
  let signal: URL;
  let page: URL;
  try {
    signal = new URL(url);
    page = new URL(pageOrigin);
  } catch {
    return false;
  }
  const scheme = signal.protocol === 'wss:' ? 'https:' : signal.protocol === 'ws:' ? 'http:' : null;
  return scheme === page.protocol && signal.host === page.host;
}

/** What the page's `search` asks for, given the answers kept in `storage`. */
export function signalRequest(search: string, pageOrigin: string, storage: Storage | null): SignalRequest {
  const url = new URLSearchParams(search).get('signal');
  if (!url || !/^wss?:\/\//.test(url)) return { kind: 'none' };
  if (isOwnOrigin(url, pageOrigin)) return { kind: 'use', url };
  const answer = choices(storage)[url];
  if (answer === true) return { kind: 'use', url };
  if (answer === false) return { kind: 'declined', url };
  return { kind: 'ask', url };
}

/** Keeps the user's answer for `url`. Without storage (some private modes) it is asked again next time. */
export function rememberSignalChoice(storage: Storage | null, url: string, allowed: boolean): void {
  try {
    storage?.setItem(SIGNAL_CHOICES_KEY, JSON.stringify({ ...choices(storage), [url]: allowed }));
  } catch {
    // Storage full or refused: the answer holds for this page load only.
  }
}
