/**
 * Finds a genesis nonce for given bits (run once per network; the result is committed in
 * src/core/consensus/networks.ts). Usage: tsx scripts/mine-genesis.ts 0x1e0fffff
 */
import { createHash } from 'node:crypto';
import { buildGenesis } from '../src/core/consensus/genesis.ts';
import { COIN } from '../src/core/consensus/params.ts';
import { encodeHeader } from '../src/core/primitives/header.ts';
import { hashToBigInt, validTarget } from '../src/core/consensus/pow.ts';

const bits = Number(process.argv[2] ?? '0x1e0fffff');
const target = validTarget(bits)!;
const spec = { time: 1795305600, bits, nonce: 0, memo: 'tabchain 2026-11-22: every browser tab a full node', subsidy: 50n * COIN };
const header = encodeHeader(buildGenesis(spec).header);
const view = new DataView(header.buffer);
for (let nonce = 0; nonce <= 0xffffffff; nonce++) {
  view.setUint32(76, nonce, true);
  const h = createHash('sha256').update(createHash('sha256').update(header).digest()).digest();
  if (hashToBigInt(h) <= target) {
    console.log(`bits 0x${bits.toString(16)} nonce ${nonce}`);
    break;
  }
}
