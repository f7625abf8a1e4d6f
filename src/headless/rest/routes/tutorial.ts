/**
 * @module The classic blockchain tutorials' routes that read and write the chain: `GET /chain`,
 * `/mine` and `POST /transactions/new`.
 */
import { z } from 'zod';
import type { NetworkParams } from '../../../core/index.ts';
import type { BlockDetailJson } from '../../../app/chain-queries.ts';
import { HttpError, badField, walletErrorOf } from '../http-error.ts';
import { answer, defineRoute, type RouteDeps, type Reply, type RouteDef } from '../route.ts';
import { Block, ErrorBody, LONE_SURROGATE, MAX_CHAIN_BLOCKS, Tx, coinsField, optionalString, queryInteger, stringField, units } from '../schemas.ts';


const MinedBlock = z.object({
  message: z.literal('New Block Forged'),
  index: z.number().int().meta({ description: 'the block’s height' }),
  hash: z.string(),
  transactions: z.array(Tx),
  nonce: z.number().int(),
  previous_hash: z.string(),
});

async function mineOne(_input: unknown, { api }: RouteDeps): Promise<Reply> {
  const [hash] = await api.mine(1);
  const block = await api.chain.block(hash!);
  if (!block) throw new Error(`the block just mined (${hash}) is not in the chain`);
  return {
    status: 200,
    body: { message: 'New Block Forged', index: block.height, hash: block.hash, transactions: block.txs, nonce: block.header.nonce, previous_hash: block.header.prevHash },
  };
}

/** Active-chain blocks `from`..`from+count-1`, read again if a reorg moved them meanwhile. */
async function chainSlice({ api }: RouteDeps, from: number, count: number): Promise<BlockDetailJson[]> {
  for (let attempt = 0; ; attempt++) {
    const blocks: BlockDetailJson[] = [];
    for (let h = from; h < from + count; h++) {
      const block = await api.chain.block(h);
      if (!block) break;
      blocks.push(block);
    }
    const linked = blocks.every((b, i) => i === 0 || b.header.prevHash === blocks[i - 1]!.hash);
    if (linked || attempt === 2) return blocks;
  }
}

const mineDoc = {
  auth: true,
  summary: 'Mine one block now (the tutorials’ /mine)',
  description: 'Waits until this node has mined one block on top of its tip (with its own coinbase and the pool’s txs) and answers with it. On the main network this can take long.',
  responses: { 200: answer('the block just mined', MinedBlock) },
  handle: mineOne,
} as const;

const fieldOfWalletCode: Record<string, string> = {
  'bad-address': 'recipient',
  'wrong-network': 'recipient',
  'bad-amount': 'amount',
  'insufficient-funds': 'amount',
  'fee-too-low': 'fee',
  'memo-too-long': 'memo',
};

function paymentBody(params: NetworkParams) {
  const memoBytes = (memo: string) => new TextEncoder().encode(memo).length;
  return z.object({
    recipient: stringField('recipient', 'an address of this network (tab1… / ttab1… / rtab1…)').refine((r) => r.trim() !== '', {
      message: 'recipient is empty: give an address',
      params: { code: 'bad-address' },
    }),
    amount: coinsField('amount', true, params.maxMoney, 'what the recipient gets'),
    fee: coinsField('fee', false, params.maxMoney, 'an absolute fee (at least 1 unit per byte)'),
    memo: optionalString('memo', `at most ${params.limits.maxMemoSize} bytes of UTF-8 (no lone UTF-16 surrogates)`)
      .refine((m) => m === undefined || !LONE_SURROGATE.test(m), {
        message: 'memo holds a lone UTF-16 surrogate (such as "\\ud800" without its pair), which UTF-8 cannot encode',
        params: { code: 'bad-memo' },
      })
      .superRefine((m, ctx) => {
        if (m !== undefined && memoBytes(m) > params.limits.maxMemoSize) {
          ctx.addIssue({ code: 'custom', message: `memo is ${memoBytes(m)} bytes of UTF-8, at most ${params.limits.maxMemoSize} are allowed`, params: { code: 'memo-too-long' } });
        }
      }),
    sender: optionalString('sender', 'optional; when given, one of this wallet’s addresses (GET /wallet)'),
  });
}

export function tutorialRoutes(params: NetworkParams): RouteDef[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/chain',
      auth: false,
      body: 'none',
      summary: 'The active chain (the tutorials’ /chain), at most 500 blocks a response',
      request: { query: z.object({ from: queryInteger('from', 0, Number.MAX_SAFE_INTEGER, 0, 'first height'), limit: queryInteger('limit', 1, MAX_CHAIN_BLOCKS, MAX_CHAIN_BLOCKS) }) },
      responses: {
        200: answer(
          'blocks from `from` up, lowest first',
          z.object({
            chain: z.array(Block),
            length: z.number().int().meta({ description: 'blocks in the active chain (tip height + 1)' }),
            next: z.number().int().optional().meta({ description: 'present when more blocks follow: the `from` of the next page' }),
          }),
        ),
      },
      async handle({ query: { from, limit } }, deps) {
        const tip = await deps.api.chain.tip();
        const count = Math.max(0, Math.min(limit, tip.height + 1 - from));
        const chain = await chainSlice(deps, from, count);
        const next = from + chain.length;
        const length = Math.max(tip.height, ...chain.map((b) => b.height)) + 1;
        return { status: 200, body: { chain, length, ...(next < length ? { next } : {}) } };
      },
    }),
    defineRoute({ method: 'GET', path: '/mine', body: 'none', sideEffects: true, ...mineDoc }),
    defineRoute({ method: 'POST', path: '/mine', body: 'optional', ...mineDoc, description: `${mineDoc.description} A body, when sent, must be JSON and is ignored.` }),
    defineRoute({
      method: 'POST',
      path: '/transactions/new',
      auth: true,
      body: 'required',
      summary: 'Pay from this node’s wallet (the tutorials’ /transactions/new)',
      description: 'Builds, signs and relays a payment from this node’s wallet; it is mined in the next block. The fee defaults to 1 unit per byte.',
      request: { body: paymentBody(params) },
      responses: {
        201: answer(
          'accepted into the pool and relayed',
          z.object({ message: z.string().meta({ examples: ['Transaction will be added to Block 7'] }), txid: z.string(), fee: units('the fee paid') }),
        ),
        409: answer('the wallet is locked', ErrorBody),
      },
      async handle({ body: { recipient, amount, fee, memo, sender } }, { api, serialPayment }) {
        if (sender !== undefined && !(await api.wallet.addresses()).includes(sender)) {
          throw badField('sender', 'this node only sends from its own wallet: leave sender out, or give one of GET /wallet addresses', 'bad-sender');
        }
        let result: { txid: string; fee: string };
        try {
          result = await serialPayment(() => api.send({ to: recipient.trim(), amount: amount!, ...(fee !== undefined ? { fee } : {}), ...(memo !== undefined ? { memo } : {}) }));
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
    }),
  ];
}
