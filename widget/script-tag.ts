/**
 * Entry of the script-tag bundle (`<script src="https://bff.example/tender.js">`, served by the BFF
 * as `/tender.js`): the element talks to the BFF it was loaded from unless told otherwise, and
 * fetches languages other than English from beside the script (`tender-locales/<tag>.js`, ES
 * modules the build writes next to `tender.js`), so the main file carries English only.
 */
import { apiBaseOfScript, setDefaultApiBase } from './api.ts';
import { setLocaleLoader, type Table } from './i18n.ts';
import './define.ts';

// document.currentScript is only set while a classic script runs for the first time, so it is
// read here at load; the element reads the default later, when it first fetches.
const script = document.currentScript;
const base = script instanceof HTMLScriptElement && script.src ? apiBaseOfScript(script.src) : null;
if (base) setDefaultApiBase(base);

setLocaleLoader(async (locale) => {
  const url = new URL(`tender-locales/${locale}.js`, base ?? document.baseURI).href;
  const module = (await import(/* @vite-ignore */ url)) as { default: Table };
  return module.default;
});
