/**
 * A payment provider whose answers a test writes: a real `Provider` registered in the BFF under one
 * of the registered provider ids (so the real method ids, routes, domain, store and SSE all apply),
 * whose offers, actions and payment outcomes come from a `ScriptBook` instead of a network.
 *
 * A session finds its script by the customer name it was created with (`script:<n>`): that is all a
 * provider learns of a session in `offers` and `createPayment`. Outcomes are per order (Tender's
 * attempt id) and are read back by the BFF through `queryPayment`, as it confirms any real payment.
 */
import type { Money } from '../../../server/domain/money.ts';
import {
  ProviderError,
  type CreatePaymentInput,
  type CreatePaymentResult,
  type MethodOffer,
  type OfferInput,
  type PaymentState,
  type PaymentStatus,
  type Provider,
  type ProviderAction,
  type ProviderErrorCode,
  type ProviderId,
  type QueryPaymentInput,
} from '../../../server/providers/provider.ts';
import { QR_CONTENT, QR_TTL_MS } from './constants.ts';

/** The kinds of answer a scripted `createPayment` can give. */
export type ActionKind = 'qr' | 'redirect' | 'app' | 'challenge' | 'none';

/** One scripted answer to the next `createPayment`: an action of this kind, or a failure. */
export interface PaymentScript {
  action?: ActionKind;
  fail?: ProviderErrorCode;
}

export interface SessionScript {
  /** The customer name that carries the script (`script:<n>`). */
  key: string;
  /** Set once the session exists. */
  sessionId: string | null;
  /** Where the provider's own pages (redirect target, card frame, 3-D Secure) are served. */
  origin: string;
  offers: MethodOffer[];
  /** Replaces the deep link of every QR code; null for none, undefined for the provider's own. */
  deepLink?: string | null;
  /** Answers for the next `createPayment` calls, first first; empty means the method's usual action. */
  next: PaymentScript[];
}

interface Order {
  script: SessionScript;
  method: string;
  money: Money;
  state: PaymentState;
  /** What the provider says was paid, once it was. */
  paid: Money | null;
}

/** Scripts and orders shared by every scripted provider of one BFF. */
export class ScriptBook {
  readonly #scripts = new Map<string, SessionScript>();
  readonly #orders = new Map<string, Order>();
  #counter = 0;

  create(origin: string, offers: MethodOffer[], deepLink?: string | null): SessionScript {
    const script: SessionScript = {
      key: `script:${++this.#counter}`,
      sessionId: null,
      origin,
      offers,
      next: [],
      ...(deepLink !== undefined ? { deepLink } : {}),
    };
    this.#scripts.set(script.key, script);
    return script;
  }

  byKey(key: string | undefined): SessionScript | undefined {
    return key === undefined ? undefined : this.#scripts.get(key);
  }

  order(orderId: string): Order | undefined {
    return this.#orders.get(orderId);
  }

  /** The session an order belongs to (the provider's pages only see the order). */
  sessionOfOrder(orderId: string): string | null {
    return this.#orders.get(orderId)?.script.sessionId ?? null;
  }

  /** Sets what the provider will report for an order; `paid` defaults to the amount asked. */
  settle(orderId: string, state: PaymentState, paid?: Money | null): void {
    const order = this.#orders.get(orderId);
    if (!order) throw new Error(`no scripted order ${orderId}`);
    order.state = state;
    order.paid = state === 'succeeded' ? (paid === undefined ? order.money : paid) : null;
  }

  addOrder(orderId: string, order: Order): void {
    this.#orders.set(orderId, order);
  }
}

export class ScriptedProvider implements Provider {
  constructor(
    readonly id: ProviderId,
    private readonly book: ScriptBook,
    private readonly now: () => Date,
  ) {}

  async offers({ customer }: OfferInput): Promise<MethodOffer[]> {
    const script = this.book.byKey(customer.name);
    if (!script) return [];
    return script.offers.filter((offer) => offer.method.startsWith(`${this.id}.`));
  }

  async createPayment(input: CreatePaymentInput): Promise<CreatePaymentResult> {
    const script = this.book.byKey(input.customer.name);
    if (!script) throw new ProviderError(this.id, 'invalid_request', 'no script for this customer');
    const step = script.next.shift() ?? {};
    if (step.fail) throw new ProviderError(this.id, step.fail, `failing as the script says (${step.fail})`);
    const kind = step.action ?? usualAction(input);
    const action = this.#action(kind, input, script);
    this.book.addOrder(input.orderId, {
      script,
      method: input.method,
      money: input.money,
      state: 'pending',
      paid: null,
    });
    return { action, providerPaymentId: `pay_${input.orderId}` };
  }

  async queryPayment({ orderId }: QueryPaymentInput): Promise<PaymentStatus> {
    const order = this.book.order(orderId);
    if (!order) throw new ProviderError(this.id, 'not_found', `no order ${orderId}`);
    return { state: order.state, money: order.paid, providerPaymentId: `pay_${orderId}` };
  }

  #action(kind: ActionKind, input: CreatePaymentInput, script: SessionScript): ProviderAction {
    const order = input.orderId;
    switch (kind) {
      case 'qr': {
        // Whole seconds, as the providers' own expiry times are.
        const expiresAt = new Date(Math.ceil((this.now().getTime() + QR_TTL_MS) / 1000) * 1000);
        const ownLink = input.method.endsWith('.alipay')
          ? `alipays://platformapi/startapp?saId=10000007&qrcode=${encodeURIComponent(QR_CONTENT)}`
          : null;
        return {
          type: 'qr',
          content: QR_CONTENT,
          deepLink: script.deepLink === undefined ? ownLink : script.deepLink,
          expiresAt,
        };
      }
      case 'redirect':
        // One1Pay's two ways: a GET with the order in the URL, or a form POST.
        return input.method.endsWith('.truemoney')
          ? { type: 'redirect', url: `${script.origin}/fake/provider/one1pay`, method: 'POST', fields: { order } }
          : {
              type: 'redirect',
              url: `${script.origin}/fake/provider/one1pay?order=${order}`,
              method: 'GET',
              fields: {},
            };
      case 'app':
        return {
          type: 'app',
          wallet: 'wechat',
          params: { appId: 'wx_scripted', package: `prepay_id=${order}`, signType: 'RSA' },
        };
      case 'challenge':
        return {
          type: 'challenge',
          display: 'frame',
          url: `${script.origin}/fake/provider/3ds`,
          method: 'POST',
          fields: { order, creq: 'scripted-creq' },
        };
      case 'none':
        return { type: 'none' };
    }
  }
}

/**
 * What a provider would answer for the method without a script: WeChat's own sheet inside WeChat,
 * nothing to show for a buyer's code, 3-D Secure after card tokens, a provider page for redirect
 * methods, a QR code otherwise.
 */
function usualAction(input: CreatePaymentInput): ActionKind {
  if (input.buyerCode) return 'none';
  if (input.method.endsWith('.wechat') && input.client?.inApp === 'wechat') return 'app';
  if (input.fields.token !== undefined) return 'challenge';
  if (input.method.startsWith('one1pay.')) return 'redirect';
  return 'qr';
}
