/**
 * @module `GET /wallet`: this node's wallet (behind the bearer token: it reads the wallet).
 */
import { z } from 'zod';
import { answer, defineRoute, type RouteDef } from '../route.ts';
import { Balance } from '../schemas.ts';

export function walletRoutes(): RouteDef[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/wallet',
      auth: true,
      body: 'none',
      summary: 'This node’s wallet: receive address, every address, balance',
      responses: { 200: answer('the wallet', z.object({ address: z.string(), addresses: z.array(z.string()), balance: Balance })) },
      handle: async (_input, { api }) => ({
        status: 200,
        body: { address: await api.wallet.address(), addresses: await api.wallet.addresses(), balance: await api.wallet.balance() },
      }),
    }),
  ];
}
