/**
 * @module The REST API as a Hono app: each route of the table registered with its checks
 * (middleware.ts), its path, query and body validated by its zod schemas, then its handler. A
 * path served under other methods answers 405 with `Allow`; an unknown one 404. Refusals are
 * `{ error, message, field? }`; unexpected exceptions 507 / 503 / 500 (reported to `onError`).
 */
import { Hono, type Context } from 'hono';
import { HttpError, unexpectedErrorReply } from './http-error.ts';
import { jsonAnswer } from './json-answer.ts';
import { allowOf, bearerAuth, headGuard, jsonBody, pathnameOf, type BodyVariables } from './middleware.ts';
import { validate, type RouteDef, type RouteDeps } from './route.ts';

/** Answers JSON; HEAD keeps the headers (its length included) and drops the body. */
export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const { text, headers: json } = jsonAnswer(body);
  return new Response(text, { status, headers: { ...json, ...headers } });
}

/** `/blocks/{id}` in Hono's syntax (`/blocks/:id`). */
const honoPath = (template: string) => template.replace(/\{(\w+)\}/g, ':$1');

/** The template's parameters in the raw path, percent-decoded (400 for a bad encoding). */
function pathParams(template: string, pathname: string): Record<string, string> {
  const want = template.split('/');
  const got = pathname.split('/');
  const params: Record<string, string> = {};
  want.forEach((w, i) => {
    if (!w.startsWith('{')) return;
    const g = got[i] ?? '';
    try {
      params[w.slice(1, -1)] = decodeURIComponent(g);
    } catch {
      throw new HttpError(400, 'bad-request', `the path segment ${JSON.stringify(g.slice(0, 80))} is not valid percent-encoding`);
    }
  });
  return params;
}

/**
 * Each query key's first value, as `URLSearchParams.get` gives it (what the handlers read before
 * the framework): `?count=2&count=900` means 2. `Object.fromEntries` would take the last.
 */
function firstValues(params: URLSearchParams): Record<string, string> {
  const first = new Map<string, string>();
  for (const [key, value] of params) if (!first.has(key)) first.set(key, value);
  return Object.fromEntries(first);
}

export interface RestAppOptions {
  readonly routes: readonly RouteDef[];
  readonly deps: RouteDeps;
  readonly token?: string | undefined;
  readonly onError?: ((error: unknown, request: { method: string; path: string }) => void) | undefined;
}

export function createRestApp({ routes, deps, token, onError }: RestAppOptions): Hono<{ Variables: BodyVariables }> {
  const app = new Hono<{ Variables: BodyVariables }>({ strict: false });
  const paths = [...new Set(routes.map((r) => r.path))];
  for (const route of routes) {
    const allow = allowOf(routes.filter((r) => r.path === route.path));
    const serve = async (c: Context<{ Variables: BodyVariables }>) => {
      const url = new URL(c.req.url);
      const { request } = route;
      const input = {
        params: request?.params ? validate(request.params, pathParams(route.path, url.pathname)) : undefined,
        query: request?.query ? validate(request.query, firstValues(url.searchParams)) : undefined,
        body: request?.body ? validate(request.body, c.get('body')) : undefined,
      };
      const reply = await route.handle(input as never, deps);
      return jsonReply(reply.status, reply.body);
    };
    app.on(route.method, honoPath(route.path), headGuard(route, allow), bearerAuth(route, token), ...jsonBody(route), serve);
  }
  for (const path of paths) {
    const allow = allowOf(routes.filter((r) => r.path === path));
    app.all(honoPath(path), (c) => {
      throw new HttpError(405, 'method-not-allowed', `${pathnameOf(c.req.url)} takes ${allow}, not ${c.req.method}`, undefined, { allow });
    });
  }
  app.notFound((c) => {
    const pathname = pathnameOf(c.req.url);
    return jsonReply(404, { error: 'unknown-route', message: `no route ${pathname}: GET /openapi.json lists them` });
  });
  app.onError((error, c) => {
    if (error instanceof HttpError) {
      return jsonReply(error.status, { error: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) }, error.headers);
    }
    try {
      onError?.(error, { method: c.req.method, path: new URL(c.req.url).pathname + new URL(c.req.url).search });
    } catch {
      // A failing error reporter must not take the answer down with it.
    }
    const { status, body } = unexpectedErrorReply(error);
    return jsonReply(status, body);
  });
  return app;
}
