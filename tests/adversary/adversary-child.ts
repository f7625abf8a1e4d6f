/**
 * @module The test's handle on an adversary running in a child process (adversary-process.ts).
 *
 * Every call is a named attack or query answered over IPC. When the child dies (a crash of
 * `@roamhq/wrtc`'s native code), pending and later calls reject with `AdversaryCrashed`, so a
 * test can tell the tool's crash from a failure of the tabs under test and run the attack again.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PeerId } from '../../src/core/index.ts';
import type { MessageType } from '../../src/core/net/messages.ts';
import { OFFER_ONLY, type AdversaryCommand, type AdversaryHello, type AdversaryReply, type OfferReply } from './adversary-protocol.ts';

const ENTRY = fileURLToPath(new URL('./adversary-process.ts', import.meta.url));

/** The test runner's environment without its NODE_OPTIONS (its own loaders): tsx loads the TS. */
function childEnv(): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _, ...env } = process.env;
  return env;
}

/** The adversary's process ended before it answered (a crash of the tool, not of the tabs). */
export class AdversaryCrashed extends Error {
  constructor(readonly exit: string) {
    super(`the adversary's process ended (${exit})`);
    this.name = 'AdversaryCrashed';
  }
}

/** Every adversary process started and not ended yet (see {@link killAllAdversaries}). */
const live = new Set<ChildProcess>();

/** How long (ms) a new process may take to say hello (load the code, join the server) before it is killed. */
const HELLO_TIMEOUT_MS = 120_000;

/** Starts the process (`--import tsx` loads the TS) and keeps it in `live` until it ends. */
function forkAdversary(arg: string, stderr: 'inherit' | 'pipe'): ChildProcess {
  const child = fork(ENTRY, [arg], { execArgv: ['--import', 'tsx'], env: childEnv(), stdio: ['ignore', 'ignore', stderr, 'ipc'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** The first message of a new process, or its end, or the hello timeout (then it is killed). */
function firstMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the adversary's process said nothing in ${HELLO_TIMEOUT_MS / 1000} s`));
    }, HELLO_TIMEOUT_MS);
    const onExit = (code: number | null, signal: string | null) => {
      clearTimeout(timer);
      reject(new AdversaryCrashed(signal ? `signal ${signal}` : `exit code ${code}`));
    };
    child.once('exit', onExit);
    child.once('message', (message: T) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve(message);
    });
  });
}

/**
 * Kills every adversary process still running: for a test's `afterEach`, since a test that timed
 * out never reaches its own `finally`.
 */
export function killAllAdversaries(): void {
  for (const child of live) child.kill('SIGKILL');
}

export class AdversaryChild {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  /** How the process ended (e.g. 'signal SIGSEGV'); undefined while it runs. */
  exit: string | undefined;
  /** The last command sent, named when the process dies (where the native code crashed). */
  private lastCommand = 'start';
  private killed = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly peerId: PeerId,
  ) {
    child.on('message', (message: AdversaryReply) => {
      const call = this.pending.get(message.id);
      if (!call) return;
      this.pending.delete(message.id);
      if (message.ok) call.resolve(message.value);
      else call.reject(new Error(`adversary: ${message.error}`));
    });
    child.on('exit', (code, signal) => {
      this.exit = signal ? `signal ${signal}` : `exit code ${code}`;
      // Straight to the runner's stderr (a passing test's console is not printed): a crash
      // that a retry absorbed must still show in the CI log.
      if (!this.killed) writeSync(2, `adversary ${peerId.slice(0, 8)} ended (${this.exit}) after '${this.lastCommand}'\n`);
      for (const call of this.pending.values()) call.reject(new AdversaryCrashed(this.exit));
      this.pending.clear();
    });
  }

  /** A real SDP offer (what a tab's first signal carries), from a process that joins nobody. */
  static async realOffer(): Promise<{ type: 'offer'; sdp: string }> {
    const child = forkAdversary(OFFER_ONLY, 'inherit');
    const reply = await firstMessage<OfferReply>(child);
    child.kill('SIGKILL');
    return reply.offer;
  }

  /** Starts an adversary joined to the signaling server at `signalingUrl`; resolves once it joined. */
  static async spawn(signalingUrl: string): Promise<AdversaryChild> {
    const child = forkAdversary(signalingUrl, 'pipe');
    // Its stderr is kept (the last lines, without simple-peer's warning for every mDNS candidate
    // it cannot use) for the report of an unexpected end.
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text.replaceAll('Ignoring unsupported ICE candidate.\n', '')).slice(-2_000);
    });
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGKILL' && stderr.trim()) writeSync(2, `adversary stderr:\n${stderr}\n`);
    });
    const hello = await firstMessage<AdversaryHello>(child);
    if (hello.ready) return new AdversaryChild(child, hello.peerId);
    child.kill('SIGKILL');
    throw new Error(`the adversary could not start: ${hello.error}`);
  }

  get crashed(): boolean {
    return this.exit !== undefined;
  }

  private call<T>(command: AdversaryCommand): Promise<T> {
    if (this.exit) return Promise.reject(new AdversaryCrashed(this.exit));
    const id = this.nextId++;
    this.lastCommand = command.op;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, command });
    });
  }

  linked(peer: PeerId): Promise<boolean> {
    return this.call({ op: 'linked', peer });
  }

  async tipHash(): Promise<string> {
    return (await this.call<{ hash: string }>({ op: 'tip' })).hash;
  }

  withholdBranch(length: number): Promise<void> {
    return this.call({ op: 'withhold-branch', length });
  }

  /** How many times `peer` asked this adversary for a block. */
  blockRequests(peer: PeerId): Promise<number> {
    return this.call({ op: 'block-requests', peer });
  }

  notfoundStorm(peer: PeerId, count: number): Promise<void> {
    return this.call({ op: 'notfound-storm', peer, count });
  }

  forgedRelay(to: PeerId, framed: PeerId): Promise<void> {
    return this.call({ op: 'forged-relay', to, framed });
  }

  offerOrphans(peer: PeerId, count: number): Promise<void> {
    return this.call({ op: 'offer-orphans', peer, count });
  }

  /** How many messages of a type `peer` sent this adversary. */
  received(peer: PeerId, type: MessageType): Promise<number> {
    return this.call({ op: 'received', peer, type });
  }

  /** Announces a block breaking the coinbase-height rule; resolves to its hash. */
  announceBadCoinbaseHeight(peer: PeerId): Promise<string> {
    return this.call({ op: 'announce-bad-coinbase-height', peer });
  }

  /** Replaces its last `depth` blocks with a branch one block longer; resolves to the new tip. */
  reorg(depth: number): Promise<string> {
    return this.call({ op: 'reorg', depth });
  }

  /**
   * Bans `peers` by hand: it neither chooses them nor takes their offers (an attacker spends its
   * links on its victims, not on other attackers).
   */
  ban(peers: PeerId[]): Promise<void> {
    return this.call({ op: 'ban', peers });
  }

  /** Ends the process at once: no WebRTC teardown runs (its peers see the links drop). */
  kill(): void {
    this.killed = true;
    this.child.kill('SIGKILL');
  }
}
