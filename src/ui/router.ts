/**
 * @module Where the UI is: a route parsed from the URL's hash (`#/explorer/block/12`). Hash
 * routes need nothing from the server and work offline from the service worker's one cached page,
 * and they keep `?network=test` in the query untouched.
 */
export type Route =
  | { view: 'wallet' }
  | { view: 'mining' }
  | { view: 'network' }
  | { view: 'mempool' }
  | { view: 'explorer' }
  | { view: 'block'; id: string }
  | { view: 'tx'; id: string }
  | { view: 'address'; id: string };

/** The views with a place in the navigation, in its order. */
export const TOP_VIEWS = ['wallet', 'mining', 'network', 'explorer', 'mempool'] as const;
export type TopView = (typeof TOP_VIEWS)[number];

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(safeDecode);
  const [first, second, third] = parts;
  if (first === 'explorer' && third !== undefined && (second === 'block' || second === 'tx' || second === 'address')) {
    return { view: second, id: third };
  }
  if (first !== undefined && (TOP_VIEWS as readonly string[]).includes(first)) return { view: first as TopView };
  return { view: 'wallet' };
}

/** The hash for a route (`#/explorer/tx/<txid>`). */
export function href(route: Route): string {
  return 'id' in route ? `#/explorer/${route.view}/${encodeURIComponent(route.id)}` : `#/${route.view}`;
}

/** The navigation entry a route belongs to (block, tx and address pages are the explorer's). */
export function topViewOf(route: Route): TopView {
  return route.view === 'block' || route.view === 'tx' || route.view === 'address' ? 'explorer' : route.view;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
