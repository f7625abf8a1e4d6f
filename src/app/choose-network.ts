/**
 * @module Which network this tab joins: `?network=` in the URL (main, test or regtest), else what this tab chose before
 * (sessionStorage, so a reload keeps it), else main.
 */
import { isNetworkName, type NetworkName } from '../core/index.ts';

const KEY = 'tabchain-network';

export function chooseNetwork(search: string, session: Pick<Storage, 'getItem' | 'setItem'> | undefined): NetworkName {
  const asked = new URLSearchParams(search).get('network');
  let remembered: string | null = null;
  try {
    remembered = session?.getItem(KEY) ?? null;
  } catch {
    // sessionStorage can be unavailable (sandboxed frames); the URL still decides.
  }
  const network: NetworkName = isNetworkName(asked) ? asked : isNetworkName(remembered) ? remembered : 'main';
  try {
    session?.setItem(KEY, network);
  } catch {
    // Not remembered: the default applies next time.
  }
  return network;
}
