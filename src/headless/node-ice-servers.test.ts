/**
 * The headless node's ICE flags: the same as `npm start`'s, handed out by its own /signal to the
 * tabs and nodes that join there, and used by the node itself (it joins its own /signal).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNodeArgs, runNode, UsageError, type RunningNode } from './run-node.ts';

describe('npm run node: ICE flags', () => {
  it('behavior: --stun, --turn and the secret from flags or the environment', () => {
    const parsed = parseNodeArgs(['--stun', 'stun:stun.example.org:3478', '--turn', 'turn:turn.example.org:3478', '--turn-ttl', '600'], { TURN_SECRET: 's3cret' }, '/home/u');
    expect(parsed).toMatchObject({
      options: { iceServers: { stun: ['stun:stun.example.org:3478'], turn: { urls: ['turn:turn.example.org:3478'], secret: 's3cret', ttlSeconds: 600 } } },
    });
    expect(parseNodeArgs([], { STUN_URLS: 'stun:a.example,stun:b.example' }, '/home/u')).toMatchObject({ options: { iceServers: { stun: ['stun:a.example', 'stun:b.example'] } } });
    expect(parseNodeArgs([], {}, '/home/u')).not.toHaveProperty('options.iceServers');
  });

  it.each([
    [['--turn', 'turn:t.example'], /--turn needs --turn-secret/],
    [['--stun', 'http://s.example'], /not a STUN URL/],
    [['--turn-secret', 'x'], /need a --turn URL/],
    [['--turn', 'turn:t.example', '--turn-secret', 'x', '--turn-ttl', '5'], /--turn-ttl/],
  ])('error: %j is refused', (argv, message) => {
    expect(() => parseNodeArgs(argv as string[], {})).toThrow(UsageError);
    expect(() => parseNodeArgs(argv as string[], {})).toThrow(message);
  });

  const dirs: string[] = [];
  const nodes: RunningNode[] = [];
  afterAll(async () => {
    for (const node of nodes) await node.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('behavior: the node hands its ICE servers out on /signal and uses them itself', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tabchain-ice-'));
    dirs.push(dataDir);
    const node = await runNode({
      network: 'regtest',
      port: 0,
      host: '127.0.0.1',
      signal: [],
      dataDir,
      mine: false,
      workers: 1,
      origins: [],
      verbose: false,
      iceServers: { stun: ['stun:stun.example.org:3478'], turn: { urls: ['turn:turn.example.org:3478'], secret: 's3cret', ttlSeconds: 3600 } },
    });
    nodes.push(node);
    expect(node.facts).toContain('ice: 1 STUN, 1 TURN (credentials valid 1 h)');
    // The node's connector joins its own /signal and takes what it hands out.
    await expect.poll(() => node.api.connectivity(), { timeout: 20_000 }).toMatchObject({ iceSource: 'server', iceServers: 2, relayConfigured: true });
  });
});
