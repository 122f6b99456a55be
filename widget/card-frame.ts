/**
 * The card tokenizer's frame (`MethodView.tokenizer`). Card numbers are typed into a page served by
 * the tokenizer's own origin, so they never reach the merchant's page or the BFF. The frame and the
 * element talk with `postMessage`:
 * - element → frame: `{ type: 'tender-card-submit' }` when the shopper presses Pay;
 * - frame → element: `{ type: 'tender-card-token', fields }` (tokens, sent with the attempt),
 *   `{ type: 'tender-card-error', message }`, `{ type: 'tender-card-resize', height }`.
 * Messages count only when they come from the frame itself and from the tokenizer's origin.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CardTokenizer } from './wire.ts';

export interface CardFrameEvents {
  onToken(fields: Record<string, string>): void;
  onError(message: string): void;
}

/** Frames taller than this are cut to it; a hostile or broken frame cannot take over the page. */
const MAX_HEIGHT = 640;

export class CardFrameController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #events: CardFrameEvents;
  /** The tokenizer whose frame is on screen, set by the element while a card method is chosen. */
  tokenizer: CardTokenizer | null = null;
  /** The frame's height as it asked for it, in CSS pixels (null until it says). */
  height: number | null = null;
  frame: HTMLIFrameElement | null = null;

  constructor(host: ReactiveControllerHost, events: CardFrameEvents) {
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
