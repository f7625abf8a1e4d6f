/**
 * @module The headless node's REST API: the classic blockchain tutorials' endpoints (`/chain`,
 * `/mine`, `/transactions/new`, `/nodes/register`, `/nodes/resolve`) plus read-only explorer
 * routes, over the same `TabchainApi` as `window.tabchain`. JSON in and out.
 *
 * Units: amounts in request bodies are coins (`1.5`, as a number or a string, at most 8
 * decimals); amounts in responses are decimal strings of base units, as `window.tabchain`
 * returns them (1 coin = 100,000,000 units).
 *
 * Every input is checked where it enters, before anything changes: a request is either applied
 * whole or refused with a 4xx `{ error, message, field? }`. A full disk answers 507, another
 * storage failure 503, any other unexpected exception 500, and the process goes on. A client that
 * hangs up mid-body gets a quiet 400 `aborted` (nothing is logged). HEAD is served like GET
 * without the body, except on the GETs that change something (`/mine`, `/nodes/resolve`).
 * Routes are in {@link routes}; src/headless/openapi.ts documents them and a test checks that the
 * two lists agree. Where requests may come from (Host, Origin) is checked before: http-server.ts.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { networks, parseCoins, type NetworkParams } from '../core/index.ts';
import type { TabchainApi } from '../app/tabchain-api.ts';
import { openApiDocument } from './openapi.ts';

/** Largest request body read, in bytes (64 KiB); a larger one gets 413. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Blocks `GET /chain` returns at most per response. */
export const MAX_CHAIN_BLOCKS = 500;
/** Nodes one node keeps registered at most (each is a WebSocket to that node's `/signal`). */
export const MAX_NODES = 64;
/** How long `/nodes/resolve` waits for a first ready peer when there are nodes but no link yet. */
export const DEFAULT_PEER_WAIT_MS = 10_000;

/** What the REST layer needs of the peer connector (`services.connector`). */
export interface SignalingServers {
  addSignalingServer(url: string): boolean;
  /** When missing, `DELETE /nodes` forgets nodes but stays connected to them until a restart. */
  removeSignalingServer?(url: string): boolean;
  signalingServers(): { url: string; status: string; peers: number }[];
}

/** Where the nodes registered with `POST /nodes/register` are kept across restarts (node URLs). */
export interface NodeListStore {
  load(): Promise<string[]>;
  /** Resolves once the list is durably stored. */
  save(nodes: string[]): Promise<void>;
}

export interface RestOptions {
  readonly api: TabchainApi;
  readonly connector: SignalingServers;
  /** When set, `/mine`, `POST /transactions/new`, `POST /nodes/register`, `DELETE /nodes` and `/wallet` need `Authorization: Bearer <token>` (run-node.ts: --token or the cookie file). */
  readonly token?: string | undefined;
  /** Called with every unexpected exception (answered 500). Default: nothing. */
  readonly onError?: (error: unknown, request: { method: string; path: string }) => void;
  /** How long `/nodes/resolve` waits for a ready peer (default {@link DEFAULT_PEER_WAIT_MS}). */
  readonly peerWaitMs?: number;
  /** Keeps registered nodes across restarts; they are added back at start. Default: memory only. */
  readonly nodeStore?: NodeListStore;
  /** This node's own URLs (`http://host:port`): `/nodes/register` skips them (its own `/signal` always). */
  readonly ownUrls?: readonly string[];
  /** A line about something that is not a request's fault (a stored node that cannot be read back). */
  readonly onWarning?: (line: string) => void;
}

export interface RestHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Resolves once the stored nodes were added back (at once without a store); never rejects. */
  readonly ready: Promise<void>;
  /** Stops listening to the node's events. */
  close(): void;
}

type Method = 'GET' | 'POST' | 'DELETE';

export interface RouteSpec {
  readonly method: Method;
  /** OpenAPI-style template: `/blocks/{id}`. */
  readonly path: string;
  /** Needs the bearer token when one is set. */
  readonly auth: boolean;
  /** `required`: a JSON object body; `optional`: JSON when there is a body; `none`: ignored. */
  readonly body: 'required' | 'optional' | 'none';
  /** A GET that changes something: HEAD is not served like it (405). */
  readonly sideEffects?: true;
}

/** Every route the handler serves. */
export const routes: readonly RouteSpec[] = [
  { method: 'GET', path: '/chain', auth: false, body: 'none' },
  { method: 'GET', path: '/mine', auth: true, body: 'none', sideEffects: true },
  { method: 'POST', path: '/mine', auth: true, body: 'optional' },
  { method: 'POST', path: '/transactions/new', auth: true, body: 'required' },
  { method: 'GET', path: '/nodes', auth: false, body: 'none' },
  { method: 'DELETE', path: '/nodes', auth: true, body: 'required' },
  { method: 'POST', path: '/nodes/register', auth: true, body: 'required' },
  { method: 'GET', path: '/nodes/resolve', auth: false, body: 'none', sideEffects: true },
  { method: 'GET', path: '/blocks/{id}', auth: false, body: 'none' },
  { method: 'GET', path: '/tx/{txid}', auth: false, body: 'none' },
  { method: 'GET', path: '/address/{address}', auth: false, body: 'none' },
  { method: 'GET', path: '/mempool', auth: false, body: 'none' },
  { method: 'GET', path: '/peers', auth: false, body: 'none' },
  { method: 'GET', path: '/wallet', auth: true, body: 'none' },
  { method: 'GET', path: '/health', auth: false, body: 'none' },
  { method: 'GET', path: '/openapi.json', auth: false, body: 'none' },
];

/** A refusal: answered as `{ error: code, message, field? }` with `status`. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const badField = (field: string, message: string, code = 'bad-request') => new HttpError(400, code, message, field);

interface Reply {
  readonly status: number;
  readonly body: unknown;
}

interface Context {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown> | undefined;
}

/** The block JSON fields the REST layer reads (BlockJson / BlockDetailJson). */
interface BlockLike {
  hash: string;
  height: number;
  header: { prevHash: string; nonce: number };
  txs: unknown[];
}

/** Explorer methods another change adds to the API; used when present. */
interface OptionalChainMethods {
  addressHistory?(address: string, options?: { limit?: number }): Promise<unknown>;
}

const HEX64 = /^[0-9a-fA-F]{64}$/;
/** A UTF-16 surrogate without its pair (JSON's "\ud800"): UTF-8 cannot encode it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const DIGITS = /^(0|[1-9][0-9]{0,15})$/;

/** A whole number from a query parameter, or `fallback` when it is absent. */
function queryInteger(query: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const text = query.get(name);
  if (text === null) return fallback;
  const n = DIGITS.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw badField(name, `${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(text.slice(0, 40))}`);
  return n;
}

/** Coins as a JSON number or string (at most 8 decimals) to a base-unit string. */
function coinsField(body: Record<string, unknown>, field: string, params: NetworkParams): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  let text: string | null = typeof value === 'string' ? value : null;
  if (typeof value === 'number') {
    // JSON.parse reads numbers beyond ±1.8e308 (1e400) as ±Infinity.
    if (!Number.isFinite(value)) throw badField(field, `${field} is too large to be a number of coins`, 'bad-amount');
    // String(1e-8) is "1e-8", which parseCoins refuses; toFixed(8) writes it out, and the round
    // trip tells a number with more than 8 decimals (1e-9 → "0.00000000") from one without.
    const fixed = value.toFixed(8);
    if (Number(fixed) !== value) throw badField(field, `${field} must be a positive number of coins with at most 8 decimals, not ${value}`, 'bad-amount');
    text = fixed;
  }
  if (text === null) throw badField(field, `${field} must be a positive number of coins (a JSON number or string), not ${typeof value}`, 'bad-amount');
  try {
    return parseCoins(text, params.maxMoney).toString();
  } catch (error) {
    throw badField(field, `${field} must be a positive number of coins with at most 8 decimals: ${(error as Error).message}`, 'bad-amount');
  }
}

function stringField(body: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const value = body[field];
  if (value === undefined || (value === null && !required)) {
    if (required) throw badField(field, `${field} is required`, 'missing-field');
    return undefined;
  }
  if (typeof value !== 'string') throw badField(field, `${field} must be a string, not ${value === null ? 'null' : typeof value}`);
  return value;
}

/** A WalletError from the API (a plain Error with name 'WalletError' and a code) or null. */
function walletErrorOf(error: unknown): { code: string; message: string } | null {
  if (error instanceof Error && error.name === 'WalletError' && typeof (error as { code?: unknown }).code === 'string') {
    return { code: (error as unknown as { code: string }).code, message: error.message };
  }
  return null;
}

const fieldOfWalletCode: Record<string, string> = {
  'bad-address': 'recipient',
  'wrong-network': 'recipient',
  'bad-amount': 'amount',
  'insufficient-funds': 'amount',
  'fee-too-low': 'fee',
  'memo-too-long': 'memo',
};

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
function nodeUrlOfSignal(signal: string): string {
  try {
    const url = new URL(signal);
    const scheme = url.protocol === 'wss:' ? 'https' : 'http';
    return `${scheme}://${url.hostname.includes(':') && !url.hostname.startsWith('[') ? `[${url.hostname}]` : url.hostname}:${url.port || (scheme === 'https' ? '443' : '80')}`;
  } catch {
    return signal;
  }
}

function tokenMatches(expected: string, header: string | undefined): boolean {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  if (!match) return false;
  // Hashing first gives equal lengths, so the comparison takes the same time for every input.
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(match[1]!).digest();
  return timingSafeEqual(a, b);
}

/** The path template's parameters when `pathname` matches it, else null. */
function matchPath(template: string, pathname: string): Record<string, string> | null {
  const want = template.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith('{') && w.endsWith('}')) {
      if (g === '') return null;
      try {
        params[w.slice(1, -1)] = decodeURIComponent(g);
      } catch {
        throw new HttpError(400, 'bad-request', `the path segment ${JSON.stringify(g.slice(0, 80))} is not valid percent-encoding`);
      }
    } else if (w !== g) {
      return null;
    }
  }
  return params;
}

function isJsonContentType(header: string | undefined): boolean {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

const aborted = () => new HttpError(400, 'aborted', 'the client closed the connection before the whole body arrived');

/**
 * The body as text, at most {@link MAX_BODY_BYTES}; 413 beyond. A client that hangs up (or a
 * stream error) before the end is {@link aborted}: nobody is left to answer, so nothing is logged.
 */
function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return Promise.reject(tooLarge());
  if (req.destroyed) return Promise.reject(aborted());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = () => {
      if (done) return;
      done = true;
      reject(aborted());
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        done = true;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', fail);
    // 'close' before 'end': the connection went away mid-body.
    req.on('close', fail);
  });
}

const tooLarge = () => new HttpError(413, 'payload-too-large', `the request body is over ${MAX_BODY_BYTES} bytes`, undefined, { connection: 'close' });

async function jsonBody(req: IncomingMessage, route: RouteSpec): Promise<Record<string, unknown> | undefined> {
  if (route.body === 'none') return undefined;
  const present = hasBody(req);
  if (!present && route.body === 'optional') return undefined;
  if (!isJsonContentType(req.headers['content-type'])) {
    throw new HttpError(415, 'unsupported-media-type', `send the body as JSON with "Content-Type: application/json" (got ${JSON.stringify(req.headers['content-type'] ?? 'none')})`);
  }
  const text = await readBody(req);
  if (text.trim() === '' && route.body === 'optional') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'bad-json', `the body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'bad-body', 'the body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** Answers JSON; for HEAD the same headers (Content-Length included) without the body. */
function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, head = false): void {
  if (res.destroyed || res.writableEnded) return; // the client is gone
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text).toString(),
    ...headers,
  });
  if (head) res.end();
  else res.end(text);
}

/** `StorageFullError` or `StorageError` (storage-errors.ts) when `error` or one of its causes is one. */
function storageFailureOf(error: unknown): 'StorageFullError' | 'StorageError' | null {
  let e: unknown = error;
  for (let depth = 0; e instanceof Error && depth < 5; depth++, e = e.cause) {
    if (e.name === 'StorageFullError' || e.name === 'StorageError') return e.name;
  }
  return null;
}

/** The `nodes` list of a `/nodes/register` or `DELETE /nodes` body, every entry checked. */
function nodesOfBody(body: Record<string, unknown>): { node: string; signal: string }[] {
  const list = body.nodes;
  if (!Array.isArray(list) || list.length === 0) throw badField('nodes', 'Please supply a valid list of nodes', 'bad-nodes');
  if (list.length > MAX_NODES) throw badField('nodes', `at most ${MAX_NODES} nodes at once`, 'bad-nodes');
  return list.map((entry, i) => signalUrlOfNode(entry, i));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The REST API as a node:http request handler. */
export function createRestHandler(options: RestOptions): RestHandler {
  const { api, connector } = options;
  const params = networks[api.network];
  const peerWaitMs = options.peerWaitMs ?? DEFAULT_PEER_WAIT_MS;

  let sending: Promise<unknown> = Promise.resolve();

  // Registered nodes (their signal URLs): those added through this API or read back from the
  // store; `--signal` servers are the connector's but not in here, so they are not stored.
  const registered = new Set<string>();
  let nodesWork: Promise<unknown> = Promise.resolve();
  /** Runs register/forget calls one at a time, so each stored list includes the previous one's. */
  function serialNodes<T>(work: () => Promise<T>): Promise<T> {
    const run = nodesWork.then(work);
    nodesWork = run.catch(() => undefined);
    return run;
  }
  const ownSignals = new Set<string>();
  for (const [i, url] of (options.ownUrls ?? []).entries()) {
    try {
      ownSignals.add(signalUrlOfNode(url, i).signal);
    } catch {
      // Not a usable URL: nobody can register it anyway.
    }
  }
  const isOwn = (signal: string) => ownSignals.has(signal) || connector.signalingServers()[0]?.url === signal;

  const restored = (async () => {
    if (!options.nodeStore) return;
    let saved: string[];
    try {
      saved = await options.nodeStore.load();
    } catch (error) {
      options.onWarning?.(`the registered nodes could not be read back: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    for (const [i, text] of saved.slice(0, MAX_NODES).entries()) {
      try {
        const { signal } = signalUrlOfNode(text, i);
        if (isOwn(signal)) continue;
        registered.add(signal);
        connector.addSignalingServer(signal);
      } catch (error) {
        options.onWarning?.(`a stored node is skipped: ${(error as Error).message}`);
      }
    }
  })();

  // `/nodes/resolve` says whether the chain was replaced: this node syncs by itself as soon as
  // it links, so the replacement may have happened before the call. Blocks connected since the
  // last resolve whose coinbase pays someone else (not this wallet), or any block disconnected, count.
  let coinbasesSince = new Set<string>();
  let disconnected = false;
  const unsubscribe = [
    api.on('block-connected', (payload) => {
      const address = (payload as { txs?: { outputs?: { address?: string }[] }[] }).txs?.[0]?.outputs?.[0]?.address;
      if (typeof address === 'string' && coinbasesSince.size < 10_000) coinbasesSince.add(address);
    }),
    api.on('block-disconnected', () => {
      disconnected = true;
    }),
  ];

  async function mineOne(): Promise<Reply> {
    const [hash] = await api.mine(1);
    const block = (await api.chain.block(hash!)) as BlockLike | null;
    if (!block) throw new Error(`the block just mined (${hash}) is not in the chain`);
    return {
      status: 200,
      body: {
        message: 'New Block Forged',
        index: block.height,
        hash: block.hash,
        transactions: block.txs,
        nonce: block.header.nonce,
        previous_hash: block.header.prevHash,
      },
    };
  }

  /** Active-chain blocks `from`..`from+count-1`, read again if a reorg moved them meanwhile. */
  async function chainSlice(from: number, count: number): Promise<BlockLike[]> {
    for (let attempt = 0; ; attempt++) {
      const blocks: BlockLike[] = [];
      for (let h = from; h < from + count; h++) {
        const block = (await api.chain.block(h)) as BlockLike | null;
        if (!block) break;
        blocks.push(block);
      }
      const linked = blocks.every((b, i) => i === 0 || b.header.prevHash === blocks[i - 1]!.hash);
      if (linked || attempt === 2) return blocks;
    }
  }

  async function registeredNodes(): Promise<string[]> {
    return connector
      .signalingServers()
      .slice(1)
      .map((s) => nodeUrlOfSignal(s.url));
  }

  const handlers: Record<string, (ctx: Context) => Promise<Reply>> = {
    'GET /chain': async ({ query }) => {
      const tip = await api.chain.tip();
      const from = queryInteger(query, 'from', 0, Number.MAX_SAFE_INTEGER, 0);
      const limit = queryInteger(query, 'limit', 1, MAX_CHAIN_BLOCKS, MAX_CHAIN_BLOCKS);
      const count = Math.max(0, Math.min(limit, tip.height + 1 - from));
      const chain = await chainSlice(from, count);
      const next = from + chain.length;
      const length = Math.max(tip.height, ...chain.map((b) => b.height)) + 1;
      return { status: 200, body: { chain, length, ...(next < length ? { next } : {}) } };
    },
    'GET /mine': mineOne,
    'POST /mine': mineOne,
    'POST /transactions/new': async ({ body }) => {
      const b = body!;
      const recipient = stringField(b, 'recipient', true)!;
      if (recipient.trim() === '') throw badField('recipient', 'recipient is empty: give an address', 'bad-address');
      if (b.amount === undefined || b.amount === null) throw badField('amount', 'amount is required (coins, e.g. 1.5)', 'missing-field');
      const amount = coinsField(b, 'amount', params)!;
      const fee = coinsField(b, 'fee', params);
      const memo = stringField(b, 'memo', false);
      if (memo !== undefined && LONE_SURROGATE.test(memo)) {
        throw badField('memo', 'memo holds a lone UTF-16 surrogate (such as "\\ud800" without its pair), which UTF-8 cannot encode', 'bad-memo');
      }
      if (memo !== undefined && new TextEncoder().encode(memo).length > params.limits.maxMemoSize) {
        throw badField('memo', `memo is ${new TextEncoder().encode(memo).length} bytes of UTF-8, at most ${params.limits.maxMemoSize} are allowed`, 'memo-too-long');
      }
      const sender = stringField(b, 'sender', false);
      if (sender !== undefined && !(await api.wallet.addresses()).includes(sender)) {
        throw badField('sender', 'this node only sends from its own wallet: leave sender out, or give one of GET /wallet addresses', 'bad-sender');
      }
      let result: { txid: string; fee: string };
      // One payment at a time: two built at once could pick the same coins.
      const payment = sending.then(() => api.send({ to: recipient.trim(), amount, ...(fee !== undefined ? { fee } : {}), ...(memo !== undefined ? { memo } : {}) }));
      sending = payment.catch(() => undefined);
      try {
        result = await payment;
      } catch (error) {
        const wallet = walletErrorOf(error);
        if (!wallet) throw error;
        const field = fieldOfWalletCode[wallet.code];
        if (wallet.code === 'locked') throw new HttpError(409, 'locked', wallet.message);
        throw new HttpError(400, wallet.code, field ? `${field}: ${wallet.message}` : wallet.message, field);
      }
      const tip = await api.chain.tip();
      return { status: 201, body: { message: `Transaction will be added to Block ${tip.height + 1}`, txid: result.txid, fee: result.fee } };
    },
    'GET /nodes': async () => ({ status: 200, body: { total_nodes: await registeredNodes() } }),
    'POST /nodes/register': async ({ body }) => {
      // Every entry is checked before the first one is added.
      const parsed = nodesOfBody(body!);
      await restored;
      const own = [...new Set(parsed.filter((p) => isOwn(p.signal)).map((p) => p.node))];
      const wanted = [...new Set(parsed.filter((p) => !isOwn(p.signal)).map((p) => p.signal))];
      return serialNodes(async () => {
        const known = new Set(connector.signalingServers().map((s) => s.url));
        const fresh = wanted.filter((url) => !known.has(url));
        if (known.size - 1 + fresh.length > MAX_NODES) throw badField('nodes', `this node keeps at most ${MAX_NODES} registered nodes`, 'too-many-nodes');
        const next = new Set([...registered, ...wanted]);
        // Stored before the answer, so a node registered once comes back after a restart.
        if (options.nodeStore && next.size !== registered.size) await options.nodeStore.save([...next].map(nodeUrlOfSignal));
        for (const url of wanted) registered.add(url);
        for (const url of fresh) connector.addSignalingServer(url);
        const skipped = own.length > 0 ? ` (skipped ${own.join(', ')}: that is this node itself)` : '';
        const message = wanted.length > 0 ? `New nodes have been added${skipped}` : `No nodes were added${skipped}`;
        return { status: 201, body: { message, total_nodes: await registeredNodes() } };
      });
    },
    'DELETE /nodes': async ({ body }) => {
      const parsed = nodesOfBody(body!);
      await restored;
      const targets = [...new Set(parsed.map((p) => p.signal))];
      return serialNodes(async () => {
        const servers = connector.signalingServers().map((s) => s.url);
        const present = targets.filter((url) => servers.indexOf(url) > 0);
        const absent = targets.filter((url) => servers.indexOf(url) <= 0 && !registered.has(url));
        const notStored = present.filter((url) => !registered.has(url));
        const next = new Set([...registered].filter((url) => !targets.includes(url)));
        if (options.nodeStore && next.size !== registered.size) await options.nodeStore.save([...next].map(nodeUrlOfSignal));
        for (const url of targets) registered.delete(url);
        const canRemove = typeof connector.removeSignalingServer === 'function';
        if (canRemove) for (const url of present) connector.removeSignalingServer!(url);
        const removed = targets.filter((url) => !absent.includes(url)).map(nodeUrlOfSignal);
        const notes = [
          ...(!canRemove && present.length > 0 ? ['this node stays connected to them until it restarts'] : []),
          ...(notStored.length > 0 ? [`${notStored.map(nodeUrlOfSignal).join(', ')} came from the command line (--signal) and comes back when the node starts with it again`] : []),
          ...(absent.length > 0 ? [`not registered: ${absent.map(nodeUrlOfSignal).join(', ')}`] : []),
        ];
        const message = `${removed.length > 0 ? 'Nodes have been removed' : 'No nodes were removed'}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
        return { status: 200, body: { message, removed, total_nodes: await registeredNodes() } };
      });
    },
    'GET /nodes/resolve': async () => {
      const ready = async () => (await api.peers()).some((p) => p.state === 'ready');
      if (!(await ready()) && ((await registeredNodes()).length > 0 || (await api.peers()).length > 0)) {
        const end = Date.now() + peerWaitMs;
        while (Date.now() < end && !(await ready())) await sleep(100);
      }
      await api.resolve();
      const own = new Set(await api.wallet.addresses());
      const replaced = disconnected || [...coinbasesSince].some((a) => !own.has(a));
      coinbasesSince = new Set();
      disconnected = false;
      const tip = await api.chain.tip();
      return {
        status: 200,
        body: {
          message: replaced ? 'Our chain was replaced' : 'Our chain is authoritative',
          replaced,
          chain: { length: tip.height + 1, tip },
          peers: (await api.peers()).filter((p) => p.state === 'ready').length,
        },
      };
    },
    'GET /blocks/{id}': async ({ params: p }) => {
      const id = p.id!;
      if (!DIGITS.test(id) && !HEX64.test(id)) throw badField('id', `a block is named by its height (digits) or its hash (64 hex characters), not ${JSON.stringify(id.slice(0, 80))}`);
      const block = await api.chain.block(DIGITS.test(id) ? Number(id) : id.toLowerCase());
      if (!block) throw new HttpError(404, 'not-found', `no block ${id}`);
      return { status: 200, body: block };
    },
    'GET /tx/{txid}': async ({ params: p }) => {
      const id = p.txid!;
      if (!HEX64.test(id)) throw badField('txid', `a txid is 64 hex characters, not ${JSON.stringify(id.slice(0, 80))}`);
      const tx = await api.chain.tx(id.toLowerCase());
      if (!tx) throw new HttpError(404, 'not-found', `no tx ${id} in the pool or the active chain`);
      return { status: 200, body: tx };
    },
    'GET /address/{address}': async ({ params: p, query }) => {
      const address = p.address!;
      const limit = queryInteger(query, 'limit', 1, 500, 50);
      try {
        const summary = await api.chain.address(address);
        const chain = api.chain as unknown as OptionalChainMethods;
        const history = typeof chain.addressHistory === 'function' ? await chain.addressHistory(address, { limit }) : undefined;
        return { status: 200, body: { ...summary, ...(history !== undefined ? { history } : {}) } };
      } catch (error) {
        const wallet = walletErrorOf(error);
        if (wallet && (wallet.code === 'bad-address' || wallet.code === 'wrong-network')) throw badField('address', wallet.message, wallet.code);
        throw error;
      }
    },
    'GET /mempool': async () => {
      const transactions = await api.mempool();
      return { status: 200, body: { size: transactions.length, transactions } };
    },
    'GET /peers': async () => {
      const self = await api.self();
      return { status: 200, body: { peerId: self.peerId, signaling: connector.signalingServers(), peers: await api.peers() } };
    },
    'GET /wallet': async () => ({
      status: 200,
      body: { address: await api.wallet.address(), addresses: await api.wallet.addresses(), balance: await api.wallet.balance() },
    }),
    'GET /health': async () => {
      const tip = await api.chain.tip();
      const peers = (await api.peers()).filter((p) => p.state === 'ready').length;
      return { status: 200, body: { ok: true, network: api.network, height: tip.height, peers } };
    },
    'GET /openapi.json': async () => ({ status: 200, body: openApiDocument() }),
  };

  async function dispatch(req: IncomingMessage): Promise<Reply & { headers?: Record<string, string> }> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      throw new HttpError(400, 'bad-request', 'the request URL cannot be parsed');
    }
    const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname;
    const matches = routes.flatMap((route) => {
      const p = matchPath(route.path, pathname);
      return p ? [{ route, params: p }] : [];
    });
    if (matches.length === 0) throw new HttpError(404, 'unknown-route', `no route ${pathname}: GET /openapi.json lists them`);
    // HEAD is GET without the body (RFC 9110), but not on a GET that changes something.
    const head = req.method === 'HEAD';
    const match = matches.find((m) => (head ? m.route.method === 'GET' && !m.route.sideEffects : m.route.method === req.method));
    if (!match) {
      const allow = matches.flatMap((m) => (m.route.method === 'GET' && !m.route.sideEffects ? ['GET', 'HEAD'] : [m.route.method])).join(', ');
      throw new HttpError(405, 'method-not-allowed', `${pathname} takes ${allow}, not ${req.method}`, undefined, { allow });
    }
    const { route } = match;
    if (route.auth && options.token !== undefined && !tokenMatches(options.token, req.headers.authorization)) {
      throw new HttpError(401, 'unauthorized', `${route.method} ${route.path} needs "Authorization: Bearer <token>": the node's --token, or the content of the .cookie file in its data directory`, undefined, {
        'www-authenticate': 'Bearer',
      });
    }
    const body = await jsonBody(req, route);
    return handlers[`${route.method} ${route.path}`]!({ params: match.params, query: url.searchParams, body });
  }

  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    const head = req.method === 'HEAD';
    dispatch(req).then(
      (reply) => send(res, reply.status, reply.body, {}, head),
      (error: unknown) => {
        if (error instanceof HttpError) {
          send(res, error.status, { error: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) }, error.headers, head);
          return;
        }
        try {
          options.onError?.(error, { method: req.method ?? '', path: req.url ?? '' });
        } catch {
          // A failing error reporter must not take the answer down with it.
        }
        const message = error instanceof Error ? error.message : String(error);
        const storage = storageFailureOf(error);
        if (storage === 'StorageFullError') send(res, 507, { error: 'storage-full', message }, {}, head);
        else if (storage === 'StorageError') send(res, 503, { error: 'storage-error', message }, {}, head);
        else send(res, 500, { error: 'internal', message }, {}, head);
      },
    );
  }) as RestHandler & { ready: Promise<void> };
  handler.ready = restored;
  handler.close = () => {
    for (const off of unsubscribe) off();
  };
  return handler;
}
