/**
 * Paying inside the wallet app whose browser shows the page (`app` actions): WeChat's
 * `WeixinJSBridge.invoke('getBrandWCPayRequest', params, cb)` and Alipay's
 * `AlipayJSBridge.call('tradePay', params, cb)`. The bridge is injected by the app and may arrive
 * after the page loads, announced by a `WeixinJSBridgeReady` / `AlipayJSBridgeReady` event.
 *
 * The answer only says what the shopper did in the sheet; the payment's outcome still comes from
 * the BFF's status stream.
 */
import type { AppAction } from './wire.ts';

/** `ok`: the shopper confirmed; `cancel`: closed the sheet; `fail`: the app refused. */
export type WalletAnswer = 'ok' | 'cancel' | 'fail';

interface WeixinBridge {
  invoke(name: string, params: Record<string, string>, callback: (res: { err_msg?: string }) => void): void;
}
interface AlipayBridge {
  call(name: string, params: Record<string, string>, callback: (res: { resultCode?: string }) => void): void;
}

declare global {
  interface Window {
    WeixinJSBridge?: WeixinBridge;
    AlipayJSBridge?: AlipayBridge;
  }
}

/** Waits for the app's bridge up to `timeoutMs`; null when this is not that app's browser. */
function bridge<K extends 'WeixinJSBridge' | 'AlipayJSBridge'>(name: K, timeoutMs: number): Promise<Window[K] | null> {
  const present = window[name];
  if (present) return Promise.resolve(present);
  return new Promise((resolve) => {
    const ready = () => {
      clearTimeout(timer);
      resolve(window[name] ?? null);
    };
    const timer = setTimeout(() => {
      document.removeEventListener(`${name}Ready`, ready);
      resolve(null);
    }, timeoutMs);
    document.addEventListener(`${name}Ready`, ready, { once: true });
  });
}

export async function payInApp(action: AppAction, timeoutMs = 5_000): Promise<WalletAnswer> {
  if (action.wallet === 'wechat') {
    const weixin = await bridge('WeixinJSBridge', timeoutMs);
    if (!weixin) return 'fail';
    return new Promise((resolve) =>
      weixin.invoke('getBrandWCPayRequest', action.params, (res) => {
        // WeChat answers `get_brand_wcpay_request:ok`, `…:cancel` or `…:fail`.
        const outcome = (res.err_msg ?? '').split(':').pop();
        resolve(outcome === 'ok' ? 'ok' : outcome === 'cancel' ? 'cancel' : 'fail');
      }),
    );
  }
  const alipay = await bridge('AlipayJSBridge', timeoutMs);
  if (!alipay) return 'fail';
  return new Promise((resolve) =>
    alipay.call('tradePay', action.params, (res) => {
      // Alipay: 9000 paid, 8000 processing, 6001 closed by the shopper; anything else failed.
      const code = res.resultCode ?? '';
      resolve(code === '9000' || code === '8000' ? 'ok' : code === '6001' ? 'cancel' : 'fail');
    }),
  );
}
