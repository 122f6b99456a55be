/**
 * The SanSan services and the payment orders behind them: createPayer, createOrder, checkoutOrder,
 * payOrder, queryOrder and refundOrder. Field names are the document's (docs/providers/sansan.md);
 * what the document leaves open (answers' data, outcomes, limits, refund and query services) follows
 * the conventions written there.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { behaviourOf, brandOf, type CardSession, type CardVault } from './cards.ts';
import {
  Refusal,
  UsdAmount,
  hongKongTime,
  isHttpUrl,
  optionalText,
  requiredAmount,
  requiredEnum,
  requiredInteger,
  requiredText,
  type Fields,
} from './fields.ts';

export const ORDER_STATUSES = [
  'New',
  'Cancelled',
  'Processing',
  'Paid',
  'Failed',
  'Expired',
  'RefundRequest',
  'RefundFailToSubmit',
  'RefundSubmitted',
  'RefundResubmitted',
  'RefundSubmittedError',
  'RefundInProgress',
  'RefundCompleted',
  'RefundFailed',
  'RefundOffsetDealFailed',
  'Chargeback',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The purposes the document names; it lists 31, the others are not recorded (docs/providers/sansan.md). */
export const PURPOSES = ['ACCOUNTING_SERVICE', 'PAY_FOR_GOODS', 'WEB_DESIGN_OR_DEVELOPMENT_SERVICE'] as const;
export const RELATIONSHIPS = [
  'BUSINESS_OWNER_SHAREHOLDER',
  'DIRECTOR_SENIOR_MANAGEMENT',
  'EMPLOYEE',
  'RELATIVE',
  'CUSTOMER',
  'FRIEND',
] as const;

const ORDER_SN = /^[A-Za-z0-9_-]{1,64}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const HOSTNAME =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const MAX_ORDER_CENTS = 100_000_00;

export interface Payer {
  payerID: number;
  firstName: string;
  lastName: string;
  email: string;
  areaCode: number;
  phone: string;
  address: string;
  city: string;
  province: string;
  postcode: string;
  country: string;
}

export interface Refund {
  refundSn: string;
  cents: number;
  reason: string | null;
  status: 'RefundSubmitted' | 'RefundCompleted' | 'RefundFailed';
  createdAt: Date;
}

export interface Authentication {
  version: string;
  authenticationValue: string;
  eci: string;
  transactionId: string;
}

export interface Order {
  orderSn: string;
  platformOrderSn: string;
  requestId: string;
  payer: Payer;
  cents: number;
  purpose: string;
  description: string;
  skip3ds: boolean;
  domain: string | null;
  products: string[];
  linkId: string;
  linkExpiry: Date;
  status: OrderStatus;
  /** Where the card flow is: created, card taken (checkoutOrder), waiting on the challenge, finished. */
  step: 'created' | 'checked-out' | 'challenged' | 'finished';
  comment: string;
  card: CardSession | null;
  cardHolderName: string | null;
  relationship: string | null;
  transactionReference: string | null;
  challengeReference: string | null;
  returnUrl: string | null;
  authentication: Authentication | null;
  refunds: Refund[];
  createdAt: Date;
  updatedAt: Date;
}

export interface LedgerOptions {
  publicUrl: string;
  vault: CardVault;
  now: () => Date;
  /** How long an order's payment link lives (`linkExpiry`). */
  orderTtlMs: number;
  /** Called on every status change, after the order is updated. */
  onChange: (order: Order) => void;
}

export class Ledger {
  readonly payers = new Map<number, Payer>();
  readonly orders = new Map<string, Order>();
  readonly #refundOwners = new Map<string, Order>();
  /** 'complete': a refund completes right after it is submitted; 'hold': it waits for a control. */
  refundMode: 'complete' | 'hold' = 'complete';
  #payerSequence = 10_000;
  #orderSequence = 0;

  constructor(private readonly options: LedgerOptions) {}

  createPayer(fields: Fields): Payer {
    const payer: Omit<Payer, 'payerID'> = {
      firstName: requiredText(fields, 'firstName', 100),
      lastName: requiredText(fields, 'lastName', 100),
      email: requiredText(fields, 'email', 254, EMAIL),
      areaCode: requiredInteger(fields, 'areaCode', 1, 9999),
      phone: requiredText(fields, 'phone', 15, /^\d{4,15}$/),
      address: requiredText(fields, 'address', 255, /^[A-Za-z0-9 ]+$/),
      city: requiredText(fields, 'city', 100),
      province: requiredText(fields, 'province', 100),
      postcode: requiredText(fields, 'postcode', 20, /^[A-Za-z0-9 -]+$/),
      country: requiredText(fields, 'country', 2, /^[A-Z]{2}$/),
    };
    const created: Payer = { ...payer, payerID: ++this.#payerSequence };
    this.payers.set(created.payerID, created);
    return created;
  }

  createOrder(fields: Fields) {
    const orderSn = requiredText(fields, 'order_sn', 64, ORDER_SN);
    requiredEnum(fields, 'currency', ['USD']);
    const cents = requiredAmount(fields, 'amount', MAX_ORDER_CENTS);
    const payerID = requiredInteger(fields, 'payerID', 1, Number.MAX_SAFE_INTEGER);
    const purpose = requiredEnum(fields, 'purposeOfTransaction', PURPOSES);
    const description = optionalText(fields, 'description', 255) ?? '';
    const skip3ds = fields.skip3ds === undefined ? 'False' : requiredEnum(fields, 'skip3ds', ['True', 'False']);
    const domain = optionalText(fields, 'domain', 253, HOSTNAME);
    const product = optionalText(fields, 'product', 1000);
    const products = product === null ? [] : product.split('||').map((name) => name.trim());
    if (products.some((name) => name === '')) throw new Refusal('PARAM_INVALID', 'product names are joined with "||"');
    const payer = this.payers.get(payerID);
    if (!payer) throw new Refusal('PAYER_NOT_FOUND', 'payerID does not exist');
    if (this.orders.has(orderSn)) throw new Refusal('ORDER_EXISTS', 'order_sn has been used');

    const at = this.options.now();
    const order: Order = {
      orderSn,
      platformOrderSn: `SS${hongKongTime(at).slice(0, 10).replace(/-/g, '')}${String(++this.#orderSequence).padStart(8, '0')}`,
      requestId: randomUUID(),
      payer,
      cents,
      purpose,
      description,
      skip3ds: skip3ds === 'True',
      domain,
      products,
      linkId: `LK${randomBytes(12).toString('hex')}`,
      linkExpiry: new Date(at.getTime() + this.options.orderTtlMs),
      status: 'New',
      step: 'created',
      comment: '',
      card: null,
      cardHolderName: null,
      relationship: null,
      transactionReference: null,
      challengeReference: null,
      returnUrl: null,
      authentication: null,
      refunds: [],
      createdAt: at,
      updatedAt: at,
    };
    this.orders.set(orderSn, order);
    return {
      order_sn: order.orderSn,
      platform_order_sn: order.platformOrderSn,
      payerID: payer.payerID,
      currency: 'USD',
      amount: new UsdAmount(order.cents),
      status: order.status,
      linkID: order.linkId,
      linkExpiry: hongKongTime(order.linkExpiry),
      creationTime: hongKongTime(order.createdAt),
    };
  }

  checkoutOrder(fields: Fields) {
    const orderSn = requiredText(fields, 'order_sn', 64);
    const linkId = requiredText(fields, 'linkID', 64);
    const cardHolderName = requiredText(fields, 'cardHolderName', 100);
    const sessionCard = requiredText(fields, 'sessionCard', 200);
    const sessionCvc = requiredText(fields, 'sessionCvc', 200);
    const relationship = requiredEnum(fields, 'relationship', RELATIONSHIPS);
    const order = this.#payable(orderSn, linkId);
    if (order.step !== 'created')
      throw new Refusal('ORDER_STATUS_INVALID', `order is ${order.status}; a card was given already`);
    const card = this.options.vault.find(sessionCard, sessionCvc, order.orderSn);
    if (!card) throw new Refusal('CARD_SESSION_INVALID', 'sessionCard/sessionCvc are unknown, expired or used');

    card.usedBy = order.orderSn;
    order.card = card;
    order.cardHolderName = cardHolderName;
    order.relationship = relationship;
    order.transactionReference = `TR${randomBytes(12).toString('hex')}`;
    order.step = 'checked-out';
    this.#move(order, 'Processing');
    let outcome = 'initialized';
    if (order.skip3ds) {
      // No 3-D Secure: the card is authorized at once and payOrder is not needed.
      const declined = behaviourOf(card.number) === 'declined';
      outcome = declined ? 'refused' : 'authorized';
      this.#finish(order, declined ? 'Failed' : 'Paid', declined ? 'Card declined by the issuer' : '');
    }
    return { order_sn: order.orderSn, outcome, transactionReference: order.transactionReference };
  }

  payOrder(fields: Fields) {
    const orderSn = requiredText(fields, 'order_sn', 64);
    const linkId = requiredText(fields, 'linkID', 64);
    const transactionReference = requiredText(fields, 'transactionReference', 64);
    const sessionId = requiredText(fields, 'sessionId', 200);
    requiredText(fields, 'userAgent', 2048);
    const returnUrl = optionalText(fields, 'returnUrl', 2048);
    if (returnUrl !== null && !isHttpUrl(returnUrl))
      throw new Refusal('PARAM_INVALID', 'returnUrl must be an http(s) URL');
    const order = this.#payable(orderSn, linkId);
    if (order.step !== 'checked-out') {
      throw new Refusal('ORDER_STATUS_INVALID', `order is ${order.status}; payOrder follows checkoutOrder once`);
    }
    if (transactionReference !== order.transactionReference)
      throw new Refusal('TRANSACTION_INVALID', 'transactionReference does not match');
    if (sessionId !== order.card!.sessionId)
      throw new Refusal('DEVICE_SESSION_INVALID', 'sessionId does not belong to this card');

    order.returnUrl = returnUrl;
    let outcome: string;
    let challenge: { reference: string; url: string } | null = null;
    switch (behaviourOf(order.card!.number)) {
      case 'frictionless':
        order.authentication = makeAuthentication(order.card!, '05');
        outcome = 'authorized';
        this.#finish(order, 'Paid', '');
        break;
      case 'declined':
        order.authentication = makeAuthentication(order.card!, '05');
        outcome = 'refused';
        this.#finish(order, 'Failed', 'Card declined by the issuer');
        break;
      case 'authentication-failed':
        outcome = 'authenticationFailed';
        this.#finish(order, 'Failed', '3-D Secure authentication failed');
        break;
      case 'challenge':
        order.step = 'challenged';
        order.challengeReference = `CH${randomBytes(12).toString('hex')}`;
        order.updatedAt = this.options.now();
        outcome = 'challenged';
        challenge = { reference: order.challengeReference, url: this.challengeUrl(order) };
        break;
    }
    return {
      order_sn: order.orderSn,
      outcome,
      transactionReference: order.transactionReference,
      authentication: order.authentication,
      challenge,
    };
  }

  queryOrder(fields: Fields) {
    const order = this.#find(requiredText(fields, 'order_sn', 64));
    return {
      ...this.statusView(order),
      transactionReference: order.transactionReference,
      refundedAmount: new UsdAmount(refundedCents(order)),
      refunds: order.refunds.map(refundView),
    };
  }

  refundOrder(fields: Fields) {
    const orderSn = requiredText(fields, 'order_sn', 64);
    const refundSn = requiredText(fields, 'refund_sn', 64, ORDER_SN);
    const cents = requiredAmount(fields, 'amount', MAX_ORDER_CENTS);
    const reason = optionalText(fields, 'reason', 255);
    const order = this.#find(orderSn);
    const owner = this.#refundOwners.get(refundSn);
    if (owner) {
      const existing = owner.refunds.find((refund) => refund.refundSn === refundSn)!;
      // The same refund asked again (a retry after a lost answer) gets its current state.
      if (owner === order && existing.cents === cents) return { order_sn: order.orderSn, ...refundView(existing) };
      throw new Refusal('REFUND_EXISTS', 'refund_sn has been used');
    }
    if (order.status === 'RefundSubmitted')
      throw new Refusal('REFUND_IN_PROGRESS', 'a refund of this order is in progress');
    if (!['Paid', 'RefundCompleted', 'RefundFailed'].includes(order.status)) {
      throw new Refusal('ORDER_STATUS_INVALID', `order is ${order.status}; only a paid order is refunded`);
    }
    if (cents > order.cents - refundedCents(order))
      throw new Refusal('REFUND_AMOUNT_EXCEEDED', 'amount exceeds what is left to refund');
    const refund = this.#submitRefund(order, refundSn, cents, reason);
    return { order_sn: order.orderSn, ...refundView(refund) };
  }

  // --- shopper and control actions -------------------------------------------------------------

  /** The 3-D Secure challenge's outcome: the Pay button passes it, Decline fails it. */
  completeChallenge(order: Order, passed: boolean): boolean {
    this.refresh(order);
    if (order.step !== 'challenged') return false;
    if (passed) order.authentication = makeAuthentication(order.card!, '05');
    this.#finish(order, passed ? 'Paid' : 'Failed', passed ? '' : '3-D Secure challenge failed');
    return true;
  }

  /** A control: moves the order as the platform would; returns why not when it cannot. */
  force(
    order: Order,
    action: 'pay' | 'fail' | 'expire' | 'cancel' | 'chargeback' | 'refund',
    refundFails = false,
  ): string | null {
    this.refresh(order);
    const open = order.status === 'New' || order.status === 'Processing';
    switch (action) {
      case 'pay':
      case 'fail':
      case 'expire':
        if (!open) return `order is ${order.status}`;
        this.#finish(
          order,
          action === 'pay' ? 'Paid' : action === 'fail' ? 'Failed' : 'Expired',
          action === 'fail' ? 'Failed by control' : '',
        );
        return null;
      case 'cancel':
        if (order.status !== 'New') return `order is ${order.status}`;
        this.#finish(order, 'Cancelled', '');
        return null;
      case 'chargeback':
        if (!['Paid', 'RefundCompleted', 'RefundFailed'].includes(order.status)) return `order is ${order.status}`;
        this.#move(order, 'Chargeback');
        return null;
      case 'refund': {
        const pending = order.refunds.find((refund) => refund.status === 'RefundSubmitted');
        if (pending) {
          this.#settleRefund(order, pending, !refundFails);
          return null;
        }
        const left = order.cents - refundedCents(order);
        if (!['Paid', 'RefundCompleted', 'RefundFailed'].includes(order.status) || left <= 0)
          return `order is ${order.status}`;
        // A refund made in the merchant backend: the rest of the order, settled at once.
        const refund = this.#submitRefund(order, `ctl_${randomBytes(6).toString('hex')}`, left, null, true);
        if (refund.status === 'RefundSubmitted') this.#settleRefund(order, refund, !refundFails);
        return null;
      }
    }
  }

  /** An order whose link has expired before it finished becomes Expired (checked whenever it is touched). */
  refresh(order: Order): void {
    if ((order.status === 'New' || order.status === 'Processing') && this.options.now() > order.linkExpiry) {
      this.#finish(order, 'Expired', 'Payment link expired');
    }
  }

  /** The webhook's PaymentOrderStatus object (queryOrder adds to it). */
  statusView(order: Order) {
    return {
      order_sn: order.orderSn,
      platform_order_sn: order.platformOrderSn,
      requestID: order.requestId,
      region: 'HKG',
      payerEmail: order.payer.email,
      description: order.description,
      comment: order.comment,
      requestTime: hongKongTime(order.updatedAt),
      currency: 'USD',
      amount: new UsdAmount(order.cents),
      linkID: order.linkId,
      linkExpiry: hongKongTime(order.linkExpiry),
      status: order.status,
      failTimes: 0,
      creationTime: hongKongTime(order.createdAt),
    };
  }

  challengeUrl(order: Order): string {
    return `${this.options.publicUrl}/challenge/${encodeURIComponent(order.orderSn)}`;
  }

  cardSummary(order: Order) {
    return order.card ? { brand: brandOf(order.card.number), last4: order.card.number.slice(-4) } : null;
  }

  // --- internals -------------------------------------------------------------------------------

  #find(orderSn: string): Order {
    const order = this.orders.get(orderSn);
    if (!order) throw new Refusal('ORDER_NOT_FOUND', 'order_sn does not exist');
    this.refresh(order);
    return order;
  }

  /** An order that can still be paid, reached with its own linkID. */
  #payable(orderSn: string, linkId: string): Order {
    const order = this.#find(orderSn);
    if (order.linkId !== linkId) throw new Refusal('LINK_INVALID', 'linkID does not belong to this order');
    if (order.status === 'Expired') throw new Refusal('ORDER_EXPIRED', 'the payment link has expired');
    if (order.status !== 'New' && order.status !== 'Processing') {
      throw new Refusal('ORDER_STATUS_INVALID', `order is ${order.status}`);
    }
    return order;
  }

  #submitRefund(order: Order, refundSn: string, cents: number, reason: string | null, manual = false): Refund {
    const refund: Refund = { refundSn, cents, reason, status: 'RefundSubmitted', createdAt: this.options.now() };
    order.refunds.push(refund);
    this.#refundOwners.set(refundSn, order);
    this.#move(order, 'RefundSubmitted');
    if (this.refundMode === 'complete' && !manual) this.#settleRefund(order, refund, true);
    return refund;
  }

  #settleRefund(order: Order, refund: Refund, completed: boolean): void {
    refund.status = completed ? 'RefundCompleted' : 'RefundFailed';
    this.#move(order, refund.status);
  }

  #finish(order: Order, status: OrderStatus, comment: string): void {
    order.step = 'finished';
    order.comment = comment;
    this.#move(order, status);
  }

  #move(order: Order, status: OrderStatus): void {
    order.status = status;
    order.updatedAt = this.options.now();
    this.options.onChange(order);
  }
}

function refundedCents(order: Order): number {
  return order.refunds
    .filter((refund) => refund.status !== 'RefundFailed')
    .reduce((sum, refund) => sum + refund.cents, 0);
}

function refundView(refund: Refund) {
  return { refund_sn: refund.refundSn, amount: new UsdAmount(refund.cents), status: refund.status };
}

/** EMV 3-D Secure 2 results as Worldpay's authentication object carries them (CAVV/UCAF is 20 bytes). */
function makeAuthentication(card: CardSession, eci: string): Authentication {
  return {
    version: '2.2.0',
    authenticationValue: randomBytes(20).toString('base64'),
    eci: brandOf(card.number) === 'mastercard' ? (eci === '05' ? '02' : '01') : eci,
    transactionId: randomUUID(),
  };
}
