import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { publicKeyOf, schnorrVerify } from '../crypto/keys.ts';
import { bytesToHex, hexToBytes } from '../encoding/hex.ts';
import { decodeTx, encodeTx } from '../primitives/transaction.ts';
import { mainParams, regtestParams } from './networks.ts';
import { sighashes, signTransaction, type SpentOutput, type UnsignedTransaction } from './sighash.ts';

const secret = (n: number) => hexToBytes(n.toString(16).padStart(64, '0'));
const keys = [secret(0x1111), secret(0x2222)];
const pubs = keys.map(publicKeyOf);
const AUX = new Uint8Array(32);
const networkId = regtestParams.networkId;

const unsigned: UnsignedTransaction = {
  version: 1,
  inputs: [
    { prevTxid: new Uint8Array(32).fill(0x01), vout: 0 },
    { prevTxid: new Uint8Array(32).fill(0x02), vout: 5 },
  ],
  outputs: [
    { amount: 30_0000_0000n, publicKey: new Uint8Array(32).fill(0x0a) },
    { amount: 19_9999_0000n, publicKey: new Uint8Array(32).fill(0x0b) },
  ],
  memo: new TextEncoder().encode('rent'),
};
const spent: SpentOutput[] = [
  { amount: 25_0000_0000n, publicKey: pubs[0]! },
  { amount: 25_0000_0000n, publicKey: pubs[1]! },
];

/** The documented sighash format, rebuilt with node:crypto. */
function referenceSighashes(tx: UnsignedTransaction, spentOutputs: readonly SpentOutput[], id: Uint8Array): string[] {
  const tagged = (tag: string, ...msg: Buffer[]) => {
    const t = createHash('sha256').update(tag, 'utf8').digest();
    const h = createHash('sha256').update(t).update(t);
    for (const m of msg) h.update(m);
    return h.digest();
  };
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const u64 = (n: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(n);
    return b;
  };
  // Counts below 0xfd are one byte.
  const parts: Buffer[] = [Buffer.from(id), u32(tx.version), Buffer.of(tx.inputs.length)];
  tx.inputs.forEach((input, i) => parts.push(Buffer.from(input.prevTxid), u32(input.vout), u64(spentOutputs[i]!.amount), Buffer.from(spentOutputs[i]!.publicKey)));
  parts.push(Buffer.of(tx.outputs.length));
  for (const o of tx.outputs) parts.push(u64(o.amount), Buffer.from(o.publicKey));
  parts.push(Buffer.of(tx.memo.length), Buffer.from(tx.memo));
  const digest = tagged('tabchain/sighash-tx', Buffer.concat(parts));
  return tx.inputs.map((_, i) => tagged('tabchain/sighash', digest, u32(i)).toString('hex'));
}

const hexes = (ms: Uint8Array[]) => ms.map(bytesToHex);
const flip = (bytes: Uint8Array, i = 0) => {
  const out = bytes.slice();
  out[i]! ^= 1;
  return out;
};

describe('sighashes', () => {
  it('behavior: follows the documented two-step tagged-hash format', () => {
    const ms = sighashes(unsigned, spent, networkId);
    expect(ms.length).toBe(2);
    for (const m of ms) expect(m.length).toBe(32);
    expect(hexes(ms)).toEqual(referenceSighashes(unsigned, spent, networkId));
  });

  it('behavior: matches the reference for random txs', () => {
    const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
    const amount = fc.bigInt({ min: 0n, max: 21_000_000n * 100_000_000n });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(fc.record({ prevTxid: hash32, vout: fc.integer({ min: 0, max: 0xffffffff }), amount, publicKey: hash32 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.record({ amount, publicKey: hash32 }), { maxLength: 5 }),
        fc.uint8Array({ maxLength: 80 }),
        hash32,
        (version, ins, outputs, memo, id) => {
          const tx: UnsignedTransaction = { version, inputs: ins.map(({ prevTxid, vout }) => ({ prevTxid, vout })), outputs, memo };
          const sp = ins.map(({ amount: a, publicKey }) => ({ amount: a, publicKey }));
          expect(hexes(sighashes(tx, sp, id))).toEqual(referenceSighashes(tx, sp, id));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('behavior: each input index gets its own message', () => {
    const [m0, m1] = hexes(sighashes(unsigned, spent, networkId));
    expect(m0).not.toBe(m1);
  });

  it('behavior: ignores signatures (a signed tx hashes like its unsigned form)', () => {
    const signed = signTransaction(unsigned, spent, keys, networkId, AUX);
    expect(hexes(sighashes(signed, spent, networkId))).toEqual(hexes(sighashes(unsigned, spent, networkId)));
  });

  describe('commits to every field', () => {
    const base = hexes(sighashes(unsigned, spent, networkId));
    const changes: [string, UnsignedTransaction, SpentOutput[], Uint8Array][] = [
      ['the network id', unsigned, spent, mainParams.networkId],
      ['the version', { ...unsigned, version: 2 }, spent, networkId],
      ['input 0 prevTxid', { ...unsigned, inputs: [{ ...unsigned.inputs[0]!, prevTxid: flip(unsigned.inputs[0]!.prevTxid, 31) }, unsigned.inputs[1]!] }, spent, networkId],
      ['input 1 prevTxid', { ...unsigned, inputs: [unsigned.inputs[0]!, { ...unsigned.inputs[1]!, prevTxid: flip(unsigned.inputs[1]!.prevTxid) }] }, spent, networkId],
      ['input 0 vout', { ...unsigned, inputs: [{ ...unsigned.inputs[0]!, vout: 1 }, unsigned.inputs[1]!] }, spent, networkId],
      ['input 1 vout', { ...unsigned, inputs: [unsigned.inputs[0]!, { ...unsigned.inputs[1]!, vout: 4 }] }, spent, networkId],
      ['the spent amount of input 0', unsigned, [{ ...spent[0]!, amount: spent[0]!.amount + 1n }, spent[1]!], networkId],
      ['the spent amount of input 1', unsigned, [spent[0]!, { ...spent[1]!, amount: spent[1]!.amount - 1n }], networkId],
      ['the spent key of input 0', unsigned, [{ ...spent[0]!, publicKey: flip(spent[0]!.publicKey) }, spent[1]!], networkId],
      ['the spent key of input 1', unsigned, [spent[0]!, { ...spent[1]!, publicKey: flip(spent[1]!.publicKey, 17) }], networkId],
      ['an output amount', { ...unsigned, outputs: [{ ...unsigned.outputs[0]!, amount: 1n }, unsigned.outputs[1]!] }, spent, networkId],
      ['an output key', { ...unsigned, outputs: [unsigned.outputs[0]!, { ...unsigned.outputs[1]!, publicKey: flip(unsigned.outputs[1]!.publicKey) }] }, spent, networkId],
      ['the output order', { ...unsigned, outputs: [unsigned.outputs[1]!, unsigned.outputs[0]!] }, spent, networkId],
      ['a removed output', { ...unsigned, outputs: unsigned.outputs.slice(0, 1) }, spent, networkId],
      ['an added output', { ...unsigned, outputs: [...unsigned.outputs, unsigned.outputs[0]!] }, spent, networkId],
      ['the memo', { ...unsigned, memo: new TextEncoder().encode('Rent') }, spent, networkId],
      ['an empty memo', { ...unsigned, memo: new Uint8Array(0) }, spent, networkId],
      ['the input order', { ...unsigned, inputs: [unsigned.inputs[1]!, unsigned.inputs[0]!] }, [spent[1]!, spent[0]!], networkId],
    ];
    it.each(changes)('behavior: changing %s changes every input\u2019s message', (_name, tx, sp, id) => {
      const changed = hexes(sighashes(tx, sp, id));
      expect(changed[0]).not.toBe(base[0]);
      expect(changed[1]).not.toBe(base[1]);
    });
  });

  it('error: a spent-output list of the wrong length is a RangeError', () => {
    expect(() => sighashes(unsigned, spent.slice(0, 1), networkId)).toThrow(RangeError);
    expect(() => sighashes(unsigned, [...spent, spent[0]!], networkId)).toThrow(RangeError);
  });
});

describe('signTransaction', () => {
  it('behavior: produces a tx whose signatures verify under sighashes', () => {
    const tx = signTransaction(unsigned, spent, keys, networkId, AUX);
    const ms = sighashes(tx, spent, networkId);
    expect(tx.inputs.length).toBe(2);
    tx.inputs.forEach((input, i) => {
      expect(input.signature.length).toBe(64);
      expect(schnorrVerify(input.signature, ms[i]!, pubs[i]!)).toBe(true);
      // A signature is bound to its input index.
      expect(schnorrVerify(input.signature, ms[1 - i]!, pubs[i]!)).toBe(false);
    });
  });

  it('behavior: copies the tx fields and encodes as a normal (non-coinbase) tx', () => {
    const tx = signTransaction(unsigned, spent, keys, networkId, AUX);
    expect(tx.version).toBe(1);
    expect(tx.outputs).toEqual(unsigned.outputs);
    expect(tx.memo).toEqual(unsigned.memo);
    expect(tx.inputs.map(({ prevTxid, vout }) => ({ prevTxid, vout }))).toEqual(unsigned.inputs);
    expect(tx.coinbase).toBeUndefined();
    expect(decodeTx(encodeTx(tx))).toEqual(tx);
  });

  it('behavior: is deterministic with a fixed aux and still valid with random aux', () => {
    const x = signTransaction(unsigned, spent, keys, networkId, AUX);
    const y = signTransaction(unsigned, spent, keys, networkId, AUX);
    expect(encodeTx(x)).toEqual(encodeTx(y));
    const z = signTransaction(unsigned, spent, keys, networkId);
    const ms = sighashes(z, spent, networkId);
    z.inputs.forEach((input, i) => expect(schnorrVerify(input.signature, ms[i]!, pubs[i]!)).toBe(true));
  });

  it('error: a signature made for test does not verify on main', () => {
    const tx = signTransaction(unsigned, spent, keys, regtestParams.networkId, AUX);
    const onMain = sighashes(tx, spent, mainParams.networkId);
    const onTest = sighashes(tx, spent, regtestParams.networkId);
    tx.inputs.forEach((input, i) => {
      expect(schnorrVerify(input.signature, onTest[i]!, pubs[i]!)).toBe(true);
      expect(schnorrVerify(input.signature, onMain[i]!, pubs[i]!)).toBe(false);
    });
  });

  it('error: a signature does not verify when the signer was told a different spent amount', () => {
    const tx = signTransaction(unsigned, spent, keys, networkId, AUX);
    const lied = [{ ...spent[0]!, amount: 1n }, spent[1]!];
    const ms = sighashes(tx, lied, networkId);
    expect(schnorrVerify(tx.inputs[0]!.signature, ms[0]!, pubs[0]!)).toBe(false);
    expect(schnorrVerify(tx.inputs[1]!.signature, ms[1]!, pubs[1]!)).toBe(false);
  });

  it('error: a tx without inputs is a TypeError (a coinbase has nothing to sign)', () => {
    expect(() => signTransaction({ ...unsigned, inputs: [] }, [], [], networkId)).toThrow(TypeError);
  });

  it('error: a spent-output list of the wrong length is a RangeError', () => {
    expect(() => signTransaction(unsigned, spent.slice(0, 1), keys, networkId, AUX)).toThrow(RangeError);
  });
});
