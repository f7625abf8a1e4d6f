/**
 * Block validation throughput on a block of 100 signed single-input txs (regtest), then on a full
 * block on one thread and on the signature verifier pool (validation-full-block.ts):
 * stage 1 (`checkBlockSanity`) plus stage 3 (`connectBlock`), with and without signature checks,
 * against `schnorrVerify` called directly on the same 100 (signature, message, key) triples.
 *
 * Every timed iteration decodes the block from bytes first: txids are memoised per tx object, so
 * validating the same decoded object twice would skip all tx hashing after the first time. The
 * decode is part of the timed work and is also measured on its own so it can be subtracted.
 */
import {
  CoinCache,
  MapCoinView,
  checkBlockSanity,
  connectBlock,
  decodeBlock,
  encodeBlock,
  outpointKey,
  schnorrVerify,
  sighashes,
  regtestParams,
  type Block,
  type Coin,
  type OutpointKey,
} from '../src/core/index.ts';
import { ChainBuilder, type BuiltBlock } from '../src/core/testing/chain-builder.ts';
import { compare, consume, formatNumber, formatRatio, isMain, median, printTable, type Measurement } from './harness.ts';
import { runFullBlock } from './validation-full-block.ts';

const TX_COUNT = 100;

interface Fixture {
  /** The block under test: a coinbase and TX_COUNT signed txs. */
  readonly block: Block;
  readonly height: number;
  /** Exactly the coins the block spends. */
  readonly view: MapCoinView;
  /** One (signature, message, key) per non-coinbase input, as validation checks them. */
  readonly triples: readonly { signature: Uint8Array; message: Uint8Array; publicKey: Uint8Array }[];
}

/** Builds (untimed) a chain whose block 6 fans a matured coinbase out to 100 outputs, and block 7 spending each. */
function buildFixture(): Fixture {
  const builder = new ChainBuilder(regtestParams);
  // Block 1's coinbase matures at height 1 + coinbaseMaturity (5) = 6.
  const early = builder.extend(builder.genesis, regtestParams.coinbaseMaturity);
  const funding = builder.coinbaseOf(early[0]!);
  const share = funding.output.amount / BigInt(TX_COUNT + 1); // leaves a fee
  const fanOut = builder.spend([funding], Array.from({ length: TX_COUNT }, () => share));
  const fanBlock = builder.next(early[early.length - 1]!, { txs: [fanOut] });
  const spends = Array.from({ length: TX_COUNT }, (_, vout) => builder.spend([builder.output(fanOut, vout)], [share - 1000n]));
  const target = builder.next(fanBlock, { txs: spends });

  // Connect the whole chain for real, so the coin set the block sees is what validation produced.
  const chain: BuiltBlock[] = [];
  for (let b: BuiltBlock | undefined = target; b && b.height > 0; b = b.parent) chain.unshift(b);
  const coins = new CoinCache(new MapCoinView());
  for (const b of chain.slice(0, -1)) {
    const sanity = checkBlockSanity(b.block, regtestParams);
    if (sanity) throw new Error(`fixture block ${b.height} is invalid: ${sanity.message}`);
    const connected = connectBlock(b.block, b.height, coins, regtestParams);
    if (!connected.ok) throw new Error(`fixture block ${b.height} does not connect: ${connected.message}`);
  }

  const needed = new Map<OutpointKey, Coin | undefined>();
  const triples: Fixture['triples'][number][] = [];
  for (const tx of target.block.txs.slice(1)) {
    const spent = tx.inputs.map((input) => {
      const key = outpointKey(input.prevTxid, input.vout);
      const coin = coins.getCoin(key);
      if (!coin) throw new Error(`fixture coin ${key} is missing`);
      needed.set(key, coin);
      return coin;
    });
    const messages = sighashes(tx, spent, regtestParams.networkId);
    tx.inputs.forEach((input, i) => triples.push({ signature: input.signature, message: messages[i]!, publicKey: spent[i]!.publicKey }));
  }
  return { block: target.block, height: target.height, view: new MapCoinView(needed), triples };
}

/** Stage 1 + stage 3 on a freshly decoded copy of the block; throws if the block is rejected. */
function validate(bytes: Uint8Array, fixture: Fixture, verifySignatures: boolean): void {
  const block = decodeBlock(bytes, regtestParams.limits);
  const sanity = checkBlockSanity(block, regtestParams);
  if (sanity) throw new Error(`benchmark block rejected: ${sanity.message}`);
  const connected = connectBlock(block, fixture.height, new CoinCache(fixture.view), regtestParams, verifySignatures);
  if (!connected.ok) throw new Error(`benchmark block rejected: ${connected.message}`);
  consume(Number(connected.value.fees & 0xffn));
}

export async function run(): Promise<Measurement[]> {
  const fixture = buildFixture();
  const bytes = encodeBlock(fixture.block);
  const sigCount = fixture.triples.length;
  for (const t of fixture.triples) if (!schnorrVerify(t.signature, t.message, t.publicKey)) throw new Error('fixture signature does not verify');

  // full and direct run back to back in every round, so their per-round ratio is a fair pairing.
  const [decode, noSig, full, direct] = (await compare(
    [
      { name: 'decodeBlock alone', unit: 'block', fn: () => consume(decodeBlock(bytes, regtestParams.limits).txs.length) },
      { name: 'sanity + connect, no signatures', unit: 'block', fn: () => validate(bytes, fixture, false) },
      { name: 'sanity + connect, with signatures', unit: 'block', fn: () => validate(bytes, fixture, true) },
      {
        name: `schnorrVerify direct (${sigCount} triples)`,
        unit: 'verify',
        opsPerCall: sigCount,
        fn: () => {
          for (const t of fixture.triples) consume(schnorrVerify(t.signature, t.message, t.publicKey));
        },
      },
    ],
    { rounds: 5, roundMs: 200 },
  )) as [Measurement, Measurement, Measurement, Measurement];

  // Signature time per block (sighash computation + verification) = full − no-signature time.
  const sigSecondsPerBlock = (fullRate: number, noSigRate: number): number => 1 / fullRate - 1 / noSigRate;
  const inValidationSigsPerSec = sigCount / sigSecondsPerBlock(full.opsPerSec, noSig.opsPerSec);
  const effectiveSigsPerSec = sigCount * full.opsPerSec;
  const sigShare = sigSecondsPerBlock(full.opsPerSec, noSig.opsPerSec) * full.opsPerSec;
  const perRound = (f: (round: number) => number): number => median(full.roundRates.map((_, r) => f(r)));
  const inValidationRatio = perRound(
    (r) => sigCount / sigSecondsPerBlock(full.roundRates[r]!, noSig.roundRates[r]!) / direct.roundRates[r]!,
  );
  const wholeRatio = perRound((r) => (sigCount * full.roundRates[r]!) / direct.roundRates[r]!);

  printTable(
    `validation: block of ${sigCount} signed txs (${formatNumber(bytes.length / 1024)} KiB), checkBlockSanity + connectBlock`,
    [decode, noSig, full, direct],
    [
      `tx throughput (with signatures)       = ${formatNumber(full.opsPerSec * sigCount)} tx/s`,
      `signature share of validation time    = ${(sigShare * 100).toFixed(1)}%  (full − no-signature time per block)`,
      `sig checks/s inside validation        = ${formatNumber(inValidationSigsPerSec)} /s  (${sigCount} ÷ signature time per block, sighash included)`,
      `sig checks/s, whole validation        = ${formatNumber(effectiveSigsPerSec)} /s  (${sigCount} × blocks/s)`,
      `schnorrVerify direct                  = ${formatNumber(direct.opsPerSec)} /s`,
      `inside validation / direct            = ${formatRatio(inValidationRatio)}  (median of per-round ratios; 1 = signature checks cost in validation what they cost alone)`,
      `whole validation / direct             = ${formatRatio(wholeRatio)}  (median of per-round ratios; 1 = validation is nothing but signature checks)`,
      `decodeBlock share of validation time  = ${((full.opsPerSec / decode.opsPerSec) * 100).toFixed(2)}% with signatures, ${((noSig.opsPerSec / decode.opsPerSec) * 100).toFixed(1)}% without`,
    ],
    [
      'every validation iteration decodes the block from bytes (fresh tx objects, so txids are recomputed) and uses a fresh CoinCache',
      'stage 2 (checkBlockContext: bits, time, coinbase height) is not included; it does no per-tx work',
    ],
  );
  // Then a block near the size limit on one thread, on the verifier pool, and with a warm cache.
  return [decode, noSig, full, direct, ...(await runFullBlock())];
}

if (isMain(import.meta.url)) await run();
