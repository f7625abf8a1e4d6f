import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../encoding/hex.ts';
import {
  PUBLIC_KEY_SIZE,
  SECRET_KEY_SIZE,
  SIGNATURE_SIZE,
  generateSecretKey,
  isValidPublicKey,
  isValidSecretKey,
  publicKeyOf,
  schnorrSign,
  schnorrVerify,
} from './keys.ts';

/** secp256k1 field prime and group order. */
const P = 2n ** 256n - 2n ** 32n - 977n;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const toBig = (b: Uint8Array) => BigInt(`0x${bytesToHex(b) || '0'}`);
const fromBig = (n: bigint) => hexToBytes(n.toString(16).padStart(64, '0'));

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

/** Independent curve membership: x < p and x^3 + 7 is a square mod p (Euler's criterion). */
const xOnCurve = (x: bigint) => x < P && modPow((x * x * x + 7n) % P, (P - 1n) / 2n, P) === 1n;

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

// BIP340 test vectors (bip-0340/test-vectors.csv), indices 0 and 1.
const vectors = [
  {
    index: 0,
    secretKey: '0000000000000000000000000000000000000000000000000000000000000003',
    publicKey: 'F9308A019258C31049344F85F89D5229B531C845836F99B08601F113BCE036F9',
    aux: '0000000000000000000000000000000000000000000000000000000000000000',
    message: '0000000000000000000000000000000000000000000000000000000000000000',
    signature:
      'E907831F80848D1069A5371B402410364BDF1C5F8307B0084C55F1CE2DCA821525F66A4A85EA8B71E482A74F382D2CE5EBEEE8FDB2172F477DF4900D310536C0',
  },
  {
    index: 1,
    secretKey: 'B7E151628AED2A6ABF7158809CF4F3C762E7160F38B4DA56A784D9045190CFEF',
    publicKey: 'DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659',
    aux: '0000000000000000000000000000000000000000000000000000000000000001',
    message: '243F6A8885A308D313198A2E03707344A4093822299F31D0082EFA98EC4E6C89',
    signature:
      '6896BD60EEAE296DB48A229FF71DFE071BDE413E6D43F917DC8DCF8C78DE33418906D11AC976ABCCB20B091292BFF4EA897EFCB639EA871CFA95F6DE339E4B0A',
  },
];

describe('sizes', () => {
  it('behavior: keys are 32 bytes and signatures 64', () => {
    expect([SECRET_KEY_SIZE, PUBLIC_KEY_SIZE, SIGNATURE_SIZE]).toEqual([32, 32, 64]);
  });
});

describe('BIP340 test vectors', () => {
  it.each(vectors)('behavior: vector $index gives the expected public key and signature, and verifies', (v) => {
    const sk = hexToBytes(v.secretKey);
    const msg = hexToBytes(v.message);
    const pk = publicKeyOf(sk);
    expect(bytesToHex(pk)).toBe(v.publicKey.toLowerCase());
    const sig = schnorrSign(msg, sk, hexToBytes(v.aux));
    expect(bytesToHex(sig)).toBe(v.signature.toLowerCase());
    expect(schnorrVerify(hexToBytes(v.signature), msg, hexToBytes(v.publicKey))).toBe(true);
  });

  it('behavior: vector 1 signature does not verify against vector 0 key or message', () => {
    const [v0, v1] = vectors as [(typeof vectors)[0], (typeof vectors)[0]];
    expect(schnorrVerify(hexToBytes(v1.signature), hexToBytes(v1.message), hexToBytes(v0.publicKey))).toBe(false);
    expect(schnorrVerify(hexToBytes(v1.signature), hexToBytes(v0.message), hexToBytes(v1.publicKey))).toBe(false);
  });
});

describe('generateSecretKey', () => {
  it('behavior: gives distinct valid 32-byte keys', () => {
    const a = generateSecretKey();
    const b = generateSecretKey();
    expect(a.length).toBe(32);
    expect(isValidSecretKey(a)).toBe(true);
    expect(isValidSecretKey(b)).toBe(true);
    expect(bytesToHex(a)).not.toBe(bytesToHex(b));
  });
});

describe('isValidSecretKey', () => {
  it('behavior: accepts 1 and n - 1', () => {
    expect(isValidSecretKey(fromBig(1n))).toBe(true);
    expect(isValidSecretKey(fromBig(N - 1n))).toBe(true);
  });

  it.each([
    ['zero', new Uint8Array(32)],
    ['n', fromBig(N)],
    ['n + 1', fromBig(N + 1n)],
    ['all 0xff', new Uint8Array(32).fill(0xff)],
    ['31 bytes', new Uint8Array(31).fill(1)],
    ['33 bytes', new Uint8Array(33).fill(1)],
    ['empty', new Uint8Array(0)],
  ])('error: rejects %s', (_name, key) => {
    expect(isValidSecretKey(key)).toBe(false);
  });
});

describe('publicKeyOf', () => {
  it('behavior: the x-only key of 1 is the generator x coordinate', () => {
    expect(bytesToHex(publicKeyOf(fromBig(1n)))).toBe('79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798');
  });

  it('behavior: k and n - k share the x-only key (BIP340 negates to even y)', () => {
    const k = 0x1234567890abcdefn;
    expect(publicKeyOf(fromBig(k))).toEqual(publicKeyOf(fromBig(N - k)));
  });
});

describe('isValidPublicKey', () => {
  it('behavior: agrees with Euler\u2019s criterion on random x coordinates', () => {
    let valid = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (x) => {
        const expected = xOnCurve(toBig(x));
        if (expected) valid++;
        expect(isValidPublicKey(x)).toBe(expected);
      }),
      { numRuns: 300 },
    );
    // About half of all x are on the curve; both branches were exercised.
    expect(valid).toBeGreaterThan(50);
    expect(valid).toBeLessThan(250);
  });

  it('behavior: accepts every generated public key', () => {
    for (let i = 0; i < 5; i++) expect(isValidPublicKey(publicKeyOf(generateSecretKey()))).toBe(true);
  });

  it('error: rejects an x that is not on the curve, x >= p, and wrong lengths', () => {
    let x = 1n;
    while (xOnCurve(x)) x++;
    expect(isValidPublicKey(fromBig(x))).toBe(false);
    expect(isValidPublicKey(fromBig(P))).toBe(false);
    expect(isValidPublicKey(new Uint8Array(32).fill(0xff))).toBe(false);
    const good = publicKeyOf(fromBig(7n));
    expect(isValidPublicKey(good.subarray(0, 31))).toBe(false);
    expect(isValidPublicKey(Uint8Array.of(0x02, ...good))).toBe(false);
    expect(isValidPublicKey(new Uint8Array(0))).toBe(false);
  });
});

describe('schnorrSign / schnorrVerify', () => {
  const sk = hexToBytes('c90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b14e5c9');
  const pk = publicKeyOf(sk);

  it('behavior: a signature verifies for its message and key (random aux each time)', () => {
    const msg = new Uint8Array(32).fill(0x5a);
    const a = schnorrSign(msg, sk);
    const b = schnorrSign(msg, sk);
    expect(a.length).toBe(64);
    expect(bytesToHex(a)).not.toBe(bytesToHex(b));
    expect(schnorrVerify(a, msg, pk)).toBe(true);
    expect(schnorrVerify(b, msg, pk)).toBe(true);
  });

  it('behavior: a fixed aux makes signing deterministic', () => {
    const msg = new Uint8Array(32).fill(1);
    const aux = new Uint8Array(32).fill(2);
    expect(schnorrSign(msg, sk, aux)).toEqual(schnorrSign(msg, sk, aux));
  });

  it('error: any flipped bit in the signature, message or key makes verification fail', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.constantFrom('sig', 'msg', 'key'),
        fc.nat(),
        (msg, where, bit) => {
          const sig = schnorrSign(msg, sk, new Uint8Array(32));
          expect(schnorrVerify(sig, msg, pk)).toBe(true);
          if (where === 'sig') expect(schnorrVerify(flipBit(sig, bit % 512), msg, pk)).toBe(false);
          if (where === 'msg') expect(schnorrVerify(sig, flipBit(msg, bit % 256), pk)).toBe(false);
          if (where === 'key') expect(schnorrVerify(sig, msg, flipBit(pk, bit % 256))).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('error: a signature by another key does not verify', () => {
    const msg = new Uint8Array(32).fill(3);
    const other = publicKeyOf(fromBig(5n));
    expect(schnorrVerify(schnorrSign(msg, sk), msg, other)).toBe(false);
  });

  it('error: verify returns false, never throws, for wrong lengths and garbage', () => {
    const msg = new Uint8Array(32).fill(9);
    const sig = schnorrSign(msg, sk, new Uint8Array(32));
    expect(schnorrVerify(sig.subarray(0, 63), msg, pk)).toBe(false);
    expect(schnorrVerify(Uint8Array.of(...sig, 0), msg, pk)).toBe(false);
    expect(schnorrVerify(new Uint8Array(0), msg, pk)).toBe(false);
    expect(schnorrVerify(sig, msg, pk.subarray(0, 31))).toBe(false);
    expect(schnorrVerify(sig, msg, Uint8Array.of(0x02, ...pk))).toBe(false);
    expect(schnorrVerify(sig, msg.subarray(0, 31), pk)).toBe(false);
    expect(schnorrVerify(sig, Uint8Array.of(...msg, 0), pk)).toBe(false);
    // r >= p, s >= n: out-of-range scalars.
    expect(schnorrVerify(Uint8Array.of(...fromBig(P), ...sig.subarray(32)), msg, pk)).toBe(false);
    expect(schnorrVerify(Uint8Array.of(...sig.subarray(0, 32), ...fromBig(N)), msg, pk)).toBe(false);
    expect(schnorrVerify(sig, msg, new Uint8Array(32).fill(0xff))).toBe(false);
    expect(schnorrVerify('not bytes' as unknown as Uint8Array, msg, pk)).toBe(false);
    expect(schnorrVerify(sig, undefined as unknown as Uint8Array, pk)).toBe(false);
  });

  it('error: verify returns false on random bytes of random lengths', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 70 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ maxLength: 40 }),
        (s, m, k) => {
          expect(schnorrVerify(s, m, k)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
