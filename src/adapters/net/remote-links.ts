/**
 * @module The node worker's side of the page's WebRTC links. A worker has no `RTCPeerConnection`,
 * so each link the PeerConnector makes is a {@link RemoteLink}: its commands (create, signal,
 * send, close, ask the path) go to the page's LinkHost (link-host.ts), which runs a real
 * WebRtcLink, and the link's events come back here. The page's connection budget is mirrored by
 * {@link RemoteConnectionBudget}.
 */
import type { SignalData } from '../../core/index.ts';
import type { LinkCommand, LinkEvent } from './link-messages.ts';
import type { ConnectionBudgetSnapshot, ConnectionBudgetView } from './connection-budget.ts';
import type { IceDiagnostics, WebRtcLinkOptions } from './webrtc-link.ts';
import type { LinkPath } from './link-path.ts';

const NO_DIAGNOSTICS: IceDiagnostics = { gathered: [], serverErrors: [], iceFailed: false };

export class RemoteLink {
  private opened = false;
  private closed = false;
  /** Bytes handed to the page and not yet to its channel. */
  private inFlight = 0;
  /** The page's channel buffer and queue, as of its last report. */
  private pageBuffered = 0;
  private lastDiagnostics: IceDiagnostics = NO_DIAGNOSTICS;

  constructor(
    private readonly id: number,
    private readonly links: RemoteLinks,
    private readonly options: WebRtcLinkOptions,
  ) {}

  get isOpen(): boolean {
    return this.opened && !this.closed;
  }

  get buffered(): number {
    return this.inFlight + this.pageBuffered;
  }

  signal(data: SignalData): void {
    if (!this.closed) this.links.post({ type: 'link-signal', link: this.id, data });
  }

  send(chunk: Uint8Array): void {
    if (this.closed) return;
    this.inFlight += chunk.byteLength;
    // Copied by the structured clone, never transferred: the network may send the same bytes on
    // several links (a block relayed to every peer).
    this.links.post({ type: 'link-send', link: this.id, chunk });
  }

  close(): void {
    if (this.closed) return;
    this.links.post({ type: 'link-close', link: this.id });
    this.finish('closed', this.lastDiagnostics);
  }

  diagnostics(): IceDiagnostics {
    return this.lastDiagnostics;
  }

  path(): Promise<LinkPath | null> {
    return this.closed ? Promise.resolve(null) : this.links.askPath(this.id);
  }

  /** An event of the page's link (RemoteLinks answers path requests and budget notes itself). */
  handle(event: Exclude<LinkEvent, { type: 'link-made' | 'link-path' }>): void {
    if (this.closed) return;
    switch (event.type) {
      case 'link-signal':
        this.options.onSignal(event.data);
        break;
      case 'link-open':
        this.opened = true;
        this.options.onOpen();
        break;
      case 'link-data':
        this.options.onData(event.chunk);
        break;
      case 'link-sent':
        this.inFlight = Math.max(0, this.inFlight - event.bytes);
        this.pageBuffered = event.buffered;
        break;
      case 'link-closed':
        this.finish(event.reason, event.diagnostics);
        break;
      case 'link-diagnostics':
        this.lastDiagnostics = event.diagnostics;
        break;
    }
  }

  private finish(reason: string, diagnostics: IceDiagnostics): void {
    this.closed = true;
    this.lastDiagnostics = diagnostics;
    this.links.forget(this.id);
    this.options.onClose(reason);
  }
}

/** The page's connection budget as the page last reported it, plus links made since. */
export class RemoteConnectionBudget implements ConnectionBudgetView {
  private reported: ConnectionBudgetSnapshot;
  private createdSince = 0;

  constructor(limit: number) {
    this.reported = { created: 0, live: 0, limit };
  }

  canCreate(): boolean {
    return this.reported.live + this.createdSince < this.reported.limit;
  }

  /** A link was asked of the page (it counts before the page's report does). */
  noteCreated(): void {
    this.createdSince++;
  }

  /** The page made no connection for a link asked of it (it failed at once): it never counts. */
  noteNotMade(): void {
    this.createdSince = Math.max(0, this.createdSince - 1);
  }

  update(snapshot: ConnectionBudgetSnapshot): void {
    // The page reports after every creation it made, so the report includes them.
    this.createdSince = Math.max(0, this.createdSince - (snapshot.created - this.reported.created));
    this.reported = snapshot;
  }

  snapshot(): ConnectionBudgetSnapshot {
    return { created: this.reported.created + this.createdSince, live: this.reported.live + this.createdSince, limit: this.reported.limit };
  }
}

/** Every remote link of the worker, by the number the page knows it by. */
export class RemoteLinks {
  private next = 1;
  private readonly links = new Map<number, RemoteLink>();
  private readonly pathRequests = new Map<number, (path: LinkPath | null) => void>();
  private nextRequest = 1;
  readonly budget: RemoteConnectionBudget;

  constructor(
    readonly post: (command: LinkCommand) => void,
    limit: number,
  ) {
    this.budget = new RemoteConnectionBudget(limit);
  }

  /** A new link (PeerConnector's `createLink`). */
  create(options: WebRtcLinkOptions): RemoteLink {
    const id = this.next++;
    const link = new RemoteLink(id, this, options);
    this.links.set(id, link);
    this.budget.noteCreated();
    this.post({
      type: 'link-create',
      link: id,
      initiator: options.initiator,
      iceServers: options.iceServers ?? [],
      ...(options.connectTimeout !== undefined ? { connectTimeout: options.connectTimeout } : {}),
    });
    return link;
  }

  handle(event: LinkEvent): void {
    if (event.type === 'link-made') {
      if (!event.counted) this.budget.noteNotMade();
      return;
    }
    if (event.type === 'link-path') {
      const resolve = this.pathRequests.get(event.request);
      this.pathRequests.delete(event.request);
      resolve?.(event.path);
      return;
    }
    this.links.get(event.link)?.handle(event);
  }

  askPath(link: number): Promise<LinkPath | null> {
    const request = this.nextRequest++;
    return new Promise((resolve) => {
      this.pathRequests.set(request, resolve);
      this.post({ type: 'link-path', link, request });
    });
  }

  forget(link: number): void {
    this.links.delete(link);
  }
}
