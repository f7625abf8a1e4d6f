/**
 * Finds a genesis nonce for given bits (run once per network; the result is committed in
 * src/core/consensus/networks.ts). Usage: tsx scripts/mine-genesis.ts 0x1e00ffff
 */
import { buildGenesis } from '../src/core/consensus/genesis.ts';
import { COIN } from '../src/core/consensus/params.ts';
import { encodeHeader } from '../src/core/primitives/header.ts';
import { validTarget } from '../src/core/consensus/pow.ts';
import { headerMidstate, searchNonces } from '../src/core/mining/sha256-midstate.ts';

const bits = Number(process.argv[2] ?? '0x1e00ffff');
const target = validTarget(bits)!;
const spec = { time: 1795305600, bits, nonce: 0, memo: 'tabchain 2026-11-22: every browser tab a full node', subsidy: 50n * COIN };
const header = encodeHeader(buildGenesis(spec).header);
const midstate = headerMidstate(header);
const slice = 1 << 20;
for (let start = 0; start <= 0xffffffff; start += slice) {
  const { nonce } = searchNonces(header, midstate, target, start, Math.min(slice, 0x100000000 - start));
  if (nonce !== undefined) {
    console.log(`bits 0x${bits.toString(16)} nonce ${nonce}`);
    break;
  }
}
