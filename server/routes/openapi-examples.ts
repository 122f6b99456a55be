/**
 * The examples in `/openapi.json` and on `/docs`: one story (a CAD order paid by WeChat Pay through
 * OTT Pay, then partly refunded; a THB payout through One1Pay). The route tests parse each against
 * the schema it illustrates, so an example cannot drift from the API.
 */
import { z } from 'zod';
import { createAttemptBody } from './checkout.ts';
import { createRefundBody, createSessionBody, listQuery } from './sessions.ts';
import { banksQuery, createPayoutBody } from './treasury.ts';

const SESSION_ID = 'ses_m7aN7VXWhBRMBOq6M9n5';
const CLIENT_SECRET = `${SESSION_ID}_secret_TkNM3tyfz6VabHMEjx0i8a0d`;
const ATTEMPT_ID = 'att_YudOCCXLAzj4PSl3DGKB';
const CREATED = '2026-11-27T07:16:35.229Z';
const EXPIRES = '2026-11-27T08:16:35.229Z';

export const createSessionExample = {
  amount: '25.00',
  currency: 'CAD',
  reference: 'order-1042',
  description: 'Two tickets, Saturday 20:00',
  returnUrl: 'https://shop.example/orders/1042',
  customer: { email: 'li.wei@example.com' },
  expiresInSeconds: 3600,
};

const sessionBase = {
  id: SESSION_ID,
  object: 'session',
  amount: '25.00',
  currency: 'CAD',
  reference: 'order-1042',
  description: 'Two tickets, Saturday 20:00',
  returnUrl: 'https://shop.example/orders/1042',
  customer: { email: 'li.wei@example.com' },
  methods: null,
  clientSecret: CLIENT_SECRET,
  url: `https://pay.shop.example/pay/${SESSION_ID}?secret=${CLIENT_SECRET}`,
  expiresAt: EXPIRES,
  createdAt: CREATED,
};

export const createdSessionExample = {
  ...sessionBase,
  status: 'open',
  updatedAt: CREATED,
  succeededAttemptId: null,
  attempts: [],
  amountRefunded: '0.00',
  refunds: [],
};

export const canceledSessionExample = {
  ...createdSessionExample,
  status: 'canceled',
  updatedAt: '2026-11-27T07:30:00.000Z',
};

export const refundExample = {
  id: 'ref_Q4v8bLx2NcT7kWz9PaRs',
  object: 'refund',
  sessionId: SESSION_ID,
  status: 'succeeded',
  amount: '5.00',
  currency: 'CAD',
  reason: 'One ticket returned',
  failure: null,
  createdAt: '2026-11-27T09:02:11.480Z',
  updatedAt: '2026-11-27T09:02:12.031Z',
};

export const pendingRefundExample = {
  ...refundExample,
  status: 'pending',
  updatedAt: refundExample.createdAt,
};

export const sessionExample = {
  ...sessionBase,
  status: 'partially_refunded',
  updatedAt: '2026-11-27T09:02:12.031Z',
  succeededAttemptId: ATTEMPT_ID,
  attempts: [
    {
      id: ATTEMPT_ID,
      method: 'ottpay.wechat',
      provider: 'ottpay',
      status: 'succeeded',
      amount: '25.00',
      currency: 'CAD',
      providerOrderId: ATTEMPT_ID,
      providerPaymentId: '202611270000000001',
      failure: null,
      doublePayment: false,
      createdAt: '2026-11-27T07:18:02.114Z',
      updatedAt: '2026-11-27T07:18:40.902Z',
    },
  ],
  amountRefunded: '5.00',
  refunds: [refundExample],
};

export const sessionListExample = { object: 'list', data: [sessionExample], hasMore: false };

export const createRefundExample = { amount: '5.00', reason: 'One ticket returned' };

export const createAttemptExample = { method: 'ottpay.wechat', client: { device: 'desktop' } };

export const attemptExample = {
  id: ATTEMPT_ID,
  method: 'ottpay.wechat',
  status: 'requires_action',
  action: {
    type: 'qr',
    content: 'weixin://wxpay/bizpayurl?pr=dfjKdzS',
    modules: { size: 25, path: 'M0 0h7v1H0zM8 0h1v1H8z' },
    expiresAt: '2026-11-27T07:23:02.114Z',
    deepLink: null,
  },
  failure: null,
  serverTime: '2026-11-27T07:18:02.114Z',
};

export const checkoutViewExample = {
  id: SESSION_ID,
  status: 'open',
  amount: '25.00',
  currency: 'CAD',
  merchant: { name: 'Shop Example' },
  description: 'Two tickets, Saturday 20:00',
  expiresAt: EXPIRES,
  returnUrl: 'https://shop.example/orders/1042',
  methods: [
    {
      id: 'ottpay.wechat',
      provider: 'ottpay',
      kind: 'qr',
      label: 'WeChat Pay',
      brand: 'wechat',
      fields: [],
      estimate: { amount: '128.75', currency: 'CNY' },
    },
    {
      id: 'ottpay.alipay',
      provider: 'ottpay',
      kind: 'qr',
      label: 'Alipay',
      brand: 'alipay',
      fields: [],
      estimate: { amount: '128.75', currency: 'CNY' },
    },
  ],
  attempt: null,
  serverTime: '2026-11-27T07:17:40.006Z',
};

export const statusStreamExample = [
  'event: ready',
  'data: {"heartbeatMs":15000}',
  '',
  'id: 3',
  'event: status',
  `data: {"seq":3,"status":"succeeded","attempt":{"id":"${ATTEMPT_ID}","status":"succeeded","failure":null},"at":"2026-11-27T07:18:40.902Z"}`,
  '',
  'event: ping',
  'data: {}',
  '',
  '',
].join('\n');

export const balancesExample = {
  object: 'list',
  data: [
    { object: 'balance', provider: 'one1pay', currency: 'THB', amount: '100000.00', available: true, error: null },
  ],
};

export const banksExample = {
  object: 'list',
  data: [
    { provider: 'one1pay', id: '101', name: 'Siam Commercial Bank', currency: 'THB' },
    { provider: 'one1pay', id: '102', name: 'Kasikornbank', currency: 'THB' },
  ],
};

export const createPayoutExample = {
  provider: 'one1pay',
  amount: '1500.00',
  currency: 'THB',
  bankId: '101',
  holderName: 'Somchai Jaidee',
  accountNumber: '123-4-56789-0',
  reference: 'supplier-0042',
};

export const payoutExample = {
  id: 'po_Xk2m9QvB7sLw0RtZ4nYc',
  object: 'payout',
  provider: 'one1pay',
  status: 'pending',
  amount: '1500.00',
  currency: 'THB',
  bankId: '101',
  bankBranch: null,
  holderName: 'Somchai Jaidee',
  accountNumberLast4: '7890',
  reference: 'supplier-0042',
  failure: null,
  createdAt: '2026-11-27T10:00:00.000Z',
  updatedAt: '2026-11-27T10:00:00.812Z',
};

export const payoutListExample = {
  object: 'list',
  data: [payoutExample, { ...payoutExample, id: 'po_Hq7cT2wL9mZx4RbN0kVe', status: 'succeeded', reference: null }],
  hasMore: true,
};

/**
 * Words and examples for request fields whose rules a JSON Schema cannot carry (a refinement such
 * as "a supported currency"). Attached to the routes' own schema objects, for the description only.
 */
export function describeRequestFields(): void {
  const notes: [z.ZodType, { description: string; examples?: unknown[] }][] = [
    [
      createSessionBody.shape.amount,
      {
        description: 'A decimal string in the major unit; more than zero, within the currency’s decimals.',
        examples: ['25.00'],
      },
    ],
    [createSessionBody.shape.currency, { description: 'A supported currency code.', examples: ['THB', 'CAD', 'USDT'] }],
    [createSessionBody.shape.reference, { description: 'Your order reference, returned as given.' }],
    [
      createSessionBody.shape.returnUrl,
      { description: 'An http(s) URL the shopper comes back to after a provider’s page.' },
    ],
    [
      createSessionBody.shape.methods,
      {
        description: 'Only these methods; each must belong to a configured provider. Default: every method that fits.',
      },
    ],
    [
      createSessionBody.shape.expiresInSeconds,
      {
        description:
          'How long the session takes payments. Default: the configured session lifetime (`checkout.sessionTtlSeconds`).',
      },
    ],
    [
      createRefundBody.shape.amount,
      { description: 'Leave out to refund everything that is left.', examples: ['5.00'] },
    ],
    [listQuery.shape.before, { description: 'A session id: list the sessions created before it.' }],
    [
      createAttemptBody.shape.fields,
      { description: 'The values the method’s `fields` ask for (`MethodView.fields`).' },
    ],
    [
      createAttemptBody.shape.client,
      { description: 'Where the shopper is, so the provider’s flow fits (H5 on phones, JSAPI in WeChat).' },
    ],
    [createAttemptBody.shape.buyerCode, { description: 'A buyer’s payment code scanned at a till; charged at once.' }],
    [createPayoutBody.shape.currency, { description: 'A supported currency code.', examples: ['THB'] }],
    [
      createPayoutBody.shape.provider,
      { description: 'An enabled provider that makes payouts.', examples: ['one1pay'] },
    ],
    [createPayoutBody.shape.bankId, { description: 'A bank id from `GET /v1/banks` (purpose `withdrawal`).' }],
    [
      createPayoutBody.shape.accountNumber,
      { description: 'Stored, sent to the provider, and never returned in full.' },
    ],
    [
      banksQuery.shape.purpose,
      { description: '`withdrawal`: banks payouts can go to; `deposit`: banks shoppers pay from.' },
    ],
  ];
  for (const [schema, meta] of notes) z.globalRegistry.add(schema, meta);
}
