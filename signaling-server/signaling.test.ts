/**
 * The signaling server against real `ws` clients and raw TCP sockets on 127.0.0.1 (test-plan
 * F.33–F.38, plus the happy paths). Every server listens on port 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SIGNALING_CLOSE, SIGNALING_MAX_PAYLOAD, type ServerMessage } from '../src/core/net/signaling-messages.ts';
import { IceUrlError } from './ice-servers.ts';
import { certificateNames } from './local-addresses.ts';
import { jsonLineLogger, type LogEntry } from './log.ts';
import { startServer, type RunningServer } from './server.ts';
import type { SignalingOptions } from './signaling.ts';
import { generateSelfSignedCertificate, type TlsPair } from './tls-certificate.ts';
import { SignalingTestClient, joinMessage, newTestKey, refusedStatus, terminateTestSockets, trackSocket } from './test-client.ts';
import { verifyTurnCredential } from './turn-credentials.ts';

const ROOM = 'aa'.repeat(32);
const OTHER_ROOM = 'bb'.repeat(32);

const servers: RunningServer[] = [];
afterEach(async () => {
  terminateTestSockets();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

interface Started {
  running: RunningServer;
  logs: LogEntry[];
  url: string;
  origin: string;
}

async function start(options: SignalingOptions = {}, port = 0): Promise<Started> {
  const logs: LogEntry[] = [];
  const running = await startServer({ port, host: '127.0.0.1', dist: null, signaling: { logger: (e) => logs.push(e), ...options } });
  servers.push(running);
  return { running, logs, url: `ws://127.0.0.1:${running.port}/signal`, origin: `http://127.0.0.1:${running.port}` };
}

/** Opens a socket and waits for its challenge. */
async function open(s: { url: string; origin: string; ca?: string }, origin: string | null = s.origin): Promise<SignalingTestClient> {
  const client = new SignalingTestClient(new WebSocket(s.url, { ...(origin === null ? {} : { origin }), ...(s.ca ? { ca: s.ca } : {}) }));
  await client.challenge();
  return client;
}

async function joined(s: Started, room = ROOM): Promise<SignalingTestClient> {
  const client = await open(s);
  await client.join(room);
  return client;
}

/** Writes raw bytes to the server and returns everything it answers until it closes the socket. */
function rawExchange(port: number, request: string | Buffer, timeoutMs = 3000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the socket open; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1'))}`));
    }, timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.write(request);
  });
}

async function health(s: Started): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${s.running.port}/health`);
  expect(res.status).toBe(200);
  return res.json();
}

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('signaling: joining and relaying', () => {
  it('behavior: join, peer-joined, relay with the server-set from, peer-left; /health counts', async () => {
    const s = await start();
    const a = await open(s);
    expect(a.nonce).toMatch(/^[0-9a-f]{64}$/);
    expect(await a.join(ROOM)).toEqual({ type: 'joined', peerId: a.key.id, peers: [], iceServers: [] });
    const b = await open(s);
    expect(b.nonce).not.toBe(a.nonce);
    expect(await b.join(ROOM)).toEqual({ type: 'joined', peerId: b.key.id, peers: [a.key.id], iceServers: [] });
    expect(await a.next()).toEqual({ type: 'peer-joined', peerId: b.key.id });
    expect(await health(s)).toEqual({ ok: true, rooms: 1, peers: 2 });

    const offer = { type: 'offer', sdp: 'v=0\r\n…' };
    b.send({ type: 'signal', to: a.key.id, data: offer });
    expect(await a.next()).toEqual({ type: 'signal', from: b.key.id, data: offer });
    a.send({ type: 'signal', to: b.key.id, data: { type: 'answer', sdp: 'x' } });
    expect(await b.next()).toEqual({ type: 'signal', from: a.key.id, data: { type: 'answer', sdp: 'x' } });

    b.ws.close();
    expect(await a.next()).toEqual({ type: 'peer-left', peerId: b.key.id });
    expect(await health(s)).toEqual({ ok: true, rooms: 1, peers: 1 });
    a.ws.close();
    await a.closed;
    await eventually(async () => JSON.stringify(await health(s)) === JSON.stringify({ ok: true, rooms: 0, peers: 0 }));
  });

  it('behavior: two rooms are isolated', async () => {
    const s = await start();
    const a = await joined(s, ROOM);
    const c = await open(s);
    expect(await c.join(OTHER_ROOM)).toEqual({ type: 'joined', peerId: c.key.id, peers: [], iceServers: [] });
    const b = await open(s);
    expect(await b.join(ROOM)).toEqual({ type: 'joined', peerId: b.key.id, peers: [a.key.id], iceServers: [] });
    expect(await a.next()).toEqual({ type: 'peer-joined', peerId: b.key.id });
    expect(await health(s)).toEqual({ ok: true, rooms: 2, peers: 3 });

    c.send({ type: 'signal', to: a.key.id, data: { hello: 1 } });
    expect(await c.next()).toEqual({ type: 'error', code: 'unknown-peer', message: expect.any(String) });
    a.send({ type: 'signal', to: c.key.id, data: { hello: 1 } });
    expect(await a.next()).toEqual({ type: 'error', code: 'unknown-peer', message: expect.any(String) });
    c.ws.close();
    await c.closed;
    // a and b heard nothing of c, coming or going.
    a.send({ type: 'signal', to: b.key.id, data: { n: 1 } });
    expect(await b.next()).toEqual({ type: 'signal', from: a.key.id, data: { n: 1 } });
    expect(a.inbox).toEqual([]);
    expect(b.inbox).toEqual([]);
  });

  it('behavior: a second join with the same key replaces the stale socket (closed with 4001)', async () => {
    const s = await start();
    const a = await joined(s);
    const b = await joined(s);
    await a.next('peer-joined');
    const again = await open(s);
    again.key = a.key;
    expect(await again.join(ROOM)).toEqual({ type: 'joined', peerId: a.key.id, peers: [b.key.id], iceServers: [] });
    expect(await a.closed).toEqual({ code: SIGNALING_CLOSE.replaced, reason: 'replaced' });
    expect(await b.next()).toEqual({ type: 'peer-left', peerId: a.key.id });
    expect(await b.next()).toEqual({ type: 'peer-joined', peerId: a.key.id });
    b.send({ type: 'signal', to: a.key.id, data: { to: 'the new socket' } });
    expect(await again.next()).toEqual({ type: 'signal', from: b.key.id, data: { to: 'the new socket' } });
    expect(await health(s)).toEqual({ ok: true, rooms: 1, peers: 2 });
    expect(s.logs.filter((e) => e.event === 'replace')).toHaveLength(1);
  });

  it('error: a full room refuses a new peer with room-full', async () => {
    const s = await start({ maxPeersPerRoom: 2 });
    await joined(s);
    await joined(s);
    const c = await open(s);
    c.send(joinMessage(c.key, c.nonce, ROOM));
    expect(await c.next()).toEqual({ type: 'error', code: 'room-full', message: expect.any(String) });
    expect(await c.join(OTHER_ROOM)).toEqual({ type: 'joined', peerId: c.key.id, peers: [], iceServers: [] });
  });

  it('error: a socket that does not join within the handshake timeout is closed with 1008', async () => {
    const s = await start({ joinTimeoutMs: 150 });
    const idle = await open(s);
    const active = await joined(s);
    expect(await idle.closed).toEqual({ code: 1008, reason: 'join-timeout' });
    expect(active.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('error: a socket that stops answering pings is dropped', async () => {
    const s = await start({ pingIntervalMs: 100 });
    const deaf = new SignalingTestClient(new WebSocket(s.url, { origin: s.origin, autoPong: false }));
    await deaf.next('challenge');
    const alive = await joined(s);
    expect((await deaf.closed).code).toBe(1006);
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
    expect(s.logs.some((e) => e.event === 'error' && e.code === 'ping-timeout')).toBe(true);
  });

  it('behavior: logs are JSON lines with events and never the relayed payloads', async () => {
    const lines: string[] = [];
    const logger = jsonLineLogger((line) => lines.push(line));
    const s = await start({ logger });
    const a = await joined(s);
    const b = await joined(s);
    b.send({ type: 'signal', to: a.key.id, data: { sdp: 'S3CRET-PAYLOAD' } });
    await a.next('signal');
    b.send({ type: 'signal', to: 'ff'.repeat(16), data: { sdp: 'S3CRET-PAYLOAD' } });
    await b.next('error');
    b.ws.close();
    await a.next('peer-left');
    const entries = lines.map((line) => JSON.parse(line) as LogEntry & { time: string });
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    expect(entries.map((e) => e.event)).toEqual(['connect', 'join', 'connect', 'join', 'error', 'leave']);
    expect(entries.find((e) => e.event === 'leave')).toMatchObject({ peer: b.key.id, relayed: 1, errors: 1 });
    expect(lines.join('')).not.toContain('S3CRET');
  });
});

describe('signaling: F.33 payload size', () => {
  it('error: a frame above maxPayload closes the socket with 1009; a frame of exactly maxPayload is relayed', async () => {
    const s = await start();
    const a = await joined(s);
    const b = await joined(s);
    const envelope = JSON.stringify({ type: 'signal', to: a.key.id, data: { pad: '' } });
    const pad = 'p'.repeat(SIGNALING_MAX_PAYLOAD - envelope.length);
    b.send({ type: 'signal', to: a.key.id, data: { pad } });
    expect((await a.next('signal')) as unknown).toEqual({ type: 'signal', from: b.key.id, data: { pad } });

    const big = await open(s);
    big.send('x'.repeat(SIGNALING_MAX_PAYLOAD + 1));
    expect((await big.closed).code).toBe(1009);
    b.send({ type: 'signal', to: a.key.id, data: { still: 'served' } });
    expect(await a.next('signal')).toEqual({ type: 'signal', from: b.key.id, data: { still: 'served' } });
  });

  it('error: a frame header declaring 1 GiB is answered with 1009 at once, without waiting for the bytes', async () => {
    const s = await start();
    const request =
      `GET /signal HTTP/1.1\r\nHost: 127.0.0.1:${s.running.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${Buffer.alloc(16, 7).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nOrigin: ${s.origin}\r\n\r\n`;
    // FIN + text, masked, 64-bit length 2^30, mask key; no payload follows.
    const header = Buffer.from([0x81, 0xff, 0, 0, 0, 0, 0x40, 0, 0, 0, 1, 2, 3, 4]);
    const answer = await rawExchange(s.running.port, Buffer.concat([Buffer.from(request), header]));
    expect(answer.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
    expect(answer.includes(Buffer.from([0x88, 0x02, 0x03, 0xf1]))).toBe(true); // close frame, code 1009
    expect(await joined(s)).toBeInstanceOf(SignalingTestClient);
  });

  it('behavior: 50 oversize attempts leave the heap steady and the server serving', async () => {
    const s = await start({ maxConnectionsPerIp: 100 });
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 50; i++) {
      const client = await open(s);
      client.send('x'.repeat(SIGNALING_MAX_PAYLOAD + 1));
      expect((await client.closed).code).toBe(1009);
    }
    const growth = process.memoryUsage().heapUsed - before;
    expect(growth).toBeLessThan(20 * 1024 * 1024);
    const a = await joined(s);
    expect(await health(s)).toEqual({ ok: true, rooms: 1, peers: 1 });
    expect(a.ws.readyState).toBe(WebSocket.OPEN);
  });
});

describe('signaling: F.34 rate limits and caps', () => {
  it('error: a message flood gets rate-limited errors, then a 1008 close; other clients are unaffected', async () => {
    // A bucket of 5 that refills at 0.1/s (no refill worth a token during the test); closed after 15 refused.
    const s = await start({ messagesPerSecond: 0.1, messageBurst: 5 });
    const flooder = await joined(s); // the join took 1 token: 4 left
    const b = await joined(s);
    const c = await joined(s);
    for (let i = 0; i < 40; i++) flooder.send({ type: 'signal', to: b.key.id, data: { i } });
    expect(await flooder.closed).toEqual({ code: 1008, reason: 'rate-limited' });
    const errors = flooder.inbox.filter((m) => m.type === 'error');
    expect(errors).toHaveLength(14);
    expect(errors.every((m) => m.type === 'error' && m.code === 'rate-limited')).toBe(true);

    // b got exactly the 4 signals within the budget, then the flooder left.
    const fromFlooder: ServerMessage[] = [];
    for (;;) {
      const m = await b.next();
      if (m.type === 'peer-left') break;
      if (m.type === 'signal') fromFlooder.push(m);
    }
    expect(fromFlooder).toEqual([0, 1, 2, 3].map((i) => ({ type: 'signal', from: flooder.key.id, data: { i } })));
    c.send({ type: 'signal', to: b.key.id, data: { ok: true } });
    expect(await b.next('signal')).toEqual({ type: 'signal', from: c.key.id, data: { ok: true } });
  });

  it('error: connections above the per-address cap are refused with 429; the others keep working', async () => {
    const s = await start({ maxConnectionsPerIp: 3 });
    const clients = [await open(s), await open(s), await open(s)];
    expect(await refusedStatus(s.url, { origin: s.origin })).toBe(429);
    for (const client of clients) await client.join(ROOM);
    clients[2]!.send({ type: 'signal', to: clients[0]!.key.id, data: { n: 3 } });
    expect(await clients[0]!.next('signal')).toEqual({ type: 'signal', from: clients[2]!.key.id, data: { n: 3 } });
    expect(s.logs.filter((e) => e.event === 'refuse').map((e) => e.status)).toEqual([429]);

    // A closed socket frees its place.
    clients[1]!.ws.close();
    await clients[1]!.closed;
    let replacement: SignalingTestClient | null = null;
    await eventually(async () => {
      replacement = await open(s).catch(() => null);
      return replacement !== null;
    });
    expect(await replacement!.join(ROOM)).toMatchObject({ type: 'joined' });
  });
});

describe('signaling: F.35 identity', () => {
  it('error: a signature by another key, for another room, or replayed from another socket gets bad-signature', async () => {
    const s = await start();
    const a = await joined(s);
    const honestJoin = joinMessage(a.key, a.nonce, ROOM);

    const c = await open(s);
    c.send(joinMessage(c.key, c.nonce, ROOM, newTestKey()));
    expect(await c.next()).toEqual({ type: 'error', code: 'bad-signature', message: expect.any(String) });
    c.send({ ...joinMessage(c.key, c.nonce, OTHER_ROOM), room: ROOM }); // signed for another room
    expect(await c.next()).toEqual({ type: 'error', code: 'bad-signature', message: expect.any(String) });
    c.send(honestJoin); // a's key and signature, but over a's challenge, not c's
    expect(await c.next()).toEqual({ type: 'error', code: 'bad-signature', message: expect.any(String) });
    expect(await health(s)).toEqual({ ok: true, rooms: 1, peers: 1 });

    // Nothing changed: c can still join with its own key, and a is still a.
    expect(await c.join(ROOM)).toEqual({ type: 'joined', peerId: c.key.id, peers: [a.key.id], iceServers: [] });
    expect(await a.next()).toEqual({ type: 'peer-joined', peerId: c.key.id });
    expect(a.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('error: five failed joins close the socket with 1008', async () => {
    const s = await start();
    const c = await open(s);
    for (let i = 0; i < 5; i++) c.send(joinMessage(c.key, c.nonce, ROOM, newTestKey()));
    expect(await c.closed).toEqual({ code: 1008, reason: 'bad-signature' });
    expect(c.inbox.filter((m) => m.type === 'error' && m.code === 'bad-signature')).toHaveLength(5);
  });

  it('behavior: the server sets from; a from written by the sender is ignored', async () => {
    const s = await start();
    const a = await joined(s);
    const b = await joined(s);
    b.send({ type: 'signal', to: a.key.id, from: 'ff'.repeat(16), data: { type: 'offer' } });
    expect(await a.next('signal')).toEqual({ type: 'signal', from: b.key.id, data: { type: 'offer' } });
  });
});

describe('signaling: F.36 origins and malformed upgrades', () => {
  it('error: a disallowed or missing Origin is refused at the upgrade with 403', async () => {
    const s = await start({ origins: ['https://example.org/'] });
    expect(await refusedStatus(s.url, { origin: 'https://evil.example' })).toBe(403);
    expect(await refusedStatus(s.url, { origin: 'null' })).toBe(403);
    expect(await refusedStatus(s.url)).toBe(403);
    expect(s.logs.filter((e) => e.event === 'refuse').map((e) => [e.status, e.reason])).toEqual([
      [403, 'origin'],
      [403, 'origin'],
      [403, 'origin'],
    ]);
    // Allowed: the server's own origins and the configured one.
    await open(s, `http://localhost:${s.running.port}`);
    await open(s, s.origin);
    await open(s, 'https://example.org');
  });

  it('behavior: without an Origin header only when allowMissingOrigin is set', async () => {
    const s = await start({ allowMissingOrigin: true });
    const client = await open(s, null);
    expect(await client.join(ROOM)).toMatchObject({ type: 'joined' });
    expect(await refusedStatus(s.url, { origin: 'https://evil.example' })).toBe(403);
  });

  it('error: malformed upgrade requests do not crash the server', async () => {
    const s = await start();
    const port = s.running.port;
    const host = `Host: 127.0.0.1:${port}\r\n`;
    const upgrade = `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nOrigin: ${s.origin}\r\n`;
    const status = (answer: Buffer) => answer.toString('latin1').split('\r\n')[0];

    expect(status(await rawExchange(port, '\x16\x03\x01 garbage \0\xff\r\n\r\n'))).toBe('HTTP/1.1 400 Bad Request');
    expect(status(await rawExchange(port, `GET /signal HTTP/1.1\r\n${host}Connection: close\r\n\r\n`))).toBe('HTTP/1.1 426 Upgrade Required');
    expect(status(await rawExchange(port, `GET /signal HTTP/1.1\r\n${host}${upgrade}Sec-WebSocket-Key: nope\r\n\r\n`))).toBe('HTTP/1.1 400 Bad Request');
    expect(status(await rawExchange(port, `GET /signal HTTP/1.1\r\n${host}${upgrade}\r\n`))).toBe('HTTP/1.1 400 Bad Request');
    const key = `Sec-WebSocket-Key: ${Buffer.alloc(16, 1).toString('base64')}\r\n`;
    expect(status(await rawExchange(port, `GET /elsewhere HTTP/1.1\r\n${host}${upgrade}${key}\r\n`))).toBe('HTTP/1.1 404 Not Found');
    const oldVersion = `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 7\r\nOrigin: ${s.origin}\r\n`;
    expect(status(await rawExchange(port, `GET /signal HTTP/1.1\r\n${host}${oldVersion}${key}\r\n`))).toBe('HTTP/1.1 400 Bad Request');
    // Half a request, then the client goes away.
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`GET /signal HTTP/1.1\r\n${host}Upgrade: websock`);
        socket.destroy();
        resolve();
      });
    });

    expect(await health(s)).toEqual({ ok: true, rooms: 0, peers: 0 });
    expect(await joined(s)).toBeInstanceOf(SignalingTestClient);
  });

  it('behavior: the HTTP side: GET / without an app is a status text; /health is JSON', async () => {
    const s = await start();
    const res = await fetch(`http://127.0.0.1:${s.running.port}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('tabchain signaling server');
    expect((await fetch(`http://127.0.0.1:${s.running.port}/nothing`)).status).toBe(404);
    expect(await health(s)).toEqual({ ok: true, rooms: 0, peers: 0 });
  });
});

describe('signaling: F.37 bad messages', () => {
  it('error: invalid JSON, wrong types, __proto__ keys, unknown types and targets get an error reply and change nothing', async () => {
    const s = await start();
    const fresh = await open(s);
    fresh.send({ type: 'signal', to: 'ab'.repeat(16), data: {} });
    expect(await fresh.next()).toEqual({ type: 'error', code: 'not-joined', message: expect.any(String) });
    const badJoins: unknown[] = [
      { ...joinMessage(fresh.key, fresh.nonce, ROOM), room: 'AA'.repeat(32) },
      { ...joinMessage(fresh.key, fresh.nonce, ROOM), room: 'main' },
      { ...joinMessage(fresh.key, fresh.nonce, ROOM), publicKey: 7 },
      { ...joinMessage(fresh.key, fresh.nonce, ROOM), signature: 'ab' },
    ];
    for (const message of badJoins) {
      fresh.send(message);
      expect(await fresh.next()).toEqual({ type: 'error', code: 'bad-message', message: expect.any(String) });
    }

    const a = await joined(s);
    const b = await joined(s);
    await a.next('peer-joined');
    const cases: [unknown, string][] = [
      ['not json', 'bad-json'],
      ['{"type":"signal",', 'bad-json'],
      ['{"type":"join","__proto__":{"polluted":true}}', 'bad-json'],
      [`{"type":"signal","to":"${b.key.id}","data":{"constructor":{"prototype":{"x":1}}}}`, 'bad-json'],
      ['[]', 'bad-message'],
      ['null', 'bad-message'],
      ['"signal"', 'bad-message'],
      [{ type: 5 }, 'bad-message'],
      [{ type: 'hello' }, 'bad-message'],
      [{ type: 'signal', to: 42, data: {} }, 'bad-message'],
      [{ type: 'signal', to: 'not-a-peer-id', data: {} }, 'bad-message'],
      [{ type: 'signal', to: b.key.id, data: 'offer' }, 'bad-message'],
      [{ type: 'signal', to: b.key.id, data: [1, 2] }, 'bad-message'],
      [{ type: 'signal', to: b.key.id }, 'bad-message'],
      [{ type: 'signal', to: 'cd'.repeat(16), data: {} }, 'unknown-peer'],
      [{ type: 'signal', to: a.key.id, data: {} }, 'unknown-peer'],
      [joinMessage(a.key, a.nonce, ROOM), 'already-joined'],
    ];
    for (const [message, code] of cases) {
      a.send(message);
      expect(await a.next(), JSON.stringify(message)).toEqual({ type: 'error', code, message: expect.any(String) });
    }
    a.ws.send(Buffer.from('{"type":"signal"}'), { binary: true });
    expect(await a.next()).toEqual({ type: 'error', code: 'bad-message', message: expect.any(String) });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    // Nothing reached b, and a still works.
    a.send({ type: 'signal', to: b.key.id, data: { after: 'errors' } });
    expect(await b.next()).toEqual({ type: 'signal', from: a.key.id, data: { after: 'errors' } });
    expect(b.inbox).toEqual([]);
    expect(await health(s)).toEqual({ ok: true, rooms: 1, peers: 2 });
  });
});

describe('signaling: F.38 restart', () => {
  it('behavior: after a restart on the same port a client gets a new challenge and joins again', async () => {
    const first = await start();
    const port = first.running.port;
    const a = await joined(first);
    const oldNonce = a.nonce;
    await first.running.close();
    servers.splice(servers.indexOf(first.running), 1);
    expect(await a.closed).toEqual({ code: SIGNALING_CLOSE.goingAway, reason: 'server-shutdown' });

    const second = await start({}, port);
    const again = await open(second);
    expect(again.nonce).not.toBe(oldNonce);
    again.key = a.key;
    expect(await again.join(ROOM)).toEqual({ type: 'joined', peerId: a.key.id, peers: [], iceServers: [] });
  });
});

describe('signaling: shutdown', () => {
  it('behavior: closing signaling closes sockets with 1001 and refuses new ones with 503; HTTP keeps answering', async () => {
    const s = await start();
    const a = await joined(s);
    await s.running.signaling.close();
    expect(await a.closed).toEqual({ code: SIGNALING_CLOSE.goingAway, reason: 'server-shutdown' });
    expect(await refusedStatus(s.url, { origin: s.origin })).toBe(503);
    expect(await health(s)).toEqual({ ok: true, rooms: 0, peers: 0 });
  });
});

describe('signaling: command line', () => {
  it('behavior: node signaling-server starts, answers /health and accepts a configured origin', async () => {
    const dir = dirname(fileURLToPath(import.meta.url));
    const child = spawn(process.execPath, [dir, '--port', '0', '--host', '127.0.0.1', '--origin', 'https://example.org'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PORT: '' },
    });
    try {
      const listening = await new Promise<{ signal: string; health: string }>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += String(chunk);
          for (const line of out.split('\n')) {
            if (line.includes('"listening"')) resolve(JSON.parse(line) as { signal: string; health: string });
          }
        });
        child.stderr.on('data', (chunk: Buffer) => (out += String(chunk)));
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
      });
      expect(listening.signal).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/signal$/);
      expect(await (await fetch(listening.health)).json()).toEqual({ ok: true, rooms: 0, peers: 0 });
      const client = await open({ url: listening.signal, origin: 'https://example.org' });
      expect(await client.join(ROOM)).toMatchObject({ type: 'joined' });
    } finally {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
  });
});

describe('signaling: ICE servers and heartbeat (issue 10)', () => {
  const SECRET = 'north-sea-turn-secret';
  const ICE = {
    stun: ['stun:stun.example.org:3478'],
    turn: { urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'], secret: SECRET, ttlSeconds: 600 },
  };

  it('behavior: joined hands out the STUN URLs and TURN credentials issued to the joining peer id, expiring after the lifetime', async () => {
    const s = await start({ iceServers: ICE });
    const a = await open(s);
    const before = Math.floor(Date.now() / 1000);
    const joinedA = await a.join(ROOM);
    const after = Math.floor(Date.now() / 1000);
    expect(joinedA.iceServers).toEqual([
      { urls: ['stun:stun.example.org:3478'] },
      { urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'], username: expect.stringMatching(new RegExp(`^\\d+:${a.key.id}$`)), credential: expect.any(String) },
    ]);
    const turn = joinedA.iceServers[1]!;
    const expiry = Number(turn.username!.split(':')[0]);
    expect(expiry).toBeGreaterThanOrEqual(before + 600);
    expect(expiry).toBeLessThanOrEqual(after + 600);
    expect(verifyTurnCredential(SECRET, turn.username!, turn.credential!, after)).toMatchObject({ ok: true, user: a.key.id });
    expect(verifyTurnCredential('wrong-secret', turn.username!, turn.credential!, after)).toEqual({ ok: false, reason: 'bad-credential' });
    expect(verifyTurnCredential(SECRET, turn.username!, turn.credential!, expiry + 1)).toEqual({ ok: false, reason: 'expired' });

    // Another peer gets credentials of its own.
    const b = await open(s);
    const turnB = (await b.join(ROOM)).iceServers[1]!;
    expect(turnB.username).toMatch(new RegExp(`:${b.key.id}$`));
    expect(turnB.credential).not.toBe(turn.credential);
    // Neither the secret nor a credential is logged.
    const logged = JSON.stringify(s.logs);
    expect(logged).not.toContain(SECRET);
    expect(logged).not.toContain(turn.credential);
  });

  it('behavior: ice-refresh answers ice-servers with fresh credentials; before the join it is not-joined', async () => {
    const s = await start({ iceServers: ICE });
    const a = await open(s);
    a.send({ type: 'ice-refresh' });
    expect(await a.next()).toEqual({ type: 'error', code: 'not-joined', message: expect.any(String) });
    const first = (await a.join(ROOM)).iceServers;
    a.send({ type: 'ice-refresh' });
    const refreshed = await a.next();
    if (refreshed.type !== 'ice-servers') throw new Error(`expected ice-servers, got ${JSON.stringify(refreshed)}`);
    expect(refreshed.iceServers.map((x) => x.urls)).toEqual(first.map((x) => x.urls));
    const turn = refreshed.iceServers[1]!;
    expect(Number(turn.username!.split(':')[0])).toBeGreaterThanOrEqual(Number(first[1]!.username!.split(':')[0]));
    expect(verifyTurnCredential(SECRET, turn.username!, turn.credential!, Math.floor(Date.now() / 1000))).toMatchObject({ ok: true, user: a.key.id });

    // Without ICE servers configured: always present, and empty.
    const plain = await start();
    const c = await open(plain);
    expect((await c.join(ROOM)).iceServers).toEqual([]);
    c.send({ type: 'ice-refresh' });
    expect(await c.next()).toEqual({ type: 'ice-servers', iceServers: [] });
  });

  it('behavior: ping is answered with pong before and after the join; pings count against the rate limit', async () => {
    const s = await start({ messagesPerSecond: 0.1, messageBurst: 4 });
    const a = await open(s);
    a.send({ type: 'ping' });
    expect(await a.next()).toEqual({ type: 'pong' });
    await a.join(ROOM); // 2 tokens used
    a.send({ type: 'ping' });
    a.send({ type: 'ping' });
    a.send({ type: 'ping' }); // the fifth message: over the burst
    expect(await a.next()).toEqual({ type: 'pong' });
    expect(await a.next()).toEqual({ type: 'pong' });
    expect(await a.next()).toEqual({ type: 'error', code: 'rate-limited', message: expect.any(String) });
  });

  it('error: a bad STUN/TURN option fails at start, before any client joins', async () => {
    await expect(start({ iceServers: { stun: ['http://stun.example.org'] } })).rejects.toThrow(IceUrlError);
    await expect(start({ iceServers: { turn: { urls: ['turn:t.example.org'], secret: '' } } })).rejects.toThrow(/shared secret/);
  });
});

describe('signaling: TLS (issue 10)', () => {
  let pair: TlsPair;

  async function startTls(options: SignalingOptions = {}): Promise<Started & { ca: string }> {
    pair ??= await generateSelfSignedCertificate(certificateNames(['lan.test']));
    const logs: LogEntry[] = [];
    const running = await startServer({ port: 0, host: '127.0.0.1', dist: null, tls: pair, signaling: { logger: (e) => logs.push(e), hostnames: ['lan.test'], ...options } });
    servers.push(running);
    return { running, logs, url: `wss://127.0.0.1:${running.port}/signal`, origin: `https://127.0.0.1:${running.port}`, ca: pair.cert };
  }

  function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      httpsRequest(url, { ca }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += String(chunk)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
        .on('error', reject)
        .end();
    });
  }

  it('behavior: over TLS with a generated certificate, a client trusting it joins over wss; /health answers over https; the URLs are https and wss', async () => {
    const s = await startTls({ iceServers: { stun: ['stun:stun.example.org'] } });
    expect(s.running.tls).toBe(true);
    expect(s.running.appUrl).toBe(`https://127.0.0.1:${s.running.port}/`);
    expect(s.running.signalUrl).toBe(`wss://127.0.0.1:${s.running.port}/signal`);
    const a = await open(s);
    expect(await a.join(ROOM)).toEqual({ type: 'joined', peerId: a.key.id, peers: [], iceServers: [{ urls: ['stun:stun.example.org'] }] });
    const b = await open(s);
    await b.join(ROOM);
    b.send({ type: 'signal', to: a.key.id, data: { over: 'tls' } });
    expect(await a.next('signal')).toEqual({ type: 'signal', from: b.key.id, data: { over: 'tls' } });
    expect(JSON.parse((await httpsGet(`https://127.0.0.1:${s.running.port}/health`, s.ca)).body)).toEqual({ ok: true, rooms: 1, peers: 2 });
    // The certificate names localhost and lan.test too (checked against the pinned CA).
    expect((await httpsGet(`https://localhost:${s.running.port}/health`, s.ca)).status).toBe(200);
  });

  it('error: a client that does not trust the certificate cannot connect; one that skips the check can', async () => {
    const s = await startTls();
    const refused = new WebSocket(s.url, { origin: s.origin });
    trackSocket(refused);
    const error = await new Promise<Error>((resolve) => refused.on('error', resolve));
    expect(error.message).toMatch(/self-signed certificate/);
    const lax = new SignalingTestClient(new WebSocket(s.url, { origin: s.origin, rejectUnauthorized: false }));
    expect((await lax.next()).type).toBe('challenge');
  });

  it('behavior: the own origins are https:// ones, on localhost, the loopback addresses and the --hostname names; http:// and other names are refused', async () => {
    const s = await startTls();
    const port = s.running.port;
    for (const origin of [`https://127.0.0.1:${port}`, `https://localhost:${port}`, `https://[::1]:${port}`, `https://lan.test:${port}`]) {
      await open(s, origin);
    }
    for (const origin of [`http://127.0.0.1:${port}`, `https://other.test:${port}`, `https://lan.test:${port + 1}`]) {
      expect(await refusedStatus(s.url, { origin, ca: s.ca }), origin).toBe(403);
    }
  });
});

describe('signaling: plain HTTP on the TLS port (issue 10)', () => {
  it('behavior: an http:// request to the TLS port is redirected to https:// on the same host, port and path, even sent a byte at a time', async () => {
    const tls = await generateSelfSignedCertificate(certificateNames([]));
    const running = await startServer({ port: 0, host: '127.0.0.1', dist: null, tls, signaling: { logger: null } });
    servers.push(running);
    const port = running.port;
    const answer = await rawExchange(port, `GET /wallet?network=test HTTP/1.1\r\nHost: lan.test:${port}\r\n\r\n`);
    expect(answer.toString('latin1')).toMatch(new RegExp(`^HTTP/1\\.1 308 [^]*\r\nlocation: https://lan\\.test:${port}/wallet\\?network=test\r\n`, 'i'));

    const slow = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('latin1')));
      socket.on('close', () => resolve(text));
      const request = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
      let i = 0;
      const step = () => {
        if (i < request.length) socket.write(request[i++]!, step);
      };
      socket.on('connect', step);
    });
    expect(slow).toMatch(new RegExp(`^HTTP/1\\.1 308 [^]*location: https://127\\.0\\.0\\.1:${port}/\r\n`, 'i'));

    // ws:// to the TLS port: 426, never a WebSocket.
    const upgrade = await rawExchange(
      port,
      `GET /signal HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${Buffer.alloc(16, 2).toString('base64')}\r\n\r\n`,
    );
    expect(upgrade.toString('latin1').split('\r\n')[0]).toBe('HTTP/1.1 426 Upgrade Required');
    // A bad Host header is not echoed into a Location.
    expect((await rawExchange(port, 'GET / HTTP/1.1\r\nHost: evil.example/path\r\n\r\n')).toString('latin1').split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    // TLS on the same port still works.
    const client = await open({ url: `wss://127.0.0.1:${port}/signal`, origin: `https://127.0.0.1:${port}`, ca: tls.cert });
    expect((await client.join(ROOM)).type).toBe('joined');
  });
});

/** `node signaling-server ARGS` until it logs `listening` (or exits); `stop()` ends it. */
function runCli(args: string[], env: Record<string, string> = {}) {
  const dir = dirname(fileURLToPath(import.meta.url));
  const child = spawn(process.execPath, [dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: '', HTTPS: '', ...env } });
  let out = '';
  const entries: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const listening = new Promise<{ signal: string; health: string; urls: string[] }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += String(chunk);
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          if (!entries.some((e) => JSON.stringify(e) === line)) entries.push(entry);
          if (entry.event === 'listening') resolve(entry as never);
        } catch {
          // a partial line: the rest comes with the next chunk
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (out += String(chunk)));
    void exited.then((code) => reject(new Error(`exited with ${code}: ${out}`)));
  });
  listening.catch(() => {});
  return {
    listening,
    exited,
    entries,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

describe('signaling: command line with TLS and ICE flags (issue 10)', () => {
  it('behavior: --https generates a certificate in --data-dir, serves wss, and hands out the --stun and --turn servers', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tabchain-cli-'));
    const cli = runCli(['--port', '0', '--host', '127.0.0.1', '--https', '--data-dir', dataDir, '--hostname', 'lan.test', '--stun', 'stun:stun.example.org', '--turn', 'turn:turn.example.org:3478'], { TURN_SECRET: 'env-secret' });
    try {
      const listening = await cli.listening;
      expect(listening.signal).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/signal$/);
      expect(cli.entries.find((e) => e.event === 'certificate')).toMatchObject({ file: join(dataDir, 'cert.pem'), selfSigned: true, note: expect.stringContaining('generated') });
      const port = new URL(listening.signal).port;
      // Bound to loopback: only this machine can use it (no network URLs, no names).
      expect(listening.urls).toEqual([`https://localhost:${port}/`]);
      const ca = readFileSync(join(dataDir, 'cert.pem'), 'utf8');
      const client = await open({ url: listening.signal, origin: `https://lan.test:${port}`, ca });
      const joinedMessage = await client.join(ROOM);
      expect(joinedMessage.iceServers[0]).toEqual({ urls: ['stun:stun.example.org'] });
      expect(verifyTurnCredential('env-secret', joinedMessage.iceServers[1]!.username!, joinedMessage.iceServers[1]!.credential!, Math.floor(Date.now() / 1000)).ok).toBe(true);
      expect(cli.output()).not.toContain('env-secret');
    } finally {
      await cli.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('error: --turn without a secret, a bad STUN URL, and unreadable --cert files exit with a clear message', async () => {
    const noSecret = runCli(['--port', '0', '--turn', 'turn:turn.example.org']);
    expect(await noSecret.exited).toBe(2);
    expect(noSecret.output()).toContain('--turn needs --turn-secret (or TURN_SECRET)');
    expect(noSecret.output()).toContain('usage: node signaling-server');

    const badStun = runCli(['--port', '0', '--stun', 'stun.example.org']);
    expect(await badStun.exited).toBe(2);
    expect(badStun.output()).toContain('"stun.example.org" is not a STUN URL');

    const missing = runCli(['--port', '0', '--cert', '/nonexistent/cert.pem', '--key', '/nonexistent/key.pem']);
    expect(await missing.exited).toBe(1);
    expect(missing.output()).toContain('cannot serve over HTTPS: cannot read the certificate /nonexistent/cert.pem: ENOENT');
  });
});
