/**
 * Entry of the script-tag bundle (`<script src="https://bff.example/tender.js">`, served by the BFF
 * as `/tender.js`): the element talks to the BFF it was loaded from unless told otherwise, and
 * fetches what the first screen does not need from beside the script: languages other than
 * English (`tender-locales/<tag>.js`) and the rarer parts (`tender-parts/<name>.js`, see
 * `parts.ts`), ES modules the build writes next to `tender.js`, so the main file stays small.
 */
import { html, nothing } from 'lit/html.js';
import { apiBaseOfScript, setDefaultApiBase } from './api.ts';
import { setLocaleLoader, type Table } from './i18n.ts';
import { setPartLoader, type Parts } from './parts.ts';
import { localeFile, partFile } from './script-tag-files.ts';
import './define.ts';

// document.currentScript is only set while a classic script runs for the first time, so it is
// read here at load; the element reads the default later, when it first fetches.
const script = document.currentScript;
const base = script instanceof HTMLScriptElement && script.src ? apiBaseOfScript(script.src) : null;
if (base) setDefaultApiBase(base);

const beside = (file: string): string => new URL(file, base ?? document.baseURI).href;

// The parts are built without Lit (vite.config.ts): their templates use this bundle's `html`, so
// one Lit renders everything. A symbol from the global registry: nothing else reads it.
const LIT = Symbol.for('tender-checkout.lit');
if (!(LIT in globalThis)) Object.defineProperty(globalThis, LIT, { value: { html, nothing } });

setLocaleLoader(async (locale) => {
  const module = (await import(/* @vite-ignore */ beside(localeFile(locale)))) as { default: Table };
  return module.default;
});

setPartLoader(async (name) => (await import(/* @vite-ignore */ beside(partFile(name)))) as Parts[typeof name]);
