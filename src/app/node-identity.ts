/**
 * @module The node's peer key: made once and kept (in the chain database of a tab's slot, in the
 * settings of a headless node), so bans and peer lists mean the same node across restarts.
 */
import { bytesToHex, generateSecretKey, hexToBytes, isValidSecretKey, peerIdOf, publicKeyOf, type NodeIdentity } from '../core/index.ts';

/** The identity whose secret key `get` returns; a new one (saved with `set`) when it has none or a malformed one. */
export async function loadNodeIdentity(get: () => Promise<string | undefined>, set: (hex: string) => Promise<unknown>): Promise<NodeIdentity> {
  let hex = await get();
  if (!hex || !/^[0-9a-f]{64}$/.test(hex) || !isValidSecretKey(hexToBytes(hex))) {
    hex = bytesToHex(generateSecretKey());
    await set(hex);
  }
  const secretKey = hexToBytes(hex);
  const publicKey = publicKeyOf(secretKey);
  return { secretKey, publicKey, peerId: peerIdOf(publicKey) };
}
