/**
 * @module Every REST route, in the order they are matched and documented.
 */
import { networks, type NetworkParams } from '../../core/index.ts';
import type { RouteDef } from './route.ts';
import { explorerRoutes } from './routes/explorer.ts';
import { metaRoutes } from './routes/meta.ts';
import { nodeRoutes } from './routes/nodes.ts';
import { tutorialRoutes } from './routes/tutorial.ts';
import { walletRoutes } from './routes/wallet.ts';

/** The routes of a node on the network of `params` (their schemas check its amounts and memos). */
export function routeTable(params: NetworkParams = networks.main): RouteDef[] {
  const all = [...tutorialRoutes(params), ...nodeRoutes(), ...explorerRoutes(), ...walletRoutes(), ...metaRoutes()];
  const order = ['/chain', '/mine', '/transactions/new', '/nodes', '/nodes/register', '/nodes/resolve', '/blocks/{id}', '/tx/{txid}', '/address/{address}', '/mempool', '/peers', '/wallet', '/health', '/openapi.json'];
  return all.sort((a, b) => order.indexOf(a.path) - order.indexOf(b.path));
}
