/**
 * @module Where an unencrypted (test network) wallet's recovery phrase is kept, outside the
 * wallet database: a database keeps old versions of a record in its log and table files after the
 * record is overwritten, so `erase` must leave no readable copy (a deleted file). Implemented by
 * the browser's origin-private file system (opfs-plain-phrase.ts) and the headless node's data
 * folder (file-plain-phrase.ts).
 */
import type { NetworkName } from '../../core/index.ts';

export interface PlainPhraseStore {
  read(network: NetworkName): Promise<string | undefined>;
  write(network: NetworkName, phrase: string): Promise<void>;
  erase(network: NetworkName): Promise<void>;
}
