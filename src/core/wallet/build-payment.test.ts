import { bech32m } from '@scure/base';
import { describe, expect, it, vi } from 'vitest';
import { encodeAddress } from '../crypto/address.ts';
import { sha256 } from '../crypto/hash.ts';
import { outpointKey, type Coin, type OutpointKey } from '../coins/coin.ts';
import { MapCoinView } from '../coins/coin-cache.ts';
import { Chain } from '../chain/chain.ts';
import { MemoryChainStore } from '../chain/memory-chain-store.ts';
import { Mempool } from '../mempool/mempool.ts';
import { checkTransactionInputs, checkTransactionSanity } from '../consensus/check-transaction.ts';
import { mainParams, regtestParams } from '../consensus/networks.ts';
import { bytesToHex, hashToHex } from '../encoding/hex.ts';
import { txSize } from '../primitives/transaction.ts';
import { ChainBuilder, ManualClock, testKey } from '../testing/chain-builder.ts';
import { buildPayment, type PaymentRequest, type WalletCoin } from './build-payment.ts';
import { paymentSize } from './coin-selection.ts';
import { WalletError } from './wallet-error.ts';

const alice = [testKey(10), testKey(11)];
const change = testKey(12);
const bob = testKey(20);
const bobAddress = encodeAddress(bob.publicKey, regtestParams.addressPrefix);
const secrets = new Map([...alice, change].map((k) => [bytesToHex(k.publicKey), k.secretKey]));
const secretKeyFor = (publicKey: Uint8Array) => {
  const secret = secrets.get(bytesToHex(publicKey));
  if (!secret) throw new Error('not our key');
  return secret;
};

function walletCoin(n: number, amount: bigint, owner = alice[n % 2]!, confirmed = true): WalletCoin {
  return { key: outpointKey(sha256(Uint8Array.of(n)), n % 3), amount, publicKey: owner.publicKey, confirmed };
}

const coins = [walletCoin(1, 50_000n), walletCoin(2, 30_000n), walletCoin(3, 20_000n), walletCoin(4, 100_000n, alice[0], false)];

/** The coins as the chain would hold them, at height 10 (not coinbases). */
function viewOf(list: readonly WalletCoin[]): MapCoinView {
  return new MapCoinView(new Map<OutpointKey, Coin>(list.map((c) => [c.key, { amount: c.amount, publicKey: c.publicKey, height: 10, coinbase: false }])));
}

function request(overrides: Partial<PaymentRequest> = {}): PaymentRequest {
  return { params: regtestParams, coins, secretKeyFor, to: bobAddress, amount: 60_000n, changePublicKey: change.publicKey, ...overrides };
}

function expectValid(payment: ReturnType<typeof buildPayment>, list: readonly WalletCoin[] = coins) {
  expect(checkTransactionSanity(payment.tx, regtestParams)).toBeUndefined();
  const checked = checkTransactionInputs(payment.tx, viewOf(list), 11, regtestParams);
  expect(checked).toMatchObject({ ok: true });
  if (checked.ok) expect(checked.value.fee).toBe(payment.fee);
  expect(payment.fee).toBeGreaterThanOrEqual(BigInt(txSize(payment.tx)));
}

/** The WalletError a request throws, checking that no secret key was asked for. */
function refusal(overrides: Partial<PaymentRequest>): WalletError {
  const spy = vi.fn(secretKeyFor);
  try {
    buildPayment(request({ ...overrides, secretKeyFor: spy }));
  } catch (e) {
    expect(e).toBeInstanceOf(WalletError);
    expect(spy).not.toHaveBeenCalled();
    return e as WalletError;
  }
  throw new Error('expected a WalletError, nothing was thrown');
}

describe('buildPayment', () => {
  it('behavior: builds a tx that passes sanity and input checks (signatures verify), change last', () => {
    const payment = buildPayment(request());
    expectValid(payment);
    const { tx } = payment;
    expect(tx.version).toBe(1);
    expect(tx.inputs).toHaveLength(2);
    expect(payment.spent).toEqual([coins[0]!.key, coins[1]!.key]);
    expect(tx.inputs.map((i) => outpointKey(i.prevTxid, i.vout))).toEqual(payment.spent);
    expect(tx.outputs).toEqual([
      { amount: 60_000n, publicKey: bob.publicKey },
      { amount: payment.change, publicKey: change.publicKey },
    ]);
    expect(payment.fee).toBe(BigInt(paymentSize(2, 2, 0)));
    expect(payment.change).toBe(80_000n - 60_000n - payment.fee);
    expect(txSize(tx)).toBe(paymentSize(2, 2, 0));
  });

  it('behavior: spends coins of several keys, each input signed by its own key', () => {
    const payment = buildPayment(request({ amount: 95_000n }));
    expect(payment.spent).toEqual([coins[0]!.key, coins[1]!.key, coins[2]!.key]);
    expectValid(payment);
  });

  it('behavior: spends unconfirmed change only when the confirmed coins are not enough', () => {
    const payment = buildPayment(request({ amount: 120_000n }));
    expect(payment.spent).toEqual([coins[0]!.key, coins[1]!.key, coins[2]!.key, coins[3]!.key]);
    expectValid(payment);
  });

  it('behavior: an exact amount makes no change output', () => {
    const payment = buildPayment(request({ coins: [coins[0]!], amount: 50_000n - BigInt(paymentSize(1, 1, 0)) }));
    expect(payment.change).toBe(0n);
    expect(payment.tx.outputs).toHaveLength(1);
    expectValid(payment);
  });

  it('behavior: the memo is UTF-8, committed to by the signatures, and paid for', () => {
    const memo = 'thanks for the 🍕, ünïcödé';
    const payment = buildPayment(request({ memo }));
    expect(new TextDecoder().decode(payment.tx.memo)).toBe(memo);
    expect(payment.fee).toBe(BigInt(paymentSize(2, 2, payment.tx.memo.length)));
    expectValid(payment);
    const maxMemo = buildPayment(request({ memo: 'x'.repeat(80) }));
    expect(maxMemo.tx.memo).toHaveLength(80);
    expectValid(maxMemo);
  });

  it('behavior: a fee rate multiplies the fee; an absolute fee is used as given', () => {
    const rated = buildPayment(request({ feeRate: 5n }));
    expect(rated.fee).toBe(5n * BigInt(txSize(rated.tx)));
    expectValid(rated);
    const fixed = buildPayment(request({ fee: 1_234n }));
    expect(fixed.fee).toBe(1_234n);
    expectValid(fixed);
  });

  it('behavior: accepts an upper-case address', () => {
    expectValid(buildPayment(request({ to: bobAddress.toUpperCase() })));
  });

  it('behavior: the tx is accepted by a mempool following a real chain (relay minimum fee met)', async () => {
    const builder = new ChainBuilder();
    const clock = new ManualClock(regtestParams.genesis.header.time + 100_000);
    const chain = await Chain.open({ params: regtestParams, store: new MemoryChainStore(), clock });
    const mempool = new Mempool({ params: regtestParams, fetchCoins: (k) => chain.getCoins(k), tip: () => chain.tip, clock });
    let tip = builder.genesis;
    const blocks = [];
    for (let i = 0; i < 8; i++) blocks.push((tip = builder.next(tip, { payTo: alice[i % 2]!.publicKey })));
    const outcomes = await chain.processBlocks(blocks.map((b) => b.block));
    expect(outcomes.every((o) => o.status === 'connected')).toBe(true);
    // Tip 8, maturity 5: the coinbases of heights 1..4 may be spent in block 9.
    const mature = blocks.slice(0, 4).map((b, i) => {
      const spendable = builder.coinbaseOf(b);
      return { key: outpointKey(spendable.txid, 0), amount: spendable.output.amount, publicKey: alice[i % 2]!.publicKey, confirmed: true };
    });
    const payment = buildPayment(request({ coins: mature, amount: 120n * 10n ** 8n, memo: 'rent' }));
    const accepted = await mempool.accept(payment.tx);
    expect(accepted).toMatchObject({ ok: true, value: { fee: payment.fee, size: txSize(payment.tx) } });
  });

  it('error: a bad address is bad-address with the AddressError code as detail', () => {
    const cases: [string, string][] = [
      ['', 'bad-format'],
      ['not an address', 'bad-format'],
      [bobAddress.slice(0, -1) + (bobAddress.endsWith('q') ? 'p' : 'q'), 'bad-checksum'],
      [bech32m.encode(regtestParams.addressPrefix, [1, ...bech32m.toWords(bob.publicKey)]), 'bad-version'],
      [bech32m.encode(regtestParams.addressPrefix, [0, ...bech32m.toWords(bob.publicKey.slice(0, 20))]), 'bad-length'],
    ];
    for (const [to, detail] of cases) {
      const e = refusal({ to });
      expect(e.code).toBe('bad-address');
      expect(e.detail).toBe(detail);
    }
  });

  it('error: an address of another network is wrong-network', () => {
    expect(refusal({ to: encodeAddress(bob.publicKey, mainParams.addressPrefix) }).code).toBe('wrong-network');
  });

  it('error: a zero, negative, above-max-money or non-bigint amount is bad-amount', () => {
    for (const amount of [0n, -1n, regtestParams.maxMoney + 1n, 5 as unknown as bigint]) expect(refusal({ amount }).code).toBe('bad-amount');
  });

  it('error: not enough coins is insufficient-funds, saying how much is available', () => {
    const e = refusal({ amount: 200_000n });
    expect(e.code).toBe('insufficient-funds');
    expect(e.message).toContain('0.002 available');
    expect(refusal({ coins: [] }).code).toBe('insufficient-funds');
  });

  it('error: a fee below 1 per byte or a fee rate below 1 is fee-too-low', () => {
    expect(refusal({ fee: BigInt(paymentSize(2, 2, 0)) - 1n }).code).toBe('fee-too-low');
    expect(refusal({ feeRate: 0n }).code).toBe('fee-too-low');
  });

  it('error: a memo over 80 UTF-8 bytes is memo-too-long', () => {
    expect(refusal({ memo: 'x'.repeat(81) }).code).toBe('memo-too-long');
    expect(refusal({ memo: 'é'.repeat(41) }).code).toBe('memo-too-long');
  });

  it('error: a locked wallet gives locked, and the error passes through untouched', () => {
    const locked = () => {
      throw new WalletError('locked', 'the wallet is locked');
    };
    expect(() => buildPayment(request({ secretKeyFor: locked }))).toThrowError(expect.objectContaining({ code: 'locked' }));
  });

  it('error: a wallet that hands out the wrong secret key is caught before signing', () => {
    expect(() => buildPayment(request({ secretKeyFor: () => bob.secretKey }))).toThrow(/wrong secret key/);
  });

  it('error: an invalid change key is a programming error (TypeError), not a user error', () => {
    expect(() => buildPayment(request({ changePublicKey: new Uint8Array(31) }))).toThrow(TypeError);
  });

  it('behavior: the spent keys and txids are in display order, as everywhere else', () => {
    const payment = buildPayment(request());
    expect(payment.spent[0]!.split(':')[0]).toBe(hashToHex(payment.tx.inputs[0]!.prevTxid));
  });
});
