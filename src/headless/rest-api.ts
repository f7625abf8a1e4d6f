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
 *
 * Built on Hono (rest/app.ts) from the route table (rest/route-table.ts, one file per group of
 * routes under rest/routes/): each route's zod schemas validate its requests and are its part of
 * the OpenAPI document (openapi.ts). Where requests may come from (Host, Origin) is checked in
 * front: http-server.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { networks } from '../core/index.ts';
import type { TabchainApi } from '../app/tabchain-api.ts';
import { openApiDocument } from './openapi.ts';
import { createRestApp, jsonReply } from './rest/app.ts';
import { NodeRegistry, type NodeListStore, type SignalingServers } from './rest/node-registry.ts';
import type { RouteDef } from './rest/route.ts';
import { routeTable } from './rest/route-table.ts';

export { HttpError } from './rest/http-error.ts';
export { signalUrlOfNode } from './rest/node-url.ts';
export { MAX_BODY_BYTES, MAX_CHAIN_BLOCKS, MAX_NODES } from './rest/schemas.ts';
export type { NodeListStore, SignalingServers } from './rest/node-registry.ts';

/** How long `/nodes/resolve` waits for a first ready peer when there are nodes but no link yet. */
export const DEFAULT_PEER_WAIT_MS = 10_000;

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

/** A route as the tests and the document see it: method, path template, and whether it needs the token, a body, and changes something on GET. */
export type RouteSpec = Pick<RouteDef, 'method' | 'path' | 'auth' | 'body' | 'sideEffects'>;

/** Every route the handler serves. */
export const routes: readonly RouteSpec[] = routeTable();

/** The REST API as a node:http request handler. */
export function createRestHandler(options: RestOptions): RestHandler {
  const { api, connector } = options;
  const params = networks[api.network];
  const registry = new NodeRegistry({ connector, store: options.nodeStore, ownUrls: options.ownUrls, onWarning: options.onWarning }, api);
  let sending: Promise<unknown> = Promise.resolve();
  // Generated once (the schemas do not change while the node runs).
  let document: Record<string, unknown> | undefined;
  const app = createRestApp({
    routes: routeTable(params),
    token: options.token,
    onError: options.onError,
    deps: {
      api,
      params,
      connector,
      registry,
      peerWaitMs: options.peerWaitMs ?? DEFAULT_PEER_WAIT_MS,
      serialPayment(work) {
        const run = sending.then(work);
        sending = run.catch(() => undefined);
        return run;
      },
      openApiDocument: () => (document ??= openApiDocument(params)),
    },
  });
  const listener = getRequestListener(app.fetch, {
    overrideGlobalObjects: false,
    // A request target or Host the framework cannot make a URL of.
    errorHandler: () => jsonReply(400, { error: 'bad-request', message: 'the request URL cannot be parsed' }),
  });
  const handler = ((req: IncomingMessage, res: ServerResponse) => void listener(req, res)) as RestHandler & { ready: Promise<void> };
  handler.ready = registry.ready;
  handler.close = () => registry.close();
  return handler;
}
