/**
 * The headless node behind a reverse proxy (`--trust-proxy`), against real sockets on loopback:
 * every test client connects from 127.0.0.1, as every client of a proxy does, and says who it
 * is in `X-Forwarded-For`. With the flag, two clients behind the one proxy are counted apart
 * (requests in progress and `/signal` sockets), `X-Forwarded-Proto: https` brings HSTS, and the
 * Host the proxy forwards is answered; without it those headers are ignored, so a client cannot
 * pose as many.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SignalingTestClient, refusedStatus, terminateTestSockets } from '../../signaling-server/test-client.ts';
import { checkRequestSource, startNodeHttpServer, MAX_CONNECTIONS_PER_ADDRESS, type NodeHttpServer, type RequestSourcePolicy } from './http-server.ts';

const servers: NodeHttpServer[] = [];
const raw: Socket[] = [];

afterEach(async () => {
  terminateTestSockets();
  for (const s of raw.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A node's HTTP server whose REST handler answers 200 once it has read the whole body; `calls` counts the requests it got. */
async function start(trustProxy: boolean): Promise<{ http: NodeHttpServer; calls: () => number }> {
  const http = await startNodeHttpServer({ port: 0, trustProxy, tokenRequired: true });
  servers.push(http);
  let calls = 0;
  http.setHandler((req, res) => {
    calls++;
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' }).end('{}'));
  });
  return { http, calls: () => calls };
}

interface Exchange {
  readonly socket: Socket;
  /** The answer's status, or 0 when the socket closed without one (dropped at accept). */
  readonly status: Promise<number>;
}

/** Sends `head` (request line and headers, no blank line) and `body` from 127.0.0.1. */
function send(port: number, head: string, body = ''): Exchange {
  const socket = connect({ port, host: '127.0.0.1' });
  raw.push(socket);
  socket.on('error', () => {});
  socket.write(`${head}\r\n\r\n${body}`);
  let text = '';
  const status = new Promise<number>((resolve) => {
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    socket.once('close', () => resolve(0));
  });
  return { socket, status };
}

/** A POST whose body never finishes (1 of 10 bytes): it stays in progress, holding its socket. */
function hangingPost(port: number, forwardedFor: string): Exchange {
  return send(port, `POST /chain HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Forwarded-For: ${forwardedFor}\r\nContent-Type: application/json\r\nContent-Length: 10`, '{');
}

/** GET /chain as the client `forwardedFor`: the status. */
function getAs(port: number, forwardedFor: string, extra = ''): Promise<number> {
  return send(port, `GET /chain HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Forwarded-For: ${forwardedFor}\r\nConnection: close${extra}`).status;
}

/** Waits (polling the event loop, no fixed sleep) until `done` holds. */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Headers of one answer, lower-cased names. */
async function headersOf(port: number, head: string): Promise<Record<string, string>> {
  const { socket, status } = send(port, head);
  let text = '';
  socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
  await status;
  await until(() => text.includes('\r\n\r\n'), 'the headers');
  return Object.fromEntries(
    text
      .split('\r\n\r\n')[0]!
      .split('\r\n')
      .slice(1)
      .map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
}

describe('the headless node behind a trusted proxy (--trust-proxy)', () => {
  it('behavior: two clients behind one proxy are counted apart: one’s hanging requests fill only its own share (the rest 429), the other is served meanwhile, and the share frees as they finish', async () => {
    const { http, calls } = await start(true);
    const extra = 8;
    // The proxy appends the address it saw: the last entry, whatever the client wrote before it.
    const flood = Array.from({ length: MAX_CONNECTIONS_PER_ADDRESS + extra }, (_, i) => hangingPost(http.port, `10.9.9.${i}, 198.51.100.7`));
    const refused = flood.map(() => false);
    flood.forEach((e, i) => void e.status.then((s) => (refused[i] = s === 429)));
    // Every one of the proxy's sockets is accepted (no cap per socket address); the client's
    // share is held in progress, the rest refused once their headers are read.
    await until(() => calls() === MAX_CONNECTIONS_PER_ADDRESS && refused.filter(Boolean).length === extra, 'the flood to be counted');
    expect(await getAs(http.port, '198.51.100.7')).toBe(429);
    // The other client, from the same proxy socket address, is served while the share is held.
    expect(await getAs(http.port, '203.0.113.5')).toBe(200);
    expect(flood.filter((e, i) => !refused[i] && !e.socket.closed)).toHaveLength(MAX_CONNECTIONS_PER_ADDRESS);
    // The held requests finish: the flooder's share is free again.
    for (const [i, e] of flood.entries()) if (!refused[i]) e.socket.write('x'.repeat(9));
    expect((await Promise.all(flood.filter((_, i) => !refused[i]).map((e) => e.status))).every((s) => s === 200)).toBe(true);
    expect(await getAs(http.port, '198.51.100.7')).toBe(200);
  }, 60_000);

  it('behavior: /signal sockets are capped per forwarded address group (16): the flooder’s 17th is 429, another client’s upgrade opens', async () => {
    const { http } = await start(true);
    const as = (xff: string) => new SignalingTestClient(new WebSocket(http.signalUrl, { headers: { 'x-forwarded-for': xff } }));
    // IPv6 clients are one group per /64.
    const flood = Array.from({ length: 16 }, (_, i) => as(`2001:db8:0:7::${i + 1}`));
    for (const c of flood) await c.challenge(20_000);
    expect(await refusedStatus(http.signalUrl, { headers: { 'x-forwarded-for': '2001:db8:0:7:ffff::1' } })).toBe(429);
    await as('2001:db8:0:8::1').challenge(20_000);
  }, 60_000);

  it('behavior: X-Forwarded-Proto https brings HSTS, and the Host the proxy forwards is answered (with a token); own https Origin passes', async () => {
    const { http } = await start(true);
    const head = (extra: string) => `GET /chain HTTP/1.1\r\nHost: node.example.org\r\nX-Forwarded-For: 203.0.113.5\r\nConnection: close${extra}`;
    const tls = await headersOf(http.port, head('\r\nX-Forwarded-Proto: https\r\nOrigin: https://node.example.org'));
    expect(tls['strict-transport-security']).toBe('max-age=31536000');
    expect(await send(http.port, head('\r\nX-Forwarded-Proto: https\r\nOrigin: https://node.example.org')).status).toBe(200);
    expect((await headersOf(http.port, head('')))['strict-transport-security']).toBeUndefined();
    // The https Origin is the node's own only when the proxy says the client came over TLS.
    expect(await send(http.port, head('\r\nOrigin: https://node.example.org')).status).toBe(403);
  });

  it('behavior: the Host rule behind a proxy: any name with a token, loopback names only without one; own https origin only when the proxy says https', () => {
    const policy: RequestSourcePolicy = { port: 5000, host: '127.0.0.1', origins: [], tokenRequired: true, trustProxy: true };
    expect(checkRequestSource({ host: 'node.example.org' }, policy)).toBeNull();
    expect(checkRequestSource({ host: 'node.example.org' }, { ...policy, tokenRequired: false })).toMatchObject({ status: 421, message: expect.stringMatching(/--trust-proxy.*--insecure/) });
    expect(checkRequestSource({ host: '127.0.0.1:5000' }, { ...policy, tokenRequired: false })).toBeNull();
    expect(checkRequestSource({ host: 'node.example.org' }, { ...policy, trustProxy: false })).toMatchObject({ status: 421 });
    const https = { host: 'node.example.org', origin: 'https://node.example.org' };
    expect(checkRequestSource({ ...https, 'x-forwarded-proto': 'https' }, policy)).toBeNull();
    expect(checkRequestSource({ ...https, 'x-forwarded-proto': 'http' }, policy)).toMatchObject({ status: 403 });
    expect(checkRequestSource({ ...https, 'x-forwarded-proto': 'https' }, { ...policy, host: '0.0.0.0', trustProxy: false })).toMatchObject({ status: 403 });
    expect(checkRequestSource({ host: 'node.example.org', origin: 'https://evil.example', 'x-forwarded-proto': 'https' }, policy)).toMatchObject({ status: 403 });
  });
});

describe('the headless node without --trust-proxy', () => {
  it('error: X-Forwarded-For is ignored: requests naming 40 addresses are one client, held to its 32 sockets, and a 41st address gets no socket either', async () => {
    const { http, calls } = await start(false);
    const extra = 8;
    const flood = Array.from({ length: MAX_CONNECTIONS_PER_ADDRESS + extra }, (_, i) => hangingPost(http.port, `198.51.100.${i + 1}`));
    const dropped = flood.map(() => false);
    flood.forEach((e, i) => void e.status.then((s) => (dropped[i] = s === 0)));
    // The socket cap counts 127.0.0.1, whatever the header says: the sockets over it are dropped at accept.
    await until(() => calls() === MAX_CONNECTIONS_PER_ADDRESS && dropped.filter(Boolean).length === extra, 'the flood to be counted');
    expect(await getAs(http.port, '203.0.113.5')).toBe(0);
  }, 60_000);

  it('error: /signal counts the socket address, not X-Forwarded-For; X-Forwarded-Proto brings no HSTS and a forwarded Host is refused', async () => {
    const { http } = await start(false);
    const flood = Array.from({ length: 16 }, (_, i) => new SignalingTestClient(new WebSocket(http.signalUrl, { headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } })));
    for (const c of flood) await c.challenge(20_000);
    expect(await refusedStatus(http.signalUrl, { headers: { 'x-forwarded-for': '203.0.113.5' } })).toBe(429);
    const head = `GET /chain HTTP/1.1\r\nHost: node.example.org\r\nX-Forwarded-For: 203.0.113.5\r\nX-Forwarded-Proto: https\r\nConnection: close`;
    expect(await send(http.port, head).status).toBe(421);
    expect((await headersOf(http.port, head))['strict-transport-security']).toBeUndefined();
  }, 60_000);
});
