/**
 * @module Where a test-network wallet without a passphrase keeps its phrase in the browser: one
 * file per network in the origin-private file system (OPFS). Not in IndexedDB, because Chromium
 * keeps every origin's IndexedDB in one LevelDB whose log and table files hold a record's old
 * versions (and a deleted database's records) until some later compaction: once a passphrase is
 * set, the clear phrase would stay readable on disk. An OPFS file is a file of its own on disk;
 * removing it removes the file (tests/e2e/wallet-at-rest.spec.ts scans the profile to prove it).
 */
import type { NetworkName } from '../../core/index.ts';
import type { PlainPhraseStore } from './plain-phrase-store.ts';

const fileName = (network: NetworkName) => `tabchain-wallet-${network}.phrase`;

/** The OPFS store, or undefined where the browser has no writable OPFS (the record keeps the phrase then). */
export function opfsPlainPhraseStore(): PlainPhraseStore | undefined {
  if (typeof navigator === 'undefined' || typeof navigator.storage?.getDirectory !== 'function') return undefined;
  if (typeof FileSystemFileHandle === 'undefined' || typeof FileSystemFileHandle.prototype.createWritable !== 'function') return undefined;
  const root = () => navigator.storage.getDirectory();
  return {
    async read(network) {
      try {
        const handle = await (await root()).getFileHandle(fileName(network));
        return await (await handle.getFile()).text();
      } catch (error) {
        if (error instanceof DOMException && error.name === 'NotFoundError') return undefined;
        throw error;
      }
    },
    async write(network, phrase) {
      const handle = await (await root()).getFileHandle(fileName(network), { create: true });
      // createWritable writes a swap file and moves it over the old one on close.
      const writable = await handle.createWritable();
      await writable.write(phrase);
      await writable.close();
    },
    async erase(network) {
      try {
        await (await root()).removeEntry(fileName(network));
      } catch (error) {
        if (!(error instanceof DOMException && error.name === 'NotFoundError')) throw error;
      }
    },
  };
}
