/**
 * @module `npm run node`: its options, and starting the whole headless node from them: one HTTP
 * server with the REST API and this node's signaling endpoint, the node on LevelDB finding peers
 * through its own endpoint and every `--signal` one, and mining when asked. cli.ts is the
 * command; tests start nodes in-process with {@link runNode}.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { NetworkName } from '../core/index.ts';
import { normalizeOrigin } from '../../signaling-server/signaling.ts';
import { jsonLineLogger } from '../../signaling-server/log.ts';
import { createTabchainApi, type TabchainApi } from '../app/tabchain-api.ts';
import { startHeadlessNode, type HeadlessNode } from './start-headless-node.ts';
import { startNodeHttpServer, type NodeHttpServer } from './http-server.ts';
import { createRestHandler, type RestHandler } from './rest-api.ts';

export const usage = `usage: npm run node -- [options]      (or: tabchain-node [options])

  --network main|test   the chain to join (default main)
  --port N              port of the REST API and of this node's /signal (default 5000)
  --host ADDR           address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
  --signal URL          also find peers through this signaling endpoint, ws://host:port/signal
                        (repeatable; another node's, or a signaling server's)
  --data DIR            data directory (default ~/.tabchain/node-<port>)
  --mine                mine from the start
  --workers N           mining threads (default: every core but one)
  --max-peers N         links kept at most (default 8)
  --token TOKEN         require "Authorization: Bearer TOKEN" for /mine, /transactions/new and
                        /nodes/register (default: the TABCHAIN_TOKEN environment variable)
  --origin URL          also let browser tabs served from this origin use /signal (repeatable)
  --verbose             log signaling events and every request as JSON lines on stderr
  -h, --help            this text`;

export interface NodeCommandOptions {
  readonly network: NetworkName;
  readonly port: number;
  readonly host: string;
  readonly signal: string[];
  readonly dataDir: string;
  readonly mine: boolean;
  readonly workers?: number;
  readonly maxPeers?: number;
  readonly token?: string;
  readonly origins: string[];
  readonly verbose: boolean;
}

/** A command line that cannot run (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function integer(text: string | undefined, name: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = /^[0-9]{1,6}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`);
  return n;
}

function signalUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--signal ${JSON.stringify(text)} is not a URL (write ws://host:port/signal)`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new UsageError(`--signal needs a ws:// or wss:// URL such as ws://127.0.0.1:5001/signal, not ${JSON.stringify(text)}`);
  return url.href;
}

/** The options of a command line, or `help`. Throws {@link UsageError}. */
export function parseNodeArgs(argv: string[], env: Record<string, string | undefined> = {}, home: string = homedir()): { help: true } | { help: false; options: NodeCommandOptions } {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        network: { type: 'string' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        signal: { type: 'string', multiple: true },
        data: { type: 'string' },
        mine: { type: 'boolean' },
        workers: { type: 'string' },
        'max-peers': { type: 'string' },
        token: { type: 'string' },
        origin: { type: 'string', multiple: true },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { help: true };
  const network = values.network ?? 'main';
  if (network !== 'main' && network !== 'test') throw new UsageError(`--network is main or test, not ${JSON.stringify(network)}`);
  const port = integer(values.port, 'port', 0, 65535) ?? 5000;
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '') throw new UsageError('--host is empty');
  if (values.token === '') throw new UsageError('--token is empty');
  const token = values.token ?? (env.TABCHAIN_TOKEN ? env.TABCHAIN_TOKEN : undefined);
  let origins: string[];
  try {
    origins = (values.origin ?? []).map(normalizeOrigin);
  } catch (error) {
    throw new UsageError(`--origin: ${(error as Error).message}`);
  }
  if (values.data === '') throw new UsageError('--data is empty');
  const workers = integer(values.workers, 'workers', 1, 64);
  const maxPeers = integer(values['max-peers'], 'max-peers', 0, 64);
  return {
    help: false,
    options: {
      network,
      port,
      host,
      signal: (values.signal ?? []).map(signalUrl),
      dataDir: values.data !== undefined ? resolve(values.data) : join(home, '.tabchain', `node-${port}`),
      mine: values.mine ?? false,
      ...(workers !== undefined ? { workers } : {}),
      ...(maxPeers !== undefined ? { maxPeers } : {}),
      ...(token !== undefined ? { token } : {}),
      origins,
      verbose: values.verbose ?? false,
    },
  };
}

export interface RunningNode {
  readonly http: NodeHttpServer;
  readonly node: HeadlessNode;
  readonly api: TabchainApi;
  /** `http://HOST:PORT`. */
  readonly restUrl: string;
  /** The facts printed at start, one `name: value` line each. */
  readonly facts: string[];
  /** Stops the REST API, signaling and the node (mining, peers, database). */
  close(): Promise<void>;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Starts the HTTP server, then the node behind it. */
export async function runNode(options: NodeCommandOptions, log: { warn(line: string): void } = { warn: () => undefined }): Promise<RunningNode> {
  const verboseLog = options.verbose ? jsonLineLogger((line) => void process.stderr.write(line)) : null;
  const http = await startNodeHttpServer({
    port: options.port,
    host: options.host,
    origins: options.origins,
    logger: verboseLog,
    ...(verboseLog ? { onRequest: (entry: { method: string; path: string; status: number; ms: number }) => verboseLog({ event: 'request', ...entry }) } : {}),
  });
  let node: HeadlessNode;
  try {
    node = await startHeadlessNode({
      network: options.network,
      dataDir: options.dataDir,
      signalingUrl: http.signalUrl,
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      ...(options.maxPeers !== undefined ? { maxPeers: options.maxPeers } : {}),
    });
  } catch (error) {
    await http.close();
    throw error;
  }
  const { services } = node;
  for (const url of options.signal) services.connector.addSignalingServer(url);
  const api = createTabchainApi(options.network, Promise.resolve(services));
  const rest: RestHandler = createRestHandler({
    api,
    connector: services.connector,
    token: options.token,
    onError: (error, request) => {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log.warn(`error answering ${request.method} ${request.path}: ${detail}`);
    },
  });
  http.setHandler(rest);
  if (options.mine) await api.miner.start(options.workers !== undefined ? { workers: options.workers } : {});

  const facts = [
    `network: ${options.network}`,
    `rest: ${http.restUrl}`,
    `signal: ${http.signalUrl}`,
    ...options.signal.map((url) => `also signaling via: ${url}`),
    `data: ${node.dataDir}`,
    `peer id: ${services.identity.peerId}`,
    ...(options.mine ? [`mining: ${services.miner.workerCount()} workers`] : []),
    ...(options.token !== undefined ? ['token: required for /mine, POST /transactions/new and POST /nodes/register'] : []),
  ];
  if (!isLoopback(options.host) && options.token === undefined) {
    log.warn(`warning: listening on ${options.host} without --token: anyone who reaches port ${http.port} can mine and spend this node's coins`);
  }
  let closing: Promise<void> | null = null;
  return {
    http,
    node,
    api,
    restUrl: http.restUrl,
    facts,
    close() {
      closing ??= (async () => {
        rest.close();
        await http.close();
        await node.close();
      })();
      return closing;
    },
  };
}
