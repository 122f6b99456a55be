/**
 * The SanSan Fintech simulator on its own, through `app.request()`. The merchant side of the crypto
 * is written here again from the document (AES-128-ECB/PKCS5 with the Base64-decoded key;
 * SHA256withRSA over the plaintext JSON), so the simulator's own crypto is checked both ways.
 */
import assert from 'node:assert/strict';
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign as rsaSign,
  verify as rsaVerify,
} from 'node:crypto';
import { Script } from 'node:vm';
import { describe, it } from 'node:test';
import {
  createSanSanSimulator,
  generateSanSanSandboxKeys,
  type WebhookDelivery,
} from '../../../server/sandbox/sansan/index.ts';
import { CHALLENGE_DONE_JS, TOKENIZER_JS } from '../../../server/sandbox/sansan/pages.ts';
import { bodyOf, urlOf } from '../../fetch-args.ts';

const keys = generateSanSanSandboxKeys();
const AES_KEY = randomBytes(16).toString('base64');
const TOKEN = 'sandbox-bearer-token-42';
const PUBLIC_URL = 'https://tender.example/sandbox/sansan';
const SHOP = 'https://shop.example';
const WEBHOOK_URL = 'https://tender.example/v1/notify/sansan';

// --- the merchant's side of the envelope -----------------------------------------------------

function aesEncrypt(text: string, key: string): string {
  const cipher = createCipheriv('aes-128-ecb', Buffer.from(key, 'base64'), null);
  return Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]).toString('base64');
}

function aesDecrypt(text: string, key: string): string {
  const decipher = createDecipheriv('aes-128-ecb', Buffer.from(key, 'base64'), null);
  return Buffer.concat([decipher.update(Buffer.from(text, 'base64')), decipher.final()]).toString('utf8');
}

function signText(text: string, privatePem: string): string {
  return rsaSign('sha256', Buffer.from(text), createPrivateKey(privatePem)).toString('base64');
}

function verifies(text: string, signature: string, publicPem: string): boolean {
  return rsaVerify('sha256', Buffer.from(text), createPublicKey(publicPem), Buffer.from(signature, 'base64'));
}

/** Serialize → sign the JSON → encrypt the same JSON (the document's order). */
function sealRequest(fields: unknown, { aesKey = AES_KEY, privateKey = keys.merchantPrivateKey } = {}) {
  const json = JSON.stringify(fields);
  return { bizContent: aesEncrypt(json, aesKey), sign: signText(json, privateKey) };
}

/** An answer's JSON: the envelope, whose bizContent (when the request got that far) seals `Inner`. */
interface Envelope {
  statusCode: number;
  errorCode: string | null;
  errorMessage: string | null;
  bizContent?: string;
  sign: string;
}

interface Inner {
  status: number;
  errorCode: string | null;
  errorMessage: string | null;
  data: Record<string, unknown> | null;
}

interface Answer<Data = Record<string, unknown>> {
  httpStatus: number;
  statusCode: number;
  status: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  data: Data | null;
  /** The decrypted bizContent as sent. */
  text: string | null;
}

/** payOrder's data, as far as these tests read it. */
interface Payment {
  outcome: string;
  challenge: { url: string } | null;
  authentication: { version: string; authenticationValue: string; eci: string } | null;
}

/** An order as `/_control/orders/…` shows it: the fields these tests read by name, and the rest. */
interface OrderView {
  status: string;
  refunds: Array<{ refundSn: string; amount: string; status: string }>;
  webhooks: WebhookDelivery[];
  [field: string]: unknown;
}

/** Decrypt bizContent → verify sign over the decrypted text with the platform public key. */
async function readAnswer(response: Response): Promise<Answer> {
  const body = (await response.json()) as Envelope;
  if (typeof body.bizContent !== 'string') {
    return {
      httpStatus: response.status,
      statusCode: body.statusCode,
      status: null,
      errorCode: body.errorCode,
      errorMessage: body.errorMessage,
      data: null,
      text: null,
    };
  }
  const text = aesDecrypt(body.bizContent, AES_KEY);
  assert.ok(verifies(text, body.sign, keys.platformPublicKey), 'the answer is signed by the platform');
  assert.ok(!verifies(text, body.sign, keys.merchantPublicKey));
  const inner = JSON.parse(text) as Inner;
  assert.deepEqual(Object.keys(inner), ['status', 'errorCode', 'errorMessage', 'data']);
  return {
    httpStatus: response.status,
    statusCode: body.statusCode,
    status: inner.status,
    errorCode: inner.errorCode,
    errorMessage: inner.errorMessage,
    data: inner.data,
    text,
  };
}

interface Delivered {
  url: string;
  body: { noticeType: string; bizContent: string; sign: string };
}

/** Opens a webhook the merchant way; throws when it does not decrypt or verify. */
function openWebhook(delivered: Delivered): { text: string; status: Record<string, unknown> } {
  assert.equal(delivered.body.noticeType, 'PaymentOrderStatus');
  const text = aesDecrypt(delivered.body.bizContent, AES_KEY);
  if (!verifies(text, delivered.body.sign, keys.platformPublicKey)) throw new Error('webhook sign does not verify');
  return { text, status: (JSON.parse(text) as { PaymentOrderStatus: Record<string, unknown> }).PaymentOrderStatus };
}

const ack = () => new Response('{"code":0}', { status: 200, headers: { 'Content-Type': 'application/json' } });

function simulator({
  reply = ack,
  webhookPolicy = { attempts: 3, backoffMs: 1, maxBackoffMs: 2, timeoutMs: 200 },
}: { reply?: (delivered: Delivered) => Response | Promise<Response>; webhookPolicy?: Record<string, number> } = {}) {
  let clock = new Date('2026-11-21T08:00:00Z');
  const delivered: Delivered[] = [];
  const fakeFetch: typeof fetch = async (input, init) => {
    const entry: Delivered = { url: urlOf(input), body: JSON.parse(bodyOf(init)) as Delivered['body'] };
    delivered.push(entry);
    return reply(entry);
  };
  const app = createSanSanSimulator({
    publicUrl: PUBLIC_URL,
    aesKey: AES_KEY,
    token: TOKEN,
    merchantPublicKey: keys.merchantPublicKey,
    platformPrivateKey: keys.platformPrivateKey,
    merchantName: 'Harbour Books',
    fetch: fakeFetch,
    webhookUrl: WEBHOOK_URL,
    now: () => clock,
    webhookPolicy,
  });

  async function post(body: unknown, headers: Record<string, string> = {}) {
    return app.request('/api/v2/pay', {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async function call(service: string, fields: unknown, envelope: Record<string, unknown> = {}): Promise<Answer> {
    return readAnswer(await post({ service, ...sealRequest(fields), ...envelope }));
  }

  async function ok(service: string, fields: unknown): Promise<Record<string, unknown>> {
    const answer = await call(service, fields);
    assert.equal(answer.statusCode, 0);
    assert.equal(answer.status, 0, `${service}: ${answer.errorCode} ${answer.errorMessage}`);
    assert.equal(answer.errorCode, null);
    return answer.data!;
  }

  let sequence = 0;
  async function payer(): Promise<number> {
    const data = await ok('createPayer', {
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.com',
      areaCode: 852,
      phone: '91234567',
      address: '1 Harbour Road',
      city: 'Hong Kong',
      province: 'HK',
      postcode: '000000',
      country: 'HK',
    });
    const { payerID } = data;
    assert.ok(typeof payerID === 'number', 'createPayer answers a numeric payerID');
    return payerID;
  }

  async function order(overrides: Record<string, unknown> = {}) {
    const payerID = await payer();
    sequence += 1;
    const fields = {
      order_sn: `att_${sequence}`,
      currency: 'USD',
      amount: 12.5,
      payerID,
      purposeOfTransaction: 'PAY_FOR_GOODS',
      description: 'Two books',
      skip3ds: 'False',
      domain: 'shop.example',
      product: 'Book one||Book two',
      ...overrides,
    };
    const data = await ok('createOrder', fields);
    return { fields, data };
  }

  async function tokenize(cardNumber: string, extra: Record<string, string> = {}) {
    const response = await app.request('/tokenizer/sessions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ cardNumber, expiry: '12/30', cvc: '123', holder: 'Ada Lovelace', ...extra }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  }

  /** An order whose card is taken (checkoutOrder done), ready for payOrder. */
  async function checkedOut(cardNumber: string, overrides: Record<string, unknown> = {}) {
    const created = await order(overrides);
    const card = await tokenize(cardNumber);
    assert.equal(card.status, 201);
    const checkout = await ok('checkoutOrder', {
      order_sn: created.fields.order_sn,
      linkID: created.data.linkID,
      cardHolderName: 'Ada Lovelace',
      sessionCard: card.body.sessionCard,
      sessionCvc: card.body.sessionCvc,
      relationship: 'CUSTOMER',
    });
    return { ...created, card: card.body, checkout };
  }

  async function payOrder(
    flow: Awaited<ReturnType<typeof checkedOut>>,
    extra: Record<string, unknown> = {},
  ): Promise<Answer<Payment>> {
    const answer = await call('payOrder', {
      order_sn: flow.fields.order_sn,
      linkID: flow.data.linkID,
      transactionReference: flow.checkout.transactionReference,
      sessionId: flow.card.sessionId,
      userAgent: 'Mozilla/5.0 (test)',
      ...extra,
    });
    return { ...answer, data: answer.data as Payment | null };
  }

  /** A control: an order's (`/orders/…`) answers the order, a setting's its own JSON. */
  async function control(path: `/orders/${string}`): Promise<{ status: number; body: OrderView }>;
  async function control(path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  async function control(path: string, body?: unknown) {
    const response = await app.request(`/_control${path}`, {
      method: body === undefined && !path.includes('/orders/') ? 'GET' : 'POST',
      ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function record(orderSn: string) {
    const response = await app.request(`/_control/orders/${orderSn}`);
    return (await response.json()) as OrderView;
  }

  return {
    app,
    delivered,
    post,
    call,
    ok,
    payer,
    order,
    tokenize,
    checkedOut,
    payOrder,
    control,
    record,
    advance: (ms: number) => (clock = new Date(clock.getTime() + ms)),
  };
}

/** Waits (bounded) for background webhook deliveries. */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  assert.fail(`timed out waiting for ${what}`);
}

// --- tests -----------------------------------------------------------------------------------

describe('SanSan simulator: envelope and crypto', () => {
  it('accepts a request sealed the documented way and answers sealed by the platform', async () => {
    const sim = simulator();
    const response = await sim.post({ service: 'createPayer', ...sealRequest({ firstName: 'x' }) });
    assert.equal(response.status, 200);
    const body = (await response.clone().json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['statusCode', 'bizContent', 'sign']);
    assert.equal(body.statusCode, 0);
    const answer = await readAnswer(response);
    assert.equal(answer.status, -1);
    assert.equal(answer.errorCode, 'PARAM_MISSING');
    assert.equal(answer.data, null);

    const payerID = await sim.payer();
    assert.ok(Number.isSafeInteger(payerID));
  });

  it('pads with PKCS#5 like the document sample: 55 bytes of JSON become 64 bytes', () => {
    const plaintext = '{"key_1":"value_1","key_2":"value_2","key_3":"value_3"}';
    assert.equal(Buffer.byteLength(plaintext), 55);
    assert.equal(Buffer.from(aesEncrypt(plaintext, AES_KEY), 'base64').length, 64);
  });

  it('refuses what SanSan would refuse, with the documented codes', async () => {
    const sim = simulator();
    const fields = { order_sn: 'nobody' };
    const other = generateSanSanSandboxKeys();

    const noToken = await sim.app.request('/api/v2/pay', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ service: 'queryOrder', ...sealRequest(fields) }),
    });
    assert.equal(noToken.status, 401);
    assert.equal((await readAnswer(noToken)).errorCode, 'UNAUTHORIZED');
    const wrongToken = await sim.post(
      { service: 'queryOrder', ...sealRequest(fields) },
      { Authorization: `Bearer ${TOKEN}x` },
    );
    assert.equal(wrongToken.status, 401);
    const basic = await sim.post(
      { service: 'queryOrder', ...sealRequest(fields) },
      { Authorization: `Basic ${TOKEN}` },
    );
    assert.equal(basic.status, 401);

    for (const [body, headers] of [
      ['not json', {}],
      [[1, 2], {}],
      [{ service: 'queryOrder', ...sealRequest(fields), sign: undefined }, {}],
      [{ service: 'queryOrder', bizContent: '', sign: 'x' }, {}],
      [{ ...sealRequest(fields) }, {}],
      [{ service: 'queryOrder', ...sealRequest(fields) }, { 'Content-Type': 'text/plain' }],
    ] as Array<[unknown, Record<string, string>]>) {
      const response = await sim.post(body, headers);
      assert.equal(response.status, 400, JSON.stringify(body));
      const answer = await readAnswer(response);
      assert.equal(answer.statusCode, 400);
      assert.equal(answer.errorCode, 'INVALID_REQUEST');
    }

    const sealed = sealRequest(fields);
    const tamperedText = aesEncrypt(JSON.stringify({ order_sn: 'someone-else' }), AES_KEY);
    const truncated = Buffer.from(sealed.bizContent, 'base64').subarray(0, 8).toString('base64');
    const cases: Array<[string, Answer]> = [
      [
        'SIGN_INVALID',
        await sim.call('queryOrder', fields, {
          sign: sealRequest(fields, { privateKey: other.merchantPrivateKey }).sign,
        }),
      ],
      [
        'DECRYPT_FAILED',
        await sim.call('queryOrder', fields, {
          bizContent: sealRequest(fields, { aesKey: randomBytes(16).toString('base64') }).bizContent,
        }),
      ],
      ['SIGN_INVALID', await sim.call('queryOrder', fields, { bizContent: tamperedText })],
      ['DECRYPT_FAILED', await sim.call('queryOrder', fields, { bizContent: truncated })],
      ['DECRYPT_FAILED', await sim.call('queryOrder', fields, { bizContent: 'not base64!' })],
      ['SIGN_INVALID', await sim.call('queryOrder', fields, { sign: 'AAAA' })],
      ['SERVICE_UNKNOWN', await sim.call('deleteOrder', fields)],
      ['SERVICE_UNKNOWN', await sim.call('QueryOrder', fields)],
      ['BIZCONTENT_INVALID', await sim.call('queryOrder', 'just a string')],
      ['ORDER_NOT_FOUND', await sim.call('queryOrder', fields)],
      ['PARAM_MISSING', await sim.call('queryOrder', {})],
    ];
    for (const [index, [code, answer]] of cases.entries()) {
      assert.equal(answer.httpStatus, 200, `case ${index}`);
      assert.equal(answer.statusCode, 0, `case ${index}`);
      assert.equal(answer.status, -1, `case ${index}`);
      assert.equal(answer.errorCode, code, `case ${index}`);
      assert.equal(typeof answer.errorMessage, 'string');
      assert.equal(answer.data, null);
    }
  });
});

describe('SanSan simulator: services', () => {
  it('createPayer answers the fields with a payerID and checks each field', async () => {
    const sim = simulator();
    const fields = {
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.com',
      areaCode: 1,
      phone: '5551234567',
      address: '12 Main Street',
      city: 'Springfield',
      province: 'IL',
      postcode: '62701',
      country: 'US',
    };
    const data = await sim.ok('createPayer', fields);
    assert.deepEqual(data, { ...fields, payerID: data.payerID });
    const refusals: Array<[string, Record<string, unknown>]> = [
      ['PARAM_MISSING', { ...fields, email: undefined }],
      ['PARAM_MISSING', { ...fields, lastName: '' }],
      ['PARAM_INVALID', { ...fields, areaCode: '1' }],
      ['PARAM_INVALID', { ...fields, email: 'not-an-email' }],
      ['PARAM_INVALID', { ...fields, address: '12 Main St., Apt #4' }],
      ['PARAM_INVALID', { ...fields, address: 'a'.repeat(256) }],
      ['PARAM_INVALID', { ...fields, phone: '+1 555' }],
      ['PARAM_INVALID', { ...fields, country: 'USA' }],
    ];
    for (const [code, request] of refusals) {
      assert.equal((await sim.call('createPayer', request)).errorCode, code, JSON.stringify(request));
    }
  });

  it('createOrder takes USD as a JSON number of dollars, exactly', async () => {
    const sim = simulator();
    const { fields, data } = await sim.order({ amount: 1234.5 });
    assert.equal(data.order_sn, fields.order_sn);
    assert.equal(data.status, 'New');
    assert.equal(data.currency, 'USD');
    assert.equal(data.amount, 1234.5);
    assert.ok(typeof data.linkID === 'string');
    assert.match(data.linkID, /^LK[0-9a-f]{24}$/);
    assert.equal(data.linkExpiry, '2026-11-21T16:30:00+08:00');
    assert.equal(data.creationTime, '2026-11-21T16:00:00+08:00');
    // The answer writes the amount with two decimals, as money.
    const raw = await sim.call('queryOrder', { order_sn: fields.order_sn });
    assert.match(raw.text!, /"amount":1234\.50,/);

    const payerID = await sim.payer();
    const base = { order_sn: 'fresh', currency: 'USD', amount: 10, payerID, purposeOfTransaction: 'PAY_FOR_GOODS' };
    const refusals: Array<[string, Record<string, unknown>]> = [
      ['PARAM_INVALID', { ...base, amount: '10.00' }],
      ['PARAM_INVALID', { ...base, amount: 10.005 }],
      ['PARAM_INVALID', { ...base, amount: 0.1 + 0.2 }],
      ['PARAM_INVALID', { ...base, amount: 0 }],
      ['PARAM_INVALID', { ...base, amount: -5 }],
      ['PARAM_INVALID', { ...base, amount: 100_000.01 }],
      ['PARAM_INVALID', { ...base, currency: 'EUR' }],
      ['PARAM_INVALID', { ...base, payerID: String(payerID) }],
      ['PARAM_INVALID', { ...base, purposeOfTransaction: 'GAMBLING' }],
      ['PARAM_INVALID', { ...base, skip3ds: true }],
      ['PARAM_INVALID', { ...base, product: 'one||||two' }],
      ['PARAM_INVALID', { ...base, order_sn: 'has space' }],
      ['PARAM_MISSING', { ...base, currency: undefined }],
      ['PARAM_MISSING', { ...base, purposeOfTransaction: undefined }],
      ['PAYER_NOT_FOUND', { ...base, payerID: 999_999 }],
      ['ORDER_EXISTS', { ...base, order_sn: fields.order_sn }],
    ];
    for (const [code, request] of refusals) {
      assert.equal((await sim.call('createOrder', request)).errorCode, code, JSON.stringify(request));
    }
    assert.equal((await sim.ok('createOrder', { ...base, amount: 0.01 })).amount, 0.01);
  });

  it('pays a frictionless card: checkoutOrder, payOrder with device data, queryOrder, webhooks', async () => {
    const sim = simulator();
    const flow = await sim.checkedOut('4000 0000 0000 0002');
    assert.deepEqual(flow.checkout, {
      order_sn: flow.fields.order_sn,
      outcome: 'initialized',
      transactionReference: flow.checkout.transactionReference,
    });
    assert.equal((await sim.ok('queryOrder', { order_sn: flow.fields.order_sn })).status, 'Processing');

    const paid = await sim.payOrder(flow);
    assert.equal(paid.status, 0);
    assert.equal(paid.data!.outcome, 'authorized');
    assert.equal(paid.data!.challenge, null);
    const authentication = paid.data!.authentication!;
    assert.equal(authentication.version, '2.2.0');
    assert.equal(Buffer.from(authentication.authenticationValue, 'base64').length, 20);
    assert.equal(authentication.eci, '05');

    const query = await sim.ok('queryOrder', { order_sn: flow.fields.order_sn });
    assert.equal(query.status, 'Paid');
    assert.equal(query.amount, 12.5);
    assert.equal(query.region, 'HKG');
    assert.equal(query.payerEmail, 'ada@example.com');
    assert.equal(query.linkID, flow.data.linkID);
    assert.equal(query.transactionReference, flow.checkout.transactionReference);

    await until(() => sim.delivered.length === 2, 'two webhooks');
    const statuses = sim.delivered.map((entry) => openWebhook(entry).status);
    assert.deepEqual(
      statuses.map((status) => status.status),
      ['Processing', 'Paid'],
    );
    assert.equal(sim.delivered[1]!.url, WEBHOOK_URL);
    const { text, status } = openWebhook(sim.delivered[1]!);
    assert.match(text, /"amount":12\.50,/);
    assert.deepEqual(Object.keys(status), [
      'order_sn',
      'platform_order_sn',
      'requestID',
      'region',
      'payerEmail',
      'description',
      'comment',
      'requestTime',
      'currency',
      'amount',
      'linkID',
      'linkExpiry',
      'status',
      'failTimes',
      'creationTime',
    ]);
    assert.equal(status.failTimes, 0);
    assert.equal(status.platform_order_sn, flow.data.platform_order_sn);

    // payOrder happens once.
    assert.equal((await sim.payOrder(flow)).errorCode, 'ORDER_STATUS_INVALID');
  });

  it('refuses a declined card and a failed authentication', async () => {
    const sim = simulator();
    const declined = await sim.payOrder(await sim.checkedOut('4000000000000069'));
    assert.equal(declined.data!.outcome, 'refused');
    assert.equal((await sim.ok('queryOrder', { order_sn: 'att_1' })).status, 'Failed');
    const unauthenticated = await sim.payOrder(await sim.checkedOut('4000000000000101'));
    assert.equal(unauthenticated.data!.outcome, 'authenticationFailed');
    assert.equal(unauthenticated.data!.authentication, null);
    assert.equal((await sim.ok('queryOrder', { order_sn: 'att_2' })).status, 'Failed');
  });

  it('skips 3-D Secure when the order says skip3ds "True"', async () => {
    const sim = simulator();
    const flow = await sim.checkedOut('4000000000003220', { skip3ds: 'True' });
    assert.equal(flow.checkout.outcome, 'authorized');
    assert.equal((await sim.ok('queryOrder', { order_sn: flow.fields.order_sn })).status, 'Paid');
    assert.equal((await sim.payOrder(flow)).errorCode, 'ORDER_STATUS_INVALID');
    const declined = await sim.checkedOut('4000000000000069', { skip3ds: 'True' });
    assert.equal(declined.checkout.outcome, 'refused');
  });

  it('ties card tokens, device data, link and transaction to their order', async () => {
    const sim = simulator();
    const flow = await sim.checkedOut('4000000000000002');
    const second = await sim.order();
    const checkout = (overrides: Record<string, unknown>) =>
      sim.call('checkoutOrder', {
        order_sn: second.fields.order_sn,
        linkID: second.data.linkID,
        cardHolderName: 'Ada Lovelace',
        sessionCard: flow.card.sessionCard,
        sessionCvc: flow.card.sessionCvc,
        relationship: 'CUSTOMER',
        ...overrides,
      });
    assert.equal((await checkout({})).errorCode, 'CARD_SESSION_INVALID', 'tokens serve one order');
    const fresh = (await sim.tokenize('4000000000000002')).body;
    const another = (await sim.tokenize('4000000000000002')).body;
    assert.equal(
      (await checkout({ sessionCard: fresh.sessionCard, sessionCvc: another.sessionCvc })).errorCode,
      'CARD_SESSION_INVALID',
    );
    assert.equal(
      (await checkout({ sessionCard: fresh.sessionCard, sessionCvc: fresh.sessionCvc, linkID: flow.data.linkID }))
        .errorCode,
      'LINK_INVALID',
    );
    assert.equal(
      (await checkout({ sessionCard: fresh.sessionCard, sessionCvc: fresh.sessionCvc, relationship: 'STRANGER' }))
        .errorCode,
      'PARAM_INVALID',
    );
    assert.equal(
      (await checkout({ sessionCard: fresh.sessionCard, sessionCvc: fresh.sessionCvc, cardHolderName: '' })).errorCode,
      'PARAM_MISSING',
    );

    assert.equal((await sim.payOrder(flow, { sessionId: fresh.sessionId })).errorCode, 'DEVICE_SESSION_INVALID');
    assert.equal((await sim.payOrder(flow, { transactionReference: 'TR0' })).errorCode, 'TRANSACTION_INVALID');
    assert.equal((await sim.payOrder(flow, { userAgent: undefined })).errorCode, 'PARAM_MISSING');
    assert.equal((await sim.payOrder(flow, { returnUrl: 'javascript:alert(1)' })).errorCode, 'PARAM_INVALID');
    assert.equal((await sim.payOrder(flow)).data!.outcome, 'authorized');

    // Tokens expire after 15 minutes.
    const old = (await sim.tokenize('4000000000000002')).body;
    sim.advance(16 * 60_000);
    const third = await sim.order();
    const late = await sim.call('checkoutOrder', {
      order_sn: third.fields.order_sn,
      linkID: third.data.linkID,
      cardHolderName: 'Ada Lovelace',
      sessionCard: old.sessionCard,
      sessionCvc: old.sessionCvc,
      relationship: 'CUSTOMER',
    });
    assert.equal(late.errorCode, 'CARD_SESSION_INVALID');
  });

  it('expires an order whose link has run out', async () => {
    const sim = simulator();
    const flow = await sim.order();
    sim.advance(31 * 60_000);
    assert.equal((await sim.ok('queryOrder', { order_sn: flow.fields.order_sn })).status, 'Expired');
    const card = (await sim.tokenize('4000000000000002')).body;
    const late = await sim.call('checkoutOrder', {
      order_sn: flow.fields.order_sn,
      linkID: flow.data.linkID,
      cardHolderName: 'Ada Lovelace',
      sessionCard: card.sessionCard,
      sessionCvc: card.sessionCvc,
      relationship: 'CUSTOMER',
    });
    assert.equal(late.errorCode, 'ORDER_EXPIRED');
    await until(() => sim.delivered.length === 1, 'the Expired webhook');
    assert.equal(openWebhook(sim.delivered[0]!).status.status, 'Expired');
  });

  it('refunds paid orders, partly and in full, once per refund_sn', async () => {
    const sim = simulator();
    const flow = await sim.checkedOut('4000000000000002', { amount: 20 });
    const unpaid = await sim.call('refundOrder', { order_sn: flow.fields.order_sn, refund_sn: 'rf_0', amount: 1 });
    assert.equal(unpaid.errorCode, 'ORDER_STATUS_INVALID');
    await sim.payOrder(flow);

    const first = await sim.ok('refundOrder', { order_sn: flow.fields.order_sn, refund_sn: 'rf_1', amount: 5.25 });
    assert.deepEqual(first, {
      order_sn: flow.fields.order_sn,
      refund_sn: 'rf_1',
      amount: 5.25,
      status: 'RefundCompleted',
    });
    assert.deepEqual(
      await sim.ok('refundOrder', { order_sn: flow.fields.order_sn, refund_sn: 'rf_1', amount: 5.25 }),
      first,
    );
    assert.equal(
      (await sim.call('refundOrder', { order_sn: flow.fields.order_sn, refund_sn: 'rf_1', amount: 5 })).errorCode,
      'REFUND_EXISTS',
    );
    assert.equal(
      (await sim.call('refundOrder', { order_sn: flow.fields.order_sn, refund_sn: 'rf_2', amount: 14.76 })).errorCode,
      'REFUND_AMOUNT_EXCEEDED',
    );
    assert.equal(
      (await sim.call('refundOrder', { order_sn: flow.fields.order_sn, refund_sn: 'rf_2', amount: '1.00' })).errorCode,
      'PARAM_INVALID',
    );
    await sim.ok('refundOrder', { order_sn: flow.fields.order_sn, refund_sn: 'rf_2', amount: 14.75 });

    const query = await sim.ok('queryOrder', { order_sn: flow.fields.order_sn });
    assert.equal(query.status, 'RefundCompleted');
    assert.equal(query.refundedAmount, 20);
    assert.deepEqual(
      (query.refunds as Array<{ refund_sn: string }>).map((refund) => refund.refund_sn),
      ['rf_1', 'rf_2'],
    );
    await until(() => sim.delivered.length === 6, 'six webhooks');
    assert.deepEqual(
      sim.delivered.map((entry) => openWebhook(entry).status.status),
      ['Processing', 'Paid', 'RefundSubmitted', 'RefundCompleted', 'RefundSubmitted', 'RefundCompleted'],
    );
  });

  it('holds refunds for a control when asked to', async () => {
    const sim = simulator();
    const flow = await sim.checkedOut('4000000000000002');
    await sim.payOrder(flow);
    assert.equal((await sim.control('/refund-mode', { mode: 'hold' })).status, 200);
    const held = await sim.ok('refundOrder', { order_sn: flow.fields.order_sn, refund_sn: 'rf_h', amount: 2 });
    assert.equal(held.status, 'RefundSubmitted');
    assert.equal(
      (await sim.call('refundOrder', { order_sn: flow.fields.order_sn, refund_sn: 'rf_i', amount: 1 })).errorCode,
      'REFUND_IN_PROGRESS',
    );
    const failed = await sim.control(`/orders/${flow.fields.order_sn}/refund?result=fail`);
    assert.equal(failed.body.status, 'RefundFailed');
    await sim.ok('refundOrder', { order_sn: flow.fields.order_sn, refund_sn: 'rf_j', amount: 2 });
    const completed = await sim.control(`/orders/${flow.fields.order_sn}/refund`);
    assert.equal(completed.body.status, 'RefundCompleted');
    assert.equal((await sim.ok('queryOrder', { order_sn: flow.fields.order_sn })).refundedAmount, 2);
  });
});

describe('SanSan simulator: 3-D Secure challenge', () => {
  it('challenges 4000 0000 0000 3220; Pay in a frame pays and tells the parent', async () => {
    const sim = simulator();
    const flow = await sim.checkedOut('4000000000003220');
    const answer = await sim.payOrder(flow);
    assert.equal(answer.data!.outcome, 'challenged');
    assert.equal(answer.data!.authentication, null);
    const url = new URL(answer.data!.challenge!.url);
    assert.equal(url.href, `${PUBLIC_URL}/challenge/${flow.fields.order_sn}`);
    assert.equal((await sim.ok('queryOrder', { order_sn: flow.fields.order_sn })).status, 'Processing');

    const path = `/challenge/${flow.fields.order_sn}?origin=${encodeURIComponent(SHOP)}`;
    const page = await sim.app.request(path);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<button type="submit" class="pay">Pay<\/button>/);
    assert.match(html, /<button type="submit" class="decline">Decline<\/button>/);
    assert.match(html, /12\.50/);
    assert.match(html, /Harbour Books/);
    assert.doesNotMatch(html, /<script>/);
    const csp = page.headers.get('content-security-policy')!;
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, new RegExp(`frame-ancestors ${SHOP}`));

    const paid = await sim.app.request(`/challenge/${flow.fields.order_sn}/pay?origin=${encodeURIComponent(SHOP)}`, {
      method: 'POST',
    });
    assert.equal(paid.status, 303);
    const next = new URL(paid.headers.get('location')!, `${PUBLIC_URL}/challenge/${flow.fields.order_sn}/pay`);
    assert.equal(next.pathname + next.search, `/sandbox/sansan${path}`);
    assert.equal((await sim.ok('queryOrder', { order_sn: flow.fields.order_sn })).status, 'Paid');
    const done = await (await sim.app.request(path)).text();
    assert.match(done, /<script src="challenge-done.js" data-origin="https:\/\/shop.example"><\/script>/);
    assert.doesNotMatch(done, /class="pay"/);
    const script = await sim.app.request('/challenge/challenge-done.js');
    assert.match(script.headers.get('content-type')!, /javascript/);
    assert.match(await script.text(), /tender-challenge-done/);

    // A finished challenge is not taken again.
    await sim.app.request(`/challenge/${flow.fields.order_sn}/decline`, { method: 'POST' });
    assert.equal((await sim.ok('queryOrder', { order_sn: flow.fields.order_sn })).status, 'Paid');
    await until(() => sim.delivered.length === 2, 'two webhooks');
    assert.equal(openWebhook(sim.delivered[1]!).status.status, 'Paid');
  });

  it('Decline fails the order and returns the shopper to the return URL', async () => {
    const sim = simulator();
    const flow = await sim.checkedOut('4000000000003220');
    const answer = await sim.payOrder(flow, { returnUrl: `${SHOP}/return?o=1` });
    assert.equal(answer.data!.outcome, 'challenged');
    const page = await sim.app.request(`/challenge/${flow.fields.order_sn}`);
    assert.match(page.headers.get('content-security-policy')!, /form-action 'self' https:\/\/shop.example/);
    const declined = await sim.app.request(`/challenge/${flow.fields.order_sn}/decline`, { method: 'POST' });
    assert.equal(declined.status, 303);
    assert.equal(declined.headers.get('location'), `${SHOP}/return?o=1`);
    const query = await sim.ok('queryOrder', { order_sn: flow.fields.order_sn });
    assert.equal(query.status, 'Failed');
    assert.equal(query.comment, '3-D Secure challenge failed');
    const after = await (await sim.app.request(`/challenge/${flow.fields.order_sn}`)).text();
    assert.doesNotMatch(after, /challenge-done\.js/, 'a redirect flow does not post to a parent');
    assert.match(after, /href="https:\/\/shop.example\/return\?o=1"/);
    assert.equal((await sim.app.request('/challenge/nobody')).status, 404);
  });
});

describe('SanSan simulator: webhooks', () => {
  it('retries with back-off until answered 200 {"code":0}, counting failTimes', async () => {
    let calls = 0;
    const sim = simulator({
      reply: () => {
        calls += 1;
        if (calls === 1) return new Response('oops', { status: 500 });
        if (calls === 2) return new Response('OK', { status: 200 });
        if (calls === 3) return new Response('{"code":1}', { status: 200 });
        return ack();
      },
      webhookPolicy: { attempts: 5, backoffMs: 1, maxBackoffMs: 4, timeoutMs: 200 },
    });
    const flow = await sim.order();
    const paid = await sim.control(`/orders/${flow.fields.order_sn}/pay`);
    assert.equal(paid.status, 200);
    assert.equal(paid.body.webhooks[0]!.attempts.length >= 1, true, 'the control waits for the first try');
    await until(() => sim.delivered.length === 4, 'four tries');
    await until(async () => (await sim.record(flow.fields.order_sn)).webhooks[0]!.acknowledged, 'acknowledged');
    const record = await sim.record(flow.fields.order_sn);
    assert.equal(record.webhooks.length, 1, 'one notification');
    assert.deepEqual(
      record.webhooks[0]!.attempts.map((attempt) => [attempt.httpStatus, attempt.acknowledged]),
      [
        [500, false],
        [200, false],
        [200, false],
        [200, true],
      ],
    );
    assert.equal(record.webhooks[0]!.status, 'Paid');
    assert.deepEqual(
      sim.delivered.map((entry) => openWebhook(entry).status.failTimes),
      [0, 1, 2, 3],
    );
  });

  it('gives up after the configured number of tries, and a control resends', async () => {
    let failing = true;
    const sim = simulator({ reply: () => (failing ? Promise.reject(new Error('connection refused')) : ack()) });
    const flow = await sim.order();
    await sim.control(`/orders/${flow.fields.order_sn}/fail`);
    await until(() => sim.delivered.length === 3, 'three tries');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(sim.delivered.length, 3, 'no fourth try');
    await until(async () => (await sim.record(flow.fields.order_sn)).webhooks[0]!.attempts.length === 3, 'recorded');
    const given = (await sim.record(flow.fields.order_sn)).webhooks[0]!;
    assert.deepEqual([given.acknowledged, given.error], [false, 'connection refused']);
    failing = false;
    const resent = await sim.control(`/orders/${flow.fields.order_sn}/callback`);
    assert.equal(resent.body.webhooks.at(-1)!.acknowledged, true);
    assert.equal(openWebhook(sim.delivered[3]!).status.status, 'Failed');
  });

  it('sends forged webhooks that a merchant must refuse', async () => {
    const sim = simulator();
    const flow = await sim.order();
    for (const kind of ['sign', 'key', 'tamper']) {
      const forged = await sim.control(`/orders/${flow.fields.order_sn}/forged-callback?kind=${kind}`);
      assert.equal(forged.status, 200);
      assert.deepEqual(
        [forged.body.webhooks.at(-1)!.forgery, forged.body.webhooks.at(-1)!.attempts.length],
        [kind, 1],
        'sent once',
      );
      assert.throws(() => openWebhook(sim.delivered.at(-1)!), Error, kind);
    }
    assert.equal((await sim.control(`/orders/${flow.fields.order_sn}/forged-callback?kind=md5`)).status, 400);
    assert.equal(sim.delivered.length, 3);
  });

  it('controls move orders as the platform would, and refuse what cannot happen', async () => {
    const sim = simulator();
    const flow = await sim.order();
    assert.equal((await sim.control('/orders/nobody/pay')).status, 404);
    assert.equal((await sim.control(`/orders/${flow.fields.order_sn}/refund`)).status, 409);
    assert.equal((await sim.control(`/orders/${flow.fields.order_sn}/pay`)).body.status, 'Paid');
    assert.equal((await sim.control(`/orders/${flow.fields.order_sn}/fail`)).status, 409);
    assert.equal((await sim.control(`/orders/${flow.fields.order_sn}/chargeback`)).body.status, 'Chargeback');
    const cancelled = await sim.order();
    assert.equal((await sim.control(`/orders/${cancelled.fields.order_sn}/cancel`)).body.status, 'Cancelled');
    const refunded = await sim.order({ amount: 7 });
    await sim.control(`/orders/${refunded.fields.order_sn}/pay`);
    const record = (await sim.control(`/orders/${refunded.fields.order_sn}/refund`)).body;
    assert.equal(record.status, 'RefundCompleted');
    assert.equal(record.refunds[0]!.amount, '7.00');
    assert.deepEqual(
      record.webhooks.map((delivery: WebhookDelivery) => delivery.status),
      ['Paid', 'RefundSubmitted', 'RefundCompleted'],
    );
  });

  it("shows and changes the webhook policy through the kit's control", async () => {
    const sim = simulator();
    assert.deepEqual((await sim.control('/callbacks')).body, {
      attempts: 3,
      backoffMs: 1,
      maxBackoffMs: 2,
      timeoutMs: 200,
    });
    assert.equal((await sim.control('/callbacks', { attempts: 11 })).status, 400);
    assert.equal((await sim.control('/callbacks', { attempts: 1 })).body.attempts, 1);
  });

  it('records a missing webhook URL until one is registered', async () => {
    const sim = simulator();
    assert.equal((await sim.control('/webhook-url', { url: null })).status, 200);
    const flow = await sim.order();
    const record = (await sim.control(`/orders/${flow.fields.order_sn}/pay`)).body;
    assert.match(record.webhooks[0]!.error ?? '', /no callback URL/);
    assert.equal(sim.delivered.length, 0);
    assert.equal((await sim.control('/webhook-url', { url: 'ftp://x' })).status, 400);
    await sim.control('/webhook-url', { url: 'https://other.example/hook' });
    await sim.control(`/orders/${flow.fields.order_sn}/callback`);
    assert.equal(sim.delivered[0]!.url, 'https://other.example/hook');
  });
});

describe('SanSan simulator: faults', () => {
  it('answers 500, garbage, huge, slow and hanging on demand', async () => {
    const sim = simulator();
    const payerID = await sim.payer();
    const create = (orderSn: string) => ({
      service: 'createOrder',
      ...sealRequest({ order_sn: orderSn, currency: 'USD', amount: 1, payerID, purposeOfTransaction: 'PAY_FOR_GOODS' }),
    });
    const request = create('f_1');

    assert.equal((await sim.control('/faults', { mode: 'teapot' })).status, 400);
    await sim.control('/faults', { mode: 'http500' });
    assert.equal((await sim.post(create('f_0'))).status, 500);

    await sim.control('/faults', { mode: 'garbage' });
    const garbage = await sim.post(request);
    assert.equal(garbage.status, 200);
    await assert.rejects(garbage.json());

    await sim.control('/faults', { mode: 'none' });
    assert.equal(
      (await sim.call('queryOrder', { order_sn: 'f_0' })).errorCode,
      'ORDER_NOT_FOUND',
      'a 500 processed nothing',
    );
    assert.equal((await sim.ok('queryOrder', { order_sn: 'f_1' })).status, 'New', 'the garbled request was processed');

    await sim.control('/faults', { mode: 'huge' });
    const huge = await sim.post(request);
    const hugeText = await huge.text();
    assert.ok(hugeText.length > 10_000_000);
    const padded = await readAnswer(new Response(hugeText, { status: huge.status }));
    assert.equal(padded.errorCode, 'ORDER_EXISTS', 'the real answer, sealed and signed, with padding');

    await sim.control('/faults', { mode: 'slow', delayMs: 5 });
    assert.equal((await readAnswer(await sim.post(request))).errorCode, 'ORDER_EXISTS');

    await sim.control('/faults', { mode: 'hang', delayMs: 5 });
    assert.equal((await sim.post(request)).status, 504);
    await sim.control('/faults', { mode: 'hang' });
    const abort = new AbortController();
    const hanging = sim.app.request('/api/v2/pay', {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
      signal: abort.signal,
    });
    let settled = false;
    void Promise.resolve(hanging).then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(settled, false, 'no answer while the client waits');
    abort.abort();
    await hanging;
    await sim.control('/faults', { mode: 'none' });
  });
});

describe('SanSan simulator: card tokenizer', () => {
  it('serves a framed page under a strict CSP with the card inputs', async () => {
    const sim = simulator();
    assert.equal((await sim.app.request('/tokenizer')).status, 400);
    assert.equal((await sim.app.request(`/tokenizer?origin=${encodeURIComponent('javascript:alert(1)')}`)).status, 400);
    assert.equal((await sim.app.request(`/tokenizer?origin=${encodeURIComponent(`${SHOP}/path`)}`)).status, 400);
    const page = await sim.app.request(`/tokenizer?origin=${encodeURIComponent(SHOP)}`);
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy')!;
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /connect-src 'self'/);
    assert.match(csp, new RegExp(`frame-ancestors ${SHOP}(;|$)`));
    const html = await page.text();
    for (const token of ['cc-number', 'cc-exp', 'cc-csc', 'cc-name'])
      assert.match(html, new RegExp(`autocomplete="${token}"`));
    assert.match(html, /data-origin="https:\/\/shop.example"/);
    assert.match(html, /<script src="tokenizer.js"><\/script>/);
    assert.doesNotMatch(html, /<script>|<style>|\sstyle=|\son[a-z]+=/);
    assert.match(
      await (await sim.app.request(`/tokenizer?origin=${encodeURIComponent(SHOP)}&button=0`)).text(),
      /<button type="submit" hidden>/,
    );

    const script = await sim.app.request('/tokenizer.js');
    assert.match(script.headers.get('content-type')!, /^text\/javascript/);
    const source = await script.text();
    for (const type of ['tender-card-token', 'tender-card-submit', 'tender-card-error', 'tender-card-resize']) {
      assert.ok(source.includes(type), type);
    }
    // Both scripts are valid JavaScript.
    new Script(TOKENIZER_JS);
    new Script(CHALLENGE_DONE_JS);
    assert.match((await sim.app.request('/tokenizer.css')).headers.get('content-type')!, /^text\/css/);
  });

  it('turns valid card data into opaque tokens and refuses the rest', async () => {
    const sim = simulator();
    const ok = await sim.tokenize('4000 0000 0000 0002');
    assert.equal(ok.status, 201);
    assert.deepEqual(Object.keys(ok.body), ['sessionCard', 'sessionCvc', 'sessionId']);
    assert.doesNotMatch(JSON.stringify(ok.body), /0002|4000|123/);
    const refusals: Array<[string, Record<string, string>]> = [
      ['cardNumber', { cardNumber: '4000000000000003' }],
      ['cardNumber', { cardNumber: '4000' }],
      ['expiry', { expiry: '13/30' }],
      ['expiry', { expiry: '10/26' }],
      ['expiry', { expiry: '1230' }],
      ['cvc', { cvc: '12' }],
      ['cvc', { cardNumber: '378282246310005', cvc: '123' }],
      ['holder', { holder: '  ' }],
    ];
    for (const [field, extra] of refusals) {
      const refused = await sim.tokenize(extra.cardNumber ?? '4000000000000002', extra);
      assert.equal(refused.status, 422, JSON.stringify(extra));
      assert.equal(refused.body.field, field, JSON.stringify(extra));
    }
    assert.equal((await sim.tokenize('378282246310005', { cvc: '1234' })).status, 201);
    assert.equal((await sim.tokenize('4000000000000002', { expiry: '11/26' })).status, 201, 'valid through its month');
    const wrongType = await sim.app.request('/tokenizer/sessions', {
      method: 'POST',
      body: 'cardNumber=4000000000000002',
    });
    assert.equal(wrongType.status, 415);
  });
});
