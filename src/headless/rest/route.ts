/**
 * @module One REST route as data: its method and path, whether it needs the bearer token and a
 * JSON body, the zod schemas of its path, query and body (which validate requests) and of each
 * answer it gives (which openapi.ts turns into the OpenAPI document), and its handler. The same
 * objects are registered on Hono (app.ts) and documented, so the two cannot drift.
 */
import { z } from 'zod';
import type { NetworkParams } from '../../core/index.ts';
import type { TabchainApi } from '../../app/tabchain-api.ts';
import { HttpError } from './http-error.ts';
import type { NodeRegistry, SignalingServers } from './node-registry.ts';

export type Method = 'GET' | 'POST' | 'DELETE';

/** What every handler works with. */
export interface RouteDeps {
  readonly api: TabchainApi;
  readonly params: NetworkParams;
  readonly connector: SignalingServers;
  readonly registry: NodeRegistry;
  /** How long `/nodes/resolve` waits for a ready peer. */
  readonly peerWaitMs: number;
  /** Runs payments one at a time: two built at once could pick the same coins. */
  serialPayment<T>(work: () => Promise<T>): Promise<T>;
  /** The OpenAPI document (`GET /openapi.json`). */
  openApiDocument(): Record<string, unknown>;
}

export interface RouteResponse {
  readonly description: string;
  readonly schema: z.ZodType;
}

export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

export interface RouteDef<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  readonly method: Method;
  /** OpenAPI-style template: `/blocks/{id}`. */
  readonly path: string;
  /** Needs the bearer token when one is set. */
  readonly auth: boolean;
  /** `required`: a JSON object body; `optional`: JSON when there is a body; `none`: ignored. */
  readonly body: 'required' | 'optional' | 'none';
  /** A GET that changes something: HEAD is not served like it (405). */
  readonly sideEffects?: true;
  readonly summary: string;
  readonly description?: string;
  /** Validates (and converts) the path parameters, the query and the JSON body. */
  readonly request?: { readonly params?: P; readonly query?: Q; readonly body?: B };
  /** The answers this route itself gives (the ones every route can give are added by openapi.ts). */
  readonly responses: Readonly<Record<number, RouteResponse>>;
  handle(input: { params: z.output<P>; query: z.output<Q>; body: z.output<B> }, deps: RouteDeps): Promise<Reply>;
}

/** A route with its types checked at the definition and erased for the route table. */
export function defineRoute<P extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, B extends z.ZodType = z.ZodUndefined>(def: RouteDef<P, Q, B>): RouteDef {
  return def as unknown as RouteDef;
}

/** A JSON answer described by `schema`. */
export const answer = (description: string, schema: z.ZodType): RouteResponse => ({ description, schema });

/**
 * The first problem zod found, as the REST API's refusal: a custom issue carries its own code and
 * field (`params`); a missing field is `missing-field`, any other `bad-request`.
 */
export function refusalOf(error: z.ZodError): HttpError {
  const issue = error.issues[0]!;
  const params = (issue.code === 'custom' ? issue.params : undefined) as { code?: string; field?: string } | undefined;
  const field = params?.field ?? (issue.path.length > 0 ? String(issue.path[0]) : undefined);
  const code = params?.code ?? (issue.code === 'invalid_type' && issue.input === undefined ? 'missing-field' : 'bad-request');
  return new HttpError(400, code, issue.message, field);
}

/** Parses `value` with `schema`, or throws the {@link refusalOf} its first problem. */
export function validate<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw refusalOf(result.error);
  return result.data;
}
