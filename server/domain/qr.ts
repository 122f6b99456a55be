/**
 * QR codes are encoded here, on the server, and sent to the browser as an SVG path over a grid of
 * modules: the widget draws it and carries no encoder of its own.
 */
import QRCode from 'qrcode';
import type { QrModules } from '../../widget/wire.ts';

export function encodeQr(content: string): QrModules {
  const { modules } = QRCode.create(content, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  let path = '';
  for (let y = 0; y < size; y++) {
    let x = 0;
    while (x < size) {
      if (!modules.get(y, x)) {
        x++;
        continue;
      }
      const start = x;
      while (x < size && modules.get(y, x)) x++;
      // One horizontal run of dark modules: a rectangle one module high.
      path += `M${start} ${y}h${x - start}v1H${start}z`;
    }
  }
  return { size, path };
}

/** A standalone SVG image of the code with a four-module quiet zone, for "save image" on phones. */
export function qrSvg(modules: QrModules, pixelsPerModule = 8): string {
  const box = modules.size + 8;
  const px = box * pixelsPerModule;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px}" height="${px}" viewBox="-4 -4 ${box} ${box}" shape-rendering="crispEdges">` +
    `<rect x="-4" y="-4" width="${box}" height="${box}" fill="#fff"/>` +
    `<path d="${modules.path}" fill="#000"/></svg>`
  );
}
