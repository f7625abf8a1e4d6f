/**
 * The graph the connector forms in the simulator (issue 16, part 3), for bench/README.md:
 * `npx tsx bench/sim-graph.ts [npm run sim's options]` runs one simulation and prints, beside its
 * isolated nodes, convergence and reach, the graph 30 s after the last block: links per node,
 * hops from each block's miner to every node (mean and max), the diameter, and the links among
 * the first quarter of the nodes to join against a random graph's share. Printed, never asserted.
 */
import type { PeerId } from '../src/core/index.ts';
import { parseSimOptions } from '../src/sim/sim-options.ts';
import { runSimulation, type ScenarioContext } from '../src/sim/simulation.ts';

/** Distances from `source` to every node it reaches. */
function distances(adjacent: Map<number, number[]>, source: number): Map<number, number> {
  const distance = new Map([[source, 0]]);
  const queue = [source];
  for (let k = 0; k < queue.length; k++) {
    const at = queue[k]!;
    for (const next of adjacent.get(at) ?? []) {
      if (!distance.has(next)) {
        distance.set(next, distance.get(at)! + 1);
        queue.push(next);
      }
    }
  }
  return distance;
}

async function main(): Promise<void> {
  const options = parseSimOptions(process.argv.slice(2));
  const joinOrder: number[] = [];
  const edges: [number, number][] = [];
  const alive: number[] = [];
  const linked = new Set<string>();
  const scenario = (context: ScenarioContext): void => {
    const index = new Map<PeerId, number>();
    const byPeer = (id: PeerId): number => {
      if (index.size !== context.nodes.length) for (const [i, n] of context.nodes.entries()) index.set(n.identity.peerId, i);
      return index.get(id) ?? -1;
    };
    const seen = new Set<number>();
    const note = (id: PeerId): void => {
      const i = byPeer(id);
      if (i >= 0 && !seen.has(i)) {
        seen.add(i);
        joinOrder.push(i);
      }
    };
    // The server asks about every member already in the room as a node joins: those joined before it.
    context.server.introduces = (joiner, other) => {
      note(other);
      note(joiner);
      return true;
    };
    context.scheduler.at(context.blockTimes.at(-1)! + 30_000, () => {
      for (const [i, n] of context.nodes.entries()) {
        if (!n.host.alive) continue;
        alive.push(i);
        for (const peer of n.network.readyPeerIds()) {
          const j = byPeer(peer);
          // Either side's view: a link closing is seen by one side a trip before the other.
          if (j >= 0 && j !== i) linked.add(`${Math.min(i, j)} ${Math.max(i, j)}`);
        }
      }
      for (const key of linked) edges.push(key.split(' ').map(Number) as [number, number]);
    });
  };
  const report = await runSimulation(options, scenario);
  const adjacent = new Map<number, number[]>(alive.map((i) => [i, []]));
  for (const [a, b] of edges) {
    if (!adjacent.has(a) || !adjacent.has(b)) continue;
    adjacent.get(a)!.push(b);
    adjacent.get(b)!.push(a);
  }
  const s = report.summary;
  const miners = [...new Set(report.blocks.map((b) => b.miner))];
  const hops: number[] = [];
  let unreachable = 0;
  for (const miner of miners) {
    if (!adjacent.has(miner)) continue;
    const d = distances(adjacent, miner);
    unreachable += alive.length - d.size;
    for (const [node, h] of d) if (node !== miner) hops.push(h);
  }
  let diameter = 0;
  for (const source of alive) {
    const d = distances(adjacent, source);
    diameter = d.size < alive.length ? Infinity : Math.max(diameter, ...d.values());
    if (diameter === Infinity) break;
  }
  const quarter = Math.max(2, Math.floor(joinOrder.length / 4));
  const first = new Set(joinOrder.slice(0, quarter));
  const among = edges.filter(([a, b]) => first.has(a) && first.has(b)).length;
  const pairs = (n: number) => (n * (n - 1)) / 2;
  const random = (edges.length * pairs(quarter)) / pairs(alive.length);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const fmt = (v: number | null) => (v === null ? 'never' : `${v.toFixed(3)} s`);
  console.log(
    [
      `${options.nodes} nodes, degree ${options.degree}, seed ${options.seed}: isolated ${s.peers.isolated}, converged ${s.converged}/${s.nodesAtEnd}, peers min ${s.peers.min} mean ${s.peers.mean} max ${s.peers.max}`,
      `reach 99 %: p50 ${fmt(s.reach99.p50)}, p99 ${fmt(s.reach99.p99)}; reach 90 %: p50 ${fmt(s.reach90.p50)}`,
      `hops from the miners: mean ${mean(hops).toFixed(2)}, max ${hops.length ? Math.max(...hops) : NaN}, unreachable ${unreachable}; diameter ${diameter}`,
      `links among the first ${quarter} to join: ${among} (a random graph with these ${edges.length} links: ${random.toFixed(1)})`,
      `real ${report.real.wallSeconds} s`,
    ].join('\n'),
  );
}

await main();
