/**
 * @module The headless node's API credential when no `--token` is given, as Bitcoin Core does
 * with its RPC cookie: a random token in `<data>/.cookie`, readable by the user who runs the node
 * only (mode 0600, in a folder of mode 0700). Whoever can read the file may mine and spend, which
 * is who can read the wallet in the same folder anyway. Scripts and the tutorials read it:
 * `curl -H "Authorization: Bearer $(cat DIR/.cookie)" …`.
 *
 * The file is made at the first start and kept across restarts (so a script's header keeps
 * working); a file that is not a token this module wrote is replaced by a new one.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file's name in the data folder. */
export const COOKIE_FILE = '.cookie';
/** 32 random bytes, as 64 hex digits: printable, without spaces, as a Bearer token must be. */
const TOKEN = /^[0-9a-f]{64}$/;

export interface ApiCookie {
  /** The token requests send as `Authorization: Bearer <token>`. */
  readonly token: string;
  /** Where it is. */
  readonly path: string;
  /** Whether this start made it (first start, or the old file was not a token). */
  readonly created: boolean;
}

/**
 * The token in `<dataDir>/.cookie`, made now when the file is missing or not a token. Its mode is
 * set to 0600 every time (a copy or an editor may have widened it).
 */
export function ensureApiCookie(dataDir: string): ApiCookie {
  const path = join(dataDir, COOKIE_FILE);
  let existing: string | null = null;
  try {
    existing = readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (existing !== null && TOKEN.test(existing)) {
    if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    return { token: existing, path, created: false };
  }
  const token = randomBytes(32).toString('hex');
  // Written whole under another name, then renamed: a reader never sees half a token, and the
  // file never exists with a wider mode.
  const partial = `${path}.${process.pid}.tmp`;
  writeFileSync(partial, `${token}\n`, { mode: 0o600, flag: 'w' });
  chmodSync(partial, 0o600);
  renameSync(partial, path);
  return { token, path, created: true };
}
