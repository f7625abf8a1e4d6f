import { describe, expect, it } from 'vitest';
import { href, parseRoute, topViewOf } from './router.ts';

describe('routes', () => {
  it('parses the top views and defaults to the wallet', () => {
    expect(parseRoute('')).toEqual({ view: 'wallet' });
    expect(parseRoute('#/')).toEqual({ view: 'wallet' });
    expect(parseRoute('#/mining')).toEqual({ view: 'mining' });
    expect(parseRoute('#/mempool')).toEqual({ view: 'mempool' });
    expect(parseRoute('#/nowhere')).toEqual({ view: 'wallet' });
  });

  it('parses explorer pages and round-trips them', () => {
    for (const route of [
      { view: 'block', id: '12' },
      { view: 'tx', id: 'ab'.repeat(32) },
      { view: 'address', id: 'ttab1qxyz' },
    ] as const) {
      expect(parseRoute(href(route))).toEqual(route);
      expect(topViewOf(route)).toBe('explorer');
    }
    expect(parseRoute('#/explorer/block')).toEqual({ view: 'explorer' });
  });

  it('survives malformed escapes', () => {
    expect(parseRoute('#/explorer/tx/%E0%A4%A')).toEqual({ view: 'tx', id: '%E0%A4%A' });
  });
});
