import enUS from '../locales/en-US.ts';
import zhCN, { type Messages } from '../locales/zh-CN.ts';

// Plain functions (no React) over the catalogs: looking a key up, filling {placeholders}.
export const CATALOGS = { 'zh-CN': zhCN, 'en-US': enUS } as const;
export type Lang = keyof typeof CATALOGS;
export const LANGS = Object.keys(CATALOGS) as Lang[];
export const DEFAULT_LANG: Lang = 'zh-CN';

/** Every message key as a dotted path ('products.title'); a typo is a compile error. */
type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];
export type MessageKey = Leaves<Messages>;
export type Vars = Record<string, string | number>;

export function translate(lang: Lang, key: MessageKey, vars?: Vars): string {
  let node: unknown = CATALOGS[lang];
  for (const part of key.split('.')) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  if (typeof node !== 'string') {
    // keys built at run time (a status the server added) can miss: say so where browser tests look
    console.error(`missing i18n key ${lang}:${key}`);
    return key;
  }
  return vars ? node.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : node;
}
