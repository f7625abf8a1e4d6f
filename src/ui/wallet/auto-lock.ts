/**
 * @module Locking the wallet by itself after the user has been idle for a chosen time (default 15
 * minutes; a setting, 0 = never). Idle means no input in any tab of this browser: each tab writes
 * the time of its user's last input (at most every few seconds) to localStorage, which every tab
 * of the origin shares, and each tab checks once a second. The lock then reaches every tab of the
 * wallet (the wallet's own cross-tab lock). Timers live here, in the page, not in the core.
 */

export const AUTO_LOCK_KEY = 'tabchain-auto-lock-seconds';
export const LAST_ACTIVITY_KEY = 'tabchain-last-activity';
export const DEFAULT_AUTO_LOCK_SECONDS = 15 * 60;
/** What the setting offers, in seconds (0: never). */
export const AUTO_LOCK_CHOICES = [60, 5 * 60, 15 * 60, 60 * 60, 0] as const;
/** Input closer together than this is written once (localStorage writes are synchronous). */
const ACTIVITY_WRITE_MS = 5000;
const CHECK_MS = 1000;

type Store = Pick<Storage, 'getItem' | 'setItem'>;

/** The chosen idle time in seconds (0: never); the default when unset or unreadable. */
export function autoLockSeconds(storage: Store | undefined): number {
  let text: string | null = null;
  try {
    text = storage?.getItem(AUTO_LOCK_KEY) ?? null;
  } catch {
    // Storage may be unavailable (private modes): the default applies.
  }
  const n = text === null ? NaN : Number(text);
  return Number.isInteger(n) && n >= 0 && n <= 7 * 24 * 3600 ? n : DEFAULT_AUTO_LOCK_SECONDS;
}

export function setAutoLockSeconds(storage: Store | undefined, seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 0) throw new RangeError('the auto-lock time is a whole number of seconds, 0 for never');
  try {
    storage?.setItem(AUTO_LOCK_KEY, String(seconds));
  } catch {
    // Not remembered: the default applies next time.
  }
}

/** True when the wallet should lock now: a time is set and no input came for that long. */
export function idleTooLong(nowMs: number, lastActivityMs: number, seconds: number): boolean {
  return seconds > 0 && nowMs - lastActivityMs >= seconds * 1000;
}

export interface AutoLockTarget {
  locked(): Promise<boolean>;
  hasPassphrase(): Promise<boolean>;
  lock(): Promise<void>;
}

/** Starts watching input in `win` and locking `wallet` when idle; returns a function that stops it. */
export function startAutoLock(wallet: AutoLockTarget, win: Window, storage: Store | undefined = win.localStorage): () => void {
  let lastWrite = 0;
  const readLast = (): number => {
    try {
      const n = Number(storage?.getItem(LAST_ACTIVITY_KEY));
      return Number.isFinite(n) ? n : 0;
    } catch {
      return 0;
    }
  };
  let localLast = Date.now();
  const note = (): void => {
    localLast = Date.now();
    if (localLast - lastWrite < ACTIVITY_WRITE_MS) return;
    lastWrite = localLast;
    try {
      storage?.setItem(LAST_ACTIVITY_KEY, String(localLast));
    } catch {
      // This tab's own input still counts (localLast).
    }
  };
  // Opening the page is activity (an old timestamp from an earlier visit must not lock at once).
  lastWrite = 0;
  note();
  const events = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;
  for (const name of events) win.addEventListener(name, note, { passive: true, capture: true });
  let checking = false;
  const timer = win.setInterval(() => {
    if (checking) return;
    const last = Math.max(localLast, readLast());
    if (!idleTooLong(Date.now(), last, autoLockSeconds(storage))) return;
    checking = true;
    void (async () => {
      if ((await wallet.hasPassphrase()) && !(await wallet.locked())) await wallet.lock();
    })()
      .catch(() => undefined)
      .finally(() => (checking = false));
  }, CHECK_MS);
  return () => {
    win.clearInterval(timer);
    for (const name of events) win.removeEventListener(name, note, { capture: true });
  };
}
