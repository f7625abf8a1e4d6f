/**
 * @module The OpenAPI 3.1 description of the headless node's REST API (rest-api.ts), served at
 * `GET /openapi.json`. A test checks that it lists exactly the routes the handler serves.
 */

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema, description: string) => ({ description, content: { 'application/json': { schema } } });
const err = (description: string) => json(ref('Error'), description);
const units = (description: string): Schema => ({ type: 'string', pattern: '^-?[0-9]+$', description: `${description} (base units as a decimal string; 1 coin = 100000000)` });
const coins = (description: string): Schema => ({
  oneOf: [
    { type: 'number', exclusiveMinimum: 0 },
    { type: 'string', pattern: '^\\s*[0-9]*(\\.[0-9]{1,8})?\\s*$' },
  ],
  description: `${description} in coins, at most 8 decimals (a JSON number or string)`,
});

const common = {
  '400': err('a bad parameter or body; `field` names it'),
  '500': err('an unexpected error; the node goes on'),
};
const bodyErrors = {
  '413': err('the body is over 64 KiB'),
  '415': err('the body is not sent as application/json'),
};
const auth = {
  '401': err('the request lacks `Authorization: Bearer <token>` with the node’s token (--token / TABCHAIN_TOKEN, else the data directory’s .cookie)'),
};
/** Answers every route can give, whatever it does (added to each operation below). */
const everywhere = {
  '403': err('`cross-site`: sent by a web page of another origin (an Origin that is not an --origin, or Sec-Fetch-Site cross-site / same-site)'),
  '421': err('`bad-host`: the Host header is not this node (localhost, 127.0.0.1, [::1] or --host, with its port): a guard against DNS rebinding'),
  '503': err('`starting`: the node is still starting; or `storage-error`: the database failed (nothing was half-written)'),
};
/** Answers of the routes that write. */
const writes = {
  '507': err('`storage-full`: the disk refused to store more; nothing was half-written'),
};
const secured = [{ bearer: [] as string[] }];

const mine = {
  summary: 'Mine one block now (the tutorials’ /mine)',
  description: 'Waits until this node has mined one block on top of its tip (with its own coinbase and the pool’s txs) and answers with it. On the main network this can take long.',
  security: secured,
  responses: { '200': json(ref('MinedBlock'), 'the block just mined'), ...auth, '500': common['500'] },
};

/** The OpenAPI 3.1 document of every REST route. */
export function openApiDocument(): Record<string, unknown> {
  const doc = document();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const op of Object.values(item) as { security?: unknown; responses: Record<string, unknown> }[]) {
      // Every secured route writes, except /wallet (secured because it reads the wallet).
      op.responses = { ...op.responses, ...everywhere, ...(op.security && path !== '/wallet' ? writes : {}) };
    }
  }
  return doc;
}

function document(): { paths: Record<string, Record<string, unknown>> } & Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'tabchain headless node',
      version: '0.1.0',
      description:
        'The REST API of `npm run node`: the classic blockchain tutorials’ endpoints over a real proof-of-work node that links to browser tabs and other nodes over WebRTC. ' +
        'Amounts in request bodies are coins; amounts in responses are decimal strings of base units (1 coin = 100000000 units), as `window.tabchain` returns them. ' +
        'Errors are `{ error, message, field? }`. HEAD is served like GET without the body, except on GET /mine and GET /nodes/resolve (they change something). ' +
        'Requests must be for this node’s Host (421 otherwise) and must not come from web pages of other origins (403). ' +
        'The same port also serves the WebSocket signaling endpoint `/signal` that other nodes and tabs find this node through.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description:
            'Needed by /mine, POST /transactions/new, POST /nodes/register, DELETE /nodes and GET /wallet: the node’s --token (TABCHAIN_TOKEN), else the content of `.cookie` in its data directory (made at the first start, mode 600). Only a node started with --insecure needs none.' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error', 'message'],
          properties: {
            error: {
              type: 'string',
              description:
                'a stable code: bad-request, bad-json, bad-body, missing-field, bad-amount, bad-address, wrong-network, insufficient-funds, fee-too-low, memo-too-long, bad-memo, bad-sender, bad-nodes, too-many-nodes, rejected, locked, unauthorized, not-found, unknown-route, method-not-allowed, payload-too-large, unsupported-media-type, aborted, headers-too-large, timeout, bad-host, cross-site, starting, storage-error, storage-full, internal',
            },
            message: { type: 'string' },
            field: { type: 'string', description: 'the request field or parameter at fault' },
          },
        },
        Tx: {
          type: 'object',
          description: 'a tx as window.tabchain’s chain.tx / chain.block return it',
          required: ['txid', 'coinbase', 'inputs', 'outputs'],
          properties: {
            txid: { type: 'string' },
            coinbase: { type: 'boolean' },
            inputs: { type: 'array', items: { type: 'object', properties: { txid: { type: 'string' }, vout: { type: 'integer' }, amount: { type: ['string', 'null'] }, address: { type: ['string', 'null'] } } } },
            outputs: { type: 'array', items: { type: 'object', properties: { amount: units('amount'), address: { type: 'string' } } } },
            memo: { type: 'string' },
            memoHex: { type: 'string' },
            size: { type: 'integer' },
            fee: { type: ['string', 'null'] },
          },
          additionalProperties: true,
        },
        Block: {
          type: 'object',
          description: 'a block as window.tabchain’s chain.block returns it',
          required: ['hash', 'height', 'header', 'txs'],
          properties: {
            hash: { type: 'string' },
            height: { type: 'integer' },
            confirmations: { type: 'integer' },
            active: { type: 'boolean' },
            header: {
              type: 'object',
              properties: {
                version: { type: 'integer' },
                prevHash: { type: 'string' },
                merkleRoot: { type: 'string' },
                time: { type: 'integer' },
                bits: { type: 'string' },
                nonce: { type: 'integer' },
              },
            },
            size: { type: 'integer' },
            txs: { type: 'array', items: ref('Tx') },
            nextHash: { type: ['string', 'null'] },
          },
          additionalProperties: true,
        },
        MinedBlock: {
          type: 'object',
          required: ['message', 'index', 'hash', 'transactions', 'nonce', 'previous_hash'],
          properties: {
            message: { const: 'New Block Forged' },
            index: { type: 'integer', description: 'the block’s height' },
            hash: { type: 'string' },
            transactions: { type: 'array', items: ref('Tx') },
            nonce: { type: 'integer' },
            previous_hash: { type: 'string' },
          },
        },
        Tip: {
          type: 'object',
          properties: { height: { type: 'integer' }, hash: { type: 'string' }, work: { type: 'string', description: 'cumulative work, decimal' } },
        },
        Balance: {
          type: 'object',
          properties: { confirmed: units('spendable now'), pending: units('arriving in unconfirmed txs'), immature: units('coinbases not yet spendable') },
        },
        Nodes: {
          type: 'object',
          required: ['total_nodes'],
          properties: { total_nodes: { type: 'array', items: { type: 'string' }, description: 'every registered node, as http(s)://host:port' } },
        },
      },
    },
    paths: {
      '/chain': {
        get: {
          summary: 'The active chain (the tutorials’ /chain), at most 500 blocks a response',
          parameters: [
            { name: 'from', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 }, description: 'first height' },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 500 } },
          ],
          responses: {
            '200': json(
              {
                type: 'object',
                required: ['chain', 'length'],
                properties: {
                  chain: { type: 'array', items: ref('Block') },
                  length: { type: 'integer', description: 'blocks in the active chain (tip height + 1)' },
                  next: { type: 'integer', description: 'present when more blocks follow: the `from` of the next page' },
                },
              },
              'blocks from `from` up, lowest first',
            ),
            ...common,
          },
        },
      },
      '/mine': { get: mine, post: { ...mine, description: `${mine.description} A body, when sent, must be JSON and is ignored.`, responses: { ...mine.responses, ...bodyErrors, '400': common['400'] } } },
      '/transactions/new': {
        post: {
          summary: 'Pay from this node’s wallet (the tutorials’ /transactions/new)',
          description: 'Builds, signs and relays a payment from this node’s wallet; it is mined in the next block. The fee defaults to 1 unit per byte.',
          security: secured,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['recipient', 'amount'],
                  properties: {
                    recipient: { type: 'string', description: 'an address of this network (tab1… / ttab1…)' },
                    amount: coins('what the recipient gets'),
                    fee: coins('an absolute fee (at least 1 unit per byte)'),
                    memo: { type: 'string', description: 'at most 80 bytes of UTF-8 (no lone UTF-16 surrogates)' },
                    sender: { type: 'string', description: 'optional; when given, one of this wallet’s addresses (GET /wallet)' },
                  },
                },
              },
            },
          },
          responses: {
            '201': json(
              {
                type: 'object',
                required: ['message', 'txid', 'fee'],
                properties: { message: { type: 'string', examples: ['Transaction will be added to Block 7'] }, txid: { type: 'string' }, fee: units('the fee paid') },
              },
              'accepted into the pool and relayed',
            ),
            '400': err('a bad field (`field` names it): recipient (bad-address, wrong-network), amount (bad-amount, insufficient-funds), fee (bad-amount, fee-too-low), memo (memo-too-long, bad-memo), sender'),
            ...auth,
            '409': err('the wallet is locked'),
            ...bodyErrors,
            '500': common['500'],
          },
        },
      },
      '/nodes': {
        get: { summary: 'Registered nodes', responses: { '200': json(ref('Nodes'), 'every node registered with POST /nodes/register or given with --signal'), '500': common['500'] } },
        delete: {
          summary: 'Forget registered nodes',
          description:
            'Stops finding peers through these nodes and removes them from the stored list, so they do not come back at the next start. Links already open stay open. ' +
            'A node given with --signal is dropped for now but comes back when the node starts with it again; unknown entries are named in the message.',
          security: secured,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { type: 'object', required: ['nodes'], properties: { nodes: { type: 'array', minItems: 1, maxItems: 64, items: { type: 'string', examples: ['http://127.0.0.1:5001'] } } } },
              },
            },
          },
          responses: {
            '200': json(
              {
                allOf: [
                  ref('Nodes'),
                  { type: 'object', required: ['message', 'removed'], properties: { message: { type: 'string', examples: ['Nodes have been removed'] }, removed: { type: 'array', items: { type: 'string' } } } },
                ],
              },
              'forgotten; `total_nodes` is what is left',
            ),
            '400': err('"Please supply a valid list of nodes", or an entry that is not http(s)://host:port (`field`: nodes[i])'),
            ...auth,
            ...bodyErrors,
            '500': common['500'],
          },
        },
      },
      '/nodes/register': {
        post: {
          summary: 'Find peers through other nodes (the tutorials’ /nodes/register)',
          description:
            'Each `http(s)://host:port` (port 1–65535) becomes a signaling server `ws(s)://host:port/signal`: this node joins its room and links over WebRTC to the nodes and tabs there. ' +
            'Every entry is checked before any is added. The list is stored in the data directory (nodes.json) before the answer, and the nodes are registered again at the next start (DELETE /nodes forgets them). ' +
            'This node’s own URL is skipped, and the message says so.',
          security: secured,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { type: 'object', required: ['nodes'], properties: { nodes: { type: 'array', minItems: 1, maxItems: 64, items: { type: 'string', examples: ['http://127.0.0.1:5001'] } } } },
              },
            },
          },
          responses: {
            '201': json({ allOf: [ref('Nodes'), { type: 'object', properties: { message: { type: 'string', examples: ['New nodes have been added'] } } }] }, 'registered'),
            '400': err('"Please supply a valid list of nodes", or an entry that is not http(s)://host:port (`field`: nodes[i])'),
            ...auth,
            ...bodyErrors,
            '500': common['500'],
          },
        },
      },
      '/nodes/resolve': {
        get: {
          summary: 'Consensus (the tutorials’ /nodes/resolve)',
          description:
            'Asks every linked peer for headers now and waits for the sync; the chain with the most work wins. When nodes are registered but no peer is linked yet, first waits up to 10 s for one. ' +
            'The node also syncs by itself as soon as it links, so `replaced` says whether, since the previous resolve, the active chain took blocks this node did not mine or dropped blocks (a reorg).',
          responses: {
            '200': json(
              {
                type: 'object',
                required: ['message', 'replaced', 'chain'],
                properties: {
                  message: { enum: ['Our chain was replaced', 'Our chain is authoritative'] },
                  replaced: { type: 'boolean' },
                  chain: { type: 'object', properties: { length: { type: 'integer' }, tip: ref('Tip') }, description: 'the chain after the sync: its length and tip (GET /chain for its blocks)' },
                  peers: { type: 'integer', description: 'ready peers' },
                },
              },
              'the outcome',
            ),
            '500': common['500'],
          },
        },
      },
      '/blocks/{id}': {
        get: {
          summary: 'A block by active-chain height or by hash (any branch)',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^([0-9]+|[0-9a-fA-F]{64})$' }, description: 'height or block hash' }],
          responses: { '200': json(ref('Block'), 'the block'), '404': err('no such block'), ...common },
        },
      },
      '/tx/{txid}': {
        get: {
          summary: 'A tx of the pool or the active chain',
          parameters: [{ name: 'txid', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' } }],
          responses: {
            '200': json({ allOf: [ref('Tx'), { type: 'object', properties: { blockHash: { type: ['string', 'null'] }, height: { type: ['integer', 'null'] }, confirmations: { type: 'integer' }, time: { type: 'integer' } } }] }, 'the tx; `height` is null in the pool'),
            '404': err('no such tx'),
            ...common,
          },
        },
      },
      '/address/{address}': {
        get: {
          summary: 'What the chain holds for any address, and its recent txs',
          parameters: [
            { name: 'address', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, description: 'txs in `history` at most' },
          ],
          responses: {
            '200': json(
              {
                type: 'object',
                properties: {
                  address: { type: 'string' },
                  confirmed: units('spendable'),
                  immature: units('immature coinbases'),
                  coins: { type: 'integer', description: 'unspent outputs' },
                  history: {
                    type: 'object',
                    description: 'pool txs first, then newest first (a scan from the tip down; `complete` says the whole chain was read)',
                    properties: { txs: { type: 'array', items: { type: 'object' } }, scannedTo: { type: 'integer' }, complete: { type: 'boolean' } },
                  },
                },
              },
              'balance and history',
            ),
            ...common,
          },
        },
      },
      '/mempool': {
        get: {
          summary: 'Pending txs, highest fee rate first',
          responses: {
            '200': json({ type: 'object', properties: { size: { type: 'integer' }, transactions: { type: 'array', items: ref('Tx') } } }, 'the pool'),
            '500': common['500'],
          },
        },
      },
      '/peers': {
        get: {
          summary: 'This node’s peer id, its signaling servers and its links',
          responses: {
            '200': json(
              {
                type: 'object',
                properties: {
                  peerId: { type: 'string' },
                  signaling: { type: 'array', items: { type: 'object', properties: { url: { type: 'string' }, status: { type: 'string' }, peers: { type: 'integer' } } } },
                  peers: {
                    type: 'array',
                    items: { type: 'object', properties: { id: { type: 'string' }, state: { enum: ['connecting', 'handshaking', 'ready'] }, height: { type: 'integer' }, latencyMs: { type: ['number', 'null'] }, inbound: { type: 'boolean' } } },
                  },
                },
              },
              'peers',
            ),
            '500': common['500'],
          },
        },
      },
      '/wallet': {
        get: {
          summary: 'This node’s wallet: receive address, every address, balance',
          security: secured,
          responses: {
            '200': json({ type: 'object', properties: { address: { type: 'string' }, addresses: { type: 'array', items: { type: 'string' } }, balance: ref('Balance') } }, 'the wallet'),
            ...auth,
            '500': common['500'],
          },
        },
      },
      '/health': {
        get: {
          summary: 'Liveness',
          responses: {
            '200': json({ type: 'object', properties: { ok: { const: true }, network: { enum: ['main', 'test', 'regtest'] }, height: { type: 'integer' }, peers: { type: 'integer', description: 'ready peers' } } }, 'up'),
            '503': err('the node is still starting'),
          },
        },
      },
      '/openapi.json': {
        get: { summary: 'This document', responses: { '200': { description: 'the OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } } },
      },
    },
  };
}
