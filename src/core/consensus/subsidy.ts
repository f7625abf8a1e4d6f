/**
 * @module The subsidy schedule: `initialSubsidy` halved every `halvingInterval` blocks (Bitcoin's rule).
 */
import type { NetworkParams } from './params.ts';

export function blockSubsidy(height: number, params: Pick<NetworkParams, 'initialSubsidy' | 'halvingInterval'>): bigint {
  if (!Number.isInteger(height) || height < 0) throw new RangeError(`no subsidy for height ${height}`);
  const halvings = Math.floor(height / params.halvingInterval);
  if (halvings >= 64) return 0n;
  return params.initialSubsidy >> BigInt(halvings);
}
