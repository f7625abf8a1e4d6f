/**
 * @module `GET /health` (liveness) and `GET /openapi.json` (the document of every route).
 */
import { z } from 'zod';
import { answer, defineRoute, type RouteDef } from '../route.ts';

export function metaRoutes(): RouteDef[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/health',
      auth: false,
      body: 'none',
      summary: 'Liveness',
      responses: {
        200: answer('up', z.object({ ok: z.literal(true), network: z.enum(['main', 'test', 'regtest']), height: z.number().int(), peers: z.number().int().meta({ description: 'ready peers' }) })),
      },
      async handle(_input, { api }) {
        const tip = await api.chain.tip();
        const peers = (await api.peers()).filter((p) => p.state === 'ready').length;
        return { status: 200, body: { ok: true, network: api.network, height: tip.height, peers } };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/openapi.json',
      auth: false,
      body: 'none',
      summary: 'This document',
      responses: { 200: answer('the OpenAPI 3.1 document', z.looseObject({ openapi: z.literal('3.1.0'), paths: z.record(z.string(), z.unknown()) })) },
      handle: async (_input, { openApiDocument }) => ({ status: 200, body: openApiDocument() }),
    }),
  ];
}
