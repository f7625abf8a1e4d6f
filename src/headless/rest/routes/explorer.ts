/**
 * @module The read-only explorer routes: a block, a tx, an address, the pool and the peers.
 */
import { z } from 'zod';
import { HttpError, badField, walletErrorOf } from '../http-error.ts';
import { answer, defineRoute, type RouteDef } from '../route.ts';
import { Block, DIGITS, ErrorBody, HEX64, Tx, queryInteger, units } from '../schemas.ts';

const notFound = (description: string) => answer(description, ErrorBody);

export function explorerRoutes(): RouteDef[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/blocks/{id}',
      auth: false,
      body: 'none',
      summary: 'A block by active-chain height or by hash (any branch)',
      request: {
        params: z.object({
          id: z
            .string()
            .refine((id) => DIGITS.test(id) || HEX64.test(id), { error: (issue) => `a block is named by its height (digits) or its hash (64 hex characters), not ${JSON.stringify(String(issue.input).slice(0, 80))}` })
            .meta({ pattern: '^([0-9]+|[0-9a-fA-F]{64})$', description: 'height or block hash' }),
        }),
      },
      responses: { 200: answer('the block', Block), 404: notFound('no such block') },
      async handle({ params: { id } }, { api }) {
        const block = await api.chain.block(DIGITS.test(id) ? Number(id) : id.toLowerCase());
        if (!block) throw new HttpError(404, 'not-found', `no block ${id}`);
        return { status: 200, body: block };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/tx/{txid}',
      auth: false,
      body: 'none',
      summary: 'A tx of the pool or the active chain',
      request: {
        params: z.object({
          txid: z
            .string()
            .refine((id) => HEX64.test(id), { error: (issue) => `a txid is 64 hex characters, not ${JSON.stringify(String(issue.input).slice(0, 80))}` })
            .meta({ pattern: '^[0-9a-fA-F]{64}$' }),
        }),
      },
      responses: {
        200: answer(
          'the tx; `height` is null in the pool',
          Tx.extend({ blockHash: z.string().nullable(), height: z.number().int().nullable(), confirmations: z.number().int(), time: z.number().int() }),
        ),
        404: notFound('no such tx'),
      },
      async handle({ params: { txid } }, { api }) {
        const tx = await api.chain.tx(txid.toLowerCase());
        if (!tx) throw new HttpError(404, 'not-found', `no tx ${txid} in the pool or the active chain`);
        return { status: 200, body: tx };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/address/{address}',
      auth: false,
      body: 'none',
      summary: 'What the chain holds for any address, and its recent txs',
      request: { params: z.object({ address: z.string() }), query: z.object({ limit: queryInteger('limit', 1, 500, 50, 'txs in `history` at most') }) },
      responses: {
        200: answer(
          'balance and history',
          z.object({
            address: z.string(),
            confirmed: units('spendable'),
            immature: units('immature coinbases'),
            coins: z.number().int().meta({ description: 'unspent outputs' }),
            history: z
              .looseObject({ address: z.string(), txs: z.array(z.looseObject({})), scannedTo: z.number().int(), complete: z.boolean() })
              .meta({ description: 'pool txs first, then newest first (from the address index; `complete` says nothing was left out)' }),
          }),
        ),
      },
      async handle({ params: { address }, query: { limit } }, { api }) {
        try {
          const summary = await api.chain.address(address);
          const history = await api.chain.addressHistory(address, { limit });
          return { status: 200, body: { ...summary, history } };
        } catch (error) {
          const wallet = walletErrorOf(error);
          if (wallet && (wallet.code === 'bad-address' || wallet.code === 'wrong-network')) throw badField('address', wallet.message, wallet.code);
          throw error;
        }
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/mempool',
      auth: false,
      body: 'none',
      summary: 'Pending txs, highest fee rate first',
      responses: { 200: answer('the pool', z.object({ size: z.number().int(), transactions: z.array(Tx) })) },
      async handle(_input, { api }) {
        const transactions = await api.mempool();
        return { status: 200, body: { size: transactions.length, transactions } };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/peers',
      auth: false,
      body: 'none',
      summary: 'This node’s peer id, its signaling servers and its links',
      responses: {
        200: answer(
          'peers',
          z.object({
            peerId: z.string(),
            signaling: z.array(z.object({ url: z.string(), status: z.string(), peers: z.number().int() })),
            peers: z.array(
              z.looseObject({ id: z.string(), state: z.enum(['connecting', 'handshaking', 'ready']), height: z.number().int(), latencyMs: z.number().nullable(), inbound: z.boolean() }),
            ),
          }),
        ),
      },
      async handle(_input, { api, connector }) {
        const self = await api.self();
        return { status: 200, body: { peerId: self.peerId, signaling: connector.signalingServers(), peers: await api.peers() } };
      },
    }),
  ];
}
