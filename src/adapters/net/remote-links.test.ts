/**
 * The node worker's remote links against the page's LinkHost, over real WebRTC in Node
 * (`@roamhq/wrtc`): two "tabs", each a RemoteLinks (its worker) and a LinkHost (its page), with
 * every message structured-cloned and delivered asynchronously as postMessage does. What the
 * PeerConnector sees of a remote link must be what it sees of a WebRtcLink: signals out, open,
 * the bytes sent (in order, whole), back-pressure accounting, the path, and one close with its
 * diagnostics on both sides.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SignalData } from '../../core/index.ts';
import { ConnectionBudget } from './connection-budget.ts';
import { LinkHost } from './link-host.ts';
import type { LinkCommand, LinkEvent } from './link-messages.ts';
import { RemoteConnectionBudget, RemoteLinks, type RemoteLink } from './remote-links.ts';
import type { IceDiagnostics } from './webrtc-link.ts';

let wrtc: unknown;
beforeAll(async () => {
  wrtc = (await import('@roamhq/wrtc')).default;
});

/** Delivers a message later, as postMessage does, through a structured clone (transfers included). */
function later<T>(deliver: (message: T) => void): (message: T, transfer?: Transferable[]) => void {
  return (message, transfer = []) => {
    const copy = structuredClone(message, { transfer });
    setTimeout(() => deliver(copy), 0);
  };
}

interface Tab {
  readonly worker: RemoteLinks;
  readonly page: LinkHost;
  readonly commands: LinkCommand['type'][];
}

const tabs: Tab[] = [];
afterEach(() => {
  for (const tab of tabs.splice(0)) tab.page.closeAll();
});

function tab(): Tab {
  const commands: LinkCommand['type'][] = [];
  const host: { page?: LinkHost } = {};
  const worker = new RemoteLinks(
    later<LinkCommand>((command) => {
      commands.push(command.type);
      host.page!.handle(command);
    }),
    400,
  );
  const page = (host.page = new LinkHost({
    post: later<LinkEvent>((event) => worker.handle(event)),
    postBudget: later((budget) => worker.budget.update(budget)),
    budget: new ConnectionBudget(400, undefined),
    wrtc,
  }));
  const t = { worker, page, commands };
  tabs.push(t);
  return t;
}

interface End {
  link: RemoteLink;
  readonly chunks: Uint8Array[];
  readonly closes: string[];
  opened: Promise<void>;
}

/** A link from `a` to `b` (a initiates), signals handed across as the connector would. */
function pair(a: Tab, b: Tab): { x: End; y: End } {
  const ends: { x?: End; y?: End } = {};
  const make = (t: Tab, initiator: boolean, onSignal: (data: SignalData) => void): End => {
    let open!: () => void;
    const end: End = { chunks: [], closes: [], opened: new Promise<void>((resolve) => (open = resolve)) } as unknown as End;
    end.link = t.worker.create({
      initiator,
      onSignal,
      onOpen: () => open(),
      onData: (chunk) => end.chunks.push(chunk),
      onClose: (reason) => end.closes.push(reason),
    });
    return end;
  };
  ends.x = make(a, true, (data) => {
    ends.y ??= make(b, false, (back) => ends.x!.link.signal(back));
    ends.y.link.signal(data);
  });
  return {
    get x() {
      return ends.x!;
    },
    get y() {
      if (!ends.y) throw new Error('the responder was not made yet');
      return ends.y;
    },
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 3000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('RemoteLinks with the page’s LinkHost', () => {
  it('behavior: a link opens through the page, carries bytes both ways in order, and accounts for what the page still holds', async () => {
    const a = tab();
    const b = tab();
    const p = pair(a, b);
    await p.x.opened;
    await until(() => p.y.link.isOpen, 'the responder to open');
    expect(a.commands[0]).toBe('link-create');
    expect(b.commands).toContain('link-signal');

    const sent: Uint8Array[] = [];
    for (let i = 0; i < 40; i++) {
      const chunk = new Uint8Array(16 * 1024).fill(i);
      sent.push(chunk);
      p.x.link.send(chunk);
    }
    // Counted in the worker at once: nothing has reached the page's channel yet.
    expect(p.x.link.buffered).toBe(40 * 16 * 1024);
    p.y.link.send(Uint8Array.of(7, 7, 7));
    await until(() => p.y.chunks.length === 40 && p.x.chunks.length === 1, 'all chunks');
    expect(p.y.chunks.map((c) => c[0])).toEqual(sent.map((c) => c[0]));
    expect(p.y.chunks.every((c) => c.length === 16 * 1024)).toBe(true);
    expect([...p.x.chunks[0]!]).toEqual([7, 7, 7]);
    // Every send was acknowledged by the page, and its channel drained.
    await until(() => p.x.link.buffered === 0, 'the sender to drain');

    const path = await p.x.link.path();
    expect(path === null || typeof path.local === 'string').toBe(true);
  });

  it('behavior: closing on one side ends both, once each, with the page’s diagnostics; the closed side sends nothing more', async () => {
    const a = tab();
    const b = tab();
    const p = pair(a, b);
    await p.x.opened;
    await until(() => p.y.link.isOpen, 'the responder to open');
    p.x.link.close();
    expect(p.x.closes).toEqual(['closed']);
    expect(p.x.link.isOpen).toBe(false);
    await until(() => p.y.closes.length === 1, 'the other side to close');
    const diagnostics: IceDiagnostics = p.y.link.diagnostics();
    expect(diagnostics.gathered).toContain('host');
    const commands = a.commands.length;
    p.x.link.send(Uint8Array.of(1));
    p.x.link.close();
    expect(a.commands.length).toBe(commands);
    expect(p.x.closes).toEqual(['closed']);
    expect(await p.x.link.path()).toBeNull();
  });

  it('error: a link the page cannot make ends as a failed link, and signals for it are ignored', async () => {
    const a = tab();
    const closes: string[] = [];
    const link = a.worker.create({
      initiator: false,
      // Not a usable ICE server: the page's RTCPeerConnection refuses the configuration.
      iceServers: [{ urls: 'nonsense:1' }],
      onSignal: () => {},
      onOpen: () => {},
      onData: () => {},
      onClose: (reason) => closes.push(reason),
    });
    await until(() => closes.length === 1, 'the link to fail');
    // simple-peer reports the refused constructor as a link error (or the constructor throws).
    expect(closes[0]).toMatch(/^link (error|refused)/);
    link.signal({ type: 'offer', sdp: 'x' });
    expect(link.isOpen).toBe(false);
    // No connection was made: the worker's copy of the budget does not keep counting it.
    await until(() => a.worker.budget.snapshot().created === 0, 'the budget copy to drop the link');
    expect(a.worker.budget.snapshot().live).toBe(0);
  });

  it('behavior: what ICE did reaches the worker as it happens, so a link the worker closes itself still knows it', async () => {
    const a = tab();
    const b = tab();
    const p = pair(a, b);
    await p.x.opened;
    await until(() => p.x.link.diagnostics().gathered.includes('host'), 'the host candidate to be reported');
    p.x.link.close();
    expect(p.x.closes).toEqual(['closed']);
    expect(p.x.link.diagnostics().gathered).toContain('host');
  });
});

describe('RemoteConnectionBudget', () => {
  it('behavior: counts links asked of the page until the page reports them, then follows its report', () => {
    const budget = new RemoteConnectionBudget(2);
    expect(budget.canCreate()).toBe(true);
    budget.noteCreated();
    budget.noteCreated();
    expect(budget.canCreate()).toBe(false);
    expect(budget.snapshot()).toEqual({ created: 2, live: 2, limit: 2 });
    // The page made one of them so far.
    budget.update({ created: 1, live: 1, limit: 2 });
    expect(budget.snapshot()).toEqual({ created: 2, live: 2, limit: 2 });
    // Both made, one already collected.
    budget.update({ created: 2, live: 1, limit: 2 });
    expect(budget.snapshot()).toEqual({ created: 2, live: 1, limit: 2 });
    expect(budget.canCreate()).toBe(true);
  });
});
