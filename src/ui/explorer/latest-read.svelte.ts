/**
 * @module One thing an explorer page shows (a block, a tx, an address), read again on every new
 * tip: only the latest read's answer is kept, so a slow earlier read never overwrites a newer one.
 */
import { errorText } from './explorer-errors.ts';

export type ReadPhase = 'loading' | 'found' | 'missing' | 'error';

export class LatestRead<T> {
  /** The last answer found (kept while a later read fails). */
  value = $state<T | null>(null);
  phase = $state<ReadPhase>('loading');
  /** The last read's error text, when phase is 'error'. */
  error = $state('');
  #reads = 0;

  /** Starts a read; its answer (null: not found) is applied only if no later read has started. */
  read(answer: Promise<T | null>): void {
    const seq = ++this.#reads;
    answer.then(
      (found) => {
        if (seq !== this.#reads) return;
        this.value = found;
        this.phase = found ? 'found' : 'missing';
      },
      (e: unknown) => {
        if (seq !== this.#reads) return;
        this.error = errorText(e);
        this.phase = 'error';
      },
    );
  }
}

/** What `readOnChange` needs of the node: its tip and its events. */
interface ChangingNode {
  readonly tip: { readonly hash: string } | null;
  readonly api: { on(event: 'tx-accepted', handler: () => void): () => void };
}

/**
 * Runs `read` now, and again whenever the tip of `node` (a getter: the page's prop) moves (a reorg may keep the height: the hash is
 * what is watched) and, with `txs`, whenever a tx enters the pool. Whatever reactive state `read`
 * uses (the page's id) starts a new read too. Call while a component initializes.
 */
export function readOnChange(node: () => ChangingNode, read: () => void, options: { txs?: boolean } = {}): void {
  const tipHash = $derived(node().tip?.hash ?? null);
  let accepted = $state(0);
  if (options.txs) $effect(() => node().api.on('tx-accepted', () => (accepted += 1)));
  $effect(() => {
    void tipHash;
    void accepted;
    read();
  });
}
