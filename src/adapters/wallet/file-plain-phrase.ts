/**
 * @module Where the headless node keeps an unencrypted (test network, or `--insecure-plain-wallet`)
 * wallet's phrase: a file of its own in the data folder, mode 0600, not in LevelDB (whose log and
 * table files keep a record's old versions after it is overwritten). Setting a passphrase deletes
 * the file, which leaves no readable copy (src/headless/wallet-at-rest.test.ts scans the folder).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkName } from '../../core/index.ts';
import type { PlainPhraseStore } from './plain-phrase-store.ts';

export function filePlainPhraseStore(dir: string): PlainPhraseStore {
  const path = (network: NetworkName) => join(dir, `wallet-${network}.phrase`);
  return {
    async read(network) {
      try {
        return readFileSync(path(network), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async write(network, phrase) {
      // A new file moved over the old one: a crash never leaves a half-written phrase.
      const temporary = `${path(network)}.${randomBytes(4).toString('hex')}.tmp`;
      writeFileSync(temporary, phrase, { mode: 0o600, flush: true });
      renameSync(temporary, path(network));
    },
    async erase(network) {
      rmSync(path(network), { force: true });
    },
  };
}
