/**
 * @module The UI's language: English or Simplified Chinese, picked from the browser's languages
 * on the first visit and switchable (the choice is saved). `t()` reads the current locale, so any
 * template that calls it re-renders when the language changes.
 *
 * Each view owns a messages file (./messages/); this module merges them. A key is namespaced by
 * its view (`wallet.send`), and the merge refuses duplicates, so two views never fight over one.
 */
import { LOCALES, type Locale, type Messages } from './define.ts';
import { appMessages } from './messages/app.ts';
import { explorerMessages } from './messages/explorer.ts';
import { mempoolMessages } from './messages/mempool.ts';
import { miningMessages } from './messages/mining.ts';
import { networkMessages } from './messages/network.ts';
import { walletMessages } from './messages/wallet.ts';

const parts = [appMessages, walletMessages, miningMessages, networkMessages, explorerMessages, mempoolMessages] as const;

type KeysOf<M> = M extends Messages<infer K> ? K : never;
export type MessageKey = KeysOf<(typeof parts)[number]>;

function merge(locale: Locale): Record<MessageKey, string> {
  const all: Record<string, string> = {};
  for (const part of parts) {
    for (const [key, text] of Object.entries(part[locale])) {
      if (key in all) throw new Error(`message key ${key} is defined twice`);
      all[key] = text;
    }
  }
  return all as Record<MessageKey, string>;
}

export const catalogs: Record<Locale, Record<MessageKey, string>> = { en: merge('en'), zh: merge('zh') };

/** Names of the languages, each in its own language (what a language menu shows). */
export const LANGUAGE_NAMES: Record<Locale, string> = { en: 'English', zh: '简体中文' };

const STORAGE_KEY = 'tabchain-locale';

/** The first of the browser's preferred languages that we speak; English otherwise. */
export function localeFor(languages: readonly string[]): Locale {
  for (const language of languages) {
    const base = language.toLowerCase().split('-')[0];
    if (base === 'zh') return 'zh';
    if (base === 'en') return 'en';
  }
  return 'en';
}

function savedLocale(): Locale | null {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    return (LOCALES as readonly string[]).includes(saved ?? '') ? (saved as Locale) : null;
  } catch {
    return null;
  }
}

function browserLanguages(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

class I18n {
  locale = $state<Locale>(savedLocale() ?? localeFor(browserLanguages()));

  set(locale: Locale): void {
    this.locale = locale;
    try {
      localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // Not saved: the choice lasts for this page.
    }
    applyLang(locale);
  }
}

function applyLang(locale: Locale): void {
  if (typeof document !== 'undefined') document.documentElement.lang = locale === 'zh' ? 'zh-CN' : 'en';
}

export const i18n = new I18n();
applyLang(i18n.locale);

/** The message for `key` in the current language, with `{name}` placeholders filled in. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = catalogs[i18n.locale][key] ?? catalogs.en[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A number in the current language's format (digit grouping). */
export function formatNumber(n: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(i18n.locale === 'zh' ? 'zh-CN' : 'en', options).format(n);
}

/**
 * How long ago `seconds` (a Unix time) was, in the current language ("5 min ago"). A time ahead
 * of the clock (block times may run a little ahead, within consensus limits) reads "now".
 */
export function timeAgo(seconds: number, nowSeconds: number): string {
  const rtf = new Intl.RelativeTimeFormat(i18n.locale === 'zh' ? 'zh-CN' : 'en', { numeric: 'auto', style: 'short' });
  const diff = Math.round(Math.min(seconds, nowSeconds) - nowSeconds);
  const abs = Math.abs(diff);
  if (abs < 60) return rtf.format(diff, 'second');
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(diff / 3600), 'hour');
  return rtf.format(Math.round(diff / 86400), 'day');
}

/** A byte count as people read it (1.2 MB). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${formatNumber(value, { maximumFractionDigits: unit === 0 ? 0 : 1 })} ${units[unit]}`;
}
