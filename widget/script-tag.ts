/**
 * Entry of the script-tag bundle (`<script src="https://bff.example/tender.js">`, served by the BFF
 * as `/tender.js`): the element talks to the BFF it was loaded from unless told otherwise.
 */
import { apiBaseOfScript, setDefaultApiBase } from './api.ts';
import './define.ts';

// document.currentScript is only set while a classic script runs for the first time, so it is
// read here at load; the element reads the default later, when it first fetches.
const script = document.currentScript;
if (script instanceof HTMLScriptElement && script.src) {
  setDefaultApiBase(apiBaseOfScript(script.src));
}
