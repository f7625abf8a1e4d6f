import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAddress, encodeAddress, networks } from '../core/index.ts';
import type { TabchainApi } from '../app/tabchain-api.ts';
import { StorageError, StorageFullError } from '../adapters/storage-errors.ts';
import { checkRequestSource, startNodeHttpServer, DEFAULT_TIMEOUTS, MAX_CONNECTIONS, type RequestSourcePolicy } from './http-server.ts';
import { openApiDocument } from './openapi.ts';
import { createRestHandler, routes, signalUrlOfNode, MAX_BODY_BYTES, type NodeListStore, type RestOptions } from './rest-api.ts';
import { runNode, type NodeCommandOptions, type RunningNode } from './run-node.ts';
import { COOKIE_FILE, ensureApiCookie } from './api-cookie.ts';
import { NODES_SETTING } from './rest/node-list-store.ts';

const posix = process.platform !== 'win32';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** The cookie token of each node {@link start} started without a token, by REST URL: {@link call} sends it unless told otherwise. */
const cookies = new Map<string, string>();

async function call(base: string, method: string, path: string, options: { json?: unknown; raw?: string; type?: string; token?: string; anonymous?: boolean } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  }
  if (options.raw !== undefined) body = options.raw;
  if (options.type !== undefined) headers['content-type'] = options.type;
  const token = options.token ?? (options.anonymous ? undefined : cookies.get(base));
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A chunked body of `bytes` bytes with no Content-Length, through node:http. */
function chunkedPost(base: string, path: string, bytes: number): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const auth: Record<string, string> = cookies.has(base) ? { authorization: `Bearer ${cookies.get(base)}` } : {};
    const req = httpRequest(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    const chunk = 'x'.repeat(4096);
    for (let sent = 0; sent < bytes; sent += chunk.length) req.write(chunk);
    req.end();
  });
}

/** A request through node:http, with any headers (Host, Origin, Sec-Fetch-Site: fetch forbids them). */
function rawRequest(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Writes `data` on a raw TCP connection and resolves with everything read until the server closes it. */
function socketExchange(port: number, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(data));
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
  });
}

/** A REST handler over a fake API on its own server (no node). */
async function fakeServer(api: Partial<Record<keyof TabchainApi, unknown>>, options: Partial<RestOptions> = {}) {
  const errors: unknown[] = [];
  const handler = createRestHandler({
    api: { network: 'regtest', on: () => () => undefined, ...api } as unknown as TabchainApi,
    connector: { addSignalingServer: () => true, signalingServers: () => [] },
    onError: (e) => errors.push(e),
    ...options,
  });
  const server: Server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    errors,
    handler,
    async close() {
      handler.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

const dirs: string[] = [];
const nodes: RunningNode[] = [];
function nodeOptions(extra: Partial<NodeCommandOptions> = {}): NodeCommandOptions {
  const dataDir = mkdtempSync(join(tmpdir(), 'tabchain-rest-'));
  dirs.push(dataDir);
  return { network: 'regtest', port: 0, host: '127.0.0.1', signal: [], dataDir, mine: false, workers: 1, origins: [], verbose: false, ...extra };
}
async function start(token?: string, extra: Partial<NodeCommandOptions> = {}): Promise<RunningNode> {
  const node = await runNode(nodeOptions({ ...(token ? { token } : {}), ...extra }));
  nodes.push(node);
  return remember(node);
}
/** Notes the node's cookie (when it has one) for {@link call}. */
function remember(node: RunningNode): RunningNode {
  const cookie = /^cookie: (.+)$/m.exec(node.facts.join('\n'))?.[1];
  if (cookie) cookies.set(node.restUrl, readFileSync(cookie, 'utf8').trim());
  return node;
}

afterAll(async () => {
  for (const node of nodes) await node.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('REST API, bad requests', () => {
  let node: RunningNode;
  let base: string;
  let recipient: string;
  let heightBefore: number;

  beforeAll(async () => {
    node = await start();
    base = node.restUrl;
    await node.api.mine(6);
    recipient = await node.api.wallet.newAddress();
    heightBefore = (await node.api.chain.tip()).height;
  }, 30_000);

  const mainAddress = () => encodeAddress(decodeAddress(recipient, networks.regtest.addressPrefix), networks.main.addressPrefix);
  const flipped = () => recipient.slice(0, -1) + (recipient.endsWith('q') ? 'p' : 'q');

  type Case = [title: string, method: string, path: string, options: () => Parameters<typeof call>[3], status: number, error: string, field?: string];
  const cases: Case[] = [
    ['unknown route', 'GET', '/nope', () => ({}), 404, 'unknown-route'],
    ['unknown nested route', 'GET', '/chain/extra', () => ({}), 404, 'unknown-route'],
    ['wrong method on /chain', 'POST', '/chain', () => ({ json: {} }), 405, 'method-not-allowed'],
    ['wrong method on /transactions/new', 'GET', '/transactions/new', () => ({}), 405, 'method-not-allowed'],
    ['wrong method on /nodes/register', 'DELETE', '/nodes/register', () => ({}), 405, 'method-not-allowed'],
    ['/chain from not a number', 'GET', '/chain?from=abc', () => ({}), 400, 'bad-request', 'from'],
    ['/chain limit 0', 'GET', '/chain?limit=0', () => ({}), 400, 'bad-request', 'limit'],
    ['/chain limit above 500', 'GET', '/chain?limit=501', () => ({}), 400, 'bad-request', 'limit'],
    ['/chain negative from', 'GET', '/chain?from=-1', () => ({}), 400, 'bad-request', 'from'],
    ['/blocks bad id', 'GET', '/blocks/xyz', () => ({}), 400, 'bad-request', 'id'],
    ['/blocks height beyond the tip', 'GET', '/blocks/999', () => ({}), 404, 'not-found'],
    ['/blocks unknown hash', 'GET', `/blocks/${'ab'.repeat(32)}`, () => ({}), 404, 'not-found'],
    ['/blocks bad percent-encoding', 'GET', '/blocks/%E0%A4%A', () => ({}), 400, 'bad-request'],
    ['/tx bad txid', 'GET', '/tx/1234', () => ({}), 400, 'bad-request', 'txid'],
    ['/tx unknown txid', 'GET', `/tx/${'cd'.repeat(32)}`, () => ({}), 404, 'not-found'],
    ['/address bad checksum', 'GET', '/address/X', () => ({}), 400, 'bad-address', 'address'],
    ['/address limit 0', 'GET', '/address/X?limit=0', () => ({}), 400, 'bad-request', 'limit'],
    ['/transactions/new without a content type', 'POST', '/transactions/new', () => ({ raw: '{}', type: 'text/plain' }), 415, 'unsupported-media-type'],
    ['/transactions/new form-encoded', 'POST', '/transactions/new', () => ({ raw: 'recipient=x&amount=1', type: 'application/x-www-form-urlencoded' }), 415, 'unsupported-media-type'],
    ['/transactions/new bad JSON', 'POST', '/transactions/new', () => ({ raw: '{"recipient": ', type: 'application/json' }), 400, 'bad-json'],
    ['/transactions/new empty body', 'POST', '/transactions/new', () => ({ raw: '', type: 'application/json' }), 400, 'bad-json'],
    ['/transactions/new array body', 'POST', '/transactions/new', () => ({ json: [1, 2] }), 400, 'bad-body'],
    ['/transactions/new body over 64 KiB', 'POST', '/transactions/new', () => ({ json: { memo: 'x'.repeat(MAX_BODY_BYTES) } }), 413, 'payload-too-large'],
    ['/transactions/new missing recipient', 'POST', '/transactions/new', () => ({ json: { amount: 1 } }), 400, 'missing-field', 'recipient'],
    ['/transactions/new recipient not a string', 'POST', '/transactions/new', () => ({ json: { recipient: 5, amount: 1 } }), 400, 'bad-request', 'recipient'],
    ['/transactions/new recipient bad checksum', 'POST', '/transactions/new', () => ({ json: { recipient: flipped(), amount: 1 } }), 400, 'bad-address', 'recipient'],
    ['/transactions/new recipient of the main network', 'POST', '/transactions/new', () => ({ json: { recipient: mainAddress(), amount: 1 } }), 400, 'wrong-network', 'recipient'],
    ['/transactions/new missing amount', 'POST', '/transactions/new', () => ({ json: { recipient } }), 400, 'missing-field', 'amount'],
    ['/transactions/new amount zero', 'POST', '/transactions/new', () => ({ json: { recipient, amount: 0 } }), 400, 'bad-amount', 'amount'],
    ['/transactions/new amount negative', 'POST', '/transactions/new', () => ({ json: { recipient, amount: -1 } }), 400, 'bad-amount', 'amount'],
    ['/transactions/new amount with 9 decimals', 'POST', '/transactions/new', () => ({ json: { recipient, amount: '0.000000001' } }), 400, 'bad-amount', 'amount'],
    ['/transactions/new amount as a number with 9 decimals', 'POST', '/transactions/new', () => ({ json: { recipient, amount: 1e-9 } }), 400, 'bad-amount', 'amount'],
    ['/transactions/new amount 0.123456789', 'POST', '/transactions/new', () => ({ json: { recipient, amount: 0.123456789 } }), 400, 'bad-amount', 'amount'],
    ['/transactions/new amount 1e400 (infinity)', 'POST', '/transactions/new', () => ({ raw: `{"recipient":"${recipient}","amount":1e400}`, type: 'application/json' }), 400, 'bad-amount', 'amount'],
    ['/transactions/new amount as words', 'POST', '/transactions/new', () => ({ json: { recipient, amount: 'ten' } }), 400, 'bad-amount', 'amount'],
    ['/transactions/new amount as an object', 'POST', '/transactions/new', () => ({ json: { recipient, amount: { coins: 1 } } }), 400, 'bad-amount', 'amount'],
    ['/transactions/new amount above the balance', 'POST', '/transactions/new', () => ({ json: { recipient, amount: 1000 } }), 400, 'insufficient-funds', 'amount'],
    ['/transactions/new bad fee', 'POST', '/transactions/new', () => ({ json: { recipient, amount: 1, fee: 'cheap' } }), 400, 'bad-amount', 'fee'],
    ['/transactions/new fee below the relay minimum', 'POST', '/transactions/new', () => ({ json: { recipient, amount: 1, fee: '0.00000001' } }), 400, 'fee-too-low', 'fee'],
    ['/transactions/new memo over 80 bytes', 'POST', '/transactions/new', () => ({ json: { recipient, amount: 1, memo: 'é'.repeat(41) } }), 400, 'memo-too-long', 'memo'],
    ['/transactions/new memo not a string', 'POST', '/transactions/new', () => ({ json: { recipient, amount: 1, memo: 42 } }), 400, 'bad-request', 'memo'],
    ['/transactions/new memo with a lone high surrogate', 'POST', '/transactions/new', () => ({ raw: `{"recipient":"${recipient}","amount":1,"memo":"a\\ud800b"}`, type: 'application/json' }), 400, 'bad-memo', 'memo'],
    ['/transactions/new memo with a lone low surrogate', 'POST', '/transactions/new', () => ({ raw: `{"recipient":"${recipient}","amount":1,"memo":"\\udc00"}`, type: 'application/json' }), 400, 'bad-memo', 'memo'],
    ['/transactions/new sender not this wallet', 'POST', '/transactions/new', () => ({ json: { sender: mainAddress(), recipient, amount: 1 } }), 400, 'bad-sender', 'sender'],
    ['/nodes/register missing list', 'POST', '/nodes/register', () => ({ json: {} }), 400, 'bad-nodes', 'nodes'],
    ['/nodes/register empty list', 'POST', '/nodes/register', () => ({ json: { nodes: [] } }), 400, 'bad-nodes', 'nodes'],
    ['/nodes/register not a list', 'POST', '/nodes/register', () => ({ json: { nodes: 'http://127.0.0.1:5001' } }), 400, 'bad-nodes', 'nodes'],
    ['/nodes/register one bad entry among good ones', 'POST', '/nodes/register', () => ({ json: { nodes: ['http://127.0.0.1:5001', 'ftp://x:1'] } }), 400, 'bad-request', 'nodes[1]'],
    ['/nodes/register no port', 'POST', '/nodes/register', () => ({ json: { nodes: ['http://127.0.0.1'] } }), 400, 'bad-request', 'nodes[0]'],
    ['/nodes/register port 0', 'POST', '/nodes/register', () => ({ json: { nodes: ['http://127.0.0.1:5001', 'http://127.0.0.1:0'] } }), 400, 'bad-request', 'nodes[1]'],
    ['DELETE /nodes missing list', 'DELETE', '/nodes', () => ({ json: {} }), 400, 'bad-nodes', 'nodes'],
    ['DELETE /nodes a bad entry', 'DELETE', '/nodes', () => ({ json: { nodes: ['http://127.0.0.1:5001/x'] } }), 400, 'bad-request', 'nodes[0]'],
    ['DELETE /nodes without a body', 'DELETE', '/nodes', () => ({}), 415, 'unsupported-media-type'],
    ['/nodes/register a path', 'POST', '/nodes/register', () => ({ json: { nodes: ['http://127.0.0.1:5001/x'] } }), 400, 'bad-request', 'nodes[0]'],
    ['/nodes/register not a URL', 'POST', '/nodes/register', () => ({ json: { nodes: ['127 0 0 1'] } }), 400, 'bad-request', 'nodes[0]'],
    ['/nodes/register a number', 'POST', '/nodes/register', () => ({ json: { nodes: [5001] } }), 400, 'bad-request', 'nodes[0]'],
    ['/nodes/register text/plain', 'POST', '/nodes/register', () => ({ raw: '{"nodes":["http://a:1"]}', type: 'text/plain' }), 415, 'unsupported-media-type'],
    ['/mine with a non-JSON body', 'POST', '/mine', () => ({ raw: 'go', type: 'text/plain' }), 415, 'unsupported-media-type'],
    ['/mine with bad JSON', 'POST', '/mine', () => ({ raw: '{', type: 'application/json' }), 400, 'bad-json'],
  ];

  it.each(cases)('error: %s', async (_title, method, path, options, status, error, field) => {
    const answer = await call(base, method, path, options());
    expect(answer.status).toBe(status);
    expect(answer.body.error).toBe(error);
    expect(typeof answer.body.message).toBe('string');
    expect((answer.body.message as string).length).toBeGreaterThan(5);
    if (field) expect(answer.body.field).toBe(field);
    if (status === 405) expect(answer.headers.get('allow')).toMatch(/GET|POST/);
    if (field === 'recipient' || field === 'amount' || field === 'fee' || field === 'memo') expect(answer.body.message).toMatch(new RegExp(field));
  });

  it('error: a chunked body over 64 KiB without Content-Length gets 413', async () => {
    const answer = await chunkedPost(base, '/nodes/register', MAX_BODY_BYTES + 8192);
    expect(answer.status).toBe(413);
    expect(answer.body.error).toBe('payload-too-large');
  });

  it('error: "Please supply a valid list of nodes" for an empty list', async () => {
    const answer = await call(base, 'POST', '/nodes/register', { json: { nodes: [] } });
    expect(answer.body.message).toBe('Please supply a valid list of nodes');
  });

  it('behavior: after every bad request nothing changed: no tx, no block, no node, and the node still answers', async () => {
    expect((await call(base, 'GET', '/mempool')).body).toEqual({ size: 0, transactions: [] });
    expect((await call(base, 'GET', '/health')).body).toEqual({ ok: true, network: 'regtest', height: heightBefore, peers: 0 });
    expect((await call(base, 'GET', '/nodes')).body).toEqual({ total_nodes: [] });
    expect(node.http.signaling.stats().connections).toBeGreaterThanOrEqual(0);
    const chain = await call(base, 'GET', '/chain');
    expect(chain.body.length).toBe(heightBefore + 1);
  });

  it('behavior: the read-only routes answer', async () => {
    const tip = await node.api.chain.tip();
    const chain = await call(base, 'GET', '/chain?from=2&limit=3');
    expect((chain.body.chain as { height: number }[]).map((b) => b.height)).toEqual([2, 3, 4]);
    expect(chain.body).toMatchObject({ length: tip.height + 1, next: 5 });
    // A repeated key means its first value, as before the framework (URLSearchParams.get).
    const repeated = await call(base, 'GET', '/chain?from=2&limit=3&from=4&limit=900');
    expect((repeated.body.chain as { height: number }[]).map((b) => b.height)).toEqual([2, 3, 4]);
    expect((await call(base, 'GET', '/chain?from=100')).body).toEqual({ chain: [], length: tip.height + 1 });
    expect((await call(base, 'GET', `/blocks/${tip.height}`)).body).toMatchObject({ hash: tip.hash, height: tip.height });
    expect((await call(base, 'GET', `/blocks/${tip.hash.toUpperCase()}`)).body).toMatchObject({ hash: tip.hash });
    const coinbase = ((await call(base, 'GET', '/blocks/1')).body.txs as { txid: string }[])[0]!.txid;
    expect((await call(base, 'GET', `/tx/${coinbase}`)).body).toMatchObject({ txid: coinbase, height: 1 });
    const wallet = (await call(base, 'GET', '/wallet')).body as { address: string; addresses: string[]; balance: { confirmed: string } };
    expect(wallet.addresses).toContain(recipient);
    expect(wallet.balance.confirmed).toBe('10000000000');
    expect(wallet.balance).toMatchObject({ pending: '0', pendingIncoming: '0', pendingChange: '0', available: '10000000000' });
    const first = wallet.addresses[0]!;
    const address = (await call(base, 'GET', `/address/${first}?limit=2`)).body;
    expect(address).toMatchObject({ address: first, confirmed: '10000000000', immature: '20000000000', coins: 6 });
    const peers = (await call(base, 'GET', '/peers')).body;
    expect(peers.peerId).toMatch(/^[0-9a-f]{32}$/);
    expect(peers.signaling).toEqual([expect.objectContaining({ url: node.http.signalUrl })]);
  });

  it('behavior: /signal without an upgrade is 426, and a trailing slash is the same route', async () => {
    expect((await call(base, 'GET', '/signal')).status).toBe(426);
    expect((await call(base, 'GET', '/health/')).status).toBe(200);
  });
});

describe('REST API, tutorial writes', () => {
  it('behavior: POST /mine and /transactions/new with coins as a number or a string; /nodes/register adds every node once', async () => {
    const node = await start();
    const base = node.restUrl;
    const mined = await call(base, 'POST', '/mine');
    expect(mined.status).toBe(200);
    expect(mined.body).toMatchObject({ message: 'New Block Forged', index: 1, previous_hash: networks.regtest.genesisHash });
    await node.api.mine(7);
    const to = await node.api.wallet.newAddress();
    const a = await call(base, 'POST', '/transactions/new', { json: { recipient: to, amount: 1.5, memo: 'rent' } });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ message: 'Transaction will be added to Block 9', txid: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const sender = (await node.api.wallet.addresses())[0];
    // Sent at once, they are built one after the other, so they never pick the same coins.
    const [b, c] = await Promise.all([
      call(base, 'POST', '/transactions/new', { json: { sender, recipient: to, amount: '0.25', fee: '0.001' } }),
      call(base, 'POST', '/transactions/new', { json: { recipient: to, amount: ' 2 ' } }),
    ]);
    expect(b.status).toBe(201);
    expect(b.body.fee).toBe('100000');
    expect(c.status).toBe(201);
    // The smallest amount as a JSON number: String(1e-8) is "1e-8", written out as 0.00000001.
    const d = await call(base, 'POST', '/transactions/new', { json: { recipient: to, amount: 0.00000001 } });
    expect(d.status).toBe(201);
    expect(((await call(base, 'GET', `/tx/${d.body.txid as string}`)).body.outputs as { amount: string; address: string }[]).find((o) => o.address === to)?.amount).toBe('1');
    const pool = (await call(base, 'GET', '/mempool')).body;
    expect(pool.size).toBe(4);

    const registered = await call(base, 'POST', '/nodes/register', { json: { nodes: ['http://127.0.0.1:1', 'https://example.invalid:443', 'http://127.0.0.1:1'] } });
    expect(registered.status).toBe(201);
    expect(registered.body).toEqual({ message: 'New nodes have been added', total_nodes: ['http://127.0.0.1:1', 'https://example.invalid:443'] });
    expect(node.node.services.connector.signalingServers().map((s) => s.url)).toEqual([node.http.signalUrl, 'ws://127.0.0.1:1/signal', 'wss://example.invalid:443/signal']);
    expect((await call(base, 'GET', '/nodes')).body).toEqual({ total_nodes: ['http://127.0.0.1:1', 'https://example.invalid:443'] });
  }, 30_000);

  it('behavior: node URLs become signaling URLs', () => {
    expect(signalUrlOfNode('http://127.0.0.1:5001', 0)).toEqual({ node: 'http://127.0.0.1:5001', signal: 'ws://127.0.0.1:5001/signal' });
    expect(signalUrlOfNode('http://localhost:5001/', 0)).toEqual({ node: 'http://localhost:5001', signal: 'ws://localhost:5001/signal' });
    expect(signalUrlOfNode('https://node.example:443', 0)).toEqual({ node: 'https://node.example:443', signal: 'wss://node.example:443/signal' });
    expect(signalUrlOfNode('http://[::1]:5001', 0)).toEqual({ node: 'http://[::1]:5001', signal: 'ws://[::1]:5001/signal' });
    expect(() => signalUrlOfNode('http://user:pw@a:1', 2)).toThrow(/nodes\[2\]/);
    expect(() => signalUrlOfNode('ws://a:1', 0)).toThrow(/http/);
  });
});

describe('REST API, bearer token', () => {
  it('behavior: writes need the token (401 without or with a wrong one, 201 with it); reads stay open', async () => {
    const node = await start('s3cret-token');
    const base = node.restUrl;
    const to = await node.api.wallet.address();
    for (const [method, path] of [
      ['GET', '/mine'],
      ['POST', '/mine'],
      ['POST', '/transactions/new'],
      ['POST', '/nodes/register'],
      ['DELETE', '/nodes'],
      ['GET', '/wallet'],
    ] as const) {
      const body = method === 'POST' || method === 'DELETE' ? { json: { nodes: ['http://127.0.0.1:1'] } } : {};
      const none = await call(base, method, path, body);
      expect(none.status, `${method} ${path}`).toBe(401);
      expect(none.body.error).toBe('unauthorized');
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      expect((await call(base, method, path, { ...body, token: 's3cret-tokeN' })).status).toBe(401);
    }
    expect((await call(base, 'GET', '/health')).status).toBe(200);
    expect((await call(base, 'GET', '/chain')).status).toBe(200);
    expect((await call(base, 'GET', '/nodes/resolve')).status).toBe(200);
    expect((await call(base, 'GET', '/mempool')).body).toEqual({ size: 0, transactions: [] });
    expect((await call(base, 'GET', '/nodes')).body).toEqual({ total_nodes: [] });
    expect((await node.api.chain.tip()).height).toBe(0);

    expect((await call(base, 'GET', '/mine', { token: 's3cret-token' })).status).toBe(200);
    await node.api.mine(5);
    const sent = await call(base, 'POST', '/transactions/new', { json: { recipient: to, amount: 1 }, token: 's3cret-token' });
    expect(sent.status).toBe(201);
    const registered = await call(base, 'POST', '/nodes/register', { json: { nodes: ['http://127.0.0.1:1'] }, token: 's3cret-token' });
    expect(registered.status).toBe(201);
    expect((await call(base, 'GET', '/wallet', { token: 's3cret-token' })).body.address).toBe(to);
    // With --token there is no cookie file: the token is the one credential.
    expect(existsSync(join(node.node.dataDir, '..', COOKIE_FILE))).toBe(false);
    expect(node.facts).toContain('token: the one given (--token or TABCHAIN_TOKEN)');
  }, 30_000);

  it('behavior: without --token the node makes a cookie at the first start (mode 600), keeps it across restarts, and requires it for writes and /wallet', async () => {
    const options = nodeOptions();
    let node = await runNode(options);
    const path = join(options.dataDir, COOKIE_FILE);
    expect(node.facts).toContain(`cookie: ${path}`);
    const token = readFileSync(path, 'utf8').trim();
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    if (posix) expect(statSync(path).mode & 0o777).toBe(0o600);
    try {
      for (const [method, path] of [
        ['GET', '/mine'],
        ['POST', '/transactions/new'],
        ['GET', '/wallet'],
      ] as const) {
        const none = await call(node.restUrl, method, path, method === 'POST' ? { json: {} } : {});
        expect(none.status, `${method} ${path}`).toBe(401);
        expect(none.body.message).toMatch(/\.cookie/);
      }
      expect((await node.api.chain.tip()).height).toBe(0);
      expect((await call(node.restUrl, 'GET', '/mine', { token })).status).toBe(200);
      expect((await call(node.restUrl, 'GET', '/wallet', { token })).status).toBe(200);
    } finally {
      await node.close();
    }
    // A restart keeps the same cookie, and narrows a widened mode back to 600.
    if (posix) chmodSync(path, 0o644);
    node = await runNode(options);
    try {
      expect(readFileSync(path, 'utf8').trim()).toBe(token);
      if (posix) expect(statSync(path).mode & 0o777).toBe(0o600);
      expect((await call(node.restUrl, 'GET', '/wallet', { token })).status).toBe(200);
    } finally {
      await node.close();
    }
    // A file that is not a token is replaced by a new one.
    writeFileSync(path, 'not a token\n');
    const replaced = ensureApiCookie(options.dataDir);
    expect(replaced.created).toBe(true);
    expect(replaced.token).not.toBe(token);
    expect(readFileSync(path, 'utf8').trim()).toBe(replaced.token);
  }, 60_000);

  it('behavior: listening beyond loopback, the API still needs the cookie (any Host is answered, none without it); only --insecure opens it, with a warning naming every machine', async () => {
    const node = await start(undefined, { host: '0.0.0.0' });
    const port = node.http.port;
    const token = cookies.get(node.restUrl)!;
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const host = `node.example:${port}`;
    expect((await rawRequest(node.restUrl, 'GET', '/chain', { host })).status).toBe(200);
    expect((await rawRequest(node.restUrl, 'GET', '/mine', { host })).status).toBe(401);
    expect((await rawRequest(node.restUrl, 'GET', '/wallet', { host })).status).toBe(401);
    expect((await rawRequest(node.restUrl, 'GET', '/wallet', { host, authorization: `Bearer ${token}` })).status).toBe(200);

    const warnings: string[] = [];
    const open = await runNode(nodeOptions({ host: '0.0.0.0', insecure: true }), { warn: (line) => warnings.push(line) });
    try {
      expect(warnings.join('\n')).toMatch(/--insecure: any program that reaches port \d+ can mine and spend/);
      expect(warnings.join('\n')).not.toMatch(/on this machine/);
      // Without a credential, other Host names are refused (loopback names only), as before.
      expect((await rawRequest(open.restUrl, 'GET', '/chain', { host: `node.example:${open.http.port}` })).status).toBe(421);
    } finally {
      await open.close();
    }
  }, 30_000);

  it('behavior: --trust-proxy reaches the server: a forwarded Host is answered (writes still need the cookie), HTTPS forwarded brings HSTS; beyond loopback it warns', async () => {
    const warnings: string[] = [];
    const node = remember(await runNode(nodeOptions({ host: '0.0.0.0', trustProxy: true }), { warn: (line) => warnings.push(line) }));
    nodes.push(node);
    expect(warnings.join('\n')).toMatch(/--trust-proxy with --host 0\.0\.0\.0: clients that reach port \d+ directly, not through the proxy, can claim any address/);
    const proxied = { host: 'node.example.org', 'x-forwarded-for': '203.0.113.5', 'x-forwarded-proto': 'https' };
    const chain = await rawRequest(node.restUrl, 'GET', '/chain', proxied);
    expect(chain.status).toBe(200);
    expect(chain.headers['strict-transport-security']).toBe('max-age=31536000');
    expect((await rawRequest(node.restUrl, 'GET', '/mine', proxied)).status).toBe(401);
    expect((await rawRequest(node.restUrl, 'GET', '/wallet', { ...proxied, authorization: `Bearer ${cookies.get(node.restUrl)!}` })).status).toBe(200);
  }, 30_000);

  it('behavior: --insecure serves the API with no credential and no cookie, and warns', async () => {
    const warnings: string[] = [];
    const options = nodeOptions({ insecure: true });
    const node = await runNode(options, { warn: (line) => warnings.push(line) });
    try {
      expect(existsSync(join(options.dataDir, COOKIE_FILE))).toBe(false);
      expect(node.facts).toContain('credential: none (--insecure)');
      expect(warnings.join('\n')).toMatch(/--insecure: any program that reaches port \d+ on this machine can mine and spend/);
      // The test network's wallet starts unencrypted, and the node says so at every start.
      expect(node.facts).toContain('wallet: not encrypted');
      expect(warnings.join('\n')).toMatch(/the regtest wallet is not encrypted: .* start with --passphrase-file to seal it/);
      expect((await call(node.restUrl, 'GET', '/wallet')).status).toBe(200);
      expect((await call(node.restUrl, 'GET', '/mine')).status).toBe(200);
    } finally {
      await node.close();
    }
  }, 30_000);
});

describe('REST API, the OpenAPI document', () => {
  const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
  const documented = Object.entries(doc.paths)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();

  it('behavior: lists exactly the routes the handler serves, each with responses', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(documented).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
      for (const name of path.match(/\{(\w+)\}/g) ?? []) {
        for (const op of Object.values(item) as { parameters?: { name: string; in: string }[] }[]) {
          expect(op.parameters?.some((p) => p.in === 'path' && `{${p.name}}` === name), `${path} documents ${name}`).toBe(true);
        }
      }
    }
  });

  it('behavior: the live server agrees: each documented path answers a wrong method with 405 and exactly the documented methods (and HEAD with each GET that changes nothing), and serves the document', async () => {
    const node = nodes[0]!;
    for (const [path, item] of Object.entries(doc.paths)) {
      const concrete = path.replace('{id}', '0').replace('{txid}', '0'.repeat(64)).replace('{address}', 'x');
      const answer = await call(node.restUrl, 'PUT', concrete);
      expect(answer.status, path).toBe(405);
      const head = item.get && !routes.some((r) => r.path === path && r.method === 'GET' && r.sideEffects) ? ['HEAD'] : [];
      expect(answer.headers.get('allow')!.split(', ').sort(), path).toEqual([...Object.keys(item).map((m) => m.toUpperCase()), ...head].sort());
    }
    expect((await call(node.restUrl, 'GET', '/openapi.json')).body).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});

describe('REST API, robustness', () => {
  it('error: an unexpected exception answers 500 with a message and the next request is served', async () => {
    let fail = true;
    const api = {
      network: 'regtest',
      on: () => () => undefined,
      chain: {
        tip: async () => {
          if (fail) throw new Error('disk on fire');
          return { height: 3, hash: 'h', work: '4' };
        },
      },
      peers: async () => [],
    } as unknown as TabchainApi;
    const errors: unknown[] = [];
    const handler = createRestHandler({ api, connector: { addSignalingServer: () => true, signalingServers: () => [] }, onError: (e) => errors.push(e) });
    const server: Server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const broken = await call(base, 'GET', '/health');
      expect(broken.status).toBe(500);
      expect(broken.body).toEqual({ error: 'internal', message: 'disk on fire' });
      expect(errors).toHaveLength(1);
      fail = false;
      expect((await call(base, 'GET', '/health')).body).toEqual({ ok: true, network: 'regtest', height: 3, peers: 0 });
    } finally {
      handler.close();
      await new Promise((r) => server.close(r));
    }
  });

  it('behavior: before the node has started, REST requests get 503 and /signal 426', async () => {
    const http = await startNodeHttpServer({ port: 0 });
    try {
      const answer = await call(http.restUrl, 'GET', '/health');
      expect(answer.status).toBe(503);
      expect(answer.body.error).toBe('starting');
      expect((await call(http.restUrl, 'GET', '/signal')).status).toBe(426);
    } finally {
      await http.close();
    }
  });
});

describe('REST API, where requests come from (DNS rebinding, cross-site pages)', () => {
  const policy: RequestSourcePolicy = { port: 5000, host: '127.0.0.1', origins: ['https://app.example'], tokenRequired: false };
  const check = (headers: IncomingHttpHeaders, p: RequestSourcePolicy = policy) => checkRequestSource(headers, p);

  it('behavior: the Host must be a loopback name or --host, with the node port; with 0.0.0.0 any Host only when a token is set', () => {
    for (const host of ['127.0.0.1:5000', 'localhost:5000', 'LocalHost:5000', '[::1]:5000']) expect(check({ host }), host).toBeNull();
    for (const host of ['evil.example:5000', 'rebind.attacker.test:5000', '127.0.0.1:5001', '127.0.0.1', 'localhost.:5000', '127.0.0.1:5000@evil', '']) {
      expect(check({ host }), host).toMatchObject({ status: 421, error: 'bad-host' });
    }
    expect(check({})).toMatchObject({ status: 421, error: 'bad-host' });
    expect(check({ host: 'localhost' }, { ...policy, port: 80 })).toBeNull();
    expect(check({ host: '192.168.1.5:5000' }, { ...policy, host: '192.168.1.5' })).toBeNull();
    expect(check({ host: '[fd00::5]:5000' }, { ...policy, host: 'fd00::5' })).toBeNull();
    const everywhere = { ...policy, host: '0.0.0.0' };
    expect(check({ host: 'localhost:5000' }, everywhere)).toBeNull();
    expect(check({ host: '192.168.1.5:5000' }, everywhere)?.message).toMatch(/token/);
    expect(check({ host: 'node.example:443' }, { ...everywhere, tokenRequired: true })).toBeNull();
    expect(check({ host: 'node.example:443' }, { ...policy, host: '::', tokenRequired: true })).toBeNull();
    expect(check({ host: 'node.example:5000' }, { ...policy, tokenRequired: true })?.status).toBe(421);
  });

  it('behavior: an Origin other than --origin or the node own is 403, so is Sec-Fetch-Site cross-site / same-site; curl-like requests pass', () => {
    const host = '127.0.0.1:5000';
    expect(check({ host, origin: 'https://evil.example' })).toMatchObject({ status: 403, error: 'cross-site' });
    expect(check({ host, origin: 'null' })?.status).toBe(403);
    expect(check({ host, origin: 'http://localhost:5000' })?.status).toBe(403);
    expect(check({ host, origin: 'http://127.0.0.1:5000' })).toBeNull();
    expect(check({ host, origin: 'https://app.example' })).toBeNull();
    expect(check({ host, origin: 'https://APP.example', 'sec-fetch-site': 'cross-site' })).toBeNull();
    expect(check({ host, 'sec-fetch-site': 'cross-site' })).toMatchObject({ status: 403, error: 'cross-site' });
    expect(check({ host, 'sec-fetch-site': 'same-site' })?.status).toBe(403);
    expect(check({ host, 'sec-fetch-site': 'same-origin' })).toBeNull();
    expect(check({ host, 'sec-fetch-site': 'none' })).toBeNull();
    // --origin '*' opens /signal to every page, not the REST API.
    expect(check({ host, origin: 'https://evil.example' }, { ...policy, origins: ['*'] })?.status).toBe(403);
  });

  it('error: a rebound name and cross-site pages get 421 / 403 JSON, and nothing is mined or sent; --origin pages and curl are served', async () => {
    const node = await start(undefined, { origins: ['https://app.example'] });
    const port = node.http.port;
    const height = (await node.api.chain.tip()).height;
    const host = `127.0.0.1:${port}`;
    const rebound = await rawRequest(node.restUrl, 'GET', '/mine', { host: `rebind.attacker.test:${port}` });
    expect(rebound.status).toBe(421);
    expect(rebound.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(rebound.text)).toMatchObject({ error: 'bad-host', message: expect.stringMatching(/DNS rebinding/) });
    const image = await rawRequest(node.restUrl, 'GET', '/mine', { host, 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'image' });
    expect(image.status).toBe(403);
    expect(JSON.parse(image.text).error).toBe('cross-site');
    const payment = JSON.stringify({ recipient: await node.api.wallet.address(), amount: 1 });
    const posted = await rawRequest(node.restUrl, 'POST', '/transactions/new', { host, origin: 'https://attacker.example', 'content-type': 'application/json' }, payment);
    expect(posted.status).toBe(403);
    const register = await rawRequest(node.restUrl, 'POST', '/nodes/register', { host: `attacker.example:${port}`, 'content-type': 'application/json' }, JSON.stringify({ nodes: ['http://127.0.0.1:1'] }));
    expect(register.status).toBe(421);
    expect((await node.api.chain.tip()).height).toBe(height);
    expect((await call(node.restUrl, 'GET', '/nodes')).body).toEqual({ total_nodes: [] });

    expect((await rawRequest(node.restUrl, 'GET', '/health', { host: `localhost:${port}` })).status).toBe(200);
    expect((await rawRequest(node.restUrl, 'GET', '/health', { host, origin: 'https://app.example', 'sec-fetch-site': 'cross-site' })).status).toBe(200);
    expect((await call(node.restUrl, 'GET', '/mine')).status).toBe(200);
  }, 30_000);

  it('error: the check comes first, before the 503 of a node still starting', async () => {
    const http = await startNodeHttpServer({ port: 0 });
    try {
      expect((await rawRequest(http.restUrl, 'GET', '/health', { host: 'evil.example' })).status).toBe(421);
      expect((await rawRequest(http.restUrl, 'GET', '/health', { host: `127.0.0.1:${http.port}` })).status).toBe(503);
    } finally {
      await http.close();
    }
  });
});

describe('REST API, HEAD', () => {
  it('behavior: HEAD answers like GET without the body; not on the GETs that change something (405)', async () => {
    const node = await start();
    const get = await fetch(`${node.restUrl}/health`);
    const text = await get.text();
    const head = await fetch(`${node.restUrl}/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Number(head.headers.get('content-length'))).toBe(Buffer.byteLength(text));
    expect(await head.text()).toBe('');
    expect((await fetch(`${node.restUrl}/blocks/0`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${node.restUrl}/blocks/99`, { method: 'HEAD' })).status).toBe(404);
    expect((await fetch(`${node.restUrl}/nope`, { method: 'HEAD' })).status).toBe(404);
    const mine = await fetch(`${node.restUrl}/mine`, { method: 'HEAD' });
    expect(mine.status).toBe(405);
    expect(mine.headers.get('allow')).toBe('GET, POST');
    expect((await fetch(`${node.restUrl}/nodes/resolve`, { method: 'HEAD' })).status).toBe(405);
    expect((await fetch(`${node.restUrl}/nodes`, { method: 'PUT' })).headers.get('allow')).toBe('GET, HEAD, DELETE');
    expect((await node.api.chain.tip()).height).toBe(0);
  }, 30_000);
});

describe('REST API, registered nodes across restarts', () => {
  it('behavior: /nodes/register stores the list (in the database, synced) before answering; a restart adds them back; DELETE /nodes forgets them; the own URL is skipped; an earlier version’s nodes.json is moved in', async () => {
    const options = nodeOptions();
    if (posix) chmodSync(options.dataDir, 0o755);
    // What an earlier version left: its registered nodes in <data>/<network>/nodes.json.
    const file = join(options.dataDir, 'regtest', 'nodes.json');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ nodes: ['http://127.0.0.1:1'] }));
    let node = remember(await runNode(options));
    nodes.push(node);
    if (posix) expect(statSync(options.dataDir).mode & 0o777).toBe(0o700);
    const own = `http://localhost:${node.http.port}`;
    const registered = await call(node.restUrl, 'POST', '/nodes/register', { json: { nodes: ['http://127.0.0.1:1', own, 'http://127.0.0.1:2'] } });
    expect(registered).toMatchObject({
      status: 201,
      body: { message: `New nodes have been added (skipped ${own}: that is this node itself)`, total_nodes: ['http://127.0.0.1:1', 'http://127.0.0.1:2'] },
    });
    expect(existsSync(file)).toBe(false);
    expect(JSON.parse((await node.node.settings.get(NODES_SETTING))!)).toEqual(['http://127.0.0.1:1', 'http://127.0.0.1:2']);
    expect((await call(node.restUrl, 'POST', '/nodes/register', { json: { nodes: [node.restUrl] } })).body.message).toBe(`No nodes were added (skipped ${node.restUrl}: that is this node itself)`);

    await node.close();
    node = remember(await runNode(options));
    nodes.push(node);
    expect((await call(node.restUrl, 'GET', '/nodes')).body).toEqual({ total_nodes: ['http://127.0.0.1:1', 'http://127.0.0.1:2'] });
    expect(node.node.services.connector.signalingServers().map((s) => s.url)).toEqual([node.http.signalUrl, 'ws://127.0.0.1:1/signal', 'ws://127.0.0.1:2/signal']);

    const removed = await call(node.restUrl, 'DELETE', '/nodes', { json: { nodes: ['http://127.0.0.1:1', 'http://127.0.0.1:9'] } });
    expect(removed).toMatchObject({
      status: 200,
      body: { message: 'Nodes have been removed (not registered: http://127.0.0.1:9)', removed: ['http://127.0.0.1:1'], total_nodes: ['http://127.0.0.1:2'] },
    });
    expect(node.node.services.connector.signalingServers().map((s) => s.url)).toEqual([node.http.signalUrl, 'ws://127.0.0.1:2/signal']);
    expect(JSON.parse((await node.node.settings.get(NODES_SETTING))!)).toEqual(['http://127.0.0.1:2']);

    await node.close();
    node = await runNode(options);
    nodes.push(node);
    expect((await call(node.restUrl, 'GET', '/nodes')).body).toEqual({ total_nodes: ['http://127.0.0.1:2'] });
  }, 30_000);

  it('behavior: DELETE /nodes needs the token when one is set', async () => {
    const node = await start('s3cret-token');
    const none = await call(node.restUrl, 'DELETE', '/nodes', { json: { nodes: ['http://127.0.0.1:1'] } });
    expect(none.status).toBe(401);
    expect((await call(node.restUrl, 'DELETE', '/nodes', { json: { nodes: ['http://127.0.0.1:1'] }, token: 's3cret-token' })).status).toBe(200);
  }, 30_000);

  it('error: a failed save answers 507 / 503 and adds nothing; unreadable stored entries are skipped with a warning; without removeSignalingServer the message says the links stay', async () => {
    const added: string[] = [];
    const servers = ['ws://127.0.0.1:9000/signal', 'ws://127.0.0.1:4/signal'];
    let failure: Error | null = new StorageFullError(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
    const saves: string[][] = [];
    const store: NodeListStore = {
      load: async () => ['http://127.0.0.1:7', 'not a url'],
      save: async (list) => {
        if (failure) throw failure;
        saves.push(list);
      },
    };
    const warnings: string[] = [];
    const fake = await fakeServer(
      {},
      {
        connector: {
          addSignalingServer: (url) => {
            added.push(url);
            servers.push(url);
            return true;
          },
          signalingServers: () => servers.map((url) => ({ url, status: 'offline', peers: 0 })),
        },
        nodeStore: store,
        onWarning: (line) => warnings.push(line),
      },
    );
    try {
      await fake.handler.ready;
      expect(added).toEqual(['ws://127.0.0.1:7/signal']);
      expect(warnings).toEqual([expect.stringMatching(/nodes\[1\]/)]);
      const full = await call(fake.base, 'POST', '/nodes/register', { json: { nodes: ['http://127.0.0.1:8'] } });
      expect(full.status).toBe(507);
      expect(full.body.error).toBe('storage-full');
      failure = new StorageError('saving nodes.json failed: EIO', new Error('EIO'));
      const broken = await call(fake.base, 'POST', '/nodes/register', { json: { nodes: ['http://127.0.0.1:8'] } });
      expect(broken.status).toBe(503);
      expect(broken.body.error).toBe('storage-error');
      expect(added).toEqual(['ws://127.0.0.1:7/signal']);
      failure = null;
      const gone = await call(fake.base, 'DELETE', '/nodes', { json: { nodes: ['http://127.0.0.1:7', 'http://127.0.0.1:4'] } });
      expect(gone.status).toBe(200);
      expect(gone.body.message).toMatch(/^Nodes have been removed \(this node stays connected to them until it restarts; http:\/\/127\.0\.0\.1:4 came from the command line/);
      expect(saves).toEqual([[]]);
    } finally {
      await fake.close();
    }
  });
});

describe('REST API, robustness', () => {
  it('error: a client that hangs up mid-body is answered 400 aborted quietly (to nobody): nothing reaches onError, and the next request is served', async () => {
    const fake = await fakeServer({ chain: { tip: async () => ({ height: 0, hash: 'h', work: '1' }) }, peers: async () => [] });
    try {
      // The headers and part of the body arrive; then the client goes away.
      await new Promise<void>((resolve) => {
        const socket = connect(fake.port, '127.0.0.1', () => {
          socket.write(`POST /nodes/register HTTP/1.1\r\nHost: 127.0.0.1:${fake.port}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"nodes": [`);
          setTimeout(() => {
            socket.destroy();
            setTimeout(resolve, 200);
          }, 100);
        });
      });
      expect(fake.errors).toEqual([]);
      expect((await call(fake.base, 'GET', '/health')).status).toBe(200);
    } finally {
      await fake.close();
    }
  });

  it('error: StorageFullError answers 507 storage-full and StorageError 503 storage-error (also as a cause), not 500', async () => {
    let failure: Error = new StorageFullError(new Error('ENOSPC'));
    const fake = await fakeServer({
      chain: {
        tip: async () => {
          throw failure;
        },
      },
    });
    try {
      const full = await call(fake.base, 'GET', '/health');
      expect(full.status).toBe(507);
      expect(full.body).toMatchObject({ error: 'storage-full', message: expect.stringMatching(/storage is full/) });
      failure = new StorageError('reading the tip failed: EIO', new Error('EIO'));
      expect((await call(fake.base, 'GET', '/health')).body).toMatchObject({ error: 'storage-error' });
      expect((await call(fake.base, 'GET', '/health')).status).toBe(503);
      failure = new Error('send failed', { cause: new StorageFullError(new Error('ENOSPC')) });
      expect((await call(fake.base, 'GET', '/health')).status).toBe(507);
      expect(fake.errors).toHaveLength(4);
    } finally {
      await fake.close();
    }
  });
});

describe('HTTP server limits', () => {
  it('behavior: request, header and keep-alive timeouts and a connection cap are set', async () => {
    const http = await startNodeHttpServer({ port: 0 });
    try {
      expect(http.server.requestTimeout).toBe(30_000);
      expect(http.server.headersTimeout).toBe(5_000);
      expect(http.server.keepAliveTimeout).toBe(DEFAULT_TIMEOUTS.keepAliveMs);
      expect(http.server.keepAliveTimeout).toBeLessThan(http.server.headersTimeout);
      expect(http.server.maxConnections).toBe(MAX_CONNECTIONS);
      expect(MAX_CONNECTIONS).toBe(256);
    } finally {
      await http.close();
    }
  });

  it('error: malformed requests, oversized headers and slow headers get a JSON 400 / 431 / 408 and the connection is closed', async () => {
    const http = await startNodeHttpServer({ port: 0, timeouts: { headersMs: 300, requestMs: 600, checkIntervalMs: 100 } });
    const parse = (text: string) => {
      const [head, body] = text.split('\r\n\r\n');
      return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head!)?.[1]), head: head!.toLowerCase(), body: JSON.parse(body!) as Record<string, unknown> };
    };
    try {
      const bad = parse(await socketExchange(http.port, 'THIS IS NOT HTTP\r\n\r\n'));
      expect(bad.status).toBe(400);
      expect(bad.head).toMatch(/content-type: application\/json/);
      expect(bad.head).toMatch(/connection: close/);
      expect(bad.body).toMatchObject({ error: 'bad-request', message: expect.any(String) });
      const big = parse(await socketExchange(http.port, `GET /health HTTP/1.1\r\nHost: 127.0.0.1:${http.port}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
      expect(big.status).toBe(431);
      expect(big.body.error).toBe('headers-too-large');
      const noHost = parse(await socketExchange(http.port, 'GET /health HTTP/1.1\r\nConnection: close\r\n\r\n'));
      expect(noHost.status).toBe(421);
      expect(noHost.body.error).toBe('bad-host');
      const slow = parse(await socketExchange(http.port, `GET /health HTTP/1.1\r\nHost: 127.0.0.1:${http.port}\r\n`));
      expect(slow.status).toBe(408);
      expect(slow.body.error).toBe('timeout');
    } finally {
      await http.close();
    }
  });
});

describe('HTTP server security headers', () => {
  it('behavior: every answer (REST, refusals, 426 on /signal, 503 while starting, parser errors) carries the data-only policy and the framing, sniffing, referrer and opener headers', async () => {
    const http = await startNodeHttpServer({ port: 0 });
    const base = `http://127.0.0.1:${http.port}`;
    const expectHeaders = (headers: IncomingHttpHeaders | Record<string, string>, what: string) => {
      const h = headers as Record<string, string>;
      expect(h['content-security-policy'], what).toMatch(/^default-src 'none';.*frame-ancestors 'none'/);
      expect(h['x-frame-options'], what).toBe('DENY');
      expect(h['x-content-type-options'], what).toBe('nosniff');
      expect(h['referrer-policy'], what).toBe('no-referrer');
      expect(h['cross-origin-opener-policy'], what).toBe('same-origin');
    };
    try {
      expectHeaders((await rawRequest(base, 'GET', '/chain', {})).headers, 'starting');
      expectHeaders((await rawRequest(base, 'GET', '/signal', {})).headers, '426');
      expectHeaders((await rawRequest(base, 'GET', '/chain', { host: 'evil.example' })).headers, '421');
      http.setHandler((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
      expectHeaders((await rawRequest(base, 'GET', '/chain', {})).headers, 'handler');
      const bad = await socketExchange(http.port, 'THIS IS NOT HTTP\r\n\r\n');
      const head = bad.split('\r\n\r\n')[0]!.toLowerCase();
      expect(head).toContain("content-security-policy: default-src 'none'");
      expect(head).toContain('x-frame-options: deny');
    } finally {
      await http.close();
    }
  });
});
