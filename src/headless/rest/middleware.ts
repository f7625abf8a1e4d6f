/**
 * @module The checks every route runs before its handler, as Hono middleware: HEAD refused on a
 * GET that changes something, the bearer token, and the JSON body (its type, its size, its syntax).
 * Where requests may come from (Host, Origin, Sec-Fetch-Site) is checked in front of every
 * route and of `/signal`: request-source.ts.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HttpError } from './http-error.ts';
import type { RouteDef } from './route.ts';
import { MAX_BODY_BYTES } from './schemas.ts';

/** The `Allow` header of a path: its methods, HEAD beside each GET that changes nothing. */
export function allowOf(routes: readonly RouteDef[]): string {
  return routes.flatMap((r) => (r.method === 'GET' && !r.sideEffects ? ['GET', 'HEAD'] : [r.method])).join(', ');
}

/** The request path without a trailing slash (`/health/` is `/health`). */
export function pathnameOf(url: string): string {
  const pathname = new URL(url).pathname;
  return pathname.length > 1 ? pathname.replace(/\/$/, '') : pathname;
}

/** HEAD is GET without the body (RFC 9110), but not on a GET that changes something. */
export function headGuard(route: RouteDef, allow: string): MiddlewareHandler {
  return async (c, next) => {
    if (route.sideEffects && c.req.method === 'HEAD') {
      throw new HttpError(405, 'method-not-allowed', `${pathnameOf(c.req.url)} takes ${allow}, not HEAD`, undefined, { allow });
    }
    await next();
  };
}

function tokenMatches(expected: string, header: string | undefined): boolean {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  if (!match) return false;
  // Hashing first gives equal lengths, so the comparison takes the same time for every input.
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(match[1]!).digest();
  return timingSafeEqual(a, b);
}

/** `Authorization: Bearer <token>` when the node has a token (--token or the .cookie file). */
export function bearerAuth(route: RouteDef, token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (route.auth && token !== undefined && !tokenMatches(token, c.req.header('authorization'))) {
      throw new HttpError(401, 'unauthorized', `${route.method} ${route.path} needs "Authorization: Bearer <token>": the node's --token, or the content of the .cookie file in its data directory`, undefined, {
        'www-authenticate': 'Bearer',
      });
    }
    await next();
  };
}

function isJsonContentType(header: string | undefined): boolean {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

const tooLarge = () => new HttpError(413, 'payload-too-large', `the request body is over ${MAX_BODY_BYTES} bytes`, undefined, { connection: 'close' });
const aborted = () => new HttpError(400, 'aborted', 'the client closed the connection before the whole body arrived');

/** The parsed JSON body, set by {@link jsonBody} (undefined when the route takes none). */
export type BodyVariables = { body: Record<string, unknown> | undefined };

/**
 * The route's JSON body into `c.var.body`: 415 unless sent as JSON, 413 beyond
 * {@link MAX_BODY_BYTES} (declared or counted), 400 `bad-json` / `bad-body` unless a JSON object.
 * A client that hangs up mid-body is a 400 `aborted`: nobody is left to read it.
 */
export function jsonBody(route: RouteDef): MiddlewareHandler<{ Variables: BodyVariables }>[] {
  if (route.body === 'none') return [];
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw tooLarge();
    },
  });
  return [
    async (c, next) => {
      const length = c.req.header('content-length');
      const present = (length !== undefined && length !== '0') || c.req.header('transfer-encoding') !== undefined;
      if (!present && route.body === 'optional') {
        c.set('body', undefined);
        return next();
      }
      if (!isJsonContentType(c.req.header('content-type'))) {
        throw new HttpError(415, 'unsupported-media-type', `send the body as JSON with "Content-Type: application/json" (got ${JSON.stringify(c.req.header('content-type') ?? 'none')})`);
      }
      try {
        await limit(c, async () => undefined);
      } catch (error) {
        throw error instanceof HttpError ? error : aborted();
      }
      let text: string;
      try {
        text = await c.req.text();
      } catch {
        throw aborted();
      }
      if (text.trim() === '' && route.body === 'optional') {
        c.set('body', undefined);
        return next();
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new HttpError(400, 'bad-json', `the body is not valid JSON: ${(error as Error).message}`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'bad-body', 'the body must be a JSON object');
      c.set('body', value as Record<string, unknown>);
      return next();
    },
  ];
}
