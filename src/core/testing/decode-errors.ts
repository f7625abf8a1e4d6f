/**
 * @module Assertions on decode errors for the codec tests (written once, issue 14): the error a
 * decoder throws for bad bytes, with its code and offset. Plain throws, so any test runner
 * reports them.
 */
import { DecodeError, type DecodeErrorCode } from '../encoding/decode-error.ts';

/** The DecodeError `fn` throws; an Error when it throws nothing or something else. */
export function decodeErrorOf(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw new Error(`expected a DecodeError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
  }
  throw new Error('expected a DecodeError, nothing was thrown');
}

/** Checks that `fn` throws a DecodeError with `code` (at `offset`, when given), and returns it. */
export function expectDecodeError(fn: () => unknown, code: DecodeErrorCode, offset?: number): DecodeError {
  const error = decodeErrorOf(fn);
  if (error.code !== code) throw new Error(`expected decode error ${code}, got ${error.code}: ${error.message}`);
  if (offset !== undefined && error.offset !== offset) throw new Error(`expected decode error ${code} at offset ${offset}, got offset ${error.offset}: ${error.message}`);
  return error;
}
