/**
 * @module What a promise rejects with, for tests that look at the error itself (its class, code
 * and fields); throws when it fulfils instead.
 */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
