/**
 * @module Signature checks across a simulation: every node has its own VerifiedSignatureCache
 * (inside its real Node, which decides what that node is charged for), and behind it this
 * SignatureVerifier port. A job reaching it is one the node would verify: it is charged to the
 * node's CPU in virtual time, while the real `schnorrVerify` runs once per distinct (message, key,
 * signature) across the whole simulation, its verdict kept in one shared map. So a thousand nodes
 * pay a thousand times in virtual time and once in real time.
 */
import { bytesToHex, publicKeyOf, schnorrSign, schnorrVerify, type SignatureJob, type SignatureVerifier } from '../core/index.ts';
import type { HostRunner, SimHost } from './sim-host.ts';

export class SharedVerdicts {
  private readonly verdicts = new Map<string, boolean>();
  /** Real schnorrVerify calls made. */
  realChecks = 0;
  /** Jobs answered from the map. */
  shared = 0;

  /** Keys per job object: nodes share jobs (one per shared tx, shared-decoder.ts), the hex is made once. */
  private readonly keys = new WeakMap<SignatureJob, string>();

  verdict(job: SignatureJob): boolean {
    let key = this.keys.get(job);
    if (key === undefined) {
      key = bytesToHex(job.signature) + bytesToHex(job.message) + bytesToHex(job.publicKey);
      this.keys.set(job, key);
    }
    const known = this.verdicts.get(key);
    if (known !== undefined) {
      this.shared++;
      return known;
    }
    this.realChecks++;
    const ok = schnorrVerify(job.signature, job.message, job.publicKey);
    this.verdicts.set(key, ok);
    return ok;
  }

  /** The verifier a node's Node gets: charges `host` for each job, answers from the shared map. */
  verifierFor(host: SimHost, runner: HostRunner): SignatureVerifier {
    return {
      verify: async (jobs) => {
        host.signatures += jobs.length;
        runner.charge(jobs.length * runner.costs.signatureMs);
        return jobs.map((job) => this.verdict(job));
      },
    };
  }
}

/** Measures this machine's schnorrVerify time (ms per signature) over `n` checks. */
export function measureSignatureMs(n = 200): number {
  const jobs: SignatureJob[] = [];
  // A fixed key and messages: the measurement needs no randomness.
  const secret = new Uint8Array(32).fill(7);
  const publicKey = publicKeyOf(secret);
  for (let i = 0; i < n; i++) {
    const message = new Uint8Array(32);
    message[0] = i & 0xff;
    message[1] = i >> 8;
    jobs.push({ message, publicKey, signature: schnorrSign(message, secret, new Uint8Array(32)) });
  }
  // The first checks build noble's precomputed tables: not part of the rate.
  for (const job of jobs.slice(0, 20)) schnorrVerify(job.signature, job.message, job.publicKey);
  const started = performance.now();
  for (const job of jobs) schnorrVerify(job.signature, job.message, job.publicKey);
  return (performance.now() - started) / n;
}
