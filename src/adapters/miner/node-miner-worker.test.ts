import { describe, expect, it } from 'vitest';
import { encodeHeader, sha256d, regtestParams } from '../../core/index.ts';
import { hashToBigInt, targetFromBits } from '../../core/consensus/pow.ts';
import { createNodeMinerWorker } from './node-miner-worker.ts';
import { WorkerPoolMiner } from './worker-pool-miner.ts';

describe('worker_threads miner', () => {
  it('behavior: a pool of two threads finds a nonce that meets the target, with the browser kernel', async () => {
    const pool = new WorkerPoolMiner({ createWorker: createNodeMinerWorker, workers: 2 });
    // An easy target (about one hash in 4,096), so the test finds one in a few ms of hashing.
    const target = targetFromBits(regtestParams.powLimitBits) >> 11n;
    const header = encodeHeader({ ...regtestParams.genesis.header, time: regtestParams.genesis.header.time + 1 });
    const found = new Promise<Uint8Array>((resolve, reject) => {
      pool.onFound(resolve);
      pool.onError(reject);
    });
    pool.setTemplate(header, target);
    pool.start(2);
    const hit = await found;
    pool.stop();
    expect(hashToBigInt(sha256d(hit)) <= target).toBe(true);
    expect(hit.subarray(0, 76)).toEqual(header.subarray(0, 76));
  }, 30_000);
});
