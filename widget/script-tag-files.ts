/**
 * Where the script-tag bundle finds its on-demand files, relative to `tender.js`. As written here
 * the names are plain (`tender-parts/till.js`); the IIFE build (vite.config.ts) replaces this
 * module with the names carrying each file's content hash (`tender-parts/till.<hash>.js`, the
 * first 12 hex digits of the SHA-256 of the file's bytes), which the BFF serves with long caching.
 */
import type { Locale } from './i18n.ts';
import type { PartName } from './parts.ts';

export const partFile = (name: PartName): string => `tender-parts/${name}.js`;
export const localeFile = (locale: Exclude<Locale, 'en'>): string => `tender-locales/${locale}.js`;
