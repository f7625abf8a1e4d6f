/**
 * @module `npm run node`: its options, and starting the whole headless node from them: one HTTP
 * server with the REST API and this node's signaling endpoint, the node on LevelDB finding peers
 * through its own endpoint and every `--signal` one, and mining when asked. cli.ts is the
 * command; tests start nodes in-process with {@link runNode}.
 */
import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { homedir, networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isNetworkName, type NetworkName } from '../core/index.ts';
import { normalizeOrigin } from '../../signaling-server/allowed-origins.ts';
import { jsonLineLogger } from '../../signaling-server/log.ts';
import { createTabchainApi, type TabchainApi } from '../app/tabchain-api.ts';
import { startHeadlessNode, type HeadlessNode } from './start-headless-node.ts';
import { startNodeHttpServer, urlHost, type NodeHttpServer } from './http-server.ts';
import { ICE_FLAGS_USAGE, ICE_FLAG_OPTIONS, iceSummary, parseIceFlags } from '../../signaling-server/server-flags.ts';
import type { IceServersOption } from '../../signaling-server/ice-servers.ts';
import { createRestHandler, type RestHandler } from './rest-api.ts';
import { settingsNodeStore } from './rest/node-list-store.ts';
import { ensureApiCookie } from './api-cookie.ts';

export const usage = `usage: npm run node -- [options]      (or: tabchain-node [options])

  --network main|test|regtest
                        the chain to join (default main; regtest mines at a trivial
                        fixed difficulty, for tests and demos)
  --port N              port of the REST API and of this node's /signal (default 5000)
  --host ADDR           address to listen on (default 127.0.0.1; 0.0.0.0 for every interface).
                        The REST API answers requests for localhost, 127.0.0.1, [::1] and ADDR
                        only (421 otherwise, against DNS rebinding); on 0.0.0.0 or :: it answers
                        any host name, or loopback names only with --insecure
  --signal URL          also find peers through this signaling endpoint, ws://host:port/signal
                        (repeatable; another node's, or a signaling server's)
  --data DIR            data directory (default ~/.tabchain/node-<port>). It holds the wallet
                        (sealed under its passphrase, or on the test network maybe not): it is
                        made private to your user (mode 700) at every start
  --passphrase-file FILE
                        the wallet's passphrase, read from FILE (one trailing newline ignored;
                        or the TABCHAIN_PASSPHRASE_FILE environment variable). A new wallet is
                        created sealed under it, a sealed one unlocked, an unencrypted one
                        sealed. On main a new wallet needs it: the node refuses to start
                        without it unless --insecure-plain-wallet
  --insecure-plain-wallet
                        let a new main-network wallet keep its recovery phrase unencrypted in
                        the data directory
  --mine                mine from the start
  --workers N           mining threads (default: every core but one)
  --max-peers N         links kept at most (default 8)
  --token TOKEN         the API credential: /mine, /transactions/new, /nodes/register,
                        DELETE /nodes and /wallet need "Authorization: Bearer TOKEN";
                        printable ASCII, no spaces. Prefer the TABCHAIN_TOKEN environment
                        variable: other users can read --token in the process list (ps).
                        Without either, the token is a random one the node keeps in
                        DIR/.cookie (mode 600; made at the first start), as Bitcoin Core does:
                        curl -H "Authorization: Bearer $(cat DIR/.cookie)" …
  --insecure            no API credential at all: any program that reaches the port (with a
                        --host beyond loopback, any machine) may mine and spend this node's
                        coins. The only way to serve the API without one
  --origin URL          also let web pages served from this origin use /signal and the REST
                        API (repeatable; pages of other origins get 403)
  --verbose             log signaling events and every request as JSON lines on stderr
  --trust-proxy         behind a reverse proxy (Caddy, nginx): count clients by the last
                        X-Forwarded-For entry (requests in progress and /signal sockets per
                        client; the socket cap per address is left to the proxy), send HSTS
                        when X-Forwarded-Proto is https, and answer the Host names the proxy
                        forwards (only while the API needs a token). Only where clients reach
                        the port through the proxy alone (--host 127.0.0.1, the proxy on this
                        machine): otherwise they could claim any address
${ICE_FLAGS_USAGE}
                        Handed to the tabs and nodes that find peers through this node's
                        /signal; this node uses what its own /signal hands out
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
  /** `--insecure`: the API needs no credential (no token, no cookie). */
  readonly insecure?: boolean;
  readonly origins: string[];
  readonly verbose: boolean;
  /** STUN and TURN servers this node's /signal hands out (and the node itself uses). */
  readonly iceServers?: IceServersOption;
  /** File holding the wallet's passphrase (`--passphrase-file`, TABCHAIN_PASSPHRASE_FILE). */
  readonly passphraseFile?: string;
  /** `--insecure-plain-wallet`. */
  readonly insecurePlainWallet?: boolean;
  /** `--trust-proxy`: behind a reverse proxy, clients are told apart by X-Forwarded-For (http-server.ts). */
  readonly trustProxy?: boolean;
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
        insecure: { type: 'boolean' },
        origin: { type: 'string', multiple: true },
        verbose: { type: 'boolean' },
        'passphrase-file': { type: 'string' },
        'insecure-plain-wallet': { type: 'boolean' },
        'trust-proxy': { type: 'boolean' },
        ...ICE_FLAG_OPTIONS,
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
  if (!isNetworkName(network)) throw new UsageError(`--network is main, test or regtest, not ${JSON.stringify(network)}`);
  const port = integer(values.port, 'port', 0, 65535) ?? 5000;
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '') throw new UsageError('--host is empty');
  if (values.token === '') throw new UsageError('--token is empty');
  const token = values.token ?? (env.TABCHAIN_TOKEN ? env.TABCHAIN_TOKEN : undefined);
  // A header value cannot carry spaces or non-ASCII characters as they were typed: such a token
  // could never match.
  if (token !== undefined && !/^[\x21-\x7e]+$/.test(token)) {
    throw new UsageError(`${values.token !== undefined ? '--token' : 'TABCHAIN_TOKEN'} must be printable ASCII without spaces (it is sent as "Authorization: Bearer TOKEN")`);
  }
  if (token !== undefined && values.insecure) throw new UsageError(`--insecure and ${values.token !== undefined ? '--token' : 'TABCHAIN_TOKEN'} contradict each other: give one`);
  let origins: string[];
  try {
    origins = (values.origin ?? []).map(normalizeOrigin);
  } catch (error) {
    throw new UsageError(`--origin: ${(error as Error).message}`);
  }
  if (values.data === '') throw new UsageError('--data is empty');
  if (values['passphrase-file'] === '') throw new UsageError('--passphrase-file is empty');
  const passphraseFile = values['passphrase-file'] ?? (env.TABCHAIN_PASSPHRASE_FILE ? env.TABCHAIN_PASSPHRASE_FILE : undefined);
  if (passphraseFile !== undefined && values['insecure-plain-wallet']) throw new UsageError('--insecure-plain-wallet and a passphrase file contradict each other: give one');
  const workers = integer(values.workers, 'workers', 1, 64);
  const maxPeers = integer(values['max-peers'], 'max-peers', 0, 64);
  let iceServers: IceServersOption | undefined;
  try {
    iceServers = parseIceFlags(values, env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
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
      ...(values.insecure ? { insecure: true } : {}),
      origins,
      verbose: values.verbose ?? false,
      ...(iceServers ? { iceServers } : {}),
      ...(passphraseFile !== undefined ? { passphraseFile: resolve(passphraseFile) } : {}),
      ...(values['insecure-plain-wallet'] ? { insecurePlainWallet: true } : {}),
      ...(values['trust-proxy'] ? { trustProxy: true } : {}),
    },
  };
}

/**
 * The passphrase in `path`: its text without one trailing newline (what `echo … > FILE` adds).
 * Warns when other users may read the file.
 */
export function readPassphraseFile(path: string, warn: (line: string) => void): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the passphrase file ${path}: ${(error as Error).message}`, { cause: error });
  }
  const passphrase = text.replace(/\r?\n$/, '');
  if (passphrase === '') throw new Error(`the passphrase file ${path} is empty`);
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) warn(`warning: other users may read the passphrase file ${path}: chmod 600 it`);
  return passphrase;
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

/**
 * Creates the data directory, and `~/.tabchain` when it is the default parent, private to this
 * user (0o700): the wallet is stored in it (on the test network perhaps unencrypted). An existing one is made private too; when that fails, a warning says so.
 */
export function secureDataDir(dataDir: string, warn: (line: string) => void, home: string = homedir()): void {
  const parent = join(home, '.tabchain');
  const dirs = dirname(dataDir) === parent ? [parent, dataDir] : [dataDir];
  for (const dir of dirs) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (process.platform === 'win32') continue; // Windows has no such mode bits
    try {
      if ((statSync(dir).mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
    } catch (error) {
      warn(`warning: cannot make ${dir} private to this user (chmod 700: ${(error as Error).message}); it holds the wallet`);
    }
  }
}

/** The URLs other nodes could reach this one by: `/nodes/register` skips them. */
function ownNodeUrls(host: string, port: number): string[] {
  const hosts = new Set(['127.0.0.1', 'localhost', '[::1]']);
  if (host === '0.0.0.0' || host === '::') {
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) hosts.add(a.family === 'IPv6' ? `[${a.address}]` : a.address);
  } else {
    hosts.add(urlHost(host));
  }
  return [...hosts].map((h) => `http://${h}:${port}`);
}

/** The line `cannot start: …` says: the error and its causes, with their codes, and a hint. */
export function startFailureMessage(error: unknown, options: Pick<NodeCommandOptions, 'port' | 'dataDir'>): string {
  const parts: string[] = [];
  const codes = new Set<string>();
  let e: unknown = error;
  for (let depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.add(code);
    const message = e instanceof Error ? e.message : String(e);
    parts.push(typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message);
    e = e instanceof Error ? e.cause : undefined;
  }
  const text = parts.join(': ');
  if (codes.has('LEVEL_LOCKED')) return `${text}: another tabchain-node is using the data directory ${options.dataDir}; stop it, or give this one its own --data`;
  if (codes.has('EADDRINUSE') || /EADDRINUSE/.test(text)) return `${text} (port ${options.port} is taken: pick another with --port)`;
  return text;
}

/** Starts the HTTP server, then the node behind it. */
export async function runNode(options: NodeCommandOptions, log: { warn(line: string): void } = { warn: () => undefined }): Promise<RunningNode> {
  secureDataDir(options.dataDir, (line) => log.warn(line));
  // The API credential: --token, else the cookie file; none only when asked for (--insecure).
  const cookie = options.token === undefined && !options.insecure ? ensureApiCookie(options.dataDir) : null;
  const token = options.token ?? cookie?.token;
  const verboseLog = options.verbose ? jsonLineLogger((line) => void process.stderr.write(line)) : null;
  const http = await startNodeHttpServer({
    port: options.port,
    host: options.host,
    origins: options.origins,
    tokenRequired: token !== undefined,
    trustProxy: options.trustProxy ?? false,
    logger: verboseLog,
    ...(options.iceServers ? { iceServers: options.iceServers } : {}),
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
      ...(options.passphraseFile !== undefined ? { passphrase: readPassphraseFile(options.passphraseFile, (line) => log.warn(line)) } : {}),
      ...(options.insecurePlainWallet ? { insecurePlainWallet: true } : {}),
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
    token,
    // An earlier version kept them in nodes.json: moved into the database at the first start.
    nodeStore: settingsNodeStore(node.settings, join(node.dataDir, 'nodes.json')),
    ownUrls: ownNodeUrls(options.host, http.port),
    onError: (error, request) => {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log.warn(`error answering ${request.method} ${request.path}: ${detail}`);
    },
    onWarning: (line) => log.warn(`warning: ${line}`),
  });
  await rest.ready;
  http.setHandler(rest);
  if (options.mine) await api.miner.start(options.workers !== undefined ? { workers: options.workers } : {});

  const facts = [
    `network: ${options.network}`,
    `rest: ${http.restUrl}`,
    `signal: ${http.signalUrl}`,
    ...options.signal.map((url) => `also signaling via: ${url}`),
    ...(options.iceServers ? [iceSummary(options.iceServers).replace(/^ICE servers handed to each tab: /, 'ice: ')] : []),
    `data: ${node.dataDir}`,
    `peer id: ${services.identity.peerId}`,
    ...(options.mine ? [`mining: ${services.miner.workerCount()} workers`] : []),
    cookie ? `cookie: ${cookie.path}` : token !== undefined ? 'token: the one given (--token or TABCHAIN_TOKEN)' : 'credential: none (--insecure)',
  ];
  // An unencrypted wallet (the test network's default, or main with --insecure-plain-wallet) is
  // said at every start, as the tab's wallet view says it.
  const keys = services.keys;
  if (keys.exists && !keys.hasPassphrase) {
    facts.push('wallet: not encrypted');
    log.warn(`warning: the ${options.network} wallet is not encrypted: its recovery phrase is in ${node.dataDir} in the clear; start with --passphrase-file to seal it`);
  }
  if (token === undefined) {
    log.warn(`warning: --insecure: any program that reaches port ${http.port}${isLoopback(options.host) ? ' on this machine' : ''} can mine and spend this node's coins`);
  }
  if (options.trustProxy && !isLoopback(options.host)) {
    log.warn(`warning: --trust-proxy with --host ${options.host}: clients that reach port ${http.port} directly, not through the proxy, can claim any address; listen on 127.0.0.1 behind the proxy`);
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
