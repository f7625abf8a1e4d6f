/**
 * The OpenAPI document against the live server: every answer a real node gives (successes,
 * refusals of every check in front of the routes) has its status documented for that operation
 * and a body the documented schema accepts; and every documented status was seen, except the
 * ones only a failing disk or a bug gives (500, 503, 507: rest-api.test.ts proves them with fakes)
 * and 429, given only behind --trust-proxy (trust-proxy.test.ts proves it);
 * the bodies the server accepted match the documented request bodies.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../openapi.ts';
import { runNode, type RunningNode } from '../run-node.ts';

type Operation = { responses: Record<string, { content?: { 'application/json': { schema: Record<string, unknown> } } }> };
const doc = openApiDocument() as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };
const TOKEN = 'conformance-token';
const UNSEEN = new Set(['429', '500', '503', '507']);

/** The schema with `#/components/schemas/X` references replaced by X itself. */
function inline(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(inline);
  if (schema && typeof schema === 'object') {
    const ref = (schema as { $ref?: string }).$ref;
    if (ref?.startsWith('#/components/schemas/')) return inline(doc.components.schemas[ref.slice('#/components/schemas/'.length)]);
    return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, inline(v)]));
  }
  return schema;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });

interface Seen {
  status: number;
  body: unknown;
}

async function send(base: string, method: string, path: string, options: { headers?: Record<string, string>; body?: string } = {}): Promise<Seen> {
  // fetch cannot set Host; node:http cannot be relied on to read an answer sent before the whole body.
  if (!options.headers?.host) {
    const res = await fetch(`${base}${path}`, { method, headers: options.headers ?? {}, ...(options.body !== undefined ? { body: options.body } : {}) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  return new Promise((resolve, reject) => {
    // node:http frames a DELETE body only when told its length.
    const length: Record<string, string> = options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {};
    const req = httpRequest(`${base}${path}`, { method, headers: { ...length, ...options.headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('REST API, the OpenAPI document against the live server', () => {
  let node: RunningNode;
  let dir: string;
  /** operation (`get /chain`) → statuses seen. */
  const seen = new Map<string, Set<string>>();
  const failures: string[] = [];

  /** Sends a request as operation `method template` and checks the answer against the document. */
  async function check(method: string, template: string, path: string, options: { headers?: Record<string, string>; json?: unknown; raw?: string; auth?: boolean } = {}): Promise<Seen> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.auth !== false) headers.authorization ??= `Bearer ${TOKEN}`;
    let body = options.raw;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    const answer = await send(node.restUrl, method.toUpperCase(), path, { headers, ...(body !== undefined ? { body } : {}) });
    const op = doc.paths[template]?.[method];
    const name = `${method} ${template}`;
    if (!op) {
      failures.push(`${name}: not documented`);
      return answer;
    }
    const status = String(answer.status);
    (seen.get(name) ?? seen.set(name, new Set()).get(name)!).add(status);
    const documented = op.responses[status];
    if (!documented) {
      failures.push(`${name} ${path}: answered ${status}, documented ${Object.keys(op.responses).join(', ')}`);
      return answer;
    }
    const requestSchema = (op as { requestBody?: { content: { 'application/json': { schema: object } } } }).requestBody?.content['application/json'].schema;
    if (options.json !== undefined && answer.status < 300 && requestSchema && !ajv.validate(inline(requestSchema) as object, options.json)) {
      failures.push(`${name} ${path}: the accepted body ${JSON.stringify(options.json)} is not what the document describes: ${ajv.errorsText(ajv.errors)}`);
    }
    const schema = documented.content?.['application/json'].schema;
    if (schema && !ajv.validate(inline(schema) as object, answer.body)) {
      failures.push(`${name} ${path} ${status}: ${ajv.errorsText(ajv.errors)} in ${JSON.stringify(answer.body).slice(0, 300)}`);
    }
    return answer;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tabchain-openapi-'));
    node = await runNode({ network: 'regtest', port: 0, host: '127.0.0.1', signal: [], dataDir: dir, mine: false, workers: 1, origins: [], verbose: false, token: TOKEN });
    await node.api.mine(6);
  }, 30_000);

  afterAll(async () => {
    await node?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('behavior: the REST answers carry the server’s data-only security headers', async () => {
    const res = await fetch(`${node.restUrl}/health`);
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none';/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('behavior: every answer is documented with its status and schema, and every documented status is answered', async () => {
    const tip = await node.api.chain.tip();
    const address = await node.api.wallet.address();
    const coinbase = ((await node.api.chain.block(1))!.txs[0] as { txid: string }).txid;
    const operations = Object.entries(doc.paths).flatMap(([template, item]) => Object.keys(item).map((method) => ({ method, template })));
    const concrete = (template: string) => template.replace('{id}', String(tip.height)).replace('{txid}', coinbase).replace('{address}', address);

    // Successes.
    await check('get', '/chain', '/chain?from=1&limit=3');
    await check('get', '/mine', '/mine');
    await check('post', '/mine', '/mine');
    await check('post', '/mine', '/mine', { json: {} });
    const paid = await check('post', '/transactions/new', '/transactions/new', { json: { recipient: address, amount: 1.5, memo: 'rent' } });
    await check('get', '/mempool', '/mempool');
    await check('get', '/tx/{txid}', `/tx/${(paid.body as { txid: string }).txid}`);
    await check('get', '/tx/{txid}', `/tx/${coinbase}`);
    await check('get', '/blocks/{id}', `/blocks/${tip.height}`);
    await check('get', '/blocks/{id}', `/blocks/${tip.hash}`);
    await check('get', '/address/{address}', `/address/${address}?limit=2`);
    await check('post', '/nodes/register', '/nodes/register', { json: { nodes: ['http://127.0.0.1:1', 'http://127.0.0.1:2'] } });
    await check('get', '/nodes', '/nodes');
    await check('delete', '/nodes', '/nodes', { json: { nodes: ['http://127.0.0.1:1', 'http://127.0.0.1:9'] } });
    await check('delete', '/nodes', '/nodes', { json: { nodes: ['http://127.0.0.1:2'] } });
    await check('get', '/nodes/resolve', '/nodes/resolve');
    await check('get', '/peers', '/peers');
    await check('get', '/wallet', '/wallet');
    await check('get', '/health', '/health');
    await check('get', '/openapi.json', '/openapi.json');

    // Bad parameters and bodies, missing things.
    await check('get', '/chain', '/chain?limit=0');
    await check('get', '/blocks/{id}', '/blocks/xyz');
    await check('get', '/blocks/{id}', '/blocks/999');
    await check('get', '/tx/{txid}', '/tx/1234');
    await check('get', '/tx/{txid}', `/tx/${'cd'.repeat(32)}`);
    await check('get', '/address/{address}', '/address/X');
    await check('post', '/mine', '/mine', { raw: '{', headers: { 'content-type': 'application/json' } });
    await check('post', '/transactions/new', '/transactions/new', { json: { recipient: address } });
    await check('post', '/transactions/new', '/transactions/new', { json: { recipient: address, amount: 1e9 } });
    await check('post', '/nodes/register', '/nodes/register', { json: { nodes: [] } });
    await check('delete', '/nodes', '/nodes', { json: { nodes: ['ftp://x:1'] } });

    // The checks in front of every route: token, body type and size, HEAD on a GET that changes something, Host, Origin.
    const port = node.http.port;
    for (const { method, template } of operations) {
      const path = concrete(template);
      const bodyRoute = method === 'post' || method === 'delete';
      const json = bodyRoute ? { json: { nodes: ['http://127.0.0.1:3'] } } : {};
      await check(method, template, path, { ...json, headers: { host: `rebind.attacker.test:${port}` } });
      await check(method, template, path, { ...json, headers: { origin: 'https://attacker.example' } });
      if (doc.paths[template]![method]!.responses['401']) await check(method, template, path, { ...json, auth: false });
      if (bodyRoute) {
        await check(method, template, path, { raw: 'x', headers: { 'content-type': 'text/plain' } });
        await check(method, template, path, { raw: 'x'.repeat(70_000), headers: { 'content-type': 'application/json' } });
      }
    }
    for (const path of ['/mine', '/nodes/resolve']) {
      const head = await send(node.restUrl, 'HEAD', path, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(head.status).toBe(405);
      seen.get(`get ${path}`)!.add('405');
    }

    // A locked wallet.
    await node.api.wallet.setPassphrase('a long passphrase');
    await node.api.wallet.lock();
    await check('post', '/transactions/new', '/transactions/new', { json: { recipient: address, amount: 1 } });

    expect(failures).toEqual([]);
    for (const { method, template } of operations) {
      const documented = Object.keys(doc.paths[template]![method]!.responses).filter((s) => !UNSEEN.has(s));
      expect([...(seen.get(`${method} ${template}`) ?? [])].sort(), `${method} ${template}`).toEqual(documented.sort());
    }
  }, 60_000);
});
