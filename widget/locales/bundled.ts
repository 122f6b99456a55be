/**
 * The locale loader of the npm build: each table is its own chunk, fetched the first time an
 * element speaks that language.
 */
import type { Locale, LocaleLoader, Table } from '../i18n.ts';

type Module = Promise<{ default: Table }>;

const modules: Readonly<Record<Exclude<Locale, 'en'>, () => Module>> = {
  'zh-Hans': () => import('./zh-Hans.ts'),
  'zh-Hant': () => import('./zh-Hant.ts'),
  th: () => import('./th.ts'),
  vi: () => import('./vi.ts'),
  id: () => import('./id.ts'),
  ms: () => import('./ms.ts'),
  km: () => import('./km.ts'),
  ja: () => import('./ja.ts'),
  ko: () => import('./ko.ts'),
  ar: () => import('./ar.ts'),
};

export const bundledLocales: LocaleLoader = async (locale) => (await modules[locale]()).default;
