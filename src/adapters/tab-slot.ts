/**
 * @module Which chain database this tab uses. Every tab is its own node with its own database;
 * a tab claims a numbered slot with the Web Locks API and holds the lock for its whole life, so a
 * new tab takes the first slot no living tab holds and chains are reused across visits.
 */

export interface TabSlot {
  readonly slot: number;
  /** The chain database of this slot. */
  readonly databaseName: string;
  /** Lets another tab take the slot (the lock is also released when the tab closes). */
  release(): void;
}

export const MAX_SLOTS = 32;

export function chainDatabaseName(network: string, slot: number): string {
  return `tabchain-chain-${network}-${slot}`;
}

/** Claims the lowest free slot for `network`. Throws when every slot is taken. */
export async function claimTabSlot(network: string, locks: LockManager = navigator.locks): Promise<TabSlot> {
  for (let slot = 0; slot < MAX_SLOTS; slot++) {
    const release = await tryHold(locks, `tabchain-slot-${network}-${slot}`);
    if (release) return { slot, databaseName: chainDatabaseName(network, slot), release };
  }
  throw new Error(`all ${MAX_SLOTS} node slots of this browser are in use: close a tabchain tab`);
}

/** Takes a lock if it is free and holds it until the returned function is called. */
function tryHold(locks: LockManager, name: string): Promise<(() => void) | undefined> {
  return new Promise((resolve, reject) => {
    locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(undefined);
          return undefined;
        }
        // The lock is held for as long as this promise is pending.
        return new Promise<void>((release) => resolve(() => release()));
      })
      .catch(reject);
  });
}
