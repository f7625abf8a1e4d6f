/**
 * @module The tutorials' node routes: `GET /nodes`, `POST /nodes/register`, `DELETE /nodes` and
 * the consensus call `GET /nodes/resolve`, over the {@link NodeRegistry}.
 */
import { z } from 'zod';
import { HttpError } from '../http-error.ts';
import { NodeRegistry } from '../node-registry.ts';
import { answer, defineRoute, type RouteDef } from '../route.ts';
import { MAX_NODES, NodeList, Tip } from '../schemas.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `{ nodes: [...] }`, every entry checked before any is used. */
const nodesBody = z.object({
  nodes: z
    .unknown()
    .transform((list, ctx) => {
      try {
        return NodeRegistry.parse(list);
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message, params: { code: error.code, field: error.field } });
        return z.NEVER;
      }
    })
    .meta({ type: 'array', minItems: 1, maxItems: MAX_NODES, items: { type: 'string', examples: ['http://127.0.0.1:5001'] } }),
});

const Nodes = z.object({ total_nodes: NodeList });

export function nodeRoutes(): RouteDef[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/nodes',
      auth: false,
      body: 'none',
      summary: 'Registered nodes',
      responses: { 200: answer('every node registered with POST /nodes/register or given with --signal', Nodes) },
      handle: async (_input, { registry }) => ({ status: 200, body: { total_nodes: registry.list() } }),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/nodes',
      auth: true,
      body: 'required',
      summary: 'Forget registered nodes',
      description:
        'Stops finding peers through these nodes and removes them from the stored list, so they do not come back at the next start. Links already open stay open. ' +
        'A node given with --signal is dropped for now but comes back when the node starts with it again; unknown entries are named in the message.',
      request: { body: nodesBody },
      responses: {
        200: answer(
          'forgotten; `total_nodes` is what is left',
          Nodes.extend({ message: z.string().meta({ examples: ['Nodes have been removed'] }), removed: z.array(z.string()) }),
        ),
      },
      handle: async ({ body }, { registry }) => ({ status: 200, body: await registry.forget(body.nodes) }),
    }),
    defineRoute({
      method: 'POST',
      path: '/nodes/register',
      auth: true,
      body: 'required',
      summary: 'Find peers through other nodes (the tutorials’ /nodes/register)',
      description:
        'Each `http(s)://host:port` (port 1–65535) becomes a signaling server `ws(s)://host:port/signal`: this node joins its room and links over WebRTC to the nodes and tabs there. ' +
        'Every entry is checked before any is added. The list is stored in the node’s database before the answer, and the nodes are registered again at the next start (DELETE /nodes forgets them). ' +
        'This node’s own URL is skipped, and the message says so.',
      request: { body: nodesBody },
      responses: { 201: answer('registered', Nodes.extend({ message: z.string().meta({ examples: ['New nodes have been added'] }) })) },
      handle: async ({ body }, { registry }) => ({ status: 201, body: await registry.register(body.nodes) }),
    }),
    defineRoute({
      method: 'GET',
      path: '/nodes/resolve',
      auth: false,
      body: 'none',
      sideEffects: true,
      summary: 'Consensus (the tutorials’ /nodes/resolve)',
      description:
        'Asks every linked peer for headers now and waits for the sync; the chain with the most work wins. When nodes are registered but no peer is linked yet, first waits up to 10 s for one. ' +
        'The node also syncs by itself as soon as it links, so `replaced` says whether, since the previous resolve, the active chain took blocks this node did not mine or dropped blocks (a reorg).',
      responses: {
        200: answer(
          'the outcome',
          z.object({
            message: z.enum(['Our chain was replaced', 'Our chain is authoritative']),
            replaced: z.boolean(),
            chain: z.object({ length: z.number().int(), tip: Tip }).meta({ description: 'the chain after the sync: its length and tip (GET /chain for its blocks)' }),
            peers: z.number().int().meta({ description: 'ready peers' }),
          }),
        ),
      },
      async handle(_input, { api, registry, peerWaitMs }) {
        const ready = async () => (await api.peers()).some((p) => p.state === 'ready');
        if (!(await ready()) && (registry.list().length > 0 || (await api.peers()).length > 0)) {
          const end = Date.now() + peerWaitMs;
          while (Date.now() < end && !(await ready())) await sleep(100);
        }
        await api.resolve();
        const replaced = registry.takeReplaced(await api.wallet.addresses());
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
    }),
  ];
}
