/**
 * @module How a view declares its messages: English first, and a Simplified Chinese table that
 * the type checker holds to exactly the same keys, so no string is forgotten in either language.
 * Placeholders are `{name}`, filled by `t(key, { name })`.
 */
export const LOCALES = ['en', 'zh'] as const;
export type Locale = (typeof LOCALES)[number];

export interface Messages<K extends string> {
  en: Record<K, string>;
  zh: Record<K, string>;
}

export function defineMessages<const E extends Record<string, string>>(en: E, zh: { [K in keyof E]: string }): Messages<Extract<keyof E, string>> {
  return { en, zh };
}
