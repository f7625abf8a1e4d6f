/**
 * STUN Binding requests (RFC 5389) from ONE local UDP port to each server given, printing the
 * mapped address each one saw as JSON: `{ "mapped": ["172.31.0.11:40000", ...] }`.
 * Run inside a home namespace, it tells the NAT's kind: an endpoint-independent mapping shows
 * the same mapped port to every destination, a symmetric NAT a different port to each.
 *
 *   ip netns exec tcl-home1 tsx tests/lab/stun-probe.ts 172.31.0.2:3478 172.31.0.3:3478
 */
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';

const MAGIC = 0x2112a442;
const XOR_MAPPED_ADDRESS = 0x0020;

function bindingRequest(transactionId: Buffer): Buffer {
  const message = Buffer.alloc(20);
  message.writeUInt16BE(0x0001, 0); // Binding Request
  message.writeUInt16BE(0, 2); // no attributes
  message.writeUInt32BE(MAGIC, 4);
  transactionId.copy(message, 8);
  return message;
}

/** The XOR-MAPPED-ADDRESS of a Binding Success Response, or null when there is none. */
function mappedAddress(response: Buffer): { id: string; address: string } | null {
  if (response.length < 20 || response.readUInt16BE(0) !== 0x0101 || response.readUInt32BE(4) !== MAGIC) return null;
  const id = response.subarray(8, 20).toString('hex');
  let offset = 20;
  while (offset + 4 <= response.length) {
    const type = response.readUInt16BE(offset);
    const length = response.readUInt16BE(offset + 2);
    if (type === XOR_MAPPED_ADDRESS && length >= 8 && response[offset + 5] === 0x01) {
      const port = response.readUInt16BE(offset + 6) ^ (MAGIC >>> 16);
      const ip = (response.readUInt32BE(offset + 8) ^ MAGIC) >>> 0;
      return { id, address: `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}:${port}` };
    }
    offset += 4 + length + ((4 - (length % 4)) % 4);
  }
  return null;
}

const servers = process.argv.slice(2).map((arg) => {
  const match = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(arg);
  if (!match) throw new Error(`not an IPv4 host:port: ${arg}`);
  return { host: match[1]!, port: Number(match[2]) };
});
if (servers.length === 0) {
  console.error('usage: stun-probe.ts HOST:PORT...');
  process.exit(2);
}

const socket = createSocket('udp4');
const ids = servers.map(() => randomBytes(12));
const mapped: (string | null)[] = servers.map(() => null);
socket.on('message', (message) => {
  const answer = mappedAddress(message);
  const index = answer ? ids.findIndex((id) => id.toString('hex') === answer.id) : -1;
  if (answer && index >= 0) mapped[index] = answer.address;
  if (mapped.every((m) => m !== null)) finish(0);
});
// UDP may lose a request (netem): resend every 200 ms until every server answered, for 5 s.
const resend = setInterval(send, 200);
const giveUp = setTimeout(() => finish(1), 5000);
socket.bind(0, send);

function send() {
  servers.forEach((server, i) => {
    if (mapped[i] === null) socket.send(bindingRequest(ids[i]!), server.port, server.host);
  });
}

function finish(code: number) {
  clearInterval(resend);
  clearTimeout(giveUp);
  console.log(JSON.stringify({ local: socket.address().port, mapped }));
  socket.close();
  process.exitCode = code;
}
