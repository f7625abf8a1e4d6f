/**
 * @module A signaling client for the server's tests (signaling.test.ts, abuse.test.ts): a real
 * `ws` socket with its own key that queues what the server says, answers the join challenge, and
 * is terminated after each test. Written once; not used by the server itself.
 */
import WebSocket from 'ws';
import { generateSecretKey, publicKeyOf } from '../src/core/crypto/keys.ts';
import { bytesToHex } from '../src/core/encoding/hex.ts';
import { hexToBytes, peerIdOf, roomContext, signIdentity } from '../src/core/net/peer-identity.ts';
import type { ServerMessage } from '../src/core/net/signaling-messages.ts';

export interface TestKey {
  readonly secret: Uint8Array;
  /** x-only public key, hex. */
  readonly publicKey: string;
  readonly id: string;
}

export function newTestKey(): TestKey {
  const secret = generateSecretKey();
  const publicKey = publicKeyOf(secret);
  return { secret, publicKey: bytesToHex(publicKey), id: peerIdOf(publicKey) };
}

/** A join for `room` answering `nonce`, for `key`, signed by `signer` (another key: a forgery). */
export function joinMessage(key: TestKey, nonce: string, room: string, signer: TestKey = key) {
  const signature = signIdentity(signer.secret, 'signal-join', hexToBytes(nonce), roomContext(room));
  return { type: 'join', room, publicKey: key.publicKey, signature: bytesToHex(signature) };
}

/** Every socket a test opened, terminated by {@link terminateTestSockets} after each test. */
const openSockets: WebSocket[] = [];

/** Registers a socket a test opened by hand, so it is terminated after the test. */
export function trackSocket(ws: WebSocket): WebSocket {
  openSockets.push(ws);
  return ws;
}

export function terminateTestSockets(): void {
  for (const ws of openSockets.splice(0)) ws.terminate();
}

type MessageType = ServerMessage['type'];

export class SignalingTestClient {
  readonly inbox: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The server's challenge, once {@link challenge} (or a join) read it. */
  nonce = '';
  key: TestKey = newTestKey();
  private isClosed = false;
  private waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    trackSocket(ws);
    ws.on('error', () => {});
    ws.on('message', (data) => {
      this.inbox.push(JSON.parse(String(data)) as ServerMessage);
      this.wakeAll();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.isClosed = true;
        resolve({ code, reason: String(reason) });
        this.wakeAll();
      }),
    );
  }

  get id(): string {
    return this.key.id;
  }

  private wakeAll(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** The first queued message (of one of `type`, when given), taken out of the inbox, waiting up to `timeoutMs`. */
  async next(type?: MessageType | MessageType[], timeoutMs = 5000): Promise<ServerMessage> {
    const types = type === undefined ? undefined : Array.isArray(type) ? type : [type];
    const wanted = types?.join(' or ') ?? 'message';
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex((m) => types === undefined || types.includes(m.type));
      if (i >= 0) return this.inbox.splice(i, 1)[0]!;
      if (this.isClosed) throw new Error(`closed before a ${wanted}; inbox: ${JSON.stringify(this.inbox.slice(-3))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${wanted} within ${timeoutMs} ms; inbox: ${JSON.stringify(this.inbox.slice(-3))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Waits for the server's challenge and keeps its nonce. */
  async challenge(timeoutMs = 5000): Promise<string> {
    const challenge = await this.next('challenge', timeoutMs);
    if (challenge.type !== 'challenge') throw new Error('no challenge');
    this.nonce = challenge.nonce;
    return this.nonce;
  }

  /** Joins `room` (reading the challenge first if needed): the server's reply, `joined` or an error. */
  async tryJoin(room: string, timeoutMs = 5000): Promise<ServerMessage> {
    if (this.nonce === '') await this.challenge(timeoutMs);
    this.send(joinMessage(this.key, this.nonce, room));
    return this.next(['joined', 'error'], timeoutMs);
  }

  /** Joins `room`; throws unless the server says `joined`. */
  async join(room: string): Promise<Extract<ServerMessage, { type: 'joined' }>> {
    const reply = await this.tryJoin(room);
    if (reply.type !== 'joined') throw new Error(`join failed: ${JSON.stringify(reply)}`);
    return reply;
  }
}

/** The HTTP status an upgrade is refused with (rejects if the server accepts it). */
export function refusedStatus(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = trackSocket(new WebSocket(url, options));
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('error', () => {});
  });
}
