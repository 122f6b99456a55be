/**
 * The till's camera (`mode="pos"`): reads a buyer's payment code with the browser's own
 * `BarcodeDetector` (shape detection API) from the rear camera. Where the browser has no detector
 * or no camera, or the cashier refuses it, the element offers typed entry only (a handheld scanner
 * types too). No decoding library is shipped.
 */
import type { Controller, ControllerHost } from './element.ts';
import type { Clock } from './clock.ts';

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<DetectedBarcode[]>;
}
type BarcodeDetectorClass = new (options: { formats: string[] }) => BarcodeDetectorLike;

export type CameraState = 'off' | 'starting' | 'on' | 'unavailable';

/** Payment codes are shown as a Code 128 barcode with the same digits as a QR code beside it. */
const FORMATS = ['code_128', 'qr_code'];
const SCAN_EVERY_MS = 250;

/**
 * Buyer payment codes are digits only: WeChat Pay 18 (starting 10–15), Alipay 16–24 (starting
 * 25–30), UnionPay 19 (starting 62). The BFF and the provider check the rest.
 */
export const BUYER_CODE = /^\d{16,24}$/;

function detectorClass(): BarcodeDetectorClass | null {
  const found = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  return typeof found === 'function' ? found : null;
}

/** Whether this browser can scan at all (a detector and a camera API); a camera may still be refused. */
export function canScan(): boolean {
  return detectorClass() !== null && typeof navigator.mediaDevices?.getUserMedia === 'function';
}

export class CodeScannerController implements Controller {
  readonly #host: ControllerHost;
  readonly #onCode: (code: string) => void;
  readonly #clock: () => Clock;
  #stream: MediaStream | null = null;
  #stopLoop: (() => void) | null = null;
  #busy = false;
  state: CameraState = 'off';

  constructor(host: ControllerHost, clock: () => Clock, onCode: (code: string) => void) {
    this.#host = host;
    this.#clock = clock;
    this.#onCode = onCode;
    host.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
  }

  async start(video: HTMLVideoElement): Promise<void> {
    const Detector = detectorClass();
    if (!Detector || !canScan() || this.state === 'starting' || this.state === 'on') return;
    this.#set('starting');
    let stream: MediaStream;
    let detector: BarcodeDetectorLike;
    try {
      detector = new Detector({ formats: FORMATS });
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    } catch {
      // Refused, no camera, or a detector without these formats: typed entry remains.
      this.#set('unavailable');
      return;
    }
    // stop() may have run while the camera was being asked for.
    if ((this.state as CameraState) !== 'starting') {
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    this.#stream = stream;
    video.srcObject = stream;
    await video.play().catch(() => undefined);
    this.#set('on');
    this.#stopLoop = this.#clock().every(SCAN_EVERY_MS, () => void this.#scan(detector, video));
  }

  stop(): void {
    this.#stopLoop?.();
    this.#stopLoop = null;
    for (const track of this.#stream?.getTracks() ?? []) track.stop();
    this.#stream = null;
    if (this.state !== 'unavailable') this.#set('off');
  }

  async #scan(detector: BarcodeDetectorLike, video: HTMLVideoElement): Promise<void> {
    if (this.#busy || video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return;
    this.#busy = true;
    try {
      const found = await detector.detect(video);
      const code = found.map((barcode) => barcode.rawValue.trim()).find((value) => BUYER_CODE.test(value));
      if (code && this.state === 'on') this.#onCode(code);
    } catch {
      // A frame the detector could not read; the next one may do.
    } finally {
      this.#busy = false;
    }
  }

  #set(state: CameraState): void {
    this.state = state;
    this.#host.requestUpdate();
  }
}
