/**
 * @module Building and signing a payment: check what the user asked for, pick coins, sign.
 *
 * Every check runs before the first secret key is asked for, so a mistyped address or amount
 * never needs (or touches) the keys, and a locked wallet still gets its typed error for those.
 */
import { AddressError, decodeAddress } from '../crypto/address.ts';
import { isValidPublicKey, publicKeyOf } from '../crypto/keys.ts';
import { bytesEqual, bytesToHex, hexToHash } from '../encoding/hex.ts';
import type { OutpointKey } from '../coins/coin.ts';
import type { NetworkParams } from '../consensus/params.ts';
import { TX_VERSION } from '../consensus/check-transaction.ts';
import { signTransaction, type UnsignedTransaction } from '../consensus/sighash.ts';
import type { Transaction, TxOutput } from '../primitives/transaction.ts';
import { selectCoins, type SelectableCoin } from './coin-selection.ts';
import { formatCoins } from './parse-amount.ts';
import { WalletError } from './wallet-error.ts';

/** A spendable coin of the wallet, with the key that owns it. */
export interface WalletCoin extends SelectableCoin {
  readonly publicKey: Uint8Array;
}

export interface PaymentRequest {
  readonly params: Pick<NetworkParams, 'addressPrefix' | 'networkId' | 'maxMoney' | 'limits'>;
  /** Spendable coins only (no immature coinbases, nothing a pending tx already spends). */
  readonly coins: readonly WalletCoin[];
  /** The secret key of one of the wallet's keys; throws WalletError('locked') when locked. */
  readonly secretKeyFor: (publicKey: Uint8Array) => Uint8Array;
  /** Recipient address. */
  readonly to: string;
  /** What the recipient gets, base units. */
  readonly amount: bigint;
  /** Base units per byte; default 1 (the relay minimum). */
  readonly feeRate?: bigint;
  /** An absolute fee instead of a rate; at least 1 per byte of the tx. */
  readonly fee?: bigint;
  /** Free text, at most `limits.maxMemoSize` bytes of UTF-8. */
  readonly memo?: string;
  /** Where change goes (a key of the wallet). */
  readonly changePublicKey: Uint8Array;
}

export interface Payment {
  readonly tx: Transaction;
  readonly fee: bigint;
  /** The coins the tx spends, in input order. */
  readonly spent: OutpointKey[];
  /** The change output's amount (the last output), 0 when there is none. */
  readonly change: bigint;
}

/** The recipient's key, with address failures turned into wallet errors. */
function recipientKey(to: string, prefix: string): Uint8Array {
  try {
    return decodeAddress(to, prefix);
  } catch (e) {
    if (!(e instanceof AddressError)) throw e;
    if (e.code === 'wrong-network') throw new WalletError('wrong-network', e.message);
    throw new WalletError('bad-address', `not a valid address: ${e.message}`, e.code);
  }
}

/** `txidhex:vout` (display order) back to an outpoint. */
function parseOutpointKey(key: OutpointKey): { prevTxid: Uint8Array; vout: number } {
  const match = /^([0-9a-f]{64}):(0|[1-9][0-9]{0,9})$/.exec(key);
  const vout = match ? Number(match[2]) : NaN;
  if (!match || vout > 0xffffffff) throw new TypeError(`not an outpoint key: ${JSON.stringify(key).slice(0, 80)}`);
  return { prevTxid: hexToHash(match[1]!), vout };
}

/** Builds and signs a payment. Throws WalletError for anything wrong with the request. */
export function buildPayment(request: PaymentRequest): Payment {
  const { params, amount, changePublicKey } = request;
  const payTo = recipientKey(request.to, params.addressPrefix);
  if (typeof amount !== 'bigint' || amount <= 0n || amount > params.maxMoney) {
    throw new WalletError('bad-amount', `the amount must be above zero and at most ${formatCoins(params.maxMoney)} coins`);
  }
  const memo = new TextEncoder().encode(request.memo ?? '');
  if (memo.length > params.limits.maxMemoSize) {
    throw new WalletError('memo-too-long', `the memo is ${memo.length} bytes of UTF-8, at most ${params.limits.maxMemoSize} are allowed`);
  }
  if (!isValidPublicKey(changePublicKey)) throw new TypeError('the change key is not a valid public key');

  const selection = selectCoins({
    coins: request.coins,
    amount,
    outputs: 1,
    feeRate: request.feeRate ?? 1n,
    fee: request.fee,
    memoSize: memo.length,
    limits: params.limits,
  });

  const outputs: TxOutput[] = [{ amount, publicKey: payTo }];
  if (selection.change > 0n) outputs.push({ amount: selection.change, publicKey: changePublicKey });
  const unsigned: UnsignedTransaction = {
    version: TX_VERSION,
    inputs: selection.inputs.map((coin) => parseOutpointKey(coin.key)),
    outputs,
    memo,
  };

  // One lookup per distinct key; checking each answer catches a wallet bug before it makes a
  // tx that every node would reject for a bad signature.
  const keys = new Map<string, Uint8Array>();
  const secretKeys = selection.inputs.map((coin) => {
    const id = bytesToHex(coin.publicKey);
    let secretKey = keys.get(id);
    if (!secretKey) {
      secretKey = request.secretKeyFor(coin.publicKey);
      if (!bytesEqual(publicKeyOf(secretKey), coin.publicKey)) throw new Error(`the wallet returned the wrong secret key for ${id}`);
      keys.set(id, secretKey);
    }
    return secretKey;
  });
  const tx = signTransaction(unsigned, selection.inputs, secretKeys, params.networkId);
  return { tx, fee: selection.fee, spent: selection.inputs.map((coin) => coin.key), change: selection.change };
}
