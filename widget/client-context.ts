/**
 * Where the shopper is, sent with each attempt (`CreateAttemptBody.client`) so the BFF can pick the
 * provider's flow for it: a QR code on a desktop, a wallet's web (H5) link on a phone, and the
 * wallet's own payment sheet (JSAPI) inside WeChat or Alipay.
 */
import type { ClientContext } from './wire.ts';

export function detectClient(
  userAgent: string = navigator.userAgent,
  coarsePointer: boolean = matchMedia('(pointer: coarse)').matches,
): ClientContext {
  // WeChat's and Alipay's in-app browsers name themselves in the user agent.
  const inApp = /MicroMessenger\//i.test(userAgent) ? 'wechat' : /AlipayClient\//i.test(userAgent) ? 'alipay' : null;
  // A touch screen as the main pointer, or a phone's user agent: either way a QR code on this
  // screen cannot be scanned by the phone that would pay it.
  const phone = coarsePointer || /Android.+Mobile|iPhone|iPod|Mobile\/|Windows Phone/i.test(userAgent);
  return { device: phone ? 'phone' : 'desktop', inApp };
}
