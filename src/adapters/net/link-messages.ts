/**
 * @module The messages between the node worker's remote links (remote-links.ts) and the page's
 * real WebRTC links (link-host.ts), numbered by link. A received chunk crosses as a transferred
 * buffer; a sent one is copied (the network may send the same bytes on several links).
 */
import type { SignalData } from '../../core/index.ts';
import type { IceDiagnostics } from './webrtc-link.ts';
import type { LinkPath } from './link-path.ts';

/** What the page's WebRTC links tell the worker's side of them. */
export type LinkEvent =
  | { readonly type: 'link-signal'; readonly link: number; readonly data: SignalData }
  | { readonly type: 'link-open'; readonly link: number }
  | { readonly type: 'link-data'; readonly link: number; readonly chunk: Uint8Array }
  /** A send was handed to the channel: `bytes` leave the worker's count, `buffered` is the page's. */
  | { readonly type: 'link-sent'; readonly link: number; readonly bytes: number; readonly buffered: number }
  | { readonly type: 'link-closed'; readonly link: number; readonly reason: string; readonly diagnostics: IceDiagnostics }
  /** The page tried to make the link: `counted` when a connection was made and counted in its budget. */
  | { readonly type: 'link-made'; readonly link: number; readonly counted: boolean }
  /** What ICE did so far changed (so a link the worker closes itself still knows it). */
  | { readonly type: 'link-diagnostics'; readonly link: number; readonly diagnostics: IceDiagnostics }
  | { readonly type: 'link-path'; readonly link: number; readonly request: number; readonly path: LinkPath | null };

/** What the worker asks of the page's WebRTC links. */
export type LinkCommand =
  | { readonly type: 'link-create'; readonly link: number; readonly initiator: boolean; readonly iceServers: RTCIceServer[]; readonly connectTimeout?: number }
  | { readonly type: 'link-signal'; readonly link: number; readonly data: SignalData }
  | { readonly type: 'link-send'; readonly link: number; readonly chunk: Uint8Array }
  | { readonly type: 'link-close'; readonly link: number }
  | { readonly type: 'link-path'; readonly link: number; readonly request: number };

/** `chunk` itself when it spans its whole buffer (to transfer), else a copy that does. */
export function ownBuffer(chunk: Uint8Array): Uint8Array<ArrayBuffer> {
  return chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer ? (chunk as Uint8Array<ArrayBuffer>) : chunk.slice();
}
