/**
 * @module The signaling endpoint: a `ws` WebSocket server on `/signal` of an existing HTTP
 * server, so the app and signaling share one origin and port. It only introduces peers: a tab
 * proves its peer id by signing a challenge, joins the room of its network, learns who else is
 * there, and exchanges WebRTC offers, answers and candidates with them through the server. It
 * keeps nothing but the rooms of live sockets in memory, sets `from` itself, and never logs what
 * it relays. On join it hands the client the ICE servers to use (STUN, and TURN with credentials
 * issued to that peer id), again on `ice-refresh`, and answers `ping` with `pong`. The protocol is in docs/protocol.md ("Signaling"); the message types are shared
 * with the browser in src/core/net/signaling-messages.ts.
 */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import { Server as TlsServer } from 'node:tls';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { bytesToHex } from '../src/core/encoding/hex.ts';
import { TokenBucket } from '../src/core/net/rate-limit.ts';
import { hexToBytes, PEER_ID_PATTERN, peerIdOf, roomContext, verifyIdentity, type PeerId } from '../src/core/net/peer-identity.ts';
import {
  SIGNALING_CLOSE,
  SIGNALING_MAX_PAYLOAD,
  SIGNALING_PATH,
  parseJsonSafely,
  type ServerMessage,
  type SignalData,
  type SignalingErrorCode,
} from '../src/core/net/signaling-messages.ts';
import { checkIceServersOption, iceServersFor, type IceServersOption } from './ice-servers.ts';
import { certificateNames, reachableHosts } from './local-addresses.ts';
import { jsonLineLogger, silentLogger, type LogEntry, type Logger } from './log.ts';
import { addressGroup, clientAddress } from './client-address.ts';

export interface SignalingOptions {
  /** URL path of the endpoint. Default `/signal`. */
  path?: string;
  /**
   * Origins allowed besides the server's own (`http://localhost:PORT`, `http://127.0.0.1:PORT`,
   * `http://[::1]:PORT`, the machine's host name, {@link hostnames}, and every local interface
   * address when listening on all of them; `https://` when the server is a TLS server).
   * Written as origins (`https://example.org`); `'*'` allows every origin.
   */
  origins?: string[];
  /** Other names this server is reached by (e.g. `lan.test`): its own origins on them are allowed too. */
  hostnames?: string[];
  /**
   * STUN and TURN servers handed to each client in `joined` and on `ice-refresh`; TURN with
   * credentials for the client's peer id (see turn-credentials.ts). Default: none (`[]`).
   */
  iceServers?: IceServersOption;
  /** Accept upgrade requests without an Origin header (Node clients, not browsers). Default false. */
  allowMissingOrigin?: boolean;
  /** Largest message in bytes; a larger one closes the socket with 1009. Default SIGNALING_MAX_PAYLOAD (64 KiB). */
  maxPayload?: number;
  /** Messages per second per connection (token bucket refill). Default 20. */
  messagesPerSecond?: number;
  /** Bucket size: messages a connection may send at once. Default 40. */
  messageBurst?: number;
  /** Refused messages not yet paid back by the refill after which the socket is closed with 1008. Default 3 × messageBurst. */
  floodLimit?: number;
  /**
   * Open sockets per address group (an IPv4 address, an IPv6 /64; client-address.ts); more are
   * refused at the upgrade with HTTP 429. Default 16.
   */
  maxConnectionsPerIp?: number;
  /** Open sockets at most over all clients; more are refused at the upgrade with HTTP 503. Default 4096. */
  maxConnections?: number;
  /** Bytes per second a connection may send (token bucket refill), charged to the sender. Default 64 KiB. */
  bytesPerSecond?: number;
  /** Bytes a connection may send at once. Default 256 KiB (four messages of the largest size). */
  byteBurst?: number;
  /** Count clients by the last X-Forwarded-For entry (a reverse proxy the operator trusts). Default false. */
  trustProxy?: boolean;
  /**
   * Peers per room. A join to a full room takes the place of the newest peer of the address group
   * with the most peers there, when the joiner's group has fewer (that peer gets `room-full` and
   * is closed); otherwise the joiner gets `room-full`. So sockets from a few addresses cannot
   * keep out tabs from others. Default 256.
   */
  maxPeersPerRoom?: number;
  /** A socket that has not joined within this many ms is closed with 1008 `join-timeout`. Default 10,000. */
  joinTimeoutMs?: number;
  /** Ping every socket this often; one that has not answered the previous ping is dropped. Default 30,000. */
  pingIntervalMs?: number;
  /** How often to log a `summary` line (relays and errors since the last one, when there were any). Default 60,000. */
  summaryIntervalMs?: number;
  /** Where log lines go. Default: JSON lines on stdout; `null` for none. */
  logger?: Logger | null;
}

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

const ROOM_PATTERN = /^[0-9a-f]{64}$/;
const PUBLIC_KEY_PATTERN = /^[0-9a-f]{64}$/;
const SIGNATURE_PATTERN = /^[0-9a-f]{128}$/;

interface Connection {
  id: number;
  ws: WebSocket;
  ip: string;
  /** The address group its per-address limits count in (addressGroup). */
  group: string;
  nonce: Uint8Array;
  bucket: TokenBucket;
  /** Bytes it may send: relaying is charged to the sender, never to whom it is sent. */
  bytes: TokenBucket;
  /** When it joined its room (a sequence number): the newest are evicted first. */
  joinedSeq: number;
  peerId: PeerId | null;
  room: string | null;
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
  const path = options.path ?? SIGNALING_PATH;
  const extraOrigins = new Set((options.origins ?? []).map(normalizeOrigin));
  const hostnames = (options.hostnames ?? []).map(checkHostname);
  const iceServers = options.iceServers ? checkIceServersOption(options.iceServers) : undefined;
  const allowMissingOrigin = options.allowMissingOrigin ?? false;
  const maxPayload = positiveInteger(options.maxPayload ?? SIGNALING_MAX_PAYLOAD, 'maxPayload');
  const messagesPerSecond = positiveNumber(options.messagesPerSecond ?? 20, 'messagesPerSecond');
  const messageBurst = positiveInteger(options.messageBurst ?? 40, 'messageBurst');
  const floodLimit = positiveInteger(options.floodLimit ?? 3 * messageBurst, 'floodLimit');
  const maxConnectionsPerIp = positiveInteger(options.maxConnectionsPerIp ?? 16, 'maxConnectionsPerIp');
  const maxConnections = positiveInteger(options.maxConnections ?? 4096, 'maxConnections');
  const bytesPerSecond = positiveNumber(options.bytesPerSecond ?? 64 * 1024, 'bytesPerSecond');
  const byteBurst = positiveInteger(options.byteBurst ?? 256 * 1024, 'byteBurst');
  const trustProxy = options.trustProxy ?? false;
  const maxPeersPerRoom = positiveInteger(options.maxPeersPerRoom ?? 256, 'maxPeersPerRoom');
  const joinTimeoutMs = positiveNumber(options.joinTimeoutMs ?? 10_000, 'joinTimeoutMs');
  const pingIntervalMs = positiveNumber(options.pingIntervalMs ?? 30_000, 'pingIntervalMs');
  const summaryIntervalMs = positiveNumber(options.summaryIntervalMs ?? 60_000, 'summaryIntervalMs');
  const log: Logger = options.logger === null ? silentLogger : (options.logger ?? jsonLineLogger());

  const wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false });
  // With a listener, ws leaves a failed handshake (bad key, version, headers) to us: log it, answer 400.
  wss.on('wsClientError', (error: Error, socket: Duplex, req: IncomingMessage) => {
    log({ event: 'refuse', status: 400, reason: 'bad-handshake', detail: error.message, ip: clientAddress(req, trustProxy) });
    refuseUpgrade(socket, 400, 'bad WebSocket handshake');
  });

  const rooms = new Map<string, Map<PeerId, Connection>>();
  const connections = new Set<Connection>();
  const perIp = new Map<string, number>();
  /** Sockets counted from the upgrade request until they close (handshakes included). */
  let sockets = 0;
  let nextId = 1;
  let joinSeq = 0;
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
    if (!originAllowed(origin)) return refuse(socket, 403, 'origin', ip, origin);
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

  function originAllowed(origin: string | undefined): boolean {
    if (origin === undefined) return allowMissingOrigin;
    if (extraOrigins.has('*') || extraOrigins.has(origin)) return true;
    return ownOrigins(server, hostnames).has(origin);
  }

  function onConnection(ws: WebSocket, ip: string, group: string, origin: string | undefined) {
    const nonce = randomBytes(32);
    const conn: Connection = {
      id: nextId++,
      ws,
      ip,
      group,
      nonce,
      bucket: new TokenBucket(messagesPerSecond, messageBurst, performance.now()),
      bytes: new TokenBucket(bytesPerSecond, byteBurst, performance.now()),
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
    }, joinTimeoutMs);
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
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length;
    const balance = conn.bucket.charge(performance.now());
    // Bytes are charged to the sender whatever becomes of the message: a flood costs its sender.
    const byteBalance = conn.bytes.charge(performance.now(), size);
    if (balance < 0 || byteBalance < 0) {
      // Refused messages (or bytes) not yet paid back (a partly refilled token still counts as one).
      if (Math.ceil(-balance) >= floodLimit || -byteBalance >= floodLimit * (byteBurst / messageBurst)) {
        log({ event: 'error', conn: conn.id, peer: conn.peerId, code: 'rate-limited', message: 'message flood: closing' });
        closeConnection(conn, SIGNALING_CLOSE.policyViolation, 'rate-limited');
      } else {
        fail(conn, 'rate-limited', balance < 0 ? `more than ${messagesPerSecond} messages per second` : `more than ${bytesPerSecond} bytes per second`);
      }
      return;
    }
    if (isBinary) return fail(conn, 'bad-message', 'messages are JSON text frames');
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as Uint8Array).toString('utf8');
    const message = parseJsonSafely(text);
    if (message === undefined) return fail(conn, 'bad-json', 'not JSON, or JSON with a __proto__, constructor or prototype key');
    if (!isPlainObject(message) || typeof message.type !== 'string') return fail(conn, 'bad-message', 'a message is an object with a string type');
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

  function onJoin(conn: Connection, message: Record<string, unknown>) {
    if (conn.peerId) return fail(conn, 'already-joined', 'this socket has joined already');
    const { room, publicKey, signature } = message;
    if (typeof room !== 'string' || !ROOM_PATTERN.test(room)) return fail(conn, 'bad-message', 'room must be a network id: 64 lowercase hex characters');
    if (typeof publicKey !== 'string' || !PUBLIC_KEY_PATTERN.test(publicKey)) return fail(conn, 'bad-message', 'publicKey must be 64 lowercase hex characters');
    if (typeof signature !== 'string' || !SIGNATURE_PATTERN.test(signature)) return fail(conn, 'bad-message', 'signature must be 128 lowercase hex characters');
    const key = hexToBytes(publicKey);
    if (!verifyIdentity(key, hexToBytes(signature), 'signal-join', conn.nonce, roomContext(room))) {
      conn.failedJoins++;
      fail(conn, 'bad-signature', 'the signature does not prove this key signed the challenge for this room');
      if (conn.failedJoins >= MAX_FAILED_JOINS) closeConnection(conn, SIGNALING_CLOSE.policyViolation, 'bad-signature');
      return;
    }
    const peerId = peerIdOf(key);
    const members = rooms.get(room) ?? new Map<PeerId, Connection>();
    const stale = members.get(peerId);
    if (!stale && members.size >= maxPeersPerRoom) {
      const evicted = newestOfCrowdedGroup(members, conn.group);
      if (!evicted) return fail(conn, 'room-full', `the room has ${maxPeersPerRoom} peers`);
      // Its place goes to a peer from a less represented address group.
      leaveRoom(evicted);
      fail(evicted, 'room-full', `the room has ${maxPeersPerRoom} peers, and your address group has more of them than others`);
      log({ event: 'evict', conn: evicted.id, by: conn.id, peer: evicted.peerId, group: evicted.group });
      closeConnection(evicted, SIGNALING_CLOSE.policyViolation, 'room-full');
    }
    if (stale) {
      // The same key on a new socket: a reconnecting tab whose old socket is not closed yet (or is
      // dead). Only the key's holder can sign the new challenge, so the new socket wins.
      leaveRoom(stale);
      log({ event: 'replace', conn: stale.id, by: conn.id, peer: peerId });
      closeConnection(stale, SIGNALING_CLOSE.replaced, 'replaced');
    }
    const peers = [...members.keys()];
    members.set(peerId, conn);
    rooms.set(room, members);
    conn.peerId = peerId;
    conn.room = room;
    conn.joinedSeq = ++joinSeq;
    if (conn.joinTimer) clearTimeout(conn.joinTimer);
    conn.joinTimer = null;
    send(conn, { type: 'joined', peerId, peers, iceServers: iceServersFor(iceServers, peerId, Date.now() / 1000) });
    for (const other of members.values()) if (other !== conn) send(other, { type: 'peer-joined', peerId });
    log({ event: 'join', conn: conn.id, ip: conn.ip, peer: peerId, room, peers: members.size });
  }

  function onSignal(conn: Connection, message: Record<string, unknown>) {
    if (!conn.peerId || !conn.room) return fail(conn, 'not-joined', 'join a room first');
    const { to, data } = message;
    if (typeof to !== 'string' || !PEER_ID_PATTERN.test(to)) return fail(conn, 'bad-message', 'to must be a peer id: 32 lowercase hex characters');
    if (!isPlainObject(data)) return fail(conn, 'bad-message', 'data must be an object');
    const target = rooms.get(conn.room)?.get(to);
    if (!target || target === conn) return fail(conn, 'unknown-peer', 'no such peer in your room');
    if (target.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      // The target is not reading fast enough: the sender waits. The target is never dropped for
      // what others send it (senders could get any peer cut off); a dead one fails the ping.
      return fail(conn, 'rate-limited', 'that peer is not reading: try again later');
    }
    // `from` is the sender's proven id, whatever the sender wrote; only `data` is passed on.
    send(target, { type: 'signal', from: conn.peerId, data: data as SignalData });
    conn.relayed++;
    relayedSinceSummary++;
  }

  /**
   * The peer to evict from a full room for a joiner of `joinerGroup`: the newest joined peer of
   * the group with the most peers in the room, when that group has more than the joiner's; else
   * null (the joiner's group is already among the most represented: it gets `room-full`).
   */
  function newestOfCrowdedGroup(members: Map<PeerId, Connection>, joinerGroup: string): Connection | null {
    const counts = new Map<string, number>();
    for (const m of members.values()) counts.set(m.group, (counts.get(m.group) ?? 0) + 1);
    let crowded: string | null = null;
    let most = 0;
    for (const [group, n] of counts) if (n > most) [crowded, most] = [group, n];
    if (crowded === null || most <= (counts.get(joinerGroup) ?? 0) + 1) return null;
    // Among the groups tied for most, the newest peer of any of them.
    let newest: Connection | null = null;
    for (const m of members.values()) if (counts.get(m.group) === most && (!newest || m.joinedSeq > newest.joinedSeq)) newest = m;
    return newest;
  }

  function onClose(conn: Connection, code: number) {
    connections.delete(conn);
    if (conn.joinTimer) clearTimeout(conn.joinTimer);
    if (conn.killTimer) clearTimeout(conn.killTimer);
    const peer = conn.peerId;
    const room = conn.room;
    leaveRoom(conn);
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

  /** Takes the connection out of its room (if it is still the room's socket for its id) and tells the others. */
  function leaveRoom(conn: Connection) {
    if (!conn.room || !conn.peerId) return;
    const members = rooms.get(conn.room);
    if (members?.get(conn.peerId) === conn) {
      members.delete(conn.peerId);
      if (members.size === 0) rooms.delete(conn.room);
      for (const other of members.values()) send(other, { type: 'peer-left', peerId: conn.peerId });
    }
    conn.room = null;
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
  }, pingIntervalMs);
  pingTimer.unref();

  const summaryTimer = setInterval(() => {
    if (relayedSinceSummary === 0 && errorsSinceSummary === 0) return;
    log({ event: 'summary', relayed: relayedSinceSummary, errors: errorsSinceSummary, ...stats() });
    relayedSinceSummary = 0;
    errorsSinceSummary = 0;
  }, summaryIntervalMs);
  summaryTimer.unref();

  function stats(): SignalingStats {
    let peers = 0;
    for (const members of rooms.values()) peers += members.size;
    return { rooms: rooms.size, peers, connections: connections.size };
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


/**
 * The origins of pages this server itself serves: localhost, 127.0.0.1 and [::1] on its port,
 * the machine's host name (and NAME.local) and `extraNames`, plus its bound address, or every local interface
 * address when bound to all of them. `https://` when the server is a TLS server.
 */
function ownOrigins(server: Server, extraNames: string[]): Set<string> {
  const address = server.address();
  if (!address || typeof address === 'string') return new Set();
  const tls = server instanceof TlsServer;
  const scheme = tls ? 'https' : 'http';
  const defaultPort = tls ? 443 : 80;
  const hosts = new Set(['127.0.0.1', '[::1]', ...certificateNames(extraNames).dns]);
  for (const host of reachableHosts(address.address)) hosts.add(host.includes(':') ? `[${host}]` : host);
  return new Set([...hosts].map((host) => (address.port === defaultPort ? `${scheme}://${host}` : `${scheme}://${host}:${address.port}`)));
}

/** A host name as an origin writes it (lower case); throws TypeError for anything else. */
export function checkHostname(name: string): string {
  const lower = name.toLowerCase();
  if (!/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(lower)) {
    throw new TypeError(`not a host name: ${JSON.stringify(name)} (letters, digits, hyphens and dots, e.g. lan.test)`);
  }
  return lower;
}

/** `https://Example.org/` → `https://example.org`; `'*'` stays. Throws TypeError on anything else. */
export function normalizeOrigin(origin: string): string {
  if (origin === '*') return origin;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new TypeError(`not an origin: ${JSON.stringify(origin)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`not an http(s) origin: ${JSON.stringify(origin)}`);
  return url.origin;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, not ${value}`);
  return value;
}

function positiveNumber(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a positive number, not ${value}`);
  return value;
}

export type { LogEntry, Logger };
