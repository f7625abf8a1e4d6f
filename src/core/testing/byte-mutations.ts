/**
 * @module Random damage to encoded bytes, for the codecs' property tests (written once, issue 14):
 * a decoder must refuse or round-trip whatever comes out, never crash or accept garbage.
 */

/** Kinds of damage `mutate` does: 0 truncate, 1 overwrite a byte, 2 insert one, 3 delete one, 4 append bytes. */
export const MUTATION_KINDS = 5;

/**
 * `bytes` damaged one way (`kind`, see MUTATION_KINDS) at `pos` (wrapped to the length): `value`
 * is the byte written or inserted, `extra` the bytes appended.
 */
export function mutate(bytes: Uint8Array, kind: number, pos: number, value: number, extra: Uint8Array): Uint8Array {
  const i = bytes.length === 0 ? 0 : pos % bytes.length;
  const join = (...parts: (Uint8Array | readonly number[])[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
  switch (kind) {
    case 0:
      return bytes.slice(0, i);
    case 1: {
      const out = bytes.slice();
      if (out.length > 0) out[i] = value;
      return out;
    }
    case 2:
      return join(bytes.subarray(0, i), [value], bytes.subarray(i));
    case 3:
      return join(bytes.subarray(0, i), bytes.subarray(i + 1));
    default:
      return join(bytes, extra);
  }
}
