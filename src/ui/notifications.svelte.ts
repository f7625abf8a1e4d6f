/**
 * @module Short messages about what just happened (a block found, a payment received, a
 * reorganization), shown in a live region and gone after a few seconds. When the tab is hidden and the
 * user allowed it, they also go to the system's notifications.
 */
export type NoticeKind = 'block-found' | 'received' | 'reorg';

export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
}

/** How long a notice stays on screen: a few seconds, longer for what changed under the user. */
const NOTICE_MS: Record<NoticeKind, number> = { 'block-found': 4000, received: 6000, reorg: 10_000 };
/** At most this many notices are on screen; older ones make way. */
const MAX_NOTICES = 4;

export class Notifications {
  items = $state<Notice[]>([]);
  private next = 1;

  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();

  /**
   * Shows a notice. With `replace`, an earlier notice of the same kind still on screen is
   * replaced (a burst of found blocks is one notice that counts, not a pile).
   */
  push(kind: NoticeKind, text: string, options: { replace?: boolean } = {}): void {
    const id = this.next++;
    const kept = options.replace ? this.items.filter((n) => n.kind !== kind) : this.items;
    for (const gone of this.items) if (!kept.includes(gone)) this.clearTimer(gone.id);
    this.items = [...kept, { id, kind, text }].slice(-MAX_NOTICES);
    this.timers.set(
      id,
      setTimeout(() => this.dismiss(id), NOTICE_MS[kind]),
    );
    if (typeof document !== 'undefined' && document.hidden && typeof Notification === 'function' && Notification.permission === 'granted') {
      try {
        new Notification('tabchain', { body: text, tag: kind, icon: '/icon-192.png' });
      } catch {
        // Some browsers only allow notifications from a service worker: the in-page one is enough.
      }
    }
  }

  /** True while a notice of `kind` is on screen. */
  showing(kind: NoticeKind): boolean {
    return this.items.some((n) => n.kind === kind);
  }

  dismiss(id: number): void {
    this.clearTimer(id);
    this.items = this.items.filter((n) => n.id !== id);
  }

  private clearTimer(id: number): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  }
}
