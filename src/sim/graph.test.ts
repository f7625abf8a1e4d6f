/**
 * The graph the real PeerConnector forms (issue 16, part 3), in whole simulations at small N over
 * several seeds: after the topology settles no node is isolated and every node converges; the graph
 * is well mixed (the first quarter of the nodes to join hold about the share of links among
 * themselves a random graph gives them, not a cluster; few hops between any two nodes); nodes
 * joining late (churn) get links; the page's connection budget is counted as in a tab. Nothing
 * here is timed.
 */
import { describe, expect, it } from 'vitest';
import type { PeerId } from '../core/index.ts';
import { DEFAULT_OPTIONS, type SimOptions } from './sim-options.ts';
import { runSimulation, type ScenarioContext } from './simulation.ts';

const small = (over: Partial<SimOptions>): SimOptions => ({ ...DEFAULT_OPTIONS, sigUs: 80, warmupS: 40, spacingS: 20, ...over });

/** The ready links between nodes alive at one moment (node indexes), and the order the nodes joined the signaling server. */
interface GraphSnapshot {
  joinOrder: number[];
  edges: [number, number][];
  alive: number[];
  late: number[];
  /** Each alive node's connection budget as its connector counts it. */
  budgets: { created: number; live: number; limit: number }[];
}

/** Runs a simulation, taking the graph `afterLastBlockMs` after the last block. */
async function runAndSnapshot(options: SimOptions, afterLastBlockMs = 55_000) {
  const snapshot: GraphSnapshot = { joinOrder: [], edges: [], alive: [], late: [], budgets: [] };
  const linked = new Set<string>();
  const scenario = (context: ScenarioContext): void => {
    const byPeer = (id: PeerId) => context.nodes.findIndex((n) => n.identity.peerId === id);
    const seen = new Set<number>();
    const note = (id: PeerId): void => {
      const i = byPeer(id);
      if (i >= 0 && !seen.has(i)) {
        seen.add(i);
        snapshot.joinOrder.push(i);
      }
    };
    // The server asks about every member already in the room as a node joins: those joined before it.
    context.server.introduces = (joiner, other) => {
      note(other);
      note(joiner);
      return true;
    };
    context.scheduler.at(context.blockTimes.at(-1)! + afterLastBlockMs, () => {
      const nodes = context.nodes;
      for (const [i, n] of nodes.entries()) {
        if (!n.host.alive) continue;
        snapshot.alive.push(i);
        const c = n.connector.connectivity();
        snapshot.budgets.push({ created: c.connectionsCreated, live: c.connectionsLive, limit: c.connectionBudget });
        if (n.startedAt > context.warmupMs) snapshot.late.push(i);
        for (const peer of n.network.readyPeerIds()) {
          const j = byPeer(peer);
          // Either side's view: a link closing is seen by one side a trip before the other.
          if (j >= 0 && j !== i) linked.add(`${Math.min(i, j)} ${Math.max(i, j)}`);
        }
      }
      for (const key of linked) snapshot.edges.push(key.split(' ').map(Number) as [number, number]);
    });
  };
  const report = await runSimulation(options, scenario);
  return { report, snapshot };
}

/** Longest shortest path between alive nodes (Infinity when the graph is not connected). */
function diameter(alive: number[], edges: [number, number][]): number {
  const adjacent = new Map<number, number[]>(alive.map((i) => [i, []]));
  for (const [a, b] of edges) {
    adjacent.get(a)?.push(b);
    adjacent.get(b)?.push(a);
  }
  let longest = 0;
  for (const source of alive) {
    const distance = new Map([[source, 0]]);
    const queue = [source];
    while (queue.length > 0) {
      const at = queue.shift()!;
      for (const next of adjacent.get(at) ?? []) {
        if (!distance.has(next)) {
          distance.set(next, distance.get(at)! + 1);
          queue.push(next);
        }
      }
    }
    if (distance.size < alive.length) return Infinity;
    longest = Math.max(longest, ...distance.values());
  }
  return longest;
}

describe('the graph the connector forms', () => {
  it.each([1, 2, 3])(
    'behavior: seed %i: 24 nodes of degree 8 end with no node isolated, all converged, a well-mixed graph (the first quarter to join hold no more than twice a random share of links among themselves) a few hops across',
    async (seed) => {
      const { report, snapshot } = await runAndSnapshot(small({ nodes: 24, degree: 8, blocks: 2, txs: 4, miners: 2, seed, latencyMs: 50, jitterMs: 20, warmupS: 120 }));
      const s = report.summary;
      expect(s.errors).toEqual([]);
      expect(s.peers.isolated).toBe(0);
      expect(s.converged).toBe(24);
      // Every link has one chooser and a tab chooses 3: about 6 links a node, at most 8.
      expect(s.peers.mean).toBeGreaterThanOrEqual(5);
      expect(s.peers.max).toBeLessThanOrEqual(8);
      expect(snapshot.joinOrder).toHaveLength(24);
      const first = new Set(snapshot.joinOrder.slice(0, 6));
      const among = snapshot.edges.filter(([a, b]) => first.has(a) && first.has(b)).length;
      // A random graph with these edges puts C(6,2)/C(24,2) of them among any 6 nodes.
      const random = (snapshot.edges.length * 15) / 276;
      expect(among).toBeLessThanOrEqual(2 * random);
      expect(diameter(snapshot.alive, snapshot.edges)).toBeLessThanOrEqual(4);
    },
    180_000,
  );

  it('behavior: with churn (nodes leaving and new ones joining after the warm-up), the late joiners get links and every node converges', async () => {
    const { report, snapshot } = await runAndSnapshot(small({ nodes: 20, degree: 8, blocks: 3, txs: 4, miners: 2, seed: 5, churnPerMin: 0.1, latencyMs: 50, jitterMs: 20 }));
    const s = report.summary;
    expect(s.errors).toEqual([]);
    expect(s.nodesJoined).toBeGreaterThan(0);
    expect(snapshot.late.length).toBeGreaterThan(0);
    expect(s.peers.isolated).toBe(0);
    expect(s.converged).toBe(s.nodesAtEnd);
    const degree = new Map<number, number>();
    for (const [a, b] of snapshot.edges) for (const n of [a, b]) degree.set(n, (degree.get(n) ?? 0) + 1);
    for (const n of snapshot.late) expect(degree.get(n) ?? 0).toBeGreaterThanOrEqual(2);
    // The page's connection budget is the real one: every connection made counts until
    // collected, a while after it closed, and none went past the limit.
    for (const b of snapshot.budgets) {
      expect(b.limit).toBe(400);
      expect(b.live).toBeLessThanOrEqual(b.limit);
      expect(b.created).toBeGreaterThanOrEqual(b.live);
    }
    expect(snapshot.budgets.some((b) => b.created > b.live)).toBe(true);
  }, 180_000);
});
