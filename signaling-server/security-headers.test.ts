/**
 * The security headers (security-headers.ts): the policy itself, and that every response of the
 * app server carries them (files, the fallback shell, /health, 404, the 426 on /signal, the
 * redirect on the TLS port). Also the static server's refusal of paths outside dist/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appContentSecurityPolicy, requestSecurityHeaders, securityHeaders, signalOrigin } from './security-headers.ts';
import { startServer, type RunningServer } from './server.ts';
import { certificateNames } from './local-addresses.ts';
import { generateSelfSignedCertificate, type TlsPair } from './tls-certificate.ts';

const servers: RunningServer[] = [];
let dist: string;
let outside: string;

beforeAll(() => {
  const root = mkdtempSync(join(tmpdir(), 'tabchain-headers-'));
  dist = join(root, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(dist, 'assets', 'a.js'), 'export {};');
  outside = join(root, 'secret.txt');
  writeFileSync(outside, 'outside dist');
});
afterAll(() => rmSync(join(dist, '..'), { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** One raw HTTP/1.1 request (the path sent exactly as written); resolves with the status and headers. */
function rawRequest(port: number, path: string, host = `127.0.0.1:${port}`): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const at = line.indexOf(':');
        headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

function expectSecurityHeaders(headers: Record<string, string>): void {
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['content-security-policy']).toContain("object-src 'none'");
  expect(headers['content-security-policy']).toContain("base-uri 'none'");
}

describe('security headers: the policy', () => {
  it('behavior: COOP is sent where the browser honours it (https, or a loopback host over http), not on plain http under a LAN name, where it would only warn', () => {
    const coop = (host: string, tls: boolean) => securityHeaders({ host, url: '/', tls }, 'app')['cross-origin-opener-policy'];
    expect(coop('localhost:8080', false)).toBe('same-origin');
    expect(coop('127.0.0.1:8080', false)).toBe('same-origin');
    expect(coop('[::1]:8080', false)).toBe('same-origin');
    expect(coop('lan.test:8443', true)).toBe('same-origin');
    expect(coop('192.168.1.20:8443', true)).toBe('same-origin');
    expect(coop('lan.test:8080', false)).toBeUndefined();
    expect(coop('192.168.1.20:8080', false)).toBeUndefined();
  });

  it('behavior: the app policy allows only its own scripts, styles and workers, no framing; connect-src is the origin and its WebSocket form', () => {
    const policy = appContentSecurityPolicy({ host: 'tabchain.example.org', url: '/', tls: true });
    const directives = new Map(policy.split('; ').map((d) => [d.split(' ')[0], d.slice(d.indexOf(' ') + 1)]));
    expect(directives.get('default-src')).toBe("'self'");
    expect(directives.get('script-src')).toBe("'self' 'wasm-unsafe-eval'");
    expect(directives.get('style-src')).toBe("'self'");
    expect(directives.get('worker-src')).toBe("'self'");
    expect(directives.get('connect-src')).toBe("'self' ws://tabchain.example.org wss://tabchain.example.org");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    // No 'unsafe-inline' or 'unsafe-eval' anywhere; WebAssembly compilation is the one exception.
    expect(policy.replace("'wasm-unsafe-eval'", '')).not.toContain('unsafe');
    expect(appContentSecurityPolicy({ host: 'localhost:8080', url: '/', tls: false })).toContain("connect-src 'self' ws://localhost:8080 wss://localhost:8080;");
  });

  it('behavior: a ?signal= ws(s) URL adds its origin to connect-src; anything else adds nothing', () => {
    expect(appContentSecurityPolicy({ host: 'localhost:8080', url: '/?network=test&signal=wss%3A%2F%2Fsig.example.org%3A8443%2Fsignal', tls: false })).toContain(
      "connect-src 'self' ws://localhost:8080 wss://localhost:8080 wss://sig.example.org:8443;",
    );
    expect(signalOrigin('/?signal=ws://[::1]:5000/signal')).toBe('ws://[::1]:5000');
    expect(signalOrigin('/?signal=https://evil.example/')).toBeNull();
    expect(signalOrigin('/?signal=javascript:alert(1)')).toBeNull();
    // ';' and ',' survive URL parsing in a host: they must not open a new directive.
    expect(signalOrigin('/?signal=ws://a;script-src/')).toBeNull();
    expect(signalOrigin('/?signal=ws://a,b/')).toBeNull();
    expect(signalOrigin('/')).toBeNull();
    expect(appContentSecurityPolicy({ host: 'x;script-src *', url: '/', tls: false })).toContain("connect-src 'self';");
  });

  it('behavior: HSTS only over TLS, and not for localhost or IP addresses', () => {
    expect(securityHeaders({ host: 'tabchain.example.org', tls: true }, 'app')['strict-transport-security']).toBe('max-age=31536000');
    expect(securityHeaders({ host: 'tabchain.example.org', tls: false }, 'app')['strict-transport-security']).toBeUndefined();
    for (const host of ['localhost:8080', '192.168.1.20:8080', '[::1]:8080']) {
      expect(securityHeaders({ host, tls: true }, 'app')['strict-transport-security']).toBeUndefined();
    }
  });

  it('behavior: behind a trusted proxy, X-Forwarded-Proto https counts as TLS (HSTS); from anyone else it does not', () => {
    const req = { headers: { host: 'tabchain.example.org', 'x-forwarded-proto': 'https' }, url: '/' };
    expect(requestSecurityHeaders(req, false, 'app', true)['strict-transport-security']).toBe('max-age=31536000');
    expect(requestSecurityHeaders(req, false, 'app', false)['strict-transport-security']).toBeUndefined();
    expect(requestSecurityHeaders({ ...req, headers: { ...req.headers, 'x-forwarded-proto': 'http' } }, false, 'app', true)['strict-transport-security']).toBeUndefined();
  });

  it("behavior: a server without the app (data only) lets nothing load: default-src 'none'", () => {
    expect(securityHeaders({ tls: false }, 'api')['content-security-policy']).toMatch(/^default-src 'none';.*frame-ancestors 'none'/);
  });
});

describe('security headers: on every response of the app server', () => {
  it('behavior: files, the shell for unknown paths, /health, 404s, the 426 on /signal and refused paths all carry them', async () => {
    const running = await startServer({ port: 0, host: '127.0.0.1', dist });
    servers.push(running);
    for (const path of ['/', '/index.html', '/assets/a.js', '/no/such/view', '/health', '/signal', '/assets/missing.js']) {
      const answer = await rawRequest(running.port, path);
      expectSecurityHeaders(answer.headers);
      expect(answer.headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${running.port} wss://127.0.0.1:${running.port}`);
      expect(answer.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('error: paths outside dist/ are refused, however they are spelled', async () => {
    const running = await startServer({ port: 0, host: '127.0.0.1', dist });
    servers.push(running);
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', `/${encodeURIComponent(outside)}`]) {
      const answer = await rawRequest(running.port, path);
      expect(answer.body, path).not.toContain('outside dist');
      expectSecurityHeaders(answer.headers);
    }
    // The one that reaches the check rather than URL normalization is refused outright.
    expect((await rawRequest(running.port, '/assets/..%2f..%2fsecret.txt')).status).toBe(403);
  });

  describe('over TLS', () => {
    let pair: TlsPair;
    beforeAll(async () => {
      pair = await generateSelfSignedCertificate(certificateNames([]));
    });

    it('behavior: HSTS for a DNS name over https, not for localhost; the plain-HTTP redirect carries the headers too', async () => {
      const running = await startServer({ port: 0, host: '127.0.0.1', dist, tls: { cert: pair.cert, key: pair.key } });
      servers.push(running);
      const get = (host: string) =>
        new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
          const req = httpsRequest({ host: '127.0.0.1', port: running.port, path: '/', headers: { host }, rejectUnauthorized: false }, (res) => {
            res.resume();
            resolve(res.headers);
          });
          req.on('error', reject);
          req.end();
        });
      const named = await get(`tabchain.example.org:${running.port}`);
      expect(named['strict-transport-security']).toBe('max-age=31536000');
      expect(named['content-security-policy']).toContain(`wss://tabchain.example.org:${running.port}`);
      expect((await get(`localhost:${running.port}`))['strict-transport-security']).toBeUndefined();
      const redirect = await rawRequest(running.port, '/');
      expect(redirect.status).toBe(308);
      expectSecurityHeaders(redirect.headers);
    });
  });
});
