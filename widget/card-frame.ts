/**
 * The card tokenizer's frame (`MethodView.tokenizer`). Card numbers are typed into a page served by
 * the tokenizer's own origin, so they never reach the merchant's page or the BFF. The frame and the
 * element talk with `postMessage`:
 * - element → frame: `{ type: 'tender-card-submit' }` when the shopper presses Pay;
 * - frame → element: `{ type: 'tender-card-token', fields }` (tokens, sent with the attempt),
 *   `{ type: 'tender-card-error', message }`, `{ type: 'tender-card-resize', height }`.
 * Messages count only when they come from the frame itself and from the tokenizer's origin.
 *
 * Loaded on demand (`parts.ts`) with the card issuer's 3-D Secure frame (`renderChallenge`): both
 * only ever appear in a card payment.
 */
import { html, nothing, type TemplateResult } from 'lit/html.js';
import type { Controller, ControllerHost } from './element.ts';
import type { CardTokenizer, ChallengeAction } from './wire.ts';

export interface CardFrameEvents {
  onToken(fields: Record<string, string>): void;
  onError(message: string): void;
}

/** Frames taller than this are cut to it; a hostile or broken frame cannot take over the page. */
const MAX_HEIGHT = 640;

export class CardFrameController implements Controller {
  readonly #host: ControllerHost;
  readonly #events: CardFrameEvents;
  /** The tokenizer whose frame is on screen, set by the element while a card method is chosen. */
  tokenizer: CardTokenizer | null = null;
  /** The frame's height as it asked for it, in CSS pixels (null until it says). */
  height: number | null = null;
  frame: HTMLIFrameElement | null = null;

  constructor(host: ControllerHost, events: CardFrameEvents) {
    this.#host = host;
    this.#events = events;
    host.addController(this);
  }

  hostConnected(): void {
    addEventListener('message', this.#onMessage);
  }

  hostDisconnected(): void {
    removeEventListener('message', this.#onMessage);
  }

  /** Asks the frame to tokenize what the shopper typed; false when there is no frame to ask. */
  submit(): boolean {
    const target = this.frame?.contentWindow;
    if (!target || !this.tokenizer) return false;
    target.postMessage({ type: 'tender-card-submit' }, this.tokenizer.origin);
    return true;
  }

  readonly #onMessage = (event: MessageEvent): void => {
    const tokenizer = this.tokenizer;
    if (!tokenizer || event.origin !== tokenizer.origin) return;
    if (!this.frame || event.source !== this.frame.contentWindow) return;
    const data: unknown = event.data;
    if (typeof data !== 'object' || data === null) return;
    const message = data as { type?: unknown; fields?: unknown; message?: unknown; height?: unknown };
    switch (message.type) {
      case 'tender-card-token': {
        const fields = stringRecord(message.fields);
        if (fields) this.#events.onToken(fields);
        return;
      }
      case 'tender-card-error':
        if (typeof message.message === 'string') this.#events.onError(message.message);
        return;
      case 'tender-card-resize':
        if (typeof message.height === 'number' && Number.isFinite(message.height) && message.height > 0) {
          this.height = Math.min(Math.ceil(message.height), MAX_HEIGHT);
          this.#host.requestUpdate();
        }
        return;
      default:
        return;
    }
  };
}

function stringRecord(value: unknown): Record<string, string> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') return null;
    out[key] = item;
  }
  return out;
}

/** The tokenizer's frame for `controller`'s tokenizer, at the height it asked for. */
export function renderCardFrame(controller: CardFrameController, url: string, title: string): TemplateResult {
  return html`<iframe
    class="card-frame"
    part="card-frame"
    title=${title}
    src=${tokenizerSrc(url)}
    height=${controller.height ?? nothing}
  ></iframe>`;
}

/**
 * The card issuer's check in a frame named `name`. Its fields are posted into the frame by the
 * hidden form once both are on screen (the element submits `form.challenge` after rendering).
 */
export function renderChallenge(action: ChallengeAction, name: string, title: string): TemplateResult {
  // A GET form would replace the URL's own query with its fields: a bare GET is loaded as it is.
  if (action.method === 'GET' && Object.keys(action.fields).length === 0) {
    return html`<iframe class="challenge-frame" part="challenge-frame" title=${title} src=${action.url}></iframe>`;
  }
  return html`<iframe class="challenge-frame" part="challenge-frame" name=${name} title=${title}></iframe>
    <form
      class="challenge"
      method=${action.method === 'GET' ? 'get' : 'post'}
      action=${action.url}
      target=${name}
      hidden
    >
      ${Object.entries(action.fields).map(([key, value]) => html`<input type="hidden" name=${key} .value=${value} />`)}
    </form>`;
}

/** The tokenizer frame learns which page may frame it and hear from it: this page's origin. */
function tokenizerSrc(url: string): string {
  const src = new URL(url);
  src.searchParams.set('origin', location.origin);
  return src.href;
}
