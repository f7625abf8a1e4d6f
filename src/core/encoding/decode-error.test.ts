import { describe, expect, it } from 'vitest';
import { ByteReader } from './byte-reader.ts';
import { DecodeError } from './decode-error.ts';

describe('DecodeError', () => {
  it('behavior: carries its code and offset and names itself', () => {
    const e = new DecodeError('limit-exceeded', 'memo length: 81 is above the limit 80', 42);
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(DecodeError);
    expect(e.name).toBe('DecodeError');
    expect(e.code).toBe('limit-exceeded');
    expect(e.offset).toBe(42);
    expect(e.message).toBe('memo length: 81 is above the limit 80 (at byte 42)');
    expect(String(e)).toBe('DecodeError: memo length: 81 is above the limit 80 (at byte 42)');
  });

  it.each(['truncated', 'trailing-bytes', 'non-canonical', 'limit-exceeded', 'invalid-value'] as const)('behavior: accepts the code %s', (code) => {
    expect(new DecodeError(code, 'x', 0).code).toBe(code);
  });

  it('error: what ByteReader throws is a DecodeError with a stack', () => {
    let caught: unknown;
    try {
      new ByteReader(new Uint8Array(0)).u8('tx version');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DecodeError);
    expect((caught as DecodeError).code).toBe('truncated');
    expect((caught as DecodeError).offset).toBe(0);
    expect((caught as DecodeError).message).toBe('tx version: needs 1 bytes, 0 left (at byte 0)');
    expect(typeof (caught as DecodeError).stack).toBe('string');
  });
});
