/**
 * `browser.bench.ts`'s address reads (issue 15, part 5), on the page whose chain holds the
 * start-up case's 10,000 blocks: `chain.addressHistory` of an address never used (the case that
 * read every block before the address index), of the address every block's coinbase pays (10,000
 * txs: the newest 50), and `wallet.history()` of the page's wallet. Timed in the page with
 * `performance.now()` around each call (the call crosses to the node's worker and back); the
 * first call of each, then the median of ROUNDS more. Prints; never asserts speed.
 */
import type { Page } from '@playwright/test';
import { formatNumber, median } from './harness.ts';

const ROUNDS = 7;
/** Issue 15's measurement on the code before the index (a scan from the tip; a read of every block). */
const BEFORE_MS = { unused: 6_500, wallet: 5_800 };
const GOAL_MS = 100;

interface Reads {
  first: { unused: number; used: number; wallet: number };
  rounds: { unused: number[]; used: number[]; wallet: number[] };
  answers: { unused: { txs: number; complete: boolean }; used: { txs: number; complete: boolean }; wallet: number };
}

export async function benchAddressReads(page: Page, addresses: { unused: string; used: string }, blocks: number): Promise<void> {
  const got: Reads = await page.evaluate(
    async ({ unused, used, rounds }) => {
      const time = async <T>(call: () => Promise<T>): Promise<[number, T]> => {
        const t0 = performance.now();
        const answer = await call();
        return [performance.now() - t0, answer];
      };
      const [wallet, history] = await time(() => window.tabchain.wallet.history());
      const [unusedMs, unusedAnswer] = await time(() => window.tabchain.chain.addressHistory(unused));
      const [usedMs, usedAnswer] = await time(() => window.tabchain.chain.addressHistory(used, { limit: 50 }));
      const out = { unused: [] as number[], used: [] as number[], wallet: [] as number[] };
      for (let i = 0; i < rounds; i++) {
        out.unused.push((await time(() => window.tabchain.chain.addressHistory(unused)))[0]);
        out.used.push((await time(() => window.tabchain.chain.addressHistory(used, { limit: 50 })))[0]);
        out.wallet.push((await time(() => window.tabchain.wallet.history()))[0]);
      }
      return {
        first: { unused: unusedMs, used: usedMs, wallet },
        rounds: out,
        answers: {
          unused: { txs: unusedAnswer.txs.length, complete: unusedAnswer.complete },
          used: { txs: usedAnswer.txs.length, complete: usedAnswer.complete },
          wallet: history.length,
        },
      };
    },
    { ...addresses, rounds: ROUNDS },
  );
  if (!got.answers.unused.complete || got.answers.unused.txs !== 0) throw new Error(`an unused address answered ${JSON.stringify(got.answers.unused)}`);
  if (got.answers.used.txs !== 50 || got.answers.used.complete) throw new Error(`the coinbase address answered ${JSON.stringify(got.answers.used)}`);

  const n = blocks.toLocaleString('en-US');
  const line = (name: string, first: number, rounds: number[], before?: number) =>
    `  ${name.padEnd(46)} first ${formatNumber(first).padStart(6)} ms, then median ${formatNumber(median(rounds)).padStart(6)} ms (${formatNumber(Math.min(...rounds))}–${formatNumber(Math.max(...rounds))})` +
    (before ? `; before: ${formatNumber(before)} ms (${formatNumber(before / Math.max(first, 0.01))}× the first)` : '');
  console.log(`\n== browser address reads: ${n} stored blocks, the address index (goal ≤ ${GOAL_MS} ms), Chromium`);
  console.log(line('address page, unused address (complete)', got.first.unused, got.rounds.unused, BEFORE_MS.unused));
  console.log(line(`address page, coinbase address (newest 50 of ${n})`, got.first.used, got.rounds.used));
  console.log(line(`wallet history (${got.answers.wallet} txs)`, got.first.wallet, got.rounds.wallet, BEFORE_MS.wallet));
  console.log(`  worst first call: ${formatNumber(Math.max(got.first.unused, got.first.used, got.first.wallet))} ms against the goal of ${GOAL_MS} ms`);
  console.log("  note: each call is a message to the node's worker and back; the wallet's keys received nothing in these blocks, so its history is one index read per key (a wallet with many txs reads, once, the blocks holding them)");
  console.log("  note: before = issue 15's measurement of the scan (the explorer read blocks from the tip; the wallet's first history read every block)");
}
