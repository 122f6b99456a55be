/**
 * Sending the shopper to a provider's page. A plain GET becomes `location.assign`; anything with
 * fields (One1Pay's POST form, say) becomes a real form submission, because a provider may expect
 * the browser's own form post and not a script-built request.
 */
import type { RedirectAction } from './wire.ts';

export interface RedirectNavigator {
  assign(url: string): void;
  submit(form: HTMLFormElement): void;
}

export const browserNavigator: RedirectNavigator = {
  assign: (url) => location.assign(url),
  submit: (form) => {
    // A form must be in a document to submit; it is removed by the navigation itself.
    document.body.append(form);
    form.submit();
  },
};

/** True for the URLs a redirect may lead to; keeps `javascript:` and `data:` out of navigation. */
export function isNavigableUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url, document.baseURI);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Schemes an "Open in app" link may use: the web, and the wallets whose apps take a payment link
 * (WeChat `weixin://`, Alipay `alipays://` / `alipay://`, AlipayHK `alipayhk://`). Parsed with
 * `URL`, as the browser will, so `java\tscript:` and friends are seen for what they are.
 */
const APP_LINK_SCHEMES: ReadonlySet<string> = new Set([
  'https:',
  'http:',
  'weixin:',
  'alipays:',
  'alipay:',
  'alipayhk:',
]);

export function isAppLink(url: string): boolean {
  try {
    return APP_LINK_SCHEMES.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

export function buildRedirectForm(doc: Document, action: RedirectAction): HTMLFormElement {
  const form = doc.createElement('form');
  form.method = action.method.toLowerCase();
  form.action = action.url;
  form.hidden = true;
  for (const [name, value] of Object.entries(action.fields)) {
    const input = doc.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.append(input);
  }
  return form;
}

export function performRedirect(action: RedirectAction, navigator: RedirectNavigator = browserNavigator): void {
  if (action.method === 'GET' && Object.keys(action.fields).length === 0) {
    navigator.assign(action.url);
    return;
  }
  navigator.submit(buildRedirectForm(document, action));
}
