/**
 * @module The signaling endpoint: a `ws` WebSocket server on `/signal` of an existing HTTP
 * server, so the app and signaling share one origin and port. It only introduces peers: a tab
 * proves its peer id by signing a challenge, joins the room of its network, learns who else is
 * there, and exchanges WebRTC offers, answers and candidates with them through the server. It
 * keeps nothing but the rooms of live sockets in memory, sets `from` itself, and never logs what
 * it relays. On join it hands the client the ICE servers to use (STUN, and TURN with credentials
 * issued to that peer id), again on `ice-refresh`, and answers `ping` with `pong`. The protocol is in docs/protocol.md ("Signaling"); the message types are shared
 * with the browser in src/core/net/signaling-messages.ts.
 *
 * This file is the socket's life (upgrade, challenge, join, relay, ping, close); the parts it
 * runs on have files of their own: the options (signaling-options.ts), which origins may connect
 * (allowed-origins.ts), each socket's message and byte budget (socket-budget.ts), the checks of
 * what clients send (client-messages.ts) and the rooms (signaling-rooms.ts).
 */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { bytesToHex } from '../src/core/encoding/hex.ts';
import { peerIdOf, roomContext, verifyIdentity, type PeerId } from '../src/core/net/peer-identity.ts';
import { SIGNALING_CLOSE, type ServerMessage, type SignalingErrorCode } from '../src/core/net/signaling-messages.ts';
import { iceServersFor } from './ice-servers.ts';
import type { LogEntry, Logger } from './log.ts';
import { addressGroup, clientAddress } from './client-address.ts';
import { originAllowed } from './allowed-origins.ts';
import { signalingSettings, type SignalingOptions } from './signaling-options.ts';
import { rawDataSize, SocketBudget } from './socket-budget.ts';
import { checkJoin, checkSignal, MessageRefusal, readClientMessage, type UncheckedMessage } from './client-messages.ts';
import { SignalingRooms, type RoomMember } from './signaling-rooms.ts';

export type { SignalingOptions } from './signaling-options.ts';

export interface SignalingStats {
  /** Rooms with at least one joined peer. */
  rooms: number;
  /** Joined peers over all rooms. */
  peers: number;
  /** Open sockets, joined or not. */
  connections: number;
}

export interface Signaling {
  stats(): SignalingStats;
  /** Refuses new sockets (503) and closes every open one with 1001; resolves once all are gone. */
  close(): Promise<void>;
}

/** Failed joins (bad signatures) one socket may make before it is closed: each costs a signature check. */
const MAX_FAILED_JOINS = 5;
/** A socket with this much unsent data is not reading: it is dropped rather than buffered for. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** How long a closing socket gets to finish the close handshake before it is destroyed. */
const CLOSE_GRACE_MS = 2000;
/** Error lines logged per connection (the rest are only counted, in its `leave` line). */
const MAX_ERROR_LOGS_PER_CONNECTION = 5;

interface Connection extends RoomMember {
  id: number;
  ws: WebSocket;
  ip: string;
  nonce: Uint8Array;
  /** What it may still send (messages and bytes). */
  budget: SocketBudget;
  alive: boolean;
  closing: boolean;
  failedJoins: number;
  relayed: number;
  errors: number;
  openedAt: number;
  joinTimer: NodeJS.Timeout | null;
  killTimer: NodeJS.Timeout | null;
}

/**
 * Adds the signaling endpoint to `server` (which may or may not be listening yet). Upgrade
 * requests to other paths are left to other `upgrade` listeners, or answered 404 when there are
 * none.
 *
 * @example
 * const server = createServer(app);
 * const signaling = attachSignaling(server, { origins: ['https://example.org'] });
 * server.listen(8080);
 */
export function attachSignaling(server: Server, options: SignalingOptions = {}): Signaling {
  const settings = signalingSettings(options);
  const { path, iceServers, maxPayload, maxConnectionsPerIp, maxConnections, trustProxy, maxPeersPerRoom, log } = settings;

  const wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false });
  // With a listener, ws leaves a failed handshake (bad key, version, headers) to us: log it, answer 400.
  wss.on('wsClientError', (error: Error, socket: Duplex, req: IncomingMessage) => {
    log({ event: 'refuse', status: 400, reason: 'bad-handshake', detail: error.message, ip: clientAddress(req, trustProxy) });
    refuseUpgrade(socket, 400, 'bad WebSocket handshake');
  });

  const rooms = new SignalingRooms<Connection>(maxPeersPerRoom, (member, message) => send(member, message));
  const connections = new Set<Connection>();
  const perIp = new Map<string, number>();
  /** Sockets counted from the upgrade request until they close (handshakes included). */
  let sockets = 0;
  let nextId = 1;
  let closed = false;
  let relayedSinceSummary = 0;
  let errorsSinceSummary = 0;
  let onAllClosed: (() => void) | null = null;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      pathname = '';
    }
    if (pathname !== path) {
      // Another upgrade listener may own this path.
      if (server.listenerCount('upgrade') === 1) refuseUpgrade(socket, 404, 'not found');
      return;
    }
    const ip = clientAddress(req, trustProxy);
    const group = addressGroup(ip);
    const origin = req.headers.origin;
    if (closed) return refuse(socket, 503, 'shutting-down', ip, origin);
    if (!originAllowed(server, settings.origins, origin)) return refuse(socket, 403, 'origin', ip, origin);
    if (sockets >= maxConnections) return refuse(socket, 503, 'connections', ip, origin);
    const count = perIp.get(group) ?? 0;
    if (count >= maxConnectionsPerIp) return refuse(socket, 429, 'connections-per-ip', ip, origin);
    // Counted from here until the TCP socket closes, whether or not the handshake succeeds.
    perIp.set(group, count + 1);
    sockets++;
    socket.once('close', () => {
      sockets--;
      const n = (perIp.get(group) ?? 1) - 1;
      if (n > 0) perIp.set(group, n);
      else perIp.delete(group);
    });
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, ip, group, origin));
  };
  server.on('upgrade', onUpgrade);

  function refuse(socket: Duplex, status: number, reason: string, ip: string, origin: string | undefined) {
    log({ event: 'refuse', status, reason, ip, origin });
    refuseUpgrade(socket, status, reason);
  }

  function onConnection(ws: WebSocket, ip: string, group: string, origin: string | undefined) {
    const nonce = randomBytes(32);
    const conn: Connection = {
      id: nextId++,
      ws,
      ip,
      group,
      nonce,
      budget: new SocketBudget(settings.socket),
      joinedSeq: 0,
      peerId: null,
      room: null,
      alive: true,
      closing: false,
      failedJoins: 0,
      relayed: 0,
      errors: 0,
      openedAt: Date.now(),
      joinTimer: null,
      killTimer: null,
    };
    connections.add(conn);
    log({ event: 'connect', conn: conn.id, ip, origin });
    conn.joinTimer = setTimeout(() => {
      conn.joinTimer = null;
      if (!conn.peerId) closeConnection(conn, SIGNALING_CLOSE.policyViolation, 'join-timeout');
    }, settings.joinTimeoutMs);
    ws.on('message', (data, isBinary) => onMessage(conn, data, isBinary));
    ws.on('pong', () => {
      conn.alive = true;
    });
    // Frames above maxPayload (1009), bad frames (1002), invalid UTF-8 (1007): ws closes the socket itself.
    ws.on('error', (error: Error & { code?: string }) => {
      log({ event: 'error', conn: conn.id, peer: conn.peerId, code: error.code ?? 'socket-error', message: error.message });
    });
    ws.on('close', (code) => onClose(conn, code));
    send(conn, { type: 'challenge', nonce: bytesToHex(nonce) });
  }

  function onMessage(conn: Connection, data: RawData, isBinary: boolean) {
    if (conn.closing) return;
    const verdict = conn.budget.charge(rawDataSize(data));
    if (verdict.kind === 'flood') {
      log({ event: 'error', conn: conn.id, peer: conn.peerId, code: 'rate-limited', message: 'message flood: closing' });
      return closeConnection(conn, SIGNALING_CLOSE.policyViolation, 'rate-limited');
    }
    if (verdict.kind === 'refused') return fail(conn, 'rate-limited', verdict.why);
    const message = readClientMessage(data, isBinary);
    if (message instanceof MessageRefusal) return fail(conn, message.code, message.message);
    switch (message.type) {
      case 'join':
        return onJoin(conn, message);
      case 'signal':
        return onSignal(conn, message);
      case 'ice-refresh':
        if (!conn.peerId) return fail(conn, 'not-joined', 'join a room first: credentials are issued to a peer id');
        return send(conn, { type: 'ice-servers', iceServers: iceServersFor(iceServers, conn.peerId, Date.now() / 1000) });
      case 'ping':
        // Allowed before the join too: a tab checks its uplink whatever its state.
        return send(conn, { type: 'pong' });
      default:
        return fail(conn, 'bad-message', 'unknown message type');
    }
  }

  function onJoin(conn: Connection, message: UncheckedMessage) {
    if (conn.peerId) return fail(conn, 'already-joined', 'this socket has joined already');
    const join = checkJoin(message);
    if (join instanceof MessageRefusal) return fail(conn, join.code, join.message);
    const { room, publicKey } = join;
    if (!verifyIdentity(publicKey, join.signature, 'signal-join', conn.nonce, roomContext(room))) {
      conn.failedJoins++;
      fail(conn, 'bad-signature', 'the signature does not prove this key signed the challenge for this room');
      if (conn.failedJoins >= MAX_FAILED_JOINS) closeConnection(conn, SIGNALING_CLOSE.policyViolation, 'bad-signature');
      return;
    }
    const peerId: PeerId = peerIdOf(publicKey);
    const stale = rooms.member(room, peerId);
    if (!stale && rooms.isFull(room)) {
      const evicted = rooms.newestOfCrowdedGroup(room, conn.group);
      if (!evicted) return fail(conn, 'room-full', `the room has ${maxPeersPerRoom} peers`);
      // Its place goes to a peer from a less represented address group.
      rooms.leave(evicted);
      fail(evicted, 'room-full', `the room has ${maxPeersPerRoom} peers, and your address group has more of them than others`);
      log({ event: 'evict', conn: evicted.id, by: conn.id, peer: evicted.peerId, group: evicted.group });
      closeConnection(evicted, SIGNALING_CLOSE.policyViolation, 'room-full');
    }
    if (stale) {
      // The same key on a new socket: a reconnecting tab whose old socket is not closed yet (or is
      // dead). Only the key's holder can sign the new challenge, so the new socket wins.
      rooms.leave(stale);
      log({ event: 'replace', conn: stale.id, by: conn.id, peer: peerId });
      closeConnection(stale, SIGNALING_CLOSE.replaced, 'replaced');
    }
    const peers = rooms.join(conn, room, peerId);
    if (conn.joinTimer) clearTimeout(conn.joinTimer);
    conn.joinTimer = null;
    send(conn, { type: 'joined', peerId, peers, iceServers: iceServersFor(iceServers, peerId, Date.now() / 1000) });
    const members = rooms.members(room);
    for (const other of members) if (other !== conn) send(other, { type: 'peer-joined', peerId });
    log({ event: 'join', conn: conn.id, ip: conn.ip, peer: peerId, room, peers: members.length });
  }

  function onSignal(conn: Connection, message: UncheckedMessage) {
    if (!conn.peerId || !conn.room) return fail(conn, 'not-joined', 'join a room first');
    const signal = checkSignal(message);
    if (signal instanceof MessageRefusal) return fail(conn, signal.code, signal.message);
    const target = rooms.member(conn.room, signal.to);
    if (!target || target === conn) return fail(conn, 'unknown-peer', 'no such peer in your room');
    if (target.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      // The target is not reading fast enough: the sender waits. The target is never dropped for
      // what others send it (senders could get any peer cut off); a dead one fails the ping.
      return fail(conn, 'rate-limited', 'that peer is not reading: try again later');
    }
    // `from` is the sender's proven id, whatever the sender wrote; only `data` is passed on.
    send(target, { type: 'signal', from: conn.peerId, data: signal.data });
    conn.relayed++;
    relayedSinceSummary++;
  }

  function onClose(conn: Connection, code: number) {
    connections.delete(conn);
    if (conn.joinTimer) clearTimeout(conn.joinTimer);
    if (conn.killTimer) clearTimeout(conn.killTimer);
    const peer = conn.peerId;
    const room = conn.room;
    rooms.leave(conn);
    log({
      event: 'leave',
      conn: conn.id,
      peer,
      room,
      code,
      relayed: conn.relayed,
      errors: conn.errors,
      seconds: Math.round((Date.now() - conn.openedAt) / 1000),
    });
    if (connections.size === 0) onAllClosed?.();
  }

  function fail(conn: Connection, code: SignalingErrorCode, message: string) {
    conn.errors++;
    errorsSinceSummary++;
    if (conn.errors <= MAX_ERROR_LOGS_PER_CONNECTION) log({ event: 'error', conn: conn.id, peer: conn.peerId, code, message });
    send(conn, { type: 'error', code, message });
  }

  function send(conn: Connection, message: ServerMessage) {
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    conn.ws.send(JSON.stringify(message));
  }

  function closeConnection(conn: Connection, code: number, reason: string) {
    if (conn.closing) return;
    conn.closing = true;
    conn.ws.close(code, reason);
    conn.killTimer = setTimeout(() => conn.ws.terminate(), CLOSE_GRACE_MS);
    conn.killTimer.unref();
  }

  const pingTimer = setInterval(() => {
    for (const conn of connections) {
      if (!conn.alive) {
        log({ event: 'error', conn: conn.id, peer: conn.peerId, code: 'ping-timeout', message: 'no pong: dropping the socket' });
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      if (conn.ws.readyState === WebSocket.OPEN) conn.ws.ping();
    }
  }, settings.pingIntervalMs);
  pingTimer.unref();

  const summaryTimer = setInterval(() => {
    if (relayedSinceSummary === 0 && errorsSinceSummary === 0) return;
    log({ event: 'summary', relayed: relayedSinceSummary, errors: errorsSinceSummary, ...stats() });
    relayedSinceSummary = 0;
    errorsSinceSummary = 0;
  }, settings.summaryIntervalMs);
  summaryTimer.unref();

  function stats(): SignalingStats {
    return { rooms: rooms.roomCount, peers: rooms.peerCount, connections: connections.size };
  }

  async function close(): Promise<void> {
    if (!closed) {
      // The upgrade listener stays: sockets that arrive from now on are refused with 503.
      closed = true;
      clearInterval(pingTimer);
      clearInterval(summaryTimer);
      wss.close();
    }
    if (connections.size === 0) return;
    const done = new Promise<void>((resolve) => {
      const previous = onAllClosed;
      onAllClosed = () => {
        previous?.();
        resolve();
      };
    });
    for (const conn of connections) closeConnection(conn, SIGNALING_CLOSE.goingAway, 'server-shutdown');
    await done;
  }

  return { stats, close };
}

/** Answers an upgrade request with a plain HTTP error and closes the socket once it is written. */
function refuseUpgrade(socket: Duplex, status: number, body: string) {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export type { LogEntry, Logger };
