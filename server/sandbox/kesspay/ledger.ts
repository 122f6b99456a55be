/**
 * The simulator's memory: orders by out_trade_no, refunds by out_refund_no, payment codes already
 * used, and how each state reads in KessPay's status answers.
 */
import { randomInt } from 'node:crypto';

export type Wallet = 'wechat' | 'alipay';
export type PayKind = 'native' | 'quick' | 'jsapi';
/**
 * WAITING: placed, not paid. USERPAYING: a QUICK PAY waiting for the payer's PIN. SUCCESS: paid.
 * FAILED: the payer or the wallet declined. CLOSED: closed unpaid (expired).
 */
export type OrderStatus = 'WAITING' | 'USERPAYING' | 'SUCCESS' | 'FAILED' | 'CLOSED';
export type RefundStatus = 'SUCCESS' | 'PROCESSING' | 'FAILED';

export interface Order {
  outTradeNo: string;
  wallet: Wallet;
  serviceId: number;
  kind: PayKind;
  /** Cents, as requested. */
  amount: number;
  /** fee_rate in hundredths of a percent, or null. */
  feeRate: number | null;
  /** Cents the buyer is charged: amount plus the fee_rate surcharge. */
  total: number;
  subStoreId: string | null;
  subStoreName: string | null;
  authCode: string | null;
  transactionId: string;
  /** JSAPI only: the prepay id inside `package`. */
  prepayId: string | null;
  status: OrderStatus;
  /** Why a FAILED or CLOSED order ended, for the status message and the record. */
  reason: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  /** A USERPAYING order becomes SUCCESS at this time by itself (the payer enters the PIN); null = never. */
  pinDueAt: Date | null;
  refunds: Refund[];
}

export interface Refund {
  outRefundNo: string;
  outTradeNo: string;
  /** Cents. */
  amount: number;
  reason: string | null;
  status: RefundStatus;
  createdAt: Date;
  finishedAt: Date | null;
}

/** check_payment_status `message` for each state (Tender convention but for "Payment Successful!"). */
export const PAYMENT_MESSAGES: Readonly<Record<OrderStatus, string>> = {
  SUCCESS: 'Payment Successful!',
  WAITING: 'Waiting for payment.',
  USERPAYING: 'Waiting for the payer to enter the payment PIN.',
  FAILED: 'Payment Failed!',
  CLOSED: 'Payment Closed!',
};

/** check_refund_status `message` for each refund state (Tender convention but for "Refund Successful!"). */
export const REFUND_MESSAGES: Readonly<Record<RefundStatus, string>> = {
  SUCCESS: 'Refund Successful!',
  PROCESSING: 'Refund Processing.',
  FAILED: 'Refund Failed!',
};

export class Ledger {
  readonly orders = new Map<string, Order>();
  readonly refunds = new Map<string, Refund>();
  /** Payment codes already presented to QUICK PAY, with the order each went to. */
  readonly usedAuthCodes = new Map<string, string>();
  #sequence = 0;

  constructor(private readonly now: () => Date) {}

  /** The order, brought up to date (a PIN due by now has been entered). */
  find(outTradeNo: string): Order | undefined {
    const order = this.orders.get(outTradeNo);
    if (order?.status === 'USERPAYING' && order.pinDueAt && this.now() >= order.pinDueAt) {
      this.finish(order, 'SUCCESS', null);
    }
    return order;
  }

  add(order: Order): void {
    this.orders.set(order.outTradeNo, order);
    if (order.kind === 'quick' && order.authCode) this.usedAuthCodes.set(order.authCode, order.outTradeNo);
  }

  finish(order: Order, status: 'SUCCESS' | 'FAILED' | 'CLOSED', reason: string | null): void {
    order.status = status;
    order.reason = reason;
    order.finishedAt = this.now();
    order.pinDueAt = null;
  }

  /** Cents still refundable: the charged total less refunds done or under way. */
  refundable(order: Order): number {
    return order.refunds
      .filter((refund) => refund.status !== 'FAILED')
      .reduce((left, r) => left - r.amount, order.total);
  }

  /** A wallet-style transaction id (28 digits): WeChat's start 4200, Alipay's carry the date then 22001. */
  transactionId(wallet: Wallet): string {
    this.#sequence += 1;
    const date = this.now().toISOString().slice(0, 10).replace(/-/g, '');
    const random = String(randomInt(0, 10_000_000_000)).padStart(10, '0');
    return wallet === 'wechat'
      ? `4200${String(this.#sequence).padStart(6, '0')}${date}${random}`
      : `${date}22001${String(this.#sequence).padStart(5, '0')}${random}`;
  }
}
