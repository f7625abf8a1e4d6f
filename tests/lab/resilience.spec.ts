/**
 * Links on bad networks (tests/lab/README.md): a home's uplink lost for 30 s and restored, and
 * 100 ms of delay and 1% loss each way between the homes. Both homes behind endpoint-independent
 * NATs, on the app server that hands out STUN and TURN.
 */
import { expect, linked, mine, readyPeers, sameTip, test, tip } from './fixtures.ts';

const CUT_MS = 30_000;

test('one home loses its uplink for 30 s: the homes relink and converge on the longer chain', async ({ lab }) => {
  await lab.homes('eim', 'eim');
  const a = await lab.tab(1, 'full');
  const b = await lab.tab(2, 'full');
  await linked([a, b]);
  await mine(a, 2);
  await sameTip([a, b]);
  // What the tabs go through, for the report (not asserted: whether ICE gives the link up within
  // 30 s, or the heartbeat notices the dead signaling socket first, is the browser's timing).
  for (const t of [a, b]) {
    await t.page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __labSeen: string[] }).__labSeen = seen;
      window.tabchain.on('peer-disconnected', () => seen.push('link lost'));
      window.tabchain.on('peer-connected', () => seen.push('link made'));
      window.tabchain.on('signaling', (s) => seen.push(`signaling ${(s as { status?: string }).status ?? JSON.stringify(s)}`));
    });
  }

  lab.uplink(1, 'down');
  const cutAt = Date.now();
  // Both sides go on alone: A makes a short fork, B a longer chain.
  await mine(a, 1);
  await mine(b, 3);
  expect((await tip(a)).height).toBe(3);
  expect((await tip(b)).height).toBe(5);
  // The cut lasts its 30 s whatever the tabs do (this is the scenario, not a wait for a result).
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, CUT_MS - (Date.now() - cutAt))));
  lab.uplink(1, 'up');

  // A relinks by itself and takes B's chain (more work); then a block from A reaches B.
  await expect.poll(async () => (await tip(a)).hash, { timeout: 120_000, message: "A reaches B's tip after the cut" }).toBe((await tip(b)).hash);
  await linked([a, b], 60_000);
  await expect.poll(() => a.page.evaluate(async () => (await window.tabchain.self()).signaling), { timeout: 60_000 }).toBe('online');
  await mine(a, 1);
  const end = await sameTip([a, b]);
  expect(end.height).toBe(6);
  for (const [name, t] of [['A (cut)', a], ['B', b]] as const) {
    const seen = await t.page.evaluate(() => (window as unknown as { __labSeen: string[] }).__labSeen);
    const description = seen.join(', ') || 'the link lived through the cut';
    test.info().annotations.push({ type: name, description });
    console.log(`${name}: ${description}`);
  }
});

test('100 ms of delay and 1% loss between the homes: they still link and sync, and the link reports the delay', async ({ lab }) => {
  // Each uplink: 50 ms and 0.5% each way (tests/lab/wire.py, as the kernel may have no netem).
  await lab.homes('eim', 'eim', { slow: true });
  const a = await lab.tab(1, 'full');
  const b = await lab.tab(2, 'full');
  await linked([a, b], 90_000);
  await mine(a, 3);
  await sameTip([a, b], 90_000);
  await mine(b, 2);
  await sameTip([b, a], 90_000);
  // Every packet between the homes crosses both slow uplinks: 100 ms each way, 200 ms round trip.
  await expect.poll(async () => (await readyPeers(a))[0]?.rttMs ?? null, { timeout: 30_000 }).not.toBeNull();
  expect((await readyPeers(a))[0]!.rttMs!).toBeGreaterThanOrEqual(190);
});
