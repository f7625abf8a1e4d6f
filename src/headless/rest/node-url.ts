/**
 * @module Node URLs (`http://host:port`, what `/nodes/register` takes and `/nodes` lists) and the
 * signaling URLs (`ws://host:port/signal`) peers are found through.
 */
import { badField } from './http-error.ts';

/**
 * `http(s)://host:port` → the `ws(s)://host:port/signal` the node's peers are found through.
 * Throws a 400 naming the entry for anything else (a path, credentials, no port).
 */
export function signalUrlOfNode(text: unknown, index: number): { node: string; signal: string } {
  const field = `nodes[${index}]`;
  if (typeof text !== 'string' || text.length > 300) throw badField(field, `${field} must be a URL string like "http://127.0.0.1:5001"`);
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw badField(field, `${field} is not a URL: ${JSON.stringify(text.slice(0, 80))} (write it as "http://host:port")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badField(field, `${field} must be an http:// or https:// URL, not ${url.protocol}`);
  // The URL parser drops a port equal to the scheme's default; the text must still name one.
  const writtenPort = /^https?:\/\/(?:\[[^\]]*\]|[^/:?#@]*):([0-9]{1,5})(?:[/?#]|$)/i.exec(text.trim());
  if (!url.hostname || !writtenPort) throw badField(field, `${field} needs a host and a port: "http://host:port", not ${JSON.stringify(text.slice(0, 80))}`);
  if (Number(writtenPort[1]) === 0) throw badField(field, `${field} has port 0: a node's port is 1 to 65535`);
  if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw badField(field, `${field} must be just "http://host:port" (no path, query or credentials)`);
  }
  const origin = `${url.protocol}//${url.host}`;
  const port = url.port || writtenPort[1]!;
  const host = url.hostname;
  return { node: url.port ? origin : `${origin}:${port}`, signal: `${url.protocol === 'https:' ? 'wss' : 'ws'}://${host}:${port}/signal` };
}

/** `ws(s)://host:port/signal` back to the node URL it came from (`/nodes` lists these). */
export function nodeUrlOfSignal(signal: string): string {
  try {
    const url = new URL(signal);
    const scheme = url.protocol === 'wss:' ? 'https' : 'http';
    return `${scheme}://${url.hostname.includes(':') && !url.hostname.startsWith('[') ? `[${url.hostname}]` : url.hostname}:${url.port || (scheme === 'https' ? '443' : '80')}`;
  } catch {
    return signal;
  }
}
