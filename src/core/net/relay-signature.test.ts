import { describe, expect, it } from 'vitest';
import { generateSecretKey, publicKeyOf } from '../crypto/keys.ts';
import { peerIdOf } from './peer-identity.ts';
import { checkRelayedSignal, RELAY_SIGNAL_MAX_AGE_S, signRelayedSignal } from './relay-signature.ts';

const net = new Uint8Array(32).fill(1);
const other = new Uint8Array(32).fill(2);

function sender() {
  const secretKey = generateSecretKey();
  const publicKey = publicKeyOf(secretKey);
  return { secretKey, publicKey, peerId: peerIdOf(publicKey) };
}

describe('relayed signal signatures', () => {
  const s = sender();
  const fields = { from: s.peerId, to: 'ab'.repeat(16), time: 1_800_000_000, data: '{"type":"answer","sdp":"v=0"}' };
  const signature = signRelayedSignal(s.secretKey, fields, net);
  const signed = { ...fields, publicKey: s.publicKey, signature };

  it('behavior: the sender\'s signature checks, within the clock window either way', () => {
    expect(checkRelayedSignal(signed, net, fields.time)).toBe('ok');
    expect(checkRelayedSignal(signed, net, fields.time + RELAY_SIGNAL_MAX_AGE_S)).toBe('ok');
    expect(checkRelayedSignal(signed, net, fields.time - RELAY_SIGNAL_MAX_AGE_S)).toBe('ok');
  });

  it('error: any field changed, another network, or a key that is not `from`\'s is forged', () => {
    expect(checkRelayedSignal({ ...signed, data: '{"type":"answer","sdp":"v=1"}' }, net, fields.time)).toBe('forged');
    expect(checkRelayedSignal({ ...signed, to: 'cd'.repeat(16) }, net, fields.time)).toBe('forged');
    expect(checkRelayedSignal({ ...signed, time: fields.time + 1 }, net, fields.time)).toBe('forged');
    expect(checkRelayedSignal(signed, other, fields.time)).toBe('forged');
    const m = sender();
    expect(checkRelayedSignal({ ...signed, publicKey: m.publicKey, signature: signRelayedSignal(m.secretKey, fields, net) }, net, fields.time)).toBe('forged');
    expect(checkRelayedSignal({ ...signed, signature: new Uint8Array(64) }, net, fields.time)).toBe('forged');
  });

  it('error: a genuine signal from outside the clock window is stale (a replay, or a clock far off), not forged', () => {
    expect(checkRelayedSignal(signed, net, fields.time + RELAY_SIGNAL_MAX_AGE_S + 1)).toBe('stale');
    expect(checkRelayedSignal(signed, net, fields.time - RELAY_SIGNAL_MAX_AGE_S - 1)).toBe('stale');
  });
});
