import { describe, expect, it } from 'vitest';
import { catalogs, formatBytes, i18n, localeFor, t, timeAgo } from './i18n.svelte.ts';

const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

describe('messages', () => {
  it('behavior: English and Chinese have the same keys, none empty, with the same placeholders', () => {
    const en = catalogs.en as Record<string, string>;
    const zh = catalogs.zh as Record<string, string>;
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    const problems: string[] = [];
    for (const key of Object.keys(en)) {
      if (!en[key]!.trim() || !zh[key]!.trim()) problems.push(`${key} is empty`);
      if (placeholders(en[key]!).join() !== placeholders(zh[key]!).join()) problems.push(`${key}: {${placeholders(en[key]!)}} vs {${placeholders(zh[key]!)}}`);
    }
    expect(problems).toEqual([]);
  });

  it('behavior: the Chinese table is actually Chinese for most messages', () => {
    const zh = Object.values(catalogs.zh as Record<string, string>);
    const withHan = zh.filter((text) => /\p{Script=Han}/u.test(text));
    expect(withHan.length / zh.length).toBeGreaterThan(0.8);
  });

  it('behavior: the browser language picks the locale, English otherwise', () => {
    expect(localeFor(['zh-CN', 'en'])).toBe('zh');
    expect(localeFor(['zh-TW'])).toBe('zh');
    expect(localeFor(['fr-FR', 'en-GB'])).toBe('en');
    expect(localeFor(['de'])).toBe('en');
    expect(localeFor([])).toBe('en');
  });

  it('behavior: placeholders are filled and switching the locale switches the text', () => {
    i18n.locale = 'en';
    expect(t('app.slot', { slot: 3 })).toBe('node slot 3');
    i18n.locale = 'zh';
    expect(t('app.slot', { slot: 3 })).toBe('节点槽位 3');
    i18n.locale = 'en';
    expect(formatBytes(1_500_000)).toBe('1.5 MB');
    expect(formatBytes(12)).toBe('12 B');
    expect(timeAgo(1000, 1000 + 300)).toBe('5 min. ago');
    expect(timeAgo(1030, 1000)).toBe('now');
  });
});
