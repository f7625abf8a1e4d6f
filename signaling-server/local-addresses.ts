/**
 * @module This machine's addresses and names as other devices reach it: which interface addresses
 * a server bound to some address answers on (its own origins, the URLs it prints), and the names
 * and addresses its TLS certificate must cover.
 */
import { hostname as machineHostname, networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

export type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

/** One address of a local interface. */
export interface LocalAddress {
  address: string;
  family: 'IPv4' | 'IPv6';
  /** Loopback: reachable from this machine only. */
  internal: boolean;
}

/**
 * Every interface address, IPv4 first, without IPv6 link-local ones (fe80::/10: they need a zone
 * id such as `%eth0`, which a URL cannot carry in most browsers).
 */
export function interfaceAddresses(interfaces: Interfaces = networkInterfaces()): LocalAddress[] {
  const found: LocalAddress[] = [];
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      const family = a.family === 'IPv4' || (a.family as unknown) === 4 ? 'IPv4' : 'IPv6';
      if (family === 'IPv6' && /^fe[89ab]/i.test(a.address)) continue;
      if (!found.some((f) => f.address === a.address)) found.push({ address: a.address, family, internal: a.internal });
    }
  }
  return [...found.filter((a) => a.family === 'IPv4'), ...found.filter((a) => a.family === 'IPv6')];
}

/**
 * The addresses a server bound to `bound` answers on: every IPv4 interface address for
 * `0.0.0.0`, every IPv4 and IPv6 one for `::`, else just `bound`. Written without brackets.
 */
export function reachableHosts(bound: string, interfaces: Interfaces = networkInterfaces()): string[] {
  if (bound === '0.0.0.0') return interfaceAddresses(interfaces).filter((a) => a.family === 'IPv4').map((a) => a.address);
  if (bound === '::') return interfaceAddresses(interfaces).map((a) => a.address);
  return [bound];
}

/** What a certificate for this machine must name. */
export interface CertificateNames {
  /** DNS names: localhost, the host name (and `NAME.local` when it has no dot), extras. */
  dns: string[];
  /** IP addresses: loopback and every interface address. */
  ips: string[];
}

/**
 * The names and addresses a device may use to reach this machine: `localhost`, `127.0.0.1`,
 * `::1`, its host name (plus `.local`, the name mDNS resolves on most LANs), every interface
 * address, and `extraNames` (e.g. from --hostname).
 */
export function certificateNames(extraNames: string[] = [], interfaces: Interfaces = networkInterfaces(), host: string = machineHostname()): CertificateNames {
  const dns = new Set(['localhost']);
  const name = host.toLowerCase();
  if (/^[a-z0-9.-]+$/.test(name) && name !== '') {
    dns.add(name);
    if (!name.includes('.')) dns.add(`${name}.local`);
  }
  for (const extra of extraNames) dns.add(extra.toLowerCase());
  const ips = new Set(['127.0.0.1', '::1']);
  for (const a of interfaceAddresses(interfaces)) ips.add(a.address);
  return { dns: [...dns], ips: [...ips] };
}
