/**
 * The QR screen, loaded on demand (`parts.ts`, asked for when the shopper pays): the code, its
 * countdown, "Open in WeChat", "Save QR image" and "Copy payment link". The element keeps the
 * state (the countdown, `countdown.controller.ts`; what was copied); this part draws it.
 *
 * The saveable image is a PNG drawn in the page from the module path the BFF already sent, so the
 * file has a same-origin `blob:` URL, which a `download` link honours even on a merchant's page,
 * and no client secret is in any URL.
 */
import { html, nothing, type TemplateResult } from 'lit/html.js';
import { formatCountdown } from './format.ts';
import type { Translator } from './i18n.ts';
import { isAppLink } from './redirect.ts';
import type { QrAction, QrModules } from './wire.ts';

/** What the QR screen shows, handed over by the element on each render. */
export interface QrScreen {
  t: Translator;
  qr: QrAction;
  /** The code's accessible name ("QR code to pay $10.00 with WeChat Pay"). */
  label: string;
  /** Milliseconds left before the code expires (by the BFF's clock), or null when it does not say. */
  remainingMs: number | null;
  /** "Open in WeChat", for the deep link. */
  openIn: string;
  /** The saveable PNG's `blob:` URL, once drawn. */
  image: string | null;
  copied: boolean;
  onCopy(): void;
  /** The way back to the method list. */
  chooseAnother: TemplateResult;
}

export function renderQr(screen: QrScreen): TemplateResult {
  const { t, qr, image } = screen;
  const box = qr.modules.size + 8;
  const deepLink = qr.deepLink && isAppLink(qr.deepLink) ? qr.deepLink : null;
  // Four modules of white quiet zone around the code (ISO/IEC 18004), drawn in the viewBox.
  return html`<figure class="qr" part="qr">
      <svg
        part="qr-code"
        role="img"
        aria-label=${screen.label}
        viewBox="-4 -4 ${box} ${box}"
        shape-rendering="crispEdges"
        xmlns="http://www.w3.org/2000/svg"
      >
        <rect x="-4" y="-4" width=${box} height=${box} fill="#ffffff"></rect>
        <path d=${qr.modules.path} fill="#000000"></path>
      </svg>
    </figure>
    ${
      screen.remainingMs === null
        ? nothing
        : html`<p class="countdown" part="countdown" role="timer">
            ${t('expiresIn', { time: formatCountdown(screen.remainingMs) })}
          </p>`
    }
    <div class="actions">
      ${deepLink ? html`<a class="link-button primary" part="deep-link" href=${deepLink}>${screen.openIn}</a>` : nothing}
      ${
        image
          ? html`<a class="link-button secondary" part="save-qr" href=${image} download="payment-qr.png"
              >${t('saveQr')}</a
            >`
          : nothing
      }
      ${
        'clipboard' in navigator
          ? html`<button type="button" class="secondary" part="button" @click=${screen.onCopy}>
              ${screen.copied ? t('copied') : t('copyCode')}
            </button>`
          : nothing
      }
      ${screen.chooseAnother}
    </div>`;
}

const PIXELS_PER_MODULE = 10;
/** Four modules of white around the code (ISO/IEC 18004), as on screen. */
const QUIET_ZONE = 4;

/** A `blob:` URL of the code as a PNG (the caller revokes it), or null where the page cannot draw. */
export function qrPngUrl(modules: QrModules): string | null {
  const side = (modules.size + QUIET_ZONE * 2) * PIXELS_PER_MODULE;
  const canvas = document.createElement('canvas');
  canvas.width = side;
  canvas.height = side;
  const context = canvas.getContext('2d');
  if (!context) return null;
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, side, side);
  const offset = QUIET_ZONE * PIXELS_PER_MODULE;
  // Whole modules scaled by a whole number land on whole pixels: sharp edges, no anti-aliasing.
  context.setTransform(PIXELS_PER_MODULE, 0, 0, PIXELS_PER_MODULE, offset, offset);
  context.fillStyle = '#000000';
  context.fill(new Path2D(modules.path));
  // toDataURL, unlike toBlob, is synchronous: the link has its file the moment it is on screen.
  const data = canvas.toDataURL('image/png');
  const prefix = 'data:image/png;base64,';
  if (!data.startsWith(prefix)) return null;
  const binary = atob(data.slice(prefix.length));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return URL.createObjectURL(new Blob([bytes], { type: 'image/png' }));
}
