/**
 * @module The OpenAPI 3.1 document of the headless node's REST API, served at `GET /openapi.json`,
 * generated from the route table (rest/route-table.ts): each route's zod schemas, which also
 * validate its requests, become its parameters, request body and answers, so the two cannot
 * drift. The answers every route can give (the checks in front of it) are added here.
 */
import { z } from 'zod';
import type { NetworkParams } from '../core/index.ts';
import type { RouteDef } from './rest/route.ts';
import { routeTable } from './rest/route-table.ts';
import { ErrorBody } from './rest/schemas.ts';

type Schema = Record<string, unknown>;

/** A zod schema as JSON Schema 2020-12 (the dialect of OpenAPI 3.1), without `$schema`. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Schema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Schema;
  return rest;
}

const json = (schema: Schema, description: string) => ({ description, content: { 'application/json': { schema } } });
const refusal = (description: string) => json({ $ref: '#/components/schemas/Error' }, description);

/** Answers every route can give, whatever it does. */
const everywhere = {
  '403': refusal('`cross-site`: sent by a web page of another origin (an Origin that is not an --origin, or Sec-Fetch-Site cross-site / same-site)'),
  '421': refusal('`bad-host`: the Host header is not this node (localhost, 127.0.0.1, [::1] or --host, with its port): a guard against DNS rebinding'),
  '429': refusal('`too-many-requests`: behind --trust-proxy, the client (the address group of its X-Forwarded-For address) already has 32 requests in progress'),
  '500': refusal('an unexpected error; the node goes on'),
  '503': refusal('`starting`: the node is still starting; or `storage-error`: the database failed (nothing was half-written)'),
};

/** The answers the checks in front of `route` give (middleware.ts, app.ts). */
function checkAnswers(route: RouteDef): Record<string, unknown> {
  const validated = route.request?.params || route.request?.query || route.request?.body || route.body !== 'none';
  return {
    ...(validated ? { '400': refusal('a bad parameter or body; `field` names it') } : {}),
    ...(route.auth ? { '401': refusal('the request lacks `Authorization: Bearer <token>` with the node’s token (--token / TABCHAIN_TOKEN, else the data directory’s .cookie)') } : {}),
    ...(route.sideEffects ? { '405': refusal('HEAD: this GET changes something') } : {}),
    ...(route.body !== 'none' ? { '413': refusal('the body is over 64 KiB'), '415': refusal('the body is not sent as application/json') } : {}),
    // Every secured route writes, except /wallet (secured because it reads the wallet).
    ...(route.auth && route.path !== '/wallet' ? { '507': refusal('`storage-full`: the disk refused to store more; nothing was half-written') } : {}),
  };
}

function parameters(route: RouteDef): Schema[] {
  const out: Schema[] = [];
  for (const [where, schema] of [
    ['path', route.request?.params],
    ['query', route.request?.query],
  ] as const) {
    if (!schema) continue;
    const object = jsonSchema(schema, 'input') as { properties?: Record<string, Schema & { description?: string }> };
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      const { description, ...rest } = property;
      out.push({ name, in: where, ...(where === 'path' ? { required: true } : {}), schema: rest, ...(description ? { description } : {}) });
    }
  }
  return out;
}

function operation(route: RouteDef): Schema {
  const responses: Record<string, unknown> = {};
  for (const [status, { description, schema }] of Object.entries(route.responses)) {
    responses[status] = schema === ErrorBody ? refusal(description) : json(jsonSchema(schema, 'output'), description);
  }
  const params = parameters(route);
  return {
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.auth ? { security: [{ bearer: [] as string[] }] } : {}),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(route.request?.body ? { requestBody: { required: route.body === 'required', content: { 'application/json': { schema: jsonSchema(route.request.body, 'input') } } } } : {}),
    responses: { ...responses, ...checkAnswers(route), ...everywhere },
  };
}

/** The OpenAPI 3.1 document of every REST route. */
export function openApiDocument(params?: NetworkParams): Record<string, unknown> {
  const routes = routeTable(params);
  const paths: Record<string, Record<string, Schema>> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
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
        'Behind a reverse proxy (--trust-proxy), a client with 32 requests in progress gets 429 for more. ' +
        'The same port also serves the WebSocket signaling endpoint `/signal` that other nodes and tabs find this node through.',
    },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'Needed by /mine, POST /transactions/new, POST /nodes/register, DELETE /nodes and GET /wallet: the node’s --token (TABCHAIN_TOKEN), else the content of `.cookie` in its data directory (made at the first start, mode 600). Only a node started with --insecure needs none.',
        },
      },
      schemas: { Error: jsonSchema(ErrorBody, 'output') },
    },
    paths,
  };
}
