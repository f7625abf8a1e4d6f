/**
 * @module Every method of `window.tabchain` by its dotted path, checked against {@link TabchainApi}
 * by the compiler (a method missing here, or named here and not there, is a type error), so the
 * page's stand-in for the API (remote-api.ts) and the worker that answers it cannot drift apart.
 * `network`, `params()` and `on()` are answered in the page itself and are not listed.
 */
import type { TabchainApi } from './tabchain-api.ts';

/** Dotted paths of the function members of T, one level of groups deep. */
type MethodPaths<T> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends (...args: never[]) => unknown
    ? K
    : NonNullable<T[K]> extends object
      ? { [M in keyof NonNullable<T[K]> & string]-?: NonNullable<T[K]>[M] extends (...args: never[]) => unknown ? `${K}.${M}` : never }[keyof NonNullable<T[K]> & string]
      : never;
}[keyof T & string];

/** Answered in the page without the node. */
type LocalMethod = 'params' | 'on';
export type RemoteMethod = Exclude<MethodPaths<TabchainApi>, LocalMethod>;

export const REMOTE_METHODS = [
  'ready',
  'wallet.address',
  'wallet.newAddress',
  'wallet.addresses',
  'wallet.balance',
  'wallet.history',
  'wallet.locked',
  'wallet.hasPassphrase',
  'wallet.exists',
  'wallet.create',
  'wallet.setPassphrase',
  'wallet.lock',
  'wallet.unlock',
  'wallet.backupPhrase',
  'wallet.restore',
  'wallet.exportBackup',
  'wallet.importBackup',
  'send',
  'mine',
  'miner.start',
  'miner.stop',
  'miner.status',
  'chain.tip',
  'chain.block',
  'chain.tx',
  'chain.headers',
  'chain.tips',
  'chain.addressHistory',
  'chain.submitBlocks',
  'chain.address',
  'chain.verify',
  'mempool',
  'submitTxs',
  'peers',
  'connectivity',
  'iceServers',
  'setIceServers',
  'resolve',
  'disconnect',
  'ban',
  'unban',
  'setMaxPeers',
  'bans',
  'self',
  'storage',
  'debug.sendRaw',
  'debug.sendMessage',
] as const satisfies readonly RemoteMethod[];

// Every remote method is listed: this fails to compile when TabchainApi gains one that is not.
type Unlisted = Exclude<RemoteMethod, (typeof REMOTE_METHODS)[number]>;
const everyMethodListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyMethodListed;

/** The function at `path` of `api` (bound to its group), or undefined. */
export function methodAt(api: TabchainApi, path: string): ((...args: unknown[]) => unknown) | undefined {
  if (!(REMOTE_METHODS as readonly string[]).includes(path)) return undefined;
  const [group, name] = path.includes('.') ? path.split('.') : [undefined, path];
  const owner = (group === undefined ? api : (api as unknown as Record<string, unknown>)[group]) as Record<string, unknown> | undefined;
  const fn = owner?.[name!];
  return typeof fn === 'function' ? (fn as (...args: unknown[]) => unknown).bind(owner) : undefined;
}
