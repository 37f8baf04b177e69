import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { DEFAULT_LANG, LANGS, translate, type Lang, type MessageKey, type Vars } from './messages.ts';

export type { Lang, MessageKey } from './messages.ts';
export { LANGS } from './messages.ts';

// The language lives in React state and in localStorage (only the language: nothing secret is stored there).
const STORAGE_KEY = 'quanyi.lang';

function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  return LANGS.includes(saved as Lang) ? (saved as Lang) : DEFAULT_LANG;
}

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t(key: MessageKey, vars?: Vars): string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((l: Lang) => {
    localStorage.setItem(STORAGE_KEY, l);
    document.documentElement.lang = l;
    setLangState(l);
  }, []);
  const value = useMemo<I18n>(() => ({ lang, setLang, t: (key, vars) => translate(lang, key, vars) }), [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(I18nContext);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
