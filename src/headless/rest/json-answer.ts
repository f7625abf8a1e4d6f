/**
 * @module The JSON every answer of the headless node's HTTP server carries (REST answers, the
 * server's own refusals): pretty text, its length, never cached.
 */

export function jsonAnswer(body: unknown): { text: string; headers: Record<string, string> } {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  return { text, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)) } };
}
