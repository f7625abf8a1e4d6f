/** @module The current route as state, following the URL's hash (back and forward work). */
import { parseRoute, type Route } from './router.ts';

class Router {
  route = $state<Route>(parseRoute(typeof location === 'undefined' ? '' : location.hash));

  constructor() {
    if (typeof addEventListener === 'function') {
      addEventListener('hashchange', () => (this.route = parseRoute(location.hash)));
    }
  }
}

export const router = new Router();
