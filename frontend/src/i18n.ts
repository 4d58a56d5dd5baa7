// zh-CN and English, following the system language until the user picks one (kept in localStorage).
import { createI18n } from 'vue-i18n'
import en from './locales/en'
import zhCN from './locales/zh-CN'

export type Locale = 'en' | 'zh-CN'
const STORAGE_KEY = 'ko.locale'

export function initialLocale(stored: string | null, system: readonly string[]): Locale {
  if (stored === 'en' || stored === 'zh-CN') return stored
  return system.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en'
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(localStorage.getItem(STORAGE_KEY), navigator.languages ?? [navigator.language]),
  fallbackLocale: 'en',
  messages: { en, 'zh-CN': zhCN },
})

export function setLocale(locale: Locale) {
  i18n.global.locale.value = locale
  localStorage.setItem(STORAGE_KEY, locale)
  document.documentElement.lang = locale
}
