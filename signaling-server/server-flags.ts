/**
 * @module The TLS and ICE flags every server command shares (`npm start`, `node signaling-server`,
 * and the headless node): parseArgs option specs, their usage text, and reading them (with their
 * environment variables) into `startServer`'s `tls` and `signaling.iceServers`.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_TURN_TTL_SECONDS, checkIceServersOption, type IceServersOption } from './ice-servers.ts';
import { certificateNames, type Interfaces } from './local-addresses.ts';
import { checkHostname } from './allowed-origins.ts';
import { loadOrCreateCertificate, readUserCertificate, type StoredCertificate, type TlsPair } from './tls-certificate.ts';

/** A flag or environment variable that cannot work (the command exits with code 2 and the usage). */
export class FlagError extends Error {
  override readonly name = 'FlagError';
}

/** parseArgs options for the TLS flags. */
export const TLS_FLAG_OPTIONS = {
  https: { type: 'boolean' },
  cert: { type: 'string' },
  key: { type: 'string' },
  'data-dir': { type: 'string' },
  hostname: { type: 'string', multiple: true },
} as const;

/** parseArgs options for the ICE flags. */
export const ICE_FLAG_OPTIONS = {
  stun: { type: 'string', multiple: true },
  turn: { type: 'string', multiple: true },
  'turn-secret': { type: 'string' },
  'turn-ttl': { type: 'string' },
} as const;

export const TLS_FLAGS_USAGE = `  --https               serve over TLS (https://, wss://), as other devices need (also HTTPS=1).
                        Without --cert, a self-signed certificate is generated once and kept in
                        the data folder, and generated again when this machine's addresses change
  --cert FILE --key FILE
                        use your own certificate and unencrypted private key (PEM); implies --https
  --data-dir DIR        where the generated certificate is kept (default TABCHAIN_DATA_DIR,
                        else ~/.tabchain/server): cert.pem, key.pem (mode 600)
  --hostname NAME       another name this machine is reached by, e.g. a DNS name pointing at it
                        (repeatable): put in the certificate, and its pages may use /signal`;

export const ICE_FLAGS_USAGE = `  --stun URL            a STUN server handed to every tab, stun:host[:port] (repeatable; also
                        STUN_URLS=url,url)
  --turn URL            a TURN server, turn:host[:port][?transport=udp|tcp] or turns:…
                        (repeatable; also TURN_URLS=url,url); needs --turn-secret
  --turn-secret SECRET  the TURN server's shared secret (coturn use-auth-secret,
                        static-auth-secret=SECRET): each tab gets its own credentials from it.
                        Prefer TURN_SECRET=…: other users can read --turn-secret in ps
  --turn-ttl SECONDS    how long those credentials last (default ${DEFAULT_TURN_TTL_SECONDS}; also TURN_TTL)`;

type Env = Record<string, string | undefined>;

/** What the TLS flags ask for. */
export interface TlsFlags {
  enabled: boolean;
  /** `--cert` and `--key`, when the user brings their own. */
  own: { certFile: string; keyFile: string } | null;
  dataDir: string;
  hostnames: string[];
}

interface TlsFlagValues {
  https?: boolean;
  cert?: string;
  key?: string;
  'data-dir'?: string;
  hostname?: string[];
}

interface IceFlagValues {
  stun?: string[];
  turn?: string[];
  'turn-secret'?: string;
  'turn-ttl'?: string;
}

/** Reads the TLS flags (and HTTPS, TABCHAIN_DATA_DIR). Throws {@link FlagError}. */
export function parseTlsFlags(values: TlsFlagValues, env: Env = process.env, home: string = homedir()): TlsFlags {
  const httpsEnv = (env.HTTPS ?? '').trim().toLowerCase();
  if (!['', '0', '1', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(httpsEnv)) throw new FlagError(`HTTPS must be 1 or 0, not ${JSON.stringify(env.HTTPS)}`);
  if ((values.cert === undefined) !== (values.key === undefined)) throw new FlagError('--cert and --key go together: the certificate and its private key (PEM files)');
  const own = values.cert !== undefined && values.key !== undefined ? { certFile: resolve(values.cert), keyFile: resolve(values.key) } : null;
  const enabled = values.https === true || own !== null || ['1', 'true', 'yes', 'on'].includes(httpsEnv);
  const dataDirText = values['data-dir'] ?? (env.TABCHAIN_DATA_DIR || undefined);
  if (dataDirText !== undefined && dataDirText.trim() === '') throw new FlagError('--data-dir is empty');
  const dataDir = dataDirText !== undefined ? resolve(dataDirText) : join(home, '.tabchain', 'server');
  let hostnames: string[];
  try {
    hostnames = (values.hostname ?? []).map(checkHostname);
  } catch (error) {
    throw new FlagError(`--hostname: ${(error as Error).message}`);
  }
  return { enabled, own, dataDir, hostnames };
}

/** Reads the ICE flags (and STUN_URLS, TURN_URLS, TURN_SECRET, TURN_TTL); undefined when none. Throws {@link FlagError}. */
export function parseIceFlags(values: IceFlagValues, env: Env = process.env): IceServersOption | undefined {
  const list = (flag: string[] | undefined, variable: string) => flag ?? (env[variable] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const stun = list(values.stun, 'STUN_URLS');
  const turn = list(values.turn, 'TURN_URLS');
  const secret = values['turn-secret'] ?? (env.TURN_SECRET || undefined);
  const ttlText = values['turn-ttl'] ?? (env.TURN_TTL || undefined);
  if (turn.length > 0 && secret === undefined) throw new FlagError('--turn needs --turn-secret (or TURN_SECRET): the secret the TURN server shares (coturn static-auth-secret)');
  if (turn.length === 0 && (secret !== undefined || ttlText !== undefined)) throw new FlagError('--turn-secret and --turn-ttl need a --turn URL');
  if (secret === '') throw new FlagError('--turn-secret is empty');
  let ttlSeconds: number | undefined;
  if (ttlText !== undefined) {
    ttlSeconds = /^\d{1,9}$/.test(ttlText) ? Number(ttlText) : NaN;
    if (!(ttlSeconds >= 60)) throw new FlagError(`--turn-ttl must be a whole number of seconds, at least 60, not ${JSON.stringify(ttlText)}`);
  }
  if (stun.length === 0 && turn.length === 0) return undefined;
  try {
    return checkIceServersOption({ stun, ...(turn.length > 0 ? { turn: { urls: turn, secret: secret!, ttlSeconds } } : {}) });
  } catch (error) {
    throw new FlagError((error as Error).message);
  }
}

/** The certificate the TLS flags lead to. */
export interface TlsSetup {
  tls: TlsPair;
  /** The generated certificate (null for the user's own). */
  stored: StoredCertificate | null;
  validTo: Date;
}

/**
 * The user's certificate, or the stored self-signed one (generated when missing, expiring or
 * not naming every current address and --hostname). Throws TlsSetupError with a clear message.
 */
export async function setUpTls(flags: TlsFlags, interfaces?: Interfaces): Promise<TlsSetup> {
  if (flags.own) {
    const own = readUserCertificate(flags.own.certFile, flags.own.keyFile);
    return { tls: { cert: own.cert, key: own.key }, stored: null, validTo: own.validTo };
  }
  const stored = await loadOrCreateCertificate(flags.dataDir, certificateNames(flags.hostnames, interfaces));
  return { tls: { cert: stored.cert, key: stored.key }, stored, validTo: stored.validTo };
}

/** Why a certificate was generated, in words, or null when the stored one was used. */
export function certificateNote(stored: StoredCertificate): string | null {
  switch (stored.generated) {
    case null:
      return null;
    case 'none-stored':
      return `generated a self-signed certificate: ${stored.certPath}`;
    case 'unreadable':
      return `the stored certificate was unreadable or not its key's: generated a new one (${stored.certPath})`;
    case 'names-missing':
      return `the stored certificate did not name ${stored.missing.join(', ')}: generated a new one (${stored.certPath}); browsers will warn once again`;
    case 'expiring':
      return `the stored certificate was about to expire: generated a new one (${stored.certPath}); browsers will warn once again`;
  }
}

/** One line about the ICE servers handed out, for the start-up banner. */
export function iceSummary(option: IceServersOption | undefined): string {
  const stun = option?.stun?.length ?? 0;
  const turn = option?.turn?.urls.length ?? 0;
  if (stun === 0 && turn === 0) return 'ICE servers: none (tabs link on this network only; --stun and --turn for links across homes)';
  const hours = ((option?.turn?.ttlSeconds ?? DEFAULT_TURN_TTL_SECONDS) / 3600).toFixed(1).replace(/\.0$/, '');
  return `ICE servers handed to each tab: ${stun} STUN, ${turn} TURN${turn ? ` (credentials valid ${hours} h)` : ''}`;
}
