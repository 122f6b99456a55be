/**
 * The hosted page's first screen, drawn by the server: the widget's own method list for a session
 * with no attempt yet (`TenderCheckout.firstScreen` from the `tender` package, turned into HTML by
 * Lit's server renderer) written into `<tender-checkout>` as a declarative shadow root. The browser
 * paints it with the page, before the script has arrived; the element takes the root over and draws
 * its own screen over it once that is ready (widget/element.ts `keepsPrerender`). Until then the
 * drawing is `inert`: nothing in it can be pressed before the element listens.
 *
 * The element's stylesheet goes inline in the root, so the page's CSP names its SHA-256
 * (`styleSource`) instead of allowing inline styles. Lit's markers (`<!--lit-part-->` comments) are
 * left out, since the element draws anew rather than hydrating, and so are the templates' line
 * breaks and indentation. Lit writes a radio's `.checked` as `checked="false"` or `"true"`; the
 * attribute checks a radio whatever its value, so it is written as the browser reads it.
 *
 * The element class needs `HTMLElement` and `customElements` to load in Node: Lit's DOM shim
 * provides them on `globalThis` where they are missing, as Lit's own server rendering does. Without
 * the widget's build (`npm run build`) there is no first screen and the page is served without one.
 */
import type { CheckoutView } from '../../widget/wire.ts';
import { cspHashSource } from '../http/csp.ts';

export interface FirstScreens {
  /** The screen for `view` in `locale` (one of the widget's), or null when there is none to draw. */
  draw(view: CheckoutView, locale: string): Promise<string | null>;
  /** The `style-src` source that lets the screen's inline stylesheet in. */
  readonly styleSource: string;
}

/** What this module uses of the `tender` package (`import 'tender/widget'`). */
interface WidgetModule {
  TenderCheckout: {
    readonly styles: string;
    firstScreen(view: CheckoutView, locale: string): Promise<unknown>;
  };
}

/** Whether a session's first screen is the method list (what the server draws); others wait for the element. */
function drawsFirstScreen(view: CheckoutView): boolean {
  return view.status === 'open' && view.attempt === null && view.methods.length > 0;
}

/** Loads the widget and Lit's renderer; the reason there is no first screen when that fails (no widget build). */
export async function loadFirstScreens(): Promise<FirstScreens | { unavailable: string }> {
  let widget: WidgetModule;
  let ssr: typeof import('@lit-labs/ssr');
  let results: typeof import('@lit-labs/ssr/lib/render-result.js');
  try {
    const shim = await import('@lit-labs/ssr-dom-shim');
    globalThis.HTMLElement ??= shim.HTMLElement;
    globalThis.customElements ??= shim.customElements;
    // In a variable: the widget's types come from its build, which type-checking may precede.
    const widgetEntry = 'tender/widget';
    [widget, ssr, results] = await Promise.all([
      import(widgetEntry) as Promise<WidgetModule>,
      import('@lit-labs/ssr'),
      import('@lit-labs/ssr/lib/render-result.js'),
    ]);
  } catch (cause) {
    return { unavailable: `the widget could not be loaded for server rendering: ${String(cause)}` };
  }
  const { TenderCheckout } = widget;
  if (typeof TenderCheckout.firstScreen !== 'function' || TenderCheckout.styles.includes('</')) {
    return { unavailable: 'the widget build has no first screen to draw' };
  }
  const style = `<style>${TenderCheckout.styles}</style>`;
  return {
    styleSource: cspHashSource(TenderCheckout.styles),
    async draw(view, locale) {
      if (!drawsFirstScreen(view)) return null;
      const template = await TenderCheckout.firstScreen(view, locale);
      const markup = results
        .collectResultSync(ssr.render(template))
        .replace(/<!--\/?lit-(?:part|node)[^>]*-->/g, '')
        // The templates' line breaks and indentation: in this markup any run of white space reads as one.
        .replace(/\s*\n\s*/g, ' ')
        .replace(/ checked="false"/g, '')
        .replace(/ checked="true"/g, ' checked');
      return `<template shadowrootmode="open">${style}<div inert>${markup}</div></template>`;
    },
  };
}
