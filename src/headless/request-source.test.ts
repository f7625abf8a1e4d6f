import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startNodeHttpServer } from './http-server.ts';

/** Writes `data` on a raw TCP connection and resolves with the first answer's status and body. */
function exchange(port: number, data: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(data));
    let text = '';
    socket.on('data', (c: Buffer) => {
      text += c.toString();
      const [head, body] = text.split('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(head ?? '')?.[1]);
      if (body !== undefined && Buffer.byteLength(body) >= length) {
        socket.destroy();
        resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head!)?.[1]), body: JSON.parse(body) as Record<string, unknown> });
      }
    });
    socket.on('error', reject);
  });
}

describe('the front of the headless node’s HTTP server', () => {
  it('error: a Host the framework cannot make a URL of, or none, gets the same JSON 421 as any other name', async () => {
    const http = await startNodeHttpServer({ port: 0 });
    try {
      for (const host of ['a b', 'exa mple.test:1', '%%%']) {
        const answer = await exchange(http.port, `GET /health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
        expect(answer.status, host).toBe(421);
        expect(answer.body.error, host).toBe('bad-host');
        expect(answer.body.message, host).toMatch(/DNS rebinding/);
      }
      expect((await exchange(http.port, 'GET /health HTTP/1.1\r\nConnection: close\r\n\r\n')).status).toBe(421);
    } finally {
      await http.close();
    }
  });

  it('behavior: behind the checks, /signal is 426 and everything else goes to the handler set (503 before)', async () => {
    const http = await startNodeHttpServer({ port: 0 });
    const request = (path: string) => exchange(http.port, `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${http.port}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
    try {
      expect(await request('/chain')).toMatchObject({ status: 503, body: { error: 'starting' } });
      http.setHandler((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(`{"got":${body}}`)) }).end(`{"got":${body}}`));
      });
      expect(await request('/chain')).toEqual({ status: 200, body: { got: {} } });
      expect(await request('/signal')).toMatchObject({ status: 426, body: { error: 'upgrade-required' } });
    } finally {
      await http.close();
    }
  });
});
