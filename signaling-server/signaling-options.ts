/**
 * @module What an operator can set on the signaling endpoint (`SignalingOptions`, every limit
 * with its default and why) and the checked, defaulted settings the endpoint runs on. Checked
 * once when the endpoint is attached, so a bad value fails at start with a RangeError or
 * TypeError naming the option, never when a client arrives.
 */
import { SIGNALING_MAX_PAYLOAD, SIGNALING_PATH } from '../src/core/net/signaling-messages.ts';
import { checkHostname, normalizeOrigin, type OriginPolicy } from './allowed-origins.ts';
import { checkIceServersOption, type IceServersOption } from './ice-servers.ts';
import { jsonLineLogger, silentLogger, type Logger } from './log.ts';
import type { SocketLimits } from './socket-budget.ts';

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

/** The options checked, with every default filled in. */
export interface SignalingSettings {
  readonly path: string;
  readonly origins: OriginPolicy;
  readonly iceServers: IceServersOption | undefined;
  readonly maxPayload: number;
  readonly socket: SocketLimits;
  readonly maxConnectionsPerIp: number;
  readonly maxConnections: number;
  readonly trustProxy: boolean;
  readonly maxPeersPerRoom: number;
  readonly joinTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly summaryIntervalMs: number;
  readonly log: Logger;
}

/** Checks `options` and fills in the defaults; throws RangeError/TypeError naming the first bad one. */
export function signalingSettings(options: SignalingOptions): SignalingSettings {
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
  return {
    path,
    origins: { extraOrigins, hostnames, allowMissingOrigin },
    iceServers,
    maxPayload,
    socket: { messagesPerSecond, messageBurst, floodLimit, bytesPerSecond, byteBurst },
    maxConnectionsPerIp,
    maxConnections,
    trustProxy,
    maxPeersPerRoom,
    joinTimeoutMs,
    pingIntervalMs,
    summaryIntervalMs,
    log,
  };
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, not ${value}`);
  return value;
}

function positiveNumber(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a positive number, not ${value}`);
  return value;
}
