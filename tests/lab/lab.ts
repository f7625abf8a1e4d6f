/**
 * The NAT lab from Node: builds the namespaces (lab.sh), runs coturn and the app server on the
 * public host, and starts Chromium inside a home namespace. Shared by the lab's Playwright specs
 * (global-setup.ts, fixtures.ts) and its benchmark (bench/lab.bench.ts).
 *
 * Playwright drives each Chromium over a pipe, so the test runner stays in the machine's own
 * namespace while every packet of the browser goes through the home's NAT.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../../scripts/chromium.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
const labScript = join(here, 'lab.sh');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** Where the lab keeps its run's files: configs, logs, the certificate, browser wrappers. */
export const stateDir = join(tmpdir(), 'tcl-lab');
const infoFile = join(stateDir, 'lab.json');

export const PUBLIC_IP = '172.31.0.2';
/** A second address of the public host: a second STUN destination for the mapping check. */
export const PUBLIC_IP2 = '172.31.0.3';
/**
 * The app servers on the public host, each its own signaling room, differing in the ICE servers
 * they hand to tabs: STUN and TURN; STUN only; STUN and TURN with credentials from a wrong
 * secret (a server whose secret does not match coturn's).
 */
export const SERVERS = { full: 8443, stunOnly: 8444, wrongSecret: 8445 } as const;
export type ServerName = keyof typeof SERVERS;
export const TURN_PORT = 3478;
export const STUN_URL = `stun:${PUBLIC_IP}:${TURN_PORT}`;
export const TURN_URL = `turn:${PUBLIC_IP}:${TURN_PORT}?transport=udp`;

export type NatMode = 'eim' | 'sym';
export type Home = 1 | 2;

/** What the global set-up hands to the specs (through a file: they run in other processes). */
export interface LabInfo {
  /** Each server's page URL, https://172.31.0.2:PORT. */
  urls: Record<ServerName, string>;
  turnSecret: string;
}

function labSh(...args: string[]): string {
  return execFileSync('bash', [labScript, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Null when the lab can run on this machine, else why it cannot. */
export function whyNoLab(): string | null {
  if (process.platform !== 'linux') return `network namespaces need Linux, not ${process.platform}`;
  if (!chromiumPath()) return 'no Chromium (set CHROMIUM_PATH or install Debian\'s chromium)';
  try {
    labSh('check');
    return null;
  } catch (error) {
    const out = (error as { stdout?: string }).stdout?.trim();
    return out || (error instanceof Error ? error.message : String(error));
  }
}

/**
 * (Re)creates home `n` behind a NAT of the given kind; no browser may be running in it. A slow
 * uplink has 50 ms of delay and 0.5% loss each way (wire.py), so 100 ms and about 1% between
 * two slow homes.
 */
export function setHome(n: Home, mode: NatMode, options: { slow?: boolean } = {}): void {
  labSh('home', String(n), mode, ...(options.slow ? ['slow'] : []));
}

/** Takes the WAN link of home `n`'s NAT down or up (its uplink). */
export function setUplink(n: Home, state: 'up' | 'down'): void {
  labSh('uplink', String(n), state);
}

/**
 * The address each STUN server saw for one UDP socket in home `n`, via the public host's two
 * addresses: equal ports mean an endpoint-independent mapping, different ports a symmetric NAT.
 */
export function stunMappings(n: Home): string[] {
  const out = execFileSync('ip', ['netns', 'exec', `tcl-home${n}`, tsx, join(here, 'stun-probe.ts'), `${PUBLIC_IP}:${TURN_PORT}`, `${PUBLIC_IP2}:${TURN_PORT}`], { encoding: 'utf8' });
  return (JSON.parse(out) as { mapped: string[] }).mapped;
}

/** TURN REST credentials as coturn's use-auth-secret checks them. */
export function turnCredentials(secret: string, label: string, ttlSeconds = 3600): { username: string; credential: string } {
  const username = `${Math.floor(Date.now() / 1000) + ttlSeconds}:${label}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** ICE servers as a user would set them by hand (the `tabchain-ice-servers` setting). */
export function iceServers(options: { stun?: boolean; turnSecret?: string }): RTCIceServer[] {
  const servers: RTCIceServer[] = [];
  if (options.stun ?? true) servers.push({ urls: [STUN_URL] });
  if (options.turnSecret) servers.push({ urls: [TURN_URL], ...turnCredentials(options.turnSecret, 'lab') });
  return servers;
}

export function readLabInfo(): LabInfo {
  return JSON.parse(readFileSync(infoFile, 'utf8')) as LabInfo;
}

/** Spawns a program inside a lab namespace, its output appended to a log file. */
function spawnIn(ns: string, command: string, args: string[], log: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  const out = createWriteStream(log, { flags: 'a' });
  const child = spawn('ip', ['netns', 'exec', ns, command, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  return child;
}

function waitForLine(child: ChildProcess, pattern: RegExp, what: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => done(new Error(`${what} did not start within ${timeoutMs / 1000} s; output: ${seen.slice(-2000)}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) done();
    };
    const onExit = (code: number | null) => done(new Error(`${what} exited (${code}) before it was ready; output: ${seen.slice(-2000)}`));
    function done(error?: Error) {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    }
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

/** A self-signed certificate for the public host's address. */
function makeCertificate(): { cert: string; key: string } {
  const cert = join(stateDir, 'cert.pem');
  const key = join(stateDir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=tabchain lab', '-addext', `subjectAltName=IP:${PUBLIC_IP}`, '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

export interface RunningLab {
  info: LabInfo;
  stop(): Promise<void>;
}

/**
 * Builds the backbone and the public host (a stale lab is removed first), starts coturn and the
 * app server there, and writes lab.json for the specs. `stop()` ends both and removes every lab
 * namespace. The homes are made by each scenario (setHome).
 */
export async function startLab(options: { dist: string }): Promise<RunningLab> {
  mkdirSync(stateDir, { recursive: true });
  labSh('up');
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    labSh('down');
  };
  try {
    const turnSecret = randomBytes(16).toString('hex');
    const turnConf = join(stateDir, 'turnserver.conf');
    writeFileSync(
      turnConf,
      [
        `listening-ip=${PUBLIC_IP}`,
        `listening-ip=${PUBLIC_IP2}`,
        `relay-ip=${PUBLIC_IP}`,
        `listening-port=${TURN_PORT}`,
        'min-port=49152',
        'max-port=49999',
        'use-auth-secret',
        `static-auth-secret=${turnSecret}`,
        'realm=tabchain.lab',
        'fingerprint',
        'no-cli',
        'no-tls',
        'no-dtls',
        'no-stdout-log',
        'simple-log',
        `log-file=${join(stateDir, 'turnserver.log')}`,
        `pidfile=${join(stateDir, 'turnserver.pid')}`,
        `userdb=${join(stateDir, 'turndb')}`,
        '',
      ].join('\n'),
    );
    children.push(spawnIn('tcl-pub', 'turnserver', ['-c', turnConf], join(stateDir, 'turnserver.out')));

    const { cert, key } = makeCertificate();
    const ice: Record<ServerName, NodeJS.ProcessEnv> = {
      full: { STUN_URLS: STUN_URL, TURN_URLS: TURN_URL, TURN_SECRET: turnSecret },
      stunOnly: { STUN_URLS: STUN_URL },
      wrongSecret: { STUN_URLS: STUN_URL, TURN_URLS: TURN_URL, TURN_SECRET: 'not-the-lab-secret' },
    };
    const started = (Object.keys(SERVERS) as ServerName[]).map((name) => {
      // `npm start -- --https --cert … --key …`, ICE servers from the environment (as TURN_SECRET
      // keeps the secret out of ps).
      const env: NodeJS.ProcessEnv = { PORT: String(SERVERS[name]), DIST_DIR: relative(root, options.dist), STUN_URLS: undefined, TURN_URLS: undefined, TURN_SECRET: undefined, ...ice[name] };
      const server = spawnIn('tcl-pub', tsx, [join(root, 'scripts', 'start.ts'), '--https', '--cert', cert, '--key', key], join(stateDir, `server-${name}.log`), env);
      children.push(server);
      return waitForLine(server, /tabchain is running/, `the app server (${name})`, 90_000);
    });
    await Promise.all(started);

    // coturn answers STUN once it listens.
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        execFileSync('ip', ['netns', 'exec', 'tcl-pub', tsx, join(here, 'stun-probe.ts'), `${PUBLIC_IP}:${TURN_PORT}`], { stdio: 'ignore' });
        break;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`coturn does not answer STUN; see ${stateDir}/turnserver.log`, { cause: error });
      }
    }

    const urls = Object.fromEntries((Object.keys(SERVERS) as ServerName[]).map((name) => [name, `https://${PUBLIC_IP}:${SERVERS[name]}`])) as Record<ServerName, string>;
    const info: LabInfo = { urls, turnSecret };
    writeFileSync(infoFile, JSON.stringify(info));
    return { info, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Chromium started inside home `n`'s namespace: Playwright runs a wrapper that enters the
 * namespace and execs Chromium, and talks to it over the pipe it inherits.
 */
export async function launchInHome(n: Home | 'pub'): Promise<Browser> {
  const ns = n === 'pub' ? 'tcl-pub' : `tcl-home${n}`;
  const wrapper = join(stateDir, `chromium-${ns}.sh`);
  if (!existsSync(wrapper)) {
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} ${chromiumPath()} "$@"\n`);
    chmodSync(wrapper, 0o755);
  }
  // The lab's certificate is self-signed and accepted as a user would once: for the whole browser,
  // so that the node's worker and the miner and verifier workers it starts (each may open a TLS
  // connection of its own) are covered, not only the page's requests (ignoreHTTPSErrors).
  return chromium.launch({ executablePath: wrapper, args: [...CHROMIUM_ARGS, '--ignore-certificate-errors'], headless: true });
}

export interface Tab {
  context: BrowserContext;
  page: Page;
}

/**
 * A fresh tab (its own context: its own node and wallet) on regtest of the app at
 * `url`. `iceServers` sets the user's own list (the localStorage setting, which overrides what
 * the server hands out) before the node starts.
 */
export async function openTab(browser: Browser, url: string, options: { iceServers?: RTCIceServer[] } = {}): Promise<Tab> {
  // The lab's certificate is self-signed: a user would accept it once, as on a LAN.
  const context = await browser.newContext({ ignoreHTTPSErrors: true, baseURL: url });
  // tsx (the benchmark) wraps named functions in __name(); pages have no such helper.
  await context.addInitScript({ content: 'globalThis.__name ??= (fn) => fn;' });
  if (options.iceServers) {
    await context.addInitScript((servers) => localStorage.setItem('tabchain-ice-servers', servers), JSON.stringify(options.iceServers));
  }
  // Keeps every RTCPeerConnection the page makes, to read the selected pair from getStats
  // independently of the page's own report.
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const made: RTCPeerConnection[] = [];
    (window as unknown as { __labPcs: RTCPeerConnection[] }).__labPcs = made;
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        made.push(this);
      }
    };
  });
  const page = await context.newPage();
  await page.goto('/?network=regtest');
  await page.evaluate(() => window.tabchain.ready());
  return { context, page };
}

export interface SelectedPair {
  local: string | null;
  remote: string | null;
  localAddress: string | null;
  remoteAddress: string | null;
}

/** The selected candidate pair of every connected RTCPeerConnection of the page (getStats). */
export function selectedPairs(page: Page): Promise<SelectedPair[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __labPcs: RTCPeerConnection[] }).__labPcs;
    const out: { local: string | null; remote: string | null; localAddress: string | null; remoteAddress: string | null }[] = [];
    for (const pc of pcs) {
      if (pc.connectionState !== 'connected') continue;
      const stats = await pc.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      stats.forEach((s: Record<string, unknown>) => byId.set(s.id as string, s));
      let pairId: string | undefined;
      for (const s of byId.values()) if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId as string;
      const pair = pairId ? byId.get(pairId) : undefined;
      const local = pair ? byId.get(pair.localCandidateId as string) : undefined;
      const remote = pair ? byId.get(pair.remoteCandidateId as string) : undefined;
      const at = (c: Record<string, unknown> | undefined) => (c ? `${c.address ?? c.ip}:${c.port}` : null);
      out.push({ local: (local?.candidateType as string) ?? null, remote: (remote?.candidateType as string) ?? null, localAddress: at(local), remoteAddress: at(remote) });
    }
    return out;
  });
}
