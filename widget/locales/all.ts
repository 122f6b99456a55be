/**
 * Every table but English, imported statically: for the build, which writes each one out as its
 * own file for the script-tag bundle, and for the test that holds them to English's keys. The
 * element never imports this module (it would put every language in the main file).
 */
import type { Locale, Table } from '../i18n.ts';
import ar from './ar.ts';
import id from './id.ts';
import ja from './ja.ts';
import km from './km.ts';
import ko from './ko.ts';
import ms from './ms.ts';
import th from './th.ts';
import vi from './vi.ts';
import zhHans from './zh-Hans.ts';
import zhHant from './zh-Hant.ts';

export const tables: Readonly<Record<Exclude<Locale, 'en'>, Table>> = {
  'zh-Hans': zhHans,
  'zh-Hant': zhHant,
  th,
  vi,
  id,
  ms,
  km,
  ja,
  ko,
  ar,
};
