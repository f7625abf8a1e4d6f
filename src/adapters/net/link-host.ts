/**
 * @module The page's side of the node worker's links: the real WebRTC links (WebRtcLink, which
 * needs the window's `RTCPeerConnection`) made and driven on the worker's commands, their events
 * sent back (received chunks as transferred buffers). The page does no more per chunk than hand
 * it over, so a busy node never holds the page's main thread.
 */
import { WebRtcLink } from './webrtc-link.ts';
import { pageConnectionBudget, type ConnectionBudget } from './connection-budget.ts';
import { ownBuffer, type LinkCommand, type LinkEvent } from './link-messages.ts';
import type { ConnectionBudgetSnapshot } from './connection-budget.ts';

export interface LinkHostOptions {
  /** Sends an event to the worker, transferring `transfer`. */
  readonly post: (event: LinkEvent, transfer?: Transferable[]) => void;
  /** Tells the worker the page's connection budget (after every change). */
  readonly postBudget: (budget: ConnectionBudgetSnapshot) => void;
  readonly budget?: ConnectionBudget;
  /** For Node tests: the `wrtc` implementation (a page has its own). */
  readonly wrtc?: unknown;
}

export class LinkHost {
  private readonly links = new Map<number, WebRtcLink>();
  private readonly budget: ConnectionBudget;

  constructor(private readonly options: LinkHostOptions) {
    this.budget = options.budget ?? pageConnectionBudget;
    this.budget.onChange(() => options.postBudget(this.budget.snapshot()));
    options.postBudget(this.budget.snapshot());
  }

  /** Carries out one command of the worker. */
  handle(command: LinkCommand): void {
    const { post } = this.options;
    switch (command.type) {
      case 'link-create': {
        const id = command.link;
        let link: WebRtcLink | undefined;
        const before = this.budget.snapshot().created;
        // The worker counted this link in its copy of the budget when it asked for it: it learns
        // here whether a connection was really made (and counted here) or not.
        const made = () => post({ type: 'link-made', link: id, counted: this.budget.snapshot().created > before });
        try {
          link = new WebRtcLink({
            initiator: command.initiator,
            iceServers: command.iceServers,
            budget: this.budget,
            ...(this.options.wrtc ? { wrtc: this.options.wrtc } : {}),
            ...(command.connectTimeout !== undefined ? { connectTimeout: command.connectTimeout } : {}),
            onSignal: (data) => post({ type: 'link-signal', link: id, data }),
            onDiagnostics: () => {
              if (link) post({ type: 'link-diagnostics', link: id, diagnostics: link.diagnostics() });
            },
            onOpen: () => post({ type: 'link-open', link: id }),
            onData: (chunk) => {
              const own = ownBuffer(chunk);
              post({ type: 'link-data', link: id, chunk: own }, [own.buffer]);
            },
            onClose: (reason) => {
              const diagnostics = link?.diagnostics() ?? { gathered: [], serverErrors: [], iceFailed: false };
              this.links.delete(id);
              post({ type: 'link-closed', link: id, reason, diagnostics });
            },
          });
        } catch (error) {
          // The browser refused the connection (its own limit, a bad ICE server): the worker's
          // link ends as any failed link does.
          made();
          post({ type: 'link-closed', link: id, reason: `link refused: ${error instanceof Error ? error.message : String(error)}`, diagnostics: { gathered: [], serverErrors: [], iceFailed: false } });
          return;
        }
        made();
        this.links.set(id, link);
        return;
      }
      case 'link-signal':
        this.links.get(command.link)?.signal(command.data);
        return;
      case 'link-send': {
        const link = this.links.get(command.link);
        link?.send(command.chunk);
        post({ type: 'link-sent', link: command.link, bytes: command.chunk.byteLength, buffered: link?.buffered ?? 0 });
        return;
      }
      case 'link-close':
        this.links.get(command.link)?.close();
        return;
      case 'link-path': {
        const link = this.links.get(command.link);
        void (link ? link.path() : Promise.resolve(null)).then((path) => post({ type: 'link-path', link: command.link, request: command.request, path }));
        return;
      }
    }
  }

  /** Closes every link (the worker is gone). */
  closeAll(): void {
    for (const link of [...this.links.values()]) link.close();
  }
}
