/**
 * @module Short messages about what just happened (a block found, a payment received, a
 * reorganization), shown in a live region and gone after a while. When the tab is hidden and the
 * user allowed it, they also go to the system's notifications.
 */
export type NoticeKind = 'block-found' | 'received' | 'reorg';

export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
}

/** How long a notice stays on screen. */
const NOTICE_MS = 8000;
/** At most this many notices are on screen; older ones make way. */
const MAX_NOTICES = 4;

export class Notifications {
  items = $state<Notice[]>([]);
  private next = 1;

  push(kind: NoticeKind, text: string): void {
    const id = this.next++;
    this.items = [...this.items, { id, kind, text }].slice(-MAX_NOTICES);
    setTimeout(() => this.dismiss(id), NOTICE_MS);
    if (typeof document !== 'undefined' && document.hidden && typeof Notification === 'function' && Notification.permission === 'granted') {
      try {
        new Notification('tabchain', { body: text, tag: kind, icon: '/icon-192.png' });
      } catch {
        // Some browsers only allow notifications from a service worker: the in-page one is enough.
      }
    }
  }

  dismiss(id: number): void {
    this.items = this.items.filter((n) => n.id !== id);
  }
}
