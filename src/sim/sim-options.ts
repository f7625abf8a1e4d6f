/**
 * @module The simulator's options, their defaults and the parsing of `npm run sim -- …`: a bad
 * option is a {@link SimOptionError} (the CLI prints it and exits 2 without running).
 */
import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, mainParams } from '../core/index.ts';

export interface SimOptions {
  readonly nodes: number;
  /** Each node's max peers. */
  readonly degree: number;
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly loss: number;
  readonly bandwidthMbit: number;
  readonly blocks: number;
  /** Txs relayed into mempools before each block. */
  readonly txs: number;
  readonly miners: number;
  /** Fraction of the nodes replaced per simulated minute. */
  readonly churnPerMin: number;
  readonly seed: number;
  /** Mean seconds between blocks (Poisson). */
  readonly spacingS: number;
  /** Simulated seconds for the nodes to join and link before the first block's txs. */
  readonly warmupS: number;
  /** Virtual µs per signature verified; undefined: measured on this machine at start-up. */
  readonly sigUs: number | undefined;
  /** Virtual µs per message handled. */
  readonly messageUs: number;
  /**
   * The protocol every node speaks: 3 (compact block relay) or 2 (whole blocks after an inv or
   * headers announcement): the before and after of compact blocks, on the same seed.
   */
  readonly protocol: number;
  readonly json: string | undefined;
  readonly html: string | undefined;
  /** One of the scenarios (src/sim/scenarios/), or none. */
  readonly scenario: ScenarioName | undefined;
}

/** The scenarios `--scenario` runs (src/sim/scenarios/scenarios.ts). */
export const SCENARIO_NAMES = ['partition', 'eclipse', 'churn', 'flood'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export const DEFAULT_OPTIONS: SimOptions = {
  nodes: 100,
  degree: 8,
  latencyMs: 100,
  jitterMs: 50,
  loss: 0.01,
  bandwidthMbit: 20,
  blocks: 10,
  txs: 100,
  miners: 10,
  churnPerMin: 0,
  seed: 1,
  // The main network's target: propagation is measured at the rhythm the tabs mine at (the
  // simulated chain is regtest-like, with a trivial target, so finding a block costs nothing).
  spacingS: mainParams.targetSpacing,
  warmupS: 60,
  sigUs: undefined,
  messageUs: 50,
  protocol: PROTOCOL_VERSION,
  json: undefined,
  html: undefined,
  scenario: undefined,
};

export class SimOptionError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
    this.name = 'SimOptionError';
  }
}

type NumberKey = { [K in keyof SimOptions]: SimOptions[K] extends number | undefined ? K : never }[keyof SimOptions];

/** Each numeric flag: the option it sets, and its bounds (integers where `int`). */
const NUMBER_FLAGS: Record<string, { key: NumberKey; min: number; max: number; int?: boolean }> = {
  '--nodes': { key: 'nodes', min: 2, max: 100_000, int: true },
  '--degree': { key: 'degree', min: 1, max: 1000, int: true },
  '--latency': { key: 'latencyMs', min: 0, max: 60_000 },
  '--jitter': { key: 'jitterMs', min: 0, max: 60_000 },
  '--loss': { key: 'loss', min: 0, max: 0.5 },
  '--bandwidth': { key: 'bandwidthMbit', min: 0, max: 1_000_000 },
  '--blocks': { key: 'blocks', min: 1, max: 10_000, int: true },
  '--txs': { key: 'txs', min: 0, max: 1500, int: true },
  '--miners': { key: 'miners', min: 1, max: 100_000, int: true },
  '--churn': { key: 'churnPerMin', min: 0, max: 1 },
  '--seed': { key: 'seed', min: 0, max: 0xffffffff, int: true },
  '--spacing': { key: 'spacingS', min: 0.1, max: 86_400 },
  '--warmup': { key: 'warmupS', min: 1, max: 86_400 },
  '--sig-us': { key: 'sigUs', min: 0, max: 1_000_000 },
  '--message-us': { key: 'messageUs', min: 0, max: 1_000_000 },
  '--protocol': { key: 'protocol', min: MIN_PROTOCOL_VERSION, max: PROTOCOL_VERSION, int: true },
};

/** Parses CLI arguments (`--flag value` or `--flag=value`) over the defaults. */
export function parseSimOptions(argv: readonly string[]): SimOptions {
  const options: Record<string, unknown> = { ...DEFAULT_OPTIONS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (flag === '--scenario') {
      if (!SCENARIO_NAMES.includes(value as ScenarioName)) throw new SimOptionError(flag, `one of ${SCENARIO_NAMES.join(', ')}: ${value ?? 'nothing'}`);
      options['scenario'] = value;
      continue;
    }
    if (flag === '--json' || flag === '--html') {
      if (value === undefined || value === '' || value.startsWith('--')) throw new SimOptionError(flag, 'needs a file name');
      options[flag.slice(2)] = value;
      continue;
    }
    const spec = NUMBER_FLAGS[flag];
    if (!spec) throw new SimOptionError(flag, `unknown option (known: ${[...Object.keys(NUMBER_FLAGS), '--json', '--html', '--scenario'].join(' ')})`);
    if (value === undefined || value.trim() === '') throw new SimOptionError(flag, 'needs a value');
    const n = Number(value);
    if (!Number.isFinite(n)) throw new SimOptionError(flag, `not a number: ${value}`);
    if (spec.int && !Number.isInteger(n)) throw new SimOptionError(flag, `must be a whole number: ${value}`);
    if (n < spec.min || n > spec.max) throw new SimOptionError(flag, `must be in ${spec.min}..${spec.max}: ${value}`);
    options[spec.key] = n;
  }
  const parsed = options as unknown as SimOptions;
  if (parsed.miners > parsed.nodes) throw new SimOptionError('--miners', `${parsed.miners} miners but only ${parsed.nodes} nodes`);
  if (parsed.jitterMs > parsed.latencyMs) throw new SimOptionError('--jitter', `above the latency (${parsed.latencyMs} ms): links would have negative latency`);
  return parsed;
}

/** What `--help` prints: every option with its default. */
export function simUsage(): string {
  const d = DEFAULT_OPTIONS;
  return [
    'npm run sim -- [options]   N real nodes on a virtual clock; prints block propagation, bytes and the graph',
    `  --nodes N          simulated nodes (${d.nodes})`,
    `  --degree D         each node's max peers (${d.degree})`,
    `  --latency MS       one-way link latency (${d.latencyMs})`,
    `  --jitter MS        latency jitter, order kept (${d.jitterMs})`,
    `  --loss F           chunk loss, as a retransmission delay (${d.loss})`,
    `  --bandwidth MBIT   each node's uplink (${d.bandwidthMbit})`,
    `  --blocks N         blocks to find (${d.blocks})`,
    `  --txs N            txs per block, relayed into mempools before it (${d.txs})`,
    `  --miners N         nodes that mine, sharing the hash rate (${d.miners})`,
    `  --churn F          share of nodes replaced per simulated minute (${d.churnPerMin})`,
    `  --seed N           the run's seed: same seed and options, same run (${d.seed})`,
    `  --spacing S        mean seconds between blocks (${d.spacingS})`,
    `  --warmup S         simulated seconds for the graph to form before txs and blocks (${d.warmupS})`,
    '  --sig-us US        virtual µs charged per signature check (default: measured at start-up)',
    `  --message-us US    virtual µs charged per message handled (${d.messageUs})`,
    `  --protocol V       the protocol every node speaks: ${PROTOCOL_VERSION} compact blocks, ${MIN_PROTOCOL_VERSION} whole blocks (${d.protocol})`,
    '  --json FILE        the whole report (summary.reach99.p50/p99, bytesPerNodePerBlock, blockBytes, per block)',
    '  --html FILE        the propagation CDF as a self-contained page',
    '  --scenario NAME    one of the issue\'s scenarios, its outcome printed under the summary (and in --json as `scenario`):',
    '                     partition  the nodes in halves (each with half the miners) for 10 simulated minutes from the',
    '                                end of the warm-up, then healed: do they link up again and converge? (needs blocks',
    '                                past the heal: --blocks x --spacing of 12 minutes or more)',
    '                     eclipse    the signaling server shows one node only attackers (as many as --degree, non-mining',
    '                                nodes kept apart with it): does it get the best chain, or say its tip is stale?',
    '                     churn      --churn 0.3 unless given: does every node up for a minute converge, and do blocks',
    '                                reach the nodes alive when found?',
    '                     flood      5 % of the nodes (never miners) flood invalid txs and compact blocks from the end of',
    '                                the warm-up: are they banned, and is honest propagation as in the clean run of the',
    '                                same seed (run first)?',
  ].join('\n');
}
