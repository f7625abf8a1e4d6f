import { describe, expect, it } from 'vitest';
import { SIGNAL_CHOICES_KEY, isOwnOrigin, rememberSignalChoice, signalRequest } from './signal-choice.ts';

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
}

const page = 'https://tabchain.example.org';

describe('signal choice', () => {
  it('behavior: no ?signal=, or one that is not ws(s)://, asks for nothing', () => {
    expect(signalRequest('', page, memoryStorage())).toEqual({ kind: 'none' });
    expect(signalRequest('?signal=https://evil.example/', page, memoryStorage())).toEqual({ kind: 'none' });
    expect(signalRequest('?signal=javascript:alert(1)', page, memoryStorage())).toEqual({ kind: 'none' });
  });

  it("behavior: the page's own origin is used without a question; another origin, scheme or port is asked about", () => {
    expect(signalRequest('?signal=wss://tabchain.example.org/signal', page, memoryStorage())).toEqual({ kind: 'use', url: 'wss://tabchain.example.org/signal' });
    for (const url of ['wss://evil.example/signal', 'ws://tabchain.example.org/signal', 'wss://tabchain.example.org:8443/signal']) {
      expect(signalRequest(`?signal=${encodeURIComponent(url)}`, page, memoryStorage())).toEqual({ kind: 'ask', url });
    }
    expect(isOwnOrigin('ws://127.0.0.1:4173/signal', 'http://127.0.0.1:4173')).toBe(true);
    expect(isOwnOrigin('ws://localhost:4173/signal', 'http://127.0.0.1:4173')).toBe(false);
  });

  it('behavior: an answer is remembered per URL, yes or no; a malformed store counts as no answer', () => {
    const storage = memoryStorage();
    rememberSignalChoice(storage, 'wss://a.example/signal', true);
    rememberSignalChoice(storage, 'wss://b.example/signal', false);
    expect(signalRequest('?signal=wss://a.example/signal', page, storage)).toEqual({ kind: 'use', url: 'wss://a.example/signal' });
    expect(signalRequest('?signal=wss://b.example/signal', page, storage)).toEqual({ kind: 'declined', url: 'wss://b.example/signal' });
    expect(signalRequest('?signal=wss://c.example/signal', page, storage)).toEqual({ kind: 'ask', url: 'wss://c.example/signal' });
    for (const bad of ['not json', '[true]', '{"wss://a.example/signal":"yes"}']) {
      expect(signalRequest('?signal=wss://a.example/signal', page, memoryStorage({ [SIGNAL_CHOICES_KEY]: bad }))).toEqual({ kind: 'ask', url: 'wss://a.example/signal' });
    }
    expect(signalRequest('?signal=wss://a.example/signal', page, null)).toEqual({ kind: 'ask', url: 'wss://a.example/signal' });
  });
});
