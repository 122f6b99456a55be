/**
 * Method logos, drawn as small inline SVG (no remote images, nothing for the CSP to allow), loaded
 * on demand (`parts.ts`) beside the method list: each is a 24-unit tile in the brand's colour with
 * a plain white mark, decorative (the method's name is the text beside it). Brands without a
 * drawing get none.
 */
import { html, nothing, type TemplateResult } from 'lit/html.js';

/** Brand → tile colour and the white mark's path, on a 24 × 24 grid. */
const LOGOS: Readonly<Record<string, readonly [string, string]>> = {
  // Two speech bubbles.
  wechat: [
    '#07c160',
    'M9.5 5C5.9 5 3 7.4 3 10.4c0 1.7.9 3.2 2.4 4.2L4.8 17l2.6-1.4c.7.2 1.4.3 2.1.3h.4a5 5 0 0 1-.2-1.4c0-3.2 3-5.6 6.7-5.6h.4C16.2 6.8 13.2 5 9.5 5Zm6.9 5.6c-3 0-5.4 2-5.4 4.4s2.4 4.4 5.4 4.4c.6 0 1.2-.1 1.7-.2l2.1 1.1-.5-1.9c1.3-.8 2.1-2 2.1-3.4 0-2.4-2.4-4.4-5.4-4.4Z',
  ],
  // A stroked "A" for Alipay's blue tile.
  alipay: ['#1677ff', 'M12 4.5 5.5 19h2.9l1.4-3.3h4.4l1.4 3.3h2.9L12 4.5Zm0 5.2 1.4 3.5h-2.8L12 9.7Z'],
  // Three slanted bands.
  unionpay: ['#e21836', 'M6.5 5h4l-3 14h-4l3-14Zm5 0h4l-3 14h-4l3-14Zm5 0h4l-3 14h-4l3-14Z'],
  // Three finder squares of a QR code.
  thaiqr: [
    '#1b3c6e',
    'M4 4h7v7H4V4Zm2 2v3h3V6H6Zm7-2h7v7h-7V4Zm2 2v3h3V6h-3ZM4 13h7v7H4v-7Zm2 2v3h3v-3H6Zm7-2h3v3h-3v-3Zm4 4h3v3h-3v-3Z',
  ],
  // A wallet.
  truemoney: [
    '#ff6e00',
    'M5 7h12a2 2 0 0 1 2 2v1h-5a2.5 2.5 0 0 0 0 5h5v1a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V9a2 2 0 0 1 2-2Zm9 4.5h6v2h-6a1 1 0 0 1 0-2Z',
  ],
  // A card with its stripe.
  card: [
    '#4b5563',
    'M3 7a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V7Zm0 2v2.5h18V9H3Zm2 6v1.5h5V15H5Z',
  ],
};

/** The logo for `brand`, or nothing when there is no drawing for it. */
export function logo(brand: string | undefined): TemplateResult | typeof nothing {
  const drawing = brand ? LOGOS[brand] : undefined;
  if (!drawing) return nothing;
  return html`<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    <rect width="24" height="24" rx="5" fill=${drawing[0]}></rect>
    <path d=${drawing[1]} fill="#ffffff" fill-rule="evenodd"></path>
  </svg>`;
}
