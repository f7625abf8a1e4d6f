/**
 * @module The headless node's database: one LevelDB directory (classic-level) holding what a tab
 * keeps in its IndexedDB chain slot and wallet database, as sublevels. A `batch` across sublevels
 * is atomic, and every batch is written with `sync`, so a write that resolved survives a killed
 * process and a power cut alike.
 *
 * Values that are objects (index entries, coins, undo data, wallet records) are stored in V8's
 * structured-clone format (node:v8 serialize), the same model IndexedDB uses: bigint and
 * Uint8Array survive as they are, with no hand-written codec to drift from the types. Block
 * bodies are their canonical bytes.
 */
import { deserialize, serialize } from 'node:v8';
import { ClassicLevel } from 'classic-level';
import { fillAddressIndex } from './address-index-layout.ts';

function sublevelOf(db: ClassicLevel<string, Uint8Array>, name: string) {
  return db.sublevel<string, Uint8Array>(name, { keyEncoding: 'utf8', valueEncoding: 'view' });
}

export type Sublevel = ReturnType<typeof sublevelOf>;

export interface NodeDatabase {
  readonly db: ClassicLevel<string, Uint8Array>;
  readonly index: Sublevel;
  readonly bodies: Sublevel;
  readonly undo: Sublevel;
  readonly coins: Sublevel;
  /** `<public key hex>!<outpoint>` → empty: the coins a key may spend, without a scan. */
  readonly owners: Sublevel;
  readonly txindex: Sublevel;
  /** The address index: see address-index-layout.ts. */
  readonly addresses: Sublevel;
  readonly meta: Sublevel;
  readonly mempool: Sublevel;
  readonly bans: Sublevel;
  readonly wallets: Sublevel;
  close(): Promise<void>;
}

/**
 * The layout's version, kept in meta; a newer one on disk is refused rather than misread.
 * 2: the address index (built from the stored chain when a layout-1 database opens).
 */
export const NODE_SCHEMA_VERSION = 2;

export class DatabaseVersionError extends Error {
  override readonly name = 'DatabaseVersionError';
}

/** Opens (creating when missing) the database in `directory`. */
export async function openNodeDatabase(directory: string): Promise<NodeDatabase> {
  const db = new ClassicLevel<string, Uint8Array>(directory, { keyEncoding: 'utf8', valueEncoding: 'view' });
  await db.open();
  const sub = (name: string): Sublevel => sublevelOf(db, name);
  const meta = sub('meta');
  const stored = await meta.get('schema');
  const version = stored === undefined ? undefined : Number(new TextDecoder().decode(stored));
  if (version !== undefined && version > NODE_SCHEMA_VERSION) {
    await db.close();
    throw new DatabaseVersionError(`the database in ${directory} has layout ${version}, newer than this node's ${NODE_SCHEMA_VERSION}: use a newer tabchain`);
  }
  const stores = {
    db,
    index: sub('index'),
    bodies: sub('bodies'),
    undo: sub('undo'),
    coins: sub('coins'),
    owners: sub('owners'),
    txindex: sub('txindex'),
    addresses: sub('addresses'),
    meta,
  };
  if (version === 1) {
    try {
      await fillAddressIndex(stores);
    } catch (error) {
      await db.close();
      throw error;
    }
  }
  if (version !== NODE_SCHEMA_VERSION) await db.batch([{ type: 'put', sublevel: meta, key: 'schema', value: text(String(NODE_SCHEMA_VERSION)) }], { sync: true });
  return {
    ...stores,
    mempool: sub('mempool'),
    bans: sub('bans'),
    wallets: sub('wallets'),
    close: () => db.close(),
  };
}

/** A structured value as bytes (bigint, Uint8Array, nested objects and arrays). */
export function pack(value: unknown): Uint8Array {
  return serialize(value);
}

export function unpack<T>(bytes: Uint8Array): T {
  return deserialize(bytes) as T;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export function text(value: string): Uint8Array {
  return utf8.encode(value);
}

export function readText(bytes: Uint8Array): string {
  return fromUtf8.decode(bytes);
}
