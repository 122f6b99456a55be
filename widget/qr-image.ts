/**
 * The QR code as a PNG file the shopper can save (to Photos, on a phone). It is drawn in the page
 * from the module path the BFF already sent, so the file has a same-origin `blob:` URL, which a
 * `download` link honours even on a merchant's page, and no client secret is in any URL.
 */
import type { QrModules } from './wire.ts';

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
