/**
 * @module The port through which the core has signatures verified in bulk: the checks of a whole
 * block at once, which an adapter may spread over a pool of workers (one per core). The core's
 * default verifies in process, one after the other (`verifyInProcess`, consensus/signature-checks.ts).
 */
import type { SignatureJob } from '../crypto/keys.ts';

export interface SignatureVerifier {
  /**
   * One answer per job, in order: true when the BIP340 signature verifies (false, never a throw,
   * for malformed bytes). Deterministic: the answers must be what `schnorrVerify` gives for each.
   * Rejects only when the verifier itself broke (the caller treats it as an I/O failure).
   */
  verify(jobs: readonly SignatureJob[]): Promise<boolean[]>;
}
