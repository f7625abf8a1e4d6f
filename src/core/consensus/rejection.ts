/**
 * @module Expected rejections are values, not exceptions: a reason code, a human message, and what
 * the rejection implies for the peer that sent the object and for the object's hash.
 */

/** Every reason a header, block or tx can be refused. Names follow Bitcoin Core's where one exists. */
export type RejectCode =
  // Malformed bytes
  | 'bad-encoding'
  // Header
  | 'high-hash'
  | 'bad-diffbits'
  | 'time-too-old'
  | 'time-too-new'
  | 'bad-prevblk'
  | 'bad-genesis'
  // Block structure
  | 'bad-blk-length'
  | 'bad-blk-empty'
  | 'bad-cb-missing'
  | 'bad-cb-multiple'
  | 'bad-cb-height'
  | 'bad-cb-amount'
  | 'bad-txnmrklroot'
  | 'bad-txns-duplicate'
  | 'bad-txns-64-bytes'
  // Transactions
  | 'bad-txns-version'
  | 'bad-txns-oversize'
  | 'bad-txns-vout-empty'
  | 'bad-txns-vout-zero'
  | 'bad-txns-vout-toolarge'
  | 'bad-txns-txouttotal-toolarge'
  | 'bad-txns-memo-toolarge'
  | 'bad-txns-inputs-duplicate'
  | 'bad-txns-inputs-missingorspent'
  | 'bad-txns-premature-spend-of-coinbase'
  | 'bad-txns-in-belowout'
  | 'bad-txns-inputvalues-outofrange'
  | 'bad-txns-sig'
  // Mempool policy
  | 'coinbase-not-allowed'
  | 'txn-already-known'
  | 'txn-mempool-conflict'
  | 'txn-already-confirmed'
  | 'missing-inputs'
  | 'min-fee-not-met'
  | 'mempool-full';

export interface Rejection {
  readonly ok: false;
  readonly code: RejectCode;
  readonly message: string;
  /** The peer that sent this should be disconnected and banned for a while. */
  readonly punish: boolean;
  /**
   * The hash itself is invalid and may be remembered as such. False when the same hash could
   * still turn out valid: a body that does not match its header (another body may), a time too
   * far ahead (the clock may catch up), a missing or immature input (a reorg may change that).
   */
  readonly permanent: boolean;
}

export type Result<T> = { readonly ok: true; readonly value: T } | Rejection;

interface CodeInfo {
  punish: boolean;
  permanent: boolean;
}

const policy: CodeInfo = { punish: false, permanent: false };
const invalid: CodeInfo = { punish: true, permanent: true };
/** The body does not match the header that commits to it: the sender lied, but the hash may be honest. */
const badBody: CodeInfo = { punish: true, permanent: false };

const codeInfo: Record<RejectCode, CodeInfo> = {
  'bad-encoding': badBody,
  'high-hash': invalid,
  'bad-diffbits': invalid,
  'time-too-old': invalid,
  'time-too-new': policy,
  'bad-prevblk': invalid,
  'bad-genesis': invalid,
  'bad-blk-length': badBody,
  'bad-blk-empty': badBody,
  'bad-cb-missing': badBody,
  'bad-cb-multiple': badBody,
  'bad-cb-height': invalid,
  'bad-cb-amount': invalid,
  'bad-txnmrklroot': badBody,
  'bad-txns-duplicate': badBody,
  'bad-txns-64-bytes': badBody,
  'bad-txns-version': invalid,
  'bad-txns-oversize': invalid,
  'bad-txns-vout-empty': invalid,
  'bad-txns-vout-zero': invalid,
  'bad-txns-vout-toolarge': invalid,
  'bad-txns-txouttotal-toolarge': invalid,
  'bad-txns-memo-toolarge': invalid,
  'bad-txns-inputs-duplicate': invalid,
  // Permanent for a block, which is judged against its own parent; the mempool softens them for
  // txs, which are judged against a tip that may change.
  'bad-txns-inputs-missingorspent': invalid,
  'bad-txns-premature-spend-of-coinbase': invalid,
  'bad-txns-in-belowout': invalid,
  'bad-txns-inputvalues-outofrange': invalid,
  'bad-txns-sig': invalid,
  'coinbase-not-allowed': invalid,
  'txn-already-known': policy,
  'txn-mempool-conflict': policy,
  'txn-already-confirmed': policy,
  'missing-inputs': policy,
  'min-fee-not-met': policy,
  'mempool-full': policy,
};

/** A rejection with the peer and hash consequences its code implies. */
export function reject(code: RejectCode, message: string): Rejection {
  const info = codeInfo[code];
  return { ok: false, code, message, punish: info.punish, permanent: info.permanent };
}

/** The same rejection, but never punishing or permanent (for txs judged against a changing chain). */
export function softened(r: Rejection): Rejection {
  return { ...r, punish: false, permanent: false };
}

export function accept<T>(value: T): Result<T> {
  return { ok: true, value };
}
